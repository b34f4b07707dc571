"""ops.load_runs: a row per seed or import, kept even when the load itself rolls back."""

from __future__ import annotations

import json

import psycopg


def start_run(conn: psycopg.Connection, kind: str, source: str, params: dict) -> int:
    """Record a running load on its own connection (autocommit), so a rollback keeps it."""
    row = conn.execute(
        "insert into ops.load_runs (kind, source, params) values (%s, %s, %s) "
        "returning load_run_id",
        [kind, source, json.dumps(params)],
    ).fetchone()
    return int(row[0])


def finish_run(
    conn: psycopg.Connection, run_id: int, row_counts: dict, params: dict | None = None
) -> None:
    """Mark the run succeeded; call inside the load's transaction, so both commit together."""
    conn.execute(
        "update ops.load_runs set status = 'succeeded', finished_at = clock_timestamp(), "
        "row_counts = %s, params = coalesce(%s::jsonb, params) where load_run_id = %s",
        [json.dumps(row_counts), json.dumps(params) if params else None, run_id],
    )


def fail_run(conn: psycopg.Connection, run_id: int, error: str) -> None:
    conn.execute(
        "update ops.load_runs set status = 'failed', finished_at = clock_timestamp(), "
        "error = %s where load_run_id = %s and status = 'running'",
        [error[:2000], run_id],
    )
