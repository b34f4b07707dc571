"""salesdw.ml.forecast (with forecast_models, forecast_series and forecast_calendar): the model
is chosen by a backtest that never trains on its test window, the winner forecasts the horizon
with nested intervals, and every seeded series gets its forecast and backtests."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import psycopg
import pytest
from sqlalchemy import text

from salesdw.ml.forecast import check_history, forecast_series, horizon_of, min_history
from salesdw.ml.forecast_calendar import black_friday, calendar_features, holiday_flags
from salesdw.ml.forecast_models import CANDIDATES, lag_periods, seasonal_naive
from salesdw.ml.forecast_series import Series, load_series, to_weekly
from salesdw.ml.runs import ModelSkipped
from salesdw.ml.train import TrainOptions
from tests.conftest import Trained

OPTIONS = TrainOptions()
SHORT = TrainOptions(horizon_days=28, backtest_folds=3)


def daily(values: np.ndarray, start: str = "2023-01-02") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"))


def weekly_pattern(days: int, seed: int = 0, noise: float = 0.05) -> pd.Series:
    """Sales with a weekly pattern, a gentle trend and a little multiplicative noise."""
    rng = np.random.default_rng(seed)
    week = np.array([1.2, 1.0, 0.9, 0.9, 0.8, 1.0, 1.3])
    level = 1_000 * (1 + 0.2 * np.arange(days) / 365)
    return daily(level * week[np.arange(days) % 7] * rng.lognormal(0, noise, days))


def series_of(values: pd.Series, frequency: str = "day") -> Series:
    return Series("net_revenue", frequency, "total", "all", "All sales", values)


def test_the_horizon_is_90_days_or_13_weeks() -> None:
    assert horizon_of(OPTIONS, "day") == 90 and horizon_of(OPTIONS, "week") == 13


def test_a_series_needs_the_folds_plus_a_first_training_window() -> None:
    assert min_history(OPTIONS, "day") == 3 * 90 + 2 * 90
    assert min_history(OPTIONS, "week") == 3 * 13 + 52 + 13  # a year for the seasonal naive


def test_too_little_history_is_a_skip_that_says_how_much_is_needed() -> None:
    short = series_of(weekly_pattern(300))
    with pytest.raises(ModelSkipped, match=r"300 days of sales .* at least 450 days"):
        check_history([short], OPTIONS)
    with pytest.raises(ModelSkipped, match="no sales to forecast"):
        check_history([], OPTIONS)


def test_the_backtest_never_gives_a_model_its_test_window() -> None:
    values = weekly_pattern(400)
    calls: list[tuple[str, pd.Timestamp, int]] = []

    def spying(name: str):
        def forecaster(history: pd.Series, horizon: int, frequency: str) -> np.ndarray:
            calls.append((name, history.index[-1], horizon))
            return CANDIDATES[name](history, horizon, frequency)

        return forecaster

    forecast_series(series_of(values), SHORT, {name: spying(name) for name in CANDIDATES})
    origins = [values.index[400 - 28 * k] for k in (3, 2, 1)]  # each fold's first test day
    for name in CANDIDATES:
        ends = [end for who, end, _ in calls if who == name]
        assert len(ends) >= 3
        assert [end + pd.Timedelta(days=1) for end in ends[:3]] == origins
    # Only the winner sees the whole history, once, to forecast the future.
    finals = [who for who, end, _ in calls if end == values.index[-1]]
    assert len(finals) == 1 and all(horizon == 28 for _, _, horizon in calls)


def test_the_candidate_with_the_lowest_backtest_mase_forecasts() -> None:
    result = forecast_series(series_of(weekly_pattern(400)), SHORT)
    mases = [backtest.mase for backtest in result.backtests]
    assert mases == sorted(mases) and len(mases) == len(CANDIDATES)
    assert {b.model for b in result.backtests} == set(CANDIDATES)
    assert result.selected.folds == 3


def test_a_candidate_that_breaks_down_is_left_out_and_the_others_compete() -> None:
    def broken(values, horizon, frequency):
        raise np.linalg.LinAlgError("SVD did not converge")

    candidates = {**CANDIDATES, "broken": broken}
    result = forecast_series(series_of(weekly_pattern(400)), SHORT, candidates)
    assert {b.model for b in result.backtests} == set(CANDIDATES)
    assert len(result.forecast) == SHORT.horizon_days


def test_the_forecast_covers_the_horizon_with_nested_intervals() -> None:
    values = weekly_pattern(400)
    forecast = forecast_series(series_of(values), SHORT).forecast
    assert len(forecast) == 28
    assert list(forecast["period_start"]) == [
        d.date() for d in pd.date_range(values.index[-1] + pd.Timedelta(days=1), periods=28)
    ]
    columns = ["lower_95", "lower_80", "forecast", "upper_80", "upper_95"]
    assert (forecast[columns].diff(axis=1).iloc[:, 1:] >= 0).all().all()
    assert (forecast["lower_95"] >= 0).all()


@pytest.mark.parametrize("name", list(CANDIDATES))
def test_every_candidate_follows_a_steady_weekly_pattern(name: str) -> None:
    # Over a year and a half: the ridge's yearly terms need more than a year to tell a yearly
    # cycle from the trend.
    values = weekly_pattern(600, noise=0.0)
    history, future = values.iloc[:-28], values.iloc[-28:].to_numpy()
    forecast = CANDIDATES[name](history, 28, "day")
    assert len(forecast) == 28 and (forecast >= 0).all()
    assert np.abs(forecast / future - 1).max() < 0.05


def test_seasonal_naive_repeats_last_week() -> None:
    values = daily(np.arange(1.0, 11.0))  # 1..10: last week is 4..10
    assert seasonal_naive(values, 9, "day").tolist() == [4, 5, 6, 7, 8, 9, 10, 4, 5]


def test_the_lagged_level_is_always_known_over_the_horizon() -> None:
    assert lag_periods(90, "day") == 91 and lag_periods(28, "day") == 28
    assert lag_periods(13, "week") == 13


def test_weekly_series_sum_complete_iso_weeks_only() -> None:
    values = daily(np.ones(20), start="2024-01-03")  # a Wednesday to a Monday
    weekly = to_weekly(values)
    assert weekly.to_dict() == {pd.Timestamp("2024-01-08"): 7.0, pd.Timestamp("2024-01-15"): 7.0}


def test_holidays_move_with_black_friday() -> None:
    assert [black_friday(year) for year in (2023, 2024, 2025)] == [
        date(2023, 11, 24), date(2024, 11, 29), date(2025, 11, 28)
    ]  # fmt: skip
    flags = holiday_flags(pd.date_range("2024-11-28", "2024-12-02"))
    assert flags[["thanksgiving", "black_friday", "black_saturday", "black_sunday",
                  "cyber_monday"]].to_numpy().tolist() == np.eye(5).tolist()  # fmt: skip


def test_a_week_counts_its_holiday_days() -> None:
    weeks = pd.date_range("2024-11-25", periods=2, freq="7D")  # Black Friday week, and the next
    features = calendar_features(weeks, "week")
    assert features["black_friday"].tolist() == [1.0, 0.0]
    assert features["cyber_monday"].tolist() == [0.0, 1.0]


def test_every_seeded_series_gets_its_forecast_and_its_candidates_backtests(
    trained: Trained,
) -> None:
    key = ["metric", "frequency", "series_kind", "series_value"]
    with trained.engine.connect() as conn:
        metrics = conn.scalar(
            text("select metrics from ml.model_runs where model_kind = 'forecast'")
        )
        forecasts = pd.read_sql(text("select * from analytics.sales_forecast"), conn)
        backtests = pd.read_sql(text("select * from analytics.forecast_backtests"), conn)
        last_day = conn.scalar(text(
            "select max(order_date) from analytics.sales_daily where status <> 'cancelled'"
        ))  # fmt: skip
    per_series = forecasts.groupby(key).agg(periods=("period_start", "size"),
                                            first=("period_start", "min"),
                                            models=("model", "nunique"))  # fmt: skip
    assert len(per_series) == metrics["series"] > 0
    assert per_series["models"].eq(1).all()
    assert per_series.xs("day", level="frequency")["periods"].eq(90).all()
    assert per_series.xs("week", level="frequency")["periods"].eq(13).all()
    assert (
        per_series.xs("day", level="frequency")["first"].eq(last_day + pd.Timedelta(days=1)).all()
    )

    assert backtests["folds"].eq(3).all()
    for series, candidates in backtests.groupby(key):
        assert sorted(candidates["model"]) == sorted(CANDIDATES), series
        winner = candidates[candidates["is_selected"]]
        assert len(winner) == 1 and winner["mase"].iloc[0] == candidates["mase"].min(), series
        chosen = forecasts.set_index(key).loc[series, "model"]
        assert set(np.atleast_1d(chosen)) == {winner["model"].iloc[0]}, series


@pytest.mark.parametrize("top_n", [0, 2])
def test_top_n_sets_the_series_per_dimension(trained: Trained, top_n: int) -> None:
    """The total, then N countries, categories and channels; each daily and weekly, for
    net revenue and orders."""
    with psycopg.connect(trained.engine.url.set(drivername="postgresql")
                         .render_as_string(hide_password=False)) as conn:  # fmt: skip
        every = load_series(conn, top_n)
    kinds = pd.Series([series.series_kind for series in every if series.frequency == "day"
                       and series.metric == "net_revenue"]).value_counts().to_dict()  # fmt: skip
    expected = {"total": 1} | ({"country": top_n, "category": top_n, "channel": top_n}
                               if top_n else {})  # fmt: skip
    assert kinds == expected
    assert len(every) == 4 * sum(expected.values())
