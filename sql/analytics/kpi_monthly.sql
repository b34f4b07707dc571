-- One row per local calendar month: the sales KPIs, with month-over-month and year-over-year
-- growth. Cancelled orders are excluded throughout.
with

sales as (
    -- (a date is truncated as a timestamp: date_trunc would otherwise take it as a timestamptz,
    -- through the session's time zone, several times slower)
    select
        date_trunc('month', order_date::timestamp)::date as month,
        sum(units) as units,
        sum(gross_revenue) as gross_revenue,
        sum(discounts) as discounts,
        sum(refunds) as refunds,
        sum(net_revenue) as net_revenue,
        sum(cogs) as cogs,
        sum(gross_profit) as gross_profit,
        sum(shipping_fees) as shipping_fees
    from analytics.sales_daily
    where status <> 'cancelled'
    group by 1
),

order_counts as (
    select
        date_trunc('month', order_date::timestamp)::date as month,
        sum(orders) as orders,
        sum(new_customers) as new_customers
    from analytics.orders_daily
    where status <> 'cancelled'
    group by 1
),

active_customers as (
    -- the customers with an order in a month are the month's orders whose customer's previous
    -- order (not cancelled) was before the month, or who had none: one order each, their first
    -- in the month (see active_customer_days). A few hundred thousand rows of day pairs, not a
    -- distinct count over every order (at 10M orders, 1 s against 7.6 s)
    select
        date_trunc('month', order_date::timestamp)::date as month,
        (sum(orders) filter (
            where previous_order_date is null
                or previous_order_date < date_trunc('month', order_date::timestamp)::date
        ))::bigint as customers
    from analytics.active_customer_days
    group by 1
),

months as (
    select generate_series(min(month), max(month), interval '1 month')::date as month
    from order_counts
),

monthly as (
    select
        months.month,
        coalesce(order_counts.orders, 0) as orders,
        coalesce(sales.units, 0) as units,
        coalesce(sales.gross_revenue, 0) as gross_revenue,
        coalesce(sales.discounts, 0) as discounts,
        coalesce(sales.refunds, 0) as refunds,
        coalesce(sales.net_revenue, 0) as net_revenue,
        coalesce(sales.cogs, 0) as cogs,
        coalesce(sales.gross_profit, 0) as gross_profit,
        coalesce(sales.shipping_fees, 0) as shipping_fees,
        coalesce(active_customers.customers, 0) as customers,
        coalesce(order_counts.new_customers, 0) as new_customers
    from months
    left join sales on sales.month = months.month
    left join order_counts on order_counts.month = months.month
    left join active_customers on active_customers.month = months.month
),

final as (
    select
        month,
        orders,
        units,
        gross_revenue,
        discounts,
        refunds,
        net_revenue,
        cogs,
        gross_profit,
        gross_profit / nullif(net_revenue, 0) as gross_margin,
        net_revenue / nullif(orders, 0) as average_order_value,
        shipping_fees,
        customers,
        new_customers,
        customers - new_customers as returning_customers,
        net_revenue / nullif(lag(net_revenue) over (order by month), 0) - 1
            as net_revenue_mom_growth,
        net_revenue / nullif(lag(net_revenue, 12) over (order by month), 0) - 1
            as net_revenue_yoy_growth,
        orders::numeric / nullif(lag(orders) over (order by month), 0) - 1 as orders_mom_growth,
        orders::numeric / nullif(lag(orders, 12) over (order by month), 0) - 1
            as orders_yoy_growth
    from monthly
)

select * from final
;
create unique index on mart.kpi_monthly (month);
comment on view analytics.kpi_monthly is 'One row per local calendar month (SALESDW_TIMEZONE): sales KPIs with month-over-month and year-over-year growth. Cancelled orders excluded.';
comment on column analytics.kpi_monthly.month is 'First day of the month.';
comment on column analytics.kpi_monthly.orders is 'Orders not cancelled.';
comment on column analytics.kpi_monthly.units is 'Units ordered.';
comment on column analytics.kpi_monthly.gross_revenue is 'Gross revenue: sum of quantity x unit price.';
comment on column analytics.kpi_monthly.discounts is 'Line plus order discounts.';
comment on column analytics.kpi_monthly.refunds is 'Money refunded.';
comment on column analytics.kpi_monthly.net_revenue is 'Net revenue = gross revenue - discounts - refunds (shipping not included).';
comment on column analytics.kpi_monthly.cogs is 'Cost of goods sold: (quantity - returned quantity) x unit cost.';
comment on column analytics.kpi_monthly.gross_profit is 'Gross profit = net revenue - COGS.';
comment on column analytics.kpi_monthly.gross_margin is 'Gross profit / net revenue.';
comment on column analytics.kpi_monthly.average_order_value is 'Average order value = net revenue / orders.';
comment on column analytics.kpi_monthly.shipping_fees is 'Shipping charged to customers, apart from revenue.';
comment on column analytics.kpi_monthly.customers is 'Distinct customers with an order that month.';
comment on column analytics.kpi_monthly.new_customers is 'Customers whose first order (not cancelled) fell in the month.';
comment on column analytics.kpi_monthly.returning_customers is 'Customers with an order that month who had ordered before.';
comment on column analytics.kpi_monthly.net_revenue_mom_growth is 'Net revenue against the previous month: 0.1 = +10%; null without a base.';
comment on column analytics.kpi_monthly.net_revenue_yoy_growth is 'Net revenue against the same month a year before.';
comment on column analytics.kpi_monthly.orders_mom_growth is 'Orders against the previous month.';
comment on column analytics.kpi_monthly.orders_yoy_growth is 'Orders against the same month a year before.';
