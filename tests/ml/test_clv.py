"""salesdw.ml.clv: on a pure BG/NBD process the model predicts the orders it did not see and,
through the warehouse (`salesdw seed --pure-btyd`), recovers the generator's true parameters;
every customer is scored; too few customers is a skip with its reason."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw import migrate
from salesdw.generate.behaviour import draw_customers, draw_orders
from salesdw.generate.calendar import build_calendar
from salesdw.ml import clv
from salesdw.ml.runs import ModelSkipped
from salesdw.ml.train import TrainOptions
from tests.conftest import Trained, engine_for, seed_database
from tests.pg_servers import PgServer

START, DAYS = date(2023, 1, 1), 1096
LAST_DAY = START + timedelta(days=DAYS - 1)


def pure_transactions(customers: int, seed: int = 7) -> pd.DataFrame:
    """A pure BG/NBD and Gamma-Gamma history from the generator, as clv.load_transactions gives
    it: value per customer and day with an order."""
    calendar = build_calendar(START, DAYS, np.random.default_rng([seed, 1]), pure=True)
    drawn, truth = draw_customers(customers, 2.8, calendar, np.random.default_rng([seed, 3]),
                                  pure=True)  # fmt: skip
    orders = draw_orders(drawn, truth, calendar, np.random.default_rng([seed, 5]))
    frame = pd.DataFrame({
        "customer_id": orders.customer + 1,
        "order_date": pd.Timestamp(START) + pd.to_timedelta(orders.day, unit="D"),
        "value": orders.spend.astype(float),
    })  # fmt: skip
    return frame.groupby(["customer_id", "order_date"], as_index=False)["value"].sum()


@pytest.fixture(scope="module")
def transactions() -> pd.DataFrame:
    return pure_transactions(10_000)


def test_the_model_predicts_the_orders_after_the_calibration_end(transactions) -> None:
    calibration_end = date(2025, 6, 30)
    scores = clv.score(transactions, calibration_end, TrainOptions())
    frame, metrics = clv.holdout(scores, transactions, calibration_end, LAST_DAY, 7)
    later = transactions[transactions["order_date"] > pd.Timestamp(calibration_end)]
    known = later[later["customer_id"].isin(scores.summary.index)]
    assert metrics["holdout_actual"] == len(known) == frame["holdout_actual"].sum()
    assert metrics["holdout_predicted"] == pytest.approx(metrics["holdout_actual"], rel=0.05)
    assert metrics["holdout_mae"] < metrics["holdout_mae_naive"]


def test_every_customer_gets_scores_in_their_ranges(transactions) -> None:
    scored = clv.score(transactions, LAST_DAY, TrainOptions()).summary
    assert len(scored) == transactions["customer_id"].nunique()
    assert scored["probability_alive"].between(0, 1).all()
    assert (scored["expected_purchases_365d"] >= scored["expected_purchases_90d"]).all()
    assert (scored["expected_purchases_90d"] >= 0).all()
    assert (scored["expected_order_value"] > 0).all() and (scored["clv_12m"] >= 0).all()
    # One-time buyers are alive for sure in BG/NBD and share the population's order value.
    once = scored[scored["frequency"] == 0]
    assert (once["probability_alive"] == 1).all()
    assert once["expected_order_value"].nunique() == 1


def test_the_longer_a_regular_customer_is_silent_the_less_they_are_worth(transactions) -> None:
    scored = clv.score(transactions, LAST_DAY, TrainOptions()).summary
    regulars = scored[scored["frequency"] >= 5]
    silence = regulars["T"] - regulars["recency"]
    assert np.corrcoef(silence, regulars["probability_alive"])[0, 1] < -0.5


def test_too_few_customers_is_a_skip_with_the_counts(transactions) -> None:
    few = transactions[transactions["customer_id"] <= 150]
    with pytest.raises(ModelSkipped, match=r"at least 200 customers .* found 1\d\d"):
        clv.score(few, LAST_DAY, TrainOptions())


def test_the_seeded_run_scores_every_customer_with_an_order(trained: Trained) -> None:
    with trained.engine.connect() as conn:
        metrics, parameters = conn.execute(text(
            "select metrics, parameters from ml.model_runs where model_kind = 'clv'"
        )).one()  # fmt: skip
        scored = conn.scalar(text(
            "select count(*) from analytics.customer_scores where clv_12m is not null"
        ))  # fmt: skip
        buyers = conn.scalar(
            text("select count(*) from analytics.customer_summary where orders > 0")
        )
    assert scored == buyers == metrics["customers_scored"]
    assert metrics["holdout_days"] == 90 and metrics["holdout_error"] < 0.3
    for name in ("r", "alpha", "a", "b"):  # standard errors exist: a curved likelihood
        lower, upper = parameters["bgnbd"]["ci_95"][name]
        assert np.isfinite([lower, upper]).all() and lower < parameters["bgnbd"][name] < upper


@pytest.fixture(scope="module")
def pure_warehouse(primary_server: PgServer) -> Iterator[Engine]:
    """A warehouse seeded as `salesdw seed --customers 20000 --pure-btyd` does."""
    name = primary_server.create_database()
    engine = engine_for(primary_server, name)
    migrate.upgrade(engine)
    seed_database(primary_server, name, customers=20_000, orders=56_000, products=200,
                  pure_btyd=True)  # fmt: skip
    yield engine
    engine.dispose()
    primary_server.drop_database(name)


def test_bgnbd_recovers_the_true_parameters_of_a_pure_seeded_warehouse(
    pure_warehouse: Engine,
) -> None:
    conninfo = pure_warehouse.url.set(drivername="postgresql").render_as_string(False)
    result = clv.train(conninfo, TrainOptions())
    with pure_warehouse.connect() as conn:
        truth = conn.execute(text(
            "select params -> 'btyd' from ops.load_runs where kind = 'seed'"
        )).scalar_one()  # fmt: skip
        fitted = conn.execute(
            text("select parameters -> 'bgnbd' from ml.model_runs where run_id = :run"),
            {"run": result.run_id},
        ).scalar_one()
    assert fitted["converged"] and fitted["customers"] > 19_000
    for name in ("r", "alpha", "a", "b"):
        lower, upper = fitted["ci_95"][name]
        close = abs(fitted[name] / truth[name] - 1) <= 0.10
        assert lower <= truth[name] <= upper or close, (name, fitted[name], truth[name])


@pytest.fixture(scope="module")
def calibrated(primary_server: PgServer, seeded_template: str) -> Iterator[tuple[Engine, int]]:
    """A copy of the seeded warehouse after `salesdw train clv --calibration-end 2025-06-30`."""
    name = primary_server.create_database(template=seeded_template)
    engine = engine_for(primary_server, name)
    conninfo = engine.url.set(drivername="postgresql").render_as_string(False)
    result = clv.train(conninfo, TrainOptions(calibration_end=date(2025, 6, 30)))
    yield engine, result.run_id
    engine.dispose()
    primary_server.drop_database(name)


def test_a_calibration_end_keeps_the_scores_current(calibrated: tuple[Engine, int]) -> None:
    """Every customer is scored on all the orders, also those who joined after the day."""
    engine, run_id = calibrated
    with engine.connect() as conn:
        scored = conn.scalar(text(
            "select count(*) from analytics.customer_scores where clv_12m is not null"
        ))  # fmt: skip
        buyers = conn.scalar(text("select count(*) from analytics.customer_summary "
                                  "where orders > 0"))  # fmt: skip
        parameters = conn.scalar(text("select parameters from ml.model_runs where run_id = :r"),
                                 {"r": run_id})  # fmt: skip
    assert scored == buyers
    assert parameters["fitted_through"] == "2025-12-31"
    assert parameters["calibration"]["calibration_end"] == "2025-06-30"
    assert parameters["calibration"]["bgnbd"]["customers"] < parameters["bgnbd"]["customers"]


def test_a_calibration_end_stores_each_customers_holdout(calibrated: tuple[Engine, int]) -> None:
    """Per customer known by the day: their repeat days after it, as counted from core, next to
    the calibration fit's expectation; null for customers who came later."""
    engine, run_id = calibrated
    with engine.connect() as conn:
        stored = pd.read_sql(text(
            "select customer_id, holdout_actual, holdout_predicted from ml.clv_scores "
            "where run_id = :r"
        ), conn, params={"r": run_id}).set_index("customer_id")  # fmt: skip
        days = pd.read_sql(text("""
            select distinct customer_id, (ordered_at at time zone 'UTC')::date as day
            from core.orders where status <> 'cancelled'
        """), conn)  # fmt: skip
        metrics = conn.scalar(text("select metrics from ml.model_runs where run_id = :r"),
                              {"r": run_id})  # fmt: skip
    known = set(days.loc[days["day"] <= date(2025, 6, 30), "customer_id"])
    later = days[(days["day"] > date(2025, 6, 30)) & days["customer_id"].isin(known)]
    expected = later.groupby("customer_id").size().reindex(sorted(known), fill_value=0)
    has_holdout = stored["holdout_actual"].notna()
    assert set(stored.index[has_holdout]) == known
    assert stored.loc[has_holdout, "holdout_actual"].astype(int).sort_index().equals(expected)
    assert stored.loc[~has_holdout, "holdout_predicted"].isna().all()
    assert metrics["holdout_actual"] == expected.sum()
    assert metrics["holdout_predicted"] == pytest.approx(
        stored["holdout_predicted"].sum(), rel=1e-9
    )


def test_a_calibration_end_after_the_last_order_is_a_skip_that_says_why(
    seeded_db: Engine,
) -> None:
    conninfo = seeded_db.url.set(drivername="postgresql").render_as_string(False)
    with pytest.raises(ModelSkipped, match=r"no orders to compare with.*2023-01-01 to 2025-12-31"):
        clv.train(conninfo, TrainOptions(calibration_end=date(2026, 1, 1)))
