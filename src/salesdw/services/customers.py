"""Customer services: RFM segments, cohort retention and summary figures of the customer base."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.services.filters import SALES_STATUSES, FilterError, Filters, check_known

__all__ = ["ActiveCustomers", "active_customers", "cohorts", "customer_summary_stats",
           "rfm_segments"]  # fmt: skip

_SEGMENT_MONEY = ("average_recency_days", "average_frequency", "average_monetary",
                  "net_revenue", "customer_share", "revenue_share")  # fmt: skip
_COHORT_MONEY = ("retention_rate", "net_revenue", "cumulative_net_revenue_per_customer")


def _floats(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """numeric columns arrive as Decimal objects; charts and arithmetic want floats."""
    return frame.astype({column: float for column in columns})


def _month(value: date | None, name: str) -> date | None:
    """The first day of value's month; FilterError unless value is a date (or None)."""
    if value is None:
        return None
    if not isinstance(value, date):
        raise FilterError(f"{name} must be a date such as 2024-01-01 (got {value!r})")
    return date(value.year, value.month, 1)


def rfm_segments(engine: Engine) -> pd.DataFrame:
    """One row per RFM segment with customers (analytics.rfm_segment_summary), the largest
    first; segments nobody falls in are left out."""
    query = """
        select * from analytics.rfm_segment_summary
        where customers > 0
        order by customers desc, segment
    """
    with engine.connect() as conn:
        frame = pd.read_sql(text(query), conn)
    return _floats(frame, _SEGMENT_MONEY)


def cohorts(
    engine: Engine,
    first_month: date | None = None,
    last_month: date | None = None,
    latest: int | None = None,
) -> pd.DataFrame:
    """Cohort retention (analytics.cohort_retention) for the cohorts whose month lies between
    first_month and last_month (inclusive; any day of a month stands for that month), and
    with `latest`, only the latest that many cohorts among them."""
    first, last = _month(first_month, "first_month"), _month(last_month, "last_month")
    if first is not None and last is not None and first > last:
        raise FilterError(f"first_month {first:%Y-%m} is after last_month {last:%Y-%m}")
    if latest is not None and (not isinstance(latest, int) or latest < 1):
        raise FilterError(f"latest must be a positive whole number of cohorts (got {latest!r})")
    query = """
        with
        chosen as (
            select *
            from analytics.cohort_retention
            where (cast(:first_month as date) is null or cohort_month >= :first_month)
                and (cast(:last_month as date) is null or cohort_month <= :last_month)
        ),
        ranked as (
            select *, dense_rank() over (order by cohort_month desc) as recency_rank
            from chosen
        )
        select * from ranked
        where cast(:latest as integer) is null or recency_rank <= :latest
        order by cohort_month, months_since_first
    """
    params = {"first_month": first, "last_month": last, "latest": latest}
    with engine.connect() as conn:
        frame = pd.read_sql(text(query), conn, params=params).drop(columns="recency_rank")
    return _floats(frame, _COHORT_MONEY)


def customer_summary_stats(engine: Engine) -> pd.DataFrame:
    """One row of figures about the customer base (analytics.customer_base): customers, buyers
    (customers with an order not cancelled), repeat buyers and their share of the buyers,
    churned buyers, and the averages per buyer, as of the day after the latest order."""
    with engine.connect() as conn:
        frame = pd.read_sql(text("select * from analytics.customer_base"), conn)
    return _floats(frame, ("repeat_buyer_share", "churn_rate", "average_orders",
                           "average_net_revenue", "average_order_value"))  # fmt: skip


@dataclass(frozen=True)
class ActiveCustomers:
    """Distinct customers with an order in a period (under the filters), and how many of them
    were new (their first order not cancelled fell in it) or returning."""

    customers: int
    new_customers: int

    @property
    def returning_customers(self) -> int:
        return self.customers - self.new_customers

    @property
    def repeat_rate(self) -> float | None:
        """Share of the period's customers who had ordered before it (docs/metrics.md)."""
        return self.returning_customers / self.customers if self.customers else None


#: The customers of a date range from analytics.active_customer_days, one index probe or two
#: per day: orders whose previous order is before the range count their customer once; the
#: null row of a day is its first orders (new customers), which every later row includes.
_ACTIVE_BY_DAY = """
    select
        coalesce(sum(coalesce(before.orders_through, first.orders_through)), 0) as customers,
        coalesce(sum(first.orders_through), 0) as new_customers
    from generate_series(cast(:start as date), cast(:end as date), interval '1 day')
        as days (day)
    left join lateral (
        select orders_through
        from analytics.active_customer_days
        where order_date = cast(days.day as date) and previous_order_date < :start
        order by previous_order_date desc
        limit 1
    ) as before on true
    left join lateral (
        select orders_through
        from analytics.active_customer_days
        where order_date = cast(days.day as date) and previous_order_date is null
    ) as first on true
"""

_ACTIVE_SCAN = """
    select
        count(distinct customer_id) as customers,
        count(distinct customer_id) filter (where is_first_order) as new_customers
    from analytics.order_customers
    where order_date between :start and :end
        and status = any(:statuses)
        and (cardinality(cast(:countries as text[])) = 0 or country_code = any(:countries))
        and (cardinality(cast(:channels as text[])) = 0 or channel = any(:channels))
        and (cardinality(cast(:categories as integer[])) = 0
            or category_mask & :category_mask <> 0)
"""


def active_customers(engine: Engine, filters: Filters) -> ActiveCustomers:
    """Distinct customers with an order in the filtered period. Under the date filter alone
    with the default statuses (every one but cancelled), from analytics.active_customer_days in
    a few milliseconds; under other filters, by counting them in analytics.order_customers
    (distinct counts cannot be added up from daily totals)."""
    bits = check_known(engine, filters)
    by_day = (not (filters.countries or filters.channels or filters.categories)
              and set(filters.statuses) == set(SALES_STATUSES))  # fmt: skip
    query = _ACTIVE_BY_DAY if by_day else _ACTIVE_SCAN
    with engine.connect() as conn:
        row = conn.execute(text(query), filters.params(bits)).mappings().one()
    return ActiveCustomers(int(row["customers"]), int(row["new_customers"]))
