-- One row per band of 12-month CLV of the latest successful CLV run (plain view over
-- ml.clv_bands): 30 equal-width bands from 0 to the 99th percentile, the top band holding the
-- rest, with their customers and total CLV. Written with the run's scores.
with

latest_run as (
    select run_id
    from ml.model_runs
    where model_kind = 'clv' and status = 'succeeded'
    order by trained_at desc, run_id desc
    limit 1
),

clv_bands as (
    select
        run_id,
        band,
        band_start,
        band_end,
        customers,
        total_clv
    from ml.clv_bands
),

final as (
    select clv_bands.*
    from clv_bands
    inner join latest_run on latest_run.run_id = clv_bands.run_id
)

select * from final
;
comment on view analytics.clv_bands is 'One row per band of 12-month CLV of the latest successful CLV run: 30 equal-width bands from 0 to the 99th percentile (the top band holds the rest), customers and total CLV.';
comment on column analytics.clv_bands.run_id is 'The run (ml.model_runs).';
comment on column analytics.clv_bands.band is 'Band number, 1 to 30.';
comment on column analytics.clv_bands.band_start is 'Lowest 12-month CLV of the band.';
comment on column analytics.clv_bands.band_end is 'Highest 12-month CLV of the band (the top band also holds every customer above it).';
comment on column analytics.clv_bands.customers is 'Customers whose 12-month CLV falls in the band.';
comment on column analytics.clv_bands.total_clv is 'Their total 12-month CLV.';
