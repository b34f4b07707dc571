"""The read-only reader: every analytics view, nothing in core or staging, no writes."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, Engine

from salesdw.db.roles import RoleError, create_reader

SALESDW = str(Path(sys.executable).with_name("salesdw"))


def conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


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
        "select * from staging.rejected_rows",
        "select * from mart.sales_daily",
        "select * from ops.load_runs",
    ],
)
def test_reader_cannot_read_private_data(reader: URL, statement: str) -> None:
    with _as_reader(reader) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "insert into core.countries values ('QQ', 'QQQ', 'Q', 'Q', 'Q', null)",
        "delete from core.orders",
        "create table analytics.scratch (x int)",
        "create table ml.scratch (x int)",
        "create table staging.scratch (x int)",
        "create table public.scratch (x int)",
        "create view analytics.scratch as select 1",
        "delete from ml.model_runs",
        "drop view analytics.kpi_monthly",
    ],
)
def test_reader_may_not_write_even_in_a_read_write_transaction(reader: URL, statement: str) -> None:
    """The read-only default is a second guard a session can lift (begin read write); the
    privileges themselves must refuse every write."""
    with _as_reader(reader) as conn:
        conn.execute("begin read write")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)
        conn.execute("rollback")


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


def test_a_name_over_63_characters_is_refused_for_its_length(db: Engine) -> None:
    with pytest.raises(RoleError, match="is 66 characters long; PostgreSQL allows 63 at most"):
        create_reader(conninfo(db), db.url, "r" * 66, "pw")


def test_an_existing_role_that_is_no_reader_is_refused(db: Engine) -> None:
    """Neither the connected user (it would lose its password and its writes) nor another
    role is turned into a reader."""
    other = f"not_a_reader_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(conninfo(db), autocommit=True) as conn:
        me = conn.execute("select current_user").fetchone()[0]
        conn.execute(f'create role "{other}"')
    try:
        for name in (me, other):
            with pytest.raises(RoleError, match="already exists and is not a salesdw reader"):
                create_reader(conninfo(db), db.url, name, "pw")
        with psycopg.connect(conninfo(db), autocommit=True) as conn:
            assert conn.execute("show default_transaction_read_only").fetchone()[0] == "off"
    finally:
        with psycopg.connect(conninfo(db), autocommit=True) as conn:
            conn.execute(f'drop role "{other}"')


def test_an_existing_reader_gets_its_new_password(db: Engine, reader: URL) -> None:
    again = create_reader(conninfo(db), db.url, reader.username, "another pass")
    assert again.username == reader.username and again.password == "another pass"


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


@pytest.mark.parametrize(
    "command",
    [
        ["migrate"],
        ["refresh"],
        ["seed", "--scale", "tiny"],
        ["train", "clv"],
        ["import", "orders.csv", "--dry-run"],
    ],
    ids=lambda command: command[0],
)
def test_cli_as_a_reader_says_the_login_is_read_only(
    reader: URL, command: list[str], tmp_path: Path
) -> None:
    """A reader's URL in DATABASE_URL (as the README shows for BI tools): the commands that
    write say so in one line, wherever they first touch the database, with no traceback."""
    (tmp_path / "orders.csv").write_text(
        "order_id,customer_id,ordered_at,product_id,quantity,unit_price,country\n"
        "1,2,2025-01-01,3,1,2.50,DE\n"
    )
    env = {**os.environ, "DATABASE_URL": reader.render_as_string(hide_password=False)}
    done = subprocess.run([SALESDW, *command], env=env, text=True, capture_output=True,
                          cwd=tmp_path, timeout=120, check=False)  # fmt: skip
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and lines[0].startswith("error: the database login may not do this")
    assert "read-only login" in lines[0] and "DATABASE_URL" in lines[0]
