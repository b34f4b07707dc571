"""salesdw.ml.runs: a run's outputs appear with its success, never half; skips and failures
are recorded with their reason; old runs' outputs are pruned."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.ml.runs import KEEP_RUNS, ModelSkipped, model_run


def conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


SEGMENTS = pd.DataFrame({"product_id": [1, 2], "segment_name": ["star", "volume"]})


def runs(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(text(
            "select model_kind, status, message, metrics from ml.model_runs order by run_id"
        )).all()  # fmt: skip


def test_a_run_writes_its_outputs_and_metrics_when_it_succeeds(db: Engine) -> None:
    with model_run(conninfo(db), "product_segments", {"k": 4}) as run:
        run.write("product_segments", SEGMENTS)
        run.metrics["silhouette"] = 0.5
    assert runs(db) == [("product_segments", "succeeded", None, {"silhouette": 0.5})]
    with db.connect() as conn:
        shown = conn.execute(text(
            "select product_id, segment_name from analytics.product_segments order by 1"
        )).all()  # fmt: skip
    assert shown == [(1, "star"), (2, "volume")]


def test_a_skipped_run_keeps_its_reason_and_writes_nothing(db: Engine) -> None:
    with pytest.raises(ModelSkipped), model_run(conninfo(db), "product_segments") as run:
        run.write("product_segments", SEGMENTS)
        raise ModelSkipped("too few products: 2 (need 10)")
    assert runs(db) == [("product_segments", "skipped", "too few products: 2 (need 10)", {})]
    with db.connect() as conn:
        assert conn.scalar(text("select count(*) from ml.product_segments")) == 0


def test_a_failed_run_is_recorded_and_its_outputs_rolled_back(db: Engine) -> None:
    with pytest.raises(ZeroDivisionError), model_run(conninfo(db), "product_segments") as run:
        run.write("product_segments", SEGMENTS)
        _ = 1 / 0
    assert [row[:2] for row in runs(db)] == [("product_segments", "failed")]
    with db.connect() as conn:
        assert conn.scalar(text("select count(*) from ml.product_segments")) == 0


def test_only_the_newest_runs_keep_their_outputs(db: Engine) -> None:
    for _ in range(KEEP_RUNS + 2):
        with model_run(conninfo(db), "product_segments") as run:
            run.write("product_segments", SEGMENTS)
    with db.connect() as conn:
        kept = conn.scalar(text("select count(distinct run_id) from ml.product_segments"))
        recorded = conn.scalar(text("select count(*) from ml.model_runs"))
    assert kept == KEEP_RUNS and recorded == KEEP_RUNS + 2
