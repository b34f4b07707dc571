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
-- Each level is added up from the smallest one below it (days of the smaller rollups from the
-- full days, weeks and months from the days, years from the months): every row is read by as
-- few groupings as possible, which is what the refresh spends its time on.
with

orders_daily as (
    select
        order_date,
        status,
        country_code,
        channel,
        category_mask,
        orders,
        new_customers,
        units::bigint as units  -- a count: numeric there (a sum of bigints), bigint here
    from analytics.orders_daily
),

smaller_days as (
    -- the days of rollups channel_category, country, channel and country_channel, in one pass
    -- over the full days
    select
        case
            when grouping(category_mask) = 0 then 'channel_category'
            when grouping(channel) = 1 then 'country'
            when grouping(country_code) = 1 then 'channel'
            else 'country_channel'
        end as rollup,
        order_date,
        status,
        country_code,
        channel,
        category_mask,
        sum(orders)::bigint as orders,
        sum(new_customers)::bigint as new_customers,
        sum(units)::bigint as units
    from orders_daily
    group by grouping sets (
        (order_date, status, channel, category_mask),
        (order_date, status, country_code),
        (order_date, status, channel),
        (order_date, status, country_code, channel)
    )
),

days as (
    -- every rollup's days: full (orders_daily itself), the four of smaller_days, and none
    -- from the country days, the smallest level that has them
    select 'full' as rollup, * from orders_daily
    union all
    select * from smaller_days
    union all
    select
        'none' as rollup,
        order_date,
        status,
        null::varchar(2) as country_code,
        null::text as channel,
        null::bigint as category_mask,
        sum(orders)::bigint as orders,
        sum(new_customers)::bigint as new_customers,
        sum(units)::bigint as units
    from smaller_days
    where rollup = 'country'
    group by order_date, status
),

weeks_and_months as (
    -- from the days: every rollup's weeks and months, in one pass over the days
    select
        rollup,
        case when grouping(week_start) = 0 then 'week' else 'month' end as period_grain,
        coalesce(week_start, month_start) as period_start,
        status,
        country_code,
        channel,
        category_mask,
        sum(orders)::bigint as orders,
        sum(new_customers)::bigint as new_customers,
        sum(units)::bigint as units
    from (
        select
            *,
            date_trunc('week', order_date)::date as week_start,
            date_trunc('month', order_date)::date as month_start
        from days
    ) as dated_days
    group by grouping sets (
        (rollup, week_start, status, country_code, channel, category_mask),
        (rollup, month_start, status, country_code, channel, category_mask)
    )
),

years as (
    -- from the months
    select
        rollup,
        'year' as period_grain,
        date_trunc('year', period_start)::date as period_start,
        status,
        country_code,
        channel,
        category_mask,
        sum(orders)::bigint as orders,
        sum(new_customers)::bigint as new_customers,
        sum(units)::bigint as units
    from weeks_and_months
    where period_grain = 'month'
    group by rollup, 3, status, country_code, channel, category_mask
),

periods as (
    select
        rollup,
        'day' as period_grain,
        order_date as period_start,
        status,
        country_code,
        channel,
        category_mask,
        orders, new_customers, units
    from days
    where rollup <> 'full'  -- the full days are orders_daily itself
    union all
    select * from weeks_and_months
    union all
    select * from years
),

final as (
    select * from periods
    -- stored in the order of the index the services read by, so the rows of a period lie
    -- together on a few pages rather than each on its own; the category mask comes last, as a
    -- filter on categories is a bit test the index cannot seek by, while countries, channels
    -- and statuses are lists it seeks to
    order by period_start, rollup, period_grain, country_code, channel, status, category_mask
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
