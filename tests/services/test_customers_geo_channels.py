"""The customer, geography and channel services against pandas over the core tables of the
seeded warehouse, under several filter combinations; and their argument errors."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from salesdw.services.channels import channel_totals, channels, seasonality
from salesdw.services.customers import cohorts, customer_summary_stats, rfm_segments
from salesdw.services.filters import FilterError, Filters
from salesdw.services.geo import geo, top_cities
from salesdw.settings import get_settings
from tests.analytics.test_customers_geo_channels import (
    Core,
    as_date,
    as_of_date,
    assert_matches,
    channel_oracle,
    cohort_oracle,
    load_core,
    month_oracle,
    top_cities_oracle,
    weekday_hour_oracle,
)
from tests.analytics.test_oracle import cumulative_shares


@pytest.fixture(scope="module")
def core(seeded: Engine) -> Core:
    return load_core(seeded)


# ---------------------------------------------------------------------------- geo


def geo_oracle(core: Core, filters: Filters) -> pd.DataFrame:
    """Per shipping country within the filters: orders with a line in the selected categories
    (each once), and the net revenue of those lines with their share of the order discount
    (whole cents, cumulative rounding by line value)."""
    orders = core.orders[
        core.orders["date"].between(pd.Timestamp(filters.start), pd.Timestamp(filters.end))
        & core.orders["status"].isin(filters.statuses)
        & core.orders["country_code"].notna()
    ]
    if filters.countries:
        orders = orders[orders["country_code"].isin(filters.countries)]
    if filters.channels:
        orders = orders[orders["channel"].isin(filters.channels)]
    items = core.items.merge(
        orders[["order_id", "country_code", "discount_amount_cents"]].rename(
            columns={"discount_amount_cents": "order_discount_cents"}
        ),
        on="order_id",
    )
    # the order discount in whole cents per line, by value (the rule of order_line_facts)
    items = items.sort_values(["order_id", "line_number"]).reset_index(drop=True)
    worth_nothing = items.groupby("order_id")["gross_cents"].transform("sum") == 0
    weight = items["gross_cents"].where(~worth_nothing, 1)
    share = cumulative_shares(items["order_discount_cents"], weight, items["order_id"])
    items["net"] = items["line_net_cents"] - share
    if filters.categories:
        items = items[items["top_category_id"].isin(filters.categories)]
        orders = orders[orders["order_id"].isin(items["order_id"])]
    per_country = pd.concat(
        [
            orders.groupby("country_code").size().rename("orders"),
            items.groupby("country_code")["net"].sum().rename("net_revenue"),
        ],
        axis=1,
    ).fillna(0)
    per_country["orders"] = per_country["orders"].astype("int64")
    orders_or_nan = per_country["orders"].replace(0, np.nan)
    per_country["average_order_value"] = per_country["net_revenue"] / orders_or_nan
    countries = core.countries.rename(columns={"name": "country_name"})
    return per_country.reset_index().merge(
        countries[["country_code", "iso_alpha3", "country_name", "region", "subregion"]],
        on="country_code",
    )


def biggest(core: Core, column: str, n: int) -> tuple:
    return tuple(core.live[column].value_counts().index[:n])


def check_geo(seeded: Engine, core: Core, filters: Filters) -> pd.DataFrame:
    got = geo(seeded, filters)
    assert_matches(
        got,
        geo_oracle(core, filters),
        ["country_code"],
        exact=("iso_alpha3", "country_name", "region", "subregion", "orders"),
        money=("net_revenue", "average_order_value"),
    )
    assert got["net_revenue"].is_monotonic_decreasing
    return got


def test_geo_within_dates_countries_categories_and_channels(seeded: Engine, core: Core) -> None:
    countries = biggest(core, "country_code", 4)
    categories = tuple(sorted(set(core.top_category.values())))[:2]
    filters = Filters(date(2024, 3, 1), date(2024, 8, 31), countries=countries,
                      categories=categories, channels=("web", "mobile_app"))  # fmt: skip
    got = check_geo(seeded, core, filters)
    assert set(got["country_code"]) == set(countries)
    everything = geo(seeded, Filters(date(2024, 3, 1), date(2024, 8, 31), countries=countries))
    # the category and channel filters bite
    assert got["orders"].sum() < everything["orders"].sum()
    assert got["net_revenue"].sum() < everything["net_revenue"].sum()


def test_geo_over_all_countries_for_a_date_range(seeded: Engine, core: Core) -> None:
    got = check_geo(seeded, core, Filters(date(2023, 1, 1), date(2025, 12, 31)))
    assert len(got) >= 20


def test_geo_of_cancelled_orders_in_one_category(seeded: Engine, core: Core) -> None:
    category = sorted(set(core.top_category.values()))[-1]
    filters = Filters(date(2023, 6, 1), date(2024, 5, 31), categories=(category,),
                      statuses=("cancelled",))  # fmt: skip
    assert check_geo(seeded, core, filters)["orders"].sum() > 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"countries": ("XX",)}, "unknown country code 'XX'"),
        ({"categories": (999_999,)}, "unknown top-level category id 999999"),
    ],
)
def test_geo_rejects_unknown_countries_and_categories(
    seeded: Engine, overrides: dict, message: str
) -> None:
    with pytest.raises(FilterError, match=message):
        geo(seeded, Filters(date(2024, 1, 1), date(2024, 1, 31), **overrides))


def test_geo_filters_reject_bad_ranges_and_channels() -> None:
    with pytest.raises(FilterError, match="after the end date"):
        Filters(date(2024, 2, 1), date(2024, 1, 1))
    with pytest.raises(FilterError, match="unknown channel 'fax'"):
        Filters(date(2024, 1, 1), date(2024, 1, 31), channels=("fax",))


def test_top_cities_of_a_country(seeded: Engine, core: Core) -> None:
    (country,) = biggest(core, "country_code", 1)
    got = top_cities(seeded, country.lower())
    expected = top_cities_oracle(core).query("country_code == @country")
    assert_matches(got, expected, ["country_code", "city_rank"],
                   exact=("city", "orders", "customers"), money=("net_revenue",))  # fmt: skip
    assert list(got["city_rank"]) == list(range(1, 11))


def test_top_cities_of_a_country_without_orders_is_empty(seeded: Engine, core: Core) -> None:
    assert "AQ" not in set(core.orders["country_code"])
    assert top_cities(seeded, "AQ").empty


@pytest.mark.parametrize(
    ("code", "message"),
    [("XX", "unknown country code 'XX'"), ("DEU", "alpha-2"), ("", "alpha-2"), (49, "alpha-2")],
)
def test_top_cities_rejects_bad_country_codes(seeded: Engine, code: object, message: str) -> None:
    with pytest.raises(FilterError, match=message):
        top_cities(seeded, code)


# ---------------------------------------------------------------------------- customers


def test_cohorts_all_and_between_months(seeded: Engine, core: Core) -> None:
    keys = ["cohort_month", "months_since_first"]
    columns = {"exact": ("cohort_customers", "active_customers"),
               "money": ("net_revenue", "cumulative_net_revenue_per_customer"),
               "rates": ("retention_rate",)}  # fmt: skip
    expected = cohort_oracle(core)
    every = cohorts(seeded)
    assert list(zip(every["cohort_month"], every["months_since_first"], strict=True)) == sorted(
        zip(every["cohort_month"], every["months_since_first"], strict=True)
    )
    every["cohort_month"] = as_date(every["cohort_month"])
    assert_matches(every, expected, keys, **columns)

    some = cohorts(seeded, first_month=date(2024, 2, 15), last_month=datetime(2024, 6, 1, 8))
    some["cohort_month"] = as_date(some["cohort_month"])
    wanted = expected[expected["cohort_month"].between(date(2024, 2, 1), date(2024, 6, 1))]
    assert_matches(some, wanted, keys, **columns)
    assert some["cohort_month"].nunique() == 5

    since = cohorts(seeded, first_month=date(2025, 6, 1))
    assert as_date(since["cohort_month"]).min() == date(2025, 6, 1)

    latest = cohorts(seeded, latest=3)
    latest["cohort_month"] = as_date(latest["cohort_month"])
    assert_matches(latest, expected[expected["cohort_month"].isin(
        sorted(set(expected["cohort_month"]))[-3:])], keys, **columns)  # fmt: skip
    assert latest["cohort_month"].nunique() == 3
    assert cohorts(seeded, last_month=date(2024, 6, 1), latest=2)["cohort_month"].nunique() == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"first_month": date(2024, 5, 1), "last_month": date(2024, 4, 30)}, "after last_month"),
        ({"first_month": "2024-01"}, "first_month must be a date"),
        ({"last_month": 202401}, "last_month must be a date"),
        ({"latest": 0}, "latest must be a positive"),
    ],
)
def test_cohorts_reject_bad_months(seeded: Engine, kwargs: dict, message: str) -> None:
    with pytest.raises(FilterError, match=message):
        cohorts(seeded, **kwargs)


def test_rfm_segments_cover_every_buyer_largest_first(seeded: Engine, core: Core) -> None:
    got = rfm_segments(seeded)
    assert got["customers"].is_monotonic_decreasing
    assert got["customers"].sum() == core.live["customer_id"].nunique()
    assert abs(got["net_revenue"].sum() * 100 - core.live["net_cents"].sum()) < 0.5
    assert got["customer_share"].sum() == pytest.approx(1, abs=1e-9)


def test_customer_summary_stats_match_pandas(seeded: Engine, core: Core) -> None:
    live = core.live
    per_customer = live.groupby("customer_id").agg(orders=("order_id", "size"),
                                                   last_date=("date", "max"))  # fmt: skip
    as_of = as_of_date(core)
    churned = ((as_of - per_customer["last_date"]).dt.days > get_settings().churn_days).sum()
    buyers = len(per_customer)
    expected = pd.DataFrame([{
        "key": 1, "customers": len(core.customers), "buyers": buyers,
        "repeat_buyers": int((per_customer["orders"] > 1).sum()),
        "repeat_buyer_share": (per_customer["orders"] > 1).sum() / buyers,
        "churned_buyers": int(churned), "churn_rate": churned / buyers,
        "average_orders": len(live) / buyers,
        "average_net_revenue": live["net_cents"].sum() / buyers,
        "average_order_value": live["net_cents"].sum() / len(live),
        "as_of_date": as_of.date(),
    }])  # fmt: skip
    got = customer_summary_stats(seeded).assign(key=1)
    got["as_of_date"] = as_date(got["as_of_date"])
    assert_matches(got, expected, ["key"],
                   exact=("customers", "buyers", "repeat_buyers", "churned_buyers", "as_of_date"),
                   money=("average_net_revenue", "average_order_value"),
                   rates=("repeat_buyer_share", "churn_rate", "average_orders"))  # fmt: skip
    assert 0 < got["churned_buyers"].iloc[0] < buyers


# ---------------------------------------------------------------------------- channels


def test_channels_for_the_months_overlapping_a_range(seeded: Engine, core: Core) -> None:
    got = channels(seeded, date(2024, 2, 15), date(2024, 5, 10))
    got["month"] = as_date(got["month"])
    expected = channel_oracle(core)
    expected = expected[expected["month"].between(date(2024, 2, 1), date(2024, 5, 1))]
    assert_matches(
        got, expected, ["month", "channel"],
        exact=("channel_name", "is_paid", "sessions", "orders", "new_customers"),
        money=("spend", "net_revenue", "cac"), rates=("conversion_rate", "roas"),
    )  # fmt: skip
    assert len(got) == 4 * len(core.channels)
    assert channels(seeded, date(2024, 3, 31), date(2024, 3, 31))["month"].nunique() == 1


def test_channel_totals_add_up_the_months_overlapping_a_range(seeded: Engine, core: Core) -> None:
    got = channel_totals(seeded, date(2024, 2, 15), date(2024, 5, 10))
    months = channel_oracle(core)
    months = months[months["month"].between(date(2024, 2, 1), date(2024, 5, 1))]
    sums = ["sessions", "orders", "spend", "new_customers", "net_revenue"]
    per_channel = months.groupby("channel_name").agg({**dict.fromkeys(sums, "sum"),
                                                     "is_paid": "any"}).reset_index()  # fmt: skip
    every = months[sums].sum().to_frame().T.assign(channel_name="All channels", is_paid=True)
    expected = pd.concat([per_channel, every], ignore_index=True)
    expected["conversion_rate"] = expected["orders"] / expected["sessions"].replace(0, np.nan)
    # no CAC for an unpaid channel without spend, as in channel_performance
    expected["cac"] = (expected["spend"] / expected["new_customers"].replace(0, np.nan)).where(
        expected["is_paid"] | (expected["spend"] > 0)
    )
    expected["roas"] = expected["net_revenue"] / expected["spend"].replace(0, np.nan)
    assert_matches(
        got, expected.drop(columns="is_paid"), ["channel_name"],
        exact=("sessions", "orders", "new_customers"),
        money=("spend", "net_revenue", "cac"), rates=("conversion_rate", "roas"),
    )  # fmt: skip
    unpaid = set(core.channels.loc[~core.channels["is_paid"], "name"])
    assert unpaid and got.loc[got["channel_name"].isin(unpaid), "cac"].isna().all()
    assert got["channel_name"].iloc[-1] == "All channels"


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (date(2024, 5, 1), date(2024, 4, 1), "after the end date"),
        ("2024-01-01", date(2024, 4, 1), "start must be a date"),
        (date(2024, 1, 1), None, "end must be a date"),
    ],
)
def test_channels_reject_bad_ranges(seeded: Engine, start: object, end: object, message: str):
    with pytest.raises(FilterError, match=message):
        channels(seeded, start, end)


def test_seasonality_frames_match_pandas(seeded: Engine, core: Core) -> None:
    weekday_hour, month = seasonality(seeded)
    assert list(zip(weekday_hour["weekday"], weekday_hour["hour"], strict=True)) == [
        (day, hour) for day in range(1, 8) for hour in range(24)
    ]
    assert_matches(weekday_hour, weekday_hour_oracle(core), ["weekday", "hour"],
                   exact=("weekday_name", "orders"), money=("net_revenue",),
                   rates=("average_orders_per_day",))  # fmt: skip
    assert list(month["month_of_year"]) == list(range(1, 13))
    assert_matches(month, month_oracle(core), ["month_of_year"],
                   exact=("month_name", "orders", "days_covered"),
                   money=("net_revenue", "net_revenue_per_day"),
                   rates=("index_vs_average",))  # fmt: skip
