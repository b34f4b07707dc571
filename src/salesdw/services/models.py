"""Model services: what `salesdw train` wrote, read through the analytics views of the latest
runs (forecasts and their backtests, customer scores, anomalies, segments, metrics).

Every function returns an empty frame when the model has not been trained yet; callers say so.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.ml.summaries import AT_RISK_ROWS
from salesdw.ml.tables import (
    ANOMALY_METRICS,
    FORECAST_FREQUENCIES,
    FORECAST_METRICS,
    SERIES_KINDS,
)
from salesdw.services.filters import FilterError

__all__ = [
    "anomaly_days",
    "churn_risk",
    "clv_distribution",
    "customer_clusters",
    "flagged_day_count",
    "forecast",
    "forecast_backtests",
    "forecast_series",
    "model_metrics",
    "product_segment_summary",
]


def _read(engine: Engine, query: str, params: dict | None = None) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(text(query), conn, params=params or {})


def _check(value: str, allowed: tuple[str, ...], name: str) -> None:
    if value not in allowed:
        raise FilterError(f"unknown {name} {value!r}; choose from {', '.join(allowed)}")


def forecast_series(engine: Engine) -> pd.DataFrame:
    """The series the latest forecast run covers: kind, value and label, total first."""
    return _read(engine, """
        select series_kind, series_value, series_label
        from analytics.sales_forecast
        group by 1, 2, 3
        order by case series_kind when 'total' then 0 when 'country' then 1
                 when 'category' then 2 else 3 end, series_label
    """)  # fmt: skip


def forecast(
    engine: Engine,
    metric: str = "net_revenue",
    frequency: str = "day",
    series_kind: str = "total",
    series_value: str = "all",
) -> pd.DataFrame:
    """The selected model's forecast of one series, with its 80% and 95% intervals."""
    _check(metric, FORECAST_METRICS, "metric")
    _check(frequency, FORECAST_FREQUENCIES, "frequency")
    _check(series_kind, SERIES_KINDS, "series kind")
    return _read(engine, """
        select period_start, model, forecast, lower_80, upper_80, lower_95, upper_95
        from analytics.sales_forecast
        where metric = :metric and frequency = :frequency
            and series_kind = :series_kind and series_value = :series_value
        order by period_start
    """, {"metric": metric, "frequency": frequency, "series_kind": series_kind,
          "series_value": series_value})  # fmt: skip


def forecast_backtests(
    engine: Engine,
    metric: str = "net_revenue",
    frequency: str = "day",
    series_kind: str | None = None,
    series_value: str | None = None,
) -> pd.DataFrame:
    """Every candidate model's backtest for each series (or only the series given by
    series_kind and series_value), the winner first within a series."""
    _check(metric, FORECAST_METRICS, "metric")
    _check(frequency, FORECAST_FREQUENCIES, "frequency")
    if series_kind is not None:
        _check(series_kind, SERIES_KINDS, "series kind")
    return _read(engine, """
        select series_kind, series_value, model, is_selected, mase, smape, rmse, bias,
               coverage_80, coverage_95, folds, fit_seconds
        from analytics.forecast_backtests
        where metric = :metric and frequency = :frequency
            and (cast(:series_kind as text) is null or series_kind = :series_kind)
            and (cast(:series_value as text) is null or series_value = :series_value)
        order by series_kind, series_value, is_selected desc, mase
    """, {"metric": metric, "frequency": frequency, "series_kind": series_kind,
          "series_value": series_value})  # fmt: skip


def churn_risk(engine: Engine, n: int = 50) -> pd.DataFrame:
    """The n customers (at most AT_RISK_ROWS) with the most value at risk, highest first: churn
    probability x 12-month CLV (the value the shop expects to lose with them), with both
    factors, the risk tier, and what they bought so far (no names or e-mails). Customers with no
    CLV score are ranked by their churn probability after those with one.

    Reads analytics.customers_at_risk, the ranking written when the latest churn or CLV run
    succeeded (salesdw.ml.summaries): ranking every scored customer takes seconds at scale."""
    if not isinstance(n, int) or not 1 <= n <= AT_RISK_ROWS:
        raise FilterError(f"n must be a whole number from 1 to {AT_RISK_ROWS} (got {n!r})")
    return _read(engine, """
        select
            at_risk.customer_id,
            at_risk.value_at_risk,
            at_risk.churn_probability,
            at_risk.clv_12m,
            at_risk.risk_tier,
            at_risk.probability_alive,
            summary.country_code,
            summary.orders,
            summary.net_revenue::float8 as net_revenue,
            summary.days_since_last_order
        from analytics.customers_at_risk as at_risk
        inner join analytics.customer_summary as summary
            on summary.customer_id = at_risk.customer_id
        where at_risk.risk_rank <= :n
        order by at_risk.risk_rank
    """, {"n": n}).astype({"value_at_risk": float, "clv_12m": float})  # fmt: skip


def clv_distribution(engine: Engine) -> pd.DataFrame:
    """Customers per band of 12-month CLV (CLV_BANDS equal-width bands up to the 99th
    percentile; the top band holds the rest), with the band's total CLV: analytics.clv_bands,
    written with the latest CLV run's scores."""
    return _read(engine, """
        select band, band_start, band_end, customers, total_clv
        from analytics.clv_bands
        order by band
    """)  # fmt: skip


def customer_clusters(engine: Engine) -> pd.DataFrame:
    """Each behavioural cluster of the latest segment run: its customers and their averages,
    as of the training (analytics.customer_segment_profiles), most net revenue first."""
    return _read(engine, """
        select segment_name, customers, average_orders, average_net_revenue,
               average_days_since_last_order, net_revenue::float8 as net_revenue
        from analytics.customer_segment_profiles
        order by net_revenue desc
    """)  # fmt: skip


def product_segment_summary(engine: Engine) -> pd.DataFrame:
    """Each product segment of the latest run: products, units, net revenue, margin."""
    return _read(engine, """
        select
            segments.segment_name,
            count(*) as products,
            sum(products.units) as units,
            sum(products.net_revenue) as net_revenue,
            sum(products.gross_profit) / nullif(sum(products.net_revenue), 0) as gross_margin
        from analytics.product_segments as segments
        inner join analytics.product_performance as products
            on products.product_id = segments.product_id
        group by 1
        order by net_revenue desc
    """).astype({"net_revenue": float, "gross_margin": float})  # fmt: skip


def anomaly_days(
    engine: Engine,
    start: date | None = None,
    end: date | None = None,
    flagged_only: bool = True,
    metric: str | None = None,
    by_date: bool = False,
) -> pd.DataFrame:
    """Days and metrics scored by the latest anomaly run between start and end (inclusive),
    of one metric or all, flagged ones only unless asked; strangest first, or in date order
    with by_date (for a chart)."""
    for value, name in ((start, "start"), (end, "end")):
        if value is not None and not isinstance(value, date):
            raise FilterError(f"{name} must be a date such as 2025-01-31 (got {value!r})")
    if metric is not None:
        _check(metric, ANOMALY_METRICS, "metric")
    order = ("anomaly_date, metric" if by_date
             else "abs(residual_score) desc nulls last, anomaly_date, metric")  # fmt: skip
    return _read(engine, f"""
        select anomaly_date, metric, value, expected, residual_score, isolation_score,
               is_anomaly
        from analytics.anomalies
        where (cast(:start as date) is null or anomaly_date >= :start)
            and (cast(:end as date) is null or anomaly_date <= :end)
            and (is_anomaly or not :flagged_only)
            and (cast(:metric as text) is null or metric = :metric)
        order by {order}
    """, {"start": start, "end": end, "flagged_only": flagged_only,
          "metric": metric})  # fmt: skip


def flagged_day_count(engine: Engine, start: date | None = None, end: date | None = None) -> int:
    """How many days between start and end (inclusive) the latest anomaly run flagged in any
    metric."""
    for value, name in ((start, "start"), (end, "end")):
        if value is not None and not isinstance(value, date):
            raise FilterError(f"{name} must be a date such as 2025-01-31 (got {value!r})")
    with engine.connect() as conn:
        return int(conn.execute(text("""
            select count(distinct anomaly_date) from analytics.anomalies
            where is_anomaly
                and (cast(:start as date) is null or anomaly_date >= :start)
                and (cast(:end as date) is null or anomaly_date <= :end)
        """), {"start": start, "end": end}).scalar_one())  # fmt: skip


def model_metrics(engine: Engine) -> pd.DataFrame:
    """The numeric metrics of each model's latest successful run."""
    return _read(engine, """
        select model_kind, run_id, trained_at, metric_name, metric_value
        from analytics.model_metrics
        order by model_kind, metric_name
    """)  # fmt: skip
