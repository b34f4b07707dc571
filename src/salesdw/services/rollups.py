"""The rows that add up to a filtered date range, read from the period rollups.

analytics.sales_periods and analytics.order_periods hold sales_daily's and orders_daily's
measures per week, month and year (and per day for the smaller rollups), at six levels of
detail: rollup 'none' (per status), 'country' (and country), 'channel' (and channel),
'country_channel' (country and channel), 'channel_category' (channel and category, every country
together) and 'full' (country, channel and category). Orders are kept apart by set of categories
(their mask), hundreds of sets per period, so a rollup without categories is far smaller.
A service asks for the smallest rollup its filters need, and for the tiling of its date range by
whole periods (periods.tile); the days of the full rollup come from the daily views themselves.
So a year of sales costs a few dozen rows without filters, and a few thousand with every filter,
whatever the size of the warehouse.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from salesdw.services.filters import FilterError, Filters
from salesdw.services.periods import GRAIN_ORDER, tile

__all__ = [
    "DIMENSIONS",
    "ORDER_MEASURES",
    "SALES_MEASURES",
    "Covering",
    "covering",
    "serial_reads",
]

SALES_MEASURES = ("units", "units_returned", "gross_revenue", "discounts", "refunds",
                  "net_revenue", "cogs", "gross_profit", "shipping_fees")  # fmt: skip
ORDER_MEASURES = ("orders", "new_customers", "units")

_SOURCES = {
    # kind: (period view, daily view, category column, category condition)
    "sales": ("sales_periods", "sales_daily", "category_id", "category_id = any(:categories)"),
    "orders": (
        "order_periods", "orders_daily", "category_mask", "category_mask & :category_mask <> 0"
    ),
}  # fmt: skip
#: Dimensions a caller may break sales down by (status is in every rollup).
DIMENSIONS = ("status", "country", "channel", "category")
#: The smallest rollup that keeps (country, channel, category) apart, by which it must keep.
_ROLLUPS = {
    (False, False, False): "none",
    (True, False, False): "country",
    (False, True, False): "channel",
    (True, True, False): "country_channel",
    (False, False, True): "channel_category",
    (False, True, True): "channel_category",
    (True, False, True): "full",
    (True, True, True): "full",
}

#: The parameter holding each grain's period starts.
_GRAIN_PARAMS = {"year": "years", "month": "months", "week": "weeks", "day": "period_days"}

_FILTERS = """
        and status = any(:statuses)
        and (cardinality(cast(:countries as text[])) = 0 or country_code = any(:countries))
        and (cardinality(cast(:channels as text[])) = 0 or channel = any(:channels))
        and (cardinality(cast(:categories as integer[])) = 0 or {category})
"""


@contextmanager
def serial_reads(engine: Engine) -> Iterator[Connection]:
    """A connection whose queries run without parallel workers, for reading a covering.

    A covering is a few thousand rows found by index, but the planner, costing the union of its
    branches, often starts two parallel workers for it: ~5 ms of start-up for a query that takes
    well under one. The setting is local to the connection's transaction."""
    with engine.connect() as conn:
        conn.execute(text("set local max_parallel_workers_per_gather = 0"))
        yield conn


@dataclass(frozen=True)
class Covering:
    """A subquery (columns period_start, status, country_code, channel, the category column
    and the measures) and its parameters."""

    sql: str
    params: dict


def covering(
    kind: str,
    filters: Filters,
    category_bits: dict[int, int],
    *,
    by_country: bool = False,
    by: str | None = None,
    grains: tuple[str, ...] = GRAIN_ORDER,
) -> Covering:
    """The rows of `kind` ('sales' or 'orders') whose measures add up to the filtered range.

    `grains` are the periods the range may be tiled with, coarsest first, ending with 'day': a
    trend by month must not read weeks, which straddle months. `by` (status, country, channel
    or category) keeps that dimension apart even without a filter on it; `by_country` is
    by="country"."""
    periods_view, daily_view, category_column, category = _SOURCES[kind]
    measures = SALES_MEASURES if kind == "sales" else ORDER_MEASURES
    if by is not None and by not in DIMENSIONS:
        raise FilterError(f"cannot break sales down by {by!r}; choose from "
                          f"{', '.join(DIMENSIONS)}")  # fmt: skip
    keeps_country = by_country or bool(filters.countries) or by == "country"
    keeps_channel = bool(filters.channels) or by == "channel"
    keeps_category = bool(filters.categories) or by == "category"
    rollup = _ROLLUPS[(keeps_country, keeps_channel, keeps_category)]
    tiles = tile(filters.start, filters.end, grains)
    starts = {grain: [start for g, start in tiles if g == grain] for grain in GRAIN_ORDER}
    days_from_daily = starts["day"] if rollup == "full" else []
    days_from_periods = [] if rollup == "full" else starts["day"]
    columns = ", ".join(["status", "country_code", "channel", category_column, *measures])
    where = _FILTERS.format(category=category)
    # a branch per grain, so the index on (period_start, rollup, period_grain, ...) finds each
    # period's rows rather than scanning the whole rollup
    branches = [
        f"""
        select period_start, {columns}
        from analytics.{periods_view}
        where rollup = :rollup and period_grain = '{grain}' and period_start = any(:{key}){where}
        """
        for grain, key in _GRAIN_PARAMS.items()
    ]
    branches.append(f"""
        select order_date as period_start, {columns}
        from analytics.{daily_view}
        where order_date = any(:daily_days){where}
    """)
    sql = "\n        union all".join(branches)
    params = {
        **filters.params(category_bits),
        "rollup": rollup,
        "years": starts["year"],
        "months": starts["month"],
        "weeks": starts["week"],
        "period_days": days_from_periods,
        "daily_days": days_from_daily,
    }
    return Covering(sql, params)
