-- One row per cohort (local month of the customers' first order that was not cancelled) and
-- month since that first order, from 0 up to the latest month with orders: how many of the
-- cohort ordered again and what they spent. Months without activity are generated, so the
-- heatmap has no holes. Cancelled orders are excluded throughout; an order's net revenue is
-- sum(quantity x unit price - line discount - refund) of its lines - the order's discount.
-- One sort of the orders by customer and month gives every order its cohort and tells the first
-- order of each customer and month; the money is added up in integer cents.
with

order_facts as (
    select
        customer_id,
        date_trunc('month', order_date)::date as order_month,
        net_revenue_cents
    from mart.order_facts
    where status <> 'cancelled'
),

customer_orders as (
    -- each order with its customer's first month (the cohort) and whether it is the customer's
    -- first order of its month: no table of customers' months or first months is joined back
    select
        order_month,
        first_value(order_month) over customer_history as cohort_month,
        order_month is distinct from lag(order_month) over customer_history as opens_month,
        net_revenue_cents
    from order_facts
    window customer_history as (partition by customer_id order by order_month)
),

cohort_activity as (
    select
        cohort_month,
        order_month,
        count(*) filter (where opens_month) as active_customers,
        -- in cents: adding up integers is several times faster than numeric
        sum(net_revenue_cents) * 0.01 as net_revenue
    from customer_orders
    group by 1, 2
),

cohort_sizes as (
    -- every customer is active in the month of their first order
    select
        cohort_month,
        active_customers as cohort_customers
    from cohort_activity
    where order_month = cohort_month
),

last_month as (
    select max(order_month) as last_month from cohort_activity
),

cohort_grid as (
    -- every month from the cohort's first to the latest month in the data
    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_customers,
        months_since_first.months_since_first
    from cohort_sizes
    cross join last_month
    cross join lateral generate_series(
        0,
        ((extract(year from last_month.last_month) - extract(year from cohort_sizes.cohort_month))
            * 12
            + extract(month from last_month.last_month)
            - extract(month from cohort_sizes.cohort_month))::integer
    ) as months_since_first (months_since_first)
),

final as (
    select
        cohort_grid.cohort_month,
        cohort_grid.months_since_first,
        cohort_grid.cohort_customers,
        coalesce(cohort_activity.active_customers, 0) as active_customers,
        coalesce(cohort_activity.active_customers, 0)::numeric
            / cohort_grid.cohort_customers as retention_rate,
        coalesce(cohort_activity.net_revenue, 0) as net_revenue,
        sum(coalesce(cohort_activity.net_revenue, 0)) over (
            partition by cohort_grid.cohort_month order by cohort_grid.months_since_first
        ) / cohort_grid.cohort_customers as cumulative_net_revenue_per_customer
    from cohort_grid
    left join cohort_activity
        on cohort_activity.cohort_month = cohort_grid.cohort_month
        and cohort_activity.order_month
        = (cohort_grid.cohort_month + cohort_grid.months_since_first * interval '1 month')::date
)

select * from final
;
create unique index on mart.cohort_retention (cohort_month, months_since_first);
comment on view analytics.cohort_retention is 'One row per cohort (local month of the customers'' first order not cancelled) and month since that first order, 0 up to the latest month with orders; months without activity are included. Cancelled orders excluded.';
comment on column analytics.cohort_retention.cohort_month is 'First day of the local month (SALESDW_TIMEZONE) of the cohort''s customers'' first order that was not cancelled.';
comment on column analytics.cohort_retention.months_since_first is 'Calendar months since cohort_month: 0 is the cohort month itself.';
comment on column analytics.cohort_retention.cohort_customers is 'Customers whose first order not cancelled fell in cohort_month.';
comment on column analytics.cohort_retention.active_customers is 'Of those, customers with an order not cancelled in this month.';
comment on column analytics.cohort_retention.retention_rate is 'active_customers / cohort_customers: 1 at month 0.';
comment on column analytics.cohort_retention.net_revenue is 'Net revenue of the cohort''s orders (not cancelled) in this month: lines'' quantity x unit price - line discounts - refunds, minus order discounts.';
comment on column analytics.cohort_retention.cumulative_net_revenue_per_customer is 'Net revenue of the cohort from month 0 through this month, divided by cohort_customers.';
