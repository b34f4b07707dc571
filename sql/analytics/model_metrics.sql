-- One row per model kind and numeric metric of its latest successful run (plain view over
-- ml.model_runs): what each model scored on data it did not see. Nested metrics (calibration
-- tables, per-fold figures) stay in ml.model_runs.metrics.
with

model_runs as (
    select
        run_id,
        model_kind,
        trained_at,
        data_through,
        duration_seconds,
        metrics
    from ml.model_runs
    where status = 'succeeded'
),

latest_runs as (
    select distinct on (model_kind)
        *
    from model_runs
    order by model_kind, trained_at desc, run_id desc
),

final as (
    select
        latest_runs.model_kind,
        latest_runs.run_id,
        latest_runs.trained_at,
        latest_runs.data_through,
        latest_runs.duration_seconds,
        metric.key as metric_name,
        (metric.value #>> '{}')::double precision as metric_value
    from latest_runs
    cross join lateral jsonb_each(latest_runs.metrics) as metric (key, value)
    where jsonb_typeof(metric.value) = 'number'
)

select * from final
;
comment on view analytics.model_metrics is 'One row per model kind and numeric metric of its latest successful run (ml.model_runs): evaluation on data the model did not see.';
comment on column analytics.model_metrics.model_kind is 'forecast, churn, clv, anomalies, customer_segments or product_segments.';
comment on column analytics.model_metrics.run_id is 'The run (ml.model_runs).';
comment on column analytics.model_metrics.trained_at is 'When the run started.';
comment on column analytics.model_metrics.data_through is 'Latest order time the model saw.';
comment on column analytics.model_metrics.duration_seconds is 'How long the run took.';
comment on column analytics.model_metrics.metric_name is 'Metric, e.g. roc_auc, brier_score, mean_mase, precision, recall.';
comment on column analytics.model_metrics.metric_value is 'Its value.';
