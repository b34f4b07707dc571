-- One row per metric, frequency, series and future period of the latest successful forecast
-- run (plain view over ml.sales_forecasts): the selected model's forecast and its 80% and 95%
-- prediction intervals.
with

latest_run as (
    select run_id
    from ml.model_runs
    where model_kind = 'forecast' and status = 'succeeded'
    order by trained_at desc, run_id desc
    limit 1
),

sales_forecasts as (
    select
        run_id,
        metric,
        frequency,
        series_kind,
        series_value,
        series_label,
        period_start,
        model,
        forecast,
        lower_80,
        upper_80,
        lower_95,
        upper_95
    from ml.sales_forecasts
),

final as (
    select sales_forecasts.*
    from sales_forecasts
    inner join latest_run on latest_run.run_id = sales_forecasts.run_id
)

select * from final
;
comment on view analytics.sales_forecast is 'One row per metric, frequency, series and future period of the latest successful forecast run: point forecast of the model the backtest selected, with 80% and 95% intervals.';
comment on column analytics.sales_forecast.run_id is 'The run (ml.model_runs).';
comment on column analytics.sales_forecast.metric is 'net_revenue or orders.';
comment on column analytics.sales_forecast.frequency is 'day or week (ISO weeks).';
comment on column analytics.sales_forecast.series_kind is 'total, country, category or channel.';
comment on column analytics.sales_forecast.series_value is 'all for total; else the country code, top-level category id or sales channel.';
comment on column analytics.sales_forecast.series_label is 'Human name of the series.';
comment on column analytics.sales_forecast.period_start is 'Day, or first day of the week, forecast.';
comment on column analytics.sales_forecast.model is 'The model that made the forecast.';
comment on column analytics.sales_forecast.forecast is 'Point forecast.';
comment on column analytics.sales_forecast.lower_80 is 'Lower end of the 80% prediction interval.';
comment on column analytics.sales_forecast.upper_80 is 'Upper end of the 80% prediction interval.';
comment on column analytics.sales_forecast.lower_95 is 'Lower end of the 95% prediction interval.';
comment on column analytics.sales_forecast.upper_95 is 'Upper end of the 95% prediction interval.';
