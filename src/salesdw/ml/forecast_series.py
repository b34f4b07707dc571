"""The series the forecast model predicts, read from the analytics views.

Net revenue and orders, daily and by ISO week, for the total and for the top N countries,
top-level categories and sales channels by net revenue over the last 365 days of history.
Cancelled orders are left out, as every sales metric does (docs/metrics.md). Orders per
category count the orders with a line in the category (orders_daily.category_mask), so the
category series of orders do not add up to the total: an order can span categories.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import psycopg

from salesdw.ml.runs import read_frame

__all__ = ["CHANNEL_LABELS", "Series", "load_series", "to_weekly"]

#: Human names of the sales channels (core.orders.channel).
CHANNEL_LABELS = {
    "web": "Web",
    "mobile_app": "Mobile app",
    "marketplace": "Marketplace",
    "social": "Social",
}

#: Net revenue per day and series: the total and every country from the day rows of the
#: sales_periods rollups (a few rows per day), every channel and category from sales_daily.
REVENUE_SQL = """
select
    period_start as order_date,
    case when rollup = 'none' then 'total' else 'country' end as series_kind,
    case when rollup = 'none' then 'all' else country_code end as series_value,
    sum(net_revenue)::float8 as net_revenue
from analytics.sales_periods
where period_grain = 'day' and rollup in ('none', 'country') and status <> 'cancelled'
group by 1, 2, 3
union all
select
    order_date,
    case when grouping(channel) = 0 then 'channel' else 'category' end as series_kind,
    case when grouping(channel) = 0 then channel else category_id::text end as series_value,
    sum(net_revenue::float8) as net_revenue
from analytics.sales_daily
where status <> 'cancelled'
group by grouping sets ((order_date, channel), (order_date, category_id))
"""

#: Orders per day for the total, every country (order_periods) and every channel.
ORDERS_SQL = """
select
    period_start as order_date,
    case when rollup = 'none' then 'total' else 'country' end as series_kind,
    case when rollup = 'none' then 'all' else country_code end as series_value,
    sum(orders)::float8 as orders
from analytics.order_periods
where period_grain = 'day' and rollup in ('none', 'country') and status <> 'cancelled'
group by 1, 2, 3
union all
select
    order_date,
    'channel' as series_kind,
    channel as series_value,
    sum(orders)::float8 as orders
from analytics.orders_daily
where status <> 'cancelled'
group by 1, 2, 3
"""

#: Orders per day with a line in each of the given top-level categories.
CATEGORY_ORDERS_SQL = """
select
    orders_daily.order_date,
    'category' as series_kind,
    category_bits.category_id::text as series_value,
    sum(orders_daily.orders)::float8 as orders
from analytics.orders_daily
inner join analytics.category_bits
    on orders_daily.category_mask & (1::bigint << category_bits.category_bit) <> 0
where orders_daily.status <> 'cancelled'
    and category_bits.category_id = any(%s)
group by 1, 2, 3
"""


@dataclass(frozen=True)
class Series:
    """One series to forecast: its key, its label and its values (one per day or ISO week,
    gaps filled with zeros, from its first non-zero value to the end of the data)."""

    metric: str  # net_revenue or orders
    frequency: str  # day or week
    series_kind: str  # total, country, category or channel
    series_value: str  # all, a country code, a category id or a channel
    series_label: str
    values: pd.Series  # float values on a DatetimeIndex (days, or the Mondays of ISO weeks)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.metric, self.frequency, self.series_kind, self.series_value)


def load_series(conn: psycopg.Connection, top_n: int) -> list[Series]:
    """Every series to forecast, daily and weekly; empty when the views hold no sales."""
    revenue = read_frame(conn, REVENUE_SQL)
    if revenue.empty:
        return []
    revenue = revenue.dropna(subset=["series_value"])  # sales with no country
    revenue["order_date"] = pd.to_datetime(revenue["order_date"])
    first, last = revenue["order_date"].min(), revenue["order_date"].max()
    chosen = _top_series(revenue, last, top_n)
    labels = _labels(conn)

    orders = read_frame(conn, ORDERS_SQL)
    categories = [int(value) for kind, value in chosen if kind == "category"]
    if categories:
        orders = pd.concat([orders, read_frame(conn, CATEGORY_ORDERS_SQL, [categories])])
    orders = orders.dropna(subset=["series_value"])
    orders["order_date"] = pd.to_datetime(orders["order_date"])

    days = pd.date_range(first, last, freq="D")
    series: list[Series] = []
    for metric, frame in [("net_revenue", revenue), ("orders", orders)]:
        wide = frame.pivot_table(
            index="order_date", columns=["series_kind", "series_value"], values=metric,
            aggfunc="sum",
        ).reindex(days, fill_value=0.0).fillna(0.0)  # fmt: skip
        for kind, value in chosen:
            if (kind, value) not in wide.columns:
                continue
            daily = _from_first_sale(wide[(kind, value)].astype(float).rename(None))
            if daily.empty:
                continue
            label = labels.get((kind, value), value)
            series.append(Series(metric, "day", kind, value, label, daily))
            weekly = to_weekly(daily)
            if not weekly.empty:
                series.append(Series(metric, "week", kind, value, label, weekly))
    return series


def to_weekly(daily: pd.Series) -> pd.Series:
    """Sum a daily series by ISO week (Monday to Sunday), keeping only complete weeks; the index
    is each week's Monday."""
    if daily.empty:
        return daily
    start = daily.index[0] + pd.Timedelta(days=(7 - daily.index[0].weekday()) % 7)
    end = daily.index[-1] - pd.Timedelta(days=(daily.index[-1].weekday() + 1) % 7)
    if end < start + pd.Timedelta(days=6):
        return daily.iloc[:0]
    complete = daily.loc[start:end]
    return complete.resample("W-MON", label="left", closed="left").sum()


def _top_series(revenue: pd.DataFrame, last: pd.Timestamp, top_n: int) -> list[tuple[str, str]]:
    """The total, then the top N countries, categories and channels by net revenue over the
    last 365 days (what matters now, rather than three years ago)."""
    recent = revenue[revenue["order_date"] > last - pd.Timedelta(days=365)]
    totals = recent.groupby(["series_kind", "series_value"])["net_revenue"].sum()
    chosen = [("total", "all")]
    for kind in ("country", "category", "channel"):
        if kind in totals.index.get_level_values(0):
            ranked = totals.loc[kind].sort_values(ascending=False, kind="stable")
            chosen += [(kind, str(value)) for value in ranked.index[:top_n] if ranked[value] > 0]
    return chosen


def _labels(conn: psycopg.Connection) -> dict[tuple[str, str], str]:
    labels = {("total", "all"): "All sales"}
    labels |= {("channel", key): name for key, name in CHANNEL_LABELS.items()}
    for code, name in conn.execute("select country_code, name from analytics.countries"):
        labels[("country", code)] = name
    for category_id, name in conn.execute(
        "select category_id, category_name from analytics.category_bits"
    ):
        labels[("category", str(category_id))] = name
    return labels


def _from_first_sale(values: pd.Series) -> pd.Series:
    """The series from its first non-zero value (a country may start selling late)."""
    nonzero = np.flatnonzero(values.to_numpy() != 0)
    return values.iloc[nonzero[0] :] if len(nonzero) else values.iloc[:0]
