"""Marketing channel and seasonality services: channel performance by month (first-touch
attribution), and when in the week, day and year customers order."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.services.filters import FilterError, Filters, check_known
from salesdw.services.rollups import covering, serial_reads

__all__ = ["Conversion", "Seasonality", "channel_totals", "channels", "conversion", "seasonality"]

_CHANNEL_FLOATS = ("conversion_rate", "spend", "cac", "net_revenue", "roas")


class Seasonality(NamedTuple):
    """Orders and net revenue by weekday and hour (168 rows) and by month of year (12 rows)."""

    weekday_hour: pd.DataFrame
    month: pd.DataFrame


class Conversion(NamedTuple):
    """Orders per web or app session over a period and its countries."""

    sessions: int
    orders: int

    @property
    def rate(self) -> float | None:
        return self.orders / self.sessions if self.sessions else None


def conversion(engine: Engine, filters: Filters) -> Conversion:
    """Sessions (analytics.traffic_daily) and orders not cancelled in the date range and
    countries of the filters. Sessions come from marketing channels and know nothing of sales
    channels, categories or order status, so those filters do not apply to either side."""
    bits = check_known(engine, filters)
    scope = Filters(filters.start, filters.end, countries=filters.countries)
    orders = covering("orders", scope, bits)
    query = f"""
        select
            (select coalesce(sum(sessions), 0) from analytics.traffic_daily
             where traffic_date between :start and :end
                and (cardinality(cast(:countries as text[])) = 0
                     or country_code = any(:countries))) as sessions,
            (select coalesce(sum(orders), 0) from ({orders.sql}) as rows) as orders
    """
    with serial_reads(engine) as conn:
        row = conn.execute(text(query), orders.params).mappings().one()
    return Conversion(int(row["sessions"]), int(row["orders"]))


def _check_date(value: object, name: str) -> date:
    if not isinstance(value, date):
        raise FilterError(f"{name} must be a date such as 2024-01-31 (got {value!r})")
    return value


def channels(engine: Engine, start: date, end: date) -> pd.DataFrame:
    """Rows of analytics.channel_performance for every month that overlaps [start, end]
    (inclusive): sessions, attributed orders, spend, new customers, CAC, net revenue, ROAS."""
    start, end = _check_date(start, "start"), _check_date(end, "end")
    if start > end:
        raise FilterError(f"the start date {start} is after the end date {end}")
    query = """
        select *
        from analytics.channel_performance
        where month between cast(date_trunc('month', cast(:start as date)) as date) and :end
        order by month, channel
    """
    with engine.connect() as conn:
        frame = pd.read_sql(text(query), conn, params={"start": start, "end": end})
    return frame.astype({column: float for column in _CHANNEL_FLOATS})


def channel_totals(engine: Engine, start: date, end: date) -> pd.DataFrame:
    """Per marketing channel, over the months that overlap [start, end]: sessions, orders,
    spend, new customers, net revenue, and the ratios of those sums (conversion rate, CAC,
    ROAS); a last row 'All channels' holds the totals."""
    start, end = _check_date(start, "start"), _check_date(end, "end")
    if start > end:
        raise FilterError(f"the start date {start} is after the end date {end}")
    query = """
        with
        months as (
            select * from analytics.channel_performance
            where month between cast(date_trunc('month', cast(:start as date)) as date) and :end
        ),
        totals as (
            select coalesce(channel_name, 'All channels') as channel_name,
                   sum(sessions) as sessions, sum(orders) as orders, sum(spend) as spend,
                   sum(new_customers) as new_customers, sum(net_revenue) as net_revenue,
                   bool_or(is_paid) as is_paid
            from months
            group by grouping sets ((channel_name), ())
        )
        select channel_name, sessions, orders, spend, new_customers, net_revenue,
               orders::numeric / nullif(sessions, 0) as conversion_rate,
               -- as in channel_performance: no CAC for an unpaid channel without spend
               case
                   when not is_paid and spend = 0 then null
                   else spend / nullif(new_customers, 0)
               end as cac,
               net_revenue / nullif(spend, 0) as roas
        from totals
        order by channel_name = 'All channels', net_revenue desc
    """
    with engine.connect() as conn:
        frame = pd.read_sql(text(query), conn, params={"start": start, "end": end})
    return frame.astype({c: float for c in ("spend", "net_revenue", "conversion_rate", "cac",
                                            "roas")})  # fmt: skip


def seasonality(engine: Engine) -> Seasonality:
    """The weekday x hour grid (analytics.seasonality_weekday_hour) and the month-of-year
    profile (analytics.seasonality_month), in calendar order."""
    with engine.connect() as conn:
        weekday_hour = pd.read_sql(
            text("select * from analytics.seasonality_weekday_hour order by weekday, hour"), conn
        )
        month = pd.read_sql(
            text("select * from analytics.seasonality_month order by month_of_year"), conn
        )
    return Seasonality(
        weekday_hour.astype({"net_revenue": float, "average_orders_per_day": float}),
        month.astype({"net_revenue": float, "net_revenue_per_day": float,
                      "index_vs_average": float}),
    )  # fmt: skip
