-- One row per local day and metric scored by the latest successful anomaly run (plain view
-- over ml.anomalies): value, expected value, scores, and whether the day is flagged.
with

latest_run as (
    select run_id
    from ml.model_runs
    where model_kind = 'anomalies' and status = 'succeeded'
    order by trained_at desc, run_id desc
    limit 1
),

anomalies as (
    select
        run_id,
        anomaly_date,
        metric,
        value,
        expected,
        residual_score,
        isolation_score,
        is_anomaly
    from ml.anomalies
),

final as (
    select anomalies.*
    from anomalies
    inner join latest_run on latest_run.run_id = anomalies.run_id
)

select * from final
;
comment on view analytics.anomalies is 'One row per local day and metric (net_revenue, orders, average_order_value, conversion_rate) of the latest successful anomaly run: value, expected value, robust residual score, IsolationForest score, and whether the day is flagged.';
comment on column analytics.anomalies.run_id is 'The run (ml.model_runs).';
comment on column analytics.anomalies.anomaly_date is 'Local day scored.';
comment on column analytics.anomalies.metric is 'net_revenue, orders, average_order_value or conversion_rate.';
comment on column analytics.anomalies.value is 'The day''s value.';
comment on column analytics.anomalies.expected is 'Its value from trend and seasonality.';
comment on column analytics.anomalies.residual_score is 'Robust z-score of the residual (median and MAD).';
comment on column analytics.anomalies.isolation_score is 'IsolationForest score of the day''s joint features (higher is stranger).';
comment on column analytics.anomalies.is_anomaly is 'True when the day is flagged.';
