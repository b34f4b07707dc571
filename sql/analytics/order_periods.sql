-- One row per rollup, calendar period, order status and the rollup's dimensions: orders_daily's
-- counts added up over ISO weeks, months and years, at four levels of detail, so that a service
-- counts the orders of any date range and filter from a few rows per period (see
-- sales_periods and salesdw/services/periods.py).
--   rollup 'none':    per status only
--   rollup 'country': per status and shipping country
--   rollup 'channel_category': per status, sales channel and category mask, every country
--                     together (what a filter on channels or categories alone reads)
--   rollup 'full':    per status, country, channel and category mask (weeks and up; the days of
--                     this level are orders_daily itself)
with

orders_daily as (
    select
        order_date,
        country_code,
        channel,
        status,
        category_mask,
        orders,
        new_customers,
        units
    from analytics.orders_daily
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
        category_mask,
        sum(orders) as orders,
        sum(new_customers) as new_customers,
        sum(units) as units
    from (
        select
            *,
            date_trunc('week', order_date)::date as week_start,
            date_trunc('month', order_date)::date as month_start,
            date_trunc('year', order_date)::date as year_start
        from orders_daily
    ) as days
    group by grouping sets (
        (week_start, status, country_code, channel, category_mask),
        (month_start, status, country_code, channel, category_mask),
        (year_start, status, country_code, channel, category_mask),
        (order_date, status, channel, category_mask),
        (week_start, status, channel, category_mask),
        (month_start, status, channel, category_mask),
        (year_start, status, channel, category_mask)
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
        sum(orders) as orders,
        sum(new_customers) as new_customers,
        sum(units) as units
    from orders_daily
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
        null::bigint as category_mask,
        sum(orders) as orders,
        sum(new_customers) as new_customers,
        sum(units) as units
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

final as (
    select * from detailed_periods
    union all
    select * from small_periods
)

select * from final
;
create unique index on mart.order_periods (rollup, period_grain, period_start, status, country_code, channel, category_mask) nulls not distinct;
comment on view analytics.order_periods is 'One row per rollup (none, country, channel_category or full), calendar period (day, ISO week, month or year, local to SALESDW_TIMEZONE), order status and the rollup''s dimensions: orders_daily''s counts added up, for fast counts over any date range. Total a range by adding whole periods that cover each day once, within one rollup; the full rollup has no days (use orders_daily).';
comment on column analytics.order_periods.rollup is 'Level of detail: none (status only), country (status and country), channel_category (status, channel and category mask) or full (status, country, channel and category mask).';
comment on column analytics.order_periods.period_grain is 'day, week (ISO, Monday to Sunday), month or year.';
comment on column analytics.order_periods.period_start is 'First local day of the period.';
comment on column analytics.order_periods.status is 'Order status.';
comment on column analytics.order_periods.country_code is 'Shipping country (ISO 3166-1 alpha-2) in rollups country and full; null there when unknown, and null in rollups none and channel_category.';
comment on column analytics.order_periods.channel is 'Sales channel in rollups channel_category and full; null otherwise.';
comment on column analytics.order_periods.category_mask is 'Set of top-level categories the orders have lines in (analytics.category_bits) in rollups channel_category and full; null otherwise.';
comment on column analytics.order_periods.orders is 'Number of orders.';
comment on column analytics.order_periods.new_customers is 'Orders that are their customer''s first order not cancelled.';
comment on column analytics.order_periods.units is 'Units ordered.';
