"""`salesdw train`: run the models in turn; a model that cannot be fitted is skipped with its
reason and the others still run.

Each model module exposes `train(conninfo: str, options: TrainOptions) -> RunResult` and does
its work inside salesdw.ml.runs.model_run, which records the run in ml.model_runs.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import psycopg

from salesdw.db.errors import is_permission_error, read_only_login
from salesdw.errors import SalesdwError
from salesdw.ml.runs import ModelSkipped, RunResult

__all__ = ["MODELS", "TrainOptions", "train"]

log = logging.getLogger(__name__)

#: What `salesdw train` can run, in the order `all` runs them: name -> module. The segment
#: step writes two runs (customer and product segments).
MODELS: dict[str, str] = {
    "forecast": "salesdw.ml.forecast",
    "churn": "salesdw.ml.churn",
    "clv": "salesdw.ml.clv",
    "anomalies": "salesdw.ml.anomalies",
    "segments": "salesdw.ml.segments",
}


class TrainError(SalesdwError):
    exit_code = 2


@dataclass(frozen=True)
class TrainOptions:
    """Options shared by the models; every one has a sensible default."""

    horizon_days: int = 90  # forecast horizon, and churn window
    top_n: int = 5  # forecast series per dimension (countries, categories, channels)
    backtest_folds: int = 3  # rolling-origin folds of horizon_days each
    calibration_end: date | None = None  # CLV: fit on orders up to this day (default: all)
    discount_rate: float = 0.10  # CLV: yearly discount rate
    time_unit_days: int = 7  # BTYD time unit: weeks
    seed: int = 42  # every random choice (k-means, IsolationForest, GBM)


def train(
    conninfo: str,
    which: list[str],
    options: TrainOptions | None = None,
    on_model: Callable[[str], None] | None = None,
) -> list[RunResult]:
    """Run the named models (or all of MODELS for ["all"]) and return what each did."""
    options = options or TrainOptions()
    names = list(MODELS) if "all" in which else which
    unknown = [name for name in names if name not in MODELS]
    if unknown:
        raise TrainError(f"unknown model {unknown[0]!r}; choose from all, {', '.join(MODELS)}")
    _check_schema(conninfo)
    results: list[RunResult] = []
    for name in names:
        if on_model:
            on_model(name)
        started = time.perf_counter()
        module = importlib.import_module(MODELS[name])
        try:
            outcome = module.train(conninfo, options)
        except ModelSkipped as exc:
            outcome = RunResult(name, "skipped", message=str(exc))
        except SalesdwError:
            raise
        except Exception as exc:  # one model failing must not stop the others
            if is_permission_error(exc):  # ... but a read-only login stops them all
                raise read_only_login(exc) from exc
            # The user sees the one-line reason; the traceback is for whoever turns on logging.
            log.debug("training %s failed", name, exc_info=True)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            outcome = RunResult(name, "failed", message=f"{type(exc).__name__}: {first}")
        for result in outcome if isinstance(outcome, list) else [outcome]:
            if not result.seconds:
                result.seconds = time.perf_counter() - started
            results.append(result)
    return results


def _check_schema(conninfo: str) -> None:
    """Refuse, saying what to do, when the ml schema is missing: otherwise every model would
    fail on its first insert, each with a traceback."""
    with psycopg.connect(conninfo) as conn:
        found = conn.execute("select to_regclass('ml.model_runs') is not null").fetchone()[0]
    if not found:
        raise TrainError(
            "the warehouse schema is missing or out of date (no ml.model_runs table); "
            "run `salesdw migrate` first"
        )
