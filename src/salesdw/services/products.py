"""Product services: rankings and the Pareto (ABC) curve over a date range, category
performance, and products or categories bought together.

Product rankings read analytics.product_sales_periods over a tiling of the date range (see
periods.py), so they cost the same at 10 million orders as at 10 thousand. They honour the date
range and the category filter; they count every order not cancelled, whatever the country,
channel and status filters say (PRODUCT_FILTERS names what applies).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.services.filters import FilterError, Filters, check_known
from salesdw.services.periods import tile

__all__ = [
    "BASKET_KINDS",
    "PRODUCT_FILTERS",
    "basket_pairs",
    "category_performance",
    "product_pareto",
    "top_products",
]

#: The filters that product rankings honour (the others do not apply to them).
PRODUCT_FILTERS = ("start", "end", "categories")
BASKET_KINDS = ("product", "category")
CATEGORY_LEVELS = ("top", "sub")

_PRODUCT_SALES = """
    with
    tiles as (
        select *
        from unnest(cast(:grains as text[]), cast(:starts as date[]))
            as tiles (period_grain, period_start)
    ),
    sales as (
        select
            periods.product_id,
            sum(periods.units) as units,
            sum(periods.units_returned) as units_returned,
            sum(periods.orders) as orders,
            sum(periods.net_revenue) as net_revenue,
            sum(periods.gross_profit) as gross_profit
        from analytics.product_sales_periods as periods
        inner join tiles
            on tiles.period_grain = periods.period_grain
            and tiles.period_start = periods.period_start
        group by 1
    ),
    ranked as (
        select
            sales.product_id,
            products.sku,
            products.product_name,
            products.brand,
            products.top_category_id,
            products.top_category_name,
            sales.units,
            sales.units_returned,
            sales.units_returned::numeric / nullif(sales.units, 0) as return_rate,
            sales.orders,
            sales.net_revenue,
            sales.gross_profit,
            sales.gross_profit / nullif(sales.net_revenue, 0) as gross_margin,
            products.average_rating,
            products.review_count,
            sales.net_revenue / nullif(sum(sales.net_revenue) over (), 0) as revenue_share,
            sum(sales.net_revenue) over (
                order by sales.net_revenue desc, sales.product_id
                rows between unbounded preceding and current row
            ) as cumulative_net_revenue,
            sum(sales.net_revenue) over () as total_net_revenue
        from sales
        inner join analytics.product_performance as products
            on products.product_id = sales.product_id
        where cardinality(cast(:categories as integer[])) = 0
            or products.top_category_id = any(:categories)
    )
"""

_FLOATS = ("return_rate", "net_revenue", "gross_profit", "gross_margin", "average_rating",
           "revenue_share")  # fmt: skip


def _sales_params(engine: Engine, filters: Filters) -> dict:
    check_known(engine, filters)
    tiles = tile(filters.start, filters.end)
    return {
        "grains": [grain for grain, _ in tiles],
        "starts": [start for _, start in tiles],
        "categories": list(filters.categories),
    }


def _read(engine: Engine, query: str, params: dict) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(text(query), conn, params=params)


def top_products(engine: Engine, filters: Filters, n: int = 20) -> pd.DataFrame:
    """The n products with the most net revenue in the date range (and categories), best first:
    units, orders, net revenue, gross profit and margin, return rate, share of the range's net
    revenue, all-time rating."""
    if not isinstance(n, int) or n < 1:
        raise FilterError(f"n must be a positive whole number (got {n!r})")
    query = (
        _PRODUCT_SALES
        + """
        select
            product_id, sku, product_name, brand, top_category_id, top_category_name, units,
            units_returned, return_rate, orders, net_revenue, gross_profit, gross_margin,
            revenue_share, average_rating, review_count
        from ranked
        order by net_revenue desc, product_id
        limit :n
    """
    )
    frame = _read(engine, query, {**_sales_params(engine, filters), "n": n})
    return frame.astype({column: float for column in _FLOATS})


def product_pareto(engine: Engine, filters: Filters) -> pd.DataFrame:
    """Every product with sales in the range, by net revenue (highest first), with the
    cumulative share of the range's net revenue and its ABC class (A up to 80%, B up to 95%,
    C the rest: the rule of analytics.product_performance.abc_class)."""
    query = (
        _PRODUCT_SALES
        + """
        select
            row_number() over (order by net_revenue desc, product_id) as product_rank,
            product_id, sku, product_name, top_category_name, units, net_revenue,
            gross_margin, return_rate,
            cumulative_net_revenue / nullif(total_net_revenue, 0) as cumulative_share,
            case
                when total_net_revenue <= 0 then 'C'
                when cumulative_net_revenue <= 0.80 * total_net_revenue then 'A'
                when cumulative_net_revenue <= 0.95 * total_net_revenue then 'B'
                else 'C'
            end as abc_class
        from ranked
        order by product_rank
    """
    )
    frame = _read(engine, query, _sales_params(engine, filters))
    return frame.astype(
        {c: float for c in ("net_revenue", "gross_margin", "return_rate", "cumulative_share")}
    )


def category_performance(engine: Engine, level: str = "top") -> pd.DataFrame:
    """analytics.category_performance for top-level categories or subcategories, by net revenue:
    all-time measures, ABC class, and the BCG quadrant from the last 365 days' growth."""
    if level not in CATEGORY_LEVELS:
        raise FilterError(f"unknown level {level!r}; choose from {', '.join(CATEGORY_LEVELS)}")
    query = """
        select * from analytics.category_performance
        where level = :level
        order by net_revenue desc, category_id
    """
    frame = _read(engine, query, {"level": level})
    floats = [c for c in frame.columns if c not in {
        "category_id", "category_name", "level", "parent_category_id", "units",
        "units_returned", "orders", "review_count", "abc_class", "bcg_quadrant",
    }]  # fmt: skip
    return frame.astype({column: float for column in floats})


def basket_pairs(
    engine: Engine, kind: str = "product", n: int = 20, min_orders: int = 5
) -> pd.DataFrame:
    """The n pairs of products (or top-level categories) bought together with the highest lift
    among pairs seen in at least min_orders orders (analytics.basket_pairs; all time)."""
    if kind not in BASKET_KINDS:
        raise FilterError(f"unknown pair kind {kind!r}; choose from {', '.join(BASKET_KINDS)}")
    if not isinstance(n, int) or n < 1:
        raise FilterError(f"n must be a positive whole number (got {n!r})")
    if not isinstance(min_orders, int) or min_orders < 1:
        raise FilterError(f"min_orders must be a positive whole number (got {min_orders!r})")
    query = """
        select * from analytics.basket_pairs
        where pair_kind = :kind and orders_together >= :min_orders
        order by lift desc, orders_together desc, item_a, item_b
        limit :n
    """
    frame = _read(engine, query, {"kind": kind, "n": n, "min_orders": min_orders})
    return frame.astype(
        {c: float for c in ("support", "confidence_a_to_b", "confidence_b_to_a", "lift")}
    )
