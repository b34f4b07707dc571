-- One row per warehouse (a single row): the customer base at a glance (customers, buyers,
-- repeat buyers, churned buyers and the averages per buyer), from analytics.customer_summary, as
-- of the day after the latest order. Built once per refresh, so a dashboard reads one row rather
-- than a row per customer.
with

customer_summary as (
    select
        orders,
        net_revenue,
        is_churned,
        as_of_date
    from analytics.customer_summary
),

final as (
    select
        count(*) as customers,
        count(*) filter (where orders > 0) as buyers,
        count(*) filter (where orders > 1) as repeat_buyers,
        count(*) filter (where orders > 1)::numeric
            / nullif(count(*) filter (where orders > 0), 0) as repeat_buyer_share,
        count(*) filter (where is_churned) as churned_buyers,
        count(*) filter (where is_churned)::numeric
            / nullif(count(*) filter (where orders > 0), 0) as churn_rate,
        avg(orders) filter (where orders > 0) as average_orders,
        avg(net_revenue) filter (where orders > 0) as average_net_revenue,
        sum(net_revenue) / nullif(sum(orders), 0) as average_order_value,
        max(as_of_date) as as_of_date
    from customer_summary
)

select * from final
;
create unique index on mart.customer_base (as_of_date) nulls not distinct;
comment on view analytics.customer_base is 'One row per warehouse (a single row): the customer base as of the day after the latest order (analytics.customer_summary added up): customers, buyers, repeat and churned buyers, and averages per buyer. Cancelled orders excluded.';
comment on column analytics.customer_base.customers is 'Customers in core.customers, with or without orders.';
comment on column analytics.customer_base.buyers is 'Customers with at least one order not cancelled.';
comment on column analytics.customer_base.repeat_buyers is 'Buyers with two orders or more.';
comment on column analytics.customer_base.repeat_buyer_share is 'Repeat buyers / buyers (docs/metrics.md); null without buyers.';
comment on column analytics.customer_base.churned_buyers is 'Buyers with no order in the SALESDW_CHURN_DAYS (default 180) days before as_of_date.';
comment on column analytics.customer_base.churn_rate is 'Churned buyers / buyers; null without buyers.';
comment on column analytics.customer_base.average_orders is 'Orders per buyer.';
comment on column analytics.customer_base.average_net_revenue is 'Net revenue per buyer, all time.';
comment on column analytics.customer_base.average_order_value is 'Net revenue / orders, over every buyer.';
comment on column analytics.customer_base.as_of_date is 'The day after the latest order: what recency and churn are measured from; null without orders.';
