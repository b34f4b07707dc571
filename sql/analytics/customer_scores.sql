-- One row per customer scored by the latest successful churn or CLV run (plain view over
-- ml.churn_scores and ml.clv_scores): churn probability and risk tier, BG/NBD probability of
-- being alive, expected purchases, expected order value and 12-month CLV.
with

latest_churn_run as (
    select run_id
    from ml.model_runs
    where model_kind = 'churn' and status = 'succeeded'
    order by trained_at desc, run_id desc
    limit 1
),

latest_clv_run as (
    select run_id
    from ml.model_runs
    where model_kind = 'clv' and status = 'succeeded'
    order by trained_at desc, run_id desc
    limit 1
),

churn_scores as (
    select
        churn_scores.customer_id,
        churn_scores.churn_probability,
        churn_scores.risk_tier
    from ml.churn_scores
    inner join latest_churn_run on latest_churn_run.run_id = churn_scores.run_id
),

clv_scores as (
    select
        clv_scores.customer_id,
        clv_scores.probability_alive,
        clv_scores.expected_purchases_90d,
        clv_scores.expected_purchases_365d,
        clv_scores.expected_order_value,
        clv_scores.clv_12m
    from ml.clv_scores
    inner join latest_clv_run on latest_clv_run.run_id = clv_scores.run_id
),

final as (
    select
        coalesce(churn_scores.customer_id, clv_scores.customer_id) as customer_id,
        churn_scores.churn_probability,
        churn_scores.risk_tier,
        clv_scores.probability_alive,
        clv_scores.expected_purchases_90d,
        clv_scores.expected_purchases_365d,
        clv_scores.expected_order_value,
        clv_scores.clv_12m
    from churn_scores
    full join clv_scores on clv_scores.customer_id = churn_scores.customer_id
)

select * from final
;
comment on view analytics.customer_scores is 'One row per customer scored by the latest successful churn or CLV run: churn probability and risk tier, BG/NBD probability alive, expected purchases, expected order value and 12-month CLV (null where a model has not scored the customer).';
comment on column analytics.customer_scores.customer_id is 'Customer (analytics.customer_summary).';
comment on column analytics.customer_scores.churn_probability is 'Calibrated probability of no order in the next 90 days.';
comment on column analytics.customer_scores.risk_tier is 'low, medium or high churn risk.';
comment on column analytics.customer_scores.probability_alive is 'BG/NBD probability the customer is still active.';
comment on column analytics.customer_scores.expected_purchases_90d is 'Expected transactions in the next 90 days.';
comment on column analytics.customer_scores.expected_purchases_365d is 'Expected transactions in the next 365 days.';
comment on column analytics.customer_scores.expected_order_value is 'Gamma-Gamma expected average order value.';
comment on column analytics.customer_scores.clv_12m is 'Discounted 12-month customer lifetime value.';
