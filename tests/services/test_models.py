"""salesdw.services.models over hand-made model runs: the latest successful run is what shows,
rankings and bands are right, and untrained models give empty frames."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.ml.summaries import AT_RISK_ROWS, CLV_BANDS, write_summaries
from salesdw.services import FilterError
from salesdw.services.models import (
    anomaly_days,
    churn_risk,
    clv_distribution,
    customer_clusters,
    flagged_day_count,
    forecast,
    forecast_backtests,
    forecast_series,
    model_metrics,
    product_segment_summary,
)


def run(conn, kind: str, status: str = "succeeded", metrics: str = "{}") -> int:
    return conn.execute(text(
        "insert into ml.model_runs (model_kind, status, metrics) "
        "values (:kind, :status, cast(:metrics as jsonb)) returning run_id"),
        {"kind": kind, "status": status, "metrics": metrics}).scalar_one()  # fmt: skip


@pytest.fixture
def trained(seeded_db: Engine) -> Engine:
    """Two forecast runs (the second wins), a failed later one, scores for four customers."""
    with seeded_db.begin() as conn:
        customers = conn.execute(text(
            "select customer_id from analytics.customer_summary where orders > 0 "
            "order by customer_id limit 5")).scalars().all()  # fmt: skip
        customers, churn_only = customers[:4], customers[4]
        for value in (1.0, 2.0):
            run_id = run(conn, "forecast", metrics='{"mean_mase": 0.8, "note": "text"}')
            conn.execute(
                text(
                    "insert into ml.sales_forecasts values (:run, 'net_revenue', 'day', 'total', "
                    "'all', 'All', :day, 'mstl', :v, :v - 1, :v + 1, :v - 2, :v + 2)"
                ),
                [{"run": run_id, "day": date(2026, 1, d), "v": value * d} for d in (1, 2)],
            )
            conn.execute(
                text(
                    "insert into ml.forecast_backtests values (:run, 'net_revenue', 'day', "
                    "'total', 'all', :model, 3, :mase, 0.1, 5, 0, 0.8, 0.95, 1, :won)"
                ),
                [
                    {"run": run_id, "model": "mstl", "mase": 0.7, "won": True},
                    {"run": run_id, "model": "seasonal_naive", "mase": 1.0, "won": False},
                ],
            )
        run(conn, "forecast", status="failed")
        churn = run(conn, "churn")
        clv = run(conn, "clv")
        for customer, probability, value in zip(
            customers, (0.9, 0.9, 0.2, 0.5), (10.0, 100.0, 1000.0, 0.0), strict=True
        ):
            conn.execute(
                text(
                    "insert into ml.churn_scores values (:run, :c, :p, "
                    "case when :p > 0.6 then 'high' else 'low' end)"
                ),
                {"run": churn, "c": customer, "p": probability},
            )
            conn.execute(
                text(
                    "insert into ml.clv_scores (run_id, customer_id, frequency, recency, age, "
                    "probability_alive, expected_purchases_90d, expected_purchases_365d, "
                    "expected_order_value, clv_12m) values (:run, :c, 1, 1, 2, 0.5, 0.1, 0.4, "
                    "50, :v)"
                ),
                {"run": clv, "c": customer, "v": value},
            )
        conn.execute(  # likelier to leave than anyone, but with no CLV score
            text("insert into ml.churn_scores values (:run, :c, 0.99, 'high')"),
            {"run": churn, "c": churn_only},
        )
        segments = run(conn, "customer_segments")
        conn.execute(
            text("insert into ml.customer_segments values (:run, :c, :k, :name)"),
            [
                {"run": segments, "c": c, "k": i % 2, "name": ("Loyal", "Lapsed")[i % 2]}
                for i, c in enumerate(customers)
            ],
        )
        # as salesdw.ml.runs does when a run succeeds
        for kind, run_id in (("churn", churn), ("clv", clv), ("customer_segments", segments)):
            write_summaries(conn.connection.driver_connection, kind, run_id)
        anomalies = run(conn, "anomalies")
        conn.execute(
            text("insert into ml.anomalies values (:run, :day, 'orders', 1, 2, :z, 0.1, :flag)"),
            [
                {"run": anomalies, "day": date(2025, 3, d), "z": z, "flag": abs(z) >= 4}
                for d, z in ((1, 0.5), (2, -6.0), (3, 4.5))
            ],
        )
    return seeded_db


def test_untrained_models_give_empty_frames(seeded: Engine) -> None:
    assert forecast(seeded).empty and forecast_backtests(seeded).empty
    assert churn_risk(seeded).empty and clv_distribution(seeded).empty
    assert customer_clusters(seeded).empty and anomaly_days(seeded).empty
    assert forecast_series(seeded).empty and model_metrics(seeded).empty
    assert product_segment_summary(seeded).empty


def test_the_latest_successful_forecast_run_is_shown(trained: Engine) -> None:
    got = forecast(trained)
    assert list(got["forecast"]) == [2.0, 4.0]
    assert list(forecast_series(trained)["series_label"]) == ["All"]
    backtests = forecast_backtests(trained)
    assert list(backtests["model"]) == ["mstl", "seasonal_naive"]
    assert list(backtests["is_selected"]) == [True, False]


def test_churn_risk_ranks_by_value_at_risk_not_probability_alone(trained: Engine) -> None:
    got = churn_risk(trained, n=5)
    # value at risk = churn probability x 12-month CLV: 0.2 x 1000 beats 0.9 x 100 and 0.9 x 10
    assert list(got["value_at_risk"][:4]) == pytest.approx([200.0, 90.0, 9.0, 0.0])
    assert list(got["churn_probability"][:4]) == [0.2, 0.9, 0.9, 0.5]
    assert list(got["clv_12m"][:4]) == [1000.0, 100.0, 10.0, 0.0]
    # a customer without a CLV has no value at risk to rank by: last, however likely to leave
    assert got["churn_probability"].iloc[4] == 0.99 and pd.isna(got["value_at_risk"].iloc[4])
    assert list(churn_risk(trained, n=2)["value_at_risk"]) == pytest.approx([200.0, 90.0])


def test_clv_bands_count_every_scored_customer(trained: Engine) -> None:
    got = clv_distribution(trained)
    assert got["customers"].sum() == 4
    assert got["total_clv"].sum() == pytest.approx(1110.0)
    assert got["band"].between(1, CLV_BANDS).all()


def test_clusters_and_anomalies_of_the_latest_runs(trained: Engine) -> None:
    assert sorted(customer_clusters(trained)["segment_name"]) == ["Lapsed", "Loyal"]
    flagged = anomaly_days(trained)
    assert list(flagged["anomaly_date"]) == [date(2025, 3, 2), date(2025, 3, 3)]
    assert len(anomaly_days(trained, flagged_only=False, start=date(2025, 3, 2))) == 2


def test_anomalies_of_one_metric_in_date_order_and_the_flagged_days(trained: Engine) -> None:
    series = anomaly_days(trained, flagged_only=False, metric="orders", by_date=True)
    assert list(series["anomaly_date"]) == [date(2025, 3, d) for d in (1, 2, 3)]
    assert anomaly_days(trained, metric="net_revenue").empty
    assert flagged_day_count(trained) == 2
    assert flagged_day_count(trained, start=date(2025, 3, 3)) == 1


def test_the_backtests_of_one_series(trained: Engine) -> None:
    assert len(forecast_backtests(trained, series_kind="total", series_value="all")) == 2
    assert forecast_backtests(trained, series_kind="country", series_value="DE").empty


def test_model_metrics_keep_numbers_only(trained: Engine) -> None:
    got = model_metrics(trained)
    assert list(zip(got["model_kind"], got["metric_name"], strict=True)) == [
        ("forecast", "mean_mase")
    ]


@pytest.mark.parametrize(
    "call",
    [
        lambda engine: forecast(engine, metric="profit"),
        lambda engine: forecast(engine, frequency="month"),
        lambda engine: churn_risk(engine, n=0),
        lambda engine: churn_risk(engine, n=AT_RISK_ROWS + 1),
        lambda engine: anomaly_days(engine, start="2025-01-01"),
        lambda engine: anomaly_days(engine, metric="profit"),
        lambda engine: forecast_backtests(engine, series_kind="brand", series_value="x"),
    ],
)
def test_bad_arguments_raise_a_clear_error(seeded: Engine, call) -> None:
    with pytest.raises(FilterError):
        call(seeded)
