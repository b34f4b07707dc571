"""salesdw.ml.summaries: the value-at-risk list, CLV bands and cluster profiles written with a
run agree with pandas over the scores; the list follows the latest churn and CLV runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw import migrate
from salesdw.ml import summaries
from salesdw.ml.runs import model_run
from salesdw.ml.summaries import AT_RISK_ROWS, CLV_BANDS
from tests.conftest import Trained, engine_for
from tests.ml.test_runs import conninfo
from tests.pg_servers import PgServer


def frame(engine: Engine, query: str) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(text(query), conn)


def latest_scores(engine: Engine, table: str, kind: str) -> pd.DataFrame:
    return frame(engine, f"""
        select * from ml.{table} where run_id = (
            select max(run_id) from ml.model_runs
            where model_kind = '{kind}' and status = 'succeeded')
    """)  # fmt: skip


def test_the_value_at_risk_list_ranks_every_scored_customer(trained: Trained) -> None:
    churn = latest_scores(trained.engine, "churn_scores", "churn")
    clv = latest_scores(trained.engine, "clv_scores", "clv")
    expected = churn.merge(clv[["customer_id", "clv_12m"]], on="customer_id", how="left")
    expected["value_at_risk"] = expected["churn_probability"] * expected["clv_12m"]
    expected = expected.sort_values(
        ["value_at_risk", "churn_probability", "customer_id"],
        ascending=[False, False, True],
        na_position="last",
    ).head(AT_RISK_ROWS)
    got = frame(trained.engine, "select * from analytics.customers_at_risk order by risk_rank")
    assert len(churn) > AT_RISK_ROWS  # the list is a cut, not every customer
    assert list(got["risk_rank"]) == list(range(1, AT_RISK_ROWS + 1))
    assert list(got["customer_id"]) == list(expected["customer_id"])
    assert np.allclose(got["value_at_risk"], expected["value_at_risk"], rtol=1e-12)
    assert (got["churn_run_id"] == churn["run_id"].iloc[0]).all()
    assert (got["clv_run_id"] == clv["run_id"].iloc[0]).all()


def test_the_clv_bands_hold_every_customer_in_its_band(trained: Trained) -> None:
    clv = latest_scores(trained.engine, "clv_scores", "clv")["clv_12m"]
    top = max(np.percentile(clv, 99), 1e-9)  # linear, as percentile_cont
    band = np.minimum(np.floor(clv / top * CLV_BANDS) + 1, CLV_BANDS).astype(int)
    expected = clv.groupby(band).agg(["count", "sum"])
    got = frame(trained.engine, "select * from analytics.clv_bands order by band")
    assert list(got["band"]) == list(expected.index)
    assert list(got["customers"]) == list(expected["count"])
    assert np.allclose(got["total_clv"], expected["sum"], rtol=1e-9)
    assert got["band_end"].iloc[-1] == pytest.approx(top)


def test_cluster_profiles_average_the_customer_summary(trained: Trained) -> None:
    segments = latest_scores(trained.engine, "customer_segments", "customer_segments")
    summary = frame(trained.engine, """
        select customer_id, orders, net_revenue, days_since_last_order
        from analytics.customer_summary
    """)  # fmt: skip
    joined = segments.merge(summary, on="customer_id")
    expected = joined.groupby("segment_name").agg(
        customers=("customer_id", "size"),
        average_orders=("orders", "mean"),
        average_days=("days_since_last_order", "mean"),
        net_revenue=("net_revenue", "sum"),  # Decimals: exact to the cent
    )
    got = frame(trained.engine, "select * from analytics.customer_segment_profiles")
    got = got.set_index("segment_name").loc[expected.index]
    assert len(expected) >= 2
    assert list(got["customers"]) == list(expected["customers"])
    assert np.allclose(got["average_orders"], expected["average_orders"], rtol=1e-12)
    assert np.allclose(got["average_days_since_last_order"], expected["average_days"])
    assert list(got["net_revenue"]) == list(expected["net_revenue"])
    assert np.allclose(got["average_net_revenue"],
                       expected["net_revenue"].astype(float) / expected["customers"])  # fmt: skip


def churn_scores(probabilities: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": range(1, len(probabilities) + 1),
                         "churn_probability": probabilities, "risk_tier": "high"})  # fmt: skip


def clv_scores(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": range(1, len(values) + 1), "frequency": 1,
                         "recency": 1.0, "age": 2.0, "probability_alive": 0.5,
                         "expected_purchases_90d": 0.1, "expected_purchases_365d": 0.4,
                         "expected_order_value": 50.0, "clv_12m": values})  # fmt: skip


def at_risk(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(text(
            "select churn_run_id, clv_run_id, customer_id, value_at_risk "
            "from analytics.customers_at_risk order by risk_rank"
        )).all()  # fmt: skip


def test_the_list_follows_the_latest_churn_and_clv_runs(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(summaries, "AT_RISK_ROWS", 2)  # a cut, as at scale
    with model_run(conninfo(db), "churn") as run:
        run.write("churn_scores", churn_scores([0.5, 0.9]))
    first = run.run_id
    # no CLV run yet: no value at risk, ranked by churn probability
    assert at_risk(db) == [(first, None, 2, None), (first, None, 1, None)]
    with model_run(conninfo(db), "clv") as run:
        run.write("clv_scores", clv_scores([100.0, 10.0, 5.0]))
    clv = run.run_id
    assert at_risk(db) == [(first, clv, 1, 50.0), (first, clv, 2, 9.0)]
    with model_run(conninfo(db), "churn") as run:
        run.write("churn_scores", churn_scores([0.01, 1.0, 0.3, 0.99]))
    second = run.run_id
    # values 1, 10, 1.5 and none (no CLV score, last however likely to leave): the top two
    assert at_risk(db) == [(second, clv, 2, 10.0), (second, clv, 3, 1.5)]
    with pytest.raises(ZeroDivisionError), model_run(conninfo(db), "clv") as run:
        run.write("clv_scores", clv_scores([1.0, 1.0, 1.0]))
        _ = 1 / 0
    assert at_risk(db)[0] == (second, clv, 2, 10.0)  # a failed run changes nothing


def test_bands_are_written_with_the_clv_run_and_pruned_with_it(db: Engine) -> None:
    with model_run(conninfo(db), "clv") as run:
        run.write("clv_scores", clv_scores([0.0, 10.0, 20.0, 1000.0]))
    with db.connect() as conn:
        bands = conn.execute(text(
            "select band, customers, total_clv from ml.clv_bands where run_id = :run "
            "order by band"), {"run": run.run_id}).all()  # fmt: skip
    # the 99th percentile is 970.6, so a band is 32.4 wide: 1000 goes to the top band
    assert bands == [(1, 3, 30.0), (CLV_BANDS, 1, 1000.0)]


SUMMARIES = {
    "customers_at_risk": "churn_run_id, risk_rank",
    "clv_bands": "run_id, band",
    "customer_segment_profiles": "run_id, segment_name",
}


def test_migration_0017_writes_the_latest_runs_summaries_as_training_does(
    trained: Trained, primary_server: PgServer, request: pytest.FixtureRequest
) -> None:
    """A warehouse trained before 0017 gets the summaries of its latest runs when migrated."""
    name = primary_server.create_database(template=trained.engine.url.database)
    request.addfinalizer(lambda: primary_server.drop_database(name))
    engine = engine_for(primary_server, name)
    written = {table: frame(engine, f"select * from ml.{table} order by {key}")
               for table, key in SUMMARIES.items()}  # fmt: skip
    migrate.downgrade(engine, "0016")
    migrate.upgrade(engine)
    for table, key in SUMMARIES.items():
        backfilled = frame(engine, f"select * from ml.{table} order by {key}")
        assert not backfilled.empty, table
        pd.testing.assert_frame_equal(backfilled, written[table], check_exact=False, rtol=1e-12)
    engine.dispose()
