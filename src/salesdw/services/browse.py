"""Browse any analytics view, a page at a time, with the dashboard's filters applied to the
columns the view has (order_date, country_code, channel, status, category_id), and as CSV.

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

#: Filter conditions by the column they need; a view without the column is not filtered on it.
_CONDITIONS = {
    "order_date": "order_date between :start and :end",
    "country_code": "(cardinality(cast(:countries as text[])) = 0 "
    "or country_code = any(:countries))",
    "channel": "(cardinality(cast(:channels as text[])) = 0 or channel = any(:channels))",
    "status": "status = any(:statuses)",
    "category_id": "(cardinality(cast(:categories as integer[])) = 0 "
    "or category_id = any(:categories))",
}


@dataclass(frozen=True)
class ViewPage:
    """One page of a view: its rows, the rows in all under the filters, and which filters
    applied."""

    rows: pd.DataFrame
    total_rows: int
    filtered_on: tuple[str, ...]


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
    """Rows `page` (from 1) of `view`, `page_size` at a time, in the view's key order (its
    first columns), filtered by `filters` where the view has the columns."""
    names = set(analytics_views(engine)["view_name"])
    if view not in names:
        raise FilterError(f"no analytics view named {view!r}; see analytics_views()")
    if not isinstance(page, int) or page < 1:
        raise FilterError(f"page must be a whole number from 1 (got {page!r})")
    if not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise FilterError(f"page_size must be from 1 to {MAX_PAGE_SIZE} (got {page_size!r})")
    columns = _columns(engine, view)
    applied = tuple(c for c in _CONDITIONS if c in columns) if filters else ()
    where = " and ".join(_CONDITIONS[c] for c in applied) or "true"
    params = filters.params(check_known(engine, filters)) if filters else {}
    quoted = '"' + view.replace('"', '""') + '"'  # a known name, quoted all the same
    order = ", ".join(str(i) for i in range(1, min(len(columns), 3) + 1))
    with engine.connect() as conn:
        total = conn.execute(
            text(f"select count(*) from analytics.{quoted} where {where}"), params
        ).scalar_one()
        rows = pd.read_sql(
            text(f"select * from analytics.{quoted} where {where} order by {order} "
                 "limit :limit offset :offset"),
            conn,
            params={**params, "limit": page_size, "offset": (page - 1) * page_size},
        )  # fmt: skip
    return ViewPage(rows, int(total), applied)
