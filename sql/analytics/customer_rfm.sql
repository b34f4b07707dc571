-- One row per customer with an order: recency, frequency and monetary value, their scores 1-5
-- and the segment the (R, F, M) combination maps to in mart.rfm_segment_map
-- (seeds/rfm_segments.csv). Score = 1 + floor(5 x share of customers strictly worse): equal
-- values always get equal scores, and the worst value always scores 1 (NTILE would split ties
-- arbitrarily; a cumulative share would lift a big tie, such as one-order customers, to 2).
-- Recency and frequency take a few thousand distinct values, so the customers strictly worse
-- are counted per value, not by sorting every customer; the scores are integer arithmetic
-- (numeric division per customer cost more than the sorts).
with

customer_summary as (
    select
        customer_id,
        days_since_last_order as recency_days,
        orders as frequency,
        net_revenue as monetary
    from analytics.customer_summary
    where orders > 0
),

customer_count as (
    select count(*) as customers from customer_summary
),

recency_ranks as (
    -- per recency (days since the last order: never null for a customer with an order), the
    -- customers whose last order is older
    select
        recency_days,
        (sum(count(*)) over (order by recency_days desc))::bigint - count(*) as older
    from customer_summary
    group by recency_days
),

frequency_ranks as (
    select
        frequency,
        (sum(count(*)) over (order by frequency))::bigint - count(*) as fewer_orders
    from customer_summary
    group by frequency
),

monetary_ranks as (
    -- customers strictly worse: rank() gives ties the same, lowest rank
    select
        customer_id,
        recency_days,
        frequency,
        monetary,
        rank() over (order by monetary) - 1 as lower_revenue
    from customer_summary
),

scored as (
    -- 1 + floor(5 x worse / customers), in integers (all of them non-negative)
    select
        monetary_ranks.customer_id,
        monetary_ranks.recency_days,
        monetary_ranks.frequency,
        monetary_ranks.monetary,
        (1 + 5 * recency_ranks.older / customer_count.customers)::smallint as r_score,
        (1 + 5 * frequency_ranks.fewer_orders / customer_count.customers)::smallint as f_score,
        (1 + 5 * monetary_ranks.lower_revenue / customer_count.customers)::smallint as m_score
    from monetary_ranks
    cross join customer_count
    inner join recency_ranks on recency_ranks.recency_days = monetary_ranks.recency_days
    inner join frequency_ranks on frequency_ranks.frequency = monetary_ranks.frequency
),

segment_map as (
    select
        r_score,
        f_score,
        m_score,
        segment
    from mart.rfm_segment_map
),

final as (
    select
        scored.customer_id,
        scored.recency_days,
        scored.frequency,
        scored.monetary,
        scored.r_score,
        scored.f_score,
        scored.m_score,
        scored.r_score::text || scored.f_score::text || scored.m_score::text as rfm_cell,
        segment_map.segment
    from scored
    left join segment_map
        on segment_map.r_score = scored.r_score
        and segment_map.f_score = scored.f_score
        and segment_map.m_score = scored.m_score
)

select * from final
;
create unique index on mart.customer_rfm (customer_id);
comment on view analytics.customer_rfm is 'One row per customer with at least one order: RFM values, scores 1-5 (5 best; equal values get equal scores; the worst value scores 1) and segment from analytics.rfm_segments.';
comment on column analytics.customer_rfm.customer_id is 'Customer (analytics.customer_summary).';
comment on column analytics.customer_rfm.recency_days is 'Days since the latest order, as of the day after the latest order in the warehouse.';
comment on column analytics.customer_rfm.frequency is 'Orders not cancelled.';
comment on column analytics.customer_rfm.monetary is 'Net revenue of those orders.';
comment on column analytics.customer_rfm.r_score is 'Recency score 1-5: 1 + floor(5 x share of customers whose last order is older); 5 = most recent.';
comment on column analytics.customer_rfm.f_score is 'Frequency score 1-5: 1 + floor(5 x share of customers with fewer orders); 5 = most orders.';
comment on column analytics.customer_rfm.m_score is 'Monetary score 1-5: 1 + floor(5 x share of customers with less net revenue); 5 = highest.';
comment on column analytics.customer_rfm.rfm_cell is 'The three scores as text, e.g. 545.';
comment on column analytics.customer_rfm.segment is 'Named segment of the (R, F, M) combination.';
