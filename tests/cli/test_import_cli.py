"""`salesdw import`: a mapping table, a summary and refreshed views; every user mistake is one
line and exit code 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.load.conftest import UCI_HEADER, UCI_ROWS, write_csv

SALESDW = str(Path(sys.executable).with_name("salesdw"))


def salesdw(engine: Engine, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"DATABASE_URL": engine.url.render_as_string(hide_password=False), "COLUMNS": "160"}
    return subprocess.run([SALESDW, *args], env=env, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip


def one_line_error(done: subprocess.CompletedProcess[str], words: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and words in lines[0], done.stderr


def test_import_shows_the_mapping_the_summary_and_refreshes(db: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "online_retail.csv", UCI_ROWS, UCI_HEADER)
    done = salesdw(db, "import", str(path))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "online_retail.csv: CSV, utf-8, comma, with a header" in out
    assert "InvoiceNo" in out and "returns matched" in out
    assert "rows read" in out and "10" in out and "Refreshed" in out
    with db.connect() as conn:
        assert conn.scalar(text("select count(*) from analytics.customer_summary")) == 6
        assert conn.scalar(text("select count(*) from ops.load_runs where kind = 'import' "
                                "and status = 'succeeded'")) == 1  # fmt: skip


def test_dry_run_writes_nothing(db: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "online_retail.csv", UCI_ROWS, UCI_HEADER)
    done = salesdw(db, "import", str(path), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "Dry run (nothing written)" in done.stdout and "Refreshed" not in done.stdout
    with db.connect() as conn:
        assert conn.scalar(text("select count(*) from core.orders")) == 0
        assert conn.scalar(text("select count(*) from ops.load_runs")) == 0


def test_a_missing_file_is_one_line(db: Engine, tmp_path: Path) -> None:
    one_line_error(salesdw(db, "import", str(tmp_path / "nope.csv")), "no file at")


def test_a_malformed_mapping_file_is_one_line(db: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "online_retail.csv", UCI_ROWS, UCI_HEADER)
    mapping = tmp_path / "mapping.yml"
    mapping.write_text("columns:\n  order_id: [InvoiceNo\n", encoding="utf-8")
    one_line_error(salesdw(db, "import", str(path), "--mapping", str(mapping)),
                   "not valid YAML")  # fmt: skip


def test_binary_garbage_is_one_line(db: Engine, tmp_path: Path) -> None:
    garbage = tmp_path / "orders.csv"
    garbage.write_bytes(bytes(range(256)) * 64)
    one_line_error(salesdw(db, "import", str(garbage)), "not a text file")


def test_an_unmigrated_database_is_one_line(empty_db: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "online_retail.csv", UCI_ROWS, UCI_HEADER)
    one_line_error(salesdw(empty_db, "import", str(path)), "run `salesdw migrate` first")


def test_a_bad_time_zone_or_currency_is_one_line(db: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "online_retail.csv", UCI_ROWS, UCI_HEADER)
    one_line_error(salesdw(db, "import", str(path), "--timezone", "Nowhere/City"),
                   "not a time zone")  # fmt: skip
    one_line_error(salesdw(db, "import", str(path), "--currency", "euros"),
                   "not an ISO 4217 currency code")  # fmt: skip
