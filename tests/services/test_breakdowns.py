"""salesdw.services.breakdowns against pandas over the core tables of the seeded warehouse."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from salesdw.services import FilterError, Filters
from salesdw.services.breakdowns import (
    OTHER_MEMBER,
    country_categories,
    daily_trend,
    sales_breakdown,
    year_over_year,
)
from salesdw.services.sales import sales_trend
from tests.analytics.test_oracle import MONEY_TOLERANCE, Base, load_base
from tests.services.test_sales import CASES, make_filters, period_start, select

START, END = date(2024, 3, 1), date(2024, 5, 31)


@pytest.fixture(scope="module")
def base(seeded: Engine) -> Base:
    return load_base(seeded)


@pytest.fixture(scope="module")
def top_ids(base: Base) -> dict[str, int]:
    roots = base.categories[base.categories["parent_category_id"].isna()]
    return dict(zip(roots["name"], roots["category_id"], strict=True))


def expected_breakdown(base: Base, filters: Filters, by: str) -> pd.DataFrame:
    orders, lines = select(base, filters)
    column = {"status": "status", "country": "country_code", "channel": "channel",
              "category": "top_category_id"}[by]  # fmt: skip
    money = lines.groupby(column).agg(net_revenue=("net_revenue", "sum"))
    money["net_revenue"] /= 100
    if by == "category":
        counts = lines.groupby(column)["order_id"].nunique().rename("orders")
    else:
        counts = orders.groupby(column).size().rename("orders")
    frame = money.join(counts, how="outer").fillna(0).reset_index()
    frame["member"] = frame[column].astype(int).astype(str) if by == "category" else frame[column]
    return frame[["member", "net_revenue", "orders"]]


@pytest.mark.parametrize("by", ["status", "country", "channel", "category"])
@pytest.mark.parametrize("case", ["dates-only", "countries-de-fr", "categories-electronics-fashion",
                                  "all-combined"])  # fmt: skip
def test_breakdowns_match_pandas(
    seeded: Engine, base: Base, top_ids: dict[str, int], by: str, case: str
) -> None:
    filters = make_filters(case, top_ids)
    got = sales_breakdown(seeded, filters, by).dropna(subset=["member"])
    expected = expected_breakdown(base, filters, by).dropna(subset=["member"])
    merged = expected.merge(got, on="member", how="outer", suffixes=("", "_got"))
    assert len(merged) == len(expected) == len(got) > 0
    assert (merged["net_revenue"] - merged["net_revenue_got"]).abs().max() < MONEY_TOLERANCE
    assert (merged["orders"] == merged["orders_got"]).all()


def test_breakdown_per_month_adds_up_to_the_trend(seeded: Engine, top_ids) -> None:
    filters = make_filters("dates-only", top_ids)
    per_month = sales_breakdown(seeded, filters, "channel", grain="month")
    trend = sales_trend(seeded, filters, "month")
    totals = per_month.groupby("period")[["net_revenue", "orders"]].sum().reset_index()
    assert list(pd.to_datetime(totals["period"])) == list(pd.to_datetime(trend["period"]))
    assert (totals["net_revenue"] - trend["net_revenue"]).abs().max() < MONEY_TOLERANCE
    assert list(totals["orders"]) == list(trend["orders"])


def test_categories_are_labelled_and_countries_named(seeded: Engine, top_ids) -> None:
    filters = make_filters("dates-only", top_ids)
    categories = sales_breakdown(seeded, filters, "category")
    assert set(categories["label"]) <= set(top_ids) and "Electronics" in set(categories["label"])
    countries = sales_breakdown(seeded, filters, "country")
    assert "Germany" in set(countries["label"])


@pytest.mark.parametrize("case", ["dates-only", "categories-electronics-fashion", "channel-web"])
def test_the_top_countries_per_month_and_the_rest_added_up_match_pandas(
    seeded: Engine, base: Base, top_ids: dict[str, int], case: str
) -> None:
    filters = make_filters(case, top_ids, start=date(2024, 1, 1), end=date(2024, 12, 31))
    got = sales_breakdown(seeded, filters, "country", "month", top=5)
    # pandas from core: rank the countries by net revenue over the year, keep five, lump the rest
    orders, lines = select(base, filters)
    totals = lines.groupby("country_code")["net_revenue"].sum()
    ranked = totals.reset_index().sort_values(["net_revenue", "country_code"],
                                              ascending=[False, True])  # fmt: skip
    kept = set(ranked["country_code"].head(5))
    assert len(totals) > 5  # there is a rest to lump
    member = lines["country_code"].where(lines["country_code"].isin(kept), OTHER_MEMBER)
    period = period_start(lines["order_date"], "month").rename("period")
    money = lines.groupby([period, member.rename("member")])["net_revenue"].sum() / 100
    order_member = orders["country_code"].where(orders["country_code"].isin(kept), OTHER_MEMBER)
    counts = orders.groupby([period_start(orders["order_date"], "month").rename("period"),
                             order_member.rename("member")]).size()  # fmt: skip
    expected = pd.DataFrame({"net_revenue": money, "orders": counts}).fillna(0).reset_index()
    got["period"] = pd.to_datetime(got["period"])
    merged = expected.merge(got, on=["period", "member"], how="outer", suffixes=("", "_got"))
    assert len(merged) == len(expected) == len(got)
    assert set(got["member"]) == kept | {OTHER_MEMBER}
    assert set(got.loc[got["member"] == OTHER_MEMBER, "label"]) == {"Other countries"}
    assert (merged["net_revenue"] - merged["net_revenue_got"]).abs().max() < MONEY_TOLERANCE
    assert (merged["orders"] == merged["orders_got"]).all()
    # the rest comes last in each period
    assert (got.groupby("period")["member"].last() == OTHER_MEMBER).all()


@pytest.mark.parametrize("case", ["dates-only", "categories-electronics-fashion", "all-combined"])
def test_country_categories_match_pandas_for_the_top_countries(
    seeded: Engine, base: Base, top_ids: dict[str, int], case: str
) -> None:
    filters = make_filters(case, top_ids)
    got = country_categories(seeded, filters, top=3)
    _, lines = select(base, filters)
    lines = lines.dropna(subset=["country_code"])
    totals = lines.groupby("country_code")["net_revenue"].sum().reset_index()
    kept = totals.sort_values(["net_revenue", "country_code"], ascending=[False, True]).head(3)
    cells = lines[lines["country_code"].isin(kept["country_code"])]
    expected = cells.groupby(["country_code", "top_category_id"])["net_revenue"].sum() / 100
    expected = expected.rename("net_revenue").reset_index()
    merged = expected.merge(got, how="outer", suffixes=("", "_got"),
                            left_on=["country_code", "top_category_id"],
                            right_on=["country_code", "category_id"])  # fmt: skip
    assert len(merged) == len(expected) == len(got) > 0
    assert (merged["net_revenue"] - merged["net_revenue_got"]).abs().max() < MONEY_TOLERANCE
    assert list(dict.fromkeys(got["country_code"])) == list(kept["country_code"])


def test_top_without_a_rest_keeps_every_member(seeded: Engine, top_ids) -> None:
    filters = make_filters("dates-only", top_ids)
    every = sales_breakdown(seeded, filters, "channel")
    assert len(every) <= 4
    top = sales_breakdown(seeded, filters, "channel", top=10)
    assert OTHER_MEMBER not in set(top["member"])
    assert sorted(top["member"]) == sorted(every["member"])


@pytest.mark.parametrize("grain", ["day", "week", "month", "quarter"])
def test_year_over_year_puts_each_period_beside_the_one_a_year_before(
    seeded: Engine, base: Base, top_ids, grain: str
) -> None:
    filters = Filters(date(2025, 1, 6), date(2025, 9, 28))
    got = year_over_year(seeded, filters, grain)
    previous = Filters(date(2024, 1, 6), date(2024, 9, 28))
    if grain == "week":  # 52 weeks before: the same weekdays
        previous = Filters(date(2024, 1, 8), date(2024, 9, 29))
    _, lines = select(base, previous)
    expected = lines.groupby(period_start(lines["order_date"], grain))["net_revenue"].sum() / 100
    assert len(got) == len(expected)
    assert (got["previous_net_revenue"].to_numpy() - expected.to_numpy()).__abs__().max() < 0.01
    assert got["net_revenue"].sum() > got["previous_net_revenue"].sum()  # the shop grows


def test_year_over_year_by_week_matches_every_week_with_the_same_weekdays(
    seeded: Engine, base: Base
) -> None:
    """A range from a Tuesday to a Monday (as the last 90 days may be): its partial first and
    last weeks each have a week of the same days 52 weeks before, none is left alone."""
    filters = Filters(date(2025, 3, 4), date(2025, 6, 2))
    got = year_over_year(seeded, filters, "week")
    assert got[["period", "previous_period"]].notna().all().all()
    shift = pd.to_datetime(got["period"]) - pd.to_datetime(got["previous_period"])
    assert (shift == pd.Timedelta(days=364)).all()
    _, lines = select(base, Filters(date(2024, 3, 5), date(2024, 6, 3)))
    expected = lines.groupby(period_start(lines["order_date"], "week"))["net_revenue"].sum() / 100
    assert len(got) == len(expected) == 14
    assert (got["previous_net_revenue"].to_numpy() - expected.to_numpy()).__abs__().max() < 0.01


def test_daily_trend_averages_the_last_seven_days(seeded: Engine, base: Base) -> None:
    filters = Filters(START, END)
    got = daily_trend(seeded, filters)
    assert len(got) == (END - START).days + 1
    lead = Filters(date(2024, 2, 24), END)
    _, lines = select(base, lead)
    days = lines.groupby("order_date")["net_revenue"].sum() / 100
    days = days.reindex(pd.date_range(lead.start, END), fill_value=0)
    expected = days.rolling(7, min_periods=1).mean().loc[pd.Timestamp(START) :]
    assert abs(got["net_revenue_moving_average"].to_numpy() - expected.to_numpy()).max() < 0.01


@pytest.mark.parametrize("case", ["dates-only", "categories-electronics-fashion"])
def test_daily_trend_without_orders_keeps_the_revenue_and_drops_the_counts(
    seeded: Engine, base: Base, top_ids: dict[str, int], case: str
) -> None:
    """The Overview's chart needs no order counts: orders=False leaves them out (the costly
    part under a category filter) and every other column is as with them."""
    filters = make_filters(case, top_ids)
    full = daily_trend(seeded, filters)
    slim = daily_trend(seeded, filters, orders=False)
    assert list(slim.columns) == ["day", "net_revenue", "net_revenue_moving_average"]
    assert full["orders"].sum() > 0
    pd.testing.assert_frame_equal(slim, full.drop(columns="orders"))
    _, lines = select(base, filters)
    assert abs(slim["net_revenue"].sum() - lines["net_revenue"].sum() / 100) < MONEY_TOLERANCE


@pytest.mark.parametrize("shape", [
    {"by": "country"},
    {"by": "category"},
    {"by": "country", "grain": "month", "top": 5},  # the Sales page's split
], ids=["country", "category", "country-by-month-top-5"])  # fmt: skip
@pytest.mark.parametrize("case", ["dates-only", "categories-electronics-fashion"])
def test_sales_breakdown_without_orders_keeps_the_money_and_drops_the_counts(
    seeded: Engine, base: Base, top_ids: dict[str, int], case: str, shape: dict
) -> None:
    """The insights and the charts of net revenue need no order counts: orders=False leaves
    them out (the costly part under a category filter) and every other column is as with them,
    the 'other' member of a top list too."""
    filters = make_filters(case, top_ids)
    full = sales_breakdown(seeded, filters, **shape)
    slim = sales_breakdown(seeded, filters, **shape, orders=False)
    assert "orders" not in slim.columns and full["orders"].sum() > 0
    pd.testing.assert_frame_equal(slim, full.drop(columns="orders"))
    _, lines = select(base, filters)
    assert abs(slim["net_revenue"].sum() - lines["net_revenue"].sum() / 100) < MONEY_TOLERANCE


@pytest.mark.parametrize(
    "call",
    [
        lambda engine: sales_breakdown(engine, Filters(START, END), "brand"),
        lambda engine: sales_breakdown(engine, Filters(START, END), "country", grain="hour"),
        lambda engine: sales_breakdown(engine, Filters(START, END), "country", top=0),
        lambda engine: year_over_year(engine, Filters(START, END), "year"),
        lambda engine: daily_trend(engine, Filters(START, END), window=0),
    ],
)
def test_bad_arguments_raise_a_clear_error(seeded: Engine, call) -> None:
    with pytest.raises(FilterError):
        call(seeded)


def test_every_case_of_the_sales_tests_is_known() -> None:
    assert {"dates-only", "countries-de-fr", "all-combined"} <= set(CASES)
