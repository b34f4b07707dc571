"""Browse any analytics view, a page at a time, with the dashboard's filters applied to the
columns the view has (the period to its date column: order_date, traffic_date, month,
cohort_month, period_start...; country_code, channel, status, category), and as CSV.

View names are checked against the catalog before they reach SQL, and quoted as identifiers;
filter values are bound parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.services.filters import FilterError, Filters, check_known

__all__ = ["MAX_PAGE_SIZE", "ViewPage", "analytics_views", "view_page"]

MAX_PAGE_SIZE = 1000

#: The period filter, on the first of these date columns a view has: days in the range, or
#: the months or periods (of the view's period_grain) that overlap it. Forecasts (period_start
#: without a period_grain) lie after the data, so the period does not apply to them.
_DATE_CONDITIONS = {
    "order_date": "order_date between :start and :end",
    "traffic_date": "traffic_date between :start and :end",
    "anomaly_date": "anomaly_date between :start and :end",
    "month": "month between cast(date_trunc('month', cast(:start as date)) as date) and :end",
    "cohort_month": "cohort_month between cast(date_trunc('month', cast(:start as date)) as date) "
    "and :end",
    "period_start": "period_start <= :end "
    "and period_start + cast('1 ' || period_grain as interval) > :start",
}
#: Other filter conditions by the column they need; a view without the column is not filtered on
#: it. top_category_id is preferred to category_id where a view has both.
_CONDITIONS = {
    "country_code": "(cardinality(cast(:countries as text[])) = 0 "
    "or country_code = any(:countries))",
    "channel": "(cardinality(cast(:channels as text[])) = 0 or channel = any(:channels))",
    "status": "status = any(:statuses)",
    "top_category_id": "(cardinality(cast(:categories as integer[])) = 0 "
    "or top_category_id = any(:categories))",
    "category_id": "(cardinality(cast(:categories as integer[])) = 0 "
    "or category_id = any(:categories))",
}
#: Views whose `channel` is a marketing channel (organic_search...), not a sales channel.
_MARKETING_CHANNEL_VIEWS = {"channel_performance"}


@dataclass(frozen=True)
class ViewPage:
    """One page of a view: its rows, the rows in all under the filters, which filters applied
    (by column), the page shown and the number of pages. A page asked for past the last one
    shows the last; `requested` keeps the number asked for."""

    rows: pd.DataFrame
    total_rows: int
    filtered_on: tuple[str, ...]
    page: int = 1
    pages: int = 1
    requested: int = 1

    @property
    def is_past_the_end(self) -> bool:
        return self.requested > self.pages


def _applied(view: str, columns: list[str]) -> tuple[str, ...]:
    """The columns the filters apply to in a view with these columns."""
    dated = [c for c in _DATE_CONDITIONS if c in columns
             and (c != "period_start" or "period_grain" in columns)][:1]  # fmt: skip
    others = [c for c in _CONDITIONS if c in columns]
    if "top_category_id" in others and "category_id" in others:
        others.remove("category_id")
    if view in _MARKETING_CHANNEL_VIEWS and "channel" in others:
        others.remove("channel")
    return (*dated, *others)


def analytics_views(engine: Engine) -> pd.DataFrame:
    """Every view in the analytics schema, with its description (the view's comment)."""
    with engine.connect() as conn:
        return pd.read_sql(text("""
            select c.relname as view_name, obj_description(c.oid, 'pg_class') as description
            from pg_class as c
            where c.relnamespace = 'analytics'::regnamespace and c.relkind = 'v'
            order by 1
        """), conn)  # fmt: skip


def _columns(engine: Engine, view: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text("""
            select column_name from information_schema.columns
            where table_schema = 'analytics' and table_name = :view
            order by ordinal_position
        """), {"view": view}).scalars())  # fmt: skip


def view_page(
    engine: Engine, filters: Filters | None, view: str, page: int = 1, page_size: int = 100,
) -> ViewPage:  # fmt: skip
    """Rows `page` (from 1; past the last page, the last page) of `view`, `page_size` at a
    time, ordered by its columns from the first (so each row is on one page), filtered by
    `filters` where the view has the columns."""
    names = set(analytics_views(engine)["view_name"])
    if view not in names:
        raise FilterError(f"no analytics view named {view!r}; see analytics_views()")
    if not isinstance(page, int) or page < 1:
        raise FilterError(f"page must be a whole number from 1 (got {page!r})")
    if not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise FilterError(f"page_size must be from 1 to {MAX_PAGE_SIZE} (got {page_size!r})")
    columns = _columns(engine, view)
    applied = _applied(view, columns) if filters else ()
    conditions = {**_DATE_CONDITIONS, **_CONDITIONS}
    where = " and ".join(conditions[c] for c in applied) or "true"
    params = filters.params(check_known(engine, filters)) if filters else {}
    quoted = '"' + view.replace('"', '""') + '"'  # a known name, quoted all the same
    # by every column, first ones first: rows that tie on the first columns (a view's key is
    # often longer) would otherwise come in any order, some on two pages and some on none
    order = ", ".join(str(i) for i in range(1, len(columns) + 1))
    with engine.connect() as conn:
        total = int(conn.execute(
            text(f"select count(*) from analytics.{quoted} where {where}"), params
        ).scalar_one())  # fmt: skip
        pages = max(1, -(-total // page_size))
        shown = min(page, pages)
        rows = pd.read_sql(
            text(f"select * from analytics.{quoted} where {where} order by {order} "
                 "limit :limit offset :offset"),
            conn,
            params={**params, "limit": page_size, "offset": (shown - 1) * page_size},
        )  # fmt: skip
    return ViewPage(rows, total, applied, shown, pages, page)
