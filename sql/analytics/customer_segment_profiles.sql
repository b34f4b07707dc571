-- One row per behavioural cluster of the latest successful customer-segment run (plain view
-- over ml.customer_segment_profiles): its customers and their averages as of the training,
-- from analytics.customer_summary. Written with the run's clusters.
with

latest_run as (
    select run_id
    from ml.model_runs
    where model_kind = 'customer_segments' and status = 'succeeded'
    order by trained_at desc, run_id desc
    limit 1
),

customer_segment_profiles as (
    select
        run_id,
        segment_name,
        customers,
        average_orders,
        average_net_revenue,
        average_days_since_last_order,
        net_revenue
    from ml.customer_segment_profiles
),

final as (
    select customer_segment_profiles.*
    from customer_segment_profiles
    inner join latest_run on latest_run.run_id = customer_segment_profiles.run_id
)

select * from final
;
comment on view analytics.customer_segment_profiles is 'One row per behavioural cluster of the latest successful customer-segment run: its customers, their average orders, net revenue and days since the last order, and their net revenue, as of the training.';
comment on column analytics.customer_segment_profiles.run_id is 'The run (ml.model_runs).';
comment on column analytics.customer_segment_profiles.segment_name is 'Cluster named from its centroid, in plain words.';
comment on column analytics.customer_segment_profiles.customers is 'Customers in the cluster.';
comment on column analytics.customer_segment_profiles.average_orders is 'Their average orders (cancelled excluded).';
comment on column analytics.customer_segment_profiles.average_net_revenue is 'Their average net revenue.';
comment on column analytics.customer_segment_profiles.average_days_since_last_order is 'Their average days since the last order.';
comment on column analytics.customer_segment_profiles.net_revenue is 'Their net revenue.';
