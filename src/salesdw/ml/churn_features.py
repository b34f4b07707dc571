"""What the churn model knows about a customer at a cutoff day, from data up to that day only.

Everything here is computed "as of" a cutoff T (a local day, inclusive): orders with
order_date <= T, reviews written by T, and returns only of orders old enough for their returns
to be settled by T (order_facts holds today's return state, not the state at T). Reading later
data would leak the outcome into the features and flatter the out-of-time evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import psycopg
from pandas.api.typing import DataFrameGroupBy

from salesdw.ml.runs import read_frame
from salesdw.settings import get_settings

__all__ = [
    "CATEGORICAL",
    "RETURN_SETTLE_DAYS",
    "History",
    "churn_labels",
    "customer_features",
    "load_history",
    "top_countries",
]

#: Returns of an order are counted once it is this old at the cutoff (a 30-day return window).
RETURN_SETTLE_DAYS = 30
#: Countries kept by name; the rest are "other".
TOP_COUNTRIES = 8
#: Recent windows, in days before the cutoff.
RECENT_DAYS = 90
TREND_DAYS = 180
OTHER = "other"
CATEGORICAL = ("country", "acquisition_channel")

ORDERS_SQL = """
select
    customer_id,
    order_date,
    (gross_revenue_cents - discount_cents) * 0.01 as order_value,
    units,
    units_returned,
    category_mask
from mart.order_facts
where status <> 'cancelled' and order_date <= %(through)s
"""

REVIEWS_SQL = """
select customer_id, (reviewed_at at time zone %(tz)s)::date as review_date, rating
from core.reviews
where (reviewed_at at time zone %(tz)s)::date <= %(through)s
"""

CUSTOMERS_SQL = """
select customer_id, country_code, acquisition_channel
from analytics.customer_summary
"""

CATEGORIES_SQL = "select category_bit, category_name from analytics.category_bits order by 1"


@dataclass(frozen=True)
class History:
    """The raw material of the features: orders, reviews and the customers' fixed attributes.

    order_value is what the customer paid at ordering (gross - discounts), not net revenue:
    refunds arrive later, and would tell the model about returns it could not know of yet.
    """

    orders: pd.DataFrame  # customer_id, order_date, order_value, units, units_returned, mask
    reviews: pd.DataFrame  # customer_id, review_date, rating
    customers: pd.DataFrame  # indexed by customer_id: country_code, acquisition_channel
    categories: dict[int, str]  # bit -> top-level category name

    @property
    def last_day(self) -> date:
        return self.orders["order_date"].max().date()

    @property
    def first_day(self) -> date:
        return self.orders["order_date"].min().date()


def load_history(conn: psycopg.Connection, through: date | None = None) -> History:
    """Orders (not cancelled) and reviews up to `through` (default: everything)."""
    through = through or date.max
    orders = read_frame(conn, ORDERS_SQL, {"through": through})
    orders["order_date"] = pd.to_datetime(orders["order_date"])
    reviews = read_frame(conn, REVIEWS_SQL, {"through": through, "tz": get_settings().timezone})
    reviews["review_date"] = pd.to_datetime(reviews["review_date"])
    customers = read_frame(conn, CUSTOMERS_SQL).set_index("customer_id")
    categories = dict(conn.execute(CATEGORIES_SQL).fetchall())
    return History(orders, reviews, customers, categories)


def top_countries(history: History, cutoff: date, n: int = TOP_COUNTRIES) -> list[str]:
    """The n countries with most customers who ordered by the cutoff."""
    active = history.orders.loc[history.orders["order_date"] <= _ts(cutoff), "customer_id"]
    countries = history.customers["country_code"].reindex(active.unique())
    return countries.value_counts().head(n).index.tolist()


def customer_features(history: History, cutoff: date, countries: list[str]) -> pd.DataFrame:
    """One row per customer with an order up to `cutoff`, indexed by customer_id.

    Recency, frequency, money, tenure, gaps between purchase days, recent activity and spend
    trend, return rate, reviews, category mix and the fixed attributes (country among
    `countries` or "other", acquisition channel). NaN where a figure does not exist yet (a gap
    needs two purchase days); the gradient boosting model takes NaN as its own value.
    """
    end = _ts(cutoff)
    orders = history.orders[history.orders["order_date"] <= end]
    age_days = (end - orders["order_date"]).dt.days
    by_customer = orders.groupby("customer_id")
    first, last = by_customer["order_date"].min(), by_customer["order_date"].max()
    count = by_customer.size()
    value = by_customer["order_value"]
    features = pd.DataFrame({
        "recency_days": (end - last).dt.days,
        "tenure_days": (end - first).dt.days,
        "orders": count,
        "orders_per_year": count / np.maximum((end - first).dt.days, 30) * 365.25,
        "monetary_mean": value.mean(),
        "monetary_total": value.sum(),
        "units_per_order": by_customer["units"].sum() / count,
    })  # fmt: skip
    features = features.join(_gaps(orders))
    features["overdue_ratio"] = features["recency_days"] / features["gap_mean_days"]

    def window(lo: int, hi: int) -> DataFrameGroupBy:
        return orders[(age_days >= lo) & (age_days < hi)].groupby("customer_id")

    features["orders_last_90d"] = window(0, RECENT_DAYS).size()
    features["orders_prev_90d"] = window(RECENT_DAYS, 2 * RECENT_DAYS).size()
    features["orders_last_365d"] = window(0, 365).size()
    recent = window(0, TREND_DAYS)["order_value"].sum()
    before = window(TREND_DAYS, 2 * TREND_DAYS)["order_value"].sum()
    recent, before = recent.reindex(features.index), before.reindex(features.index)
    both = recent.fillna(0) + before.fillna(0)
    # -1 (spending stopped) .. +1 (all spend recent); 0 without spend in either half-year.
    features["spend_trend"] = ((recent.fillna(0) - before.fillna(0)) / both).where(both > 0, 0.0)
    last_value = orders.sort_values("order_date").groupby("customer_id")["order_value"].last()
    features["last_order_value_ratio"] = last_value / features["monetary_mean"].where(
        features["monetary_mean"] > 0
    )
    features = features.fillna({c: 0 for c in features if c.startswith("orders_")})

    settled = orders[age_days >= RETURN_SETTLE_DAYS].groupby("customer_id")
    units = settled["units"].sum()
    features["return_rate"] = (settled["units_returned"].sum() / units.where(units > 0)).reindex(
        features.index
    )
    reviews = history.reviews[history.reviews["review_date"] <= end].groupby("customer_id")
    features["reviews"] = reviews.size().reindex(features.index, fill_value=0)
    features["average_rating"] = reviews["rating"].mean().reindex(features.index)

    for bit, name in sorted(history.categories.items()):
        has = (orders["category_mask"].astype(np.int64) & (1 << bit)) != 0
        share = has.groupby(orders["customer_id"]).mean()
        features[f"category_share_{_slug(name)}"] = share.reindex(features.index)

    attributes = history.customers.reindex(features.index)
    country = attributes["country_code"].where(attributes["country_code"].isin(countries))
    features["country"] = country.fillna(OTHER)
    features["acquisition_channel"] = attributes["acquisition_channel"].fillna(OTHER)
    features.index.name = "customer_id"
    return features


def churn_labels(history: History, cutoff: date, horizon_days: int) -> pd.Series:
    """1 for a customer with an order up to `cutoff` and none in (cutoff, cutoff + horizon]:
    churned; 0 for one who ordered again within the horizon."""
    end, until = _ts(cutoff), _ts(cutoff + timedelta(days=horizon_days))
    dates = history.orders["order_date"]
    active = history.orders.loc[dates <= end, "customer_id"].unique()
    returning = history.orders.loc[(dates > end) & (dates <= until), "customer_id"].unique()
    labels = pd.Series(1, index=pd.Index(np.sort(active), name="customer_id"), name="churned")
    labels[labels.index.isin(returning)] = 0
    return labels


def _gaps(orders: pd.DataFrame) -> pd.DataFrame:
    """Mean, standard deviation and longest gap in days between a customer's purchase days."""
    days = orders[["customer_id", "order_date"]].drop_duplicates()
    days = days.sort_values(["customer_id", "order_date"])
    gap = days.groupby("customer_id")["order_date"].diff().dt.days
    stats = gap.groupby(days["customer_id"]).agg(["mean", "std", "max"])
    return stats.rename(columns={"mean": "gap_mean_days", "std": "gap_std_days",
                                 "max": "gap_max_days"})  # fmt: skip


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")


def _ts(day: date) -> pd.Timestamp:
    return pd.Timestamp(day)
