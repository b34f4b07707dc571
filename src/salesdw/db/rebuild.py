"""Rebuild a materialized view beside the one readers use, then swap it in.

REFRESH ... CONCURRENTLY keeps readers reading, but it computes the whole new result and then
diffs it row by row against the old one: on views of a million rows it costs several times the
build itself. Rebuilding beside (the way dbt materializes a table) costs one build: the new data
goes into mart.<name>__next, built, indexed and analyzed while readers keep reading the old
data, and a short transaction then points analytics.<name> at it and drops the old one.

The swap needs a moment's exclusive lock on analytics.<name>. It waits for the queries already
reading it (a dashboard query takes milliseconds) and gives up after LOCK_WAIT, so it never
holds new readers up for longer than that; it then tries again, backing off, for a minute and
a half. A query that holds the view longer than that (a long BI export) makes the refresh fail
with a message naming it, rather than queueing every other reader behind the swap.
"""

from __future__ import annotations

import re
import time

import psycopg
from psycopg import sql

from salesdw.errors import SalesdwError

__all__ = ["NEXT_SUFFIX", "SwapBlocked", "rebuild_beside"]

NEXT_SUFFIX = "__next"
LOCK_WAIT = "200ms"
ATTEMPTS = 60
MAX_PAUSE = 2.0  # seconds between attempts, at most: about 90 s in all


class SwapBlocked(SalesdwError):
    """A long query kept the view locked for every attempt."""


_INDEX_TARGET = re.compile(r"^(CREATE (?:UNIQUE )?INDEX) (\S+) (ON .*)$", re.S)


def rebuild_beside(conn: psycopg.Connection, name: str, settings: dict[str, str]) -> int:
    """Build mart.<name>__next from mart.<name>'s definition and swap it in for readers of
    analytics.<name>. `settings` are set for the build (the views read them). Returns the rows
    built (the server counts them as it writes: no count(*) of millions of rows afterwards)."""
    build = sql.Identifier(name + NEXT_SUFFIX)
    current = sql.Identifier(name)
    definition = conn.execute(
        "select pg_get_viewdef(format('mart.%%I', %s::text)::regclass)", [name]
    ).fetchone()[0]
    indexes = conn.execute(
        "select indexname, indexdef from pg_indexes "
        "where schemaname = 'mart' and tablename = %s order by indexname",
        [name],
    ).fetchall()
    comment = conn.execute(
        "select obj_description(format('mart.%%I', %s::text)::regclass, 'pg_class')", [name]
    ).fetchone()[0]

    for key, value in settings.items():
        conn.execute("select set_config(%s, %s, true)", [key, value])
    conn.execute(sql.SQL("drop materialized view if exists mart.{}").format(build))
    rows = conn.execute(
        sql.SQL("create materialized view mart.{} as {}").format(build, sql.SQL(definition))
    ).rowcount
    for _, indexdef in indexes:
        head, _, target = _INDEX_TARGET.match(indexdef).groups()
        target = target.replace(f"ON mart.{name} ", f"ON mart.{name}{NEXT_SUFFIX} ", 1)
        conn.execute(f"{head} {target}")  # unnamed: PostgreSQL names it after the new view
    conn.execute(sql.SQL("analyze mart.{}").format(build))
    conn.commit()

    for attempt in range(ATTEMPTS):
        try:
            conn.execute(f"set local lock_timeout = '{LOCK_WAIT}'")
            _swap(conn, name, build, current, indexes, comment)
            conn.commit()
            return rows
        except psycopg.errors.LockNotAvailable:
            conn.rollback()
            time.sleep(min(0.05 * (attempt + 1), MAX_PAUSE))
    raise SwapBlocked(
        f"could not swap in the new analytics.{name}: {_holders(conn, name)} kept it locked "
        f"through {ATTEMPTS} attempts; the new data waits in mart.{name}{NEXT_SUFFIX}: run "
        f"`salesdw refresh --only {name}` when that query has finished"
    )


def _holders(conn: psycopg.Connection, name: str) -> str:
    """Who holds a lock on analytics.<name>: pid, user and for how long, for the message."""
    rows = conn.execute(
        """
        select activity.pid, activity.usename, now() - activity.query_start
        from pg_locks as locks
        inner join pg_stat_activity as activity on activity.pid = locks.pid
        where locks.relation = format('analytics.%%I', %s::text)::regclass
            and locks.granted and activity.pid <> pg_backend_pid()
        order by 3 desc
        """,
        [name],
    ).fetchall()
    conn.rollback()
    if not rows:
        return "another query"
    pid, user, running = rows[0]
    return f"a query of {user} (pid {pid}, running for {running.total_seconds():.0f} s)"


def _index_target(indexdef: str) -> str:
    """An index definition without its name: what it indexes, and how."""
    head, _, target = _INDEX_TARGET.match(indexdef).groups()
    return f"{head} {target}"


def _swap(
    conn: psycopg.Connection,
    name: str,
    build: sql.Identifier,
    current: sql.Identifier,
    indexes: list[tuple[str, str]],
    comment: str | None,
) -> None:
    # The view first: its lock makes new readers wait (briefly) and the old data free to drop.
    conn.execute(
        sql.SQL("create or replace view analytics.{} as select * from mart.{}").format(
            current, build
        )
    )
    conn.execute(sql.SQL("drop materialized view mart.{}").format(current))
    conn.execute(sql.SQL("alter materialized view mart.{} rename to {}").format(build, current))
    # Keep the index names stable: the new ones were named after mart.<name>__next. After the
    # rename an old index and its new twin have the same definition but for their names.
    old_names = {_index_target(indexdef): index_name for index_name, indexdef in indexes}
    for new_name, indexdef in conn.execute(
        "select indexname, indexdef from pg_indexes where schemaname = 'mart' and tablename = %s",
        [name],
    ).fetchall():
        old_name = old_names.get(_index_target(indexdef))
        if old_name and old_name != new_name:
            conn.execute(
                sql.SQL("alter index mart.{} rename to {}").format(
                    sql.Identifier(new_name), sql.Identifier(old_name)
                )
            )
    if comment is not None:
        conn.execute(
            sql.SQL("comment on materialized view mart.{} is {}").format(
                current, sql.Literal(comment)
            )
        )
