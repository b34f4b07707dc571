"""From staging.import_rows into core, set-based, by natural keys: categories by (parent, name),
products by SKU, customers and orders by external_id, order lines by (order, line). New rows are
inserted, existing ones updated only where a value differs (so importing the same file again
writes nothing), and lines an order no longer has are deleted. Returns are then matched to the
sale lines they return (staging.applied_returns) and added to their returned quantity and
refund. Runs inside the import's transaction; every statement uses bound parameters."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import psycopg

from salesdw.db import bulk
from salesdw.db.bulk import SavedDefinition
from salesdw.load.errors import ImportRefused
from salesdw.load.validate import UNSPECIFIED_PRODUCT, UNSPECIFIED_SKU

__all__ = ["CORE_TABLES", "Written", "upsert"]

log = logging.getLogger(__name__)

CORE_TABLES = ("core.categories", "core.products", "core.customers", "core.orders",
               "core.order_items")  # fmt: skip
UNSPECIFIED_CATEGORY = "Unspecified"
MAX_TOP_CATEGORIES = 63  # analytics.category_bits: one bit of a bigint mask each


@dataclass
class Written:
    """What the upsert changed in core."""

    counts: dict[str, int] = field(default_factory=dict)
    returns_rejected: int = 0

    def add(self, key: str, rows: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + max(rows, 0)


def _run(conn: psycopg.Connection, sql: str, params: dict | None = None) -> int:
    cursor = conn.execute(sql, params or {})
    return cursor.rowcount


def upsert(conn: psycopg.Connection, run_id: int, file_name: str) -> Written:
    written = Written()
    p = {"run": run_id, "file": file_name, "unspecified": UNSPECIFIED_CATEGORY,
         "unspecified_sku": UNSPECIFIED_SKU, "unspecified_name": UNSPECIFIED_PRODUCT}  # fmt: skip
    # One parallel worker halves the scans and groupings of the staged rows behind products and
    # customers (the core of the machine the upsert leaves idle); later plans gain nothing.
    conn.execute("select set_config('max_parallel_workers_per_gather', '1', true)")
    _products(conn, p, written)
    _customers(conn, p, written)
    conn.execute("select set_config('max_parallel_workers_per_gather', '0', true)")
    # Foreign keys dropped for a large load come back last, each checked in one join: rows
    # inserted in this transaction are checked again on every update, keys changed or not.
    foreign_keys = _orders(conn, p, written)
    foreign_keys += _order_items(conn, p, written)
    foreign_keys += _returns(conn, p, written)
    bulk.restore_keys(conn, foreign_keys)
    return written


def _products(conn: psycopg.Connection, p: dict, written: Written) -> None:
    """Products by SKU, as their latest sale in the file has them; their categories first."""
    conn.execute("""
        create temporary table import_skus on commit drop as
        with firsts as (
            select sku, min(ordered_at) as first_sold, max(ordered_at) as last_sold,
                bool_or(category is not null) as has_category
            from staging.import_rows
            where load_run_id = %(run)s and not is_return
            group by sku
        ),
        latest as (
            -- the product as its latest sale has it (a hash join, not a sort of every row)
            select distinct on (rows.sku)
                rows.sku, rows.product_name, rows.category, rows.subcategory, rows.brand,
                rows.unit_price, rows.unit_cost
            from staging.import_rows as rows
            inner join firsts on firsts.sku = rows.sku and firsts.last_sold = rows.ordered_at
            where rows.load_run_id = %(run)s and not rows.is_return
            order by rows.sku, rows.line_number desc
        )
        select
            latest.sku,
            coalesce(latest.product_name, %(unspecified_name)s) as name,
            coalesce(latest.category, %(unspecified)s) as category,
            latest.subcategory,
            firsts.has_category,
            latest.brand,
            latest.unit_price as list_price,
            latest.unit_cost,
            firsts.first_sold
        from latest
        inner join firsts on firsts.sku = latest.sku
    """, p)  # fmt: skip
    written.add("new categories", _run(conn, """
        insert into core.categories (parent_category_id, name)
        select distinct null::integer, category from import_skus
        on conflict (parent_category_id, name) do nothing
    """))  # fmt: skip
    written.add("new categories", _run(conn, """
        insert into core.categories (parent_category_id, name)
        select distinct top.category_id, skus.subcategory
        from import_skus as skus
        inner join core.categories as top
            on top.parent_category_id is null and top.name = skus.category
        where skus.subcategory is not null
        on conflict (parent_category_id, name) do nothing
    """))  # fmt: skip
    tops = conn.execute(
        "select count(*) from core.categories where parent_category_id is null"
    ).fetchone()[0]
    if tops > MAX_TOP_CATEGORIES:
        raise ImportRefused(
            f"the import would make {tops} top-level categories, and salesdw's category filters "
            f"hold {MAX_TOP_CATEGORIES}: group them under parents ('Parent > Category' in the "
            "category column, or a subcategory column) and import again"
        )
    conn.execute("""
        create temporary table import_products on commit drop as
        select skus.*, coalesce(sub.category_id, top.category_id) as category_id
        from import_skus as skus
        inner join core.categories as top
            on top.parent_category_id is null and top.name = skus.category
        left join core.categories as sub
            on sub.parent_category_id = top.category_id and sub.name = skus.subcategory
    """)  # fmt: skip
    written.add("new products", _run(conn, """
        insert into core.products (sku, name, category_id, brand, list_price, unit_cost,
                                   launched_at)
        select sku, name, category_id, brand, list_price, unit_cost, first_sold
        from import_products
        on conflict (sku) do nothing
    """))  # fmt: skip
    written.add(
        "updated products",
        _run(
            conn,
            """
        update core.products as products set
            name = new.name,
            category_id = case when new.has_category then new.category_id
                               else products.category_id end,
            brand = coalesce(new.brand, products.brand),
            list_price = new.list_price,
            unit_cost = coalesce(new.unit_cost, products.unit_cost),
            launched_at = least(products.launched_at, new.first_sold)
        from import_products as new
        where products.sku = new.sku
            and (products.name, products.category_id, products.brand, products.list_price,
                 products.unit_cost, products.launched_at)
                is distinct from
                (new.name, case when new.has_category then new.category_id
                               else products.category_id end,
                 coalesce(new.brand, products.brand), new.list_price,
                 coalesce(new.unit_cost, products.unit_cost),
                 least(products.launched_at, new.first_sold))
    """,
        ),
    )  # fmt: skip (rows just inserted change nothing here, so they are not counted)


def _customers(conn: psycopg.Connection, p: dict, written: Written) -> None:
    conn.execute("""
        create temporary table import_customers on commit drop as
        with firsts as (
            select customer_key, min(ordered_at) as first_order, max(ordered_at) as last_order
            from staging.import_rows
            where load_run_id = %(run)s and not is_return
            group by customer_key
        ),
        latest as (
            select distinct on (rows.customer_key)
                rows.customer_key, rows.email, rows.first_name, rows.last_name,
                rows.country_code, rows.city
            from staging.import_rows as rows
            inner join firsts
                on firsts.customer_key = rows.customer_key and firsts.last_order = rows.ordered_at
            where rows.load_run_id = %(run)s and not rows.is_return
            order by rows.customer_key, rows.line_number desc
        ),
        emails as (
            -- an e-mail goes to one customer: the first by key, unless another holds it
            select
                customer_key,
                row_number() over (partition by lower(email) order by customer_key) as rank
            from latest
            where email is not null
        )
        select
            latest.customer_key,
            case
                when emails.rank = 1 and not exists (
                    select 1 from core.customers as other
                    where lower(other.email) = lower(latest.email)
                        and other.external_id is distinct from latest.customer_key
                ) then latest.email
            end as email,
            latest.first_name,
            latest.last_name,
            latest.country_code,
            latest.city,
            firsts.first_order
        from latest
        inner join firsts on firsts.customer_key = latest.customer_key
        left join emails on emails.customer_key = latest.customer_key
    """, p)  # fmt: skip
    written.add("new customers", _run(conn, """
        insert into core.customers (external_id, email, first_name, last_name, country_code,
                                    city, signup_at)
        select customer_key, email, first_name, last_name, country_code, city, first_order
        from import_customers
        on conflict (external_id) do nothing
    """))  # fmt: skip
    written.add("updated customers", _run(conn, """
        update core.customers as customers set
            email = coalesce(new.email, customers.email),
            first_name = coalesce(new.first_name, customers.first_name),
            last_name = coalesce(new.last_name, customers.last_name),
            country_code = coalesce(new.country_code, customers.country_code),
            city = coalesce(new.city, customers.city),
            signup_at = least(customers.signup_at, new.first_order)
        from import_customers as new
        where customers.external_id = new.customer_key
            and (customers.email, customers.first_name, customers.last_name,
                 customers.country_code, customers.city, customers.signup_at)
                is distinct from
                (coalesce(new.email, customers.email),
                 coalesce(new.first_name, customers.first_name),
                 coalesce(new.last_name, customers.last_name),
                 coalesce(new.country_code, customers.country_code),
                 coalesce(new.city, customers.city), least(customers.signup_at, new.first_order))
    """))  # fmt: skip


def _orders(conn: psycopg.Connection, p: dict, written: Written) -> list[SavedDefinition]:
    """Orders by external_id; returns the foreign keys dropped for a large load."""
    conn.execute("""
        create temporary table import_orders on commit drop as
        with heads as (
            -- the order as its first line has it
            select order_key, customer_key, status, channel, country_code, city
            from staging.import_rows
            where load_run_id = %(run)s and not is_return and line_position = 1
        ),
        totals as (
            select order_key, min(ordered_at) as ordered_at, max(line_position) as lines
            from staging.import_rows
            where load_run_id = %(run)s and not is_return
            group by order_key
        )
        select
            heads.order_key,
            customers.customer_id,
            totals.ordered_at,
            heads.status,
            heads.channel,
            heads.country_code,
            heads.city,
            totals.lines,
            existing.order_id,
            existing.order_id is not null as existed
        from heads
        inner join totals on totals.order_key = heads.order_key
        inner join core.customers as customers on customers.external_id = heads.customer_key
        left join core.orders as existing on existing.external_id = heads.order_key
    """, p)  # fmt: skip
    new_orders = conn.execute("select count(*) from import_orders where not existed").fetchone()[0]
    # Checking each new order's customer and country would cost more than one join at the end.
    saved = (bulk.save_and_drop_foreign_keys(conn, ["core.orders"])
             if _is_large(conn, "core.orders", new_orders) else [])  # fmt: skip
    if new_orders and not conn.execute("select exists (select from core.orders)").fetchone()[0]:
        _truncate_empty(conn, "core.orders")
    written.add("new orders", _run(conn, """
        insert into core.orders (external_id, customer_id, ordered_at, status, channel,
                                 shipping_country_code, shipping_city)
        select order_key, customer_id, ordered_at, status, channel, country_code, city
        from import_orders
        on conflict (external_id) do nothing
    """))  # fmt: skip
    # A status the file gives as completed stays 'returned' when returns made it so.
    written.add("updated orders", _run(conn, """
        update core.orders as orders set
            customer_id = new.customer_id,
            ordered_at = new.ordered_at,
            status = case when orders.status = 'returned' and new.status = 'completed'
                          then 'returned' else new.status end,
            channel = new.channel,
            shipping_country_code = new.country_code,
            shipping_city = new.city
        from import_orders as new
        where orders.external_id = new.order_key
            and (orders.customer_id, orders.ordered_at, orders.status, orders.channel,
                 orders.shipping_country_code, orders.shipping_city)
                is distinct from
                (new.customer_id, new.ordered_at,
                 case when orders.status = 'returned' and new.status = 'completed'
                      then 'returned' else new.status end,
                 new.channel, new.country_code, new.city)
    """))  # fmt: skip
    conn.execute("""
        update import_orders set order_id = orders.order_id
        from core.orders as orders
        where not import_orders.existed and orders.external_id = import_orders.order_key;
        create index on import_orders (order_key);
        analyze import_orders
    """)  # fmt: skip
    return saved


def _lines(with_applied: bool) -> str:
    """The file's sale lines as core.order_items rows. A line's returned units and refund are
    its own plus those of returns earlier imports applied to it (staging.applied_returns):
    that join is left out when no import has applied any, as it costs a probe per line."""
    applied = """
        left join (
            select order_external_id, line_number, sum(returned_quantity) as quantity,
                sum(refund_amount) as refund
            from staging.applied_returns
            group by 1, 2
        ) as applied
            on applied.order_external_id = rows.order_key
            and applied.line_number = rows.line_position
    """ if with_applied else ""  # fmt: skip
    if with_applied:
        returned = "least(rows.quantity, rows.returned_quantity + coalesce(applied.quantity, 0))"
        refund = ("least(rows.quantity * rows.unit_price - rows.discount_amount,\n"
                  "              rows.refund_amount + coalesce(applied.refund, 0))")  # fmt: skip
    else:  # the row checks already cap a line's own returned units and refund at the line's
        returned, refund = "rows.returned_quantity", "rows.refund_amount"
    return f"""
    select
        orders.order_id,
        rows.line_position as line_number,
        products.product_id,
        rows.quantity,
        rows.unit_price,
        coalesce(rows.unit_cost, products.unit_cost, 0) as unit_cost,
        rows.discount_amount,
        {returned} as returned_quantity,
        {refund} as refund_amount,
        orders.existed
    from staging.import_rows as rows
    inner join import_orders as orders on orders.order_key = rows.order_key
    inner join core.products as products on products.sku = rows.sku
    {applied}
    where rows.load_run_id = %(run)s and not rows.is_return
"""


_ITEM_COLUMNS = ("product_id", "quantity", "unit_price", "unit_cost", "discount_amount",
                 "returned_quantity", "refund_amount")  # fmt: skip


def _truncate_empty(conn: psycopg.Connection, table: str) -> None:
    """Empty an empty table (and the empty tables that refer to it) before a first load: it gets
    a new file, which with wal_level = minimal is written without WAL and synced once at
    commit. The tables referring to it must be empty too, as its rows are."""
    referring = [row[0] for row in conn.execute(
        "select distinct conrelid::regclass::text from pg_constraint "
        "where contype = 'f' and confrelid = %s::regclass and conrelid <> confrelid",
        [table],
    )]  # fmt: skip
    conn.execute(f"truncate {', '.join([table, *referring])}")


def _is_large(conn: psycopg.Connection, table: str, new_rows: int) -> bool:
    """True when `new_rows` is more than a tenth of `table`: then checking keys row by row
    costs more than dropping them and building them again over the whole table."""
    existing = conn.execute(
        "select greatest(reltuples, 0)::bigint from pg_class where oid = %s::regclass", [table]
    ).fetchone()[0]
    return new_rows > max(existing, 1) / 10


def _order_items(conn: psycopg.Connection, p: dict, written: Written) -> list[SavedDefinition]:
    """Lines of orders that existed are updated where they differ; the rest are inserted,
    without key and foreign key checks per row when the load is large next to the table (the
    keys are dropped and rebuilt, as the seeder does: salesdw.db.bulk). A line's returned
    units and refund are its own (status, columns) plus the returns already applied to it;
    _returns() then adds what this file's returns change. Returns the foreign keys it dropped,
    for upsert() to add back."""
    any_existed = conn.execute("select bool_or(existed) from import_orders").fetchone()[0]
    any_applied = conn.execute("select exists (select from staging.applied_returns)").fetchone()[0]
    lines = _lines(any_applied)
    if any_existed:
        changed = ", ".join(f"{c} = new.{c}" for c in _ITEM_COLUMNS)
        old = ", ".join(f"items.{c}" for c in _ITEM_COLUMNS)
        new = ", ".join(f"new.{c}" for c in _ITEM_COLUMNS)
        written.add("order lines updated", _run(conn, f"""
            update core.order_items as items set {changed}
            from ({lines}) as new
            where new.existed and items.order_id = new.order_id
                and items.line_number = new.line_number
                and ({old}) is distinct from ({new})
        """, p))  # fmt: skip
        written.add("order lines deleted", _run(conn, """
            delete from core.order_items as items
            using import_orders as orders
            where orders.existed and items.order_id = orders.order_id
                and items.line_number > orders.lines
        """))  # fmt: skip
    new_lines = conn.execute(
        "select coalesce(sum(lines), 0) from import_orders where not existed"
    ).fetchone()[0]
    saved = []
    if _is_large(conn, "core.order_items", new_lines):
        saved = bulk.save_and_drop_keys(conn, ["core.order_items"])
        if not conn.execute("select exists (select from core.order_items)").fetchone()[0]:
            _truncate_empty(conn, "core.order_items")
    written.add("order lines inserted", _run(conn, f"""
        insert into core.order_items (order_id, line_number, {", ".join(_ITEM_COLUMNS)})
        select order_id, line_number, {", ".join(_ITEM_COLUMNS)}
        from ({lines}) as new
        where not new.existed or not exists (
            select 1 from core.order_items as items
            where items.order_id = new.order_id and items.line_number = new.line_number
        )
    """, p))  # fmt: skip
    bulk.restore_keys(conn, [item for item in saved if item.kind != "foreign_key"])
    return [item for item in saved if item.kind == "foreign_key"]


def _returns(conn: psycopg.Connection, p: dict, written: Written) -> list[SavedDefinition]:
    """Match the file's returns to sale lines and apply them; returns the foreign keys it
    dropped (of staging.applied_returns, for a large load)."""
    conn.execute("""
        create temporary table import_returns on commit drop as
        select
            order_key || '#' || line_position as return_key,
            customer_key, sku, ordered_at as returned_at, quantity, refund_amount,
            line_number, raw_values
        from staging.import_rows
        where load_run_id = %(run)s and is_return
    """, p)  # fmt: skip
    # Each return goes to the customer's latest line of the product ordered at or before it.
    conn.execute("""
        create temporary table matched_returns on commit drop as
        select distinct on (returns.return_key)
            returns.return_key,
            orders.external_id as order_external_id,
            items.line_number,
            returns.quantity,
            returns.refund_amount,
            returns.returned_at
        from import_returns as returns
        inner join core.customers as customers on customers.external_id = returns.customer_key
        inner join core.products as products on products.sku = returns.sku
        inner join core.orders as orders
            on orders.customer_id = customers.customer_id
            and orders.ordered_at <= returns.returned_at
            and orders.external_id is not null
            and orders.status <> 'cancelled'
        inner join core.order_items as items
            on items.order_id = orders.order_id and items.product_id = products.product_id
        order by returns.return_key, orders.ordered_at desc, orders.order_id desc,
            items.line_number desc
    """)  # fmt: skip
    written.add("returns matched", conn.execute(
        "select count(*) from matched_returns").fetchone()[0])  # fmt: skip
    written.returns_rejected = _run(conn, """
        insert into staging.rejected_rows (load_run_id, file_name, line_number, reason, detail,
                                           raw_values)
        select %(run)s, %(file)s, returns.line_number, 'return_without_sale',
            'no earlier sale of ' || returns.sku || ' to customer ' || returns.customer_key,
            coalesce(returns.raw_values, '{}'::jsonb)
        from import_returns as returns
        where not exists (
            select 1 from matched_returns as matched where matched.return_key = returns.return_key
        )
    """, p)  # fmt: skip
    conn.execute("""
        create temporary table previous_returns on commit drop as
        select applied.*
        from staging.applied_returns as applied
        inner join import_returns as returns on returns.return_key = applied.return_key
    """)  # fmt: skip
    matched = written.counts["returns matched"]
    saved = (bulk.save_and_drop_foreign_keys(conn, ["staging.applied_returns"])
             if _is_large(conn, "staging.applied_returns", matched) else [])  # fmt: skip
    conn.execute("""
        delete from staging.applied_returns as applied
        using previous_returns as previous
        where applied.return_key = previous.return_key
            and not exists (select 1 from matched_returns as matched
                            where matched.return_key = previous.return_key)
    """)  # fmt: skip
    conn.execute("""
        insert into staging.applied_returns (return_key, order_external_id, line_number,
                                             returned_quantity, refund_amount, returned_at,
                                             load_run_id)
        select return_key, order_external_id, line_number, quantity, refund_amount,
            returned_at, %(run)s
        from matched_returns
        on conflict (return_key) do update set
            order_external_id = excluded.order_external_id,
            line_number = excluded.line_number,
            returned_quantity = excluded.returned_quantity,
            refund_amount = excluded.refund_amount,
            returned_at = excluded.returned_at,
            load_run_id = excluded.load_run_id
        where (applied_returns.order_external_id, applied_returns.line_number,
               applied_returns.returned_quantity, applied_returns.refund_amount,
               applied_returns.returned_at)
            is distinct from
              (excluded.order_external_id, excluded.line_number, excluded.returned_quantity,
               excluded.refund_amount, excluded.returned_at)
    """, p)  # fmt: skip
    written.add("lines changed by returns", _run(conn, """
        with delta as (
            select order_external_id, line_number, sum(quantity) as quantity,
                sum(refund) as refund
            from (
                select order_external_id, line_number, quantity, refund_amount as refund
                from matched_returns
                union all
                select order_external_id, line_number, -returned_quantity, -refund_amount
                from previous_returns
            ) as changes
            group by 1, 2
            having sum(quantity) <> 0 or sum(refund) <> 0
        )
        update core.order_items as items set
            returned_quantity = greatest(0, least(items.quantity,
                                                  items.returned_quantity + delta.quantity)),
            refund_amount = greatest(0, least(items.quantity * items.unit_price
                                              - items.discount_amount,
                                              items.refund_amount + delta.refund))
        from delta
        inner join core.orders as orders on orders.external_id = delta.order_external_id
        where items.order_id = orders.order_id and items.line_number = delta.line_number
    """))  # fmt: skip
    written.add("orders now returned", _run(conn, """
        update core.orders as orders set status = 'returned'
        where orders.external_id in (select order_external_id from matched_returns)
            and orders.status in ('placed', 'shipped', 'completed')
            and not exists (
                select 1 from core.order_items as items
                where items.order_id = orders.order_id
                    and items.returned_quantity < items.quantity
            )
    """))  # fmt: skip
    return saved
