"""Model runs: one row in ml.model_runs per training, and the outputs written with it.

A run writes its outputs and flips its status to succeeded in one transaction, with the
summaries of its scores (salesdw.ml.summaries), so the analytics views (which show the latest
successful run) never show half a run. A model that cannot be
fitted raises ModelSkipped with a message a user can act on; the run is recorded as skipped.
Only the newest KEEP_RUNS successful runs of each kind keep their outputs.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

from salesdw.errors import SalesdwError
from salesdw.ml.summaries import write_summaries

__all__ = [
    "KEEP_RUNS",
    "ModelRun",
    "ModelSkipped",
    "RunResult",
    "data_through",
    "model_run",
    "read_frame",
]

log = logging.getLogger(__name__)

KEEP_RUNS = 3


class ModelSkipped(SalesdwError):
    """The model cannot be fitted on this data (too little history, too few customers)."""

    exit_code = 0


@dataclass
class RunResult:
    """What `salesdw train` reports for one model."""

    kind: str
    status: str  # succeeded, skipped or failed
    run_id: int | None = None
    seconds: float = 0.0
    metrics: dict[str, Any] = field(default_factory=dict)
    message: str | None = None
    rows: int = 0


@dataclass
class ModelRun:
    """An open run: write outputs with `write`, record what was learned in `parameters` and
    `metrics` (JSON-serialisable; numpy numbers are converted)."""

    conn: psycopg.Connection
    kind: str
    run_id: int
    parameters: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    data_through: datetime | None = None
    rows: int = 0

    def write(self, table: str, frame: pd.DataFrame) -> int:
        """COPY the frame's rows into ml.<table>, with this run's id; returns the row count."""
        if frame.empty:
            return 0
        columns = ["run_id", *frame.columns]
        statement = sql.SQL("copy ml.{} ({}) from stdin").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        values = frame.astype(object).where(frame.notna(), None).itertuples(index=False)
        with self.conn.cursor() as cur, cur.copy(statement) as copy:
            for row in values:
                copy.write_row((self.run_id, *(_plain(value) for value in row)))
        self.rows += len(frame)
        return len(frame)


def read_frame(conn: psycopg.Connection, query: str, params: Any = None) -> pd.DataFrame:
    """A query's rows as a DataFrame; numeric columns as floats (models want floats)."""
    with conn.cursor() as cur:
        cur.execute(query, params)
        columns = [column.name for column in cur.description]
        frame = pd.DataFrame(cur.fetchall(), columns=columns)
    for column in columns:
        if frame[column].map(lambda v: type(v).__name__ == "Decimal").any():
            frame[column] = frame[column].astype(float)
    return frame


def data_through(conn: psycopg.Connection) -> datetime | None:
    """The latest order time the analytics views cover."""
    return conn.execute("select max(data_through) from analytics.data_freshness").fetchone()[0]


@contextmanager
def model_run(
    conninfo: str, kind: str, parameters: dict[str, Any] | None = None
) -> Iterator[ModelRun]:
    """Open a run of `kind`; commit its outputs as succeeded when the block ends, or record it
    as skipped (ModelSkipped) or failed (any other error, which propagates)."""
    started = time.perf_counter()
    with psycopg.connect(conninfo) as conn:
        run_id = conn.execute(
            "insert into ml.model_runs (model_kind, parameters) values (%s, %s) returning run_id",
            [kind, json.dumps(_jsonable(parameters or {}))],
        ).fetchone()[0]
        run = ModelRun(conn, kind, run_id, dict(parameters or {}), data_through=data_through(conn))
        try:
            yield run
        except ModelSkipped as exc:
            conn.rollback()
            _record_end(conn, run, "skipped", time.perf_counter() - started, str(exc))
            raise
        except Exception as exc:
            conn.rollback()
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            _record_end(conn, run, "failed", time.perf_counter() - started, message)
            raise
        conn.execute(
            """
            update ml.model_runs
            set status = 'succeeded', parameters = %s, metrics = %s, data_through = %s,
                duration_seconds = %s
            where run_id = %s
            """,
            [json.dumps(_jsonable(run.parameters)), json.dumps(_jsonable(run.metrics)),
             run.data_through, round(time.perf_counter() - started, 3), run_id],
        )  # fmt: skip
        write_summaries(conn, kind, run_id)
        _prune(conn, kind)
        conn.commit()


def _record_end(
    conn: psycopg.Connection, run: ModelRun, status: str, seconds: float, message: str
) -> None:
    # The insert of the run was rolled back with its outputs: record it anew.
    conn.execute(
        "insert into ml.model_runs (model_kind, status, parameters, data_through, "
        "duration_seconds, message) values (%s, %s, %s, %s, %s, %s)",
        [run.kind, status, json.dumps(_jsonable(run.parameters)), run.data_through,
         round(seconds, 3), message[:2000]],
    )  # fmt: skip
    conn.commit()


def _prune(conn: psycopg.Connection, kind: str) -> None:
    """Delete the outputs of all but the newest KEEP_RUNS successful runs of the kind (their
    ml.model_runs rows and metrics stay, as history)."""
    old = [row[0] for row in conn.execute(
        """
        select run_id from ml.model_runs
        where model_kind = %s and status = 'succeeded'
        order by trained_at desc, run_id desc
        offset %s
        """,
        [kind, KEEP_RUNS],
    )]  # fmt: skip
    if not old:
        return
    for table in ("sales_forecasts", "forecast_backtests", "churn_scores", "clv_scores",
                  "clv_bands", "anomalies", "customer_segments", "customer_segment_profiles",
                  "product_segments"):  # fmt: skip
        conn.execute(
            sql.SQL("delete from ml.{} where run_id = any(%s)").format(sql.Identifier(table)), [old]
        )


def _plain(value: Any) -> Any:
    """numpy scalars as Python values, for COPY and JSON."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
