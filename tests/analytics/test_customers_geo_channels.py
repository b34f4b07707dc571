"""Oracle tests of the cohort, geography, channel and seasonality views: every column is
recomputed with pandas from the core tables of the seeded warehouse and compared (money to the
cent, counts exactly, rates to 1e-9).

The oracle works in integer cents from the base tables and shares nothing with the views' SQL.
The helpers (load_core, the *_oracle functions, assert_matches) are imported by
tests/services/test_customers_geo_channels.py too.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.refresh import refresh
from salesdw.settings import Settings, get_settings

#: The zone the session's refresh counted local days in (it reads the same settings).
TIMEZONE = get_settings().timezone


@dataclass
class Core:
    """The base tables, money in integer cents, with each order's net revenue and local time."""

    orders: pd.DataFrame  # every order, with net_cents, local, date, month, is_live
    items: pd.DataFrame  # order lines with gross, line discount and refund in cents
    customers: pd.DataFrame
    countries: pd.DataFrame
    channels: pd.DataFrame
    traffic: pd.DataFrame
    spend: pd.DataFrame
    top_category: dict[int, int]  # category id -> its top-level category id

    @property
    def live(self) -> pd.DataFrame:
        """Orders that count in sales metrics: all but cancelled ones."""
        return self.orders[self.orders["status"] != "cancelled"]


def read(engine: Engine, sql: str) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(text(sql), conn)


def _cents(column: str) -> str:
    return f"round({column} * 100)::bigint as {column}_cents"


def load_core(engine: Engine, timezone: str = TIMEZONE) -> Core:
    """Read the base tables and derive each order's net revenue (cents) and local day."""
    orders = read(engine, f"""
        select order_id, customer_id, ordered_at, status, channel,
               shipping_country_code as country_code, shipping_city as city,
               {_cents("discount_amount")}
        from core.orders
    """)  # fmt: skip
    items = read(engine, f"""
        select order_id, line_number, product_id, quantity, {_cents("unit_price")},
               {_cents("discount_amount")}, {_cents("refund_amount")}
        from core.order_items
    """)  # fmt: skip
    items["gross_cents"] = items["quantity"] * items["unit_price_cents"]
    items["line_net_cents"] = (
        items["gross_cents"] - items["discount_amount_cents"] - items["refund_amount_cents"]
    )
    line_net = items.groupby("order_id")["line_net_cents"].sum()
    orders["net_cents"] = (
        orders["order_id"].map(line_net).fillna(0).astype("int64") - orders["discount_amount_cents"]
    )
    local = pd.to_datetime(orders["ordered_at"], utc=True).dt.tz_convert(timezone)
    orders["local"] = local.dt.tz_localize(None)
    orders["date"] = orders["local"].dt.normalize()
    orders["month"] = orders["local"].dt.to_period("M").dt.to_timestamp()

    categories = read(engine, "select category_id, parent_category_id from core.categories")
    parent = dict(zip(categories["category_id"], categories["parent_category_id"], strict=True))
    top_category = {}
    for category in parent:
        top = category
        while not pd.isna(parent[top]):
            top = int(parent[top])
        top_category[category] = top
    products = read(engine, "select product_id, category_id from core.products")
    product_top = products.set_index("product_id")["category_id"].map(top_category)
    items["top_category_id"] = items["product_id"].map(product_top)

    traffic = read(engine, "select traffic_date, channel, sessions from core.web_traffic")
    spend = read(engine, f"select spend_date, channel, {_cents('amount')} "
                         "from core.marketing_spend")  # fmt: skip
    traffic["month"] = pd.to_datetime(traffic["traffic_date"]).dt.to_period("M").dt.to_timestamp()
    spend["month"] = pd.to_datetime(spend["spend_date"]).dt.to_period("M").dt.to_timestamp()
    return Core(
        orders=orders,
        items=items,
        customers=read(engine, "select customer_id, acquisition_channel from core.customers"),
        countries=read(engine, "select * from core.countries"),
        channels=read(engine, "select * from core.marketing_channels"),
        traffic=traffic,
        spend=spend,
        top_category=top_category,
    )


@pytest.fixture(scope="module")
def core(seeded: Engine) -> Core:
    return load_core(seeded)


def view(engine: Engine, name: str) -> pd.DataFrame:
    return read(engine, f"select * from analytics.{name}")


def assert_matches(
    got: pd.DataFrame,
    expected: pd.DataFrame,
    keys: list[str],
    *,
    exact: tuple[str, ...] = (),
    money: tuple[str, ...] = (),
    rates: tuple[str, ...] = (),
) -> None:
    """Same keys on both sides; `exact` columns equal, `money` (expected in cents) equal to the
    cent, `rates` within 1e-9; nulls in the same places. Every column of `got` is checked."""
    checked = set(keys) | set(exact) | set(money) | set(rates)
    assert set(got.columns) == checked, f"columns not checked: {set(got.columns) ^ checked}"
    assert len(got) == len(expected) > 0
    assert not got.duplicated(keys).any()
    merged = got.merge(expected, on=keys, how="outer", suffixes=("", "_expected"), indicator=True)
    only = merged[merged["_merge"] != "both"]
    assert only.empty, f"rows on one side only:\n{only[[*keys, '_merge']].head(10)}"
    for column in exact:
        bad = merged[merged[column].astype(object) != merged[f"{column}_expected"].astype(object)]
        assert bad.empty, f"{column}:\n{bad[[*keys, column, f'{column}_expected']].head()}"
    for column in money:
        cents = merged[column].astype(float) * 100
        wanted = merged[f"{column}_expected"].astype(float)
        same_null = cents.isna() == wanted.isna()
        bad = merged[~(same_null & (((cents - wanted).abs() < 0.5) | wanted.isna()))]
        assert bad.empty, f"{column}:\n{bad[[*keys, column, f'{column}_expected']].head()}"
    for column in rates:
        value = merged[column].astype(float)
        wanted = merged[f"{column}_expected"].astype(float)
        same_null = value.isna() == wanted.isna()
        close = ((value - wanted).abs() <= 1e-9 * np.maximum(1, wanted.abs())) | wanted.isna()
        bad = merged[~(same_null & close)]
        assert bad.empty, f"{column}:\n{bad[[*keys, column, f'{column}_expected']].head()}"


def _months_between(first: pd.Timestamp, last: pd.Timestamp) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def as_date(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.date


# ---------------------------------------------------------------------------- oracles


def cohort_oracle(core: Core) -> pd.DataFrame:
    live = core.live
    first = live.groupby("customer_id")["month"].min().rename("cohort_month")
    customer_months = (
        live.groupby(["customer_id", "month"])["net_cents"].sum().reset_index()
        .join(first, on="customer_id")
    )  # fmt: skip
    activity = customer_months.groupby(["cohort_month", "month"]).agg(
        active_customers=("customer_id", "size"), net_revenue=("net_cents", "sum")
    )
    sizes = first.value_counts()
    last = live["month"].max()
    rows = []
    for cohort, customers in sizes.items():
        cumulative = 0
        for k in range(_months_between(cohort, last) + 1):
            month = cohort + pd.DateOffset(months=k)
            active, net = (
                activity.loc[(cohort, month)] if (cohort, month) in activity.index else (0, 0)
            )
            cumulative += net
            rows.append({
                "cohort_month": cohort.date(), "months_since_first": k,
                "cohort_customers": int(customers), "active_customers": int(active),
                "retention_rate": active / customers, "net_revenue": net,
                "cumulative_net_revenue_per_customer": cumulative / customers,
            })  # fmt: skip
    return pd.DataFrame(rows)


def as_of_date(core: Core) -> pd.Timestamp:
    """The day after the latest local day with an order not cancelled."""
    return core.live["date"].max() + pd.Timedelta(days=1)


def geo_oracle(core: Core) -> pd.DataFrame:
    live = core.live[core.live["country_code"].notna()].copy()
    as_of = as_of_date(core)
    day = pd.Timedelta(days=1)
    last = live["date"].between(as_of - 365 * day, as_of - day)
    previous = live["date"].between(as_of - 730 * day, as_of - 366 * day)
    live["last"] = live["net_cents"].where(last, 0)
    live["previous"] = live["net_cents"].where(previous, 0)
    per_country = live.groupby("country_code").agg(
        orders=("order_id", "size"),
        customers=("customer_id", "nunique"),
        net_revenue=("net_cents", "sum"),
        net_revenue_last_365=("last", "sum"),
        net_revenue_previous_365=("previous", "sum"),
    )
    per_country["average_order_value"] = per_country["net_revenue"] / per_country["orders"]
    per_country["net_revenue_yoy_growth"] = (
        per_country["net_revenue_last_365"]
        / per_country["net_revenue_previous_365"].replace(0, np.nan)
        - 1
    )
    countries = core.countries.rename(columns={"name": "country_name"})[
        ["country_code", "iso_alpha3", "country_name", "region", "subregion"]
    ]
    return per_country.reset_index().merge(countries, on="country_code")


def top_cities_oracle(core: Core) -> pd.DataFrame:
    live = core.live[core.live["country_code"].notna() & core.live["city"].notna()]
    per_city = (
        live.groupby(["country_code", "city"])
        .agg(
            orders=("order_id", "size"),
            customers=("customer_id", "nunique"),
            net_revenue=("net_cents", "sum"),
        )
        .reset_index()
        .sort_values(["country_code", "net_revenue", "city"], ascending=[True, False, True])
    )
    per_city["city_rank"] = per_city.groupby("country_code").cumcount() + 1
    return per_city[per_city["city_rank"] <= 10]


def channel_oracle(core: Core) -> pd.DataFrame:
    live = core.live.drop(columns="channel")  # the sales channel; attribution is first touch
    live = live.merge(core.customers, on="customer_id").rename(
        columns={"acquisition_channel": "channel"}
    )
    attributed = live.groupby(["month", "channel"]).agg(
        orders=("order_id", "size"), net_revenue=("net_cents", "sum")
    )
    first = live.groupby(["customer_id", "channel"])["month"].min().reset_index()
    new_customers = first.groupby(["month", "channel"]).size().rename("new_customers")
    sessions = core.traffic.groupby(["month", "channel"])["sessions"].sum()
    spend = core.spend.groupby(["month", "channel"])["amount_cents"].sum().rename("spend")
    months = pd.concat([live["month"], core.traffic["month"], core.spend["month"]])
    grid = pd.MultiIndex.from_product(
        [pd.date_range(months.min(), months.max(), freq="MS"), core.channels["channel"]],
        names=["month", "channel"],
    )
    frame = (
        pd.DataFrame(index=grid)
        .join([sessions, attributed, spend, new_customers])
        .fillna(0)
        .reset_index()
        .merge(core.channels.rename(columns={"name": "channel_name"}), on="channel")
    )
    for column in ("sessions", "orders", "new_customers"):
        frame[column] = frame[column].astype("int64")
    frame["conversion_rate"] = frame["orders"] / frame["sessions"].replace(0, np.nan)
    frame["cac"] = (frame["spend"] / frame["new_customers"].replace(0, np.nan)).where(
        frame["is_paid"] | (frame["spend"] > 0)
    )
    frame["roas"] = frame["net_revenue"] / frame["spend"].replace(0, np.nan)
    frame["month"] = frame["month"].dt.date
    return frame


def weekday_hour_oracle(core: Core) -> pd.DataFrame:
    live = core.live.copy()
    live["weekday"] = live["local"].dt.day_of_week + 1
    live["hour"] = live["local"].dt.hour
    per_hour = live.groupby(["weekday", "hour"]).agg(
        orders=("order_id", "size"), net_revenue=("net_cents", "sum")
    )
    days = pd.date_range(live["date"].min(), live["date"].max(), freq="D")
    weekday_days = pd.Series(days.day_of_week + 1).value_counts()
    grid = pd.MultiIndex.from_product([range(1, 8), range(24)], names=["weekday", "hour"])
    frame = pd.DataFrame(index=grid).join(per_hour).fillna(0).astype("int64").reset_index()
    frame["weekday_name"] = frame["weekday"].map(lambda day: calendar.day_name[day - 1])
    frame["average_orders_per_day"] = frame["orders"] / frame["weekday"].map(weekday_days)
    return frame


def month_oracle(core: Core) -> pd.DataFrame:
    live = core.live.copy()
    live["month_of_year"] = live["local"].dt.month
    per_month = live.groupby("month_of_year").agg(
        orders=("order_id", "size"), net_revenue=("net_cents", "sum")
    )
    # every day from the first order to the last, by month of the year
    history = pd.Series(pd.date_range(live["date"].min(), live["date"].max(), freq="D"))
    per_month["days_covered"] = history.dt.month.value_counts()
    frame = pd.DataFrame(index=pd.Index(range(1, 13), name="month_of_year")).join(per_month)
    frame = frame.fillna(0).astype("int64").reset_index()
    frame["month_name"] = frame["month_of_year"].map(lambda month: calendar.month_name[month])
    frame["net_revenue_per_day"] = frame["net_revenue"] / frame["days_covered"].replace(0, np.nan)
    mean = frame["net_revenue_per_day"].mean()  # skips months the history does not reach
    frame["index_vs_average"] = frame["net_revenue_per_day"] / mean
    return frame


# ---------------------------------------------------------------------------- the data


def test_the_seeded_data_exercises_what_the_views_exclude(core: Core) -> None:
    """Without cancelled orders, order discounts and refunds these tests could not fail on
    them. Every order has lines, so per-order net revenue (cohorts, cities, channels, hours)
    and sales_daily's per-line net revenue (geo_sales, seasonality_month) must agree."""
    assert (core.orders["status"] == "cancelled").sum() > 100
    assert (core.orders["discount_amount_cents"] > 0).sum() > 100
    assert (core.items["refund_amount_cents"] > 0).sum() > 100
    assert core.orders["order_id"].isin(core.items["order_id"]).all()
    assert core.live["month"].nunique() >= 24


# ---------------------------------------------------------------------------- cohorts


def test_cohort_retention_matches_pandas(seeded: Engine, core: Core) -> None:
    got = view(seeded, "cohort_retention")
    got["cohort_month"] = as_date(got["cohort_month"])
    assert_matches(
        got,
        cohort_oracle(core),
        ["cohort_month", "months_since_first"],
        exact=("cohort_customers", "active_customers"),
        money=("net_revenue", "cumulative_net_revenue_per_customer"),
        rates=("retention_rate",),
    )


def test_cohorts_form_a_full_triangle_up_to_the_latest_month(seeded: Engine) -> None:
    got = view(seeded, "cohort_retention")
    got["cohort_month"] = pd.to_datetime(got["cohort_month"])
    last = got["cohort_month"].max()  # the latest cohort has month 0 only
    for cohort, rows in got.groupby("cohort_month"):
        expected = list(range(_months_between(cohort, last) + 1))
        assert sorted(rows["months_since_first"]) == expected, cohort
        assert rows["cohort_customers"].nunique() == 1
    assert len(got) == sum(
        _months_between(cohort, last) + 1 for cohort in got["cohort_month"].unique()
    )


def test_every_cohort_is_fully_retained_in_its_first_month(seeded: Engine) -> None:
    first = view(seeded, "cohort_retention").query("months_since_first == 0")
    assert len(first) >= 24
    assert (first["retention_rate"].astype(float) == 1).all()
    assert (first["active_customers"] == first["cohort_customers"]).all()


# ---------------------------------------------------------------------------- geography


def test_geo_sales_matches_pandas(seeded: Engine, core: Core) -> None:
    got = view(seeded, "geo_sales")
    assert_matches(
        got,
        geo_oracle(core),
        ["country_code"],
        exact=("iso_alpha3", "country_name", "region", "subregion", "orders", "customers"),
        money=("net_revenue", "average_order_value", "net_revenue_last_365",
               "net_revenue_previous_365"),
        rates=("net_revenue_yoy_growth",),
    )  # fmt: skip
    assert got["net_revenue_yoy_growth"].notna().sum() >= 10


def test_geo_top_cities_matches_pandas(seeded: Engine, core: Core) -> None:
    got = view(seeded, "geo_top_cities")
    assert_matches(
        got,
        top_cities_oracle(core),
        ["country_code", "city_rank"],
        exact=("city", "orders", "customers"),
        money=("net_revenue",),
    )
    assert got.groupby("country_code").size().max() == 10


# ---------------------------------------------------------------------------- channels


def test_channel_performance_matches_pandas(seeded: Engine, core: Core) -> None:
    got = view(seeded, "channel_performance")
    got["month"] = as_date(got["month"])
    assert_matches(
        got,
        channel_oracle(core),
        ["month", "channel"],
        exact=("channel_name", "is_paid", "sessions", "orders", "new_customers"),
        money=("spend", "net_revenue", "cac"),
        rates=("conversion_rate", "roas"),
    )
    assert got["cac"].notna().sum() > 0 and got["roas"].notna().sum() > 0


def test_channel_months_span_orders_traffic_and_spend_for_every_channel(
    seeded: Engine, core: Core
) -> None:
    got = view(seeded, "channel_performance")
    per_month = got.groupby("month")["channel"].nunique()
    assert (per_month == len(core.channels)).all()
    months = pd.to_datetime(pd.Series(per_month.index))
    assert (months.diff().dropna() <= pd.Timedelta(days=31)).all()  # no month missing


# ---------------------------------------------------------------------------- seasonality


def test_seasonality_weekday_hour_matches_pandas(seeded: Engine, core: Core) -> None:
    got = view(seeded, "seasonality_weekday_hour")
    assert len(got) == 168
    assert_matches(
        got,
        weekday_hour_oracle(core),
        ["weekday", "hour"],
        exact=("weekday_name", "orders"),
        money=("net_revenue",),
        rates=("average_orders_per_day",),
    )


def test_seasonality_month_matches_pandas(seeded: Engine, core: Core) -> None:
    got = view(seeded, "seasonality_month")
    assert len(got) == 12
    assert_matches(
        got,
        month_oracle(core),
        ["month_of_year"],
        exact=("month_name", "orders", "days_covered"),
        money=("net_revenue", "net_revenue_per_day"),
        rates=("index_vs_average",),
    )


# ---------------------------------------------------------------------------- time zones


def test_local_months_weekdays_and_hours_follow_the_configured_time_zone(
    seeded_db: Engine,
) -> None:
    """Refreshed in another zone, the views still match the oracle computed in that zone."""
    zone = "America/New_York" if TIMEZONE != "America/New_York" else "Asia/Tokyo"
    conninfo = seeded_db.url.set(drivername="postgresql").render_as_string(hide_password=False)
    refresh(conninfo, settings=Settings(_env_file=None, timezone=zone))
    local = load_core(seeded_db, zone)
    utc = load_core(seeded_db, TIMEZONE)
    assert not local.orders["month"].equals(utc.orders["month"])  # the zone matters here

    hourly = view(seeded_db, "seasonality_weekday_hour")
    assert_matches(
        hourly, weekday_hour_oracle(local), ["weekday", "hour"],
        exact=("weekday_name", "orders"), money=("net_revenue",),
        rates=("average_orders_per_day",),
    )  # fmt: skip
    cohorts = view(seeded_db, "cohort_retention")
    cohorts["cohort_month"] = as_date(cohorts["cohort_month"])
    assert_matches(
        cohorts, cohort_oracle(local), ["cohort_month", "months_since_first"],
        exact=("cohort_customers", "active_customers"),
        money=("net_revenue", "cumulative_net_revenue_per_customer"), rates=("retention_rate",),
    )  # fmt: skip
    geo = view(seeded_db, "geo_sales")
    expected = geo_oracle(local)
    assert_matches(
        geo[["country_code", "net_revenue_last_365", "net_revenue_previous_365"]],
        expected[["country_code", "net_revenue_last_365", "net_revenue_previous_365"]],
        ["country_code"], money=("net_revenue_last_365", "net_revenue_previous_365"),
    )  # fmt: skip


# ---------------------------------------------------------------------------- by hand

# Edge cases the seeded data lacks: cohort months without activity, a paid channel acquiring
# without spend, an unpaid channel, spend in a month without orders, a year-old order.
SHOP = """
insert into core.categories (name) values ('Books');
insert into core.products (sku, name, category_id, list_price, unit_cost, launched_at)
    values ('B-1', 'Novel', 1, 10, 4, '2023-01-01');
insert into core.customers (email, country_code, signup_at, acquisition_channel) values
    ('a@x.io', 'DE', '2024-01-01', 'paid_search'), ('b@x.io', 'FR', '2024-01-01', 'organic_search'),
    ('c@x.io', 'FR', '2024-01-01', 'affiliate'), ('d@x.io', 'FR', '2023-01-01', 'direct');
-- 1, 2: customer 1 in January and March 2024 (a hole in February), both on Wednesdays at noon
-- 3: customer 2, cancelled in February; 4: customer 2's first real order, fully refunded
-- 5: customer 3 in February; 6: customer 4 a year earlier (the previous 365 days)
insert into core.orders (customer_id, ordered_at, status, channel, shipping_country_code,
                         shipping_city, discount_amount) values
    (1, '2024-01-10 12:00+00', 'completed', 'web', 'DE', 'Berlin', 0),
    (1, '2024-03-06 12:00+00', 'completed', 'web', 'DE', 'Berlin', 5),
    (2, '2024-02-01 09:00+00', 'cancelled', 'web', 'FR', 'Paris', 0),
    (2, '2024-03-01 10:00+00', 'returned', 'web', 'FR', 'Paris', 0),
    (3, '2024-02-20 12:00+00', 'completed', 'web', 'FR', 'Lyon', 0),
    (4, '2023-03-01 12:00+00', 'completed', 'web', 'FR', 'Paris', 0);
insert into core.order_items (order_id, line_number, product_id, quantity, unit_price,
                              unit_cost, discount_amount, returned_quantity, refund_amount) values
    (1, 1, 1, 1, 100, 4, 0, 0, 0),
    (2, 1, 1, 2, 50, 4, 10, 0, 0),
    (3, 1, 1, 1, 40, 4, 0, 0, 0),
    (4, 1, 1, 1, 40, 4, 0, 1, 40),
    (5, 1, 1, 1, 30, 4, 0, 0, 0),
    (6, 1, 1, 1, 60, 4, 0, 0, 0);
insert into core.web_traffic (traffic_date, channel, device, country_code, sessions) values
    ('2024-01-10', 'organic_search', 'desktop', 'DE', 10),
    ('2024-03-05', 'paid_search', 'mobile', 'DE', 40);
insert into core.marketing_spend (spend_date, channel, country_code, amount) values
    ('2024-01-05', 'paid_search', 'DE', 50), ('2024-04-02', 'display', 'DE', 20);
"""


@pytest.fixture
def shop(db: Engine) -> Engine:
    with db.begin() as conn:
        conn.exec_driver_sql(SHOP)
    conninfo = db.url.set(drivername="postgresql").render_as_string(hide_password=False)
    refresh(conninfo, settings=Settings(_env_file=None, timezone="UTC"))
    return db


def rows(engine: Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(float(v) if isinstance(v, Decimal) else v for v in r)
                for r in conn.execute(text(sql))]  # fmt: skip


def test_cohort_months_without_orders_are_filled_with_zeros(shop: Engine) -> None:
    got = rows(shop, """
        select cohort_month::text, months_since_first, cohort_customers, active_customers,
               retention_rate, net_revenue, cumulative_net_revenue_per_customer
        from analytics.cohort_retention order by 1, 2
    """)  # fmt: skip
    old = [("2023-03-01", 0, 1, 1, 1.0, 60.0, 60.0)]
    old += [("2023-03-01", k, 1, 0, 0.0, 0.0, 60.0) for k in range(1, 13)]
    assert got == [
        *old,
        ("2024-01-01", 0, 1, 1, 1.0, 100.0, 100.0),
        ("2024-01-01", 1, 1, 0, 0.0, 0.0, 100.0),
        ("2024-01-01", 2, 1, 1, 1.0, 85.0, 185.0),
        ("2024-02-01", 0, 1, 1, 1.0, 30.0, 30.0),
        ("2024-02-01", 1, 1, 0, 0.0, 0.0, 30.0),
        ("2024-03-01", 0, 1, 1, 1.0, 0.0, 0.0),  # the cancelled February order makes no cohort
    ]


def test_cac_is_null_without_acquisitions_or_for_unpaid_channels_without_spend(
    shop: Engine,
) -> None:
    got = {(r[0], r[1]): r[2:] for r in rows(shop, """
        select month::text, channel, sessions, orders, conversion_rate, spend, new_customers,
               cac, net_revenue, roas
        from analytics.channel_performance
    """)}  # fmt: skip
    assert len(got) == 14 * 10  # March 2023 (an order) to April 2024 (spend), every channel
    assert got["2024-01-01", "paid_search"] == (0, 1, None, 50.0, 1, 50.0, 100.0, 2.0)
    assert got["2024-03-01", "paid_search"] == (40, 1, 0.025, 0.0, 0, None, 85.0, None)
    assert got["2024-02-01", "affiliate"] == (0, 1, None, 0.0, 1, 0.0, 30.0, None)
    assert got["2024-03-01", "organic_search"] == (0, 1, None, 0.0, 1, None, 0.0, None)
    assert got["2024-01-01", "organic_search"] == (10, 0, 0.0, 0.0, 0, None, 0.0, None)
    assert got["2024-04-01", "display"] == (0, 0, None, 20.0, 0, None, 0.0, 0.0)
    assert got["2024-02-01", "organic_search"] == (0, 0, None, 0.0, 0, None, 0.0, None)


def test_geo_growth_compares_the_last_365_days_with_the_365_before(shop: Engine) -> None:
    got = rows(shop, """
        select country_code, iso_alpha3, orders, customers, net_revenue, average_order_value,
               net_revenue_last_365, net_revenue_previous_365, net_revenue_yoy_growth
        from analytics.geo_sales order by 1
    """)  # fmt: skip
    assert got == [
        ("DE", "DEU", 2, 1, 185.0, 92.5, 185.0, 0.0, None),
        ("FR", "FRA", 3, 3, 90.0, 30.0, 30.0, 60.0, -0.5),
    ]
    cities = rows(shop, "select * from analytics.geo_top_cities order by 1, 3")
    assert cities == [
        ("DE", "Berlin", 1, 2, 1, 185.0),
        ("FR", "Paris", 1, 2, 2, 60.0),
        ("FR", "Lyon", 2, 1, 1, 30.0),
    ]


def test_seasonality_averages_over_the_weekdays_and_days_in_the_data(shop: Engine) -> None:
    hours = {(r[0], r[1]): r[2:] for r in rows(shop, """
        select weekday, hour, weekday_name, orders, net_revenue, average_orders_per_day
        from analytics.seasonality_weekday_hour
    """)}  # fmt: skip
    # 2023-03-01 to 2024-03-06: 372 days, Wednesday to Wednesday: 54 Wednesdays, 53 of others
    assert len(hours) == 168
    assert hours[3, 12] == ("Wednesday", 3, 245.0, 3 / 54)
    assert hours[2, 12] == ("Tuesday", 1, 30.0, 1 / 53)
    assert hours[5, 10] == ("Friday", 1, 0.0, 1 / 53)
    assert hours[4, 9] == ("Thursday", 0, 0.0, 0.0)  # the cancelled order
    assert sum(v[1] for v in hours.values()) == 5
    months = rows(shop, """
        select month_of_year, month_name, orders, net_revenue, days_covered,
               net_revenue_per_day, index_vs_average
        from analytics.seasonality_month order by 1
    """)  # fmt: skip
    # per day of the history in each month: March has 31 days in 2023 and 6 in 2024, February
    # 2024 29; April has its 30 days and no sales
    per_day = {1: 100 / 31, 2: 30 / 29, 3: 145 / 37}
    mean = sum(per_day.values()) / 12
    assert months[:4] == [
        (1, "January", 1, 100.0, 31, pytest.approx(per_day[1]), pytest.approx(per_day[1] / mean)),
        (2, "February", 1, 30.0, 29, pytest.approx(per_day[2]), pytest.approx(per_day[2] / mean)),
        (3, "March", 3, 145.0, 37, pytest.approx(per_day[3]), pytest.approx(per_day[3] / mean)),
        (4, "April", 0, 0.0, 30, 0.0, 0.0),
    ]
    assert len(months) == 12
