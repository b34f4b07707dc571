"""salesdw.services.products against pandas over the core tables of the seeded warehouse.

Product rankings honour the date range and the category filter, over orders not cancelled;
they read running totals at the range's last day and the day before it, so they are checked
over ranges of every shape: a single day, weeks, months, more than a year, and past both ends of
the data.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from salesdw.services import FilterError, Filters
from salesdw.services.products import (
    basket_pairs,
    category_performance,
    product_pareto,
    top_products,
)
from tests.analytics.test_oracle import Base, assert_matches, load_base, read_view

RANGES = {
    "one-day": (date(2024, 7, 4), date(2024, 7, 4)),
    "days-and-weeks": (date(2024, 5, 19), date(2024, 6, 5)),
    "months-and-edges": (date(2024, 2, 17), date(2024, 9, 3)),
    "a-year-and-edges": (date(2023, 12, 20), date(2025, 1, 9)),
    "all": (date(2020, 1, 1), date(2030, 12, 31)),
}


@pytest.fixture(scope="module")
def base(seeded: Engine) -> Base:
    return load_base(seeded)


@pytest.fixture(scope="module")
def top_ids(base: Base) -> dict[str, int]:
    roots = base.categories[base.categories["parent_category_id"].isna()]
    return dict(zip(roots["name"], roots["category_id"], strict=True))


def product_sales(base: Base, start: date, end: date, categories: tuple[int, ...] = ()):
    """Per product with lines in orders not cancelled in the range: units, orders, money."""
    lines = base.lines[
        (base.lines["status"] != "cancelled")
        & base.lines["order_date"].between(pd.Timestamp(start), pd.Timestamp(end))
    ]
    if categories:
        lines = lines[lines["top_category_id"].isin(categories)]
    per_product = lines.groupby("product_id").agg(
        units=("units", "sum"),
        units_returned=("units_returned", "sum"),
        orders=("order_id", "nunique"),
        net_revenue=("net_revenue", "sum"),
        gross_profit=("gross_profit", "sum"),
    )
    per_product[["net_revenue", "gross_profit"]] /= 100
    return per_product.reset_index()


@pytest.mark.parametrize("name", RANGES)
def test_top_products_match_pandas_over_ranges_of_every_grain(
    seeded: Engine, base: Base, name: str
) -> None:
    start, end = RANGES[name]
    expected = product_sales(base, start, end)
    expected = expected.sort_values(["net_revenue", "product_id"], ascending=[False, True])
    expected["revenue_share"] = expected["net_revenue"] / expected["net_revenue"].sum()
    got = top_products(seeded, Filters(start, end), n=25)
    assert list(got["product_id"]) == list(expected["product_id"].head(25))
    assert_matches(
        expected.head(25),
        got,
        ["product_id"],
        money=["net_revenue", "gross_profit"],
        exact=["units", "units_returned", "orders"],
        ratios=["revenue_share"],
    )


def test_top_products_keep_to_the_selected_categories(
    seeded: Engine, base: Base, top_ids: dict[str, int]
) -> None:
    start, end = RANGES["months-and-edges"]
    categories = (top_ids["Electronics"], top_ids["Fashion"])
    got = top_products(seeded, Filters(start, end, categories=categories), n=10)
    expected = product_sales(base, start, end, categories).nlargest(10, "net_revenue")
    assert set(got["top_category_id"]) <= set(categories)
    assert list(got["product_id"]) == list(expected["product_id"])


def test_pareto_classes_follow_the_cumulative_share_of_the_range(seeded: Engine) -> None:
    start, end = RANGES["a-year-and-edges"]
    got = product_pareto(seeded, Filters(start, end))
    assert list(got["product_rank"]) == list(range(1, len(got) + 1))
    assert got["net_revenue"].is_monotonic_decreasing
    assert got["cumulative_share"].iloc[-1] == pytest.approx(1)
    a_class = got["cumulative_share"] <= 0.80
    b_class = ~a_class & (got["cumulative_share"] <= 0.95)
    assert (got.loc[a_class, "abc_class"] == "A").all()
    assert (got.loc[b_class, "abc_class"] == "B").all()
    assert (got.loc[~a_class & ~b_class, "abc_class"] == "C").all()
    assert set(got["abc_class"]) == {"A", "B", "C"}


def test_pareto_totals_match_pandas(seeded: Engine, base: Base) -> None:
    start, end = RANGES["months-and-edges"]
    expected = product_sales(base, start, end)
    got = product_pareto(seeded, Filters(start, end))
    assert_matches(expected, got, ["product_id"], money=["net_revenue"], exact=["units"])


def test_pareto_points_sample_the_curve_keeping_each_class_boundary(seeded: Engine) -> None:
    filters = Filters(*RANGES["a-year-and-edges"])
    full = product_pareto(seeded, filters)
    curve = product_pareto(seeded, filters, points=20)
    assert len(full) > 100  # enough products for the sample to leave most out
    assert len(curve) <= 20 + 6  # the sample, plus the first and last product of each class
    assert curve["product_rank"].is_monotonic_increasing
    # the points are the full curve's rows at those ranks, unchanged
    pd.testing.assert_frame_equal(
        curve.reset_index(drop=True),
        full[full["product_rank"].isin(curve["product_rank"])].reset_index(drop=True),
    )
    ends = ["min", "max"]
    pd.testing.assert_frame_equal(
        curve.groupby("abc_class")["product_rank"].agg(ends),
        full.groupby("abc_class")["product_rank"].agg(ends),
    )
    assert full["product_rank"].iloc[-1] in set(curve["product_rank"])


@pytest.mark.parametrize("points", [0, 1, -5, 2.5, "100"])
def test_pareto_points_must_be_a_whole_number_of_two_or_more(
    seeded: Engine, points: object
) -> None:
    with pytest.raises(FilterError, match="points must be a whole number"):
        product_pareto(seeded, Filters(*RANGES["all"]), points=points)


def test_rankings_past_the_latest_day_stop_at_it(seeded: Engine, base: Base) -> None:
    latest = base.lines.loc[base.lines["status"] != "cancelled", "order_date"].max().date()
    start = date(latest.year, latest.month, 1)
    clipped = top_products(seeded, Filters(start, latest), n=10)
    beyond = top_products(seeded, Filters(start, date(latest.year + 1, 12, 31)), n=10)
    pd.testing.assert_frame_equal(clipped, beyond)
    after = Filters(date(latest.year + 1, 1, 1), date(latest.year + 1, 12, 31))
    assert top_products(seeded, after).empty
    assert product_pareto(seeded, after).empty


def test_category_performance_returns_one_level_biggest_first(seeded: Engine) -> None:
    view = read_view(seeded, "category_performance")
    top = category_performance(seeded, "top")
    sub = category_performance(seeded, "sub")
    assert set(top["category_id"]) == set(view.loc[view["level"] == "top", "category_id"])
    assert set(sub["category_id"]) == set(view.loc[view["level"] == "sub", "category_id"])
    assert top["net_revenue"].is_monotonic_decreasing


@pytest.mark.parametrize("kind", ["product", "category"])
def test_basket_pairs_are_the_highest_lifts_of_their_kind(seeded: Engine, kind: str) -> None:
    view = read_view(seeded, "basket_pairs")
    view = view[(view["pair_kind"] == kind) & (view["orders_together"] >= 10)]
    got = basket_pairs(seeded, kind, n=15, min_orders=10)
    expected = view.sort_values(
        ["lift", "orders_together", "item_a", "item_b"], ascending=[False, False, True, True]
    ).head(15)
    assert list(zip(got["item_a"], got["item_b"], strict=True)) == list(
        zip(expected["item_a"], expected["item_b"], strict=True)
    )
    assert (got["orders_together"] >= 10).all()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda engine: top_products(engine, Filters(date(2024, 1, 1), date(2024, 2, 1)), 0), "n"),
        (lambda engine: basket_pairs(engine, "brand"), "pair kind"),
        (lambda engine: basket_pairs(engine, min_orders=0), "min_orders"),
        (lambda engine: category_performance(engine, "leaf"), "level"),
        (
            lambda engine: top_products(
                engine, Filters(date(2024, 1, 1), date(2024, 2, 1), categories=(99_999,))
            ),
            "category",
        ),
    ],
)
def test_bad_arguments_raise_a_clear_error(seeded: Engine, call, message: str) -> None:
    with pytest.raises(FilterError, match=message):
        call(seeded)


def test_a_range_without_orders_gives_no_products(seeded: Engine) -> None:
    assert top_products(seeded, Filters(date(2010, 1, 1), date(2010, 12, 31))).empty
