"""salesdw.ml.anomalies: the generator's injected anomalies are found on the seeded warehouse
and little else; the robust z-score, the retail calendar and promotion days by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.ml.anomalies import (
    MIN_DAYS,
    daily_metrics,
    detect,
    evaluate,
    injected_anomalies,
    promotion_days,
    retail_events,
    robust_z,
)
from salesdw.ml.runs import ModelSkipped
from tests.conftest import Trained


def conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def seeded_scores(seeded: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The seeded warehouse's daily metrics, and every day and metric scored."""
    with psycopg.connect(conninfo(seeded)) as conn:
        frame = daily_metrics(conn)
    return frame, detect(frame, seed=42)


def test_daily_metrics_has_every_day_of_the_seeded_history(seeded_scores) -> None:
    frame, _ = seeded_scores
    assert frame.index[0] == pd.Timestamp("2023-01-01")
    assert len(frame) == (frame.index[-1] - frame.index[0]).days + 1
    assert frame["orders"].sum() > 30_000


def test_injected_anomalies_are_found_with_precision_and_recall_of_at_least_80_percent(
    seeded: Engine, seeded_scores
) -> None:
    frame, scored = seeded_scores
    with seeded.connect() as conn:
        params = conn.execute(text(
            "select params from ops.load_runs where kind = 'seed' and status = 'succeeded'"
        )).scalar_one()  # fmt: skip
    injected = {date.fromisoformat(a["date"]) for a in params["anomalies"]}
    injected = {day for day in injected if frame.index[0].date() <= day <= frame.index[-1].date()}
    flagged = set(scored.loc[scored["is_anomaly"], "anomaly_date"])
    assert len(injected) >= 3
    hits = flagged & injected
    precision, recall = len(hits) / len(flagged), len(hits) / len(injected)
    assert precision >= 0.8 and recall >= 0.8, (sorted(flagged), sorted(injected))


def test_injected_anomalies_are_read_from_the_latest_seed_run(seeded: Engine) -> None:
    with psycopg.connect(conninfo(seeded)) as conn:
        injected = injected_anomalies(conn)
    assert injected and {a["kind"] for a in injected} <= {"outage", "flash_sale", "pricing_error"}
    assert all(date.fromisoformat(a["date"]).year in (2023, 2024, 2025) for a in injected)


def test_an_unseeded_warehouse_has_no_injected_anomalies(db: Engine) -> None:
    with psycopg.connect(conninfo(db)) as conn:
        assert injected_anomalies(conn) is None


def test_every_day_gets_a_row_per_metric(seeded_scores) -> None:
    frame, scored = seeded_scores
    assert len(scored) == 4 * len(frame)
    assert set(scored["metric"]) == {"net_revenue", "orders", "average_order_value",
                                     "conversion_rate"}  # fmt: skip
    assert not scored.duplicated(["anomaly_date", "metric"]).any()


def test_the_training_run_records_its_precision_and_recall(trained: Trained) -> None:
    with trained.engine.connect() as conn:
        metrics = conn.execute(text(
            "select metrics from ml.model_runs where model_kind = 'anomalies'"
        )).scalar_one()  # fmt: skip
        flagged = conn.execute(text(
            "select count(distinct anomaly_date) from analytics.anomalies where is_anomaly"
        )).scalar_one()  # fmt: skip
    assert metrics["precision"] >= 0.8 and metrics["recall"] >= 0.8
    assert metrics["days_flagged"] == flagged == len(metrics["flagged_days"])


def synthetic_days(seed: int = 0) -> pd.DataFrame:
    """A year of Poisson orders with a weekly pattern and growth; an outage on 30 May (15% of
    the orders, sessions as usual) and a flash sale on 7 September (three times the orders)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-01-01", periods=365, freq="D")
    week = np.array([1.1, 1.0, 1.0, 0.95, 0.9, 0.95, 1.1])
    orders = rng.poisson(200 * week[days.day_of_week] * (1 + 0.3 * np.arange(365) / 365))
    orders = orders.astype(float)
    sessions = rng.poisson(orders / 0.02).astype(float)
    outage, flash = days.get_loc("2024-05-30"), days.get_loc("2024-09-07")
    orders[outage], orders[flash] = round(orders[outage] * 0.15), orders[flash] * 3
    net = orders * rng.gamma(50, 80 / 50, 365)
    return pd.DataFrame({
        "net_revenue": net, "orders": orders, "average_order_value": net / orders,
        "conversion_rate": orders / sessions, "gross_revenue": net * 1.1,
        "discounts": net * 0.1 * rng.uniform(0.5, 1.5, 365),
    }, index=days)  # fmt: skip


def test_an_outage_and_a_flash_sale_are_the_only_days_flagged() -> None:
    scored = detect(synthetic_days())
    flagged = scored[scored["is_anomaly"]]
    assert set(flagged["anomaly_date"]) == {date(2024, 5, 30), date(2024, 9, 7)}
    outage = flagged[flagged["anomaly_date"] == date(2024, 5, 30)]
    assert (outage.set_index("metric").loc["orders", "residual_score"]) < 0  # a drop
    assert (outage.set_index("metric").loc["orders", "expected"]) > 150


def test_detection_needs_eight_weeks_of_history() -> None:
    with pytest.raises(ModelSkipped, match=f"need {MIN_DAYS}"):
        detect(synthetic_days().iloc[: MIN_DAYS - 1])


def test_robust_z_scales_by_the_median_absolute_deviation() -> None:
    # 14 values of +1, 15 of -1 and a spike of 10: median 0, MAD 1.
    residual = pd.Series(np.tile([1.0, -1.0], 15))
    residual[10] = 10.0
    z = robust_z(residual)
    assert z[10] == pytest.approx(10 / 1.4826)
    assert z.drop(10).abs().to_numpy() == pytest.approx(np.full(29, 1 / 1.4826))


def test_robust_z_keeps_gaps_and_gives_zero_without_spread() -> None:
    z = robust_z(pd.Series([2.0, np.nan, 2.0, 2.0, 2.0, 2.0]))
    assert np.isnan(z[1])
    assert z.drop(1).tolist() == [0.0] * 5


def test_retail_events_name_the_black_friday_weekend_and_christmas_week() -> None:
    days = pd.date_range("2024-11-27", "2024-12-31", freq="D")
    events = retail_events(days).dropna()
    assert events[:"2024-12-02"].to_dict() == {
        pd.Timestamp("2024-11-28"): "thanksgiving",
        pd.Timestamp("2024-11-29"): "black_friday",
        pd.Timestamp("2024-11-30"): "black_saturday",
        pd.Timestamp("2024-12-01"): "black_sunday",
        pd.Timestamp("2024-12-02"): "cyber_monday",
    }
    christmas = events["2024-12-03":]
    assert list(christmas.index.day) == list(range(25, 32))
    assert set(christmas) == {"christmas_week"}


def test_promotion_days_discount_four_times_the_median_share_or_more() -> None:
    gross = pd.Series([100.0] * 5)
    # Shares 2%, 3%, 2%, 0% and 20%: the median of the days with discounts is 2.5%.
    discounts = pd.Series([2.0, 3.0, 2.0, 0.0, 20.0])
    assert promotion_days(gross, discounts).tolist() == [False, False, False, False, True]


def test_precision_and_recall_count_days_inside_the_scored_period() -> None:
    """4 days flagged, 3 of them injected; 5 injected, one outside the scored days: precision
    3/4, recall 3/4; the injected day before the period is neither hit nor missed."""
    injected = [{"date": day, "kind": "outage"} for day in
                ("2024-12-31", "2025-01-05", "2025-02-01", "2025-03-03", "2025-04-04")]  # fmt: skip
    flagged = [date(2025, 1, 5), date(2025, 2, 1), date(2025, 3, 3), date(2025, 3, 9)]
    result = evaluate(flagged, injected, date(2025, 1, 1), date(2025, 12, 31))
    assert result["precision"] == 0.75 and result["recall"] == 0.75
    assert result["missed_days"] == ["2025-04-04"]
    assert evaluate([], injected, date(2025, 1, 1), date(2025, 12, 31))["precision"] is None
