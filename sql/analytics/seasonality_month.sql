-- One row per month of the year (1 = January .. 12), all 12 present: orders and net revenue in
-- that month over all years, per year with orders in it, and indexed against the average
-- month. Local months (SALESDW_TIMEZONE). Cancelled orders are excluded; net revenue is
-- sales_daily's: quantity x unit price - line discounts - refunds - the lines' share of order
-- discounts.
with

sales_daily as (
    select
        order_date,
        net_revenue
    from analytics.sales_daily
    where status <> 'cancelled'
),

orders_daily as (
    select
        order_date,
        orders
    from analytics.orders_daily
    where status <> 'cancelled'
),

month_sales as (
    select
        extract(month from order_date)::integer as month_of_year,
        sum(net_revenue) as net_revenue
    from sales_daily
    group by 1
),

month_orders as (
    select
        extract(month from order_date)::integer as month_of_year,
        sum(orders) as orders,
        count(distinct extract(year from order_date)) as years_covered
    from orders_daily
    group by 1
),

months_of_year as (
    select month_of_year
    from generate_series(1, 12) as months (month_of_year)
),

per_month as (
    select
        months_of_year.month_of_year,
        coalesce(month_orders.orders, 0) as orders,
        coalesce(month_sales.net_revenue, 0) as net_revenue,
        coalesce(month_orders.years_covered, 0) as years_covered,
        coalesce(month_sales.net_revenue, 0) / nullif(month_orders.years_covered, 0)
            as average_net_revenue_per_year
    from months_of_year
    left join month_orders on month_orders.month_of_year = months_of_year.month_of_year
    left join month_sales on month_sales.month_of_year = months_of_year.month_of_year
),

final as (
    select
        month_of_year,
        to_char(make_date(2000, month_of_year, 1), 'FMMonth') as month_name,
        orders,
        net_revenue,
        years_covered,
        average_net_revenue_per_year,
        average_net_revenue_per_year
        / nullif(avg(average_net_revenue_per_year) over (), 0) as index_vs_average
    from per_month
)

select * from final
;
create unique index on mart.seasonality_month (month_of_year);
comment on view analytics.seasonality_month is 'One row per month of the year, all 12 present: orders not cancelled and net revenue in that local month over all years, per year covered, and indexed against the average month.';
comment on column analytics.seasonality_month.month_of_year is 'Month of the year in SALESDW_TIMEZONE: 1 = January .. 12 = December.';
comment on column analytics.seasonality_month.month_name is 'English name of the month, e.g. January.';
comment on column analytics.seasonality_month.orders is 'Orders not cancelled placed in this month of any year.';
comment on column analytics.seasonality_month.net_revenue is 'Net revenue of those orders: gross - line and order discounts - refunds (shipping not included).';
comment on column analytics.seasonality_month.years_covered is 'Distinct years with an order not cancelled in this month.';
comment on column analytics.seasonality_month.average_net_revenue_per_year is 'net_revenue / years_covered; null when no year has orders in this month.';
comment on column analytics.seasonality_month.index_vs_average is 'average_net_revenue_per_year / its mean over the months that have one: 1.2 = 20% above the average month.';
