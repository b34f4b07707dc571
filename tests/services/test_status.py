"""services.status: the warehouse's state, and how fresh its views are."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from salesdw.db.roles import READER_GROUP
from salesdw.services.status import warehouse_status


def test_a_freshly_seeded_and_refreshed_warehouse_is_ready_and_fresh(seeded: Engine) -> None:
    status = warehouse_status(seeded)
    assert status.is_ready
    assert status.data_through is not None and status.data_through.tzinfo is not None
    assert status.oldest_refresh <= status.refreshed_at <= status.checked_at
    assert status.loaded_at is not None and status.loaded_at < status.oldest_refresh
    assert not status.loaded_since_refresh and not status.views_disagree
    assert not status.is_stale


def test_a_view_a_later_migration_built_leaves_the_warehouse_ready(seeded_db: Engine) -> None:
    """A migration builds the view it adds, but only a refresh logs one (ops.refresh_log)."""
    with seeded_db.begin() as conn:
        conn.execute(text(
            "delete from ops.refresh_log where view_name = 'product_sales_running'"
        ))  # fmt: skip
    status = warehouse_status(seeded_db)
    assert status.is_ready


def test_data_loaded_after_the_refresh_makes_the_views_stale(seeded_db: Engine) -> None:
    with seeded_db.begin() as conn:
        conn.execute(text(
            "insert into ops.load_runs (kind, status, started_at, finished_at) "
            "values ('import', 'succeeded', now(), now())"
        ))  # fmt: skip
    status = warehouse_status(seeded_db)
    assert status.loaded_since_refresh and status.is_stale


def test_a_view_refreshed_before_the_latest_order_makes_the_views_stale(
    seeded_db: Engine,
) -> None:
    with seeded_db.begin() as conn:
        conn.execute(text(
            "update ops.refresh_log set data_through = data_through - interval '3 days' "
            "where view_name = 'geo_sales'"
        ))  # fmt: skip
    status = warehouse_status(seeded_db)
    assert status.views_disagree and status.is_stale
    assert status.oldest_data_through < status.data_through


def test_views_refreshed_long_ago_are_stale(seeded_db: Engine) -> None:
    with seeded_db.begin() as conn:
        conn.execute(text(
            "update ops.refresh_log set started_at = started_at - interval '3 days', "
            "finished_at = finished_at - interval '3 days'"
        ))  # fmt: skip
        conn.execute(text(
            "update ops.load_runs set started_at = started_at - interval '4 days', "
            "finished_at = finished_at - interval '4 days'"
        ))  # fmt: skip
    status = warehouse_status(seeded_db)
    assert not status.loaded_since_refresh and not status.views_disagree
    assert status.refresh_age.days == 3 and status.is_stale


def test_a_read_only_login_gets_the_status_without_the_load_runs(seeded_db: Engine) -> None:
    """salesdw_reader (what BI tools and a read-only dashboard log in as) may not read ops."""
    reader = create_engine(seeded_db.url, poolclass=NullPool,
                           connect_args={"options": f"-c role={READER_GROUP}"})  # fmt: skip
    try:
        status = warehouse_status(reader)
    finally:
        reader.dispose()
    assert status.is_ready and status.data_through is not None
    assert status.loaded_at is None and not status.is_stale
