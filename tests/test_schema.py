"""The core schema: constraints reject bad rows, and everything is documented."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from salesdw.schema import SCHEMAS, metadata
from salesdw.settings import PROJECT_ROOT

# Ids come from identity columns: a fresh database numbers these rows 1 (and category 2).
VALID_ROWS = """
insert into core.categories (name, parent_category_id) values ('Electronics', null);
insert into core.categories (name, parent_category_id) values ('Phones', 1);
insert into core.products (sku, name, category_id, brand, list_price, unit_cost, launched_at)
    values ('SKU-1', 'Phone X', 2, 'Acme', 500, 300, '2024-01-01');
insert into core.customers (email, first_name, last_name, country_code, city, signup_at,
                            acquisition_channel)
    values ('Ann@Example.com', 'Ann', 'Lee', 'DE', 'Berlin', '2024-01-02', 'paid_search');
insert into core.orders (customer_id, ordered_at, status, channel, payment_method,
                         shipping_country_code, shipping_city, shipping_fee, discount_amount)
    values (1, '2024-02-01 10:00+00', 'completed', 'web', 'card', 'DE', 'Berlin', 4.99, 0);
insert into core.order_items (order_id, line_number, product_id, quantity, unit_price,
                              unit_cost, discount_amount, returned_quantity, refund_amount)
    values (1, 1, 1, 2, 500, 300, 50, 1, 450);
insert into core.reviews (customer_id, product_id, order_id, rating, reviewed_at, title)
    values (1, 1, 1, 4, '2024-02-10', 'Good');
insert into core.marketing_spend values ('2024-02-01', 'paid_search', 'DE', 120.50);
insert into core.web_traffic values ('2024-02-01', 'paid_search', 'mobile', 'DE', 340);
"""

# (what the row gets wrong, statement, constraint expected to reject it)
BAD_ROWS = [
    ("negative quantity",
     "insert into core.order_items (order_id, line_number, product_id, quantity, unit_price, "
     "unit_cost) values (1, 2, 1, -1, 10, 5)", "ck_order_items_quantity_positive"),
    ("zero quantity",
     "insert into core.order_items (order_id, line_number, product_id, quantity, unit_price, "
     "unit_cost) values (1, 2, 1, 0, 10, 5)", "ck_order_items_quantity_positive"),
    ("item with no order",
     "insert into core.order_items (order_id, line_number, product_id, quantity, unit_price, "
     "unit_cost) values (999, 1, 1, 1, 10, 5)", "fk_order_items_order_id"),
    ("item of unknown product",
     "insert into core.order_items (order_id, line_number, product_id, quantity, unit_price, "
     "unit_cost) values (1, 2, 999, 1, 10, 5)", "fk_order_items_product_id"),
    ("duplicate order line",
     "insert into core.order_items (order_id, line_number, product_id, quantity, unit_price, "
     "unit_cost) values (1, 1, 1, 1, 10, 5)", "pk_order_items"),
    ("negative unit price",
     "insert into core.order_items (order_id, line_number, product_id, quantity, unit_price, "
     "unit_cost) values (1, 2, 1, 1, -10, 5)", "ck_order_items_unit_price_not_negative"),
    ("more returned than ordered",
     "insert into core.order_items (order_id, line_number, product_id, quantity, unit_price, "
     "unit_cost, returned_quantity) values (1, 2, 1, 1, 10, 5, 2)",
     "ck_order_items_returned_within_quantity"),
    ("discount above the line value",
     "insert into core.order_items (order_id, line_number, product_id, quantity, unit_price, "
     "unit_cost, discount_amount) values (1, 2, 1, 1, 10, 5, 11)",
     "ck_order_items_discount_within_line"),
    ("rating 6",
     "insert into core.reviews (customer_id, product_id, rating, reviewed_at) "
     "values (1, 1, 6, now())", "ck_reviews_rating_1_to_5"),
    ("rating 0",
     "insert into core.reviews (customer_id, product_id, rating, reviewed_at) "
     "values (1, 1, 0, now())", "ck_reviews_rating_1_to_5"),
    ("duplicate SKU",
     "insert into core.products (sku, name, category_id, list_price, launched_at) "
     "values ('SKU-1', 'Copy', 2, 1, now())", "uq_products_sku"),
    ("customer in an unknown country",
     "insert into core.customers (email, country_code, signup_at) "
     "values ('x@example.com', 'ZZ', now())", "fk_customers_country_code"),
    ("same e-mail in other case",
     "insert into core.customers (email, signup_at) values ('ann@EXAMPLE.com', now())",
     "uq_customers_email_lower"),
    ("e-mail without @",
     "insert into core.customers (email, signup_at) values ('nobody', now())",
     "ck_customers_email_has_at"),
    ("unknown acquisition channel",
     "insert into core.customers (email, signup_at, acquisition_channel) "
     "values ('y@example.com', now(), 'billboard')", "fk_customers_acquisition_channel"),
    ("unknown order status",
     "insert into core.orders (customer_id, ordered_at, status, channel) "
     "values (1, now(), 'lost', 'web')", "ck_orders_status_known"),
    ("unknown sales channel",
     "insert into core.orders (customer_id, ordered_at, status, channel) "
     "values (1, now(), 'placed', 'fax')", "ck_orders_channel_known"),
    ("order of unknown customer",
     "insert into core.orders (customer_id, ordered_at, status, channel) "
     "values (999, now(), 'placed', 'web')", "fk_orders_customer_id"),
    ("order shipped to unknown country",
     "insert into core.orders (customer_id, ordered_at, status, channel, shipping_country_code) "
     "values (1, now(), 'placed', 'web', 'ZZ')", "fk_orders_shipping_country_code"),
    ("negative shipping fee",
     "insert into core.orders (customer_id, ordered_at, status, channel, shipping_fee) "
     "values (1, now(), 'placed', 'web', -1)", "ck_orders_shipping_fee_not_negative"),
    ("category that is its own parent",
     "update core.categories set parent_category_id = 2 where category_id = 2",
     "ck_categories_not_own_parent"),
    ("two top-level categories with one name",
     "insert into core.categories (parent_category_id, name) values (null, 'Electronics')",
     "uq_categories_parent_category_id_name"),
    ("unknown device",
     "insert into core.web_traffic values ('2024-02-01', 'direct', 'fridge', 'DE', 1)",
     "ck_web_traffic_device_known"),
    ("negative sessions",
     "insert into core.web_traffic values ('2024-02-01', 'direct', 'mobile', 'DE', -1)",
     "ck_web_traffic_sessions_not_negative"),
    ("negative spend",
     "insert into core.marketing_spend values ('2024-02-02', 'paid_search', 'DE', -5)",
     "ck_marketing_spend_amount_not_negative"),
    ("unknown load kind",
     "insert into ops.load_runs (kind) values ('magic')", "ck_load_runs_kind_known"),
]  # fmt: skip


@pytest.fixture
def shop(db: Engine) -> Engine:
    """The migrated database with one valid row in every core table."""
    with db.begin() as conn:
        conn.exec_driver_sql(VALID_ROWS)
    return db


def test_valid_rows_are_accepted(shop: Engine) -> None:
    with shop.connect() as conn:
        for table in ("categories", "products", "customers", "orders", "order_items", "reviews"):
            assert conn.scalar(text(f"select count(*) from core.{table}")) >= 1, table


@pytest.mark.parametrize(
    ("case", "statement", "constraint"), BAD_ROWS, ids=[b[0] for b in BAD_ROWS]
)
def test_constraint_rejects_bad_row(
    shop: Engine, case: str, statement: str, constraint: str
) -> None:
    with pytest.raises(IntegrityError) as caught, shop.begin() as conn:
        conn.execute(text(statement))
    assert caught.value.orig.diag.constraint_name == constraint, case


@pytest.mark.parametrize("column", ["customer_id", "ordered_at", "status", "channel"])
def test_orders_require_column(shop: Engine, column: str) -> None:
    values = {"customer_id": "1", "ordered_at": "now()", "status": "'placed'", "channel": "'web'"}
    values[column] = "null"
    statement = (
        f"insert into core.orders ({', '.join(values)}) values ({', '.join(values.values())})"
    )
    with pytest.raises(IntegrityError) as caught, shop.begin() as conn:
        conn.execute(text(statement))
    assert caught.value.orig.diag.column_name == column


def test_every_schema_table_and_column_has_a_comment(db: Engine) -> None:
    with db.connect() as conn:
        undocumented = conn.execute(
            text("""
                select n.nspname || coalesce('.' || c.relname, '')
                       || coalesce('.' || a.attname, '') as object
                from pg_namespace n
                left join pg_class c on c.relnamespace = n.oid and c.relkind in ('r', 'p')
                left join pg_attribute a
                    on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                where n.nspname = any(:schemas)
                  and (obj_description(n.oid, 'pg_namespace') is null
                       or (c.oid is not null and obj_description(c.oid, 'pg_class') is null)
                       or (a.attnum is not null and col_description(c.oid, a.attnum) is null))
            """),
            {"schemas": list(SCHEMAS)},
        ).scalars().all()  # fmt: skip
    assert undocumented == []


def test_schema_code_documents_every_table_and_column() -> None:
    for table in metadata.tables.values():
        assert table.comment, table.fullname
        for column in table.columns:
            assert column.comment, f"{table.fullname}.{column.name}"


def test_countries_come_from_the_seed_file(db: Engine) -> None:
    with (PROJECT_ROOT / "seeds" / "countries.csv").open(encoding="utf-8") as fh:
        expected = {row["country_code"]: row for row in csv.DictReader(fh)}
    with db.connect() as conn:
        rows = conn.execute(text("select * from core.countries")).mappings().all()
    assert {row["country_code"] for row in rows} == set(expected)
    us = next(row for row in rows if row["country_code"] == "US")
    assert (us["iso_alpha3"], us["name"], us["region"], us["currency_code"]) == (
        "USA",
        "United States",
        "Americas",
        "USD",
    )


def test_discount_above_line_value_is_rejected_alone(shop: Engine) -> None:
    statement = (
        "insert into core.order_items (order_id, line_number, product_id, quantity, unit_price, "
        "unit_cost, discount_amount) values (1, 2, 1, 2, 10, 5, 20.01)"
    )
    with pytest.raises(IntegrityError) as caught, shop.begin() as conn:
        conn.execute(text(statement))
    assert caught.value.orig.diag.constraint_name == "ck_order_items_discount_within_line"
    with shop.begin() as conn:  # exactly the line value is fine
        conn.execute(text(statement.replace("20.01", "20.00")))


def test_only_the_import_rows_in_progress_are_unlogged(db: Engine) -> None:
    # staging.import_rows is emptied by each import and skips the WAL; rejected rows and the
    # returns applied must survive a crash, like core.
    with db.connect() as conn:
        unlogged = conn.execute(text(
            "select relnamespace::regnamespace || '.' || relname from pg_class "
            "where relpersistence = 'u' and relkind = 'r' and relnamespace::regnamespace::text "
            "in ('core', 'staging', 'ops', 'ml')"
        )).scalars().all()  # fmt: skip
    assert unlogged == ["staging.import_rows"]
