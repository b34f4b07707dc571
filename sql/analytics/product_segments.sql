-- One row per product segmented by the latest successful product-segment run (plain view over
-- ml.product_segments).
with

latest_run as (
    select run_id
    from ml.model_runs
    where model_kind = 'product_segments' and status = 'succeeded'
    order by trained_at desc, run_id desc
    limit 1
),

product_segments as (
    select
        run_id,
        product_id,
        segment_name
    from ml.product_segments
),

final as (
    select product_segments.*
    from product_segments
    inner join latest_run on latest_run.run_id = product_segments.run_id
)

select * from final
;
comment on view analytics.product_segments is 'One row per product segmented by the latest successful run, by revenue and purchase frequency.';
comment on column analytics.product_segments.run_id is 'The run (ml.model_runs).';
comment on column analytics.product_segments.product_id is 'Product (analytics.product_performance).';
comment on column analytics.product_segments.segment_name is 'star, premium, volume or low performer.';
