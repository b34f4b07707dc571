"""analytics.active_customer_days: distinct customers over any date range without a scan.

One row per local day and the day of the same customer's previous order (orders not
cancelled), with the running total over the earlier days. The customers with an order between
days a and b are the orders of those days whose previous order is before a, one per customer:
services.customers.active_customers adds up one row per day for the date filter alone (the
dashboard's default), instead of counting distinct customers over millions of orders.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 02:40:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, kind, SQL of sql/analytics/<name>.sql): the query, a line with ";", then one statement
# per line (indexes, comments).
VIEWS = [
    (
        "active_customer_days",
        "materialized",
        "-- One row per local day and the local day of the previous order of the same customer (orders not\n-- cancelled): how many of the day's orders follow an order on that earlier day (or are their\n-- customer's first, previous day null), and their running total over the earlier days, first\n-- orders first. Distinct customers cannot be added up from daily counts, but this counts them\n-- exactly without reading the orders: the customers with an order between days a and b are the\n-- orders of those days whose previous order is before a (or none), one per customer, the first\n-- of their orders in the range. So a range costs one index probe per day, not a scan of millions\n-- of orders (see salesdw/services/customers.py; it answers the date filter alone, with the\n-- default statuses; other filters scan order_customers).\nwith\n\norders as (\n    select\n        customer_id,\n        order_id,\n        order_date\n    from analytics.order_customers\n    where status <> 'cancelled'\n),\n\ngaps as (\n    -- in order of day, then order id: the order of two orders on one day does not matter, as\n    -- the later one's previous day is that same day\n    select\n        order_date,\n        lag(order_date) over (partition by customer_id order by order_date, order_id)\n            as previous_order_date\n    from orders\n),\n\nday_pairs as (\n    select\n        order_date,\n        previous_order_date,\n        count(*) as orders\n    from gaps\n    group by order_date, previous_order_date\n),\n\nfinal as (\n    select\n        order_date,\n        previous_order_date,\n        orders,\n        sum(orders) over (\n            partition by order_date\n            order by previous_order_date nulls first\n            rows unbounded preceding\n        ) as orders_through\n    from day_pairs\n    -- stored in the order of the index the service probes, a day's rows together\n    order by order_date, previous_order_date nulls first\n)\n\nselect * from final\n;\ncreate unique index on mart.active_customer_days (order_date, previous_order_date nulls first) nulls not distinct;\ncomment on view analytics.active_customer_days is 'One row per local day and local day of the same customer''s previous order (orders not cancelled; null: the customer''s first order): orders of the day, and their running total over the earlier days (first orders first). The customers with an order between days a and b are, summed over those days, orders_through at the latest previous day before a (or at the null row).';\ncomment on column analytics.active_customer_days.order_date is 'Local calendar day of the orders (SALESDW_TIMEZONE).';\ncomment on column analytics.active_customer_days.previous_order_date is 'Local day of the customer''s previous order not cancelled; null for their first order (the customer is new that day).';\ncomment on column analytics.active_customer_days.orders is 'Orders not cancelled on order_date whose customer''s previous order was on previous_order_date.';\ncomment on column analytics.active_customer_days.orders_through is 'Orders of order_date whose previous order was on previous_order_date or earlier, first orders included.';\n",
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
