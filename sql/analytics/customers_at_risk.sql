-- One row per customer of the value-at-risk list of the latest successful churn and CLV runs
-- (plain view over ml.customers_at_risk): the customers the shop expects to lose the most
-- value with, churn probability x 12-month CLV, ranked. Written when either run succeeds, as
-- ranking every scored customer takes seconds at scale; the dashboard reads the top of it.
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

customers_at_risk as (
    select
        churn_run_id,
        clv_run_id,
        risk_rank,
        customer_id,
        value_at_risk,
        churn_probability,
        clv_12m,
        risk_tier,
        probability_alive
    from ml.customers_at_risk
),

final as (
    -- the list of the latest pair of runs, none if the latest CLV run is newer than the list
    select customers_at_risk.*
    from customers_at_risk
    inner join latest_churn_run on latest_churn_run.run_id = customers_at_risk.churn_run_id
    left join latest_clv_run on true
    where customers_at_risk.clv_run_id is not distinct from latest_clv_run.run_id
)

select * from final
;
comment on view analytics.customers_at_risk is 'One row per customer of the value-at-risk list of the latest successful churn and CLV runs (the top 1,000): churn probability x 12-month CLV, ranked; customers without a CLV score rank after those with one, by churn probability.';
comment on column analytics.customers_at_risk.churn_run_id is 'The churn run (ml.model_runs).';
comment on column analytics.customers_at_risk.clv_run_id is 'The CLV run (ml.model_runs); null when no CLV run had succeeded.';
comment on column analytics.customers_at_risk.risk_rank is 'Rank, 1 = most value at risk.';
comment on column analytics.customers_at_risk.customer_id is 'Customer (analytics.customer_summary).';
comment on column analytics.customers_at_risk.value_at_risk is 'Churn probability x 12-month CLV: the value the shop expects to lose; null without a CLV score.';
comment on column analytics.customers_at_risk.churn_probability is 'Calibrated probability of no order in the next 90 days.';
comment on column analytics.customers_at_risk.clv_12m is 'Discounted 12-month customer lifetime value.';
comment on column analytics.customers_at_risk.risk_tier is 'low, medium or high churn risk.';
comment on column analytics.customers_at_risk.probability_alive is 'BG/NBD probability the customer is still active.';
