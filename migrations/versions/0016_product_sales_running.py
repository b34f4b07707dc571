"""analytics.product_sales_running: product rankings over any date range from two rows each.

One row per product and local day, from its first day with sales to the latest day with sales:
its running totals (units, returns, orders, net revenue, gross profit; orders not cancelled). A
product's sales between days a and b are its row at b minus its row at a - 1, so
services.products.top_products and product_pareto read two rows per product instead of adding
up the dozens of periods that tile the range in product_sales_periods (~250,000 rows for a
year and a half at 10M orders).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 04:40:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, kind, SQL of sql/analytics/<name>.sql): the query, a line with ";", then one statement
# per line (indexes, comments).
VIEWS = [
    (
        "product_sales_running",
        "materialized",
        "-- One row per product and local day, from the product's first day with sales to the latest day\n-- with sales in the warehouse: the product's sales from its first day through that day, orders\n-- not cancelled (running totals). A product's sales between days a and b are its row at b\n-- minus its row at a - 1 (none: nothing before a), so a ranking of every product over any date\n-- range reads two rows per product (see salesdw/services/products.py), not the dozens of\n-- periods that tile the range in product_sales_periods. Every day of a product's life has a row,\n-- with or without sales, so each lookup is an exact match on the day. The measures are\n-- product_sales_periods' (product_performance's definitions), added up from its days.\nwith\n\nproduct_days as (\n    select\n        period_start as sale_day,\n        product_id,\n        units,\n        units_returned,\n        orders,\n        net_revenue,\n        gross_profit\n    from analytics.product_sales_periods\n    where period_grain = 'day'\n),\n\nlatest_day as (\n    -- one index probe, not a pass over the days\n    select max(period_start) as latest_day\n    from analytics.product_sales_periods\n    where period_grain = 'day'\n),\n\nrunning as (\n    -- each day with sales, the totals through it and the last day before the product's next\n    -- day with sales (or the latest day): the days its totals hold for\n    select\n        product_days.product_id,\n        product_days.sale_day,\n        coalesce(\n            lead(product_days.sale_day) over product_history - 1, latest_day.latest_day\n        ) as holds_through,\n        sum(product_days.units) over product_history as units,\n        sum(product_days.units_returned) over product_history as units_returned,\n        sum(product_days.orders) over product_history as orders,\n        sum(product_days.net_revenue) over product_history as net_revenue,\n        sum(product_days.gross_profit) over product_history as gross_profit\n    from product_days\n    cross join latest_day\n    window product_history as (partition by product_days.product_id order by product_days.sale_day)\n),\n\nfinal as (\n    select\n        running.sale_day + spread.days_after as through_day,\n        running.product_id,\n        running.units::bigint as units,\n        running.units_returned::bigint as units_returned,\n        running.orders::bigint as orders,\n        running.net_revenue,\n        running.gross_profit\n    from running\n    cross join lateral\n        generate_series(0, running.holds_through - running.sale_day) as spread (days_after)\n    -- stored in the order of the index the services read by: a day's rows lie together, so the\n    -- two days of a range are a few hundred pages\n    order by through_day, running.product_id\n)\n\nselect * from final\n;\ncreate unique index on mart.product_sales_running (through_day, product_id);\ncomment on view analytics.product_sales_running is 'One row per product and local day (SALESDW_TIMEZONE) from the product''s first day with sales to the latest day with sales: its sales from the first day through this one, orders not cancelled. Sales between days a and b = the row at b minus the row at a - 1 (no row: zero); after the latest day, use the latest day''s row.';\ncomment on column analytics.product_sales_running.through_day is 'The totals are of the local days up to and including this one.';\ncomment on column analytics.product_sales_running.product_id is 'Product (analytics.product_performance).';\ncomment on column analytics.product_sales_running.units is 'Units ordered, running total.';\ncomment on column analytics.product_sales_running.units_returned is 'Units of those returned, running total.';\ncomment on column analytics.product_sales_running.orders is 'Orders with the product (an order with two lines of it counts once), running total.';\ncomment on column analytics.product_sales_running.net_revenue is 'Net revenue (gross revenue - discounts - refunds, shipping not included), running total.';\ncomment on column analytics.product_sales_running.gross_profit is 'Gross profit = net revenue - COGS, running total.';\n",
    ),
]


def upgrade() -> None:
    for name, _kind, text in VIEWS:
        query, _, statements = text.partition("\n;\n")
        op.execute(f"create materialized view mart.{name} as\n{query}")
        op.execute(f"create view analytics.{name} as select * from mart.{name}")
        op.execute(f"comment on materialized view mart.{name} is "
                   f"'Data of analytics.{name}; query that view instead.'")  # fmt: skip
        for statement in statements.strip().splitlines():
            op.execute(statement)


def downgrade() -> None:
    for name, _kind, _text in reversed(VIEWS):
        op.execute(f"drop view analytics.{name}")
        op.execute(f"drop materialized view mart.{name}")
