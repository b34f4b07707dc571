"""`salesdw train`: a summary table with each model's metrics; skips and refusals in one line
each, never a traceback; exit codes a script can act on."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from tests.conftest import Trained

SALESDW = str(Path(sys.executable).with_name("salesdw"))
KINDS = ("forecast", "churn", "clv", "anomalies", "customer_segments", "product_segments")


def train(engine: Engine, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"DATABASE_URL": engine.url.render_as_string(hide_password=False), "COLUMNS": "250"}
    return subprocess.run([SALESDW, "train", *args], env=env, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip


def table_rows(stdout: str) -> dict[str, list[str]]:
    """The summary table's rows by model: the cells of the row starting with its name."""
    rows = {}
    for line in stdout.splitlines():
        cells = [cell.strip() for cell in line.strip("│ ").split("│")]
        if cells and cells[0] in KINDS:
            rows[cells[0]] = cells
    return rows


def test_train_all_prints_each_model_with_its_metrics(trained: Trained) -> None:
    done = trained.cli
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    rows = table_rows(done.stdout)
    assert list(rows) == list(KINDS)
    assert all(cells[1] == "succeeded" for cells in rows.values())
    metrics = {kind: cells[-1] for kind, cells in rows.items()}
    assert "mean_mase" in metrics["forecast"] and "coverage_95" in metrics["forecast"]
    assert "roc_auc" in metrics["churn"] and "brier_score" in metrics["churn"]
    assert "holdout_error" in metrics["clv"]
    assert "precision" in metrics["anomalies"] and "recall" in metrics["anomalies"]
    assert "silhouette" in metrics["customer_segments"]


def test_on_an_empty_warehouse_every_model_is_skipped_in_one_line(db: Engine) -> None:
    done = train(db)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert [cells[1] for cells in table_rows(done.stdout).values()] == ["skipped"] * len(KINDS)
    for kind in KINDS:
        reasons = [line for line in done.stdout.splitlines() if line.startswith(f"{kind}: ")]
        assert len(reasons) == 1, done.stdout
        assert "orders" in reasons[0] or "products" in reasons[0] or "sales" in reasons[0]


def test_an_unknown_model_is_one_line_and_exit_2(db: Engine) -> None:
    done = train(db, "forecast", "bogus")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: unknown model 'bogus'; choose from all, forecast, churn, clv, anomalies, segments"
    ]
    assert done.stdout == ""


def test_a_malformed_calibration_end_is_one_line_and_exit_2(db: Engine) -> None:
    done = train(db, "clv", "--calibration-end", "31/12/2024")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--calibration-end must be a date" in lines[0]


def test_an_unmigrated_database_is_told_to_migrate_in_one_line(empty_db: Engine) -> None:
    done = train(empty_db)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "salesdw migrate" in lines[0], done.stderr


def test_a_read_only_login_stops_training_in_one_line(seeded_db: Engine) -> None:
    """As a read-only login every model would fail on its first write: the first refusal stops
    the run with one line saying which login to use, exit code 2, and no traceback. (A model
    that fails on its own does not stop the others: tests/ml/test_train.py.)"""
    from salesdw.db.roles import create_reader

    name = f"trainer_{uuid.uuid4().hex[:8]}"
    admin = seeded_db.url.set(drivername="postgresql").render_as_string(hide_password=False)
    reader = create_reader(admin, seeded_db.url, name, "pw")
    try:
        done = train(create_engine(reader.set(drivername="postgresql+psycopg")), "clv",
                     "anomalies")  # fmt: skip
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop role "{name}"')
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and "Traceback" not in done.stdout + done.stderr
    assert len(lines) == 1 and "read-only login" in lines[0], done.stderr
