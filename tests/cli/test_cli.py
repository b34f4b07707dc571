"""The `salesdw` command: help, one-line errors with exit codes, migrate and db commands."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.migrate import head_revision
from tests.pg_servers import PgServer, _free_port

SALESDW = str(Path(sys.executable).with_name("salesdw"))


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run(
        [SALESDW, *args], env={**base, **(env or {})}, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def test_help_lists_the_commands() -> None:
    done = run("--help")
    assert done.returncode == 0
    assert "migrate" in done.stdout and "db" in done.stdout
    db_help = run("db", "--help").stdout
    for command in ("start", "stop", "status", "url", "psql"):
        assert command in db_help


def test_unreachable_database_is_one_line_and_exit_2() -> None:
    done = run("migrate", env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x"})
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "127.0.0.1:1" in lines[0] and "connection refused" in lines[0]
    assert "DATABASE_URL" in lines[0]
    assert "Traceback" not in done.stderr + done.stdout


def test_non_postgresql_url_is_one_line_and_exit_2() -> None:
    done = run("db", "status", env={"DATABASE_URL": "mysql://root@localhost/shop"})
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "must point to PostgreSQL" in done.stderr


def test_migrate_then_migrate_again(pg_server: PgServer) -> None:
    name = pg_server.create_database()
    url = pg_server.url(name).render_as_string(hide_password=False)
    try:
        first = run("migrate", env={"DATABASE_URL": url})
        assert first.returncode == 0, first.stderr
        assert "to revision" in first.stdout
        again = run("migrate", env={"DATABASE_URL": url})
        assert again.returncode == 0
        assert "already at revision" in again.stdout
        status = run("db", "status", env={"DATABASE_URL": url})
        assert f"PostgreSQL {pg_server.version.split()[0]}" in status.stdout
    finally:
        pg_server.drop_database(name)


@pytest.mark.parametrize(
    ("target", "said"),
    [
        ("nonsense", "no revision 'nonsense': give one of 0001.."),
        ("9999", "no revision '9999': give one of 0001.."),
        ("0001", "is at revision {head}, past 0001: migrate only moves forward"),
    ],
)
def test_migrate_to_a_target_it_cannot_reach_says_why_in_one_line(
    db: Engine, target: str, said: str
) -> None:
    done = run("migrate", target, env={"DATABASE_URL": db.url.render_as_string(False)})
    lines = done.stderr.strip().splitlines()
    expected = said.format(head=head_revision())
    assert done.returncode == 2 and len(lines) == 1 and expected in lines[0], done.stderr


def test_migrate_on_a_database_from_a_newer_salesdw_says_to_update(db: Engine) -> None:
    with db.begin() as conn:
        conn.execute(text("update alembic_version set version_num = '9999'"))
    done = run("migrate", env={"DATABASE_URL": db.url.render_as_string(False)})
    assert done.returncode == 2 and "at revision 9999, which this salesdw does not have" in (
        done.stderr
    )


def test_url_is_accepted_by_libpq(pg_server: PgServer) -> None:
    url = pg_server.url(pg_server.admin_url.database).render_as_string(hide_password=False)
    printed = run("db", "url", env={"DATABASE_URL": url}).stdout.strip()
    assert printed.startswith("postgresql://")
    with psycopg.connect(printed) as conn:
        assert conn.execute("select 1").fetchone() == (1,)


def test_db_psql_passes_psql_options_through_as_its_help_shows(db: Engine) -> None:
    env = {"DATABASE_URL": db.url.render_as_string(False)}
    plain = run("db", "psql", "-tA", "-c", "select 40 + 2", env=env)
    after_dashes = run("db", "psql", "--", "-tA", "-c", "select 40 + 2", env=env)
    assert plain.stdout.strip() == after_dashes.stdout.strip() == "42", plain.stderr
    assert "-c 'select 1'" in run("db", "psql", "--help").stdout


def test_embedded_server_lifecycle(tmp_path: Path) -> None:
    env = {"SALESDW_DATA_DIR": str(tmp_path), "SALESDW_PG_PORT": str(_free_port())}
    try:
        assert "not initialised" in run("db", "status", env=env).stdout
        started = run("db", "start", env=env)
        assert started.returncode == 0, started.stderr
        assert "started" in started.stdout
        assert "already running" in run("db", "start", env=env).stdout
        url = run("db", "url", env=env).stdout.strip()
        assert url == f"postgresql://postgres@127.0.0.1:{env['SALESDW_PG_PORT']}/salesdw"
        migrated = run("migrate", env=env)
        assert migrated.returncode == 0, migrated.stderr
        listed = run("db", "psql", "--", "-tA", "-c", r"\dt core.*", env=env)
        assert listed.returncode == 0, listed.stderr
        assert "core|orders|table" in listed.stdout
        assert "running" in run("db", "status", env=env).stdout
    finally:
        stopped = run("db", "stop", env=env)
    assert "stopped" in stopped.stdout
    assert "stopped" in run("db", "status", env=env).stdout


@pytest.mark.parametrize("args", [["migrate", "--bogus"], ["db", "launch"]])
def test_wrong_arguments_exit_2_with_usage(args: list[str]) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert "Usage" in done.stderr and "Traceback" not in done.stderr


def test_dashboard_says_why_it_cannot_listen(db: Engine) -> None:
    env = {"DATABASE_URL": db.url.render_as_string(False)}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        in_use = run("dashboard", "--headless", "--port", port, env=env)
    # 192.0.2.1 is kept for documentation (RFC 5737): no machine has it
    not_here = run("dashboard", "--headless", "--host", "192.0.2.1", "--port", port, env=env)
    unknown = run("dashboard", "--headless", "--host", "no-such-host.invalid", env=env)
    said = {
        "in use": in_use.stderr,
        "not an address of this machine": not_here.stderr,
        "not an address or a known host name": unknown.stderr,
    }
    for expected, stderr in said.items():
        assert expected in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert {in_use.returncode, not_here.returncode, unknown.returncode} == {2}
