"""seasonality_month averages each month of the year per day the history covers in it, not
per year with orders in it; its columns years_covered and average_net_revenue_per_year become
days_covered and net_revenue_per_day.

A history that does not span whole years skewed the old figures: three years from one December
7th to the next hold 93 December days in 4 calendar years, so December showed 97% of the
average month while November, with 90 days in 3 years, showed 161%. Per day, each month is
measured over the days it has.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08 01:20:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, kind, SQL of sql/analytics/<name>.sql): the query, a line with ";", then one statement
# per line (indexes, comments).
VIEWS = [
    (
        "seasonality_month",
        "materialized",
        "-- One row per month of the year (1 = January .. 12), all 12 present: orders and net revenue in\n-- that month over all years, per day the history covers in it, and indexed against the average\n-- month. Per day, not per year: a history that does not span whole years (three years from one\n-- December 7th to another hold 93 December days but 4 Decembers) would otherwise understate\n-- the months it only touches. Local months (SALESDW_TIMEZONE). Cancelled orders are excluded;\n-- net revenue is sales_daily's: quantity x unit price - line discounts - refunds - the lines'\n-- share of order discounts.\nwith\n\nsales_daily as (\n    select\n        order_date,\n        net_revenue\n    from analytics.sales_daily\n    where status <> 'cancelled'\n),\n\norders_daily as (\n    select\n        order_date,\n        orders\n    from analytics.orders_daily\n    where status <> 'cancelled'\n),\n\nmonth_sales as (\n    select\n        extract(month from order_date)::integer as month_of_year,\n        sum(net_revenue) as net_revenue\n    from sales_daily\n    group by 1\n),\n\nmonth_orders as (\n    select\n        extract(month from order_date)::integer as month_of_year,\n        sum(orders) as orders\n    from orders_daily\n    group by 1\n),\n\nhistory as (\n    -- every day from the first order to the last, days without orders too\n    select generate_series(min(order_date), max(order_date), interval '1 day')::date as day\n    from orders_daily\n),\n\nmonth_days as (\n    select\n        extract(month from day)::integer as month_of_year,\n        count(*) as days_covered\n    from history\n    group by 1\n),\n\nmonths_of_year as (\n    select month_of_year\n    from generate_series(1, 12) as months (month_of_year)\n),\n\nper_month as (\n    select\n        months_of_year.month_of_year,\n        coalesce(month_orders.orders, 0) as orders,\n        coalesce(month_sales.net_revenue, 0) as net_revenue,\n        coalesce(month_days.days_covered, 0) as days_covered,\n        coalesce(month_sales.net_revenue, 0) / nullif(month_days.days_covered, 0)\n            as net_revenue_per_day\n    from months_of_year\n    left join month_orders on month_orders.month_of_year = months_of_year.month_of_year\n    left join month_sales on month_sales.month_of_year = months_of_year.month_of_year\n    left join month_days on month_days.month_of_year = months_of_year.month_of_year\n),\n\nfinal as (\n    select\n        month_of_year,\n        to_char(make_date(2000, month_of_year, 1), 'FMMonth') as month_name,\n        orders,\n        net_revenue,\n        days_covered,\n        net_revenue_per_day,\n        net_revenue_per_day / nullif(avg(net_revenue_per_day) over (), 0) as index_vs_average\n    from per_month\n)\n\nselect * from final\n;\ncreate unique index on mart.seasonality_month (month_of_year);\ncomment on view analytics.seasonality_month is 'One row per month of the year, all 12 present: orders not cancelled and net revenue in that local month over all years, per day of the history in it, and indexed against the average month.';\ncomment on column analytics.seasonality_month.month_of_year is 'Month of the year in SALESDW_TIMEZONE: 1 = January .. 12 = December.';\ncomment on column analytics.seasonality_month.month_name is 'English name of the month, e.g. January.';\ncomment on column analytics.seasonality_month.orders is 'Orders not cancelled placed in this month of any year.';\ncomment on column analytics.seasonality_month.net_revenue is 'Net revenue of those orders: gross - line and order discounts - refunds (shipping not included).';\ncomment on column analytics.seasonality_month.days_covered is 'Days of this month of the year from the first order to the last (days without orders too).';\ncomment on column analytics.seasonality_month.net_revenue_per_day is 'net_revenue / days_covered; null when the history covers no day of this month.';\ncomment on column analytics.seasonality_month.index_vs_average is 'net_revenue_per_day / its mean over the months that have one: 1.2 = 20% above the average month.';\n",
    ),
]

#: seasonality_month as 0023 froze it.
PREVIOUS = {
    "seasonality_month": "-- One row per month of the year (1 = January .. 12), all 12 present: orders and net revenue in\n-- that month over all years, per year with orders in it, and indexed against the average\n-- month. Local months (SALESDW_TIMEZONE). Cancelled orders are excluded; net revenue is\n-- sales_daily's: quantity x unit price - line discounts - refunds - the lines' share of order\n-- discounts.\nwith\n\nsales_daily as (\n    select\n        order_date,\n        net_revenue\n    from analytics.sales_daily\n    where status <> 'cancelled'\n),\n\norders_daily as (\n    select\n        order_date,\n        orders\n    from analytics.orders_daily\n    where status <> 'cancelled'\n),\n\nmonth_sales as (\n    select\n        extract(month from order_date)::integer as month_of_year,\n        sum(net_revenue) as net_revenue\n    from sales_daily\n    group by 1\n),\n\nmonth_orders as (\n    select\n        extract(month from order_date)::integer as month_of_year,\n        sum(orders) as orders,\n        count(distinct extract(year from order_date)) as years_covered\n    from orders_daily\n    group by 1\n),\n\nmonths_of_year as (\n    select month_of_year\n    from generate_series(1, 12) as months (month_of_year)\n),\n\nper_month as (\n    select\n        months_of_year.month_of_year,\n        coalesce(month_orders.orders, 0) as orders,\n        coalesce(month_sales.net_revenue, 0) as net_revenue,\n        coalesce(month_orders.years_covered, 0) as years_covered,\n        coalesce(month_sales.net_revenue, 0) / nullif(month_orders.years_covered, 0)\n            as average_net_revenue_per_year\n    from months_of_year\n    left join month_orders on month_orders.month_of_year = months_of_year.month_of_year\n    left join month_sales on month_sales.month_of_year = months_of_year.month_of_year\n),\n\nfinal as (\n    select\n        month_of_year,\n        to_char(make_date(2000, month_of_year, 1), 'FMMonth') as month_name,\n        orders,\n        net_revenue,\n        years_covered,\n        average_net_revenue_per_year,\n        average_net_revenue_per_year\n        / nullif(avg(average_net_revenue_per_year) over (), 0) as index_vs_average\n    from per_month\n)\n\nselect * from final\n;\ncreate unique index on mart.seasonality_month (month_of_year);\ncomment on view analytics.seasonality_month is 'One row per month of the year, all 12 present: orders not cancelled and net revenue in that local month over all years, per year covered, and indexed against the average month.';\ncomment on column analytics.seasonality_month.month_of_year is 'Month of the year in SALESDW_TIMEZONE: 1 = January .. 12 = December.';\ncomment on column analytics.seasonality_month.month_name is 'English name of the month, e.g. January.';\ncomment on column analytics.seasonality_month.orders is 'Orders not cancelled placed in this month of any year.';\ncomment on column analytics.seasonality_month.net_revenue is 'Net revenue of those orders: gross - line and order discounts - refunds (shipping not included).';\ncomment on column analytics.seasonality_month.years_covered is 'Distinct years with an order not cancelled in this month.';\ncomment on column analytics.seasonality_month.average_net_revenue_per_year is 'net_revenue / years_covered; null when no year has orders in this month.';\ncomment on column analytics.seasonality_month.index_vs_average is 'average_net_revenue_per_year / its mean over the months that have one: 1.2 = 20% above the average month.';\n",
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
