"""`salesdw train`: fit the models and write their results into the ml schema."""

from __future__ import annotations

import time
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

out = Console(soft_wrap=True, highlight=False)

#: The metrics the summary shows per model, when the model reports them.
SUMMARY_METRICS = ("mean_mase", "coverage_80", "coverage_95", "roc_auc", "pr_auc", "brier_score",
                   "holdout_error", "precision", "recall", "silhouette", "clusters",
                   "customers_scored")  # fmt: skip


def train(
    models: Annotated[
        list[str] | None,
        typer.Argument(
            help="What to train: all (the default), or any of forecast, churn, clv, anomalies, "
            "segments."
        ),
    ] = None,
    horizon: Annotated[
        int, typer.Option(min=7, max=365, help="Forecast horizon and churn window, in days.")
    ] = 90,
    top_n: Annotated[
        int,
        typer.Option(
            min=0,
            max=50,
            help="Forecast the top N countries, categories and channels besides the total.",
        ),
    ] = 5,
    calibration_end: Annotated[
        str | None,
        typer.Option(
            help="CLV: fit on orders up to this day (YYYY-MM-DD) and compare with the "
            "orders after it; default: fit on everything."
        ),
    ] = None,
    discount_rate: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="CLV: yearly discount rate of future value.")
    ] = 0.10,
    seed: Annotated[int, typer.Option(help="Seed of every random choice.")] = 42,
) -> None:
    """Fit the models on the analytics views and store their results in the ml schema.

    Forecasts (90 days, selected by rolling-origin backtest), churn (gradient boosting,
    validated out of time), CLV (BG/NBD and Gamma-Gamma), anomalies and segments. The results
    appear in analytics.sales_forecast, customer_scores, anomalies, customer_segments,
    product_segments and model_metrics. A model that cannot be fitted on the data (too little
    history) is skipped with its reason; the others still run.
    """
    from salesdw.db.connect import get_engine, libpq_url
    from salesdw.ml.train import TrainError, TrainOptions
    from salesdw.ml.train import train as train_models

    try:
        calibration = date.fromisoformat(calibration_end) if calibration_end else None
    except ValueError as exc:
        raise TrainError(
            f"--calibration-end must be a date such as 2025-06-30 (got {calibration_end!r})"
        ) from exc
    options = TrainOptions(horizon_days=horizon, top_n=top_n, calibration_end=calibration,
                           discount_rate=discount_rate, seed=seed)  # fmt: skip
    engine = get_engine()
    conninfo = libpq_url(engine.url, hide_password=False)
    engine.dispose()
    started = time.perf_counter()
    with out.status("Training...") as status:
        results = train_models(
            conninfo, models or ["all"], options,
            on_model=lambda name: status.update(f"Training {name}..."),
        )  # fmt: skip
    table = Table(title=f"Trained in {time.perf_counter() - started:.1f} s")
    for column in ("model", "status", "seconds", "rows", "metrics"):
        table.add_column(column, justify="right" if column in ("seconds", "rows") else "left")
    for result in results:
        shown = ", ".join(
            f"{name} {value:.3g}" if isinstance(value, float) else f"{name} {value}"
            for name, value in result.metrics.items()
            if name in SUMMARY_METRICS
        )
        style = {"succeeded": "green", "skipped": "yellow", "failed": "red"}[result.status]
        table.add_row(result.kind, f"[{style}]{result.status}[/]", f"{result.seconds:.1f}",
                      f"{result.rows:,}", shown or (result.message or ""))  # fmt: skip
    out.print(table)
    for result in results:
        if result.status != "succeeded" and result.message:
            out.print(f"[yellow]{result.kind}:[/] {result.message}")
    if any(result.status == "failed" for result in results):
        raise typer.Exit(1)
