"""Is the warehouse ready to show? What is missing, and the command that fixes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Engine

__all__ = ["WarehouseStatus", "warehouse_status"]


@dataclass(frozen=True)
class WarehouseStatus:
    """state: ready, not_migrated, not_refreshed or empty; message says what to run."""

    state: str
    message: str
    data_through: datetime | None = None
    refreshed_at: datetime | None = None

    @property
    def is_ready(self) -> bool:
        return self.state == "ready"


def warehouse_status(engine: Engine) -> WarehouseStatus:
    """The warehouse's state, read from the analytics layer."""
    with engine.connect() as conn:
        if conn.scalar(text("select to_regclass('analytics.data_freshness')")) is None:
            return WarehouseStatus(
                "not_migrated",
                "The warehouse schema is not there yet. Run `make migrate` (or `make demo`).",
            )
        missing = conn.scalar(text(
            "select count(*) from analytics.data_freshness where not is_populated "
            "or refreshed_at is null"
        ))  # fmt: skip
        data_through, refreshed_at = conn.execute(text(
            "select max(data_through), max(refreshed_at) from analytics.data_freshness"
        )).one()  # fmt: skip
        if missing:
            return WarehouseStatus(
                "not_refreshed",
                "The analytics views have not been built yet. Run `make refresh` (after "
                "`make seed` or `salesdw import FILE`).",
            )
        has_sales = conn.scalar(text(
            "select exists (select 1 from analytics.order_periods where rollup = 'none')"
        ))  # fmt: skip
    if not has_sales:
        return WarehouseStatus(
            "empty",
            "The warehouse holds no orders yet. Run `make seed` for generated history, or "
            "`salesdw import FILE` for your own, then `make refresh`.",
            data_through, refreshed_at,
        )  # fmt: skip
    return WarehouseStatus("ready", "", data_through, refreshed_at)
