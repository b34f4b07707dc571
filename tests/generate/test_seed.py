"""`salesdw seed`: deterministic, atomic, replaces synthetic data, never silently imported data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw import migrate
from salesdw.generate import resolve_options, seed_warehouse
from salesdw.generate.seed import LOAD_TABLES, ImportedDataError, SchemaMissingError

TINY = {"orders": 3_000, "products": 60, "start_date": date(2024, 1, 1), "years": 1, "seed": 5}
SALESDW = str(Path(sys.executable).with_name("salesdw"))


def conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def seed(engine: Engine, **overrides) -> None:
    flags = {k: overrides.pop(k) for k in ("replace_all", "progress") if k in overrides}
    seed_warehouse(conninfo(engine), resolve_options(**{**TINY, **overrides}), **flags)


def checksums(engine: Engine) -> dict[str, str]:
    """An md5 of every loaded table's rows, in a stable order."""
    with engine.connect() as conn:
        return {
            table: conn.scalar(
                text(
                    "select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) "
                    f"from {table} x"
                )
            )
            for table in LOAD_TABLES
        }


def last_run(engine: Engine) -> dict:
    with engine.connect() as conn:
        return dict(
            conn.execute(text("select * from ops.load_runs order by load_run_id desc limit 1"))
            .mappings()
            .one()
        )


def test_same_options_give_identical_tables(db: Engine) -> None:
    seed(db)
    first = checksums(db)
    seed(db)
    assert checksums(db) == first
    with db.connect() as conn:
        assert conn.scalar(text("select count(*) from core.orders")) > 2_000


def test_other_seed_gives_other_data(db: Engine) -> None:
    seed(db)
    first = checksums(db)
    seed(db, seed=6)
    second = checksums(db)
    for table in ("core.customers", "core.orders", "core.order_items", "core.web_traffic"):
        assert second[table] != first[table], table


def test_reseeding_replaces_instead_of_adding(db: Engine) -> None:
    seed(db)
    with db.connect() as conn:
        before = conn.scalar(text("select count(*) from core.order_items"))
    seed(db)
    with db.connect() as conn:
        assert conn.scalar(text("select count(*) from core.order_items")) == before
        runs = conn.execute(text("select status from ops.load_runs order by 1")).scalars().all()
    assert runs == ["succeeded", "succeeded"]


def test_failure_halfway_leaves_the_previous_data(db: Engine) -> None:
    seed(db)
    before = checksums(db)

    def explode(table: str, rows: int, total: int | None) -> None:
        if table == "core.order_items" and rows:
            raise RuntimeError("disk full (simulated)")

    with pytest.raises(RuntimeError, match="simulated"):
        seed(db, seed=99, progress=explode)
    assert checksums(db) == before
    run = last_run(db)
    assert (run["status"], run["error"]) == ("failed", "disk full (simulated)")
    migrate.check(db)  # keys and indexes are back too


def test_killed_seed_leaves_the_previous_data(primary_server, db: Engine) -> None:
    seed(db)
    before = checksums(db)
    env = {**os.environ, "DATABASE_URL": conninfo(db)}
    child = subprocess.Popen(
        [SALESDW, "seed", "--orders", "400000", "--products", "200", "--seed", "8"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        # Halfway: keys dropped and tables truncated (the seed holds their exclusive locks),
        # then a moment of COPY, and the seed is still running.
        deadline = time.monotonic() + 120
        with db.connect() as conn:
            while time.monotonic() < deadline and child.poll() is None:
                locked = conn.scalar(text(
                    "select count(*) from pg_locks where relation = 'core.orders'::regclass "
                    "and mode = 'AccessExclusiveLock' and granted"
                ))  # fmt: skip
                if locked:
                    break
                time.sleep(0.05)
        assert locked, "the seed never took the tables' locks"
        time.sleep(1.0)
        assert child.poll() is None, "the seed finished before it could be killed"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert checksums(db) == before
    assert last_run(db)["status"] == "running"  # it never got to record its end


def test_refuses_to_replace_imported_data(db: Engine) -> None:
    seed(db)
    with db.begin() as conn:
        conn.execute(text("update core.orders set external_id = 'SHOP-1001' where order_id = 1"))
    before = checksums(db)
    with pytest.raises(ImportedDataError, match="--replace-all"):
        seed(db, seed=9)
    assert checksums(db) == before
    seed(db, seed=9, replace_all=True)
    assert checksums(db) != before


def test_cli_replace_all_replaces_imported_data(db: Engine) -> None:
    seed(db)
    with db.begin() as conn:
        conn.execute(text("update core.orders set external_id = 'SHOP-1001' where order_id = 1"))
    env = {**os.environ, "DATABASE_URL": conninfo(db)}
    command = [SALESDW, "seed", "--orders", "2000", "--products", "50", "--years", "1"]
    refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300,
                             check=False)  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.strip().count("\n") == 0 and "--replace-all" in refused.stderr
    replaced = subprocess.run([*command, "--replace-all"], env=env, capture_output=True,
                              text=True, timeout=300, check=False)  # fmt: skip
    assert replaced.returncode == 0, replaced.stderr
    with db.connect() as conn:
        assert (
            conn.scalar(text("select count(*) from core.orders where external_id is not null")) == 0
        )


def test_refuses_after_an_import_newer_than_the_last_seed(db: Engine) -> None:
    seed(db)
    with db.begin() as conn:
        conn.execute(text("insert into ops.load_runs (kind, status, finished_at) "
                          "values ('import', 'succeeded', now())"))  # fmt: skip
    with pytest.raises(ImportedDataError):
        seed(db)


def test_seed_restores_every_key_index_and_foreign_key(pg_server, db: Engine) -> None:
    seed(db)
    migrate.check(db)
    with db.connect() as conn:
        indexes = conn.scalar(text("select count(*) from pg_indexes where schemaname = 'core'"))
    fresh = pg_server.create_database()
    try:
        from tests.conftest import engine_for

        other = engine_for(pg_server, fresh)
        migrate.upgrade(other)
        with other.connect() as conn:
            expected = conn.scalar(
                text("select count(*) from pg_indexes where schemaname = 'core'")
            )
        other.dispose()
    finally:
        pg_server.drop_database(fresh)
    assert indexes == expected


def test_new_rows_get_ids_after_the_seeded_ones(db: Engine) -> None:
    seed(db)
    with db.begin() as conn:
        top = conn.scalar(text("select max(customer_id) from core.customers"))
        new = conn.scalar(
            text(
                "insert into core.customers (email, signup_at) "
                "values ('new@example.com', now()) returning customer_id"
            )
        )
    assert new == top + 1


def test_run_records_true_parameters_and_row_counts(db: Engine) -> None:
    seed(db)
    run = last_run(db)
    assert run["kind"] == "seed" and run["status"] == "succeeded"
    assert set(run["params"]["btyd"]) >= {"r", "alpha", "a", "b", "p", "q", "gamma", "time_unit"}
    assert {a["kind"] for a in run["params"]["anomalies"]} == {
        "outage", "flash_sale", "pricing_error",
    }  # fmt: skip
    with db.connect() as conn:
        for table, rows in run["row_counts"].items():
            assert conn.scalar(text(f"select count(*) from {table}")) == rows, table


def test_unmigrated_database_gets_a_clear_error(empty_db: Engine) -> None:
    with pytest.raises(SchemaMissingError, match="salesdw migrate"):
        seed(empty_db)


def test_cli_seed_shows_progress_and_a_summary(db: Engine) -> None:
    done = subprocess.run(
        [SALESDW, "seed", "--orders", "2000", "--products", "50", "--years", "1"],
        env={**os.environ, "DATABASE_URL": conninfo(db)}, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Seeded in" in done.stdout
    for table in ("core.customers", "core.orders", "core.order_items", "core.web_traffic"):
        assert table in done.stdout


def test_cli_rejects_impossible_sizes_in_one_line(db: Engine) -> None:
    done = subprocess.run(
        [SALESDW, "seed", "--orders", "100", "--customers", "500"],
        env={**os.environ, "DATABASE_URL": conninfo(db)}, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "at least --customers" in done.stderr
