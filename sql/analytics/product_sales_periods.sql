-- One row per calendar period and product with sales in it: the period is a local day, ISO week
-- (Monday to Sunday), month or year (SALESDW_TIMEZONE), named by period_grain and its first day.
-- The same measures at four grains let a date range be tiled by whole periods (years, then
-- months, weeks and days at the edges), so a product ranking over any range reads a few
-- thousand rows per product rather than every day. Orders not cancelled only; the measures are
-- product_performance's: net revenue of a line = quantity x unit price - line discount - refund
-- - its share of the order discount (in whole cents, by line value; see order_line_facts);
-- COGS = (quantity - returned quantity) x unit cost. Every measure is additive over periods (an
-- order falls on one day), so the lines are added up once, into days, and the weeks and months
-- are added up from the days and the years from the months: far fewer rows than the lines.
with

order_line_facts as (
    select
        order_date,
        product_id,
        is_first_product_line,
        units,
        units_returned,
        gross_revenue_cents,
        net_revenue_cents,
        cogs_cents
    from mart.order_line_facts
    where status <> 'cancelled'
),

days as (
    -- the one pass over the lines
    select
        order_date as period_start,
        product_id,
        sum(units)::bigint as units,
        sum(units_returned)::bigint as units_returned,
        count(*) filter (where is_first_product_line) as orders,
        sum(gross_revenue_cents)::bigint as gross_revenue_cents,
        sum(net_revenue_cents)::bigint as net_revenue_cents,
        sum(cogs_cents)::bigint as cogs_cents
    from order_line_facts
    group by order_date, product_id
),

weeks_and_months as (
    -- (a date is truncated as a timestamp: date_trunc would otherwise take it as a timestamptz,
    -- through the session's time zone, several times slower)
    select
        case when grouping(week_start) = 0 then 'week' else 'month' end as period_grain,
        coalesce(week_start, month_start) as period_start,
        product_id,
        sum(units)::bigint as units,
        sum(units_returned)::bigint as units_returned,
        sum(orders)::bigint as orders,
        sum(gross_revenue_cents)::bigint as gross_revenue_cents,
        sum(net_revenue_cents)::bigint as net_revenue_cents,
        sum(cogs_cents)::bigint as cogs_cents
    from (
        select
            *,
            date_trunc('week', period_start::timestamp)::date as week_start,
            date_trunc('month', period_start::timestamp)::date as month_start
        from days
    ) as dated_days
    group by grouping sets ((week_start, product_id), (month_start, product_id))
),

years as (
    select
        'year' as period_grain,
        date_trunc('year', period_start::timestamp)::date as period_start,
        product_id,
        sum(units)::bigint as units,
        sum(units_returned)::bigint as units_returned,
        sum(orders)::bigint as orders,
        sum(gross_revenue_cents)::bigint as gross_revenue_cents,
        sum(net_revenue_cents)::bigint as net_revenue_cents,
        sum(cogs_cents)::bigint as cogs_cents
    from weeks_and_months
    where period_grain = 'month'
    group by 2, product_id
),

periods as (
    select 'day' as period_grain, * from days
    union all
    select * from weeks_and_months
    union all
    select * from years
),

final as (
    select
        period_grain,
        period_start,
        product_id,
        units,
        units_returned,
        orders,
        -- cents back to currency: x 0.01 keeps two decimals, exactly
        gross_revenue_cents * 0.01 as gross_revenue,
        net_revenue_cents * 0.01 as net_revenue,
        cogs_cents * 0.01 as cogs,
        (net_revenue_cents - cogs_cents) * 0.01 as gross_profit
    from periods
    -- stored in the order of the index the services read by, so the rows of a period lie
    -- together on a few pages rather than each on its own
    order by period_start, period_grain, product_id
)

select * from final
;
create unique index on mart.product_sales_periods (period_start, period_grain, product_id);
comment on view analytics.product_sales_periods is 'One row per calendar period (period_grain day, week, month or year, local to SALESDW_TIMEZONE) and product with sales in it, orders not cancelled. To total a date range, add up whole periods that tile it, each day counted once (the services do this); do not add grains together.';
comment on column analytics.product_sales_periods.period_grain is 'day, week (ISO, Monday to Sunday), month or year.';
comment on column analytics.product_sales_periods.period_start is 'First local day of the period.';
comment on column analytics.product_sales_periods.product_id is 'Product (analytics.product_performance).';
comment on column analytics.product_sales_periods.units is 'Units ordered.';
comment on column analytics.product_sales_periods.units_returned is 'Units of those returned.';
comment on column analytics.product_sales_periods.orders is 'Orders with the product (an order with two lines of it counts once).';
comment on column analytics.product_sales_periods.gross_revenue is 'Gross revenue = quantity x unit price.';
comment on column analytics.product_sales_periods.net_revenue is 'Net revenue = gross revenue - line discounts - refunds - the lines'' share of order discounts (by line value); shipping not included.';
comment on column analytics.product_sales_periods.cogs is 'Cost of goods sold = (quantity - returned quantity) x unit cost.';
comment on column analytics.product_sales_periods.gross_profit is 'Gross profit = net revenue - COGS.';
