-- One row per customer: their orders (cancelled ones excluded), value and activity, as of the
-- day after the latest order in the warehouse. No names or e-mails.
with

order_facts as (
    select
        customer_id,
        ordered_at,
        order_date,
        units,
        net_revenue_cents
    from mart.order_facts
    where status <> 'cancelled'
),

customers as (
    select
        customer_id,
        country_code,
        acquisition_channel,
        signup_at
    from core.customers
),

customer_orders as (
    select
        customer_id,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(*) as orders,
        sum(units) as units,
        sum(net_revenue_cents) * 0.01 as net_revenue
    from order_facts
    group by 1
),

as_of as (
    select max(order_date) + 1 as as_of_date from order_facts
),

final as (
    select
        customers.customer_id,
        customers.country_code,
        customers.acquisition_channel,
        customers.signup_at,
        customer_orders.first_order_at,
        customer_orders.last_order_at,
        coalesce(customer_orders.orders, 0) as orders,
        coalesce(customer_orders.units, 0) as units,
        coalesce(customer_orders.net_revenue, 0) as net_revenue,
        customer_orders.net_revenue / nullif(customer_orders.orders, 0) as average_order_value,
        customer_orders.last_order_date - customer_orders.first_order_date as tenure_days,
        as_of.as_of_date - customer_orders.last_order_date as days_since_last_order,
        coalesce(
            as_of.as_of_date - customer_orders.last_order_date > coalesce(
                nullif(current_setting('salesdw.churn_days', true), '')::integer, 180
            ),
            false
        ) as is_churned,
        as_of.as_of_date
    from customers
    cross join as_of
    left join customer_orders on customer_orders.customer_id = customers.customer_id
)

select * from final
;
create unique index on mart.customer_summary (customer_id);
comment on view analytics.customer_summary is 'One row per customer: orders (cancelled excluded), units, net revenue and activity as of the day after the latest order in the warehouse. Holds no names or e-mail addresses.';
comment on column analytics.customer_summary.customer_id is 'Customer (core.customers).';
comment on column analytics.customer_summary.country_code is 'Country of residence (ISO alpha-2).';
comment on column analytics.customer_summary.acquisition_channel is 'Marketing channel that brought the customer.';
comment on column analytics.customer_summary.signup_at is 'When the customer registered.';
comment on column analytics.customer_summary.first_order_at is 'First order not cancelled; null for customers without one.';
comment on column analytics.customer_summary.last_order_at is 'Latest order not cancelled.';
comment on column analytics.customer_summary.orders is 'Orders not cancelled.';
comment on column analytics.customer_summary.units is 'Units in those orders.';
comment on column analytics.customer_summary.net_revenue is 'Net revenue of those orders: gross - line and order discounts - refunds.';
comment on column analytics.customer_summary.average_order_value is 'Net revenue / orders.';
comment on column analytics.customer_summary.tenure_days is 'Days from the first to the latest order (local days).';
comment on column analytics.customer_summary.days_since_last_order is 'Days from the latest order to as_of_date.';
comment on column analytics.customer_summary.is_churned is 'True when the customer has ordered but not within SALESDW_CHURN_DAYS (default 180) before as_of_date.';
comment on column analytics.customer_summary.as_of_date is 'The day after the latest order in the warehouse: the date recency and churn are measured at.';
