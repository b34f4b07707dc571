"""salesdw.db.rebuild: a view rebuilt beside the one readers use keeps its name, indexes,
comments and readers, and a rebuild left half-done is cleaned up."""

from __future__ import annotations

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.db.rebuild import rebuild_beside

SETTINGS = {"salesdw.timezone": "UTC"}


def conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def catalog(engine: Engine, name: str) -> dict:
    with engine.connect() as conn:
        return {
            "indexes": sorted(conn.execute(text(
                "select indexname, indexdef from pg_indexes "
                "where schemaname = 'mart' and tablename = :name"), {"name": name}).all()),
            "view_comment": conn.scalar(text(
                "select obj_description(format('analytics.%I', cast(:name as text))::regclass)"),
                {"name": name}),
            "column_comments": conn.execute(text(
                "select attname, col_description(attrelid, attnum) from pg_attribute "
                "where attrelid = format('analytics.%I', cast(:name as text))::regclass "
                "and attnum > 0 order by attnum"), {"name": name}).all(),
            "matview_oid": conn.scalar(text(
                "select format('mart.%I', cast(:name as text))::regclass::oid"), {"name": name}),
        }  # fmt: skip


def test_rebuild_swaps_in_new_data_and_keeps_indexes_and_comments(db: Engine) -> None:
    # order_customers has two indexes: both must come back, each under its old name
    before = catalog(db, "order_customers")
    with db.begin() as conn:
        conn.execute(text("insert into core.categories (name) values ('Books')"))
        conn.execute(
            text(
                "insert into core.products (sku, name, category_id, list_price, unit_cost, "
                "launched_at) values ('B-1', 'Novel', 1, 10, 4, '2024-01-01')"
            )
        )
        conn.execute(
            text(
                "insert into core.customers (email, country_code, signup_at) "
                "values ('a@x.io', 'DE', '2024-01-01')"
            )
        )
        conn.execute(
            text(
                "insert into core.orders (customer_id, ordered_at, status, channel) "
                "values (1, '2024-03-01 12:00+00', 'completed', 'web')"
            )
        )
        conn.execute(
            text(
                "insert into core.order_items (order_id, line_number, product_id, quantity, "
                "unit_price, unit_cost) values (1, 1, 1, 2, 10, 4)"
            )
        )
    with psycopg.connect(conninfo(db)) as conn:
        for name in ("category_tree", "category_bits"):
            rebuild_beside(conn, name, SETTINGS)
        for name in ("order_facts", "order_line_facts"):
            conn.execute(f"refresh materialized view mart.{name}")
            conn.commit()
        assert rebuild_beside(conn, "order_customers", SETTINGS) == 1  # the rows it built
    after = catalog(db, "order_customers")
    assert after["matview_oid"] != before["matview_oid"]
    assert after["indexes"] == before["indexes"] and len(after["indexes"]) == 4
    assert after["view_comment"] == before["view_comment"]
    assert after["column_comments"] == before["column_comments"]
    with db.connect() as conn:
        assert conn.scalar(text("select count(*) from analytics.order_customers")) == 1
        left = conn.scalar(text("select count(*) from pg_class where relname like '%\\_\\_next'"))
    assert left == 0


def test_a_leftover_half_built_view_is_replaced(db: Engine) -> None:
    with psycopg.connect(conninfo(db)) as conn:
        conn.execute("create materialized view mart.kpi_monthly__next as select 1 as stale")
        conn.commit()
        rebuild_beside(conn, "category_bits", SETTINGS)
        rebuild_beside(conn, "kpi_monthly", SETTINGS)
        columns = [row[0] for row in conn.execute(
            "select attname from pg_attribute where attrelid = 'mart.kpi_monthly'::regclass "
            "and attnum > 0")]  # fmt: skip
    assert "month" in columns and "stale" not in columns


def test_views_that_read_the_rebuilt_view_keep_working(db: Engine) -> None:
    """kpi_monthly reads analytics.sales_daily: the swap must not break or drop it."""
    with psycopg.connect(conninfo(db)) as conn:
        rebuild_beside(conn, "sales_daily", SETTINGS)
        conn.execute("refresh materialized view mart.kpi_monthly")
        assert conn.execute("select count(*) from analytics.kpi_monthly").fetchone()[0] == 0
