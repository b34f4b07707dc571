-- One row per customer clustered by the latest successful customer-segment run (plain view over
-- ml.customer_segments): cluster and its plain-words name.
with

latest_run as (
    select run_id
    from ml.model_runs
    where model_kind = 'customer_segments' and status = 'succeeded'
    order by trained_at desc, run_id desc
    limit 1
),

customer_segments as (
    select
        run_id,
        customer_id,
        cluster,
        segment_name
    from ml.customer_segments
),

final as (
    select customer_segments.*
    from customer_segments
    inner join latest_run on latest_run.run_id = customer_segments.run_id
)

select * from final
;
comment on view analytics.customer_segments is 'One row per customer clustered by the latest successful run (k-means on standardised log RFM and behaviour): cluster and its name.';
comment on column analytics.customer_segments.run_id is 'The run (ml.model_runs).';
comment on column analytics.customer_segments.customer_id is 'Customer (analytics.customer_summary).';
comment on column analytics.customer_segments.cluster is 'Cluster number.';
comment on column analytics.customer_segments.segment_name is 'Cluster named from its centroid, in plain words.';
