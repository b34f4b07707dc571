"""salesdw.ml.churn_features: features at a cutoff read nothing after it (a planted future
order, review or late return changes nothing), and each feature by hand on a tiny history."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
import psycopg
import pytest
from sqlalchemy.engine import Engine

from salesdw.ml.churn import features_at
from salesdw.ml.churn_features import (
    RETURN_SETTLE_DAYS,
    History,
    churn_labels,
    customer_features,
    load_history,
    top_countries,
)

CUTOFF = date(2025, 6, 30)
HORIZON = 90


def conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def history(seeded: Engine) -> History:
    with psycopg.connect(conninfo(seeded)) as conn:
        return load_history(conn)


def with_the_future_planted(history: History, cutoff: date) -> tuple[History, int]:
    """The history plus what happens after the cutoff, for a customer who bought by then: two
    big orders after it, a review after it, every unit of their unsettled orders returned, and
    a customer from a new country whose first order comes after it."""
    orders, reviews = history.orders, history.reviews
    end = pd.Timestamp(cutoff)
    before = orders[orders["order_date"] <= end]
    customer = int(before["customer_id"].iloc[-1])
    later = pd.DataFrame({
        "customer_id": [customer, customer, customer, 10**9],
        "order_date": [end + pd.Timedelta(days=1), end + pd.Timedelta(days=1),
                       end + pd.Timedelta(days=40), end + pd.Timedelta(days=2)],
        "order_value": [5_000.0, 1.0, 9_999.0, 50.0],
        "units": [40, 1, 99, 1],
        "units_returned": [40, 0, 0, 0],
        "category_mask": [2047, 1, 2047, 1],
    }).astype(orders.dtypes)  # fmt: skip
    young = orders["order_date"] > end - pd.Timedelta(days=RETURN_SETTLE_DAYS)
    unsettled = (orders["customer_id"] == customer) & (orders["order_date"] <= end) & young
    returned = orders.assign(
        units_returned=orders["units_returned"].mask(unsettled, orders["units"])
    )
    review = pd.DataFrame({"customer_id": [customer], "review_date": [end + pd.Timedelta(days=3)],
                           "rating": [1]}).astype(reviews.dtypes)  # fmt: skip
    newcomer = pd.DataFrame({"country_code": ["ZZ"], "acquisition_channel": ["affiliate"]},
                            index=pd.Index([10**9], name="customer_id"))  # fmt: skip
    planted = replace(
        history,
        orders=pd.concat([returned, later], ignore_index=True),
        reviews=pd.concat([reviews, review], ignore_index=True),
        customers=pd.concat([history.customers, newcomer]),
    )
    return planted, customer


def test_orders_reviews_and_returns_after_the_cutoff_leave_the_features_unchanged(
    history: History,
) -> None:
    countries = top_countries(history, CUTOFF)
    planted, customer = with_the_future_planted(history, CUTOFF)
    before = customer_features(history, CUTOFF, countries)
    after = customer_features(planted, CUTOFF, countries)
    assert customer in after.index and 10**9 not in after.index
    pd.testing.assert_frame_equal(after, before)


def test_the_bgnbd_features_at_the_cutoff_ignore_later_orders(history: History) -> None:
    countries = top_countries(history, CUTOFF)
    planted, _ = with_the_future_planted(history, CUTOFF)
    before = features_at(history, CUTOFF, countries, HORIZON, 7)
    after = features_at(planted, CUTOFF, countries, HORIZON, 7)
    pd.testing.assert_frame_equal(after, before)


def test_the_top_countries_at_the_cutoff_ignore_later_customers(history: History) -> None:
    planted, _ = with_the_future_planted(history, CUTOFF)
    many = pd.DataFrame(
        {"country_code": ["ZZ"] * 5000, "acquisition_channel": ["direct"] * 5000},
        index=pd.Index(range(2 * 10**9, 2 * 10**9 + 5000), name="customer_id"),
    )
    crowd = pd.DataFrame(
        {
            "customer_id": many.index,
            "order_date": pd.Timestamp(CUTOFF) + pd.Timedelta(days=5),
            "order_value": 1.0,
            "units": 1,
            "units_returned": 0,
            "category_mask": 1,
        }
    ).astype(history.orders.dtypes)
    planted = replace(planted, orders=pd.concat([planted.orders, crowd]),
                      customers=pd.concat([planted.customers, many]))  # fmt: skip
    assert "ZZ" in top_countries(planted, CUTOFF + timedelta(days=5))
    assert top_countries(planted, CUTOFF) == top_countries(history, CUTOFF)


def test_training_labels_end_where_the_evaluation_features_begin(history: History) -> None:
    """The churn model trains on labels in (T - H, T]: orders after T cannot change them."""
    train_cutoff = CUTOFF - timedelta(days=HORIZON)
    planted, _ = with_the_future_planted(history, CUTOFF)
    pd.testing.assert_series_equal(churn_labels(planted, train_cutoff, HORIZON),
                                   churn_labels(history, train_cutoff, HORIZON))  # fmt: skip


# ----------------------------------------------------------------------------- by hand


def tiny_history() -> History:
    """Customer 1: orders on 1 Jan, 1 Mar and 31 May 2024 (the last two days before the cutoff
    of 1 June), three units each: one returned of each of the first two, all three of the
    last. Customer 2: one order on 1 Feb and a
    review. Customer 3: first order after the cutoff."""
    orders = pd.DataFrame({
        "customer_id": [1, 1, 1, 2, 3],
        "order_date": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-05-31", "2024-02-01",
                                      "2024-06-15"]),
        "order_value": [100.0, 50.0, 30.0, 80.0, 10.0],
        "units": [3, 3, 3, 2, 1],
        "units_returned": [1, 1, 3, 0, 0],
        "category_mask": [0b01, 0b11, 0b10, 0b01, 0b01],
    })  # fmt: skip
    reviews = pd.DataFrame(
        {
            "customer_id": [2, 1],
            "rating": [4, 1],
            "review_date": pd.to_datetime(["2024-02-10", "2024-06-05"]),
        }
    )
    customers = pd.DataFrame({"country_code": ["US", "DE", "FR"],
                              "acquisition_channel": ["direct", "affiliate", "direct"]},
                             index=pd.Index([1, 2, 3], name="customer_id"))  # fmt: skip
    return History(orders, reviews, customers, {0: "Electronics", 1: "Home & Kitchen"})


def test_each_feature_of_a_tiny_history_by_hand() -> None:
    features = customer_features(tiny_history(), date(2024, 6, 1), ["US"])
    assert list(features.index) == [1, 2]
    one, two = features.loc[1], features.loc[2]
    assert (one["recency_days"], one["tenure_days"], one["orders"]) == (1, 152, 3)
    assert one["orders_per_year"] == pytest.approx(3 / 152 * 365.25)
    assert (one["monetary_mean"], one["monetary_total"], one["units_per_order"]) == (60, 180, 3)
    assert (one["gap_mean_days"], one["gap_max_days"]) == (75.5, 91)  # 60 and 91 days
    assert one["overdue_ratio"] == pytest.approx(1 / 75.5)
    # Ages 1, 92 and 152 days: one order in the last 90 days, two in the 90 before, all three
    # in the last half-year (a spend trend of +1: nothing in the half-year before).
    assert (one["orders_last_90d"], one["orders_prev_90d"], one["orders_last_365d"]) == (1, 2, 3)
    assert one["spend_trend"] == 1.0
    assert one["last_order_value_ratio"] == pytest.approx(30 / 60)
    # The 31 May order's return is not settled by the cutoff: two orders, six units, two back.
    assert one["return_rate"] == pytest.approx(2 / 6)
    assert (one["reviews"], np.isnan(one["average_rating"])) == (0, True)  # reviewed after
    assert one["category_share_electronics"] == pytest.approx(2 / 3)
    assert one["category_share_home___kitchen"] == pytest.approx(2 / 3)
    assert (one["country"], one["acquisition_channel"]) == ("US", "direct")
    assert (two["reviews"], two["average_rating"], two["country"]) == (1, 4.0, "other")
    assert np.isnan(two["gap_mean_days"])  # one purchase day: no gap yet


def test_a_customer_churned_when_they_order_nothing_within_the_horizon() -> None:
    history = tiny_history()
    # Customer 1 orders again 15 days after 15 February: within 15 days, not within 14.
    assert churn_labels(history, date(2024, 2, 15), 15).to_dict() == {1: 0, 2: 1}
    assert churn_labels(history, date(2024, 2, 15), 14).to_dict() == {1: 1, 2: 1}
    assert churn_labels(history, date(2024, 6, 1), 30).to_dict() == {1: 1, 2: 1}
