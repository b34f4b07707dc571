"""The PostgreSQL servers the tests run on: always real ones, never a mock.

The primary server is, in this order: `SALESDW_TEST_DATABASE_URL` (a maintenance database on a
server where the user may create databases); a testcontainers PostgreSQL 18 when a Docker engine
answers; salesdw's embedded server, in its own data folder (.salesdw/test) on a free port. Under
pytest-xdist (`make test` runs the tests on every core), each worker has its own primary server
(.salesdw/test-gw0, ...; one container each), so the workers' databases never meet.

The system server is the one these machines run on 127.0.0.1:5432 (PostgreSQL 15, user
postgres, trust). When it answers, every `db` test runs on it too, so the schema is proven on
PostgreSQL 15 and 18. `SALESDW_TEST_SYSTEM_DATABASE_URL` points elsewhere; `off` disables it.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field

import psycopg
from sqlalchemy.engine import URL, make_url

from salesdw.db.embedded import EmbeddedServer
from salesdw.settings import PROJECT_ROOT, parse_database_url

SYSTEM_DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class PgServer:
    """A server the tests may create and drop databases on."""

    role: str  # "primary" or "system"
    kind: str  # how it was obtained
    admin_url: URL  # a maintenance database to connect to for CREATE/DROP DATABASE
    version: str = ""
    _stop: list = field(default_factory=list)

    def url(self, database: str) -> URL:
        return self.admin_url.set(database=database)

    def _admin(self) -> psycopg.Connection:
        return _connect(self.admin_url, autocommit=True)

    def create_database(self, template: str | None = None) -> str:
        name = f"salesdw_test_{uuid.uuid4().hex[:12]}"
        sql = f'create database "{name}"'
        if template:
            sql += f' template "{template}"'
        with self._admin() as conn:
            if template:
                _close_idle_sessions(conn, template)
            conn.execute(sql)
        return name

    def drop_database(self, name: str) -> None:
        with self._admin() as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')

    def describe(self) -> str:
        where = f"{self.admin_url.host}:{self.admin_url.port or 5432}"
        return f"{self.role}: PostgreSQL {self.version} ({self.kind}, {where})"

    def close(self) -> None:
        for stop in self._stop:
            stop()


def _close_idle_sessions(conn: psycopg.Connection, database: str) -> None:
    """CREATE DATABASE ... TEMPLATE fails while anyone is connected to the template. Templates
    are read-only and the tests run one at a time, so what remains is idle pooled connections,
    such as the engine the dashboard's AppTests cache for the session: close them (their pools
    ping before use and reconnect). A session running a query is left alone."""
    conn.execute(
        "select pg_terminate_backend(pid) from pg_stat_activity "
        "where datname = %s and state = 'idle' and pid <> pg_backend_pid()",
        (database,),
    )


def _connect(url: URL, *, autocommit: bool = False) -> psycopg.Connection:
    return psycopg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=url.database,
        autocommit=autocommit,
        connect_timeout=5,
    )


def _server_version(url: URL) -> str:
    with _connect(url) as conn:
        return str(conn.execute("show server_version").fetchone()[0])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


def start_primary() -> PgServer:
    """The primary test server, started if salesdw has to start it."""
    env_url = os.environ.get("SALESDW_TEST_DATABASE_URL", "").strip()
    if env_url:
        url = parse_database_url(env_url)
        return PgServer("primary", "SALESDW_TEST_DATABASE_URL", url, _server_version(url))

    if _docker_answers():
        from testcontainers.postgres import PostgresContainer

        container = PostgresContainer("postgres:18", driver="psycopg").start()
        url = make_url(container.get_connection_url())
        server = PgServer("primary", "testcontainers", url, _server_version(url))
        server._stop.append(container.stop)
        return server

    # under pytest-xdist, a server (and folder) per worker: gw0, gw1, ...
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    folder = f"test-{worker}" if worker else "test"
    embedded = EmbeddedServer(PROJECT_ROOT / ".salesdw" / folder, _free_port())
    url = embedded.ensure_running().set(database="postgres")
    server = PgServer("primary", "embedded", url, _server_version(url))
    server._stop.append(embedded.stop)
    return server


def find_system(primary: PgServer) -> tuple[PgServer | None, str]:
    """The system server if it answers (and is not the primary), else None and why not."""
    raw = os.environ.get("SALESDW_TEST_SYSTEM_DATABASE_URL", SYSTEM_DEFAULT_URL).strip()
    if raw.lower() in {"", "off", "none", "0"}:
        return None, "disabled by SALESDW_TEST_SYSTEM_DATABASE_URL"
    url = parse_database_url(raw)
    same = (url.host, url.port or 5432) == (primary.admin_url.host, primary.admin_url.port or 5432)
    if same:
        return None, "it is the primary server"
    try:
        version = _server_version(url)
    except psycopg.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, f"no answer at {url.host}:{url.port or 5432} ({first_line})"
    return PgServer("system", "system server", url, version), ""
