"""Summaries of the model scores, written at training time: the value-at-risk list, the CLV
bands and the customer cluster profiles (ml tables, and plain analytics views of the latest
runs). The dashboard's Customers page computed them from every scored customer at each visit,
9.5 s at 10M orders (3.6M customers); read from these tables, they take milliseconds.

The latest runs' summaries are written here, so a trained warehouse needs no new training.
The views of sql/analytics and the summary queries are frozen below as they were when this
migration was written.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 06:17:39.039657+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# (name, kind, SQL of sql/analytics/<name>.sql): the query, a line with ";", then one statement
# per line (comments).
VIEWS = [
    (
        "customers_at_risk",
        "plain",
        "-- One row per customer of the value-at-risk list of the latest successful churn and CLV runs\n-- (plain view over ml.customers_at_risk): the customers the shop expects to lose the most\n-- value with, churn probability x 12-month CLV, ranked. Written when either run succeeds, as\n-- ranking every scored customer takes seconds at scale; the dashboard reads the top of it.\nwith\n\nlatest_churn_run as (\n    select run_id\n    from ml.model_runs\n    where model_kind = 'churn' and status = 'succeeded'\n    order by trained_at desc, run_id desc\n    limit 1\n),\n\nlatest_clv_run as (\n    select run_id\n    from ml.model_runs\n    where model_kind = 'clv' and status = 'succeeded'\n    order by trained_at desc, run_id desc\n    limit 1\n),\n\ncustomers_at_risk as (\n    select\n        churn_run_id,\n        clv_run_id,\n        risk_rank,\n        customer_id,\n        value_at_risk,\n        churn_probability,\n        clv_12m,\n        risk_tier,\n        probability_alive\n    from ml.customers_at_risk\n),\n\nfinal as (\n    -- the list of the latest pair of runs, none if the latest CLV run is newer than the list\n    select customers_at_risk.*\n    from customers_at_risk\n    inner join latest_churn_run on latest_churn_run.run_id = customers_at_risk.churn_run_id\n    left join latest_clv_run on true\n    where customers_at_risk.clv_run_id is not distinct from latest_clv_run.run_id\n)\n\nselect * from final\n;\ncomment on view analytics.customers_at_risk is 'One row per customer of the value-at-risk list of the latest successful churn and CLV runs (the top 1,000): churn probability x 12-month CLV, ranked; customers without a CLV score rank after those with one, by churn probability.';\ncomment on column analytics.customers_at_risk.churn_run_id is 'The churn run (ml.model_runs).';\ncomment on column analytics.customers_at_risk.clv_run_id is 'The CLV run (ml.model_runs); null when no CLV run had succeeded.';\ncomment on column analytics.customers_at_risk.risk_rank is 'Rank, 1 = most value at risk.';\ncomment on column analytics.customers_at_risk.customer_id is 'Customer (analytics.customer_summary).';\ncomment on column analytics.customers_at_risk.value_at_risk is 'Churn probability x 12-month CLV: the value the shop expects to lose; null without a CLV score.';\ncomment on column analytics.customers_at_risk.churn_probability is 'Calibrated probability of no order in the next 90 days.';\ncomment on column analytics.customers_at_risk.clv_12m is 'Discounted 12-month customer lifetime value.';\ncomment on column analytics.customers_at_risk.risk_tier is 'low, medium or high churn risk.';\ncomment on column analytics.customers_at_risk.probability_alive is 'BG/NBD probability the customer is still active.';\n",
    ),
    (
        "clv_bands",
        "plain",
        "-- One row per band of 12-month CLV of the latest successful CLV run (plain view over\n-- ml.clv_bands): 30 equal-width bands from 0 to the 99th percentile, the top band holding the\n-- rest, with their customers and total CLV. Written with the run's scores.\nwith\n\nlatest_run as (\n    select run_id\n    from ml.model_runs\n    where model_kind = 'clv' and status = 'succeeded'\n    order by trained_at desc, run_id desc\n    limit 1\n),\n\nclv_bands as (\n    select\n        run_id,\n        band,\n        band_start,\n        band_end,\n        customers,\n        total_clv\n    from ml.clv_bands\n),\n\nfinal as (\n    select clv_bands.*\n    from clv_bands\n    inner join latest_run on latest_run.run_id = clv_bands.run_id\n)\n\nselect * from final\n;\ncomment on view analytics.clv_bands is 'One row per band of 12-month CLV of the latest successful CLV run: 30 equal-width bands from 0 to the 99th percentile (the top band holds the rest), customers and total CLV.';\ncomment on column analytics.clv_bands.run_id is 'The run (ml.model_runs).';\ncomment on column analytics.clv_bands.band is 'Band number, 1 to 30.';\ncomment on column analytics.clv_bands.band_start is 'Lowest 12-month CLV of the band.';\ncomment on column analytics.clv_bands.band_end is 'Highest 12-month CLV of the band (the top band also holds every customer above it).';\ncomment on column analytics.clv_bands.customers is 'Customers whose 12-month CLV falls in the band.';\ncomment on column analytics.clv_bands.total_clv is 'Their total 12-month CLV.';\n",
    ),
    (
        "customer_segment_profiles",
        "plain",
        "-- One row per behavioural cluster of the latest successful customer-segment run (plain view\n-- over ml.customer_segment_profiles): its customers and their averages as of the training,\n-- from analytics.customer_summary. Written with the run's clusters.\nwith\n\nlatest_run as (\n    select run_id\n    from ml.model_runs\n    where model_kind = 'customer_segments' and status = 'succeeded'\n    order by trained_at desc, run_id desc\n    limit 1\n),\n\ncustomer_segment_profiles as (\n    select\n        run_id,\n        segment_name,\n        customers,\n        average_orders,\n        average_net_revenue,\n        average_days_since_last_order,\n        net_revenue\n    from ml.customer_segment_profiles\n),\n\nfinal as (\n    select customer_segment_profiles.*\n    from customer_segment_profiles\n    inner join latest_run on latest_run.run_id = customer_segment_profiles.run_id\n)\n\nselect * from final\n;\ncomment on view analytics.customer_segment_profiles is 'One row per behavioural cluster of the latest successful customer-segment run: its customers, their average orders, net revenue and days since the last order, and their net revenue, as of the training.';\ncomment on column analytics.customer_segment_profiles.run_id is 'The run (ml.model_runs).';\ncomment on column analytics.customer_segment_profiles.segment_name is 'Cluster named from its centroid, in plain words.';\ncomment on column analytics.customer_segment_profiles.customers is 'Customers in the cluster.';\ncomment on column analytics.customer_segment_profiles.average_orders is 'Their average orders (cancelled excluded).';\ncomment on column analytics.customer_segment_profiles.average_net_revenue is 'Their average net revenue.';\ncomment on column analytics.customer_segment_profiles.average_days_since_last_order is 'Their average days since the last order.';\ncomment on column analytics.customer_segment_profiles.net_revenue is 'Their net revenue.';\n",
    ),
]

_LATEST_RUN = """(
    select run_id from ml.model_runs
    where model_kind = '{kind}' and status = 'succeeded'
    order by trained_at desc, run_id desc
    limit 1
)"""

# The summaries of the latest runs, as salesdw.ml.summaries wrote them at this revision.
BACKFILL = [
    f"""
    insert into ml.clv_bands
    with
    scores as (
        select clv_12m from ml.clv_scores where run_id = {_LATEST_RUN.format(kind="clv")}
    ),
    bounds as (
        select greatest(percentile_cont(0.99) within group (order by clv_12m), 1e-9) as top
        from scores
    ),
    banded as (
        select least(width_bucket(scores.clv_12m, 0, bounds.top, 30), 30) as band, bounds.top,
               scores.clv_12m
        from scores
        cross join bounds
    )
    select {_LATEST_RUN.format(kind="clv")}, band, (band - 1) * top / 30, band * top / 30,
           count(*), sum(clv_12m)
    from banded
    group by band, top
    """,
    f"""
    insert into ml.customer_segment_profiles
    select segments.run_id, segments.segment_name, count(*), avg(summary.orders),
           avg(summary.net_revenue), avg(summary.days_since_last_order),
           sum(summary.net_revenue)
    from ml.customer_segments as segments
    inner join analytics.customer_summary as summary
        on summary.customer_id = segments.customer_id
    where segments.run_id = {_LATEST_RUN.format(kind="customer_segments")}
    group by segments.run_id, segments.segment_name
    """,
    f"""
    insert into ml.customers_at_risk
    select
        churn_run_id,
        clv_run_id,
        row_number() over (
            order by value_at_risk desc nulls last, churn_probability desc, customer_id
        ),
        customer_id, value_at_risk, churn_probability, clv_12m, risk_tier, probability_alive
    from (
        select
            churn_scores.run_id as churn_run_id,
            runs.clv_run_id,
            churn_scores.customer_id,
            churn_scores.churn_probability * clv_scores.clv_12m as value_at_risk,
            churn_scores.churn_probability,
            clv_scores.clv_12m,
            churn_scores.risk_tier,
            clv_scores.probability_alive
        from ml.churn_scores
        cross join (select {_LATEST_RUN.format(kind="clv")} as clv_run_id) as runs
        left join ml.clv_scores
            on clv_scores.run_id = runs.clv_run_id
            and clv_scores.customer_id = churn_scores.customer_id
        where churn_scores.run_id = {_LATEST_RUN.format(kind="churn")}
        order by value_at_risk desc nulls last, churn_scores.churn_probability desc,
                 churn_scores.customer_id
        limit 1000
    ) as ranked
    """,
]


def upgrade() -> None:
    op.create_table(
        "clv_bands",
        sa.Column(
            "run_id",
            sa.BigInteger(),
            nullable=False,
            comment="The model run that wrote the row (ml.model_runs).",
        ),
        sa.Column("band", sa.Integer(), nullable=False, comment="Band number, 1 to 30."),
        sa.Column(
            "band_start", sa.Double(), nullable=False, comment="Lowest 12-month CLV of the band."
        ),
        sa.Column(
            "band_end",
            sa.Double(),
            nullable=False,
            comment="Highest 12-month CLV of the band (the top band also holds everyone above it).",
        ),
        sa.Column("customers", sa.BigInteger(), nullable=False, comment="Customers in the band."),
        sa.Column("total_clv", sa.Double(), nullable=False, comment="Their total 12-month CLV."),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ml.model_runs.run_id"],
            name=op.f("fk_clv_bands_run_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "band", name=op.f("pk_clv_bands")),
        schema="ml",
        comment="One row per CLV run and band of 12-month CLV: 30 equal-width bands up to the 99th percentile, customers and total CLV.",
    )
    op.create_table(
        "customer_segment_profiles",
        sa.Column(
            "run_id",
            sa.BigInteger(),
            nullable=False,
            comment="The model run that wrote the row (ml.model_runs).",
        ),
        sa.Column(
            "segment_name", sa.Text(), nullable=False, comment="Cluster named from its centroid."
        ),
        sa.Column(
            "customers", sa.BigInteger(), nullable=False, comment="Customers in the cluster."
        ),
        sa.Column("average_orders", sa.Double(), nullable=False, comment="Their average orders."),
        sa.Column(
            "average_net_revenue", sa.Double(), nullable=False, comment="Their average net revenue."
        ),
        sa.Column(
            "average_days_since_last_order",
            sa.Double(),
            nullable=True,
            comment="Their average days since the last order.",
        ),
        sa.Column(
            "net_revenue",
            sa.Numeric(precision=16, scale=2),
            nullable=False,
            comment="Their net revenue.",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ml.model_runs.run_id"],
            name=op.f("fk_customer_segment_profiles_run_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "run_id", "segment_name", name=op.f("pk_customer_segment_profiles")
        ),
        schema="ml",
        comment="One row per customer-segment run and cluster: customers and their averages from analytics.customer_summary at training time.",
    )
    op.create_table(
        "customers_at_risk",
        sa.Column(
            "churn_run_id",
            sa.BigInteger(),
            nullable=False,
            comment="The churn run ranked (ml.model_runs).",
        ),
        sa.Column(
            "clv_run_id",
            sa.BigInteger(),
            nullable=True,
            comment="The CLV run whose values were used; null if none had succeeded.",
        ),
        sa.Column(
            "risk_rank", sa.Integer(), nullable=False, comment="Rank, 1 = most value at risk."
        ),
        sa.Column("customer_id", sa.BigInteger(), nullable=False, comment="Customer."),
        sa.Column(
            "value_at_risk",
            sa.Double(),
            nullable=True,
            comment="Churn probability x 12-month CLV; null without a CLV score.",
        ),
        sa.Column(
            "churn_probability",
            sa.Double(),
            nullable=False,
            comment="Calibrated probability of no order in the next 90 days.",
        ),
        sa.Column(
            "clv_12m",
            sa.Double(),
            nullable=True,
            comment="Discounted 12-month customer lifetime value.",
        ),
        sa.Column("risk_tier", sa.Text(), nullable=False, comment="low, medium or high."),
        sa.Column(
            "probability_alive",
            sa.Double(),
            nullable=True,
            comment="BG/NBD probability the customer is still active.",
        ),
        sa.ForeignKeyConstraint(
            ["churn_run_id"],
            ["ml.model_runs.run_id"],
            name=op.f("fk_customers_at_risk_churn_run_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["clv_run_id"],
            ["ml.model_runs.run_id"],
            name=op.f("fk_customers_at_risk_clv_run_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("churn_run_id", "risk_rank", name=op.f("pk_customers_at_risk")),
        schema="ml",
        comment="The customers with the most value at risk (churn probability x 12-month CLV) for the latest churn and CLV runs, ranked; rewritten when either succeeds.",
    )

    for name, _kind, text in VIEWS:
        query, _, statements = text.partition("\n;\n")
        op.execute(f"create view analytics.{name} as\n{query}")
        for statement in statements.strip().splitlines():
            op.execute(statement)
    for statement in BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    for name, _kind, _text in reversed(VIEWS):
        op.execute(f"drop view analytics.{name}")
    op.drop_table("customers_at_risk", schema="ml")
    op.drop_table("customer_segment_profiles", schema="ml")
    op.drop_table("clv_bands", schema="ml")
