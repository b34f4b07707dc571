"""The analytics views: frozen in migrations, documented, and right on hand-made edge cases."""

from __future__ import annotations

import importlib.util
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.refresh import refresh
from salesdw.settings import PROJECT_ROOT, Settings

SQL_DIR = PROJECT_ROOT / "sql" / "analytics"


def conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _frozen_views() -> dict[str, str]:
    """The newest frozen SQL of each view, from the migrations that carry a VIEWS list."""
    frozen: dict[str, str] = {}
    for path in sorted((PROJECT_ROOT / "migrations" / "versions").glob("*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, _kind, sql in getattr(module, "VIEWS", []):
            frozen[name] = sql
    return frozen


def test_every_sql_file_is_frozen_in_a_migration_as_it_is() -> None:
    """Editing a view's .sql file needs a migration that carries the new text."""
    frozen = _frozen_views()
    files = {path.stem: path.read_text() for path in SQL_DIR.glob("*.sql")}
    assert set(files) == set(frozen)
    for name, sql in files.items():
        assert frozen[name] == sql, f"sql/analytics/{name}.sql differs from its migration"


def test_every_analytics_view_and_column_is_documented(db: Engine) -> None:
    with db.connect() as conn:
        views = conn.execute(text("""
            select c.relname, obj_description(c.oid, 'pg_class')
            from pg_class c where c.relnamespace = 'analytics'::regnamespace and c.relkind = 'v'
        """)).all()  # fmt: skip
        undocumented_columns = conn.execute(text("""
            select c.relname || '.' || a.attname
            from pg_class c
            inner join pg_attribute a on a.attrelid = c.oid and a.attnum > 0
            where c.relnamespace = 'analytics'::regnamespace and c.relkind = 'v'
              and col_description(c.oid, a.attnum) is null
        """)).scalars().all()  # fmt: skip
    assert len(views) >= 10
    for name, comment in views:
        assert comment and comment.startswith("One row per"), name
    assert undocumented_columns == []


#: The rollups the services read a few periods of, each with the columns of the index they are
#: read by: their rows are stored in that order, so a period's rows lie on a few pages.
_PERIOD = ("period_start", "rollup", "period_grain")
_DIMENSIONS = ("country_code", "channel", "status")
STORED_IN_INDEX_ORDER = {
    "sales_daily": ("order_date", *_DIMENSIONS, "category_id"),
    "orders_daily": ("order_date", *_DIMENSIONS, "category_mask"),
    "sales_periods": (*_PERIOD, *_DIMENSIONS, "category_id"),
    "order_periods": (*_PERIOD, *_DIMENSIONS, "category_mask"),
    "product_sales_periods": ("period_start", "period_grain", "product_id"),
    "product_sales_running": ("through_day", "product_id"),
    "order_customers": ("order_date", "order_id"),
}


@pytest.mark.parametrize("name", sorted(STORED_IN_INDEX_ORDER))
def test_rollups_are_stored_in_the_order_of_their_index(seeded: Engine, name: str) -> None:
    with seeded.connect() as conn:
        rows, out_of_order = conn.execute(text(f"""
            select count(*), count(*) filter (where stored <> sorted)
            from (
                select
                    row_number() over (order by ctid) as stored,
                    row_number() over (order by {', '.join(STORED_IN_INDEX_ORDER[name])}) as sorted
                from mart.{name}
            ) as positions
        """)).one()  # fmt: skip
    assert rows > 100
    assert out_of_order == 0


@pytest.mark.parametrize("name", ["sales_daily", "orders_daily", "sales_periods", "order_periods"])
def test_rollups_have_one_index_with_the_category_last(db: Engine, name: str) -> None:
    """Countries, channels and statuses are lists the index seeks to; the category mask is a bit
    test it cannot seek by, so it comes last. A second index on the date alone would be chosen
    by the planner and filter every row of each day."""
    with db.connect() as conn:
        indexes = conn.execute(text("""
            select array_agg(attribute.attname order by key.position)
            from pg_index as index
            cross join lateral unnest(index.indkey) with ordinality as key (attnum, position)
            inner join pg_attribute as attribute
                on attribute.attrelid = index.indrelid and attribute.attnum = key.attnum
            where index.indrelid = format('mart.%I', cast(:name as text))::regclass
            group by index.indexrelid
        """), {"name": name}).scalars().all()  # fmt: skip
    assert [tuple(columns) for columns in indexes] == [STORED_IN_INDEX_ORDER[name]]


def test_each_exposed_materialized_view_has_a_unique_index(db: Engine) -> None:
    """The key of each exposed view is unique: the index proves it at every rebuild."""
    with db.connect() as conn:
        missing = conn.execute(text("""
            select m.matviewname from pg_matviews m
            where m.schemaname = 'mart'
              and to_regclass(format('analytics.%I', m.matviewname)) is not null
              and not exists (
                select 1 from pg_index i
                where i.indrelid = format('mart.%I', m.matviewname)::regclass and i.indisunique
            )
        """)).scalars().all()  # fmt: skip
    assert missing == []


def test_internal_materialized_views_and_their_columns_are_documented(db: Engine) -> None:
    """The views no analytics view exposes (order_facts, order_line_facts) are documented too."""
    with db.connect() as conn:
        internal = conn.execute(text("""
            select m.matviewname, obj_description(format('mart.%I', m.matviewname)::regclass)
            from pg_matviews m
            where m.schemaname = 'mart'
              and to_regclass(format('analytics.%I', m.matviewname)) is null
        """)).all()  # fmt: skip
        undocumented = conn.execute(text("""
            select c.relname || '.' || a.attname
            from pg_class c
            inner join pg_attribute a on a.attrelid = c.oid and a.attnum > 0
            where c.relnamespace = 'mart'::regnamespace and c.relkind = 'm'
              and to_regclass(format('analytics.%I', c.relname)) is null
              and col_description(c.oid, a.attnum) is null
        """)).scalars().all()  # fmt: skip
    assert {name for name, _ in internal} == {"order_facts", "order_line_facts"}
    for name, comment in internal:
        assert comment and comment.startswith("One row per"), name
    assert undocumented == []


# Hand-made rows for edge cases. Ids come from identity columns in a fresh database.
SHOP = """
insert into core.categories (name) values ('Books'), ('Games');
insert into core.products (sku, name, category_id, list_price, unit_cost, launched_at)
    values ('B-1', 'Novel', 1, 10, 4, '2024-01-01'), ('G-1', 'Chess', 2, 30, 12, '2024-01-01');
insert into core.customers (email, country_code, signup_at)
    values ('a@x.io', 'DE', '2024-01-01'), ('b@x.io', 'FR', '2024-01-01'),
           ('c@x.io', 'FR', '2024-01-01'), ('d@x.io', 'FR', '2024-01-01');
-- 1: customer 1, late on 1 March UTC, which is already 2 March in Berlin; two categories and
--    an order discount of 10 spread 1:3 over the lines (10 and 30 gross)
-- 2: customer 1, cancelled
-- 3: customer 2, a full return of 3 games
-- 4: customer 3, a partial return (1 of 3 novels) and a partial refund
-- 5: customer 4, one order like customer 3's (an RFM tie)
insert into core.orders (customer_id, ordered_at, status, channel, shipping_country_code,
                         shipping_fee, discount_amount) values
    (1, '2024-03-01 23:30+00', 'completed', 'web', 'DE', 4.99, 10),
    (1, '2024-03-05 12:00+00', 'cancelled', 'web', 'DE', 0, 0),
    (2, '2024-03-06 12:00+00', 'returned', 'mobile_app', 'FR', 0, 0),
    (3, '2024-03-07 12:00+00', 'completed', 'web', 'FR', 0, 0),
    (4, '2024-03-07 13:00+00', 'completed', 'web', 'FR', 0, 0);
insert into core.order_items (order_id, line_number, product_id, quantity, unit_price,
                              unit_cost, discount_amount, returned_quantity, refund_amount) values
    (1, 1, 1, 1, 10, 4, 0, 0, 0),
    (1, 2, 2, 1, 30, 12, 0, 0, 0),
    (2, 1, 2, 5, 30, 12, 0, 0, 0),
    (3, 1, 2, 3, 30, 12, 0, 3, 90),
    (4, 1, 1, 3, 10, 4, 0, 1, 12),
    (5, 1, 1, 3, 10, 4, 0, 1, 12);
"""


@pytest.fixture
def shop(db: Engine) -> Engine:
    with db.begin() as conn:
        conn.exec_driver_sql(SHOP)
    refresh(conninfo(db), settings=Settings(_env_file=None, timezone="UTC"))
    return db


def rows(engine: Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_order_discount_is_spread_over_lines_by_value(shop: Engine) -> None:
    got = rows(shop, """
        select category_id, gross_revenue, discounts, net_revenue, cogs, gross_profit
        from analytics.sales_daily where order_date = '2024-03-01' order by 1
    """)  # fmt: skip
    assert got == [
        (1, Decimal("10.00"), Decimal("2.5"), Decimal("7.5"), Decimal("4.00"), Decimal("3.5")),
        (2, Decimal("30.00"), Decimal("7.5"), Decimal("22.5"), Decimal("12.00"), Decimal("10.5")),
    ]


def test_full_return_leaves_no_net_revenue_and_no_cost(shop: Engine) -> None:
    got = rows(shop, """
        select status, units, units_returned, gross_revenue, refunds, net_revenue, cogs
        from analytics.sales_daily where order_date = '2024-03-06'
    """)  # fmt: skip
    assert got == [("returned", 3, 3, Decimal("90.00"), Decimal("90.00"), Decimal("0.00"), 0)]


def test_partial_return_counts_only_kept_units_as_cost(shop: Engine) -> None:
    got = rows(shop, """
        select sum(refunds), sum(net_revenue), sum(cogs), sum(gross_profit)
        from analytics.sales_daily where order_date = '2024-03-07'
    """)  # fmt: skip
    assert got == [(Decimal("24.00"), Decimal("36.00"), Decimal("16.00"), Decimal("20.00"))]


def test_cancelled_orders_are_kept_apart_and_left_out_of_kpis(shop: Engine) -> None:
    assert rows(shop, """
        select status, sum(orders) from analytics.orders_daily group by 1 order by 1
    """) == [("cancelled", 1), ("completed", 3), ("returned", 1)]  # fmt: skip
    march = rows(shop, """
        select orders, net_revenue, customers, new_customers, returning_customers
        from analytics.kpi_monthly where month = '2024-03-01'
    """)  # fmt: skip
    assert march == [(4, Decimal("66.00"), 4, 4, 0)]


def test_days_are_counted_in_the_configured_time_zone(shop: Engine) -> None:
    utc = rows(shop, "select distinct order_date from analytics.orders_daily "
                     "where status = 'completed' and country_code = 'DE'")  # fmt: skip
    refresh(conninfo(shop), settings=Settings(_env_file=None, timezone="Europe/Berlin"))
    berlin = rows(shop, "select distinct order_date from analytics.orders_daily "
                        "where status = 'completed' and country_code = 'DE'")  # fmt: skip
    assert [str(d) for (d,) in utc] == ["2024-03-01"]
    assert [str(d) for (d,) in berlin] == ["2024-03-02"]


def test_category_masks_count_an_order_once(shop: Engine) -> None:
    got = rows(shop, """
        select b1.category_bit, b2.category_bit, o.category_mask, o.orders
        from analytics.orders_daily o
        cross join (select category_bit from analytics.category_bits where category_id = 1) b1
        cross join (select category_bit from analytics.category_bits where category_id = 2) b2
        where o.order_date = '2024-03-01'
    """)  # fmt: skip
    bit_books, bit_games, mask, orders = got[0]
    assert mask == (1 << bit_books) | (1 << bit_games) and orders == 1


def test_category_masks_follow_products_whatever_their_ids(db: Engine) -> None:
    """order_facts looks each product's category bit up by id from the lowest id: ids that
    start far from 1, with gaps, still give each order the bits of its lines."""
    with db.begin() as conn:
        conn.exec_driver_sql("""
            insert into core.categories (name) values ('Books'), ('Games');
            insert into core.products (product_id, sku, name, category_id, list_price,
                                       launched_at) values
                (41, 'B-1', 'Novel', 1, 10, '2024-01-01'),
                (97, 'G-1', 'Chess', 2, 30, '2024-01-01');
            insert into core.customers (email, signup_at) values ('a@x.io', '2024-01-01');
            insert into core.orders (customer_id, ordered_at, status, channel) values
                (1, '2024-03-01 12:00+00', 'completed', 'web'),
                (1, '2024-03-02 12:00+00', 'completed', 'web');
            insert into core.order_items (order_id, line_number, product_id, quantity,
                                          unit_price, unit_cost) values
                (1, 1, 97, 1, 30, 12), (2, 1, 41, 1, 10, 4), (2, 2, 97, 1, 30, 12);
        """)  # fmt: skip
    refresh(conninfo(db), settings=Settings(_env_file=None, timezone="UTC"))
    bits = dict(rows(db, "select category_id, category_bit from analytics.category_bits"))
    books, games = 1 << bits[1], 1 << bits[2]
    masks = rows(db, "select order_id, category_mask from mart.order_facts order by 1")
    assert masks == [(1, games), (2, books | games)]


def test_monthly_customers_count_each_customer_once_a_month(db: Engine) -> None:
    """kpi_monthly counts a month's customers from active_customer_days (orders whose
    customer's previous order came before the month): a customer with several orders in a
    month, two of them on one day, counts once; a cancelled order counts for nobody, and the
    customer's next order is their first."""
    with db.begin() as conn:
        conn.exec_driver_sql("""
            insert into core.categories (name) values ('Books');
            insert into core.products (product_id, sku, name, category_id, list_price,
                                       launched_at) values (1, 'B-1', 'Novel', 1, 10, '2024-01-01');
            insert into core.customers (email, signup_at) values
                ('a@x.io', '2024-01-01'), ('b@x.io', '2024-01-01');
            insert into core.orders (customer_id, ordered_at, status, channel) values
                (1, '2024-02-20 12:00+00', 'completed', 'web'),
                (1, '2024-03-05 09:00+00', 'completed', 'web'),
                (1, '2024-03-05 18:00+00', 'completed', 'web'),
                (1, '2024-03-20 12:00+00', 'completed', 'web'),
                (2, '2024-03-01 12:00+00', 'cancelled', 'web'),
                (2, '2024-04-02 12:00+00', 'completed', 'web');
            insert into core.order_items (order_id, line_number, product_id, quantity,
                                          unit_price, unit_cost)
            select order_id, 1, 1, 1, 10, 4 from core.orders;
        """)  # fmt: skip
    refresh(conninfo(db), settings=Settings(_env_file=None, timezone="UTC"))
    got = rows(db, """
        select month, orders, customers, new_customers, returning_customers
        from analytics.kpi_monthly order by month
    """)  # fmt: skip
    assert got == [
        (date(2024, 2, 1), 1, 1, 1, 0),
        (date(2024, 3, 1), 3, 1, 0, 1),
        (date(2024, 4, 1), 1, 1, 1, 0),
    ]


def test_customer_with_one_order_has_no_tenure(shop: Engine) -> None:
    got = rows(shop, """
        select customer_id, orders, units, net_revenue, tenure_days, days_since_last_order,
               is_churned, as_of_date
        from analytics.customer_summary order by 1
    """)  # fmt: skip
    assert [r[:5] for r in got] == [
        (1, 1, 2, Decimal("30.00"), 0),
        (2, 1, 3, Decimal("0.00"), 0),
        (3, 1, 3, Decimal("18.00"), 0),
        (4, 1, 3, Decimal("18.00"), 0),
    ]
    assert {str(r[7]) for r in got} == {"2024-03-08"}  # the day after the latest order
    assert [r[5] for r in got] == [7, 2, 1, 1] and not any(r[6] for r in got)


def test_customer_base_adds_up_the_customers_in_one_row(shop: Engine) -> None:
    got = rows(shop, """
        select customers, buyers, repeat_buyers, churned_buyers, average_orders,
               average_net_revenue, average_order_value, as_of_date
        from analytics.customer_base
    """)  # fmt: skip
    # four buyers of one order each (customer 1's second is cancelled): 30 + 0 + 18 + 18
    assert got == [(4, 4, 0, 0, 1, Decimal("16.50"), Decimal("16.50"), date(2024, 3, 8))]


def test_customer_base_is_one_row_without_orders(db: Engine) -> None:
    refresh(conninfo(db), settings=Settings(_env_file=None))
    got = rows(db, "select customers, buyers, repeat_buyer_share, as_of_date "
                   "from analytics.customer_base")  # fmt: skip
    assert got == [(0, 0, None, None)]


def test_rfm_ties_get_equal_scores_and_the_worst_scores_one(shop: Engine) -> None:
    got = {r[0]: r[1:] for r in rows(shop, """
        select customer_id, r_score, f_score, m_score, segment from analytics.customer_rfm
    """)}  # fmt: skip
    assert got[3] == got[4]  # same recency, frequency and value
    assert got[1][0] == 1  # the oldest last order
    assert {scores[1] for scores in got.values()} == {1}  # everyone has one order
    assert got[2][2] == 1  # the lowest net revenue
    assert all(scores[3] for scores in got.values())  # every cell maps to a segment


def test_churn_follows_the_configured_window(shop: Engine) -> None:
    refresh(conninfo(shop), settings=Settings(_env_file=None, churn_days=5))
    churned = rows(shop, "select customer_id from analytics.customer_summary where is_churned")
    assert churned == [(1,)]


def test_sql_files_follow_the_house_style() -> None:
    for path in SQL_DIR.glob("*.sql"):
        sql = path.read_text()
        query = sql.split("\n;\n")[0]
        assert "\nwith" in "\n" + query, path.name
        assert query.rstrip().endswith("select * from final"), path.name
        assert Path(path).name == path.name.lower()
