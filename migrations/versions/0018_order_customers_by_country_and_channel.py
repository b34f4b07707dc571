"""analytics.order_customers indexed by country and by channel, then day.

services.customers.active_customers counts distinct customers in order_customers under any
filter but the date alone. A filter on a few countries or channels read every order of the
period through the index on the day and kept a few of them (a 2-country, 2-channel count over
22 months: 960 ms at 10M orders, 15 ms with these indexes). Each index covers the columns the
count filters on, so it is read alone. The view's query is the same: only the indexes are
created (the refresh keeps them, as it keeps every index of a view it rebuilds).

The view is frozen below as it is now (VIEWS).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 07:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, kind, SQL of sql/analytics/<name>.sql): the query, a line with ";", then one statement
# per line (indexes, comments).
VIEWS = [
    (
        "order_customers",
        "materialized",
        "-- One row per order, every status: its local day, customer, status, shipping country, sales\n-- channel and category mask; the slim table distinct customers are counted from under any\n-- filter (distinct counts do not add up over days, so no daily total can answer them). Indexed\n-- by day, and by country or channel then day: a filter on a few countries reads their orders\n-- alone, not every order of the period.\nwith\n\norder_facts as (\n    select\n        order_id,\n        order_date,\n        customer_id,\n        status,\n        country_code,\n        channel,\n        category_mask,\n        is_first_order\n    from mart.order_facts\n),\n\nfinal as (\n    select\n        order_id,\n        order_date,\n        customer_id,\n        status,\n        country_code,\n        channel,\n        category_mask,\n        is_first_order\n    from order_facts\n    -- stored in the order of the index the services read by, so the rows of a period lie\n    -- together on a few pages rather than each on its own\n    order by order_date, order_id\n)\n\nselect * from final\n;\ncreate unique index on mart.order_customers (order_id);\ncreate index on mart.order_customers (order_date) include (customer_id, status, country_code, channel, category_mask);\ncreate index on mart.order_customers (country_code, order_date) include (customer_id, status, channel, category_mask, is_first_order);\ncreate index on mart.order_customers (channel, order_date) include (customer_id, status, country_code, category_mask, is_first_order);\ncomment on view analytics.order_customers is 'One row per order, every status: local day, customer, status, shipping country, sales channel and category mask, for counting distinct customers under any filter. No names or e-mails.';\ncomment on column analytics.order_customers.order_id is 'Order (core.orders).';\ncomment on column analytics.order_customers.order_date is 'Local calendar day of the order (SALESDW_TIMEZONE).';\ncomment on column analytics.order_customers.customer_id is 'Customer who placed it (analytics.customer_summary).';\ncomment on column analytics.order_customers.status is 'Order status.';\ncomment on column analytics.order_customers.country_code is 'Shipping country (ISO 3166-1 alpha-2); null when unknown.';\ncomment on column analytics.order_customers.channel is 'Sales channel.';\ncomment on column analytics.order_customers.category_mask is 'Top-level categories the order has lines in, one bit each (analytics.category_bits).';\ncomment on column analytics.order_customers.is_first_order is 'True for the customer''s first order not cancelled: the customer is new with it.';\n",
    ),
]

#: The indexes this migration adds: their leading columns.
NEW_INDEXES = ("(country_code, order_date)", "(channel, order_date)")


def _new_index_statements() -> list[str]:
    _, _, statements = VIEWS[0][2].partition("\n;\n")
    return [line for line in statements.strip().splitlines()
            if line.startswith("create index") and any(key in line for key in NEW_INDEXES)]  # fmt: skip


def upgrade() -> None:
    for statement in _new_index_statements():
        op.execute(statement)


def downgrade() -> None:
    for key in NEW_INDEXES:
        op.execute(
            "do $$ declare index_name text; begin "
            "for index_name in select indexname from pg_indexes "
            "where schemaname = 'mart' and tablename = 'order_customers' "
            f"and indexdef like '%USING btree {key} INCLUDE%' loop "
            "execute format('drop index mart.%I', index_name); end loop; end $$"
        )
