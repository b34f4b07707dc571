-- One row per materialized analytics view (plain view): when it was last refreshed, how long
-- that took, its rows, and the latest order it covers.
with

matviews as (
    select
        matviewname as view_name,
        ispopulated as is_populated
    from pg_catalog.pg_matviews
    where schemaname = 'mart'
        and matviewname not like '%\_\_next' -- a rebuild in progress (see salesdw.db.rebuild)
),

latest_refreshes as (
    select distinct on (view_name)
        view_name,
        finished_at,
        duration_ms,
        row_count,
        data_through
    from ops.refresh_log
    where status = 'succeeded'
    order by view_name, finished_at desc
),

final as (
    select
        matviews.view_name,
        matviews.is_populated,
        latest_refreshes.finished_at as refreshed_at,
        latest_refreshes.duration_ms / 1000.0 as refresh_seconds,
        latest_refreshes.row_count as row_count,
        latest_refreshes.data_through
    from matviews
    left join latest_refreshes on latest_refreshes.view_name = matviews.view_name
)

select * from final
;
comment on view analytics.data_freshness is 'One row per materialized analytics view: when salesdw refresh last refreshed it, how long it took, its rows, and the latest order time it covers.';
comment on column analytics.data_freshness.view_name is 'Name of the view in analytics (its data lives in mart).';
comment on column analytics.data_freshness.is_populated is 'False until the first refresh, if it was created without data.';
comment on column analytics.data_freshness.refreshed_at is 'End of the latest successful refresh; null if never refreshed by salesdw.';
comment on column analytics.data_freshness.refresh_seconds is 'Duration of that refresh.';
comment on column analytics.data_freshness.row_count is 'Rows after that refresh.';
comment on column analytics.data_freshness.data_through is 'Latest order time the view covers: the newest order of the order_facts it was built from; null for views that read no orders (categories, web traffic).';
