-- One row per calendar day and visitor country: web and app sessions of every marketing channel
-- and device (core.web_traffic, as recorded), the denominator of conversion rate for any date
-- range and countries. Sessions per marketing channel and month are in channel_performance.
with

web_traffic as (
    select
        traffic_date,
        country_code,
        sessions
    from core.web_traffic
),

final as (
    select
        traffic_date,
        country_code,
        sum(sessions) as sessions
    from web_traffic
    group by 1, 2
)

select * from final
;
create unique index on mart.traffic_daily (traffic_date, country_code);
comment on view analytics.traffic_daily is 'One row per calendar day (as recorded) and visitor country: web and app sessions of every marketing channel and device, the denominator of conversion rate.';
comment on column analytics.traffic_daily.traffic_date is 'Calendar day of the sessions, as recorded by the web analytics tool.';
comment on column analytics.traffic_daily.country_code is 'Visitor''s country (ISO 3166-1 alpha-2).';
comment on column analytics.traffic_daily.sessions is 'Sessions (visits) from every marketing channel and device.';
