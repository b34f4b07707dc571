-- One row per ISO weekday (1 = Monday .. 7 = Sunday) and local hour (0..23), all 168 present:
-- orders and net revenue placed in that hour of the week, and orders per such day. Weekdays and
-- hours are local (SALESDW_TIMEZONE). Cancelled orders are excluded; an order's net revenue is
-- sum(quantity x unit price - line discount - refund) of its lines - the order's discount.
with

order_facts as (
    select
        ordered_at_local,
        net_revenue_cents
    from mart.order_facts
    where status <> 'cancelled'
),

hourly as (
    select
        extract(isodow from ordered_at_local)::integer as weekday,
        extract(hour from ordered_at_local)::integer as hour,
        count(*) as orders,
        sum(net_revenue_cents) * 0.01 as net_revenue,
        min(ordered_at_local::date) as first_date,
        max(ordered_at_local::date) as last_date
    from order_facts
    group by 1, 2
),

days as (
    -- every local day from the first to the last day with an order not cancelled
    select generate_series(min(first_date), max(last_date), interval '1 day')::date as day
    from hourly
),

weekday_counts as (
    select
        extract(isodow from day)::integer as weekday,
        count(*) as days
    from days
    group by 1
),

week_grid as (
    select
        weekday,
        hour
    from generate_series(1, 7) as weekdays (weekday)
    cross join generate_series(0, 23) as hours (hour)
),

final as (
    select
        week_grid.weekday,
        -- 2024-01-01 was a Monday
        to_char(date '2024-01-01' + week_grid.weekday - 1, 'FMDay') as weekday_name,
        week_grid.hour,
        coalesce(hourly.orders, 0) as orders,
        coalesce(hourly.net_revenue, 0) as net_revenue,
        coalesce(hourly.orders, 0)::numeric / weekday_counts.days as average_orders_per_day
    from week_grid
    left join hourly
        on hourly.weekday = week_grid.weekday
        and hourly.hour = week_grid.hour
    left join weekday_counts on weekday_counts.weekday = week_grid.weekday
)

select * from final
;
create unique index on mart.seasonality_weekday_hour (weekday, hour);
comment on view analytics.seasonality_weekday_hour is 'One row per ISO weekday and local hour, all 168 present: orders not cancelled, their net revenue, and orders per such weekday in the data''s date range.';
comment on column analytics.seasonality_weekday_hour.weekday is 'ISO weekday in SALESDW_TIMEZONE: 1 = Monday .. 7 = Sunday.';
comment on column analytics.seasonality_weekday_hour.weekday_name is 'English name of the weekday, e.g. Monday.';
comment on column analytics.seasonality_weekday_hour.hour is 'Local hour of the day (SALESDW_TIMEZONE), 0..23.';
comment on column analytics.seasonality_weekday_hour.orders is 'Orders not cancelled placed in that weekday and hour, all time.';
comment on column analytics.seasonality_weekday_hour.net_revenue is 'Net revenue of those orders: gross - line and order discounts - refunds (shipping not included).';
comment on column analytics.seasonality_weekday_hour.average_orders_per_day is 'orders / the number of such weekdays from the first to the last local day with an order not cancelled; null when that range holds no such weekday.';
