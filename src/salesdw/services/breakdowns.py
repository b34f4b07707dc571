"""Sales broken down: by country, category, channel or status, in total or per period; the
same range a year before; the daily trend with its moving average.

Like the KPIs, each reads the period rollups through salesdw.services.rollups, so the cost does
not grow with the warehouse. Orders by category count an order once in each category it has
lines in (so they add up to more than the orders in all).
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.services.filters import FilterError, Filters, check_known
from salesdw.services.rollups import DIMENSIONS, covering, serial_reads
from salesdw.services.sales import GRAINS, TREND_TILES, sales_trend

__all__ = [
    "DIMENSIONS",
    "OTHER_LABELS",
    "OTHER_MEMBER",
    "country_categories",
    "daily_trend",
    "sales_breakdown",
    "year_over_year",
]


#: SQL for each dimension's member in the sales rows, and its label.
_MEMBER = {
    "status": ("rows.status", "rows.status"),
    "country": ("rows.country_code", "coalesce(countries.name, 'Unknown')"),
    "channel": ("rows.channel", "rows.channel"),
    "category": ("rows.category_id::text", "bits.category_name"),
}


def _period(grain: str | None) -> str:
    return "date_trunc(:grain, rows.period_start)::date" if grain else "null::date"


#: The member and label of everything outside the top members (sales_breakdown(top=...)).
OTHER_MEMBER = "other"
OTHER_LABELS = {"status": "Other statuses", "country": "Other countries",
                "channel": "Other channels", "category": "Other categories"}  # fmt: skip


def sales_breakdown(
    engine: Engine,
    filters: Filters,
    by: str,
    grain: str | None = None,
    top: int | None = None,
    *,
    orders: bool = True,
) -> pd.DataFrame:
    """Net revenue, gross profit, units and orders per member of `by` (status, country,
    channel or category) within the filters; per day, week, month or quarter when `grain` is
    given (column period, else null). Members without sales are left out.

    With `top`, the `top` members with the most net revenue over the whole range keep their
    rows and every other member is added up into one member 'other' (label OTHER_LABELS[by],
    e.g. 'Other countries'), per period; it comes last within each period.

    orders=False leaves the orders column out, and its cost: under a category filter, orders are
    counted from every set of categories of each day (hundreds of rows a day), while the money is
    added up per category (a few dozen)."""
    if by not in DIMENSIONS:
        raise FilterError(f"cannot break sales down by {by!r}; choose from {', '.join(DIMENSIONS)}")
    if grain is not None and grain not in GRAINS:
        raise FilterError(f"unknown grain {grain!r}; choose from {', '.join(GRAINS)}")
    if top is not None and (not isinstance(top, int) or not 1 <= top <= 250):
        raise FilterError(f"top must be a whole number from 1 to 250 (got {top!r})")
    bits = check_known(engine, filters)
    tiles = TREND_TILES[grain] if grain else None
    kwargs = {"by": by, **({"grains": tiles} if tiles else {})}
    money = covering("sales", filters, bits, **kwargs)
    counts = covering("orders", filters, bits, **kwargs)
    member, label = _MEMBER[by]
    if by == "category":
        # sales rows carry the category; order rows a mask of the categories of each order
        money_join = (
            "inner join analytics.category_bits as bits on bits.category_id = rows.category_id"
        )
        count_join = (
            "inner join analytics.category_bits as bits "
            "on rows.category_mask & (1::bigint << bits.category_bit) <> 0 "
            # under a category filter, only the selected categories are members
            "and (cardinality(cast(:categories as integer[])) = 0 "
            "or bits.category_id = any(:categories))"
        )
        count_member, count_label = "bits.category_id::text", "bits.category_name"
    else:
        money_join = count_join = (
            "left join analytics.countries on countries.country_code = rows.country_code"
        )
        count_member, count_label = member, label
    # both coverings take the same parameters (the same filters and tiling)
    counted = (
        f"""
            select {_period(grain)} as period, {count_member} as member,
                   {count_label} as label, sum(rows.orders) as orders
            from ({counts.sql}) as rows
            {count_join}
            group by 1, 2, 3
        """
        if orders
        else "select null::date as period, null::text as member, null::text as label, "
        "0::bigint as orders where false"
    )
    query = f"""
        with
        money as (
            select {_period(grain)} as period, {member} as member, {label} as label,
                   sum(rows.net_revenue) as net_revenue, sum(rows.gross_profit) as gross_profit,
                   sum(rows.units) as units
            from ({money.sql}) as rows
            {money_join}
            group by 1, 2, 3
        ),
        counts as ({counted})
        select
            coalesce(money.period, counts.period) as period,
            coalesce(money.member, counts.member) as member,
            coalesce(money.label, counts.label) as label,
            coalesce(money.net_revenue, 0) as net_revenue,
            coalesce(money.gross_profit, 0) as gross_profit,
            coalesce(money.units, 0) as units,
            coalesce(counts.orders, 0) as orders
        from money
        full join counts
            -- null members (orders without a country) and periods match their like
            on coalesce(counts.member, '') = coalesce(money.member, '')
            and coalesce(counts.period, date '0001-01-01')
                = coalesce(money.period, date '0001-01-01')
    """
    if top is None:
        query += " order by 1, 4 desc, 2"
    else:
        query = f"""
            with
            members as ({query}),
            ranked as (
                select member, row_number() over (
                    order by sum(net_revenue) desc, member nulls last) as rank
                from members
                group by 1
            ),
            lumped as (
                select
                    members.period,
                    case when ranked.rank <= :top then members.member else :other end as member,
                    case when ranked.rank <= :top then members.label else :other_label end
                        as label,
                    bool_or(ranked.rank > :top) as is_other,
                    sum(members.net_revenue) as net_revenue,
                    sum(members.gross_profit) as gross_profit,
                    sum(members.units) as units,
                    sum(members.orders) as orders
                from members
                inner join ranked
                    on coalesce(ranked.member, '') = coalesce(members.member, '')
                group by 1, 2, 3
            )
            select period, member, label, net_revenue, gross_profit, units, orders
            from lumped
            order by 1, is_other, 4 desc, 2
        """
    params = {**money.params, "grain": grain, "top": top, "other": OTHER_MEMBER,
              "other_label": OTHER_LABELS[by]}  # fmt: skip
    with serial_reads(engine) as conn:
        frame = pd.read_sql(text(query), conn, params=params)
    frame = frame.astype({"net_revenue": float, "gross_profit": float, "units": int,
                          "orders": int})  # fmt: skip
    return frame if orders else frame.drop(columns="orders")


def country_categories(engine: Engine, filters: Filters, top: int = 10) -> pd.DataFrame:
    """Net revenue per country and top-level category for the `top` countries by net revenue
    (for a treemap country -> category)."""
    if not isinstance(top, int) or not 1 <= top <= 250:
        raise FilterError(f"top must be a whole number from 1 to 250 (got {top!r})")
    bits = check_known(engine, filters)
    money = covering("sales", filters, bits, by="category", by_country=True)
    query = f"""
        with
        cells as (
            select rows.country_code, rows.category_id, sum(rows.net_revenue) as net_revenue
            from ({money.sql}) as rows
            where rows.country_code is not null
            group by 1, 2
        ),
        ranked as (
            select *, dense_rank() over (order by country_total desc, country_code) as rank
            from (select *, sum(net_revenue) over (partition by country_code) as country_total
                  from cells) as totals
        )
        select ranked.country_code, countries.name as country_name, ranked.category_id,
               bits.category_name, ranked.net_revenue
        from ranked
        inner join analytics.countries on countries.country_code = ranked.country_code
        inner join analytics.category_bits as bits on bits.category_id = ranked.category_id
        where ranked.rank <= :top
        order by ranked.rank, ranked.net_revenue desc
    """
    with serial_reads(engine) as conn:
        frame = pd.read_sql(text(query), conn, params={**money.params, "top": top})
    return frame.astype({"net_revenue": float})


def _a_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def year_over_year(engine: Engine, filters: Filters, grain: str = "month") -> pd.DataFrame:
    """The trend of the filtered range beside the same range a year before, period by period:
    net_revenue, gross_profit, units and orders of each period, and previous_period with
    previous_* of the matching period a year earlier (matched by position in the range).
    By week, a year before is 52 weeks (364 days) before: the same weekdays, so each week of
    the range, partial ones at its ends too, has a week of the same days to compare with."""
    if grain not in GRAINS:
        raise FilterError(f"unknown grain {grain!r}; choose from {', '.join(GRAINS)}")
    if grain == "week":
        start, end = filters.start - timedelta(days=364), filters.end - timedelta(days=364)
    else:
        start, end = _a_year_before(filters.start), _a_year_before(filters.end)
    previous = Filters(start, end, filters.countries, filters.categories, filters.channels,
                       filters.statuses)  # fmt: skip
    now = sales_trend(engine, filters, grain)
    before = sales_trend(engine, previous, grain)
    # the nth period of the range beside the nth period of the range a year before: weeks of
    # two years do not fall on the same dates, but they line up by position
    now["position"] = _positions(now["period"], filters.start, grain)
    before["position"] = _positions(before["period"], previous.start, grain)
    before = before.add_prefix("previous_").rename(columns={"previous_position": "position"})
    merged = now.merge(before, on="position", how="outer").sort_values("position")
    return merged.drop(columns="position").reset_index(drop=True)


def _positions(periods: pd.Series, start: date, grain: str) -> pd.Series:
    """How many periods of `grain` each period lies after the one holding `start`."""
    days = pd.to_datetime(periods)
    first = pd.Timestamp(start)
    if grain == "day":
        return (days - first).dt.days
    if grain == "week":
        monday = first - pd.Timedelta(days=first.day_of_week)
        return (days - monday).dt.days // 7
    months = (days.dt.year - first.year) * 12 + days.dt.month - first.month
    return months if grain == "month" else (months + (first.month - 1) % 3) // 3


def daily_trend(
    engine: Engine, filters: Filters, window: int = 7, *, orders: bool = True
) -> pd.DataFrame:
    """Net revenue and orders per day of the range (days without sales as 0), with the moving
    average of net revenue over the `window` days ending on each day (fewer at the start).

    orders=False leaves the orders column out, and its cost: under a category filter, orders are
    counted from every set of categories of each day (hundreds of rows a day), while net revenue
    is added up per category (a few dozen)."""
    if not isinstance(window, int) or not 1 <= window <= 90:
        raise FilterError(f"window must be a whole number of days from 1 to 90 (got {window!r})")
    bits = check_known(engine, filters)
    lead_in = Filters(filters.start - timedelta(days=window - 1), filters.end, filters.countries,
                      filters.categories, filters.channels, filters.statuses)  # fmt: skip
    money = covering("sales", lead_in, bits, grains=("day",))
    counts = covering("orders", lead_in, bits, grains=("day",))
    # both coverings take the same parameters (the same filters and tiling)
    counted = (
        f"select period_start as day, sum(orders) as orders from ({counts.sql}) as rows group by 1"
        if orders
        else "select null::date as day, 0::bigint as orders where false"
    )
    query = f"""
        with
        days as (
            select generate_series(cast(:lead_start as date), cast(:end as date),
                                   interval '1 day')::date as day
        ),
        money as (
            select period_start as day, sum(net_revenue) as net_revenue
            from ({money.sql}) as rows group by 1
        ),
        counts as ({counted}),
        daily as (
            select days.day, coalesce(money.net_revenue, 0) as net_revenue,
                   coalesce(counts.orders, 0) as orders
            from days
            left join money on money.day = days.day
            left join counts on counts.day = days.day
        ),
        averaged as (
            select *, avg(net_revenue) over (
                order by day rows between :preceding preceding and current row
            ) as net_revenue_moving_average
            from daily
        )
        select * from averaged where day >= :first_day order by day
    """
    params = {**money.params, "lead_start": lead_in.start, "first_day": filters.start,
              "preceding": window - 1}  # fmt: skip
    with serial_reads(engine) as conn:
        frame = pd.read_sql(text(query), conn, params=params)
    frame = frame.astype({"net_revenue": float, "net_revenue_moving_average": float,
                          "orders": int})  # fmt: skip
    return frame if orders else frame.drop(columns="orders")
