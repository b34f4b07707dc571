"""Model outputs: the ml tables (runs, forecasts, backtests, scores, anomalies, segments) and
the analytics views that show each model's latest successful run.

The views of sql/analytics are frozen below as they were when this migration was written.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 04:58:07.068878+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# (name, kind, SQL of sql/analytics/<name>.sql): the query, a line with ";", then one
# statement per line (comments on the analytics view).
VIEWS = [
    (
        "model_metrics",
        "plain",
        "-- One row per model kind and numeric metric of its latest successful run (plain view over\n-- ml.model_runs): what each model scored on data it did not see. Nested metrics (calibration\n-- tables, per-fold figures) stay in ml.model_runs.metrics.\nwith\n\nmodel_runs as (\n    select\n        run_id,\n        model_kind,\n        trained_at,\n        data_through,\n        duration_seconds,\n        metrics\n    from ml.model_runs\n    where status = 'succeeded'\n),\n\nlatest_runs as (\n    select distinct on (model_kind)\n        *\n    from model_runs\n    order by model_kind, trained_at desc, run_id desc\n),\n\nfinal as (\n    select\n        latest_runs.model_kind,\n        latest_runs.run_id,\n        latest_runs.trained_at,\n        latest_runs.data_through,\n        latest_runs.duration_seconds,\n        metric.key as metric_name,\n        (metric.value #>> '{}')::double precision as metric_value\n    from latest_runs\n    cross join lateral jsonb_each(latest_runs.metrics) as metric (key, value)\n    where jsonb_typeof(metric.value) = 'number'\n)\n\nselect * from final\n;\ncomment on view analytics.model_metrics is 'One row per model kind and numeric metric of its latest successful run (ml.model_runs): evaluation on data the model did not see.';\ncomment on column analytics.model_metrics.model_kind is 'forecast, churn, clv, anomalies, customer_segments or product_segments.';\ncomment on column analytics.model_metrics.run_id is 'The run (ml.model_runs).';\ncomment on column analytics.model_metrics.trained_at is 'When the run started.';\ncomment on column analytics.model_metrics.data_through is 'Latest order time the model saw.';\ncomment on column analytics.model_metrics.duration_seconds is 'How long the run took.';\ncomment on column analytics.model_metrics.metric_name is 'Metric, e.g. roc_auc, brier_score, mean_mase, precision, recall.';\ncomment on column analytics.model_metrics.metric_value is 'Its value.';\n",
    ),
    (
        "sales_forecast",
        "plain",
        "-- One row per metric, frequency, series and future period of the latest successful forecast\n-- run (plain view over ml.sales_forecasts): the selected model's forecast and its 80% and 95%\n-- prediction intervals.\nwith\n\nlatest_run as (\n    select run_id\n    from ml.model_runs\n    where model_kind = 'forecast' and status = 'succeeded'\n    order by trained_at desc, run_id desc\n    limit 1\n),\n\nsales_forecasts as (\n    select\n        run_id,\n        metric,\n        frequency,\n        series_kind,\n        series_value,\n        series_label,\n        period_start,\n        model,\n        forecast,\n        lower_80,\n        upper_80,\n        lower_95,\n        upper_95\n    from ml.sales_forecasts\n),\n\nfinal as (\n    select sales_forecasts.*\n    from sales_forecasts\n    inner join latest_run on latest_run.run_id = sales_forecasts.run_id\n)\n\nselect * from final\n;\ncomment on view analytics.sales_forecast is 'One row per metric, frequency, series and future period of the latest successful forecast run: point forecast of the model the backtest selected, with 80% and 95% intervals.';\ncomment on column analytics.sales_forecast.run_id is 'The run (ml.model_runs).';\ncomment on column analytics.sales_forecast.metric is 'net_revenue or orders.';\ncomment on column analytics.sales_forecast.frequency is 'day or week (ISO weeks).';\ncomment on column analytics.sales_forecast.series_kind is 'total, country, category or channel.';\ncomment on column analytics.sales_forecast.series_value is 'all for total; else the country code, top-level category id or sales channel.';\ncomment on column analytics.sales_forecast.series_label is 'Human name of the series.';\ncomment on column analytics.sales_forecast.period_start is 'Day, or first day of the week, forecast.';\ncomment on column analytics.sales_forecast.model is 'The model that made the forecast.';\ncomment on column analytics.sales_forecast.forecast is 'Point forecast.';\ncomment on column analytics.sales_forecast.lower_80 is 'Lower end of the 80% prediction interval.';\ncomment on column analytics.sales_forecast.upper_80 is 'Upper end of the 80% prediction interval.';\ncomment on column analytics.sales_forecast.lower_95 is 'Lower end of the 95% prediction interval.';\ncomment on column analytics.sales_forecast.upper_95 is 'Upper end of the 95% prediction interval.';\n",
    ),
    (
        "forecast_backtests",
        "plain",
        "-- One row per series and candidate model of the latest successful forecast run (plain view\n-- over ml.forecast_backtests): rolling-origin backtest errors and interval coverage, and which\n-- model won.\nwith\n\nlatest_run as (\n    select run_id\n    from ml.model_runs\n    where model_kind = 'forecast' and status = 'succeeded'\n    order by trained_at desc, run_id desc\n    limit 1\n),\n\nforecast_backtests as (\n    select\n        run_id,\n        metric,\n        frequency,\n        series_kind,\n        series_value,\n        model,\n        folds,\n        mase,\n        smape,\n        rmse,\n        bias,\n        coverage_80,\n        coverage_95,\n        fit_seconds,\n        is_selected\n    from ml.forecast_backtests\n),\n\nfinal as (\n    select forecast_backtests.*\n    from forecast_backtests\n    inner join latest_run on latest_run.run_id = forecast_backtests.run_id\n)\n\nselect * from final\n;\ncomment on view analytics.forecast_backtests is 'One row per metric, frequency, series and candidate model of the latest successful forecast run: rolling-origin backtest errors, interval coverage, and the winner.';\ncomment on column analytics.forecast_backtests.run_id is 'The run (ml.model_runs).';\ncomment on column analytics.forecast_backtests.metric is 'net_revenue or orders.';\ncomment on column analytics.forecast_backtests.frequency is 'day or week.';\ncomment on column analytics.forecast_backtests.series_kind is 'total, country, category or channel.';\ncomment on column analytics.forecast_backtests.series_value is 'all, or the series'' value.';\ncomment on column analytics.forecast_backtests.model is 'Candidate model.';\ncomment on column analytics.forecast_backtests.folds is 'Rolling-origin folds evaluated.';\ncomment on column analytics.forecast_backtests.mase is 'Mean absolute scaled error against the seasonal naive forecast (below 1 beats it).';\ncomment on column analytics.forecast_backtests.smape is 'Symmetric mean absolute percentage error, 0 to 2.';\ncomment on column analytics.forecast_backtests.rmse is 'Root mean squared error.';\ncomment on column analytics.forecast_backtests.bias is 'Mean of forecast - actual.';\ncomment on column analytics.forecast_backtests.coverage_80 is 'Share of actuals inside the 80% interval.';\ncomment on column analytics.forecast_backtests.coverage_95 is 'Share of actuals inside the 95% interval.';\ncomment on column analytics.forecast_backtests.fit_seconds is 'Time spent fitting, over all folds.';\ncomment on column analytics.forecast_backtests.is_selected is 'True for the model that won (lowest MASE) and made the forecast.';\n",
    ),
    (
        "customer_scores",
        "plain",
        "-- One row per customer scored by the latest successful churn or CLV run (plain view over\n-- ml.churn_scores and ml.clv_scores): churn probability and risk tier, BG/NBD probability of\n-- being alive, expected purchases, expected order value and 12-month CLV.\nwith\n\nlatest_churn_run as (\n    select run_id\n    from ml.model_runs\n    where model_kind = 'churn' and status = 'succeeded'\n    order by trained_at desc, run_id desc\n    limit 1\n),\n\nlatest_clv_run as (\n    select run_id\n    from ml.model_runs\n    where model_kind = 'clv' and status = 'succeeded'\n    order by trained_at desc, run_id desc\n    limit 1\n),\n\nchurn_scores as (\n    select\n        churn_scores.customer_id,\n        churn_scores.churn_probability,\n        churn_scores.risk_tier\n    from ml.churn_scores\n    inner join latest_churn_run on latest_churn_run.run_id = churn_scores.run_id\n),\n\nclv_scores as (\n    select\n        clv_scores.customer_id,\n        clv_scores.probability_alive,\n        clv_scores.expected_purchases_90d,\n        clv_scores.expected_purchases_365d,\n        clv_scores.expected_order_value,\n        clv_scores.clv_12m\n    from ml.clv_scores\n    inner join latest_clv_run on latest_clv_run.run_id = clv_scores.run_id\n),\n\nfinal as (\n    select\n        coalesce(churn_scores.customer_id, clv_scores.customer_id) as customer_id,\n        churn_scores.churn_probability,\n        churn_scores.risk_tier,\n        clv_scores.probability_alive,\n        clv_scores.expected_purchases_90d,\n        clv_scores.expected_purchases_365d,\n        clv_scores.expected_order_value,\n        clv_scores.clv_12m\n    from churn_scores\n    full join clv_scores on clv_scores.customer_id = churn_scores.customer_id\n)\n\nselect * from final\n;\ncomment on view analytics.customer_scores is 'One row per customer scored by the latest successful churn or CLV run: churn probability and risk tier, BG/NBD probability alive, expected purchases, expected order value and 12-month CLV (null where a model has not scored the customer).';\ncomment on column analytics.customer_scores.customer_id is 'Customer (analytics.customer_summary).';\ncomment on column analytics.customer_scores.churn_probability is 'Calibrated probability of no order in the next 90 days.';\ncomment on column analytics.customer_scores.risk_tier is 'low, medium or high churn risk.';\ncomment on column analytics.customer_scores.probability_alive is 'BG/NBD probability the customer is still active.';\ncomment on column analytics.customer_scores.expected_purchases_90d is 'Expected transactions in the next 90 days.';\ncomment on column analytics.customer_scores.expected_purchases_365d is 'Expected transactions in the next 365 days.';\ncomment on column analytics.customer_scores.expected_order_value is 'Gamma-Gamma expected average order value.';\ncomment on column analytics.customer_scores.clv_12m is 'Discounted 12-month customer lifetime value.';\n",
    ),
    (
        "anomalies",
        "plain",
        "-- One row per local day and metric scored by the latest successful anomaly run (plain view\n-- over ml.anomalies): value, expected value, scores, and whether the day is flagged.\nwith\n\nlatest_run as (\n    select run_id\n    from ml.model_runs\n    where model_kind = 'anomalies' and status = 'succeeded'\n    order by trained_at desc, run_id desc\n    limit 1\n),\n\nanomalies as (\n    select\n        run_id,\n        anomaly_date,\n        metric,\n        value,\n        expected,\n        residual_score,\n        isolation_score,\n        is_anomaly\n    from ml.anomalies\n),\n\nfinal as (\n    select anomalies.*\n    from anomalies\n    inner join latest_run on latest_run.run_id = anomalies.run_id\n)\n\nselect * from final\n;\ncomment on view analytics.anomalies is 'One row per local day and metric (net_revenue, orders, average_order_value, conversion_rate) of the latest successful anomaly run: value, expected value, robust residual score, IsolationForest score, and whether the day is flagged.';\ncomment on column analytics.anomalies.run_id is 'The run (ml.model_runs).';\ncomment on column analytics.anomalies.anomaly_date is 'Local day scored.';\ncomment on column analytics.anomalies.metric is 'net_revenue, orders, average_order_value or conversion_rate.';\ncomment on column analytics.anomalies.value is 'The day''s value.';\ncomment on column analytics.anomalies.expected is 'Its value from trend and seasonality.';\ncomment on column analytics.anomalies.residual_score is 'Robust z-score of the residual (median and MAD).';\ncomment on column analytics.anomalies.isolation_score is 'IsolationForest score of the day''s joint features (higher is stranger).';\ncomment on column analytics.anomalies.is_anomaly is 'True when the day is flagged.';\n",
    ),
    (
        "customer_segments",
        "plain",
        "-- One row per customer clustered by the latest successful customer-segment run (plain view over\n-- ml.customer_segments): cluster and its plain-words name.\nwith\n\nlatest_run as (\n    select run_id\n    from ml.model_runs\n    where model_kind = 'customer_segments' and status = 'succeeded'\n    order by trained_at desc, run_id desc\n    limit 1\n),\n\ncustomer_segments as (\n    select\n        run_id,\n        customer_id,\n        cluster,\n        segment_name\n    from ml.customer_segments\n),\n\nfinal as (\n    select customer_segments.*\n    from customer_segments\n    inner join latest_run on latest_run.run_id = customer_segments.run_id\n)\n\nselect * from final\n;\ncomment on view analytics.customer_segments is 'One row per customer clustered by the latest successful run (k-means on standardised log RFM and behaviour): cluster and its name.';\ncomment on column analytics.customer_segments.run_id is 'The run (ml.model_runs).';\ncomment on column analytics.customer_segments.customer_id is 'Customer (analytics.customer_summary).';\ncomment on column analytics.customer_segments.cluster is 'Cluster number.';\ncomment on column analytics.customer_segments.segment_name is 'Cluster named from its centroid, in plain words.';\n",
    ),
    (
        "product_segments",
        "plain",
        "-- One row per product segmented by the latest successful product-segment run (plain view over\n-- ml.product_segments).\nwith\n\nlatest_run as (\n    select run_id\n    from ml.model_runs\n    where model_kind = 'product_segments' and status = 'succeeded'\n    order by trained_at desc, run_id desc\n    limit 1\n),\n\nproduct_segments as (\n    select\n        run_id,\n        product_id,\n        segment_name\n    from ml.product_segments\n),\n\nfinal as (\n    select product_segments.*\n    from product_segments\n    inner join latest_run on latest_run.run_id = product_segments.run_id\n)\n\nselect * from final\n;\ncomment on view analytics.product_segments is 'One row per product segmented by the latest successful run, by revenue and purchase frequency.';\ncomment on column analytics.product_segments.run_id is 'The run (ml.model_runs).';\ncomment on column analytics.product_segments.product_id is 'Product (analytics.product_performance).';\ncomment on column analytics.product_segments.segment_name is 'star, premium, volume or low performer.';\n",
    ),
]


def _create_view(name: str, kind: str, text: str) -> None:
    query, _, statements = text.partition("\n;\n")
    op.execute(f"create view analytics.{name} as\n{query}")
    for statement in statements.strip().splitlines():
        op.execute(statement)


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "model_runs",
        sa.Column(
            "run_id",
            sa.BigInteger(),
            sa.Identity(always=False),
            nullable=False,
            comment="Surrogate key.",
        ),
        sa.Column(
            "model_kind",
            sa.Text(),
            nullable=False,
            comment="What was trained: forecast, churn, clv, anomalies, customer_segments, product_segments.",
        ),
        sa.Column(
            "status",
            sa.Text(),
            server_default=sa.text("'running'"),
            nullable=False,
            comment="running, succeeded, failed, or skipped (too little data; see message).",
        ),
        sa.Column(
            "parameters",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
            comment="Settings and fitted parameters of the model (e.g. BG/NBD r, alpha, a, b).",
        ),
        sa.Column(
            "metrics",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
            comment="Evaluation on data the model did not see (backtest, out-of-time, holdout).",
        ),
        sa.Column(
            "data_through",
            postgresql.TIMESTAMP(timezone=True),
            nullable=True,
            comment="Latest order time the model saw.",
        ),
        sa.Column(
            "trained_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="When the run started.",
        ),
        sa.Column(
            "duration_seconds",
            sa.Numeric(precision=10, scale=3),
            nullable=True,
            comment="How long it took.",
        ),
        sa.Column("message", sa.Text(), nullable=True, comment="Why a run was skipped or failed."),
        sa.CheckConstraint(
            "model_kind in ('forecast', 'churn', 'clv', 'anomalies', 'customer_segments', 'product_segments')",
            name=op.f("ck_model_runs_model_kind_known"),
        ),
        sa.CheckConstraint(
            "status in ('running', 'succeeded', 'failed', 'skipped')",
            name=op.f("ck_model_runs_status_known"),
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_model_runs")),
        schema="ml",
        comment="One row per model run: what was trained, its parameters and honest metrics.",
    )
    op.create_index(
        op.f("ix_model_runs_model_kind_trained_at"),
        "model_runs",
        ["model_kind", "trained_at"],
        unique=False,
        schema="ml",
    )
    op.create_table(
        "anomalies",
        sa.Column(
            "run_id",
            sa.BigInteger(),
            nullable=False,
            comment="The model run that wrote the row (ml.model_runs).",
        ),
        sa.Column("anomaly_date", sa.Date(), nullable=False, comment="Local day scored."),
        sa.Column(
            "metric",
            sa.Text(),
            nullable=False,
            comment="net_revenue, orders, average_order_value, conversion_rate.",
        ),
        sa.Column("value", sa.Double(), nullable=True, comment="The day's value."),
        sa.Column(
            "expected", sa.Double(), nullable=True, comment="Its value from trend and seasonality."
        ),
        sa.Column(
            "residual_score",
            sa.Double(),
            nullable=True,
            comment="Robust z-score of the residual (median and MAD).",
        ),
        sa.Column(
            "isolation_score",
            sa.Double(),
            nullable=True,
            comment="IsolationForest anomaly score of the day's joint features (higher is stranger).",
        ),
        sa.Column(
            "is_anomaly", sa.Boolean(), nullable=False, comment="True when the day is flagged."
        ),
        sa.CheckConstraint(
            "metric in ('net_revenue', 'orders', 'average_order_value', 'conversion_rate')",
            name=op.f("ck_anomalies_metric_known"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ml.model_runs.run_id"],
            name=op.f("fk_anomalies_run_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "anomaly_date", "metric", name=op.f("pk_anomalies")),
        schema="ml",
        comment="One row per run, day and metric: anomaly scores, and whether the day is flagged.",
    )
    op.create_table(
        "churn_scores",
        sa.Column(
            "run_id",
            sa.BigInteger(),
            nullable=False,
            comment="The model run that wrote the row (ml.model_runs).",
        ),
        sa.Column("customer_id", sa.BigInteger(), nullable=False, comment="Customer scored."),
        sa.Column(
            "churn_probability",
            sa.Double(),
            nullable=False,
            comment="Calibrated probability of no order in the next 90 days.",
        ),
        sa.Column("risk_tier", sa.Text(), nullable=False, comment="low, medium or high."),
        sa.CheckConstraint(
            "risk_tier in ('low', 'medium', 'high')", name=op.f("ck_churn_scores_risk_tier_known")
        ),
        sa.CheckConstraint(
            "churn_probability between 0 and 1", name=op.f("ck_churn_scores_probability_0_to_1")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ml.model_runs.run_id"],
            name=op.f("fk_churn_scores_run_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "customer_id", name=op.f("pk_churn_scores")),
        schema="ml",
        comment="One row per run and customer with an order: churn probability and risk tier.",
    )
    op.create_table(
        "clv_scores",
        sa.Column(
            "run_id",
            sa.BigInteger(),
            nullable=False,
            comment="The model run that wrote the row (ml.model_runs).",
        ),
        sa.Column("customer_id", sa.BigInteger(), nullable=False, comment="Customer scored."),
        sa.Column(
            "frequency",
            sa.Integer(),
            nullable=False,
            comment="Repeat transactions (days with an order after the first) in the calibration period.",
        ),
        sa.Column(
            "recency",
            sa.Double(),
            nullable=False,
            comment="Time from first to last transaction, in the run's time unit (weeks by default).",
        ),
        sa.Column(
            "age",
            sa.Double(),
            nullable=False,
            comment="Time from first transaction to the end of the calibration period (T), same unit.",
        ),
        sa.Column(
            "monetary_value",
            sa.Double(),
            nullable=True,
            comment="Average net revenue of the repeat transactions; null without repeats.",
        ),
        sa.Column(
            "probability_alive",
            sa.Double(),
            nullable=False,
            comment="BG/NBD probability the customer is still active.",
        ),
        sa.Column(
            "expected_purchases_90d",
            sa.Double(),
            nullable=False,
            comment="Expected transactions in the next 90 days.",
        ),
        sa.Column(
            "expected_purchases_365d",
            sa.Double(),
            nullable=False,
            comment="Expected transactions in the next 365 days.",
        ),
        sa.Column(
            "expected_order_value",
            sa.Double(),
            nullable=False,
            comment="Gamma-Gamma expected average order value.",
        ),
        sa.Column(
            "clv_12m",
            sa.Double(),
            nullable=False,
            comment="Discounted 12-month customer lifetime value.",
        ),
        sa.Column(
            "holdout_actual",
            sa.Integer(),
            nullable=True,
            comment="Repeat transactions after the calibration end, when later orders exist.",
        ),
        sa.Column(
            "holdout_predicted",
            sa.Double(),
            nullable=True,
            comment="The model's expectation of them.",
        ),
        sa.CheckConstraint(
            "probability_alive between 0 and 1", name=op.f("ck_clv_scores_probability_0_to_1")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ml.model_runs.run_id"],
            name=op.f("fk_clv_scores_run_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "customer_id", name=op.f("pk_clv_scores")),
        schema="ml",
        comment="One row per run and customer with an order: BG/NBD and Gamma-Gamma scores, CLV.",
    )
    op.create_table(
        "customer_segments",
        sa.Column(
            "run_id",
            sa.BigInteger(),
            nullable=False,
            comment="The model run that wrote the row (ml.model_runs).",
        ),
        sa.Column("customer_id", sa.BigInteger(), nullable=False, comment="Customer."),
        sa.Column("cluster", sa.Integer(), nullable=False, comment="k-means cluster number."),
        sa.Column(
            "segment_name", sa.Text(), nullable=False, comment="Cluster named from its centroid."
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ml.model_runs.run_id"],
            name=op.f("fk_customer_segments_run_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "customer_id", name=op.f("pk_customer_segments")),
        schema="ml",
        comment="One row per run and customer with an order: behavioural cluster.",
    )
    op.create_table(
        "forecast_backtests",
        sa.Column(
            "run_id",
            sa.BigInteger(),
            nullable=False,
            comment="The model run that wrote the row (ml.model_runs).",
        ),
        sa.Column("metric", sa.Text(), nullable=False, comment="net_revenue or orders."),
        sa.Column("frequency", sa.Text(), nullable=False, comment="day or week."),
        sa.Column(
            "series_kind", sa.Text(), nullable=False, comment="total, country, category or channel."
        ),
        sa.Column("series_value", sa.Text(), nullable=False, comment="all, or the series' value."),
        sa.Column("model", sa.Text(), nullable=False, comment="Candidate model."),
        sa.Column("folds", sa.Integer(), nullable=False, comment="Rolling-origin folds evaluated."),
        sa.Column(
            "mase",
            sa.Double(),
            nullable=True,
            comment="Mean absolute scaled error against the seasonal naive forecast (below 1 beats it).",
        ),
        sa.Column(
            "smape",
            sa.Double(),
            nullable=True,
            comment="Symmetric mean absolute percentage error, 0 to 2.",
        ),
        sa.Column("rmse", sa.Double(), nullable=True, comment="Root mean squared error."),
        sa.Column("bias", sa.Double(), nullable=True, comment="Mean of forecast - actual."),
        sa.Column(
            "coverage_80",
            sa.Double(),
            nullable=True,
            comment="Share of actuals inside the 80% interval.",
        ),
        sa.Column(
            "coverage_95",
            sa.Double(),
            nullable=True,
            comment="Share of actuals inside the 95% interval.",
        ),
        sa.Column(
            "fit_seconds", sa.Double(), nullable=True, comment="Time spent fitting, over all folds."
        ),
        sa.Column(
            "is_selected",
            sa.Boolean(),
            nullable=False,
            comment="True for the model that won (lowest MASE) and made the forecast.",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ml.model_runs.run_id"],
            name=op.f("fk_forecast_backtests_run_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "run_id",
            "metric",
            "frequency",
            "series_kind",
            "series_value",
            "model",
            name=op.f("pk_forecast_backtests"),
        ),
        schema="ml",
        comment="One row per run, series and candidate model: its rolling-origin backtest.",
    )
    op.create_table(
        "product_segments",
        sa.Column(
            "run_id",
            sa.BigInteger(),
            nullable=False,
            comment="The model run that wrote the row (ml.model_runs).",
        ),
        sa.Column("product_id", sa.BigInteger(), nullable=False, comment="Product."),
        sa.Column(
            "segment_name",
            sa.Text(),
            nullable=False,
            comment="star, premium, volume or low performer.",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ml.model_runs.run_id"],
            name=op.f("fk_product_segments_run_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "product_id", name=op.f("pk_product_segments")),
        schema="ml",
        comment="One row per run and product: its segment by revenue and purchase frequency.",
    )
    op.create_table(
        "sales_forecasts",
        sa.Column(
            "run_id",
            sa.BigInteger(),
            nullable=False,
            comment="The model run that wrote the row (ml.model_runs).",
        ),
        sa.Column("metric", sa.Text(), nullable=False, comment="net_revenue or orders."),
        sa.Column("frequency", sa.Text(), nullable=False, comment="day or week (ISO weeks)."),
        sa.Column(
            "series_kind", sa.Text(), nullable=False, comment="total, country, category or channel."
        ),
        sa.Column(
            "series_value",
            sa.Text(),
            nullable=False,
            comment="all for total; else the country code, top-level category id or sales channel.",
        ),
        sa.Column("series_label", sa.Text(), nullable=False, comment="Human name of the series."),
        sa.Column(
            "period_start",
            sa.Date(),
            nullable=False,
            comment="Day, or first day of the week, forecast.",
        ),
        sa.Column("model", sa.Text(), nullable=False, comment="The model the backtest selected."),
        sa.Column("forecast", sa.Double(), nullable=False, comment="Point forecast."),
        sa.Column(
            "lower_80", sa.Double(), nullable=False, comment="Lower end of the 80% interval."
        ),
        sa.Column(
            "upper_80", sa.Double(), nullable=False, comment="Upper end of the 80% interval."
        ),
        sa.Column(
            "lower_95", sa.Double(), nullable=False, comment="Lower end of the 95% interval."
        ),
        sa.Column(
            "upper_95", sa.Double(), nullable=False, comment="Upper end of the 95% interval."
        ),
        sa.CheckConstraint(
            "frequency in ('day', 'week')", name=op.f("ck_sales_forecasts_frequency_known")
        ),
        sa.CheckConstraint(
            "metric in ('net_revenue', 'orders')", name=op.f("ck_sales_forecasts_metric_known")
        ),
        sa.CheckConstraint(
            "series_kind in ('total', 'country', 'category', 'channel')",
            name=op.f("ck_sales_forecasts_series_kind_known"),
        ),
        sa.CheckConstraint(
            "lower_95 <= lower_80 and lower_80 <= forecast and forecast <= upper_80 and upper_80 <= upper_95",
            name=op.f("ck_sales_forecasts_intervals_nested"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ml.model_runs.run_id"],
            name=op.f("fk_sales_forecasts_run_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "run_id",
            "metric",
            "frequency",
            "series_kind",
            "series_value",
            "period_start",
            name=op.f("pk_sales_forecasts"),
        ),
        schema="ml",
        comment="One row per run, metric, frequency, series and future period: the forecast of the selected model with 80% and 95% intervals.",
    )
    # ### end Alembic commands ###
    for name, kind, text in VIEWS:
        _create_view(name, kind, text)


def downgrade() -> None:
    for name, _kind, _text in reversed(VIEWS):
        op.execute(f"drop view analytics.{name}")
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table("sales_forecasts", schema="ml")
    op.drop_table("product_segments", schema="ml")
    op.drop_table("forecast_backtests", schema="ml")
    op.drop_table("customer_segments", schema="ml")
    op.drop_table("clv_scores", schema="ml")
    op.drop_table("churn_scores", schema="ml")
    op.drop_table("anomalies", schema="ml")
    op.drop_index(op.f("ix_model_runs_model_kind_trained_at"), table_name="model_runs", schema="ml")
    op.drop_table("model_runs", schema="ml")
    # ### end Alembic commands ###
