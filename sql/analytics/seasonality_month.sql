-- One row per month of the year (1 = January .. 12), all 12 present: orders and net revenue in
-- that month over all years, per day the history covers in it, and indexed against the average
-- month. Per day, not per year: a history that does not span whole years (three years from one
-- December 7th to another hold 93 December days but 4 Decembers) would otherwise understate
-- the months it only touches. Local months (SALESDW_TIMEZONE). Cancelled orders are excluded;
-- net revenue is sales_daily's: quantity x unit price - line discounts - refunds - the lines'
-- share of order discounts.
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
        sum(orders) as orders
    from orders_daily
    group by 1
),

history as (
    -- every day from the first order to the last, days without orders too
    select generate_series(min(order_date), max(order_date), interval '1 day')::date as day
    from orders_daily
),

month_days as (
    select
        extract(month from day)::integer as month_of_year,
        count(*) as days_covered
    from history
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
        coalesce(month_days.days_covered, 0) as days_covered,
        coalesce(month_sales.net_revenue, 0) / nullif(month_days.days_covered, 0)
            as net_revenue_per_day
    from months_of_year
    left join month_orders on month_orders.month_of_year = months_of_year.month_of_year
    left join month_sales on month_sales.month_of_year = months_of_year.month_of_year
    left join month_days on month_days.month_of_year = months_of_year.month_of_year
),

final as (
    select
        month_of_year,
        to_char(make_date(2000, month_of_year, 1), 'FMMonth') as month_name,
        orders,
        net_revenue,
        days_covered,
        net_revenue_per_day,
        net_revenue_per_day / nullif(avg(net_revenue_per_day) over (), 0) as index_vs_average
    from per_month
)

select * from final
;
create unique index on mart.seasonality_month (month_of_year);
comment on view analytics.seasonality_month is 'One row per month of the year, all 12 present: orders not cancelled and net revenue in that local month over all years, per day of the history in it, and indexed against the average month.';
comment on column analytics.seasonality_month.month_of_year is 'Month of the year in SALESDW_TIMEZONE: 1 = January .. 12 = December.';
comment on column analytics.seasonality_month.month_name is 'English name of the month, e.g. January.';
comment on column analytics.seasonality_month.orders is 'Orders not cancelled placed in this month of any year.';
comment on column analytics.seasonality_month.net_revenue is 'Net revenue of those orders: gross - line and order discounts - refunds (shipping not included).';
comment on column analytics.seasonality_month.days_covered is 'Days of this month of the year from the first order to the last (days without orders too).';
comment on column analytics.seasonality_month.net_revenue_per_day is 'net_revenue / days_covered; null when the history covers no day of this month.';
comment on column analytics.seasonality_month.index_vs_average is 'net_revenue_per_day / its mean over the months that have one: 1.2 = 20% above the average month.';
