-- One row per series and candidate model of the latest successful forecast run (plain view
-- over ml.forecast_backtests): rolling-origin backtest errors and interval coverage, and which
-- model won.
with

latest_run as (
    select run_id
    from ml.model_runs
    where model_kind = 'forecast' and status = 'succeeded'
    order by trained_at desc, run_id desc
    limit 1
),

forecast_backtests as (
    select
        run_id,
        metric,
        frequency,
        series_kind,
        series_value,
        model,
        folds,
        mase,
        smape,
        rmse,
        bias,
        coverage_80,
        coverage_95,
        fit_seconds,
        is_selected
    from ml.forecast_backtests
),

final as (
    select forecast_backtests.*
    from forecast_backtests
    inner join latest_run on latest_run.run_id = forecast_backtests.run_id
)

select * from final
;
comment on view analytics.forecast_backtests is 'One row per metric, frequency, series and candidate model of the latest successful forecast run: rolling-origin backtest errors, interval coverage, and the winner.';
comment on column analytics.forecast_backtests.run_id is 'The run (ml.model_runs).';
comment on column analytics.forecast_backtests.metric is 'net_revenue or orders.';
comment on column analytics.forecast_backtests.frequency is 'day or week.';
comment on column analytics.forecast_backtests.series_kind is 'total, country, category or channel.';
comment on column analytics.forecast_backtests.series_value is 'all, or the series'' value.';
comment on column analytics.forecast_backtests.model is 'Candidate model.';
comment on column analytics.forecast_backtests.folds is 'Rolling-origin folds evaluated.';
comment on column analytics.forecast_backtests.mase is 'Mean absolute scaled error against the seasonal naive forecast (below 1 beats it).';
comment on column analytics.forecast_backtests.smape is 'Symmetric mean absolute percentage error, 0 to 2.';
comment on column analytics.forecast_backtests.rmse is 'Root mean squared error.';
comment on column analytics.forecast_backtests.bias is 'Mean of forecast - actual.';
comment on column analytics.forecast_backtests.coverage_80 is 'Share of actuals inside the 80% interval.';
comment on column analytics.forecast_backtests.coverage_95 is 'Share of actuals inside the 95% interval.';
comment on column analytics.forecast_backtests.fit_seconds is 'Time spent fitting, over all folds.';
comment on column analytics.forecast_backtests.is_selected is 'True for the model that won (lowest MASE) and made the forecast.';
