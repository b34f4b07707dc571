-- One row per rollup, calendar period, order status and the rollup's dimensions: orders_daily's
-- counts added up over ISO weeks, months and years, at six levels of detail, so that a service
-- counts the orders of any date range and filter from a few rows per period (see
-- sales_periods and salesdw/services/periods.py).
--   rollup 'none':    per status only
--   rollup 'country': per status and shipping country
--   rollup 'channel': per status and sales channel (a filter on channels alone)
--   rollup 'country_channel': per status, country and channel (what a filter on countries
--                     and channels reads when it has no categories)
--   rollup 'channel_category': per status, sales channel and category mask, every country
--                     together (what a filter on categories reads, with channels or without)
--   rollup 'full':    per status, country, channel and category mask (weeks and up; the days of
--                     this level are orders_daily itself)
-- Every level and period comes from one pass over orders_daily's days, grouped by small
-- integers that stand for the status, country and channel: PostgreSQL sorts, hashes and
-- compares those several times faster than text, and the refresh spends its time doing that
-- (a fifth less than adding each level up from the one below it in text, which wrote the
-- levels in between to disk).
with

codes as (
    -- the statuses and channels in the warehouse, in the order the index sorts them: each
    -- stands for its position here
    select
        array(select distinct status from analytics.orders_daily order by 1) as statuses,
        array(select distinct channel from analytics.orders_daily order by 1) as channels
),

orders_daily as (
    select
        orders_daily.order_date,
        date_trunc('week', orders_daily.order_date::timestamp)::date as week_start,
        date_trunc('month', orders_daily.order_date::timestamp)::date as month_start,
        date_trunc('year', orders_daily.order_date::timestamp)::date as year_start,
        array_position(codes.statuses, orders_daily.status) as status_code,
        -- two capital letters (core.countries checks it) as one integer, in the same order
        (ascii(orders_daily.country_code) << 8) | ascii(substr(orders_daily.country_code, 2))
            as country_number,
        array_position(codes.channels, orders_daily.channel) as channel_code,
        orders_daily.category_mask,
        orders_daily.orders,
        orders_daily.new_customers,
        orders_daily.units::bigint as units  -- a count: numeric there (a sum of bigints)
    from analytics.orders_daily
    cross join codes
),

periods as (
    select
        case
            when grouping(country_number, channel_code, category_mask) = 0 then 'full'
            when grouping(category_mask) = 0 then 'channel_category'
            when grouping(country_number, channel_code) = 0 then 'country_channel'
            when grouping(country_number) = 0 then 'country'
            when grouping(channel_code) = 0 then 'channel'
            else 'none'
        end as rollup,
        case
            when grouping(order_date) = 0 then 'day'
            when grouping(week_start) = 0 then 'week'
            when grouping(month_start) = 0 then 'month'
            else 'year'
        end as period_grain,
        coalesce(order_date, week_start, month_start, year_start) as period_start,
        status_code,
        country_number,
        channel_code,
        category_mask,
        sum(orders)::bigint as orders,
        sum(new_customers)::bigint as new_customers,
        sum(units)::bigint as units
    from orders_daily
    group by grouping sets (
        -- full: weeks and up (its days are orders_daily)
        (week_start, status_code, country_number, channel_code, category_mask),
        (month_start, status_code, country_number, channel_code, category_mask),
        (year_start, status_code, country_number, channel_code, category_mask),
        -- channel_category
        (order_date, status_code, channel_code, category_mask),
        (week_start, status_code, channel_code, category_mask),
        (month_start, status_code, channel_code, category_mask),
        (year_start, status_code, channel_code, category_mask),
        -- country_channel
        (order_date, status_code, country_number, channel_code),
        (week_start, status_code, country_number, channel_code),
        (month_start, status_code, country_number, channel_code),
        (year_start, status_code, country_number, channel_code),
        -- country
        (order_date, status_code, country_number),
        (week_start, status_code, country_number),
        (month_start, status_code, country_number),
        (year_start, status_code, country_number),
        -- channel
        (order_date, status_code, channel_code),
        (week_start, status_code, channel_code),
        (month_start, status_code, channel_code),
        (year_start, status_code, channel_code),
        -- none
        (order_date, status_code),
        (week_start, status_code),
        (month_start, status_code),
        (year_start, status_code)
    )
),

final as (
    select
        periods.rollup,
        periods.period_grain,
        periods.period_start,
        codes.statuses[periods.status_code] as status,
        (chr(periods.country_number >> 8) || chr(periods.country_number & 255))::varchar(2)
            as country_code,
        codes.channels[periods.channel_code] as channel,
        periods.category_mask,
        periods.orders,
        periods.new_customers,
        periods.units
    from periods
    cross join codes
    -- stored in the order of the index the services read by, so the rows of a period lie
    -- together on a few pages rather than each on its own; the category mask comes last, as a
    -- filter on categories is a bit test the index cannot seek by, while countries, channels
    -- and statuses are lists it seeks to. The codes sort as the values they stand for
    order by
        periods.period_start,
        periods.rollup,
        periods.period_grain,
        periods.country_number,
        periods.channel_code,
        periods.status_code,
        periods.category_mask
)

select * from final
;
create unique index on mart.order_periods (period_start, rollup, period_grain, country_code, channel, status, category_mask) nulls not distinct;
comment on view analytics.order_periods is 'One row per rollup (none, country, channel, country_channel, channel_category or full), calendar period (day, ISO week, month or year, local to SALESDW_TIMEZONE), order status and the rollup''s dimensions: orders_daily''s counts added up, for fast counts over any date range. Total a range by adding whole periods that cover each day once, within one rollup; the full rollup has no days (use orders_daily).';
comment on column analytics.order_periods.rollup is 'Level of detail: none (status only), country (status and country), channel (status and channel), country_channel (status, country and channel), channel_category (status, channel and category mask) or full (status, country, channel and category mask).';
comment on column analytics.order_periods.period_grain is 'day, week (ISO, Monday to Sunday), month or year.';
comment on column analytics.order_periods.period_start is 'First local day of the period.';
comment on column analytics.order_periods.status is 'Order status.';
comment on column analytics.order_periods.country_code is 'Shipping country (ISO 3166-1 alpha-2) in rollups country, country_channel and full; null there when unknown, and null in the other rollups.';
comment on column analytics.order_periods.channel is 'Sales channel in rollups channel, country_channel, channel_category and full; null otherwise.';
comment on column analytics.order_periods.category_mask is 'Set of top-level categories the orders have lines in (analytics.category_bits) in rollups channel_category and full; null otherwise.';
comment on column analytics.order_periods.orders is 'Number of orders.';
comment on column analytics.order_periods.new_customers is 'Orders that are their customer''s first order not cancelled.';
comment on column analytics.order_periods.units is 'Units ordered.';
