"""`salesdw refresh`: rebuild the materialized views behind the analytics layer.

Views refresh in dependency order (read from the catalog, so a new view needs no list to be
kept), SALESDW_REFRESH_JOBS of them at once (default 2), each as soon as the views it reads are
built; of the views ready, the one heading the longest chain of builds still to do (timed by
their last refresh in ops.refresh_log) starts first, so the slow chain never waits behind short
views. A view that analytics exposes is rebuilt beside the one readers use and swapped in (see
db/rebuild.py): readers keep reading the previous data and never see an empty or half-built
view, at the cost of one build (REFRESH ... CONCURRENTLY would diff millions of rows). An
internal view (order_facts, order_line_facts: read only by the other views, during the refresh)
is refreshed in place. Each view is analyzed after its refresh, so the views built on it are
planned on true row counts. Each refresh is logged in ops.refresh_log, which
analytics.data_freshness shows. The RFM segment map is reloaded from seeds/rfm_segments.csv
first, so editing that file and refreshing changes the segments.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from graphlib import TopologicalSorter
from pathlib import Path

import psycopg

from salesdw.db.rebuild import NEXT_SUFFIX, SwapBlocked, rebuild_beside
from salesdw.errors import SalesdwError
from salesdw.settings import PROJECT_ROOT, Settings, get_settings

RFM_CSV = PROJECT_ROOT / "seeds" / "rfm_segments.csv"
RFM_COLUMNS = ("r_score", "f_score", "m_score", "segment", "description", "suggested_action")

__all__ = [
    "RefreshError",
    "RefreshResult",
    "chain_lengths",
    "has_views",
    "refresh",
    "view_dependencies",
    "views_in_order",
]


class RefreshError(SalesdwError):
    exit_code = 2


@dataclass(frozen=True)
class RefreshResult:
    view_name: str
    seconds: float
    rows: int
    #: "beside": rebuilt beside and swapped in (readers kept reading); "in place": an internal
    #: view, refreshed where it is
    method: str

    @property
    def readers_kept_reading(self) -> bool:
        return self.method == "beside"


def has_views(conn: psycopg.Connection) -> bool:
    """Whether the analytics migrations have run (mart holds materialized views)."""
    found = conn.execute(
        "select exists (select 1 from pg_matviews where schemaname = 'mart'"
        " and matviewname not like %s)",
        ["%" + NEXT_SUFFIX],
    )
    return bool(found.fetchone()[0])


def view_dependencies(conn: psycopg.Connection) -> dict[str, set[str]]:
    """mart's materialized views, each with the materialized views it reads, directly or
    through the analytics view that exposes it."""
    names = [r[0] for r in conn.execute(
        "select matviewname from pg_matviews where schemaname = 'mart' "
        "and matviewname not like %s order by 1",
        ["%" + NEXT_SUFFIX],
    )]  # fmt: skip
    edges = conn.execute(
        """
        with recursive reads as (
            -- relations (views and materialized views) each relation's query reads
            select distinct view.oid as reader, source.oid as source
            from pg_class as view
            inner join pg_rewrite as rule on rule.ev_class = view.oid
            inner join pg_depend as dep
                on dep.objid = rule.oid and dep.classid = 'pg_rewrite'::regclass
            inner join pg_class as source
                on source.oid = dep.refobjid and source.relkind in ('m', 'v')
                and source.oid <> view.oid
            where view.relnamespace in ('mart'::regnamespace, 'analytics'::regnamespace)
        ),
        reaches as (
            -- from each materialized view, through plain views, to the relations they read
            select reader as matview, source from reads
            inner join pg_class on pg_class.oid = reads.reader and pg_class.relkind = 'm'
            union
            select reaches.matview, reads.source
            from reaches
            inner join pg_class on pg_class.oid = reaches.source and pg_class.relkind = 'v'
            inner join reads on reads.reader = reaches.source
        )
        select distinct matview::regclass::text, source.relname
        from reaches
        inner join pg_class as source on source.oid = reaches.source and source.relkind = 'm'
        where source.relnamespace = 'mart'::regnamespace
        """
    ).fetchall()
    graph: dict[str, set[str]] = {name: set() for name in names}
    for view, source in edges:
        view = view.removeprefix("mart.")
        if view in graph and source in graph and view != source:
            graph[view].add(source)
    return graph


def views_in_order(conn: psycopg.Connection) -> list[str]:
    """mart's materialized views, each after every materialized view it reads."""
    sorter = TopologicalSorter(view_dependencies(conn))
    sorter.prepare()
    ordered: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())  # sorted: the same order every time
        ordered.extend(ready)
        sorter.done(*ready)
    return ordered


def load_rfm_segments(conn: psycopg.Connection, path: Path = RFM_CSV) -> int:
    """Replace mart.rfm_segment_map with the CSV, after checking it maps all 125 cells once."""
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = [tuple(row[c].strip() for c in RFM_COLUMNS) for row in csv.DictReader(fh)]
    except (OSError, KeyError) as exc:
        raise RefreshError(
            f"cannot read {path}: {exc}; it needs the columns {', '.join(RFM_COLUMNS)}"
        ) from exc
    cells = [(r, f, m) for r, f, m, *_ in rows]
    expected = {(str(r), str(f), str(m)) for r in range(1, 6) for f in range(1, 6)
                for m in range(1, 6)}  # fmt: skip
    if len(cells) != 125 or set(cells) != expected:
        missing = sorted(expected - set(cells))[:3]
        raise RefreshError(
            f"{path.name} must map each of the 125 (R, F, M) score combinations exactly once "
            f"(found {len(cells)} rows; missing e.g. {missing or 'none'}, duplicates "
            f"{len(cells) - len(set(cells))}); fix the file and run salesdw refresh again"
        )
    conn.execute("delete from mart.rfm_segment_map")
    with conn.cursor() as cur:
        cur.executemany("insert into mart.rfm_segment_map values (%s, %s, %s, %s, %s, %s)", rows)
    return len(rows)


def refresh(
    conninfo: str,
    *,
    only: str | None = None,
    settings: Settings | None = None,
    on_view: Callable[[str], None] | None = None,
    on_done: Callable[[RefreshResult], None] | None = None,
) -> list[RefreshResult]:
    """Refresh every materialized view (or just `only`), logging each in ops.refresh_log.

    Up to settings.refresh_jobs views build at once, each on its own connection, a view as
    soon as every view it reads is done. `on_view(name)` is called as a view starts and
    `on_done(result)` as it ends (from worker threads). The results come in dependency order.
    """
    settings = settings or get_settings()
    with psycopg.connect(conninfo) as conn:
        if not has_views(conn):
            raise RefreshError("the analytics views do not exist yet; run `salesdw migrate` first")
        graph = view_dependencies(conn)
        if only is not None and only not in graph:
            raise RefreshError(
                f"no materialized view named {only!r}; choose one of {', '.join(sorted(graph))}"
            )
        if only is None or only in {"customer_rfm", "rfm_segment_summary"}:
            load_rfm_segments(conn)
            conn.commit()
        coverage = _coverage(conn, graph, only)
        priority = chain_lengths(graph, _last_durations(conn))
    if only is not None:
        graph = {only: set()}
    order = {name: i for i, name in enumerate(_in_order(graph))}
    results = _refresh_graph(conninfo, graph, settings, coverage, priority, on_view, on_done)
    return sorted(results, key=lambda result: order[result.view_name])


#: The internal views that read core.orders; every view that covers orders reads one of them.
FACT_VIEWS = ("order_facts", "order_line_facts")

#: Planner settings for a view's build, where the planner's own choice is the slow one.
#: order_facts adds up the lines of each order as they stream in primary-key order and merges
#: them with the orders (see its .sql). Left alone, the planner hashes millions of orders'
#: totals (it underestimates the orders in order_items: the sample sees an order's lines
#: together), which spills to disk; without hashing but at the default random_page_cost it
#: sorts the lines rather than read them by key. Either way the build takes twice as long at
#: 10M orders (1.4x at 1M). random_page_cost 1.1 is the usual value for data in memory or on
#: SSD, which a refresh reads.
#: Four more views group millions of rows into millions of groups, where the planner's hash
#: tables spill to disk or, for order_periods' 23 grouping sets at 1M orders, hash every row 23
#: times: sorting is faster. Their queries alone (psql, alternated), sorted against hashed:
#: orders_daily 10.1 s against 15.0 s at 10M orders; order_periods 9.3 s against 14.1 s at 1M
#: orders, the same at 10M; product_sales_periods 33-37 s against 38-41 s and customer_summary
#: 13.1-13.4 s against 17.8-17.9 s at 10M orders.
_SORTED = {"enable_hashagg": "off"}
PLANNER_SETTINGS: dict[str, dict[str, str]] = {
    "order_facts": {**_SORTED, "random_page_cost": "1.1"},
    "orders_daily": _SORTED,
    "order_periods": _SORTED,
    "product_sales_periods": _SORTED,
    "customer_summary": _SORTED,
}


def _coverage(
    conn: psycopg.Connection, graph: dict[str, set[str]], only: str | None
) -> dict[str, datetime | None]:
    """The latest order time each view will cover (ops.refresh_log.data_through): in a full
    refresh, the newest order now for the fact views and every view built on them; with
    --only, what the fact views it reads were built with; none for views that read no orders."""
    newest = conn.execute("select max(ordered_at) from core.orders").fetchone()[0]
    coverage: dict[str, datetime | None] = {}
    for name in graph:
        facts = [view for view in FACT_VIEWS if view == name or view in _upstream(graph, name)]
        if not facts:
            coverage[name] = None
        elif only is None or only in FACT_VIEWS:
            coverage[name] = newest
        else:
            logged = [
                conn.execute(
                    "select data_through from ops.refresh_log where view_name = %s "
                    "and status = 'succeeded' order by refresh_id desc limit 1",
                    [view],
                ).fetchone()
                for view in facts
            ]
            known = [row[0] for row in logged if row and row[0]]
            coverage[name] = min(known) if len(known) == len(facts) else None
    return coverage


def _last_durations(conn: psycopg.Connection) -> dict[str, float]:
    """Seconds each view's last successful refresh took."""
    rows = conn.execute(
        "select distinct on (view_name) view_name, duration_ms from ops.refresh_log "
        "where status = 'succeeded' and duration_ms is not null "
        "order by view_name, refresh_id desc"
    ).fetchall()
    return {name: ms / 1000 for name, ms in rows}


def chain_lengths(graph: dict[str, set[str]], durations: dict[str, float]) -> dict[str, float]:
    """For each view, the longest chain of builds that starts with it: its own duration plus
    the longest chain among the views that read it. A view never timed counts as the average
    (or 1 s), so on a first refresh the chain with the most views goes first."""
    default = sum(durations.values()) / len(durations) if durations else 1.0
    readers: dict[str, set[str]] = {name: set() for name in graph}
    for name, sources in graph.items():
        for source in sources:
            readers.setdefault(source, set()).add(name)
    lengths: dict[str, float] = {}
    for name in reversed(_in_order(graph)):  # readers before the views they read
        lengths[name] = durations.get(name, default) + max(
            (lengths[reader] for reader in readers.get(name, ())), default=0.0
        )
    return lengths


def _upstream(graph: dict[str, set[str]], name: str) -> set[str]:
    """Every view `name` reads, directly or through others."""
    seen: set[str] = set()
    pending = list(graph.get(name, ()))
    while pending:
        source = pending.pop()
        if source not in seen:
            seen.add(source)
            pending.extend(graph.get(source, ()))
    return seen


def _in_order(graph: dict[str, set[str]]) -> list[str]:
    sorter = TopologicalSorter(graph)
    return list(sorter.static_order())


def _refresh_graph(
    conninfo: str,
    graph: dict[str, set[str]],
    settings: Settings,
    coverage: dict[str, datetime | None],
    priority: dict[str, float],
    on_view: Callable[[str], None] | None,
    on_done: Callable[[RefreshResult], None] | None,
) -> list[RefreshResult]:
    """Build the views of `graph` on up to settings.refresh_jobs connections, each once the
    views it reads are built, the ready view of highest `priority` first. A failure stops new
    builds; those running finish; it is raised."""

    def build(name: str) -> RefreshResult:
        if on_view:
            on_view(name)
        with psycopg.connect(conninfo) as conn:
            result = _refresh_one(conn, name, settings, coverage[name])
        if on_done:
            on_done(result)
        return result

    sorter = TopologicalSorter(graph)
    sorter.prepare()
    results: list[RefreshResult] = []
    failure: BaseException | None = None
    ready: list[str] = []
    with ThreadPoolExecutor(max_workers=settings.refresh_jobs) as pool:
        running: dict[Future[RefreshResult], str] = {}
        while True:
            if failure is None:
                ready.extend(sorter.get_ready())
                # longest chain first; by name on a tie, so the order is the same every time
                ready.sort(key=lambda view: (-priority.get(view, 0.0), view))
                while ready and len(running) < settings.refresh_jobs:
                    name = ready.pop(0)
                    running[pool.submit(build, name)] = name
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                name = running.pop(future)
                try:
                    results.append(future.result())
                except BaseException as exc:
                    failure = failure or exc
                else:
                    sorter.done(name)
    if failure is not None:
        raise failure
    return results


def _refresh_one(
    conn: psycopg.Connection, name: str, settings: Settings, data_through: datetime | None
) -> RefreshResult:
    exposed = conn.execute(
        "select to_regclass(format('analytics.%%I', %s::text)) is not null", [name]
    ).fetchone()[0]
    method = "beside" if exposed else "in place"
    # The views read these settings: local calendar days, and the churn window.
    view_settings = {
        "salesdw.timezone": settings.timezone,
        "salesdw.churn_days": str(settings.churn_days),
        "work_mem": settings.refresh_work_mem,
        **PLANNER_SETTINGS.get(name, {}),
    }
    started = time.perf_counter()
    try:
        if exposed:
            rows = rebuild_beside(conn, name, view_settings)
        else:
            for key, value in view_settings.items():
                conn.execute("select set_config(%s, %s, true)", [key, value])
            conn.execute(f"refresh materialized view mart.{name}")
            conn.execute(f"analyze mart.{name}")
            rows = conn.execute(f"select count(*) from mart.{name}").fetchone()[0]
        seconds = time.perf_counter() - started
        conn.execute(
            """
            insert into ops.refresh_log (view_name, started_at, finished_at, duration_ms,
                                         row_count, is_rebuilt_beside, status, data_through)
            values (%s, clock_timestamp() - make_interval(secs => %s), clock_timestamp(), %s,
                    %s, %s, 'succeeded', %s)
            """,
            [name, seconds, round(seconds * 1000), rows, exposed, data_through],
        )
        conn.commit()
    except (psycopg.Error, SwapBlocked) as exc:
        conn.rollback()
        conn.execute(
            "insert into ops.refresh_log"
            " (view_name, finished_at, is_rebuilt_beside, status, error)"
            " values (%s, clock_timestamp(), %s, 'failed', %s)",
            [name, exposed, str(exc)[:2000]],
        )
        conn.commit()
        if isinstance(exc, SwapBlocked):
            raise RefreshError(str(exc)) from exc
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RefreshError(f"refreshing {name} failed: {first_line}") from exc
    return RefreshResult(name, seconds, rows, method)
