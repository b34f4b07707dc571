-- One row per rollup, calendar period, order status and the rollup's dimensions: the measures of
-- sales_daily added up over ISO weeks, months and years, at four levels of detail, so that a
-- service totals any date range and filter from a few rows per period (the range is tiled by
-- whole years, months, weeks and days; see salesdw/services/periods.py). Money is added up in
-- integer cents, several times faster than numeric, and turned back into currency at the end.
--   rollup 'none':    per status only, every country, channel and category together
--   rollup 'country': per status and shipping country
--   rollup 'channel_category': per status, sales channel and top-level category, every country
--                     together (what a filter on channels or categories alone reads)
--   rollup 'full':    per status, country, channel and top-level category (weeks and up; the
--                     days of this level are sales_daily itself)
with

sales_daily as (
    select
        order_date,
        country_code,
        channel,
        status,
        category_id,
        units,
        units_returned,
        -- to integer cents: adding integers up is several times faster than numeric
        (gross_revenue * 100)::bigint as gross_revenue,
        (discounts * 100)::bigint as discounts,
        (refunds * 100)::bigint as refunds,
        (net_revenue * 100)::bigint as net_revenue,
        (cogs * 100)::bigint as cogs,
        (gross_profit * 100)::bigint as gross_profit,
        (shipping_fees * 100)::bigint as shipping_fees
    from analytics.sales_daily
),

detailed_periods as (
    -- from the days: weeks, months and years at full detail (rollup full), and days, weeks,
    -- months and years of every country together (rollup channel_category)
    select
        case when grouping(country_code) = 0 then 'full' else 'channel_category' end as rollup,
        case
            when grouping(order_date) = 0 then 'day'
            when grouping(week_start) = 0 then 'week'
            when grouping(month_start) = 0 then 'month'
            else 'year'
        end as period_grain,
        coalesce(order_date, week_start, month_start, year_start) as period_start,
        status,
        country_code,
        channel,
        category_id,
        sum(units) as units,
        sum(units_returned) as units_returned,
        sum(gross_revenue) as gross_revenue,
        sum(discounts) as discounts,
        sum(refunds) as refunds,
        sum(net_revenue) as net_revenue,
        sum(cogs) as cogs,
        sum(gross_profit) as gross_profit,
        sum(shipping_fees) as shipping_fees
    from (
        select
            *,
            date_trunc('week', order_date)::date as week_start,
            date_trunc('month', order_date)::date as month_start,
            date_trunc('year', order_date)::date as year_start
        from sales_daily
    ) as days
    group by grouping sets (
        (week_start, status, country_code, channel, category_id),
        (month_start, status, country_code, channel, category_id),
        (year_start, status, country_code, channel, category_id),
        (order_date, status, channel, category_id),
        (week_start, status, channel, category_id),
        (month_start, status, channel, category_id),
        (year_start, status, channel, category_id)
    )
),

country_days as (
    -- days per status and country: what the two smaller rollups are added up from
    select
        order_date,
        date_trunc('week', order_date)::date as week_start,
        date_trunc('month', order_date)::date as month_start,
        date_trunc('year', order_date)::date as year_start,
        status,
        country_code,
        sum(units) as units,
        sum(units_returned) as units_returned,
        sum(gross_revenue) as gross_revenue,
        sum(discounts) as discounts,
        sum(refunds) as refunds,
        sum(net_revenue) as net_revenue,
        sum(cogs) as cogs,
        sum(gross_profit) as gross_profit,
        sum(shipping_fees) as shipping_fees
    from sales_daily
    group by order_date, status, country_code
),

small_periods as (
    select
        case when grouping(country_code) = 0 then 'country' else 'none' end as rollup,
        case
            when grouping(order_date) = 0 then 'day'
            when grouping(week_start) = 0 then 'week'
            when grouping(month_start) = 0 then 'month'
            else 'year'
        end as period_grain,
        coalesce(order_date, week_start, month_start, year_start) as period_start,
        status,
        country_code,
        null::text as channel,
        null::integer as category_id,
        sum(units) as units,
        sum(units_returned) as units_returned,
        sum(gross_revenue) as gross_revenue,
        sum(discounts) as discounts,
        sum(refunds) as refunds,
        sum(net_revenue) as net_revenue,
        sum(cogs) as cogs,
        sum(gross_profit) as gross_profit,
        sum(shipping_fees) as shipping_fees
    from country_days
    group by grouping sets (
        (order_date, status),
        (order_date, status, country_code),
        (week_start, status),
        (week_start, status, country_code),
        (month_start, status),
        (month_start, status, country_code),
        (year_start, status),
        (year_start, status, country_code)
    )
),

periods as (
    select * from detailed_periods
    union all
    select * from small_periods
),

final as (
    select
        rollup,
        period_grain,
        period_start,
        status,
        country_code,
        channel,
        category_id,
        units,
        units_returned,
        -- cents back to currency: x 0.01 keeps two decimals, exactly
        gross_revenue * 0.01 as gross_revenue,
        discounts * 0.01 as discounts,
        refunds * 0.01 as refunds,
        net_revenue * 0.01 as net_revenue,
        cogs * 0.01 as cogs,
        gross_profit * 0.01 as gross_profit,
        shipping_fees * 0.01 as shipping_fees
    from periods
)

select * from final
;
create unique index on mart.sales_periods (rollup, period_grain, period_start, status, country_code, channel, category_id) nulls not distinct;
comment on view analytics.sales_periods is 'One row per rollup (none, country, channel_category or full), calendar period (day, ISO week, month or year, local to SALESDW_TIMEZONE), order status and the rollup''s dimensions: sales_daily''s measures added up, for fast totals over any date range. Total a range by adding whole periods that cover each day once, within one rollup; the full rollup has no days (use sales_daily).';
comment on column analytics.sales_periods.rollup is 'Level of detail: none (status only), country (status and country), channel_category (status, channel and category) or full (status, country, channel and category).';
comment on column analytics.sales_periods.period_grain is 'day, week (ISO, Monday to Sunday), month or year.';
comment on column analytics.sales_periods.period_start is 'First local day of the period.';
comment on column analytics.sales_periods.status is 'Order status.';
comment on column analytics.sales_periods.country_code is 'Shipping country (ISO 3166-1 alpha-2) in rollups country and full; null there when unknown, and null in rollups none and channel_category.';
comment on column analytics.sales_periods.channel is 'Sales channel in rollups channel_category and full; null otherwise.';
comment on column analytics.sales_periods.category_id is 'Top-level category in rollups channel_category and full; null otherwise.';
comment on column analytics.sales_periods.units is 'Units ordered.';
comment on column analytics.sales_periods.units_returned is 'Units returned.';
comment on column analytics.sales_periods.gross_revenue is 'Gross revenue: sum of quantity x unit price.';
comment on column analytics.sales_periods.discounts is 'Line discounts plus the lines'' share of order discounts.';
comment on column analytics.sales_periods.refunds is 'Money refunded.';
comment on column analytics.sales_periods.net_revenue is 'Net revenue = gross revenue - discounts - refunds (shipping not included).';
comment on column analytics.sales_periods.cogs is 'Cost of goods sold: (quantity - returned quantity) x unit cost.';
comment on column analytics.sales_periods.gross_profit is 'Gross profit = net revenue - COGS.';
comment on column analytics.sales_periods.shipping_fees is 'Shipping charged to customers, reported apart from revenue.';
