-- One row per rollup, calendar period, order status and the rollup's dimensions: the measures of
-- sales_daily added up over ISO weeks, months and years, at six levels of detail, so that a
-- service totals any date range and filter from a few rows per period (the range is tiled by
-- whole years, months, weeks and days; see salesdw/services/periods.py). Money is added up in
-- integer cents, several times faster than numeric, and turned back into currency at the end.
--   rollup 'none':    per status only, every country, channel and category together
--   rollup 'country': per status and shipping country
--   rollup 'channel': per status and sales channel (a filter on channels alone)
--   rollup 'country_channel': per status, country and channel (what a filter on countries
--                     and channels reads when it has no categories)
--   rollup 'channel_category': per status, sales channel and top-level category, every country
--                     together (what a filter on categories reads, with channels or without)
--   rollup 'full':    per status, country, channel and top-level category (weeks and up; the
--                     days of this level are sales_daily itself)
-- Each level is added up from the smallest one below it (days of the smaller rollups from the
-- full days, weeks and months from the days, years from the months): every row is read by as
-- few groupings as possible, which is what the refresh spends its time on.
with

sales_daily as (
    select
        order_date,
        status,
        country_code,
        channel,
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

smaller_days as (
    -- the days of rollups channel_category, country, channel and country_channel, in one pass
    -- over the full days
    select
        case
            when grouping(category_id) = 0 then 'channel_category'
            when grouping(channel) = 1 then 'country'
            when grouping(country_code) = 1 then 'channel'
            else 'country_channel'
        end as rollup,
        order_date,
        status,
        country_code,
        channel,
        category_id,
        sum(units)::bigint as units,
        sum(units_returned)::bigint as units_returned,
        sum(gross_revenue)::bigint as gross_revenue,
        sum(discounts)::bigint as discounts,
        sum(refunds)::bigint as refunds,
        sum(net_revenue)::bigint as net_revenue,
        sum(cogs)::bigint as cogs,
        sum(gross_profit)::bigint as gross_profit,
        sum(shipping_fees)::bigint as shipping_fees
    from sales_daily
    group by grouping sets (
        (order_date, status, channel, category_id),
        (order_date, status, country_code),
        (order_date, status, channel),
        (order_date, status, country_code, channel)
    )
),

days as (
    -- every rollup's days: full (sales_daily itself), the four of smaller_days, and none
    -- from the country days, the smallest level that has them
    select 'full' as rollup, * from sales_daily
    union all
    select * from smaller_days
    union all
    select
        'none' as rollup,
        order_date,
        status,
        null::varchar(2) as country_code,
        null::text as channel,
        null::integer as category_id,
        sum(units)::bigint as units,
        sum(units_returned)::bigint as units_returned,
        sum(gross_revenue)::bigint as gross_revenue,
        sum(discounts)::bigint as discounts,
        sum(refunds)::bigint as refunds,
        sum(net_revenue)::bigint as net_revenue,
        sum(cogs)::bigint as cogs,
        sum(gross_profit)::bigint as gross_profit,
        sum(shipping_fees)::bigint as shipping_fees
    from smaller_days
    where rollup = 'country'
    group by order_date, status
),

weeks_and_months as (
    -- from the days: every rollup's weeks and months, in one pass over the days
    -- (a date is truncated as a timestamp: date_trunc would otherwise take it as a timestamptz,
    -- through the session's time zone, several times slower)
    select
        rollup,
        case when grouping(week_start) = 0 then 'week' else 'month' end as period_grain,
        coalesce(week_start, month_start) as period_start,
        status,
        country_code,
        channel,
        category_id,
        sum(units)::bigint as units,
        sum(units_returned)::bigint as units_returned,
        sum(gross_revenue)::bigint as gross_revenue,
        sum(discounts)::bigint as discounts,
        sum(refunds)::bigint as refunds,
        sum(net_revenue)::bigint as net_revenue,
        sum(cogs)::bigint as cogs,
        sum(gross_profit)::bigint as gross_profit,
        sum(shipping_fees)::bigint as shipping_fees
    from (
        select
            *,
            date_trunc('week', order_date::timestamp)::date as week_start,
            date_trunc('month', order_date::timestamp)::date as month_start
        from days
    ) as dated_days
    group by grouping sets (
        (rollup, week_start, status, country_code, channel, category_id),
        (rollup, month_start, status, country_code, channel, category_id)
    )
),

years as (
    -- from the months
    select
        rollup,
        'year' as period_grain,
        date_trunc('year', period_start::timestamp)::date as period_start,
        status,
        country_code,
        channel,
        category_id,
        sum(units)::bigint as units,
        sum(units_returned)::bigint as units_returned,
        sum(gross_revenue)::bigint as gross_revenue,
        sum(discounts)::bigint as discounts,
        sum(refunds)::bigint as refunds,
        sum(net_revenue)::bigint as net_revenue,
        sum(cogs)::bigint as cogs,
        sum(gross_profit)::bigint as gross_profit,
        sum(shipping_fees)::bigint as shipping_fees
    from weeks_and_months
    where period_grain = 'month'
    group by rollup, 3, status, country_code, channel, category_id
),

periods as (
    select
        rollup,
        'day' as period_grain,
        order_date as period_start,
        status,
        country_code,
        channel,
        category_id,
        units, units_returned, gross_revenue, discounts, refunds, net_revenue, cogs, gross_profit, shipping_fees
    from days
    where rollup <> 'full'  -- the full days are sales_daily itself
    union all
    select * from weeks_and_months
    union all
    select * from years
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
    -- stored in the order of the index the services read by, so the rows of a period lie
    -- together on a few pages rather than each on its own
    order by period_start, rollup, period_grain, country_code, channel, status, category_id
)

select * from final
;
create unique index on mart.sales_periods (period_start, rollup, period_grain, country_code, channel, status, category_id) nulls not distinct;
comment on view analytics.sales_periods is 'One row per rollup (none, country, channel, country_channel, channel_category or full), calendar period (day, ISO week, month or year, local to SALESDW_TIMEZONE), order status and the rollup''s dimensions: sales_daily''s measures added up, for fast totals over any date range. Total a range by adding whole periods that cover each day once, within one rollup; the full rollup has no days (use sales_daily).';
comment on column analytics.sales_periods.rollup is 'Level of detail: none (status only), country (status and country), channel (status and channel), country_channel (status, country and channel), channel_category (status, channel and category) or full (status, country, channel and category).';
comment on column analytics.sales_periods.period_grain is 'day, week (ISO, Monday to Sunday), month or year.';
comment on column analytics.sales_periods.period_start is 'First local day of the period.';
comment on column analytics.sales_periods.status is 'Order status.';
comment on column analytics.sales_periods.country_code is 'Shipping country (ISO 3166-1 alpha-2) in rollups country, country_channel and full; null there when unknown, and null in the other rollups.';
comment on column analytics.sales_periods.channel is 'Sales channel in rollups channel, country_channel, channel_category and full; null otherwise.';
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
