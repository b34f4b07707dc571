"""Segments: customers clustered by how they buy, products by revenue and purchase frequency.

`salesdw train segments` writes two runs. customer_segments: k-means on standardised log RFM
and behaviour features of every customer with an order, k chosen by silhouette among 3..8 on a
sample, each cluster named in plain words from its centroid. product_segments: star, premium,
volume or low performer, by the medians of revenue and orders (see product_segment).
"""

from __future__ import annotations

import io
import logging
import time
from typing import Any

import numpy as np
import pandas as pd
import psycopg
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances_chunked
from threadpoolctl import threadpool_limits

from salesdw.ml.runs import ModelSkipped, RunResult, model_run
from salesdw.ml.train import TrainOptions

__all__ = [
    "FEATURES",
    "K_RANGE",
    "MIN_CUSTOMERS",
    "MIN_PRODUCTS",
    "choose_k",
    "customer_features",
    "name_clusters",
    "product_segment",
    "silhouettes",
    "train",
]

log = logging.getLogger(__name__)

#: Cluster counts tried; the one with the best silhouette wins.
K_RANGE = range(3, 9)
#: Customers k-means is fitted on while choosing k, and on whom silhouettes are measured (the
#: silhouette compares all pairs: 10k customers are 100M distances, a second per k).
FIT_SAMPLE = 20_000
SILHOUETTE_SAMPLE = 5_000
#: k-means restarts per k; the best of them (lowest inertia) is kept.
N_INIT = 2
MIN_CUSTOMERS = 100
MIN_PRODUCTS = 8
#: The clustering features: name -> how it is transformed before standardising. Logs tame the
#: long tails of days, orders and money, so a few big spenders do not get a cluster each.
FEATURES: dict[str, str] = {
    "recency_days": "log1p",  # days since the latest order
    "orders": "log",  # orders not cancelled (1 or more)
    "net_revenue": "log1p",  # monetary: their net revenue
    "average_order_value": "log1p",
    "tenure_days": "log1p",  # first to latest order
    "return_rate": "none",  # units returned / units
    "app_share": "none",  # share of their orders placed in the mobile app
}


def _copy_frame(conn: psycopg.Connection, query: str) -> pd.DataFrame:
    """A query's rows through COPY and the CSV parser: several times faster than fetching
    hundreds of thousands of rows as Python tuples."""
    buffer = io.BytesIO()
    with (
        conn.cursor() as cur,
        cur.copy(f"copy ({query}) to stdout with (format csv, header)") as copy,
    ):
        for block in copy:
            buffer.write(block)
    buffer.seek(0)
    return pd.read_csv(buffer)


def customer_features(conn: psycopg.Connection) -> pd.DataFrame:
    """One row per customer with an order not cancelled: customer_id and FEATURES, raw units.
    Return rate and app share come from the orders (mart.order_facts), the rest from
    analytics.customer_summary."""
    raw = _copy_frame(conn, """
        with order_behaviour as (
            -- integer sums: PostgreSQL adds bigints up as numeric, several times slower
            select
                customer_id,
                sum(units_returned::integer) as units_returned,
                sum(units::integer) as units,
                count(*) filter (where channel = 'mobile_app') as app_orders
            from mart.order_facts
            where status <> 'cancelled'
            group by 1
        )
        select
            customer_summary.customer_id,
            customer_summary.days_since_last_order as recency_days,
            customer_summary.orders,
            round(customer_summary.net_revenue, 2) as net_revenue,
            customer_summary.tenure_days,
            order_behaviour.units_returned,
            order_behaviour.units,
            order_behaviour.app_orders
        from analytics.customer_summary
        inner join order_behaviour on order_behaviour.customer_id = customer_summary.customer_id
        where customer_summary.orders > 0
    """)  # fmt: skip
    raw["net_revenue"] = raw["net_revenue"].clip(lower=0)
    raw["average_order_value"] = raw["net_revenue"] / raw["orders"]
    raw["return_rate"] = (raw["units_returned"] / raw["units"].where(raw["units"] > 0)).fillna(0.0)
    raw["app_share"] = raw["app_orders"] / raw["orders"]
    return raw[["customer_id", *FEATURES]]


def _transform(raw: pd.DataFrame) -> np.ndarray:
    columns = []
    for name, how in FEATURES.items():
        values = raw[name].to_numpy(dtype=float)
        if how == "log":
            values = np.log(np.maximum(values, 1.0))
        elif how == "log1p":
            values = np.log1p(np.maximum(values, 0.0))
        columns.append(values)
    return np.column_stack(columns)


def _untransform(values: np.ndarray) -> dict[str, float]:
    """A point of the transformed (unstandardised) space in original units."""
    out = {}
    for (name, how), value in zip(FEATURES.items(), values, strict=True):
        if how == "log":
            value = np.exp(value)
        elif how == "log1p":
            value = np.expm1(value)
        out[name] = round(float(value), 4)
    return out


def silhouettes(points: np.ndarray, labelings: list[np.ndarray]) -> list[float]:
    """The mean silhouette of each labeling of the same points, from one pass over their
    pairwise distances (the costly part, shared by every k). Equal to sklearn's
    silhouette_score; a point alone in its cluster scores 0."""
    onehots = [np.eye(labels.max() + 1)[labels] for labels in labelings]
    sizes = [onehot.sum(axis=0) for onehot in onehots]
    bounds = np.cumsum([0] + [onehot.shape[1] for onehot in onehots])
    every = np.hstack(onehots)  # one product for all labelings

    def reduce(chunk: np.ndarray, start: int) -> tuple[np.ndarray, ...]:
        rows = np.arange(len(chunk))
        summed = chunk @ every  # each point's summed distance to each cluster of each labeling
        out = []
        for i, (labels, size) in enumerate(zip(labelings, sizes, strict=True)):
            sums = summed[:, bounds[i] : bounds[i + 1]]
            own = labels[start : start + len(chunk)]
            inner = sums[rows, own] / np.maximum(size[own] - 1, 1)  # itself excluded
            sums[rows, own] = np.inf
            nearest = (sums / size).min(axis=1)
            score = (nearest - inner) / np.maximum(np.maximum(inner, nearest), 1e-12)
            out.append(np.where(size[own] > 1, score, 0.0))
        return tuple(out)

    chunks = list(pairwise_distances_chunked(points, reduce_func=reduce))
    return [float(np.concatenate([chunk[i] for chunk in chunks]).mean())
            for i in range(len(labelings))]  # fmt: skip


def choose_k(
    points: np.ndarray, seed: int, k_range: range = K_RANGE
) -> tuple[int, dict[int, float], KMeans]:
    """The k of k_range with the best silhouette, each k's silhouette, and the k-means fitted
    for it. k-means is fitted on up to FIT_SAMPLE points and the silhouettes measured on up to
    SILHOUETTE_SAMPLE of those (the silhouette compares all pairs)."""
    rng = np.random.default_rng(seed)
    fit_on = points[rng.permutation(len(points))[:FIT_SAMPLE]]
    measured = fit_on[:SILHOUETTE_SAMPLE]
    models = {
        k: KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit(fit_on)
        for k in k_range
        if k < len(fit_on)
    }
    models = {k: model for k, model in models.items() if len(set(model.labels_)) > 1}
    if not models:
        raise ModelSkipped("customers are too alike to cluster: every k gives a single cluster")
    scores = silhouettes(measured, [model.labels_[: len(measured)] for model in models.values()])
    by_k = dict(zip(models, scores, strict=True))
    best = max(by_k, key=lambda k: (by_k[k], -k))
    return best, by_k, models[best]


#: Traits that may follow the name: (feature, words when above the mean, words when below).
_TRAITS = [
    ("average_order_value", "with big baskets", "with small baskets"),
    ("return_rate", "who return a lot", "who rarely return"),
    ("app_share", "mostly on the mobile app", "rarely on the mobile app"),
    ("tenure_days", "with a long history", "with a short history"),
]
#: Standard deviations from the mean of all customers for a word (recency, frequency, spend)
#: and for a trait to be said unasked.
_NOTABLE = 0.5
_STRIKING = 1.0


def name_clusters(centroids_z: np.ndarray, centroids: list[dict[str, float]]) -> list[str]:
    """A plain-words name per cluster, unique within the run, from its standardised centroid
    (rows of z against all customers, columns in FEATURES order) and its centroid in original
    units. Recency, frequency and spend first ("Lapsed one-time low spenders", "Frequent high
    spenders"); then the cluster's most striking trait (basket size, returns, the mobile app,
    tenure) when it is a standard deviation or more from the mean; then, while two names are
    the same, the next trait that sets each apart; a number as a last resort."""
    index = {name: i for i, name in enumerate(FEATURES)}
    names, traits = [], []
    for z, centroid in zip(centroids_z, centroids, strict=True):
        words = []
        if z[index["recency_days"]] >= _NOTABLE:
            words.append("lapsed")
        elif z[index["recency_days"]] <= -_NOTABLE:
            words.append("recent")
        one_time = centroid["orders"] < 1.5
        if one_time:
            words.append("one-time")
        elif z[index["orders"]] >= _NOTABLE:
            words.append("frequent")
        spend = z[index["net_revenue"]]
        words.append("high spenders" if spend >= _NOTABLE else "low spenders"
                     if spend <= -_NOTABLE else "buyers")  # fmt: skip
        # One-time buyers' short history goes without saying.
        own = [t for t in _TRAITS if not (one_time and t[0] == "tenure_days")]
        own.sort(key=lambda t: -abs(z[index[t[0]]]))
        phrase = [(high if z[index[feature]] >= 0 else low) for feature, high, low in own]
        if abs(z[index[own[0][0]]]) >= _STRIKING:
            words.append(phrase.pop(0))
        names.append(" ".join(words))
        traits.append(phrase)
    while True:
        counts = pd.Series(names).value_counts()
        clashing = [i for i, name in enumerate(names) if counts[name] > 1 and traits[i]]
        if not clashing:
            break
        for i in clashing:
            names[i] += " " + traits[i].pop(0)
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return [name[0].upper() + name[1:] for name in unique]


def segment_customers(raw: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Cluster the customers of `customer_features`: their rows for ml.customer_segments and
    the run's metrics (silhouette per k, each cluster's size, centroid and name)."""
    if len(raw) < MIN_CUSTOMERS:
        raise ModelSkipped(
            f"too few customers with an order to segment: {len(raw)} (need {MIN_CUSTOMERS}); "
            "load or generate more orders, then run salesdw train again"
        )
    transformed = _transform(raw)
    mean, std = transformed.mean(axis=0), transformed.std(axis=0)
    std[std == 0] = 1.0  # a feature without spread (e.g. no returns at all) adds nothing
    points = (transformed - mean) / std
    # One thread: on a busy machine OpenMP threads that wait on each other make k-means ten
    # times slower, and on an idle one a second thread saves little at this size.
    with threadpool_limits(1):
        k, by_k, model = choose_k(points, seed)
        # Refine the sample's centroids on every customer (a few Lloyd passes), then label.
        final = KMeans(n_clusters=k, init=model.cluster_centers_, n_init=1, max_iter=20,
                       random_state=seed).fit(points)  # fmt: skip
    labels = final.labels_
    # Centroids in original units: the standardised centroid mapped back through the transform.
    centres = final.cluster_centers_
    centroids = [_untransform(centre * std + mean) for centre in centres]
    names = name_clusters(centres, centroids)
    sizes = np.bincount(labels, minlength=k)
    # Number clusters by size, largest first, so cluster numbers are stable across runs.
    order = np.argsort(-sizes, kind="stable")
    renumber = np.empty(k, dtype=int)
    renumber[order] = np.arange(k)
    rows = pd.DataFrame({
        "customer_id": raw["customer_id"].to_numpy(dtype=np.int64),
        "cluster": renumber[labels],
        "segment_name": np.array(names, dtype=object)[labels],
    })  # fmt: skip
    means = raw[list(FEATURES)].groupby(labels).mean()
    metrics = {
        "silhouette": by_k[k],
        "clusters": k,
        "customers_scored": len(raw),
        "silhouette_by_k": {str(key): round(value, 4) for key, value in by_k.items()},
        "segments": [
            {
                "cluster": int(renumber[i]),
                "name": names[i],
                "size": int(sizes[i]),
                "share": round(float(sizes[i] / len(raw)), 4),
                "centroid": centroids[i],
                "mean": {name: round(float(value), 4) for name, value in means.loc[i].items()},
            }
            for i in order
        ],
    }
    return rows, metrics


def product_segment(revenue: pd.Series, orders: pd.Series) -> tuple[pd.Series, dict[str, float]]:
    """Each product's segment, and the medians that split them. Over the products sold (one
    order or more), high revenue means net revenue at or above their median, high frequency
    means orders at or above their median:

    - star: high revenue and high frequency (sells often and earns much);
    - premium: high revenue from low frequency: few orders at a high price each;
    - volume: high frequency but low revenue: bought often, cheap;
    - low performer: neither, and every product never sold.
    """
    revenue, orders = revenue.fillna(0.0), orders.fillna(0.0)
    sold = orders > 0
    revenue_median = float(revenue[sold].median())
    orders_median = float(orders[sold].median())
    high_revenue = sold & (revenue >= revenue_median)
    high_orders = sold & (orders >= orders_median)
    segment = np.select(
        [high_revenue & high_orders, high_revenue, high_orders],
        ["star", "premium", "volume"],
        default="low performer",
    )
    return pd.Series(segment, index=revenue.index), {
        "median_net_revenue": revenue_median,
        "median_orders": orders_median,
    }


def segment_products(conn: psycopg.Connection) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Rows for ml.product_segments and the run's metrics (medians, counts, revenue shares)."""
    products = _copy_frame(conn, """
        select product_id, net_revenue::float8 as net_revenue, orders::float8 as orders,
               units::float8 as units
        from analytics.product_performance
    """)  # fmt: skip
    sold = int((products["orders"].fillna(0) > 0).sum())
    if sold < MIN_PRODUCTS:
        raise ModelSkipped(
            f"too few products sold to segment: {sold} (need {MIN_PRODUCTS}); load or "
            "generate more orders, then run salesdw train again"
        )
    segment, medians = product_segment(products["net_revenue"], products["orders"])
    revenue = products["net_revenue"].fillna(0.0)
    total = float(revenue.sum()) or 1.0
    metrics: dict[str, Any] = {**medians, "products_scored": len(products)}
    price = revenue / products["units"].where(products["units"] > 0)
    for name in ("star", "premium", "volume", "low performer"):
        key, members = name.replace(" ", "_"), segment == name
        metrics[f"{key}_products"] = int(members.sum())
        metrics[f"{key}_revenue_share"] = round(float(revenue[members].sum()) / total, 4)
        # Net revenue per unit: premium products should stand out by it.
        median_price = price[members].median()
        metrics[f"{key}_median_unit_revenue"] = (
            round(float(median_price), 2) if pd.notna(median_price) else None
        )
    rows = pd.DataFrame({"product_id": products["product_id"].astype(np.int64),
                         "segment_name": segment})  # fmt: skip
    return rows, metrics


def _run(conninfo: str, kind: str, parameters: dict[str, Any], build) -> RunResult:
    """One run of `kind`: `build(conn)` gives (rows, metrics); a skip is reported, not raised,
    so that the other segmentation still runs."""
    started = time.perf_counter()
    try:
        with model_run(conninfo, kind, parameters) as run:
            rows, metrics = build(run.conn)
            run.write(kind, rows)
            run.metrics.update(metrics)
            run_id, written = run.run_id, run.rows
    except ModelSkipped as exc:
        return RunResult(kind, "skipped", seconds=time.perf_counter() - started, message=str(exc))
    except Exception as exc:  # the other segmentation still runs; train() reports this one
        log.debug("%s failed", kind, exc_info=True)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return RunResult(kind, "failed", seconds=time.perf_counter() - started,
                         message=f"{type(exc).__name__}: {first}")  # fmt: skip
    return RunResult(kind, "succeeded", run_id, time.perf_counter() - started, metrics,
                     rows=written)  # fmt: skip


def train(conninfo: str, options: TrainOptions) -> list[RunResult]:
    """Segment customers and products: two runs, customer_segments and product_segments."""
    customer_parameters = {"features": FEATURES, "k_range": [K_RANGE.start, K_RANGE.stop - 1],
                           "fit_sample": FIT_SAMPLE, "silhouette_sample": SILHOUETTE_SAMPLE,
                           "seed": options.seed}  # fmt: skip
    return [
        _run(conninfo, "customer_segments", customer_parameters,
             lambda conn: segment_customers(customer_features(conn), options.seed)),
        _run(conninfo, "product_segments", {"split": "medians of net revenue and orders"},
             segment_products),
    ]  # fmt: skip
