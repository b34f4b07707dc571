-- One row per product and local day, from the product's first day with sales to the latest day
-- with sales in the warehouse: the product's sales from its first day through that day, orders
-- not cancelled (running totals). A product's sales between days a and b are its row at b
-- minus its row at a - 1 (none: nothing before a), so a ranking of every product over any date
-- range reads two rows per product (see salesdw/services/products.py), not the dozens of
-- periods that tile the range in product_sales_periods. Every day of a product's life has a row,
-- with or without sales, so each lookup is an exact match on the day. The measures are
-- product_sales_periods' (product_performance's definitions), added up from its days.
with

product_days as (
    select
        period_start as sale_day,
        product_id,
        units,
        units_returned,
        orders,
        net_revenue,
        gross_profit
    from analytics.product_sales_periods
    where period_grain = 'day'
),

latest_day as (
    -- one index probe, not a pass over the days
    select max(period_start) as latest_day
    from analytics.product_sales_periods
    where period_grain = 'day'
),

running as (
    -- each day with sales, the totals through it and the last day before the product's next
    -- day with sales (or the latest day): the days its totals hold for
    select
        product_days.product_id,
        product_days.sale_day,
        coalesce(
            lead(product_days.sale_day) over product_history - 1, latest_day.latest_day
        ) as holds_through,
        sum(product_days.units) over product_history as units,
        sum(product_days.units_returned) over product_history as units_returned,
        sum(product_days.orders) over product_history as orders,
        sum(product_days.net_revenue) over product_history as net_revenue,
        sum(product_days.gross_profit) over product_history as gross_profit
    from product_days
    cross join latest_day
    window product_history as (partition by product_days.product_id order by product_days.sale_day)
),

final as (
    select
        running.sale_day + spread.days_after as through_day,
        running.product_id,
        running.units::bigint as units,
        running.units_returned::bigint as units_returned,
        running.orders::bigint as orders,
        running.net_revenue,
        running.gross_profit
    from running
    cross join lateral
        generate_series(0, running.holds_through - running.sale_day) as spread (days_after)
    -- stored in the order of the index the services read by: a day's rows lie together, so the
    -- two days of a range are a few hundred pages
    order by through_day, running.product_id
)

select * from final
;
create unique index on mart.product_sales_running (through_day, product_id);
comment on view analytics.product_sales_running is 'One row per product and local day (SALESDW_TIMEZONE) from the product''s first day with sales to the latest day with sales: its sales from the first day through this one, orders not cancelled. Sales between days a and b = the row at b minus the row at a - 1 (no row: zero); after the latest day, use the latest day''s row.';
comment on column analytics.product_sales_running.through_day is 'The totals are of the local days up to and including this one.';
comment on column analytics.product_sales_running.product_id is 'Product (analytics.product_performance).';
comment on column analytics.product_sales_running.units is 'Units ordered, running total.';
comment on column analytics.product_sales_running.units_returned is 'Units of those returned, running total.';
comment on column analytics.product_sales_running.orders is 'Orders with the product (an order with two lines of it counts once), running total.';
comment on column analytics.product_sales_running.net_revenue is 'Net revenue (gross revenue - discounts - refunds, shipping not included), running total.';
comment on column analytics.product_sales_running.gross_profit is 'Gross profit = net revenue - COGS, running total.';
