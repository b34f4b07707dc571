"""Product services: rankings and the Pareto (ABC) curve over a date range, category
performance, and products or categories bought together.

Product rankings read two rows per product of analytics.product_sales_running (running totals
at the range's last day and at the day before it), so they cost the same at 10 million orders
as at 10 thousand, whatever the range. They honour the date range and the category filter;
they count every order not cancelled, whatever the country, channel and status filters say
(PRODUCT_FILTERS names what applies).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.services.filters import FilterError, Filters, check_known

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
    bounds as (
        -- a range's sales are the running totals at its last day (the latest day with sales,
        -- if it runs past it) minus those at the day before it
        select
            cast(:start as date) - 1 as day_before,
            least(
                cast(:end as date),
                (select max(through_day) from analytics.product_sales_running)
            ) as last_day
    ),
    at_last_day as (
        select running.*
        from analytics.product_sales_running as running
        inner join bounds on running.through_day = bounds.last_day
        where bounds.last_day > bounds.day_before
    ),
    at_day_before as (
        select running.*
        from analytics.product_sales_running as running
        inner join bounds on running.through_day = bounds.day_before
    ),
    sales as (
        -- a product with totals the day before has them on every later day: a left join
        select
            at_last_day.product_id,
            at_last_day.units - coalesce(at_day_before.units, 0) as units,
            at_last_day.units_returned - coalesce(at_day_before.units_returned, 0)
                as units_returned,
            at_last_day.orders - coalesce(at_day_before.orders, 0) as orders,
            at_last_day.net_revenue - coalesce(at_day_before.net_revenue, 0) as net_revenue,
            at_last_day.gross_profit - coalesce(at_day_before.gross_profit, 0) as gross_profit
        from at_last_day
        left join at_day_before on at_day_before.product_id = at_last_day.product_id
        -- products with a line in the range: each has an order there
        where at_last_day.orders > coalesce(at_day_before.orders, 0)
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
            -- ratios in float8, as they are returned
            sales.units_returned::float8 / nullif(sales.units, 0) as return_rate,
            sales.orders,
            sales.net_revenue,
            sales.gross_profit,
            sales.gross_profit::float8 / nullif(sales.net_revenue, 0)::float8 as gross_margin,
            products.average_rating,
            products.review_count,
            sales.net_revenue::float8 / nullif(sum(sales.net_revenue) over (), 0)::float8
                as revenue_share,
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

#: Cast to float8 in SQL (pandas builds floats far faster than Decimals) and here again, so an
#: all-null column is float too.
_FLOATS = ("return_rate", "net_revenue", "gross_profit", "gross_margin", "average_rating",
           "revenue_share")  # fmt: skip


def _sales_params(engine: Engine, filters: Filters) -> dict:
    check_known(engine, filters)
    return {"start": filters.start, "end": filters.end, "categories": list(filters.categories)}


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
            units_returned, return_rate, orders, net_revenue::float8, gross_profit::float8,
            gross_margin, revenue_share, average_rating::float8, review_count
        from ranked
        order by ranked.net_revenue desc, ranked.product_id
        limit :n
    """
    )
    frame = _read(engine, query, {**_sales_params(engine, filters), "n": n})
    return frame.astype({column: float for column in _FLOATS})


#: The Pareto curve's columns, over _PRODUCT_SALES's ranked products.
_PARETO = """
    row_number() over (order by net_revenue desc, product_id) as product_rank,
    product_id, sku, product_name, top_category_name, units, net_revenue::float8, gross_margin,
    return_rate,
    cumulative_net_revenue::float8 / nullif(total_net_revenue, 0)::float8 as cumulative_share,
    case
        when total_net_revenue <= 0 then 'C'
        when cumulative_net_revenue <= 0.80 * total_net_revenue then 'A'
        when cumulative_net_revenue <= 0.95 * total_net_revenue then 'B'
        else 'C'
    end as abc_class
"""


def product_pareto(engine: Engine, filters: Filters, points: int | None = None) -> pd.DataFrame:
    """Every product with sales in the range, by net revenue (highest first), with the
    cumulative share of the range's net revenue and its ABC class (A up to 80%, B up to 95%,
    C the rest: the rule of analytics.product_performance.abc_class).

    With `points`, the curve for a chart: about that many products evenly spread over the
    ranks, plus the first and last product of each class so the class boundaries stay exact
    (thousands of products draw the same line, slower)."""
    if points is not None and (not isinstance(points, int) or points < 2):
        raise FilterError(f"points must be a whole number of 2 or more (got {points!r})")
    if points is None:
        # in the ranking's own order (ranked's columns, not the float8 outputs): no sort
        query = (
            f"{_PRODUCT_SALES} select {_PARETO} from ranked"
            " order by ranked.net_revenue desc, ranked.product_id"
        )
    else:
        query = f"""{_PRODUCT_SALES},
        curve as (
            select {_PARETO}, count(*) over () as products from ranked
        ),
        classed as (
            select
                *,
                min(product_rank) over by_class as class_first,
                max(product_rank) over by_class as class_last
            from curve
            window by_class as (partition by abc_class)
        )
        select
            product_rank, product_id, sku, product_name, top_category_name, units, net_revenue,
            gross_margin, return_rate, cumulative_share, abc_class
        from classed
        where product_rank in (class_first, class_last)
            -- every k-th rank, k = products / points rounded up
            or product_rank % ((products + :points - 1) / :points) = 0
        order by product_rank
        """
    frame = _read(engine, query, {**_sales_params(engine, filters), "points": points})
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
