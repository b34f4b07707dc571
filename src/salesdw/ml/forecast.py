"""`salesdw train forecast`: 90-day sales forecasts, the model chosen per series by backtest.

For every series (net revenue and orders, daily and by ISO week, for the total and the top N
countries, categories and channels; see forecast_series), each candidate of forecast_models is
scored by a rolling-origin backtest (backtest.py): `backtest_folds` folds of the horizon, never
training on their test window. The lowest MASE wins the series; it is refitted on the whole
history to forecast the horizon (90 days, or 13 weeks), with 80% and 95% intervals calibrated
on its backtest errors. Every candidate's backtest goes to ml.forecast_backtests, the winners'
forecasts to ml.sales_forecasts (shown by analytics.forecast_backtests and sales_forecast).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesdw.ml.backtest import LEVELS, Backtest, Fold, rolling_origin_folds, run_backtest
from salesdw.ml.forecast_models import CANDIDATES, SEASON, Forecaster, future_periods
from salesdw.ml.forecast_series import Series, load_series
from salesdw.ml.runs import ModelSkipped, RunResult, model_run
from salesdw.ml.train import TrainOptions

__all__ = ["SeriesForecast", "forecast_series", "horizon_of", "min_history", "train"]

log = logging.getLogger(__name__)

#: Horizon buckets of the interval calibration: errors grow with the lead time, so daily
#: intervals widen over three 30-day thirds; 13 weekly steps are too few to split.
BUCKETS = {"day": 3, "week": 1}


@dataclass
class SeriesForecast:
    """One series' backtests (one per candidate, the winner first) and the winner's forecast:
    a frame of period_start, forecast, lower_80, upper_80, lower_95, upper_95."""

    series: Series
    backtests: list[Backtest]
    forecast: pd.DataFrame

    @property
    def selected(self) -> Backtest:
        return self.backtests[0]


def horizon_of(options: TrainOptions, frequency: str) -> int:
    """Periods forecast: the horizon in days, or in whole weeks covering it (90 days: 13)."""
    return options.horizon_days if frequency == "day" else math.ceil(options.horizon_days / 7)


def min_history(options: TrainOptions, frequency: str) -> int:
    """Periods a series needs: the folds' test windows plus a first training window of two
    horizons (days), or of a year and a horizon (weeks: the seasonal naive looks 52 back)."""
    horizon = horizon_of(options, frequency)
    first_train = 2 * horizon if frequency == "day" else SEASON["week"] + horizon
    return horizon * options.backtest_folds + first_train


def forecast_series(
    series: Series, options: TrainOptions, candidates: dict[str, Forecaster] | None = None
) -> SeriesForecast:
    """Backtest every candidate on the series, pick the lowest MASE, refit it on the whole
    history and forecast the horizon with calibrated intervals."""
    candidates = candidates or CANDIDATES
    horizon = horizon_of(options, series.frequency)
    folds = rolling_origin_folds(len(series.values), horizon, options.backtest_folds)
    backtests = backtest_candidates(series, folds, candidates)
    winner = backtests[0]
    point = np.asarray(candidates[winner.model](series.values, horizon, series.frequency))
    point = np.maximum(np.nan_to_num(point, nan=0.0), 0.0)
    intervals = winner.calibration.intervals(point)
    (lower_80, upper_80), (lower_95, upper_95) = (intervals[level] for level in LEVELS)
    frame = pd.DataFrame({
        "period_start": future_periods(series.values, horizon, series.frequency).date,
        "forecast": point, "lower_80": lower_80, "upper_80": upper_80,
        "lower_95": lower_95, "upper_95": upper_95,
    })  # fmt: skip
    return SeriesForecast(series, backtests, frame)


def backtest_candidates(
    series: Series, folds: list[Fold], candidates: dict[str, Forecaster]
) -> list[Backtest]:
    """Every candidate's backtest, the best MASE first (ties: the earlier candidate). A
    candidate that fails on this series (a fit that breaks down) is left out of it; the
    others still compete."""
    results = []
    for name, forecaster in candidates.items():
        try:
            results.append(run_backtest(name, forecaster, series.values, folds,
                                        series.frequency, SEASON[series.frequency],
                                        BUCKETS[series.frequency]))  # fmt: skip
        except Exception as exc:  # one model breaking down, not the run
            log.warning("forecast candidate %s failed on %s: %s", name, "/".join(series.key),
                        exc)  # fmt: skip
    if not results:
        raise ValueError(f"every forecast candidate failed on {'/'.join(series.key)}")
    order = sorted(range(len(results)), key=lambda i: (_score(results[i].mase), i))
    return [results[i] for i in order]


def train(conninfo: str, options: TrainOptions) -> RunResult:
    """Backtest, select and forecast every series; write the results as one forecast run."""
    from threadpoolctl import threadpool_limits

    started = time.perf_counter()
    parameters = {
        "horizon_days": options.horizon_days, "horizon_weeks": horizon_of(options, "week"),
        "top_n": options.top_n, "backtest_folds": options.backtest_folds,
        "candidates": list(CANDIDATES), "selection": "lowest backtest MASE per series",
        "seasonal_naive": "daily: the same weekday last week; weekly: the same ISO week 52 "
        "weeks before",
        "intervals": "empirical quantiles of backtest log1p errors by horizon bucket "
        "(conformal correction); coverage measured leaving each fold out",
    }  # fmt: skip
    with model_run(conninfo, "forecast", parameters) as run:
        every = load_series(run.conn, options.top_n)
        check_history(every, options)
        long_enough = [len(s.values) >= min_history(options, s.frequency) for s in every]
        usable = [s for s, ok in zip(every, long_enough, strict=True) if ok]
        skipped = [s for s, ok in zip(every, long_enough, strict=True) if not ok]
        results = []
        # One thread per BLAS / OpenMP pool: the matrices are small, and on a busy 2-core
        # machine idle threads spinning cost more than they bring. The libraries load first:
        # the limits apply to the thread pools loaded when they are set.
        import scipy.linalg  # noqa: F401
        import sklearn.linear_model  # noqa: F401
        import statsmodels.tsa.api  # noqa: F401

        failed = []
        with threadpool_limits(1):
            for series in usable:
                try:
                    results.append(forecast_series(series, options))
                except Exception as exc:  # the other series still forecast
                    failed.append(f"{'/'.join(series.key)}: {exc}")
                    continue
                log.debug("forecast %s: %s", series.key, results[-1].selected.model)
        if not results:
            raise ModelSkipped(f"no series could be forecast; the first failed with {failed[0]}")
        run.parameters["failed_series"] = failed
        run.write("forecast_backtests", backtest_rows(results))
        run.write("sales_forecasts", forecast_rows(results))
        run.parameters["skipped_series"] = [
            f"{'/'.join(s.key)}: {len(s.values)} {s.frequency}s of sales, needs "
            f"{min_history(options, s.frequency)}"
            for s in skipped
        ]
        run.metrics.update(run_metrics(results, skipped))
    return RunResult("forecast", "succeeded", run.run_id, time.perf_counter() - started,
                     dict(run.metrics), rows=run.rows)  # fmt: skip


def check_history(series: list[Series], options: TrainOptions) -> None:
    """Raise ModelSkipped, saying what is needed, when the total has too little daily history
    for the backtest folds."""
    needed = min_history(options, "day")
    total = next((s for s in series if s.frequency == "day" and s.series_kind == "total"), None)
    if total is None:
        raise ModelSkipped(
            "no sales to forecast: analytics.sales_daily has no orders that are not cancelled. "
            "Seed or import orders, then run salesdw refresh."
        )
    if len(total.values) < needed:
        first, last = total.values.index[0].date(), total.values.index[-1].date()
        raise ModelSkipped(
            f"too little history to backtest the forecasts: {len(total.values)} days of sales "
            f"({first} to {last}); {options.backtest_folds} folds of {options.horizon_days} days "
            f"need at least {needed} days ({options.horizon_days} x "
            f"({options.backtest_folds} folds + 2)). Load more history or shorten --horizon."
        )


def backtest_rows(results: list[SeriesForecast]) -> pd.DataFrame:
    """ml.forecast_backtests rows: one per series and candidate."""
    rows = [
        {**_key(result.series), "model": backtest.model, "folds": backtest.folds,
         "mase": _finite(backtest.mase), "smape": backtest.smape, "rmse": backtest.rmse,
         "bias": backtest.bias, "coverage_80": backtest.coverage[0.80],
         "coverage_95": backtest.coverage[0.95], "fit_seconds": round(backtest.fit_seconds, 4),
         "is_selected": backtest is result.selected}
        for result in results
        for backtest in result.backtests
    ]  # fmt: skip
    return pd.DataFrame(rows)


def forecast_rows(results: list[SeriesForecast]) -> pd.DataFrame:
    """ml.sales_forecasts rows: the winner's forecast per series and future period."""
    frames = [
        result.forecast.assign(**_key(result.series), series_label=result.series.series_label,
                               model=result.selected.model)
        for result in results
    ]  # fmt: skip
    if not frames:
        return pd.DataFrame()
    columns = ["metric", "frequency", "series_kind", "series_value", "series_label",
               "period_start", "model", "forecast", "lower_80", "upper_80", "lower_95",
               "upper_95"]  # fmt: skip
    return pd.concat(frames, ignore_index=True)[columns]


def run_metrics(results: list[SeriesForecast], skipped: list[Series]) -> dict[str, float | int]:
    """The run's headline figures: the selected models' mean MASE and interval coverage, the
    series counts, and how often each candidate won (with its mean MASE over all series)."""
    selected = [result.selected for result in results]
    metrics: dict[str, float | int] = {
        "mean_mase": _mean([b.mase for b in selected]),
        "coverage_80": _mean([b.coverage[0.80] for b in selected]),
        "coverage_95": _mean([b.coverage[0.95] for b in selected]),
        "series": len(results),
        "series_skipped": len(skipped),
    }
    for name in CANDIDATES:
        metrics[f"wins_{name}"] = sum(b.model == name for b in selected)
    for name in CANDIDATES:
        scores = [b.mase for result in results for b in result.backtests if b.model == name]
        metrics[f"mean_mase_{name}"] = _mean(scores)
    metrics["fit_seconds"] = round(sum(b.fit_seconds for r in results for b in r.backtests), 3)
    return {k: v for k, v in metrics.items() if not (isinstance(v, float) and math.isnan(v))}


def _key(series: Series) -> dict[str, str]:
    return dict(zip(("metric", "frequency", "series_kind", "series_value"), series.key,
                    strict=True))  # fmt: skip


def _score(value: float) -> float:
    return value if math.isfinite(value) else math.inf


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _mean(values: list[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return round(float(np.mean(finite)), 4) if finite else math.nan
