"""The candidate forecasters. Each takes a history (floats on a daily or weekly DatetimeIndex),
a horizon and the frequency, and returns that many point forecasts, never below 0.

- seasonal_naive: the value one season before: 7 days for daily series, 52 weeks (364 days, so
  weekdays and Black Friday weeks line up) for weekly ones. The benchmark MASE is scaled by.
- mstl_ets (statsmodels): log1p values split by MSTL into weekly and yearly (364 days or 52
  weeks, so weekdays line up) seasonal components and a trend-remainder. The weekly component
  repeats its last week; the yearly one is smoothed onto Fourier terms and holiday flags (so
  Black Friday moves with the calendar); the rest is forecast by exponential smoothing with a
  damped additive trend (Holt's method, ETS(A,Ad,N)). A season needs two full cycles in the
  history; with less it is left out.
- ridge (scikit-learn): a ridge regression of log1p values on a linear trend, yearly Fourier
  terms, weekday dummies, hand-computed holidays and the log of the mean level one horizon
  back (the 28 days, or 4 weeks, ending at least a horizon before the day predicted), so every
  feature is known for every day forecast: one direct model, no recursion, no leakage.

Models work on log1p values: seasonal effects are multiplicative in sales, and exp keeps the
forecasts positive. Negative days (refunds above sales) are read as 0.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from salesdw.ml.forecast_calendar import calendar_features

__all__ = [
    "CANDIDATES",
    "SEASON",
    "Forecaster",
    "future_periods",
    "lag_periods",
    "mstl_ets",
    "ridge",
    "seasonal_naive",
]

#: Periods per season of the seasonal naive forecast and of MASE's scale, by frequency.
SEASON = {"day": 7, "week": 52}

Forecaster = Callable[[pd.Series, int, str], np.ndarray]


def future_periods(history: pd.Series, horizon: int, frequency: str) -> pd.DatetimeIndex:
    """The `horizon` days or weeks after the history's last one."""
    step = pd.Timedelta(days=1 if frequency == "day" else 7)
    return pd.date_range(history.index[-1] + step, periods=horizon, freq=step)


def lag_periods(horizon: int, frequency: str) -> int:
    """The shortest lag that is at least the horizon (whole weeks for days, so the lagged
    level covers the same weekdays): every lagged value is known when forecasting."""
    return -(-horizon // 7) * 7 if frequency == "day" else horizon


def seasonal_naive(history: pd.Series, horizon: int, frequency: str) -> np.ndarray:
    """Repeat the last season: the same weekday last week, or the same week last year."""
    season = SEASON[frequency]
    values = np.maximum(history.to_numpy(dtype=float), 0.0)
    if len(values) < season:
        return np.full(horizon, values[-1] if len(values) else 0.0)
    return np.resize(values[-season:], horizon)


def mstl_ets(history: pd.Series, horizon: int, frequency: str) -> np.ndarray:
    """MSTL decomposition of log1p values (weekly and yearly seasons), the yearly component
    smoothed onto Fourier terms and holidays, plus a damped-trend Holt forecast of the rest."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing
    from statsmodels.tsa.seasonal import MSTL, STL

    y = np.log1p(np.maximum(history.to_numpy(dtype=float), 0.0))
    candidates = (7, 364) if frequency == "day" else (52,)
    periods = [p for p in candidates if len(y) >= 2 * p + 1]
    seasonal = np.zeros((0, len(y)))
    if len(periods) == 1:
        seasonal = STL(y, period=periods[0], **_stl_speed(periods[0])).fit().seasonal[None, :]
    elif periods:
        # Jumps: LOESS evaluated every few points and interpolated (as R's stl does by default),
        # 20-30x faster on a 364-day season and within 1% of the exact fit.
        fit = MSTL(y, periods=periods, stl_kwargs=_stl_speed(max(periods))).fit()
        seasonal = np.asarray(fit.seasonal).T.reshape(len(periods), -1).copy()
    future_seasonal = np.zeros(horizon)
    for component, period in zip(seasonal, periods, strict=True):
        if period == 7:  # the weekly pattern: repeat its last week
            future_seasonal += np.resize(component[-period:], horizon)
        else:  # the yearly one, smoothed: two or three noisy cycles are all there is
            smoothed, future = _yearly_projection(component, history, horizon, frequency)
            component[:] = smoothed
            future_seasonal += future
    adjusted = y - seasonal.sum(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on flat series
        model = ExponentialSmoothing(adjusted, trend="add", damped_trend=True)
        trend = model.fit(use_brute=False).forecast(horizon)  # brute start: 5x the time
    return np.maximum(np.expm1(np.asarray(trend) + future_seasonal), 0.0)


def _yearly_projection(
    component: np.ndarray, history: pd.Series, horizon: int, frequency: str
) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares fit of a yearly seasonal component on Fourier terms and holiday flags:
    its smooth shape and holiday lifts, in the history and over the horizon. Repeating the last
    cycle instead would repeat last year's noise, and holidays on last year's dates."""
    periods = history.index.append(future_periods(history, horizon, frequency))
    harmonics = 10 if frequency == "day" else 5
    features = calendar_features(periods, frequency, harmonics=harmonics, weekdays=False)
    matrix = np.column_stack([np.ones(len(periods)), features.to_numpy()])
    past, future = matrix[: len(component)], matrix[len(component) :]
    coefficients = np.linalg.lstsq(past, component, rcond=None)[0]
    return past @ coefficients, future @ coefficients


def ridge(history: pd.Series, horizon: int, frequency: str) -> np.ndarray:
    """Ridge regression on calendar, holiday, trend and lagged-level features (direct)."""
    from sklearn.linear_model import Ridge

    y = np.log1p(np.maximum(history.to_numpy(dtype=float), 0.0))
    periods = history.index.append(future_periods(history, horizon, frequency))
    features = calendar_features(periods, frequency, harmonics=10 if frequency == "day" else 5)
    per_year = 365.25 if frequency == "day" else 52.18
    features["trend"] = np.arange(len(periods)) / per_year
    window = 28 if frequency == "day" else 4
    padded = pd.Series(np.concatenate([y, np.full(horizon, np.nan)]))
    level = padded.rolling(window).mean().shift(lag_periods(horizon, frequency))
    features["lagged_level"] = level.to_numpy()
    matrix = features.to_numpy()
    train, future = matrix[: len(y)], matrix[len(y) :]
    usable = ~np.isnan(train).any(axis=1)
    if usable.sum() < 2 * matrix.shape[1]:  # too short for the lag: fit without it
        train, future, usable = train[:, :-1], future[:, :-1], np.ones(len(y), dtype=bool)
    model = Ridge(alpha=1.0).fit(train[usable], y[usable])
    return np.maximum(np.expm1(model.predict(future)), 0.0)


def _stl_speed(period: int) -> dict[str, int]:
    """STL jumps of about a tenth of each smoother's window."""
    return {"seasonal_jump": 2, "trend_jump": max(period // 7, 1),
            "low_pass_jump": max(period // 10, 1)}  # fmt: skip


#: Name -> forecaster, in the order the backtest runs them (ties go to the earlier one).
CANDIDATES: dict[str, Forecaster] = {
    "seasonal_naive": seasonal_naive,
    "mstl_ets": mstl_ets,
    "ridge": ridge,
}
