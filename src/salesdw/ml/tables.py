"""The ml schema's tables: model runs and what each model writes, keyed by run.

Declared on the same metadata as the core tables (salesdw.schema), so `alembic check` covers
them. Outputs reference customers and products by id without a foreign key: they are snapshots
of a run, and a new seed must be able to replace the customers they scored. The analytics views
(sql/analytics/sales_forecast.sql and friends) show the latest successful run of each model.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TIMESTAMP

from salesdw.schema import metadata

__all__ = [
    "FORECAST_FREQUENCIES",
    "FORECAST_METRICS",
    "MODEL_KINDS",
    "RISK_TIERS",
    "SERIES_KINDS",
    "anomalies",
    "churn_scores",
    "clv_bands",
    "clv_scores",
    "customer_segment_profiles",
    "customer_segments",
    "customers_at_risk",
    "forecast_backtests",
    "model_runs",
    "product_segments",
    "sales_forecasts",
]

MODEL_KINDS = ("forecast", "churn", "clv", "anomalies", "customer_segments", "product_segments")
RUN_STATUSES = ("running", "succeeded", "failed", "skipped")
FORECAST_METRICS = ("net_revenue", "orders")
FORECAST_FREQUENCIES = ("day", "week")
SERIES_KINDS = ("total", "country", "category", "channel")
RISK_TIERS = ("low", "medium", "high")
ANOMALY_METRICS = ("net_revenue", "orders", "average_order_value", "conversion_rate")

Timestamp = TIMESTAMP(timezone=True)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} in ({', '.join(repr(v) for v in values)})"


def _run_id() -> Column:
    return Column(
        "run_id",
        BigInteger,
        ForeignKey("ml.model_runs.run_id", ondelete="CASCADE"),
        nullable=False,
        comment="The model run that wrote the row (ml.model_runs).",
    )


model_runs = Table(
    "model_runs",
    metadata,
    Column("run_id", BigInteger, Identity(), primary_key=True, comment="Surrogate key."),
    Column("model_kind", Text, nullable=False, comment="What was trained: "
           + ", ".join(MODEL_KINDS) + "."),
    Column("status", Text, nullable=False, server_default=text("'running'"),
           comment="running, succeeded, failed, or skipped (too little data; see message)."),
    Column("parameters", JSONB, nullable=False, server_default=text("'{}'::jsonb"),
           comment="Settings and fitted parameters of the model (e.g. BG/NBD r, alpha, a, b)."),
    Column("metrics", JSONB, nullable=False, server_default=text("'{}'::jsonb"),
           comment="Evaluation on data the model did not see (backtest, out-of-time, holdout)."),
    Column("data_through", Timestamp, nullable=True, comment="Latest order time the model saw."),
    Column("trained_at", Timestamp, nullable=False, server_default=func.now(),
           comment="When the run started."),
    Column("duration_seconds", Numeric(10, 3), nullable=True, comment="How long it took."),
    Column("message", Text, nullable=True, comment="Why a run was skipped or failed."),
    CheckConstraint(_one_of("model_kind", MODEL_KINDS), name="model_kind_known"),
    CheckConstraint(_one_of("status", RUN_STATUSES), name="status_known"),
    Index(None, "model_kind", "trained_at"),
    schema="ml",
    comment="One row per model run: what was trained, its parameters and honest metrics.",
)  # fmt: skip

sales_forecasts = Table(
    "sales_forecasts",
    metadata,
    _run_id(),
    Column("metric", Text, nullable=False, comment="net_revenue or orders."),
    Column("frequency", Text, nullable=False, comment="day or week (ISO weeks)."),
    Column("series_kind", Text, nullable=False, comment="total, country, category or channel."),
    Column("series_value", Text, nullable=False, comment="all for total; else the country "
           "code, top-level category id or sales channel."),
    Column("series_label", Text, nullable=False, comment="Human name of the series."),
    Column("period_start", Date, nullable=False, comment="Day, or first day of the week, "
           "forecast."),
    Column("model", Text, nullable=False, comment="The model the backtest selected."),
    Column("forecast", Double, nullable=False, comment="Point forecast."),
    Column("lower_80", Double, nullable=False, comment="Lower end of the 80% interval."),
    Column("upper_80", Double, nullable=False, comment="Upper end of the 80% interval."),
    Column("lower_95", Double, nullable=False, comment="Lower end of the 95% interval."),
    Column("upper_95", Double, nullable=False, comment="Upper end of the 95% interval."),
    PrimaryKeyConstraint("run_id", "metric", "frequency", "series_kind", "series_value",
                         "period_start"),
    CheckConstraint(_one_of("metric", FORECAST_METRICS), name="metric_known"),
    CheckConstraint(_one_of("frequency", FORECAST_FREQUENCIES), name="frequency_known"),
    CheckConstraint(_one_of("series_kind", SERIES_KINDS), name="series_kind_known"),
    CheckConstraint("lower_95 <= lower_80 and lower_80 <= forecast and forecast <= upper_80 "
                    "and upper_80 <= upper_95", name="intervals_nested"),
    schema="ml",
    comment="One row per run, metric, frequency, series and future period: the forecast of "
    "the selected model with 80% and 95% intervals.",
)  # fmt: skip

forecast_backtests = Table(
    "forecast_backtests",
    metadata,
    _run_id(),
    Column("metric", Text, nullable=False, comment="net_revenue or orders."),
    Column("frequency", Text, nullable=False, comment="day or week."),
    Column("series_kind", Text, nullable=False, comment="total, country, category or channel."),
    Column("series_value", Text, nullable=False, comment="all, or the series' value."),
    Column("model", Text, nullable=False, comment="Candidate model."),
    Column("folds", Integer, nullable=False, comment="Rolling-origin folds evaluated."),
    Column("mase", Double, nullable=True, comment="Mean absolute scaled error against the "
           "seasonal naive forecast (below 1 beats it)."),
    Column("smape", Double, nullable=True, comment="Symmetric mean absolute percentage error, "
           "0 to 2."),
    Column("rmse", Double, nullable=True, comment="Root mean squared error."),
    Column("bias", Double, nullable=True, comment="Mean of forecast - actual."),
    Column("coverage_80", Double, nullable=True, comment="Share of actuals inside the 80% "
           "interval."),
    Column("coverage_95", Double, nullable=True, comment="Share of actuals inside the 95% "
           "interval."),
    Column("fit_seconds", Double, nullable=True, comment="Time spent fitting, over all folds."),
    Column("is_selected", Boolean, nullable=False, comment="True for the model that won "
           "(lowest MASE) and made the forecast."),
    PrimaryKeyConstraint("run_id", "metric", "frequency", "series_kind", "series_value", "model"),
    schema="ml",
    comment="One row per run, series and candidate model: its rolling-origin backtest.",
)  # fmt: skip

churn_scores = Table(
    "churn_scores",
    metadata,
    _run_id(),
    Column("customer_id", BigInteger, nullable=False, comment="Customer scored."),
    Column("churn_probability", Double, nullable=False, comment="Calibrated probability of no "
           "order in the next 90 days."),
    Column("risk_tier", Text, nullable=False, comment="low, medium or high."),
    PrimaryKeyConstraint("run_id", "customer_id"),
    CheckConstraint("churn_probability between 0 and 1", name="probability_0_to_1"),
    CheckConstraint(_one_of("risk_tier", RISK_TIERS), name="risk_tier_known"),
    schema="ml",
    comment="One row per run and customer with an order: churn probability and risk tier.",
)  # fmt: skip

clv_scores = Table(
    "clv_scores",
    metadata,
    _run_id(),
    Column("customer_id", BigInteger, nullable=False, comment="Customer scored."),
    Column("frequency", Integer, nullable=False, comment="Repeat transactions (days with an "
           "order after the first) in the calibration period."),
    Column("recency", Double, nullable=False, comment="Time from first to last transaction, "
           "in the run's time unit (weeks by default)."),
    Column("age", Double, nullable=False, comment="Time from first transaction to the end of "
           "the calibration period (T), same unit."),
    Column("monetary_value", Double, nullable=True, comment="Average net revenue of the repeat "
           "transactions; null without repeats."),
    Column("probability_alive", Double, nullable=False, comment="BG/NBD probability the "
           "customer is still active."),
    Column("expected_purchases_90d", Double, nullable=False, comment="Expected transactions in "
           "the next 90 days."),
    Column("expected_purchases_365d", Double, nullable=False, comment="Expected transactions in "
           "the next 365 days."),
    Column("expected_order_value", Double, nullable=False, comment="Gamma-Gamma expected "
           "average order value."),
    Column("clv_12m", Double, nullable=False, comment="Discounted 12-month customer lifetime "
           "value."),
    Column("holdout_actual", Integer, nullable=True, comment="Repeat transactions after the "
           "calibration end, when later orders exist."),
    Column("holdout_predicted", Double, nullable=True, comment="The model's expectation of "
           "them."),
    PrimaryKeyConstraint("run_id", "customer_id"),
    CheckConstraint("probability_alive between 0 and 1", name="probability_0_to_1"),
    schema="ml",
    comment="One row per run and customer with an order: BG/NBD and Gamma-Gamma scores, CLV.",
)  # fmt: skip

anomalies = Table(
    "anomalies",
    metadata,
    _run_id(),
    Column("anomaly_date", Date, nullable=False, comment="Local day scored."),
    Column("metric", Text, nullable=False, comment=", ".join(ANOMALY_METRICS) + "."),
    Column("value", Double, nullable=True, comment="The day's value."),
    Column("expected", Double, nullable=True, comment="Its value from trend and seasonality."),
    Column("residual_score", Double, nullable=True, comment="Robust z-score of the residual "
           "(median and MAD)."),
    Column("isolation_score", Double, nullable=True, comment="IsolationForest anomaly score of "
           "the day's joint features (higher is stranger)."),
    Column("is_anomaly", Boolean, nullable=False, comment="True when the day is flagged."),
    PrimaryKeyConstraint("run_id", "anomaly_date", "metric"),
    CheckConstraint(_one_of("metric", ANOMALY_METRICS), name="metric_known"),
    schema="ml",
    comment="One row per run, day and metric: anomaly scores, and whether the day is flagged.",
)  # fmt: skip

customer_segments = Table(
    "customer_segments",
    metadata,
    _run_id(),
    Column("customer_id", BigInteger, nullable=False, comment="Customer."),
    Column("cluster", Integer, nullable=False, comment="k-means cluster number."),
    Column("segment_name", Text, nullable=False, comment="Cluster named from its centroid."),
    PrimaryKeyConstraint("run_id", "customer_id"),
    schema="ml",
    comment="One row per run and customer with an order: behavioural cluster.",
)  # fmt: skip

product_segments = Table(
    "product_segments",
    metadata,
    _run_id(),
    Column("product_id", BigInteger, nullable=False, comment="Product."),
    Column("segment_name", Text, nullable=False, comment="star, premium, volume or low "
           "performer."),
    PrimaryKeyConstraint("run_id", "product_id"),
    schema="ml",
    comment="One row per run and product: its segment by revenue and purchase frequency.",
)  # fmt: skip

# Summaries of the scores, written in the run's transaction (salesdw.ml.summaries): what the
# dashboard shows of millions of scored customers, read in milliseconds.

customers_at_risk = Table(
    "customers_at_risk",
    metadata,
    Column("churn_run_id", BigInteger, ForeignKey("ml.model_runs.run_id", ondelete="CASCADE"),
           nullable=False, comment="The churn run ranked (ml.model_runs)."),
    Column("clv_run_id", BigInteger, ForeignKey("ml.model_runs.run_id", ondelete="CASCADE"),
           nullable=True, comment="The CLV run whose values were used; null if none had "
           "succeeded."),
    Column("risk_rank", Integer, nullable=False, comment="Rank, 1 = most value at risk."),
    Column("customer_id", BigInteger, nullable=False, comment="Customer."),
    Column("value_at_risk", Double, nullable=True, comment="Churn probability x 12-month CLV; "
           "null without a CLV score."),
    Column("churn_probability", Double, nullable=False, comment="Calibrated probability of no "
           "order in the next 90 days."),
    Column("clv_12m", Double, nullable=True, comment="Discounted 12-month customer lifetime "
           "value."),
    Column("risk_tier", Text, nullable=False, comment="low, medium or high."),
    Column("probability_alive", Double, nullable=True, comment="BG/NBD probability the "
           "customer is still active."),
    PrimaryKeyConstraint("churn_run_id", "risk_rank"),
    schema="ml",
    comment="The customers with the most value at risk (churn probability x 12-month CLV) for "
    "the latest churn and CLV runs, ranked; rewritten when either succeeds.",
)  # fmt: skip

clv_bands = Table(
    "clv_bands",
    metadata,
    _run_id(),
    Column("band", Integer, nullable=False, comment="Band number, 1 to 30."),
    Column("band_start", Double, nullable=False, comment="Lowest 12-month CLV of the band."),
    Column("band_end", Double, nullable=False, comment="Highest 12-month CLV of the band (the "
           "top band also holds everyone above it)."),
    Column("customers", BigInteger, nullable=False, comment="Customers in the band."),
    Column("total_clv", Double, nullable=False, comment="Their total 12-month CLV."),
    PrimaryKeyConstraint("run_id", "band"),
    schema="ml",
    comment="One row per CLV run and band of 12-month CLV: 30 equal-width bands up to the 99th "
    "percentile, customers and total CLV.",
)  # fmt: skip

customer_segment_profiles = Table(
    "customer_segment_profiles",
    metadata,
    _run_id(),
    Column("segment_name", Text, nullable=False, comment="Cluster named from its centroid."),
    Column("customers", BigInteger, nullable=False, comment="Customers in the cluster."),
    Column("average_orders", Double, nullable=False, comment="Their average orders."),
    Column("average_net_revenue", Double, nullable=False, comment="Their average net revenue."),
    Column("average_days_since_last_order", Double, nullable=True, comment="Their average days "
           "since the last order."),
    Column("net_revenue", Numeric(16, 2), nullable=False, comment="Their net revenue."),
    PrimaryKeyConstraint("run_id", "segment_name"),
    schema="ml",
    comment="One row per customer-segment run and cluster: customers and their averages from "
    "analytics.customer_summary at training time.",
)  # fmt: skip
