"""Sales services: KPIs against the previous equal period, and the trend by day to quarter."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.services.filters import FilterError, Filters, check_known
from salesdw.services.rollups import covering, serial_reads

GRAINS = ("day", "week", "month", "quarter")
#: The periods a trend by each grain may be tiled with: only periods that nest in the grain.
TREND_TILES = {
    "day": ("day",),
    "week": ("week", "day"),
    "month": ("month", "day"),
    "quarter": ("month", "day"),
}


@dataclass(frozen=True)
class Kpis:
    """Sales KPIs of one period (metric definitions: docs/metrics.md)."""

    net_revenue: float
    gross_revenue: float
    discounts: float
    refunds: float
    cogs: float
    gross_profit: float
    units: int
    orders: int
    new_customers: int

    @property
    def average_order_value(self) -> float | None:
        return self.net_revenue / self.orders if self.orders else None

    @property
    def gross_margin(self) -> float | None:
        return self.gross_profit / self.net_revenue if self.net_revenue else None


@dataclass(frozen=True)
class KpiComparison:
    current: Kpis
    previous: Kpis

    def change(self, name: str) -> float | None:
        """Relative change of a KPI against the previous period (0.1 = +10%)."""
        now, before = getattr(self.current, name), getattr(self.previous, name)
        if now is None or not before:
            return None
        return now / before - 1


def _period_kpis(engine: Engine, filters: Filters, bits: dict[int, int]) -> Kpis:
    money = covering("sales", filters, bits)
    counts = covering("orders", filters, bits)
    with serial_reads(engine) as conn:
        totals = conn.execute(text(f"""
            select
                coalesce(sum(gross_revenue), 0) as gross_revenue,
                coalesce(sum(discounts), 0) as discounts,
                coalesce(sum(refunds), 0) as refunds,
                coalesce(sum(net_revenue), 0) as net_revenue,
                coalesce(sum(cogs), 0) as cogs,
                coalesce(sum(gross_profit), 0) as gross_profit,
                coalesce(sum(units), 0) as units
            from ({money.sql}) as rows
        """), money.params).mappings().one()  # fmt: skip
        orders = conn.execute(text(f"""
            select
                coalesce(sum(orders), 0) as orders,
                coalesce(sum(new_customers), 0) as new_customers
            from ({counts.sql}) as rows
        """), counts.params).mappings().one()  # fmt: skip
    return Kpis(
        net_revenue=float(totals["net_revenue"]), gross_revenue=float(totals["gross_revenue"]),
        discounts=float(totals["discounts"]), refunds=float(totals["refunds"]),
        cogs=float(totals["cogs"]), gross_profit=float(totals["gross_profit"]),
        units=int(totals["units"]), orders=int(orders["orders"]),
        new_customers=int(orders["new_customers"]),
    )  # fmt: skip


def kpis(engine: Engine, filters: Filters) -> KpiComparison:
    """KPIs of the filtered period and of the equal period before it."""
    bits = check_known(engine, filters)
    return KpiComparison(
        _period_kpis(engine, filters, bits), _period_kpis(engine, filters.previous_period(), bits)
    )


def sales_trend(engine: Engine, filters: Filters, grain: str = "day") -> pd.DataFrame:
    """Net revenue, gross profit, units and orders per day, week, month or quarter."""
    if grain not in GRAINS:
        raise FilterError(f"unknown grain {grain!r}; choose from {', '.join(GRAINS)}")
    bits = check_known(engine, filters)
    money = covering("sales", filters, bits, grains=TREND_TILES[grain])
    counts = covering("orders", filters, bits, grains=TREND_TILES[grain])
    # the two subqueries share the filter parameters; their tilings are the same
    query = f"""
        with
        money as (
            select date_trunc(:grain, period_start)::date as period,
                   sum(net_revenue) as net_revenue, sum(gross_profit) as gross_profit,
                   sum(units) as units
            from ({money.sql}) as rows
            group by 1
        ),
        counts as (
            select date_trunc(:grain, period_start)::date as period, sum(orders) as orders
            from ({counts.sql}) as rows
            group by 1
        )
        select coalesce(money.period, counts.period) as period,
               coalesce(money.net_revenue, 0) as net_revenue,
               coalesce(money.gross_profit, 0) as gross_profit,
               coalesce(money.units, 0) as units,
               coalesce(counts.orders, 0) as orders
        from money full join counts on counts.period = money.period
        order by 1
    """
    with serial_reads(engine) as conn:
        frame = pd.read_sql(text(query), conn, params={**money.params, "grain": grain})
    return frame.astype({"net_revenue": float, "gross_profit": float})


def freshness(engine: Engine) -> pd.DataFrame:
    """When each analytics view was refreshed, and the latest order it covers."""
    with engine.connect() as conn:
        return pd.read_sql(text("select * from analytics.data_freshness order by 1"), conn)
