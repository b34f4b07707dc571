"""Benchmark of the models: forecast accuracy and fitting time against Prophet, churn against
its baselines, and the time of `salesdw train all`.

1. A database to train on: --reuse DBNAME (seeded and refreshed, e.g. kept by bench/views.py
   --keep), or a scratch database `salesdw_bench_models_<pid>` migrated and seeded at --scale
   (default medium), dropped at the end. Seeding is not timed.
2. Forecasts: every series `salesdw train forecast` predicts, on the same rolling-origin folds
   (3 x 90 days, or 3 x 13 weeks). Ours: each series' model selected by backtest MASE (what the
   forecast run stores), and the fitting time of every candidate over all folds (the whole
   selection). Baseline: Prophet with its defaults (yearly and weekly seasonality as the
   frequency allows) on the same folds. Goals: our mean MASE below 1.0 (we beat seasonal naive)
   and at or below Prophet's; our fitting time at or below Prophet's.
3. `salesdw train all` (salesdw.ml.train.train), timed per model. Goal: 90 s or less at medium.
   Its churn run gives the out-of-time ROC-AUC of the gradient-boosting model and of its two
   baselines (recency alone, BG/NBD probability alive). Goal: above both. Also shown, as a
   reference: BG/NBD's probability of no purchase within 90 days, close to the best possible on
   generated data, which follows a BG/NBD process.

Prophet is only needed here: `.venv/bin/pip install -e '.[bench]'`. Timings are noisy on shared
machines, so read the ratios; nothing is asserted. From the repository root:

    .venv/bin/python bench/models.py [--scale medium] [--reuse DBNAME] [--series N]
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
from sqlalchemy.engine import URL
from threadpoolctl import threadpool_limits

from salesdw.db.connect import database_url, libpq_url
from salesdw.generate import resolve_options, seed_warehouse
from salesdw.ml.backtest import Backtest, rolling_origin_folds, run_backtest
from salesdw.ml.forecast import BUCKETS, backtest_candidates, horizon_of, min_history
from salesdw.ml.forecast_models import CANDIDATES, SEASON
from salesdw.ml.forecast_series import load_series
from salesdw.ml.train import TrainOptions, train
from salesdw.refresh import refresh
from salesdw.settings import get_settings

sys.path.insert(0, str(Path(__file__).parent))
from seed import scratch_database  # bench/seed.py, next to this script

MASE_GOAL = 1.0
TRAIN_GOAL_S = 90.0


def say(text: str = "") -> None:
    print(text, flush=True)


def conninfo(url: URL) -> str:
    return libpq_url(url, hide_password=False)


@contextmanager
def bench_database(server: URL, args: argparse.Namespace) -> Iterator[URL]:
    """The reused database, or a scratch one seeded at --scale and refreshed (not timed)."""
    if args.reuse:
        if args.reuse == server.database:
            sys.exit(f"error: --reuse {args.reuse} is the warehouse itself; use a scratch database")
        say(f"    reusing database {args.reuse} (not seeded, not dropped; new ml runs are added)")
        yield server.set(database=args.reuse)
        return
    with scratch_database(server, "models") as url:
        started = time.perf_counter()
        result = seed_warehouse(conninfo(url), resolve_options(scale=args.scale))
        say(f"    {url.database}: {args.scale} seed, {result.rows['core.orders']:,} orders in "
            f"{time.perf_counter() - started:.0f} s (not timed), dropped at the end")  # fmt: skip
        yield url


def prophet_forecaster(history: pd.Series, horizon: int, frequency: str) -> np.ndarray:
    """Prophet with its defaults: yearly seasonality, and weekly seasonality for daily series."""
    from prophet import Prophet

    model = Prophet(
        weekly_seasonality=frequency == "day", daily_seasonality=False, yearly_seasonality=True
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(pd.DataFrame({"ds": history.index, "y": history.to_numpy()}))
        step = "D" if frequency == "day" else "7D"
        future = model.make_future_dataframe(periods=horizon, freq=step, include_history=False)
        return np.maximum(model.predict(future)["yhat"].to_numpy(), 0.0)


def step_forecasts(url: URL, options: TrainOptions, limit: int | None) -> list[tuple]:
    say("\n== forecasts: ours (selected by backtest MASE) vs Prophet, same folds ==")
    with psycopg.connect(conninfo(url)) as conn:
        every = load_series(conn, options.top_n)
    series = [s for s in every if len(s.values) >= min_history(options, s.frequency)]
    if limit:
        series = series[:limit]
    if not series:
        sys.exit("error: no series with enough history; is the database seeded and refreshed?")
    say(f"    {len(series)} series ({sum(s.frequency == 'day' for s in series)} daily), "
        f"{options.backtest_folds} folds of {options.horizon_days} days / "
        f"{horizon_of(options, 'week')} weeks")  # fmt: skip
    ours: list[Backtest] = []
    theirs: list[Backtest] = []
    our_seconds = prophet_seconds = 0.0
    for i, one in enumerate(series, 1):
        horizon = horizon_of(options, one.frequency)
        folds = rolling_origin_folds(len(one.values), horizon, options.backtest_folds)
        started = time.perf_counter()
        ranked = backtest_candidates(one, folds, CANDIDATES)
        our_seconds += time.perf_counter() - started
        ours.append(ranked[0])
        started = time.perf_counter()
        season, buckets = SEASON[one.frequency], BUCKETS[one.frequency]
        theirs.append(run_backtest("prophet", prophet_forecaster, one.values, folds,
                                   one.frequency, season, buckets))  # fmt: skip
        prophet_seconds += time.perf_counter() - started
        say(f"    [{i:>3}/{len(series)}] {'/'.join(one.key):<44} ours {ranked[0].model:<14} "
            f"MASE {ranked[0].mase:6.3f}   prophet MASE {theirs[-1].mase:6.3f}")  # fmt: skip
    mean_ours, mean_prophet = _mean([b.mase for b in ours]), _mean([b.mase for b in theirs])
    wins = sum(o.mase <= p.mase for o, p in zip(ours, theirs, strict=True))
    say(
        f"\n    mean MASE: ours {mean_ours:.3f}, Prophet {mean_prophet:.3f} "
        f"(ours at or below Prophet on {wins} of {len(series)} series)"
    )
    say(
        f"    sMAPE: ours {_mean([b.smape for b in ours]):.3f}, "
        f"Prophet {_mean([b.smape for b in theirs]):.3f}"
    )
    say(
        f"    80% / 95% interval coverage: ours {_mean([b.coverage[0.8] for b in ours]):.3f} / "
        f"{_mean([b.coverage[0.95] for b in ours]):.3f}, Prophet-with-our-calibration "
        f"{_mean([b.coverage[0.8] for b in theirs]):.3f} / "
        f"{_mean([b.coverage[0.95] for b in theirs]):.3f}"
    )
    say(
        f"    fitting time, all folds and series: ours {our_seconds:.1f} s (every candidate), "
        f"Prophet {prophet_seconds:.1f} s"
    )
    return [
        ("forecast mean MASE", f"{mean_ours:.3f}", f"Prophet {mean_prophet:.3f}",
         f"{mean_ours / mean_prophet:.2f}x", f"< {MASE_GOAL} and <= Prophet",
         _ok(mean_ours < MASE_GOAL and mean_ours <= mean_prophet)),
        ("forecast fitting time", f"{our_seconds:.1f} s", f"Prophet {prophet_seconds:.1f} s",
         f"{our_seconds / prophet_seconds:.2f}x", "<= Prophet",
         _ok(our_seconds <= prophet_seconds)),
    ]  # fmt: skip


def step_train(url: URL, options: TrainOptions) -> list[tuple]:
    say("\n== salesdw train all ==")
    started = time.perf_counter()
    results = train(conninfo(url), ["all"], options, on_model=lambda name: say(f"    {name} ..."))
    seconds = time.perf_counter() - started
    for result in results:
        say(
            f"    {result.kind:<18} {result.status:<10} {result.seconds:6.1f} s  "
            f"{result.message or ''}"
        )
    say(f"    total {seconds:.1f} s")
    rows = [("train all", f"{seconds:.1f} s", "-", f"{seconds / TRAIN_GOAL_S:.2f}x of goal",
             f"<= {TRAIN_GOAL_S:.0f} s", _ok(seconds <= TRAIN_GOAL_S))]  # fmt: skip
    churn = next((r for r in results if r.kind == "churn" and r.status == "succeeded"), None)
    if churn is None:
        say("    churn did not succeed: no ROC-AUC to compare")
        return rows
    auc = churn.metrics["roc_auc"]
    baselines = {k.removeprefix("baseline_").removesuffix("_roc_auc"): v
                 for k, v in churn.metrics.items()
                 if k.startswith("baseline_") and k.endswith("_roc_auc")}  # fmt: skip
    say(
        f"\n    churn out-of-time ROC-AUC {auc:.3f}; baselines: "
        + ", ".join(f"{name} {value:.3f}" for name, value in baselines.items())
    )
    # The two baselines; bgnbd_no_purchase is a reference (near-optimal on BTYD data).
    named = {name: value for name, value in baselines.items() if name in ("recency", "bgnbd")}
    best_name, best = max(named.items(), key=lambda kv: kv[1])
    rows.append(("churn ROC-AUC", f"{auc:.3f}", f"best baseline ({best_name}) {best:.3f}",
                 f"{auc - best:+.3f}", "> recency and P(alive)", _ok(auc > best)))  # fmt: skip
    if "bgnbd_no_purchase" in baselines:
        reference = baselines["bgnbd_no_purchase"]
        rows.append(("churn ROC-AUC, reference", f"{auc:.3f}",
                     f"BG/NBD P(no purchase in 90 d) {reference:.3f}", f"{auc - reference:+.3f}",
                     "(none: near-optimal on BTYD data)", "-"))  # fmt: skip
    return rows


def _mean(values: list[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return float(np.mean(finite)) if finite else math.nan


def _ok(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="medium", choices=["tiny", "small", "medium", "large"])
    parser.add_argument("--reuse", metavar="DBNAME", help="a seeded database to use as it is")
    parser.add_argument("--series", type=int, help="only the first N forecast series (quick look)")
    parser.add_argument("--skip-train", action="store_true", help="only the forecast comparison")
    args = parser.parse_args()
    try:
        import prophet  # noqa: F401
    except ImportError:
        sys.exit("error: Prophet is not installed; run .venv/bin/pip install -e '.[bench]'")
    logging.getLogger("cmdstanpy").disabled = True  # it resets its own level at each fit
    logging.getLogger("prophet").setLevel(logging.WARNING)

    server = database_url(get_settings())
    options = TrainOptions()
    say(f"bench/models.py on {server.host}:{server.port}")
    with bench_database(server, args) as url:
        if not args.reuse:
            refresh(conninfo(url))  # the models read the analytics views; not timed
        with psycopg.connect(conninfo(url)) as conn:
            orders = conn.execute("select count(*) from core.orders").fetchone()[0]
        say(f"    {orders:,} orders")
        # As `salesdw train` does: one BLAS / OpenMP thread (Prophet's Stan runs apart).
        with threadpool_limits(1):
            summary = step_forecasts(url, options, args.series)
        if not args.skip_train:
            summary += step_train(url, options)
    say("\n== summary ==")
    header = ("figure", "ours", "baseline", "ratio", "goal", "")
    widths = [max(len(str(row[i])) for row in [header, *summary]) for i in range(len(header))]
    for row in [header, *summary]:
        say("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
