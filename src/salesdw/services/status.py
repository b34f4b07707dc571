"""Is the warehouse ready to show? What is missing, and the command that fixes it; and how fresh
the analytics views are (when refreshed, the latest order they cover, data loaded since)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine

__all__ = ["STALE_AFTER", "WarehouseStatus", "warehouse_status"]

#: Views refreshed longer ago than this are flagged as stale, even with no new data known.
STALE_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class WarehouseStatus:
    """state: ready, not_migrated, not_refreshed or empty; message says what to run.

    data_through is the latest order the freshest view covers, refreshed_at its refresh;
    oldest_* are those of the view refreshed longest ago; loaded_at is the end of the latest
    successful seed or import (None when unknown, e.g. for a read-only login that may not read
    ops); checked_at is the server's clock when this was read. Times are timezone-aware."""

    state: str
    message: str
    data_through: datetime | None = None
    refreshed_at: datetime | None = None
    oldest_data_through: datetime | None = None
    oldest_refresh: datetime | None = None
    loaded_at: datetime | None = None
    checked_at: datetime | None = None

    @property
    def is_ready(self) -> bool:
        return self.state == "ready"

    @property
    def loaded_since_refresh(self) -> bool:
        """Data was seeded or imported after some view was last refreshed."""
        return bool(self.loaded_at and self.oldest_refresh and self.loaded_at > self.oldest_refresh)

    @property
    def views_disagree(self) -> bool:
        """Some view was refreshed before an order another view already covers."""
        return bool(self.oldest_data_through and self.data_through
                    and self.oldest_data_through < self.data_through)  # fmt: skip

    @property
    def refresh_age(self) -> timedelta | None:
        """How long ago the view refreshed longest ago was refreshed."""
        if self.checked_at is None or self.oldest_refresh is None:
            return None
        return self.checked_at - self.oldest_refresh

    @property
    def is_stale(self) -> bool:
        age = self.refresh_age
        return (self.loaded_since_refresh or self.views_disagree
                or (age is not None and age > STALE_AFTER))  # fmt: skip


def _loaded_at(conn) -> datetime | None:
    """End of the latest successful load run, if this login may read ops.load_runs."""
    # one question at a time: naming a table in a schema one may not use is an error
    for question in (
        "select exists (select 1 from pg_namespace where nspname = 'ops') "
        "and has_schema_privilege('ops', 'usage')",
        "select to_regclass('ops.load_runs') is not null",
        "select has_table_privilege('ops.load_runs', 'select')",
    ):
        if not conn.scalar(text(question)):
            return None
    return conn.scalar(text(
        "select max(finished_at) from ops.load_runs where status = 'succeeded'"
    ))  # fmt: skip


def warehouse_status(engine: Engine) -> WarehouseStatus:
    """The warehouse's state, read from the analytics layer."""
    with engine.connect() as conn:
        if conn.scalar(text("select to_regclass('analytics.data_freshness')")) is None:
            return WarehouseStatus(
                "not_migrated",
                "The warehouse schema is not there yet. Run `make migrate` (or `make demo`).",
            )
        # Not built: a view is unpopulated, or no view was ever refreshed. A view that a later
        # migration added was built by it and has no refresh logged until the next one: the
        # others still serve.
        missing = conn.scalar(text(
            "select count(*) filter (where not is_populated) + (count(refreshed_at) = 0)::int "
            "from analytics.data_freshness"
        ))  # fmt: skip
        times = conn.execute(text("""
            select max(data_through) as data_through, max(refreshed_at) as refreshed_at,
                   min(data_through) as oldest_data_through,
                   min(refreshed_at) as oldest_refresh, now() as checked_at
            from analytics.data_freshness
        """)).mappings().one()  # fmt: skip
        if missing:
            return WarehouseStatus(
                "not_refreshed",
                "The analytics views have not been built yet. Run `make refresh` (after "
                "`make seed` or `salesdw import FILE`).",
            )
        has_sales = conn.scalar(text(
            "select exists (select 1 from analytics.order_periods where rollup = 'none')"
        ))  # fmt: skip
        loaded_at = _loaded_at(conn)
    if not has_sales:
        return WarehouseStatus(
            "empty",
            "The warehouse holds no orders yet. Run `make seed` for generated history, or "
            "`salesdw import FILE` for your own, then `make refresh`.",
            times["data_through"], times["refreshed_at"],
        )  # fmt: skip
    return WarehouseStatus("ready", "", **times, loaded_at=loaded_at)
