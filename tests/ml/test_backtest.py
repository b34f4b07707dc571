"""salesdw.ml.backtest: error metrics against hand-computed values, folds that never train on
their test window, and prediction intervals calibrated on the backtest's own errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from salesdw.ml.backtest import (
    LEVELS,
    bias,
    calibrate,
    coverage,
    mase,
    rmse,
    rolling_origin_folds,
    run_backtest,
    smape,
)

TRAIN = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])


def test_mase_divides_the_mean_absolute_error_by_the_in_sample_seasonal_naive_error() -> None:
    # Season 2: the naive forecast of 3, 4, 5, 6 is 1, 2, 3, 4, so its in-sample MAE is 2.
    # Forecast errors 1 and 2: MAE 1.5, and MASE 1.5 / 2.
    assert mase([7.0, 8.0], [6.0, 10.0], TRAIN, season=2) == pytest.approx(0.75)


def test_the_seasonal_naive_forecast_in_sample_has_a_mase_of_one() -> None:
    train = np.array([5.0, 9.0, 4.0, 7.0, 12.0, 3.0, 8.0, 10.0, 6.0])
    naive = train[:-3]  # the value one season (3) before
    assert mase(train[3:], naive, train, season=3) == pytest.approx(1.0)


def test_mase_uses_the_season_given() -> None:
    # Season 1: the naive in-sample error of 1, 2, ..., 6 is 1, so MASE is the MAE, 1.5.
    assert mase([7.0, 8.0], [6.0, 10.0], TRAIN, season=1) == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("train", "why"),
    [(np.full(10, 4.0), "constant training data"), (np.array([1.0, 2.0]), "no full season")],
)
def test_mase_is_nan_without_a_seasonal_naive_error_to_scale_by(
    train: np.ndarray, why: str
) -> None:
    assert math.isnan(mase([1.0], [2.0], train, season=2)), why


def test_smape_is_the_mean_of_twice_the_error_over_the_sum_of_magnitudes() -> None:
    # 2 * 10 / 210, then 0 / 0 counted as 0, then 2 * 50 / 50 = 2 (the maximum).
    expected = (20 / 210 + 0 + 2) / 3
    assert smape([100.0, 0.0, 50.0], [110.0, 0.0, 0.0]) == pytest.approx(expected)


def test_smape_is_symmetric_in_actual_and_forecast() -> None:
    assert smape([100.0, 40.0], [80.0, 50.0]) == pytest.approx(smape([80.0, 50.0], [100.0, 40.0]))


def test_rmse_is_the_root_of_the_mean_squared_error() -> None:
    # Squared errors 1, 0, 4.
    assert rmse([1.0, 2.0, 3.0], [2.0, 2.0, 5.0]) == pytest.approx(math.sqrt(5 / 3))


def test_bias_is_positive_when_the_model_over_forecasts() -> None:
    assert bias([1.0, 2.0, 3.0], [2.0, 2.0, 5.0]) == pytest.approx(1.0)
    assert bias([2.0, 2.0, 5.0], [1.0, 2.0, 3.0]) == pytest.approx(-1.0)


def test_coverage_counts_actuals_inside_the_interval_ends_included() -> None:
    actual = [1.0, 2.0, 3.0, 4.0]
    lower = [1.0, 0.0, 3.5, 0.0]  # 1 on the lower end: in; 3 below 3.5: out
    upper = [2.0, 1.0, 4.0, 4.0]  # 2 above 1: out; 4 on the upper end: in
    assert coverage(actual, lower, upper) == 0.5


def test_folds_tile_the_end_of_the_series_with_horizon_long_test_windows() -> None:
    folds = rolling_origin_folds(100, horizon=10, folds=3)
    assert [(f.test.start, f.test.stop) for f in folds] == [(70, 80), (80, 90), (90, 100)]
    assert [(f.train.start, f.train.stop) for f in folds] == [(0, 70), (0, 80), (0, 90)]


@pytest.mark.parametrize(("length", "horizon", "count"), [(100, 10, 3), (450, 90, 3), (160, 13, 5)])
def test_no_fold_trains_on_its_test_window(length: int, horizon: int, count: int) -> None:
    folds = rolling_origin_folds(length, horizon, count)
    assert len(folds) == count >= 3
    positions = np.arange(length)
    for fold in folds:
        train, test = positions[fold.train], positions[fold.test]
        assert len(test) == horizon
        assert len(train) > 0 and train.max() < test.min()


def test_too_short_a_series_for_the_folds_is_refused() -> None:
    with pytest.raises(ValueError, match="no training data"):
        rolling_origin_folds(30, horizon=10, folds=3)


def test_the_backtest_gives_each_forecaster_only_the_history_before_its_fold() -> None:
    values = pd.Series(np.arange(60, dtype=float),
                       index=pd.date_range("2024-01-01", periods=60, freq="D"))  # fmt: skip
    folds = rolling_origin_folds(len(values), horizon=7, folds=3)
    seen: list[pd.Series] = []

    def spy(history: pd.Series, horizon: int, frequency: str) -> np.ndarray:
        seen.append(history)
        return np.full(horizon, history.iloc[-1])

    run_backtest("spy", spy, values, folds, "day", season=7, buckets=1)
    assert [len(history) for history in seen] == [fold.origin for fold in folds]
    for history, fold in zip(seen, folds, strict=True):
        assert history.index.max() < values.index[fold.origin]


def test_a_backtest_scores_every_fold_with_the_metric_functions() -> None:
    # A linear trend forecast by "last value": every error is 1, 2, ..., horizon.
    values = pd.Series(np.arange(1.0, 41.0),
                       index=pd.date_range("2024-01-01", periods=40, freq="D"))  # fmt: skip
    folds = rolling_origin_folds(len(values), horizon=5, folds=3)

    def last_value(history: pd.Series, horizon: int, frequency: str) -> np.ndarray:
        return np.full(horizon, history.iloc[-1])

    result = run_backtest("last", last_value, values, folds, "day", season=7, buckets=1)
    errors = np.tile(np.arange(1.0, 6.0), 3)  # actual - forecast in every fold
    assert result.folds == 3
    assert result.bias == pytest.approx(-errors.mean())
    assert result.rmse == pytest.approx(math.sqrt(np.mean(errors**2)))
    # The seasonal naive error of a unit trend with season 7 is 7 in-sample.
    assert result.mase == pytest.approx(errors.mean() / 7)
    assert set(result.coverage) == set(LEVELS)


def test_a_perfect_forecast_scores_zero_error() -> None:
    week = np.array([10.0, 12.0, 9.0, 11.0, 15.0, 20.0, 18.0])
    values = pd.Series(np.tile(week, 10), index=pd.date_range("2024-01-01", periods=70))

    def naive(history: pd.Series, horizon: int, frequency: str) -> np.ndarray:
        return np.resize(history.to_numpy()[-7:], horizon)

    # MASE scaled by the day-to-day error (season 1): the weekly naive has none to scale by.
    result = run_backtest("naive", naive, values, rolling_origin_folds(70, 14, 3), "day", 1, 1)
    assert (result.mase, result.smape, result.rmse, result.bias) == (0.0, 0.0, 0.0, 0.0)


def test_calibrated_intervals_match_normal_errors_of_known_spread() -> None:
    rng = np.random.default_rng(0)
    errors = rng.normal(0.0, 0.1, 20_000)
    calibration = calibrate(errors, np.zeros(len(errors), dtype=int), horizon=1, buckets=1)
    lower, upper = calibration.offsets[0.95][0]
    assert lower == pytest.approx(-1.96 * 0.1, abs=0.005)
    assert upper == pytest.approx(1.96 * 0.1, abs=0.005)
    lower_80, upper_80 = calibration.offsets[0.80][0]
    assert upper_80 == pytest.approx(1.2816 * 0.1, abs=0.005)
    assert lower < lower_80 < 0 < upper_80 < upper


def test_intervals_are_nested_non_negative_and_hold_the_forecast() -> None:
    rng = np.random.default_rng(1)
    errors = rng.normal(0.3, 0.5, 300)  # biased and wide: the clamps matter
    steps = np.tile(np.arange(30), 10)
    intervals = calibrate(errors, steps, horizon=30, buckets=3).intervals(np.linspace(0, 50, 30))
    (lower_80, upper_80), (lower_95, upper_95) = intervals[0.80], intervals[0.95]
    forecast = np.linspace(0, 50, 30)
    assert np.all(lower_95 >= 0)
    assert np.all(lower_95 <= lower_80) and np.all(lower_80 <= forecast)
    assert np.all(forecast <= upper_80) and np.all(upper_80 <= upper_95)


def test_later_horizon_buckets_get_wider_intervals_when_errors_grow() -> None:
    rng = np.random.default_rng(2)
    steps = np.tile(np.arange(30), 40)
    errors = rng.normal(0.0, 0.05 + 0.01 * steps)  # the spread grows with the lead time
    calibration = calibrate(errors, steps, horizon=30, buckets=3)
    widths = np.diff(calibration.offsets[0.95], axis=1).ravel()
    assert widths[0] < widths[1] < widths[2]
