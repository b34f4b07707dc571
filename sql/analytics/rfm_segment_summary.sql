-- One row per RFM segment: how many customers it holds, what they are worth, and what to do.
with

customer_rfm as (
    select
        segment,
        recency_days,
        frequency,
        monetary
    from analytics.customer_rfm
),

segments as (
    select distinct on (segment)
        segment,
        description,
        suggested_action
    from mart.rfm_segment_map
    order by segment
),

per_segment as (
    select
        segment,
        count(*) as customers,
        avg(recency_days) as average_recency_days,
        avg(frequency) as average_frequency,
        avg(monetary) as average_monetary,
        sum(monetary) as net_revenue
    from customer_rfm
    group by 1
),

final as (
    select
        segments.segment,
        segments.description,
        segments.suggested_action,
        coalesce(per_segment.customers, 0) as customers,
        coalesce(per_segment.customers, 0)::numeric
            / nullif(sum(per_segment.customers) over (), 0) as customer_share,
        per_segment.average_recency_days,
        per_segment.average_frequency,
        per_segment.average_monetary,
        coalesce(per_segment.net_revenue, 0) as net_revenue,
        per_segment.net_revenue / nullif(sum(per_segment.net_revenue) over (), 0) as revenue_share
    from segments
    left join per_segment on per_segment.segment = segments.segment
)

select * from final
;
create unique index on mart.rfm_segment_summary (segment);
comment on view analytics.rfm_segment_summary is 'One row per RFM segment: customers, their share, average recency, frequency and value, revenue and its share, with the segment''s description and suggested action.';
comment on column analytics.rfm_segment_summary.segment is 'Segment name (analytics.rfm_segments).';
comment on column analytics.rfm_segment_summary.description is 'Who the segment''s customers are.';
comment on column analytics.rfm_segment_summary.suggested_action is 'What marketing can do for them.';
comment on column analytics.rfm_segment_summary.customers is 'Customers in the segment.';
comment on column analytics.rfm_segment_summary.customer_share is 'Share of all scored customers.';
comment on column analytics.rfm_segment_summary.average_recency_days is 'Average days since the latest order.';
comment on column analytics.rfm_segment_summary.average_frequency is 'Average orders per customer.';
comment on column analytics.rfm_segment_summary.average_monetary is 'Average net revenue per customer.';
comment on column analytics.rfm_segment_summary.net_revenue is 'Net revenue of the segment''s customers, all time.';
comment on column analytics.rfm_segment_summary.revenue_share is 'Share of all scored customers'' net revenue.';
