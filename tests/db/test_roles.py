"""The read-only reader: every analytics view, nothing in core or staging, no writes."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, Engine

from salesdw.db.roles import RoleError, create_reader

SALESDW = str(Path(sys.executable).with_name("salesdw"))


def conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def reader(db: Engine) -> Iterator[URL]:
    name = f"reader_{uuid.uuid4().hex[:8]}"
    url = create_reader(conninfo(db), db.url, name, "s3cret pass")
    yield url
    with psycopg.connect(conninfo(db), autocommit=True) as conn:
        conn.execute(f'drop role if exists "{name}"')


def _as_reader(url: URL) -> psycopg.Connection:
    return psycopg.connect(
        host=url.host, port=url.port, dbname=url.database, user=url.username,
        password=url.password, autocommit=True,
    )  # fmt: skip


def test_reader_reads_every_analytics_view(db: Engine, reader: URL) -> None:
    with db.connect() as conn:
        views = conn.execute(text(
            "select table_name from information_schema.views where table_schema = 'analytics'"
        )).scalars().all()  # fmt: skip
    assert len(views) >= 10
    with _as_reader(reader) as conn:
        for view in views:
            conn.execute(f"select * from analytics.{view} limit 1").fetchall()


@pytest.mark.parametrize(
    "statement",
    [
        "select * from core.customers",
        "select * from core.orders",
        "select * from mart.sales_daily",
        "select * from ops.load_runs",
        "insert into core.countries values ('QQ', 'QQQ', 'Q', 'Q', 'Q', null)",
        "delete from core.orders",
        "create table analytics.scratch (x int)",
        "create table public.scratch (x int)",
    ],
)
def test_reader_cannot_touch_private_data_or_write(reader: URL, statement: str) -> None:
    with _as_reader(reader) as conn, pytest.raises(psycopg.Error) as caught:
        conn.execute(statement)
    assert isinstance(
        caught.value, psycopg.errors.InsufficientPrivilege | psycopg.errors.ReadOnlySqlTransaction
    ), caught.value


def test_reader_holds_no_write_privilege_on_any_analytics_view(reader: URL) -> None:
    with _as_reader(reader) as conn:
        writable = conn.execute("""
            select relname from pg_class
            where relnamespace = 'analytics'::regnamespace and relkind = 'v'
              and has_table_privilege(oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
        """).fetchall()  # fmt: skip
        read_only = conn.execute("show default_transaction_read_only").fetchone()[0]
    assert writable == [] and read_only == "on"


def test_names_that_are_not_identifiers_are_refused(db: Engine) -> None:
    with pytest.raises(RoleError, match="lowercase letters"):
        create_reader(conninfo(db), db.url, "Robert'); drop table x;--", "pw")


def test_cli_creates_a_reader_from_an_environment_password(db: Engine) -> None:
    name = f"reader_{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": conninfo(db), "SALESDW_READER_PASSWORD": "pw-from-env"}
    try:
        done = subprocess.run([SALESDW, "db", "create-reader", name], env=env, text=True,
                              capture_output=True, stdin=subprocess.DEVNULL, timeout=60,
                              check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert f"postgresql://{name}:***@" in done.stdout
        assert "pw-from-env" not in done.stdout
    finally:
        with psycopg.connect(conninfo(db), autocommit=True) as conn:
            conn.execute(f'drop role if exists "{name}"')


def test_cli_without_password_or_terminal_says_what_to_set(db: Engine) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SALESDW_READER_PASSWORD"}
    done = subprocess.run([SALESDW, "db", "create-reader", "nobody_here"],
                          env={**env, "DATABASE_URL": conninfo(db)}, text=True,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=60,
                          check=False)  # fmt: skip
    assert done.returncode == 2 and "SALESDW_READER_PASSWORD" in done.stderr
