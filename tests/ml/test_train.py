"""salesdw.ml.train: `train all` on the seeded warehouse writes every model's output, which the
read-only reader sees through the analytics views; on an empty warehouse every model is
skipped with its reason; an unknown model is refused; one model failing does not stop the
others."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, Engine

from salesdw.db.roles import create_reader
from salesdw.ml import anomalies
from salesdw.ml.train import MODELS, TrainError, train
from tests.conftest import Trained

#: What each model writes, as the analytics views show it.
VIEWS = ("sales_forecast", "forecast_backtests", "customer_scores", "anomalies",
         "customer_segments", "product_segments", "model_metrics")  # fmt: skip
#: The runs `train all` records: the segment step writes two.
KINDS = ("forecast", "churn", "clv", "anomalies", "customer_segments", "product_segments")


def conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def reader(trained: Trained) -> Iterator[URL]:
    name = f"reader_{uuid.uuid4().hex[:8]}"
    yield create_reader(conninfo(trained.engine), trained.engine.url, name, "s3cret pass")
    with psycopg.connect(conninfo(trained.engine), autocommit=True) as conn:
        conn.execute(f'drop role if exists "{name}"')


def runs(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(text(
            "select model_kind, status, message from ml.model_runs order by run_id"
        )).all()  # fmt: skip


def test_train_all_runs_every_model_once_and_each_succeeds(trained: Trained) -> None:
    assert trained.cli.returncode == 0, trained.cli.stderr
    assert runs(trained.engine) == [(kind, "succeeded", None) for kind in KINDS]


@pytest.mark.parametrize("view", VIEWS)
def test_the_reader_role_reads_every_model_output_through_the_analytics_views(
    trained: Trained, reader: URL, view: str
) -> None:
    with psycopg.connect(host=reader.host, port=reader.port, dbname=reader.database,
                         user=reader.username, password=reader.password) as conn:  # fmt: skip
        assert conn.execute(f"select count(*) from analytics.{view}").fetchone()[0] > 0


def test_model_metrics_shows_each_models_headline_metric(trained: Trained) -> None:
    headline = {"forecast": "mean_mase", "churn": "roc_auc", "clv": "holdout_error",
                "anomalies": "recall", "customer_segments": "silhouette",
                "product_segments": "median_orders"}  # fmt: skip
    with trained.engine.connect() as conn:
        shown = set(conn.execute(text(
            "select model_kind, metric_name from analytics.model_metrics"
        )).all())  # fmt: skip
    assert set(headline.items()) <= shown


def test_model_metrics_lists_the_churn_drivers_by_weight(trained: Trained) -> None:
    with trained.engine.connect() as conn:
        drivers = dict(conn.execute(text(
            "select metric_name, metric_value from analytics.model_metrics "
            "where model_kind = 'churn' and metric_name like 'importance_%'"
        )).all())  # fmt: skip
        top = conn.scalar(text("select metrics -> 'top_drivers' ->> 0 from ml.model_runs "
                               "where model_kind = 'churn'"))  # fmt: skip
    assert len(drivers) >= 8
    assert max(drivers, key=drivers.get) == f"importance_{top}"


def test_an_unknown_model_is_refused_before_any_model_runs(db: Engine) -> None:
    with pytest.raises(TrainError, match=r"^unknown model 'bogus'; choose from all, forecast"):
        train(conninfo(db), ["anomalies", "bogus"])
    assert TrainError.exit_code == 2
    assert runs(db) == []


def test_every_model_is_skipped_with_its_reason_on_an_empty_warehouse(db: Engine) -> None:
    announced: list[str] = []
    results = train(conninfo(db), ["all"], on_model=announced.append)
    assert announced == list(MODELS)
    assert [(r.kind, r.status) for r in results] == [(kind, "skipped") for kind in KINDS]
    for result in results:
        assert result.message and "\n" not in result.message
        assert result.rows == 0
    assert runs(db) == [(r.kind, "skipped", r.message) for r in results]


def test_a_failing_model_is_recorded_and_the_others_still_run(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(frame, seed=42):
        raise RuntimeError("boom\nmore detail")

    monkeypatch.setattr(anomalies, "detect", broken)
    results = train(conninfo(db), ["anomalies", "segments"])
    assert [(r.kind, r.status) for r in results] == [
        ("anomalies", "failed"), ("customer_segments", "skipped"), ("product_segments", "skipped")
    ]  # fmt: skip
    assert results[0].message == "RuntimeError: boom"
    assert runs(db)[0] == ("anomalies", "failed", "boom")


def test_training_an_unmigrated_database_says_to_migrate(empty_db: Engine) -> None:
    with pytest.raises(TrainError, match="salesdw migrate"):
        train(conninfo(empty_db), ["all"])
