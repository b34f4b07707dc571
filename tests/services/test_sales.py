"""salesdw.services.sales against pandas over the core tables, for several filter combinations.

The pandas oracle (tests/analytics/test_oracle.py) applies each filter to core.orders and
core.order_items directly: orders by local day, status, shipping country and channel; with a
category filter, money from the lines in those top-level categories (order discounts spread
by value) and orders that have at least one such line.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from salesdw.services import FilterError, Filters, Kpis, kpis, sales_trend
from tests.analytics.test_oracle import (
    MONEY_MEASURES,
    MONEY_TOLERANCE,
    RATIO_TOLERANCE,
    Base,
    assert_matches,
    load_base,
)

START, END = date(2024, 3, 1), date(2024, 5, 31)  # previous period: 2023-11-30 .. 2024-02-29
EMPTY_START, EMPTY_END = date(2010, 1, 1), date(2010, 12, 31)  # before any order

#: Filter selections by name; categories are top-level category names, resolved to ids.
CASES = {
    "dates-only": {},
    "countries-de-fr": {"countries": ("DE", "FR")},
    "categories-electronics-fashion": {"categories": ("Electronics", "Fashion")},
    "channel-web": {"channels": ("web",)},
    "cancelled-only": {"statuses": ("cancelled",)},
    "all-combined": {
        "countries": ("DE", "FR"),
        "categories": ("Electronics", "Fashion"),
        "channels": ("web",),
        "statuses": ("completed", "returned"),
    },
}


# --- the pandas oracle -----------------------------------------------------------------------


def select(base: Base, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(orders, lines) the filters select: lines restricted to the categories, orders to those
    with at least one line in them."""
    orders = base.orders
    days = orders["order_date"]
    orders = orders[
        (days >= pd.Timestamp(filters.start))
        & (days <= pd.Timestamp(filters.end))
        & orders["status"].isin(filters.statuses)
    ]
    if filters.countries:
        orders = orders[orders["country_code"].isin(filters.countries)]
    if filters.channels:
        orders = orders[orders["channel"].isin(filters.channels)]
    lines = base.lines[base.lines["order_id"].isin(orders["order_id"])]
    if filters.categories:
        lines = lines[lines["top_category_id"].isin(filters.categories)]
        orders = orders[orders["order_id"].isin(lines["order_id"])]
    return orders, lines


def expected_kpis(base: Base, filters: Filters) -> dict[str, float | int]:
    orders, lines = select(base, filters)
    expected: dict[str, float | int] = {m: lines[m].sum() / 100 for m in MONEY_MEASURES}
    expected["units"] = int(lines["units"].sum())
    expected["orders"] = len(orders)
    expected["new_customers"] = int(orders["is_first_order"].sum())
    return expected


def period_before(filters: Filters) -> Filters:
    """The same selections over the same number of days ending the day before the start
    (computed here, not with Filters.previous_period, so a bug there shows)."""
    days = (filters.end - filters.start).days + 1
    end = filters.start - timedelta(days=1)
    return replace(filters, start=end - timedelta(days=days - 1), end=end)


def period_start(days: pd.Series, grain: str) -> pd.Series:
    """date_trunc(grain, day): ISO weeks start on Monday."""
    if grain == "day":
        return days
    if grain == "week":
        return days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    return days.dt.to_period({"month": "M", "quarter": "Q"}[grain]).dt.start_time


def expected_trend(base: Base, filters: Filters, grain: str) -> pd.DataFrame:
    orders, lines = select(base, filters)
    money = lines.groupby(period_start(lines["order_date"], grain).rename("period")).agg(
        net_revenue=("net_revenue", "sum"),
        gross_profit=("gross_profit", "sum"),
        units=("units", "sum"),
    )
    money[["net_revenue", "gross_profit"]] /= 100
    counts = orders.groupby(period_start(orders["order_date"], grain).rename("period")).size()
    trend = money.join(counts.rename("orders"), how="outer").fillna(0)
    return trend.reset_index()


def assert_kpis_match(got: Kpis, expected: dict[str, float | int]) -> None:
    problems = []
    for name in MONEY_MEASURES:
        if not abs(getattr(got, name) - expected[name]) < MONEY_TOLERANCE:
            problems.append(f"{name}: expected {expected[name]:.4f}, got {getattr(got, name)}")
    for name in ("units", "orders", "new_customers"):
        if getattr(got, name) != expected[name]:
            problems.append(f"{name}: expected {expected[name]}, got {getattr(got, name)}")
    net, orders = expected["net_revenue"], expected["orders"]
    aov = net / orders if orders else None
    margin = expected["gross_profit"] / net if net else None
    for name, want, tolerance in (
        ("average_order_value", aov, MONEY_TOLERANCE),
        ("gross_margin", margin, RATIO_TOLERANCE),
    ):
        have = getattr(got, name)
        if (want is None) != (have is None) or (want is not None and abs(have - want) >= tolerance):
            problems.append(f"{name}: expected {want}, got {have}")
    assert not problems, "\n".join(problems)


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(seeded: Engine) -> Base:
    return load_base(seeded)


@pytest.fixture(scope="module")
def top_ids(base: Base) -> dict[str, int]:
    roots = base.categories[base.categories["parent_category_id"].isna()]
    return dict(zip(roots["name"], roots["category_id"], strict=True))


def make_filters(case: str, top_ids: dict[str, int], start=START, end=END) -> Filters:
    selection = dict(CASES[case])
    if "categories" in selection:
        selection["categories"] = tuple(top_ids[name] for name in selection["categories"])
    return Filters(start, end, **selection)


# --- kpis ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_kpis_of_current_and_previous_period_match_pandas(
    seeded: Engine, base: Base, top_ids: dict[str, int], case: str
) -> None:
    filters = make_filters(case, top_ids)
    comparison = kpis(seeded, filters)

    current = expected_kpis(base, filters)
    previous = expected_kpis(base, period_before(filters))
    assert current["orders"] > 10 and previous["orders"] > 10, "a filter that selects little"
    assert_kpis_match(comparison.current, current)
    assert_kpis_match(comparison.previous, previous)
    growth = comparison.change("net_revenue")
    assert abs(growth - (current["net_revenue"] / previous["net_revenue"] - 1)) < RATIO_TOLERANCE


def test_previous_period_is_the_equal_length_period_just_before() -> None:
    previous = Filters(START, END, countries=("DE",)).previous_period()
    assert (previous.start, previous.end) == (date(2023, 11, 30), date(2024, 2, 29))
    assert previous.days == (END - START).days + 1
    assert previous.countries == ("DE",)


def test_kpis_count_new_customers_only_on_their_first_order_not_cancelled(
    seeded: Engine, base: Base, top_ids: dict[str, int]
) -> None:
    cancelled = kpis(seeded, make_filters("cancelled-only", top_ids)).current
    everything = kpis(seeded, make_filters("dates-only", top_ids)).current
    assert cancelled.orders > 0 and cancelled.new_customers == 0
    assert (
        everything.new_customers
        == expected_kpis(base, make_filters("dates-only", top_ids))["new_customers"]
    )
    assert 0 < everything.new_customers < everything.orders


# --- sales_trend -----------------------------------------------------------------------------


@pytest.mark.parametrize("grain", ["day", "week", "month", "quarter"])
@pytest.mark.parametrize("case", CASES)
def test_sales_trend_rows_per_period_match_pandas(
    seeded: Engine, base: Base, top_ids: dict[str, int], case: str, grain: str
) -> None:
    filters = make_filters(case, top_ids)
    actual = sales_trend(seeded, filters, grain)
    actual["period"] = pd.to_datetime(actual["period"])
    expected = expected_trend(base, filters, grain)
    assert list(actual["period"]) == sorted(actual["period"])
    assert_matches(
        expected,
        actual,
        ["period"],
        money=["net_revenue", "gross_profit"],
        exact=["units", "orders"],
    )


# --- invalid filters and empty selections ----------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"start": date(2024, 2, 1), "end": date(2024, 1, 31)},
            "the start date 2024-02-01 is after the end date 2024-01-31",
        ),
        ({"channels": ("web", "fax")}, "unknown channel 'fax'; choose from web, mobile_app"),
        ({"statuses": ("lost",)}, "unknown status 'lost'; choose from placed, shipped"),
        ({"statuses": ()}, "select at least one order status"),
    ],
    ids=["start-after-end", "unknown-channel", "unknown-status", "no-status"],
)
def test_invalid_filters_raise_a_filter_error_that_says_what_is_wrong(
    arguments: dict, message: str
) -> None:
    with pytest.raises(FilterError) as raised:
        Filters(**{"start": START, "end": END, **arguments})
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        ({"countries": ("DE", "ZZ")}, "unknown country code 'ZZ'; use ISO 3166-1 alpha-2"),
        ({"categories": (999999,)}, "unknown top-level category id 999999"),
    ],
    ids=["unknown-country", "unknown-category"],
)
def test_services_reject_countries_and_categories_the_warehouse_does_not_know(
    seeded: Engine, selection: dict, message: str
) -> None:
    filters = Filters(START, END, **selection)
    with pytest.raises(FilterError, match=message):
        kpis(seeded, filters)
    with pytest.raises(FilterError, match=message):
        sales_trend(seeded, filters, "month")


def test_a_subcategory_is_not_a_top_level_category_filter(seeded: Engine, base: Base) -> None:
    subcategory = int(
        base.categories["category_id"][base.categories["parent_category_id"].notna()].iloc[0]
    )
    with pytest.raises(FilterError, match=f"unknown top-level category id {subcategory}"):
        kpis(seeded, Filters(START, END, categories=(subcategory,)))


def test_sales_trend_rejects_an_unknown_grain(seeded: Engine) -> None:
    with pytest.raises(FilterError, match="unknown grain 'year'; choose from day, week"):
        sales_trend(seeded, Filters(START, END), "year")


@pytest.mark.parametrize(
    "filters",
    [
        Filters(EMPTY_START, EMPTY_END),
        Filters(START, END, countries=("AQ",)),  # a known country no order ships to
    ],
    ids=["before-any-order", "country-without-orders"],
)
def test_a_filter_that_selects_nothing_gives_zeros_not_an_error(
    seeded: Engine, base: Base, filters: Filters
) -> None:
    assert expected_kpis(base, filters)["orders"] == 0
    comparison = kpis(seeded, filters)
    zero = Kpis(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, 0)
    assert comparison.current == zero
    assert comparison.previous == zero
    assert comparison.current.average_order_value is None
    assert comparison.current.gross_margin is None
    assert comparison.change("net_revenue") is None
    trend = sales_trend(seeded, filters, "week")
    assert trend.empty
    assert list(trend.columns) == ["period", "net_revenue", "gross_profit", "units", "orders"]
