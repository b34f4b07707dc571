"""Fixtures: real PostgreSQL servers, fresh databases cloned from a migrated template.

A test that takes `pg_server`, `empty_db` or `db` runs once per server (see pg_servers.py):
ids `[primary]` and `[system]`. Each test gets its own database, so tests stay independent.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Engine
from sqlalchemy.pool import NullPool

from salesdw import migrate
from salesdw.generate import resolve_options, seed_warehouse
from salesdw.refresh import refresh
from tests.pg_servers import PgServer, find_system, start_primary

_servers: dict[str, PgServer | None] = {}
_skipped: dict[str, str] = {}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "pg_server" in metafunc.fixturenames:
        metafunc.parametrize("pg_server", ["primary", "system"], indirect=True, scope="session")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {"pg_server", "primary_server"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


def _server(role: str, config: pytest.Config) -> PgServer:
    if "primary" not in _servers:
        primary = start_primary()
        _servers["primary"] = primary
        config.add_cleanup(primary.close)
    if role == "system" and "system" not in _servers:
        _servers["system"], _skipped["system"] = find_system(_servers["primary"])
    server = _servers[role]
    if server is None:
        pytest.skip(f"system PostgreSQL not used: {_skipped['system']}")
    return server


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> PgServer:
    """Each server in turn: tests that take it run on PostgreSQL 18 and 15."""
    return _server(request.param, request.config)


@pytest.fixture(scope="session")
def primary_server(request: pytest.FixtureRequest) -> PgServer:
    """The primary server only, for heavier tests that prove data, not the schema."""
    return _server("primary", request.config)


def engine_for(server: PgServer, database: str) -> Engine:
    # NullPool: no idle connection outlives a test and blocks DROP DATABASE.
    return create_engine(server.url(database), poolclass=NullPool)


@pytest.fixture
def empty_db(pg_server: PgServer) -> Iterator[Engine]:
    """An engine on a new, empty database."""
    name = pg_server.create_database()
    engine = engine_for(pg_server, name)
    yield engine
    engine.dispose()
    pg_server.drop_database(name)


@pytest.fixture(scope="session")
def migrated_template(pg_server: PgServer) -> Iterator[str]:
    """A database at the newest revision, used as the template of `db`."""
    name = pg_server.create_database()
    engine = engine_for(pg_server, name)
    migrate.upgrade(engine)
    engine.dispose()
    yield name
    pg_server.drop_database(name)


@pytest.fixture
def db(pg_server: PgServer, migrated_template: str) -> Iterator[Engine]:
    """An engine on a fresh copy of the migrated database (CREATE DATABASE ... TEMPLATE)."""
    name = pg_server.create_database(template=migrated_template)
    engine = engine_for(pg_server, name)
    yield engine
    engine.dispose()
    pg_server.drop_database(name)


@pytest.fixture
def reader(db: Engine) -> Iterator[URL]:
    """The URL of a read-only login (`salesdw db create-reader`) on `db`, dropped after."""
    from salesdw.db.roles import create_reader

    owner = db.url.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"reader_{uuid.uuid4().hex[:8]}"
    yield create_reader(owner, db.url, name, "s3cret pass")
    with psycopg.connect(owner, autocommit=True) as conn:
        conn.execute(f'drop role if exists "{name}"')


def _server_lines() -> list[str]:
    """What this process tested on: one line per server, or why a server was not used."""
    lines = []
    for role in ("primary", "system"):
        server = _servers.get(role)
        if server is not None:
            lines.append(server.describe())
        elif role in _skipped:
            lines.append(f"{role}: not used ({_skipped[role]})")
    return lines


#: Under pytest-xdist (make test), the lines each worker sends back when it finishes.
_worker_lines: list[str] = []


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: its servers are its own
        workeroutput["pg_servers"] = _server_lines()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:  # an xdist hook
    _worker_lines.extend(getattr(node, "workeroutput", {}).get("pg_servers", []))


def pytest_terminal_summary(terminalreporter) -> None:
    # every worker starts its own embedded server (a line each); they share the system server
    lines = list(dict.fromkeys(sorted(_server_lines() + _worker_lines)))
    if not lines:
        return
    terminalreporter.write_sep("-", "PostgreSQL servers tested")
    for line in lines:
        terminalreporter.write_line(line)


#: The seeded test warehouse: small enough to build in seconds, large enough for statistics.
#: A fixed start date keeps every figure the same whatever day the tests run.
SEED_OPTIONS = {"orders": 40_000, "products": 300, "start_date": date(2023, 1, 1), "seed": 7}


def seed_database(server: PgServer, name: str, **overrides) -> None:
    """Seed a migrated database and refresh its analytics views, as `salesdw seed` does."""
    options = resolve_options(**{**SEED_OPTIONS, **overrides})
    conninfo = server.url(name).set(drivername="postgresql").render_as_string(False)
    seed_warehouse(conninfo, options)
    refresh(conninfo)


@pytest.fixture(scope="session")
def seeded_template(primary_server: PgServer, request: pytest.FixtureRequest) -> str:
    """A migrated database seeded with SEED_OPTIONS on the primary server (do not modify)."""
    name = primary_server.create_database()
    engine = engine_for(primary_server, name)
    migrate.upgrade(engine)
    engine.dispose()
    seed_database(primary_server, name)
    request.config.add_cleanup(lambda: primary_server.drop_database(name))
    return name


@pytest.fixture(scope="session")
def seeded(primary_server: PgServer, seeded_template: str) -> Engine:
    """Read-only engine on the seeded template (NullPool: no connection outlives its use)."""
    return engine_for(primary_server, seeded_template)


@pytest.fixture
def seeded_db(primary_server: PgServer, seeded_template: str) -> Iterator[Engine]:
    """A fresh copy of the seeded warehouse, free to modify."""
    name = primary_server.create_database(template=seeded_template)
    engine = engine_for(primary_server, name)
    yield engine
    engine.dispose()
    primary_server.drop_database(name)


@dataclass(frozen=True)
class Trained:
    """The seeded warehouse after `salesdw train all`, and what the command printed."""

    engine: Engine
    cli: subprocess.CompletedProcess[str]


@pytest.fixture(scope="session")
def trained(primary_server: PgServer, seeded_template: str, request: pytest.FixtureRequest
            ) -> Trained:  # fmt: skip
    """A copy of the seeded warehouse on which `salesdw train all` ran, once a session (it
    takes most of a minute); read it, do not modify it. Shared by tests/ml, cli and dashboard."""
    name = primary_server.create_database(template=seeded_template)
    request.config.add_cleanup(lambda: primary_server.drop_database(name))
    url = primary_server.url(name).render_as_string(hide_password=False)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    # A wide terminal, so the summary table's metrics are not wrapped or cut.
    env |= {"DATABASE_URL": url, "COLUMNS": "250"}
    salesdw = str(Path(sys.executable).with_name("salesdw"))
    done = subprocess.run([salesdw, "train", "all"], env=env, capture_output=True, text=True,
                          timeout=900, check=False)  # fmt: skip
    return Trained(engine_for(primary_server, name), done)
