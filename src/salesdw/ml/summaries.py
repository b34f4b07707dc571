"""Summaries of a run's scores, written in the run's own transaction (salesdw.ml.runs): the
value-at-risk list, the CLV bands and the cluster profiles the dashboard shows.

Computing them from millions of scored customers takes seconds each (7.6 s for the list at
the large scale), too slow for a page; written once per run, they are read in milliseconds,
through analytics.customers_at_risk, analytics.clv_bands and analytics.customer_segment_profiles.
"""

from __future__ import annotations

import psycopg

__all__ = ["AT_RISK_ROWS", "CLV_BANDS", "write_summaries"]

#: Customers kept in the value-at-risk list, and bands of 12-month CLV.
AT_RISK_ROWS = 1000
CLV_BANDS = 30

_LATEST_RUN = """
    select run_id from ml.model_runs
    where model_kind = %s and status = 'succeeded'
    order by trained_at desc, run_id desc
    limit 1
"""

# Every customer scored for churn, valued with the latest CLV run's 12-month CLV; customers
# without a CLV score have no value at risk and rank last, by churn probability.
_CUSTOMERS_AT_RISK = """
    insert into ml.customers_at_risk
    select
        cast(%(churn_run)s as bigint),
        cast(%(clv_run)s as bigint),
        row_number() over (
            order by value_at_risk desc nulls last, churn_probability desc, customer_id
        ),
        customer_id,
        value_at_risk,
        churn_probability,
        clv_12m,
        risk_tier,
        probability_alive
    from (
        select
            churn_scores.customer_id,
            churn_scores.churn_probability * clv_scores.clv_12m as value_at_risk,
            churn_scores.churn_probability,
            clv_scores.clv_12m,
            churn_scores.risk_tier,
            clv_scores.probability_alive
        from ml.churn_scores
        left join ml.clv_scores
            on clv_scores.run_id = %(clv_run)s
            and clv_scores.customer_id = churn_scores.customer_id
        where churn_scores.run_id = %(churn_run)s
        order by value_at_risk desc nulls last, churn_scores.churn_probability desc,
                 churn_scores.customer_id
        limit %(rows)s
    ) as ranked
"""

_CLV_BANDS = """
    insert into ml.clv_bands
    with
    scores as (
        select clv_12m from ml.clv_scores where run_id = %(run)s
    ),
    bounds as (
        -- the 99th percentile: a few very large values would squash every other band into one
        select greatest(percentile_cont(0.99) within group (order by clv_12m), 1e-9) as top
        from scores
    ),
    banded as (
        select
            least(width_bucket(scores.clv_12m, 0, bounds.top, %(bands)s), %(bands)s) as band,
            bounds.top,
            scores.clv_12m
        from scores
        cross join bounds
    )
    select
        %(run)s,
        band,
        (band - 1) * top / %(bands)s,
        band * top / %(bands)s,
        count(*),
        sum(clv_12m)
    from banded
    group by band, top
"""

_SEGMENT_PROFILES = """
    insert into ml.customer_segment_profiles
    select
        %(run)s,
        segments.segment_name,
        count(*),
        avg(summary.orders),
        avg(summary.net_revenue),
        avg(summary.days_since_last_order),
        sum(summary.net_revenue)
    from ml.customer_segments as segments
    inner join analytics.customer_summary as summary
        on summary.customer_id = segments.customer_id
    where segments.run_id = %(run)s
    group by segments.segment_name
"""


def write_summaries(conn: psycopg.Connection, kind: str, run_id: int) -> None:
    """Write the summaries that depend on a run of `kind` which has just been marked succeeded
    in conn's open transaction (nothing for kinds without any)."""
    if kind == "clv":
        conn.execute(_CLV_BANDS, {"run": run_id, "bands": CLV_BANDS})
    if kind == "customer_segments":
        conn.execute(_SEGMENT_PROFILES, {"run": run_id})
    if kind in ("churn", "clv"):
        _write_customers_at_risk(conn)


def _write_customers_at_risk(conn: psycopg.Connection) -> None:
    """Rank the latest churn run's customers against the latest CLV run's values; the list
    replaces the previous one, which ranked older runs."""
    churn_run = conn.execute(_LATEST_RUN, ["churn"]).fetchone()
    clv_run = conn.execute(_LATEST_RUN, ["clv"]).fetchone()
    conn.execute("delete from ml.customers_at_risk")
    if churn_run is None:
        return
    conn.execute(_CUSTOMERS_AT_RISK, {"churn_run": churn_run[0],
                                      "clv_run": clv_run[0] if clv_run else None,
                                      "rows": AT_RISK_ROWS})  # fmt: skip
