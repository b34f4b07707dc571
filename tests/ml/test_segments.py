"""salesdw.ml.segments: k chosen by silhouette within 3..8, every cluster named in plain words,
products split into star, premium, volume and low performer by the medians."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import silhouette_score
from sqlalchemy import text

from salesdw.ml.runs import ModelSkipped
from salesdw.ml.segments import (
    FEATURES,
    K_RANGE,
    MIN_CUSTOMERS,
    choose_k,
    name_clusters,
    product_segment,
    segment_customers,
    silhouettes,
)
from tests.conftest import Trained

PRODUCT_SEGMENTS = {"star", "premium", "volume", "low performer"}


def blobs(centres: int, per_centre: int = 200, seed: int = 0) -> np.ndarray:
    """Tight groups around centres 10 apart from each other (corners of a simplex)."""
    rng = np.random.default_rng(seed)
    middles = np.eye(centres) * 10 / np.sqrt(2)
    return np.vstack([m + rng.normal(0, 0.5, (per_centre, centres)) for m in middles])


def test_silhouettes_equal_sklearns_for_every_labeling() -> None:
    rng = np.random.default_rng(1)
    points = rng.normal(size=(300, 4))
    labelings = [rng.integers(0, k, 300) for k in (2, 3, 5)]
    labelings.append(np.r_[np.zeros(299, dtype=int), 1])  # a cluster of one scores 0
    expected = [silhouette_score(points, labels) for labels in labelings]
    assert silhouettes(points, labelings) == pytest.approx(expected, abs=1e-10)


@pytest.mark.parametrize("centres", [3, 5, 7])
def test_k_is_the_number_of_well_separated_groups(centres: int) -> None:
    k, by_k, model = choose_k(blobs(centres), seed=42)
    assert k == centres
    assert sorted(by_k) == list(K_RANGE) == [3, 4, 5, 6, 7, 8]
    assert by_k[k] == max(by_k.values())
    assert model.n_clusters == k


def centroid(orders: float) -> dict[str, float]:
    return {name: 1.0 for name in FEATURES} | {"orders": orders}


def test_a_cluster_is_named_by_recency_frequency_and_spend() -> None:
    #        recency orders revenue aov  tenure returns app
    lapsed = [1.0, -1.0, -1.0, 0.2, -0.3, 0.1, 0.0]
    loyal = [-1.0, 1.2, 1.5, 0.3, 0.8, -0.2, 1.4]
    names = name_clusters(np.array([lapsed, loyal]), [centroid(1.0), centroid(6.0)])
    # The loyal cluster's most striking trait (the app, 1.4 sd) is said; no trait of the
    # lapsed one reaches a standard deviation.
    assert names == ["Lapsed one-time low spenders",
                     "Recent frequent high spenders mostly on the mobile app"]  # fmt: skip


def test_clusters_with_the_same_words_are_told_apart_by_their_next_trait() -> None:
    big, small = [0, 0, 0, 0.6, 0, 0, 0], [0, 0, 0, -0.6, 0, 0, 0]
    names = name_clusters(np.array([big, small]), [centroid(2.5), centroid(2.5)])
    assert names == ["Buyers with big baskets", "Buyers with small baskets"]


def test_identical_clusters_still_get_unique_names() -> None:
    same = [0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
    names = name_clusters(np.array([same, same]), [centroid(3.0), centroid(3.0)])
    assert len(set(names)) == 2 and names[1] == names[0] + " (2)"


def test_products_split_by_the_medians_of_revenue_and_orders_of_products_sold() -> None:
    revenue = pd.Series([100.0, 100.0, 10.0, 10.0, 0.0, np.nan])
    orders = pd.Series([10.0, 1.0, 10.0, 1.0, 0.0, np.nan])
    segment, medians = product_segment(revenue, orders)
    # Over the four products sold: median revenue 55, median orders 5.5.
    assert medians == {"median_net_revenue": 55.0, "median_orders": 5.5}
    assert segment.tolist() == ["star", "premium", "volume", "low performer",
                                "low performer", "low performer"]  # fmt: skip


def test_too_few_customers_are_not_segmented() -> None:
    raw = pd.DataFrame({"customer_id": range(MIN_CUSTOMERS - 1)} | {name: 1.0 for name in FEATURES})
    with pytest.raises(ModelSkipped, match=f"need {MIN_CUSTOMERS}"):
        segment_customers(raw, seed=42)


def segment_run(trained: Trained, kind: str) -> dict:
    with trained.engine.connect() as conn:
        return conn.execute(
            text("select metrics from ml.model_runs where model_kind = :kind"), {"kind": kind}
        ).scalar_one()


def test_seeded_customers_get_the_k_with_the_best_silhouette_within_3_to_8(
    trained: Trained,
) -> None:
    metrics = segment_run(trained, "customer_segments")
    by_k = {int(k): v for k, v in metrics["silhouette_by_k"].items()}
    assert sorted(by_k) == list(K_RANGE)
    assert metrics["clusters"] in K_RANGE
    assert by_k[metrics["clusters"]] == max(by_k.values())


def test_every_seeded_customer_with_an_order_is_in_a_named_cluster(trained: Trained) -> None:
    metrics = segment_run(trained, "customer_segments")
    with trained.engine.connect() as conn:
        named = conn.execute(text(
            "select cluster, min(segment_name), max(segment_name), count(*) "
            "from analytics.customer_segments group by 1 order by 1"
        )).all()  # fmt: skip
        buyers = conn.scalar(
            text("select count(*) from analytics.customer_summary where orders > 0")
        )
    assert [row[0] for row in named] == list(range(metrics["clusters"]))
    assert all(low == high and low.strip() for _, low, high, _ in named)  # one name per cluster
    assert len({low for _, low, _, _ in named}) == metrics["clusters"]
    assert sum(row[3] for row in named) == buyers == metrics["customers_scored"]
    sizes = [row[3] for row in named]
    assert sizes == sorted(sizes, reverse=True)  # numbered by size


def test_every_seeded_product_is_a_star_premium_volume_or_low_performer(trained: Trained) -> None:
    with trained.engine.connect() as conn:
        segments = dict(conn.execute(text(
            "select product_id, segment_name from analytics.product_segments"
        )).all())  # fmt: skip
        products = conn.scalar(text("select count(*) from analytics.product_performance"))
    assert len(segments) == products
    assert set(segments.values()) == PRODUCT_SEGMENTS
