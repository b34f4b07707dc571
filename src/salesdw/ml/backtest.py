"""Rolling-origin backtests: folds, error metrics and prediction intervals calibrated on the
backtest's own errors.

A fold trains on everything before its origin and forecasts the `horizon` periods after it; the
folds' test windows are the last `folds` x `horizon` periods of the series, back to back, so no
fold ever trains on its test window. Errors are measured on the original scale; MASE divides by
the in-sample error of the seasonal naive forecast (Hyndman & Koehler 2006), so below 1 beats it.

Intervals: a model's point forecasts are widened by the spread of its backtest errors on the
log1p scale (errors in proportion to the level), per horizon bucket (errors grow with the lead
time), as a Student-t prediction interval. The coverage a backtest reports is honest: each
fold's intervals come from the other folds' errors only (leave one fold out).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "LEVELS",
    "Backtest",
    "Fold",
    "IntervalCalibration",
    "bias",
    "calibrate",
    "coverage",
    "mase",
    "rmse",
    "rolling_origin_folds",
    "run_backtest",
    "smape",
]

#: Nominal coverage of the prediction intervals.
LEVELS = (0.80, 0.95)

#: A forecaster: (history, horizon, frequency) -> point forecasts for the next `horizon` periods.
Forecaster = Callable[[pd.Series, int, str], np.ndarray]


@dataclass(frozen=True)
class Fold:
    """Train on positions [0, origin); test on [origin, origin + horizon)."""

    origin: int
    horizon: int

    @property
    def train(self) -> slice:
        return slice(0, self.origin)

    @property
    def test(self) -> slice:
        return slice(self.origin, self.origin + self.horizon)


def rolling_origin_folds(length: int, horizon: int, folds: int) -> list[Fold]:
    """`folds` folds whose test windows tile the last folds x horizon periods, oldest first."""
    if length <= horizon * folds:
        raise ValueError(f"{length} periods leave no training data for {folds} x {horizon}")
    return [Fold(length - (folds - i) * horizon, horizon) for i in range(folds)]


def mase(actual: np.ndarray, forecast: np.ndarray, train: np.ndarray, season: int) -> float:
    """Mean absolute error scaled by the mean absolute in-sample error of the seasonal naive
    forecast (the value `season` periods before); nan when the training data is constant."""
    actual, forecast, train = (np.asarray(x, dtype=float) for x in (actual, forecast, train))
    if len(train) <= season:
        return math.nan
    scale = np.mean(np.abs(train[season:] - train[:-season]))
    return float(np.mean(np.abs(actual - forecast)) / scale) if scale > 0 else math.nan


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Symmetric MAPE, 0 to 2: mean of 2|f - a| / (|a| + |f|), counting 0/0 as 0."""
    actual, forecast = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    denominator = np.abs(actual) + np.abs(forecast)
    ratios = np.divide(2 * np.abs(forecast - actual), denominator,
                       out=np.zeros_like(denominator), where=denominator > 0)  # fmt: skip
    return float(np.mean(ratios))


def rmse(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Root mean squared error."""
    actual, forecast = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    return float(np.sqrt(np.mean((forecast - actual) ** 2)))


def bias(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Mean of forecast - actual: positive when the model over-forecasts."""
    return float(np.mean(np.asarray(forecast, dtype=float) - np.asarray(actual, dtype=float)))


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of actuals inside [lower, upper], ends included."""
    actual = np.asarray(actual, dtype=float)
    return float(np.mean((actual >= np.asarray(lower)) & (actual <= np.asarray(upper))))


@dataclass(frozen=True)
class IntervalCalibration:
    """Quantiles of log1p errors (actual - forecast) per horizon bucket: for each level, the
    (lower, upper) offsets to add to log1p(forecast), lower <= 0 <= upper."""

    buckets: int
    horizon: int
    offsets: dict[float, np.ndarray]  # level -> array (buckets, 2)

    def bucket_of(self, steps: np.ndarray) -> np.ndarray:
        return np.minimum(steps * self.buckets // self.horizon, self.buckets - 1)

    def intervals(self, forecast: np.ndarray) -> dict[float, tuple[np.ndarray, np.ndarray]]:
        """Level -> (lower, upper) around a forecast of `horizon` steps (or fewer), never below
        0, nested, and always holding the forecast."""
        forecast = np.maximum(np.asarray(forecast, dtype=float), 0.0)
        buckets = self.bucket_of(np.arange(len(forecast)))
        base = np.log1p(forecast)
        out = {}
        for level in sorted(self.offsets):
            offsets = self.offsets[level][buckets]
            lower = np.maximum(np.expm1(base + offsets[:, 0]), 0.0)
            upper = np.expm1(base + offsets[:, 1])
            out[level] = (np.minimum(lower, forecast), np.maximum(upper, forecast))
        return out


def calibrate(
    errors: np.ndarray, steps: np.ndarray, horizon: int, buckets: int
) -> IntervalCalibration:
    """Interval offsets from log1p errors observed at the given steps (0-based lead times).

    Per bucket, a normal prediction interval for the next error: mean +- t(n - 1) x sd x
    sqrt(1 + 1/n), which stays honest on the few errors a backtest has (26 for weekly series
    leaving a fold out), where empirical 2.5% quantiles are a single point. The mean shift
    corrects a model's bias; the offsets are clamped so the interval holds the forecast. The same
    mean and sd for every level make the intervals nest.
    """
    from scipy import stats

    errors, steps = np.asarray(errors, dtype=float), np.asarray(steps)
    bucket = np.minimum(steps * buckets // horizon, buckets - 1)
    offsets = {level: np.zeros((buckets, 2)) for level in LEVELS}
    for b in range(buckets):
        chosen = errors[bucket == b] if (bucket == b).sum() >= 2 else errors
        n = len(chosen)
        if n < 2:
            continue  # nothing to learn a spread from: a point interval
        mean, sd = float(np.mean(chosen)), float(np.std(chosen, ddof=1))
        for level in LEVELS:
            half = stats.t.ppf(0.5 + level / 2, n - 1) * sd * np.sqrt(1 + 1 / n)
            offsets[level][b] = [min(mean - half, 0.0), max(mean + half, 0.0)]
    return IntervalCalibration(buckets, horizon, offsets)


@dataclass
class Backtest:
    """One candidate on one series: per-fold forecasts and the metrics over all folds."""

    model: str
    folds: int
    mase: float
    smape: float
    rmse: float
    bias: float
    coverage: dict[float, float]
    fit_seconds: float
    calibration: IntervalCalibration
    forecasts: list[np.ndarray] = field(default_factory=list, repr=False)


def run_backtest(
    name: str,
    forecaster: Forecaster,
    values: pd.Series,
    folds: list[Fold],
    frequency: str,
    season: int,
    buckets: int,
) -> Backtest:
    """Fit the forecaster on each fold's training window and score it on its test window."""
    data = values.to_numpy(dtype=float)
    forecasts, seconds = [], 0.0
    for fold in folds:
        started = time.perf_counter()
        predicted = np.asarray(forecaster(values.iloc[fold.train], fold.horizon, frequency))
        seconds += time.perf_counter() - started
        forecasts.append(np.maximum(np.nan_to_num(predicted, nan=0.0), 0.0))
    actuals = [data[fold.test] for fold in folds]
    horizon = folds[0].horizon
    errors = [
        np.log1p(np.maximum(a, 0.0)) - np.log1p(f) for a, f in zip(actuals, forecasts, strict=True)
    ]
    steps = np.arange(horizon)
    covered: dict[float, list[float]] = {level: [] for level in LEVELS}
    for i in range(len(folds) if len(folds) > 1 else 0):  # one fold: nothing to leave out
        others = [j for j in range(len(folds)) if j != i]
        held_out = calibrate(np.concatenate([errors[j] for j in others]),
                             np.tile(steps, len(others)), horizon, buckets)  # fmt: skip
        for level, (lower, upper) in held_out.intervals(forecasts[i]).items():
            covered[level].append(coverage(actuals[i], lower, upper))
    every = calibrate(np.concatenate(errors), np.tile(steps, len(folds)), horizon, buckets)
    all_actual, all_forecast = np.concatenate(actuals), np.concatenate(forecasts)
    scaled = [mase(a, f, data[fold.train], season)
              for a, f, fold in zip(actuals, forecasts, folds, strict=True)]  # fmt: skip
    return Backtest(
        model=name,
        folds=len(folds),
        mase=float(np.mean(scaled)),
        smape=smape(all_actual, all_forecast),
        rmse=rmse(all_actual, all_forecast),
        bias=bias(all_actual, all_forecast),
        coverage={level: float(np.mean(v)) if v else math.nan for level, v in covered.items()},
        fit_seconds=seconds,
        calibration=every,
        forecasts=forecasts,
    )
