-- One row per month and marketing channel, every channel of core.marketing_channels in every
-- month from the first to the last month with orders, web traffic or spend: sessions, the
-- orders and net revenue of the channel's customers, spend, new customers, CAC and ROAS.
-- Attribution is first touch: an order belongs to the channel that acquired its customer
-- (core.customers.acquisition_channel), whatever brought the visit. Cancelled orders are
-- excluded; an order's net revenue is sum(quantity x unit price - line discount - refund) of
-- its lines - the order's discount. Months of orders are local (SALESDW_TIMEZONE); traffic and
-- spend are dated by calendar day as recorded.
with

marketing_channels as (
    select
        channel,
        name,
        is_paid
    from core.marketing_channels
),

order_facts as (
    select
        customer_id,
        date_trunc('month', order_date)::date as month,
        net_revenue_cents
    from mart.order_facts
    where status <> 'cancelled'
),

customer_summary as (
    -- one row per customer: the channel that acquired them and their first order not cancelled
    select
        customer_id,
        acquisition_channel as channel,
        date_trunc('month', (first_order_at at time zone coalesce(
            nullif(current_setting('salesdw.timezone', true), ''), 'UTC'
        )))::date as first_order_month
    from analytics.customer_summary
),

web_traffic as (
    select
        date_trunc('month', traffic_date)::date as month,
        channel,
        sum(sessions) as sessions
    from core.web_traffic
    group by 1, 2
),

marketing_spend as (
    select
        date_trunc('month', spend_date)::date as month,
        channel,
        sum(amount) as spend
    from core.marketing_spend
    group by 1, 2
),

attributed_orders as (
    -- each order to the channel that acquired its customer (a hash join on the customers), then
    -- per month: at 10M orders, twice as fast as adding up per customer and month first
    select
        order_facts.month,
        customer_summary.channel,
        count(*) as orders,
        sum(order_facts.net_revenue_cents) * 0.01 as net_revenue
    from order_facts
    inner join customer_summary on customer_summary.customer_id = order_facts.customer_id
    group by 1, 2
),

acquisitions as (
    select
        first_order_month as month,
        channel,
        count(*) as new_customers
    from customer_summary
    where first_order_month is not null
    group by 1, 2
),

active_months as (
    select month from attributed_orders
    union all
    select month from web_traffic
    union all
    select month from marketing_spend
),

months as (
    select generate_series(min(month), max(month), interval '1 month')::date as month
    from active_months
),

monthly as (
    select
        months.month,
        marketing_channels.channel,
        marketing_channels.name as channel_name,
        marketing_channels.is_paid,
        coalesce(web_traffic.sessions, 0) as sessions,
        coalesce(attributed_orders.orders, 0) as orders,
        coalesce(marketing_spend.spend, 0) as spend,
        coalesce(acquisitions.new_customers, 0) as new_customers,
        coalesce(attributed_orders.net_revenue, 0) as net_revenue
    from months
    cross join marketing_channels
    left join web_traffic
        on web_traffic.month = months.month
        and web_traffic.channel = marketing_channels.channel
    left join attributed_orders
        on attributed_orders.month = months.month
        and attributed_orders.channel = marketing_channels.channel
    left join marketing_spend
        on marketing_spend.month = months.month
        and marketing_spend.channel = marketing_channels.channel
    left join acquisitions
        on acquisitions.month = months.month
        and acquisitions.channel = marketing_channels.channel
),

final as (
    select
        month,
        channel,
        channel_name,
        is_paid,
        sessions,
        orders,
        orders::numeric / nullif(sessions, 0) as conversion_rate,
        spend,
        new_customers,
        case
            when not is_paid and spend = 0 then null
            else spend / nullif(new_customers, 0)
        end as cac,
        net_revenue,
        net_revenue / nullif(spend, 0) as roas
    from monthly
)

select * from final
;
create unique index on mart.channel_performance (month, channel);
comment on view analytics.channel_performance is 'One row per month and marketing channel (first-touch attribution: an order belongs to the channel that acquired its customer): sessions, orders, conversion, spend, new customers, CAC, net revenue and ROAS. Every channel in every month from the first to the last month with orders, traffic or spend. Cancelled orders excluded.';
comment on column analytics.channel_performance.month is 'First day of the month; local months (SALESDW_TIMEZONE) for orders, calendar months of the recorded days for traffic and spend.';
comment on column analytics.channel_performance.channel is 'Marketing channel code (core.marketing_channels), e.g. paid_search.';
comment on column analytics.channel_performance.channel_name is 'Display name of the channel.';
comment on column analytics.channel_performance.is_paid is 'True when the channel costs money (its spend counts toward CAC).';
comment on column analytics.channel_performance.sessions is 'Web and app sessions from the channel (core.web_traffic).';
comment on column analytics.channel_performance.orders is 'Orders not cancelled placed by customers the channel acquired (first-touch attribution).';
comment on column analytics.channel_performance.conversion_rate is 'orders / sessions; null without sessions.';
comment on column analytics.channel_performance.spend is 'Advertising spend on the channel (core.marketing_spend).';
comment on column analytics.channel_performance.new_customers is 'Customers acquired through the channel whose first order not cancelled fell in the month.';
comment on column analytics.channel_performance.cac is 'Customer acquisition cost = spend / new_customers; null without new customers, or for an unpaid channel without spend.';
comment on column analytics.channel_performance.net_revenue is 'Net revenue of the attributed orders: gross - line and order discounts - refunds (shipping not included).';
comment on column analytics.channel_performance.roas is 'Return on ad spend = net_revenue / spend; null without spend.';
