"""kpi_monthly counts each month's customers from active_customer_days instead of a distinct
count over every order.

The customers with an order in a month are the month's orders whose customer's previous order
(not cancelled) was before the month, or who had none: one order each, their first in the
month. active_customer_days holds those orders per day and previous day, a few hundred
thousand rows at 10M orders, so the count reads those rather than sorting 10M orders by
customer: the view's query took 1.0 s against 7.6 s at 10M orders, with the same rows.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 16:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, kind, SQL of sql/analytics/<name>.sql): the query, a line with ";", then one statement
# per line (indexes, comments).
VIEWS = [
    (
        "kpi_monthly",
        "materialized",
        "-- One row per local calendar month: the sales KPIs, with month-over-month and year-over-year\n-- growth. Cancelled orders are excluded throughout.\nwith\n\nsales as (\n    -- (a date is truncated as a timestamp: date_trunc would otherwise take it as a timestamptz,\n    -- through the session's time zone, several times slower)\n    select\n        date_trunc('month', order_date::timestamp)::date as month,\n        sum(units) as units,\n        sum(gross_revenue) as gross_revenue,\n        sum(discounts) as discounts,\n        sum(refunds) as refunds,\n        sum(net_revenue) as net_revenue,\n        sum(cogs) as cogs,\n        sum(gross_profit) as gross_profit,\n        sum(shipping_fees) as shipping_fees\n    from analytics.sales_daily\n    where status <> 'cancelled'\n    group by 1\n),\n\norder_counts as (\n    select\n        date_trunc('month', order_date::timestamp)::date as month,\n        sum(orders) as orders,\n        sum(new_customers) as new_customers\n    from analytics.orders_daily\n    where status <> 'cancelled'\n    group by 1\n),\n\nactive_customers as (\n    -- the customers with an order in a month are the month's orders whose customer's previous\n    -- order (not cancelled) was before the month, or who had none: one order each, their first\n    -- in the month (see active_customer_days). A few hundred thousand rows of day pairs, not a\n    -- distinct count over every order (at 10M orders, 1 s against 7.6 s)\n    select\n        date_trunc('month', order_date::timestamp)::date as month,\n        (sum(orders) filter (\n            where previous_order_date is null\n                or previous_order_date < date_trunc('month', order_date::timestamp)::date\n        ))::bigint as customers\n    from analytics.active_customer_days\n    group by 1\n),\n\nmonths as (\n    select generate_series(min(month), max(month), interval '1 month')::date as month\n    from order_counts\n),\n\nmonthly as (\n    select\n        months.month,\n        coalesce(order_counts.orders, 0) as orders,\n        coalesce(sales.units, 0) as units,\n        coalesce(sales.gross_revenue, 0) as gross_revenue,\n        coalesce(sales.discounts, 0) as discounts,\n        coalesce(sales.refunds, 0) as refunds,\n        coalesce(sales.net_revenue, 0) as net_revenue,\n        coalesce(sales.cogs, 0) as cogs,\n        coalesce(sales.gross_profit, 0) as gross_profit,\n        coalesce(sales.shipping_fees, 0) as shipping_fees,\n        coalesce(active_customers.customers, 0) as customers,\n        coalesce(order_counts.new_customers, 0) as new_customers\n    from months\n    left join sales on sales.month = months.month\n    left join order_counts on order_counts.month = months.month\n    left join active_customers on active_customers.month = months.month\n),\n\nfinal as (\n    select\n        month,\n        orders,\n        units,\n        gross_revenue,\n        discounts,\n        refunds,\n        net_revenue,\n        cogs,\n        gross_profit,\n        gross_profit / nullif(net_revenue, 0) as gross_margin,\n        net_revenue / nullif(orders, 0) as average_order_value,\n        shipping_fees,\n        customers,\n        new_customers,\n        customers - new_customers as returning_customers,\n        net_revenue / nullif(lag(net_revenue) over (order by month), 0) - 1\n            as net_revenue_mom_growth,\n        net_revenue / nullif(lag(net_revenue, 12) over (order by month), 0) - 1\n            as net_revenue_yoy_growth,\n        orders::numeric / nullif(lag(orders) over (order by month), 0) - 1 as orders_mom_growth,\n        orders::numeric / nullif(lag(orders, 12) over (order by month), 0) - 1\n            as orders_yoy_growth\n    from monthly\n)\n\nselect * from final\n;\ncreate unique index on mart.kpi_monthly (month);\ncomment on view analytics.kpi_monthly is 'One row per local calendar month (SALESDW_TIMEZONE): sales KPIs with month-over-month and year-over-year growth. Cancelled orders excluded.';\ncomment on column analytics.kpi_monthly.month is 'First day of the month.';\ncomment on column analytics.kpi_monthly.orders is 'Orders not cancelled.';\ncomment on column analytics.kpi_monthly.units is 'Units ordered.';\ncomment on column analytics.kpi_monthly.gross_revenue is 'Gross revenue: sum of quantity x unit price.';\ncomment on column analytics.kpi_monthly.discounts is 'Line plus order discounts.';\ncomment on column analytics.kpi_monthly.refunds is 'Money refunded.';\ncomment on column analytics.kpi_monthly.net_revenue is 'Net revenue = gross revenue - discounts - refunds (shipping not included).';\ncomment on column analytics.kpi_monthly.cogs is 'Cost of goods sold: (quantity - returned quantity) x unit cost.';\ncomment on column analytics.kpi_monthly.gross_profit is 'Gross profit = net revenue - COGS.';\ncomment on column analytics.kpi_monthly.gross_margin is 'Gross profit / net revenue.';\ncomment on column analytics.kpi_monthly.average_order_value is 'Average order value = net revenue / orders.';\ncomment on column analytics.kpi_monthly.shipping_fees is 'Shipping charged to customers, apart from revenue.';\ncomment on column analytics.kpi_monthly.customers is 'Distinct customers with an order that month.';\ncomment on column analytics.kpi_monthly.new_customers is 'Customers whose first order (not cancelled) fell in the month.';\ncomment on column analytics.kpi_monthly.returning_customers is 'Customers with an order that month who had ordered before.';\ncomment on column analytics.kpi_monthly.net_revenue_mom_growth is 'Net revenue against the previous month: 0.1 = +10%; null without a base.';\ncomment on column analytics.kpi_monthly.net_revenue_yoy_growth is 'Net revenue against the same month a year before.';\ncomment on column analytics.kpi_monthly.orders_mom_growth is 'Orders against the previous month.';\ncomment on column analytics.kpi_monthly.orders_yoy_growth is 'Orders against the same month a year before.';\n",
    ),
]

#: kpi_monthly as 0023 froze it.
PREVIOUS = {
    "kpi_monthly": "-- One row per local calendar month: the sales KPIs, with month-over-month and year-over-year\n-- growth. Cancelled orders are excluded throughout.\nwith\n\nsales as (\n    -- (a date is truncated as a timestamp: date_trunc would otherwise take it as a timestamptz,\n    -- through the session's time zone, several times slower)\n    select\n        date_trunc('month', order_date::timestamp)::date as month,\n        sum(units) as units,\n        sum(gross_revenue) as gross_revenue,\n        sum(discounts) as discounts,\n        sum(refunds) as refunds,\n        sum(net_revenue) as net_revenue,\n        sum(cogs) as cogs,\n        sum(gross_profit) as gross_profit,\n        sum(shipping_fees) as shipping_fees\n    from analytics.sales_daily\n    where status <> 'cancelled'\n    group by 1\n),\n\norder_counts as (\n    select\n        date_trunc('month', order_date::timestamp)::date as month,\n        sum(orders) as orders,\n        sum(new_customers) as new_customers\n    from analytics.orders_daily\n    where status <> 'cancelled'\n    group by 1\n),\n\nactive_customers as (\n    select\n        date_trunc('month', order_date::timestamp)::date as month,\n        count(distinct customer_id) as customers\n    from mart.order_facts\n    where status <> 'cancelled'\n    group by 1\n),\n\nmonths as (\n    select generate_series(min(month), max(month), interval '1 month')::date as month\n    from order_counts\n),\n\nmonthly as (\n    select\n        months.month,\n        coalesce(order_counts.orders, 0) as orders,\n        coalesce(sales.units, 0) as units,\n        coalesce(sales.gross_revenue, 0) as gross_revenue,\n        coalesce(sales.discounts, 0) as discounts,\n        coalesce(sales.refunds, 0) as refunds,\n        coalesce(sales.net_revenue, 0) as net_revenue,\n        coalesce(sales.cogs, 0) as cogs,\n        coalesce(sales.gross_profit, 0) as gross_profit,\n        coalesce(sales.shipping_fees, 0) as shipping_fees,\n        coalesce(active_customers.customers, 0) as customers,\n        coalesce(order_counts.new_customers, 0) as new_customers\n    from months\n    left join sales on sales.month = months.month\n    left join order_counts on order_counts.month = months.month\n    left join active_customers on active_customers.month = months.month\n),\n\nfinal as (\n    select\n        month,\n        orders,\n        units,\n        gross_revenue,\n        discounts,\n        refunds,\n        net_revenue,\n        cogs,\n        gross_profit,\n        gross_profit / nullif(net_revenue, 0) as gross_margin,\n        net_revenue / nullif(orders, 0) as average_order_value,\n        shipping_fees,\n        customers,\n        new_customers,\n        customers - new_customers as returning_customers,\n        net_revenue / nullif(lag(net_revenue) over (order by month), 0) - 1\n            as net_revenue_mom_growth,\n        net_revenue / nullif(lag(net_revenue, 12) over (order by month), 0) - 1\n            as net_revenue_yoy_growth,\n        orders::numeric / nullif(lag(orders) over (order by month), 0) - 1 as orders_mom_growth,\n        orders::numeric / nullif(lag(orders, 12) over (order by month), 0) - 1\n            as orders_yoy_growth\n    from monthly\n)\n\nselect * from final\n;\ncreate unique index on mart.kpi_monthly (month);\ncomment on view analytics.kpi_monthly is 'One row per local calendar month (SALESDW_TIMEZONE): sales KPIs with month-over-month and year-over-year growth. Cancelled orders excluded.';\ncomment on column analytics.kpi_monthly.month is 'First day of the month.';\ncomment on column analytics.kpi_monthly.orders is 'Orders not cancelled.';\ncomment on column analytics.kpi_monthly.units is 'Units ordered.';\ncomment on column analytics.kpi_monthly.gross_revenue is 'Gross revenue: sum of quantity x unit price.';\ncomment on column analytics.kpi_monthly.discounts is 'Line plus order discounts.';\ncomment on column analytics.kpi_monthly.refunds is 'Money refunded.';\ncomment on column analytics.kpi_monthly.net_revenue is 'Net revenue = gross revenue - discounts - refunds (shipping not included).';\ncomment on column analytics.kpi_monthly.cogs is 'Cost of goods sold: (quantity - returned quantity) x unit cost.';\ncomment on column analytics.kpi_monthly.gross_profit is 'Gross profit = net revenue - COGS.';\ncomment on column analytics.kpi_monthly.gross_margin is 'Gross profit / net revenue.';\ncomment on column analytics.kpi_monthly.average_order_value is 'Average order value = net revenue / orders.';\ncomment on column analytics.kpi_monthly.shipping_fees is 'Shipping charged to customers, apart from revenue.';\ncomment on column analytics.kpi_monthly.customers is 'Distinct customers with an order that month.';\ncomment on column analytics.kpi_monthly.new_customers is 'Customers whose first order (not cancelled) fell in the month.';\ncomment on column analytics.kpi_monthly.returning_customers is 'Customers with an order that month who had ordered before.';\ncomment on column analytics.kpi_monthly.net_revenue_mom_growth is 'Net revenue against the previous month: 0.1 = +10%; null without a base.';\ncomment on column analytics.kpi_monthly.net_revenue_yoy_growth is 'Net revenue against the same month a year before.';\ncomment on column analytics.kpi_monthly.orders_mom_growth is 'Orders against the previous month.';\ncomment on column analytics.kpi_monthly.orders_yoy_growth is 'Orders against the same month a year before.';\n",
}


def _drop_view(name: str, kind: str) -> None:
    if kind == "materialized":
        op.execute(f"drop view analytics.{name}")
    op.execute(f"drop materialized view mart.{name}")


def _create_view(name: str, kind: str, text: str) -> None:
    query, _, statements = text.partition("\n;\n")
    op.execute(f"create materialized view mart.{name} as\n{query}")
    if kind == "materialized":
        op.execute(f"create view analytics.{name} as select * from mart.{name}")
        op.execute(f"comment on materialized view mart.{name} is "
                   f"'Data of analytics.{name}; query that view instead.'")  # fmt: skip
    for statement in statements.strip().splitlines():
        op.execute(statement)


def _replace(views: list[tuple[str, str, str]]) -> None:
    for name, kind, _text in reversed(views):
        _drop_view(name, kind)
    for name, kind, text in views:
        _create_view(name, kind, text)


def upgrade() -> None:
    _replace(VIEWS)


def downgrade() -> None:
    _replace([(name, kind, PREVIOUS.get(name, text)) for name, kind, text in VIEWS])
