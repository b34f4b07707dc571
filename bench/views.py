"""Benchmark of the analytics layer: refresh time, service latency, and reads during a refresh.

1. A scratch database `salesdw_bench_views_<pid>`, migrated and seeded at --scale (default
   medium; large for the real goal), not timed; or --reuse DBNAME, an existing seeded database
   (keep one with --keep, so a large run need not seed again).
2. Full refresh of every view (`salesdw.refresh.refresh`: exposed views rebuilt beside and
   swapped in), timed per view. Goal: 20 s or less at medium, 3 minutes or less at large.
   Baseline: REFRESH MATERIALIZED VIEW CONCURRENTLY of the same views, in the same order.
   --no-refresh (with --reuse and --no-load) skips it: the services are timed on the views as
   they are, e.g. after `alembic downgrade`, to compare two revisions' views.
3. The views vacuumed (not timed: what autovacuum does in the minutes after a refresh), then
   service latency over --samples (default 200) random filter sets (7 to 730 days inside the
   data, 0-3 countries with sales, 0-2 top-level categories, 0-2 channels, default statuses or
   with cancelled): kpis, sales_trend (random grain) and every public function of
   services.products, geo, customers and channels that exists when it runs (found with inspect;
   a missing module is skipped with a note). p50, p95 and max per service; goal p95 50 ms or
   less at large. Baseline: the same KPIs (both periods) computed straight from core in SQL over
   the same filter sets (within --core-budget seconds), checked against the service's numbers.
   3b. Distinct customers of the dashboard's date presets (last 30, 90, 365 and 730 days, the
   date filter alone): active_customers, which reads analytics.active_customer_days, one row
   per day; baseline: the count(distinct) over analytics.order_customers it runs under any
   other filter. Median of 5 (3 for the baseline); the counts must agree.
4. Refresh under load: 8 reader threads (psycopg, autocommit) loop over count(*) of every
   analytics view over a materialized view and a dashboard KPI query while a full refresh runs:
   errors and empty results (goal 0 each), reads done, worst read latency; baseline: the same
   loop with no refresh running.

Scratch databases live on the configured server (the embedded one unless DATABASE_URL is set)
and are dropped at the end unless --keep; the `salesdw` database is never touched. Timings are
noisy on shared machines, so read the ratios; nothing is asserted. From the repository root:

    .venv/bin/python bench/views.py [--scale medium|large] [--reuse DB] [--keep] [--samples N]
        [--no-concurrent-baseline] [--no-load] [--no-refresh]
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import math
import os
import random
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import psycopg
from psycopg.rows import dict_row
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine

from salesdw import migrate
from salesdw.db.connect import database_url, libpq_url
from salesdw.generate import SCALES, resolve_options, seed_warehouse
from salesdw.refresh import RefreshResult, refresh, views_in_order
from salesdw.schema import ORDER_CHANNELS
from salesdw.services import GRAINS, Filters, KpiComparison, kpis, sales_trend
from salesdw.services.customers import _ACTIVE_SCAN, active_customers
from salesdw.services.filters import SALES_STATUSES
from salesdw.settings import get_settings

SERVICE_MODULES = ("products", "geo", "customers", "channels")
REFRESH_GOAL_S = {"medium": 20.0, "large": 180.0}
P95_GOAL_MS = 50.0
READERS = 8
KPI_FIELDS = ("gross_revenue", "discounts", "refunds", "net_revenue", "cogs", "gross_profit",
              "units", "orders", "new_customers")  # fmt: skip

Service = Callable[[Engine, Filters, random.Random], object]
Row = tuple[str, str, str, str, str]

#: The KPIs of the filtered period and the one before it, straight from core: what the kpis
#: service reads from sales_daily and orders_daily, with the same definitions (docs/metrics.md).
CORE_KPIS = """
with recursive

category_tree as (
    select
        category_id,
        category_id as top_category_id,
        parent_category_id
    from core.categories
    union all
    select
        category_tree.category_id,
        parent.category_id as top_category_id,
        parent.parent_category_id
    from category_tree
    inner join core.categories as parent
        on parent.category_id = category_tree.parent_category_id
),

top_categories as (
    select
        category_id,
        top_category_id
    from category_tree
    where parent_category_id is null
),

orders as (
    select
        order_id,
        customer_id,
        ordered_at,
        status,
        discount_amount as order_discount,
        (ordered_at at time zone %(tz)s)::date >= %(start)s as is_current
    from core.orders
    where ordered_at >= %(previous_start)s::timestamp at time zone %(tz)s
        and ordered_at < (%(end)s + 1)::timestamp at time zone %(tz)s
        and status = any(%(statuses)s::text[])
        and (cardinality(%(countries)s::text[]) = 0
            or shipping_country_code = any(%(countries)s::text[]))
        and (cardinality(%(channels)s::text[]) = 0 or channel = any(%(channels)s::text[]))
),

order_lines as (
    select
        order_items.order_id,
        top_categories.top_category_id as category_id,
        order_items.quantity,
        order_items.quantity * order_items.unit_price as gross_revenue,
        order_items.discount_amount as line_discount,
        order_items.refund_amount,
        (order_items.quantity - order_items.returned_quantity) * order_items.unit_cost as cogs,
        -- the order discount's share in whole cents (docs/metrics.md): cumulative rounding
        -- by line value, by position when the order is worth nothing, as order_line_facts does
        -- (multiplied before dividing, so a half cent is exact and rounds up)
        round(coalesce(
            orders.order_discount * 100 * sum(order_items.quantity * order_items.unit_price)
                over running / nullif(sum(order_items.quantity * order_items.unit_price)
                over whole, 0),
            orders.order_discount * 100 * count(*) over running / count(*) over whole
        ))
        - round(coalesce(
            orders.order_discount * 100 * (sum(order_items.quantity * order_items.unit_price)
                over running - order_items.quantity * order_items.unit_price)
                / nullif(sum(order_items.quantity * order_items.unit_price) over whole, 0),
            orders.order_discount * 100 * (count(*) over running - 1) / count(*) over whole
        )) as order_discount_share_cents
    from core.order_items
    inner join orders on orders.order_id = order_items.order_id
    inner join core.products on products.product_id = order_items.product_id
    inner join top_categories on top_categories.category_id = products.category_id
    window
        running as (partition by order_items.order_id order by order_items.line_number
                    rows unbounded preceding),
        whole as (partition by order_items.order_id)
),

money as (
    select
        orders.is_current,
        sum(order_lines.gross_revenue) as gross_revenue,
        sum(order_lines.line_discount + order_lines.order_discount_share_cents / 100)
            as discounts,
        sum(order_lines.refund_amount) as refunds,
        sum(order_lines.gross_revenue - order_lines.line_discount
            - order_lines.order_discount_share_cents / 100 - order_lines.refund_amount)
            as net_revenue,
        sum(order_lines.cogs) as cogs,
        sum(order_lines.quantity) as units
    from order_lines
    inner join orders on orders.order_id = order_lines.order_id
    where cardinality(%(categories)s::integer[]) = 0
        or order_lines.category_id = any(%(categories)s::integer[])
    group by 1
),

counted_orders as (
    select
        orders.is_current,
        count(*) as orders,
        count(*) filter (
            where orders.status <> 'cancelled' and not exists (
                select 1
                from core.orders as earlier
                where earlier.customer_id = orders.customer_id
                    and earlier.status <> 'cancelled'
                    and (earlier.ordered_at, earlier.order_id)
                    < (orders.ordered_at, orders.order_id)
            )
        ) as new_customers
    from orders
    where cardinality(%(categories)s::integer[]) = 0
        or exists (
            select 1
            from order_lines
            where order_lines.order_id = orders.order_id
                and order_lines.category_id = any(%(categories)s::integer[])
        )
    group by 1
),

final as (
    select
        periods.is_current,
        coalesce(money.gross_revenue, 0) as gross_revenue,
        coalesce(money.discounts, 0) as discounts,
        coalesce(money.refunds, 0) as refunds,
        coalesce(money.net_revenue, 0) as net_revenue,
        coalesce(money.cogs, 0) as cogs,
        coalesce(money.net_revenue - money.cogs, 0) as gross_profit,
        coalesce(money.units, 0) as units,
        coalesce(counted_orders.orders, 0) as orders,
        coalesce(counted_orders.new_customers, 0) as new_customers
    from (values (true), (false)) as periods (is_current)
    left join money on money.is_current = periods.is_current
    left join counted_orders on counted_orders.is_current = periods.is_current
)

select * from final
"""

#: The dashboard's headline query, as the reader threads run it during a refresh.
DASHBOARD_KPIS = """
select
    (select coalesce(sum(net_revenue), 0) from analytics.sales_daily
     where order_date between %(start)s and %(end)s and status <> 'cancelled') as net_revenue,
    (select coalesce(sum(orders), 0) from analytics.orders_daily
     where order_date between %(start)s and %(end)s and status <> 'cancelled') as orders
"""


def say(text: str = "") -> None:
    print(text, flush=True)


def conninfo(url: URL) -> str:
    return libpq_url(url, hide_password=False)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


@contextmanager
def bench_database(server: URL, args: argparse.Namespace) -> Iterator[URL]:
    """The reused database, or a fresh scratch one, migrated and seeded (dropped unless --keep)."""
    if args.reuse:
        if args.reuse == server.database:
            sys.exit(f"error: --reuse {args.reuse} is the warehouse itself; use a scratch database")
        say(f"    reusing database {args.reuse} (not seeded, not dropped)")
        yield server.set(database=args.reuse)
        return
    name = f"salesdw_bench_views_{os.getpid()}"
    admin = conninfo(server.set(database="postgres"))
    url = server.set(database=name)
    keep = False
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
            conn.execute(f'create database "{name}"')
        engine = create_engine(url)
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()
        started = time.perf_counter()
        result = seed_warehouse(conninfo(url), resolve_options(scale=args.scale))
        say(f"    {name}: {args.scale} seed, {result.rows['core.orders']:,} orders, "
            f"{sum(result.rows.values()):,} rows in {time.perf_counter() - started:.0f} s "
            "(not timed)")  # fmt: skip
        if args.keep:
            say(f"    kept at the end (--keep): rerun with --reuse {name}")
        else:
            say("    dropped at the end; add --keep to keep it and rerun with --reuse NAME")
        keep = args.keep  # seeded: kept even if a later step fails or is interrupted
        yield url
    finally:
        if keep:
            drop = f'drop database "{name}"'
            say(f"\nkept database {name}: rerun with .venv/bin/python bench/views.py --reuse "
                f"{name}; drop it with .venv/bin/salesdw db psql -- -c '{drop}'")  # fmt: skip
        else:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'drop database if exists "{name}" with (force)')


@dataclass
class Profile:
    """What random filters draw from: the data's days, countries with sales, categories."""

    orders: int
    first_day: date
    last_day: date
    countries: list[str]
    categories: list[int]


def scale_of(url: URL) -> tuple[str, int]:
    """The scale whose order count is nearest (on a log scale) to the database's, and that count."""
    with psycopg.connect(conninfo(url)) as conn:
        orders = conn.execute("select count(*) from core.orders").fetchone()[0]
    return min(SCALES, key=lambda s: abs(math.log(SCALES[s][0] / max(orders, 1)))), orders


def profile(url: URL) -> Profile:
    with psycopg.connect(conninfo(url)) as conn:
        orders = conn.execute("select count(*) from core.orders").fetchone()[0]
        first_day, last_day = conn.execute(
            "select min(order_date), max(order_date) from analytics.sales_daily"
        ).fetchone()
        countries = [r[0] for r in conn.execute(
            "select distinct sales_daily.country_code from analytics.sales_daily "
            "inner join analytics.countries on countries.country_code = sales_daily.country_code "
            "order by 1"
        )]  # fmt: skip
        categories = [r[0] for r in conn.execute(
            "select category_id from analytics.category_bits order by 1"
        )]  # fmt: skip
    if first_day is None:
        sys.exit("error: analytics.sales_daily is empty after the refresh; is the database seeded?")
    return Profile(orders, first_day, last_day, countries, categories)


def random_filters(rng: random.Random, data: Profile) -> Filters:
    span = (data.last_day - data.first_day).days + 1
    days = rng.randint(min(7, span), min(730, span))
    start = data.first_day + timedelta(days=rng.randint(0, span - days))
    statuses = SALES_STATUSES if rng.random() < 0.75 else (*SALES_STATUSES, "cancelled")
    return Filters(
        start, start + timedelta(days=days - 1),
        countries=tuple(sorted(rng.sample(data.countries, rng.randint(0, 3)))),
        categories=tuple(sorted(rng.sample(data.categories, rng.randint(0, 2)))),
        channels=tuple(sorted(rng.sample(ORDER_CHANNELS, rng.randint(0, 2)))),
        statuses=statuses,
    )  # fmt: skip


# --- 2. refresh ------------------------------------------------------------------------------


def timed_refresh(url: URL) -> tuple[float, list[RefreshResult]]:
    started = time.perf_counter()
    results = refresh(conninfo(url))
    return time.perf_counter() - started, results


def timed_concurrent_refresh(url: URL) -> tuple[float, dict[str, float]]:
    """The baseline: REFRESH MATERIALIZED VIEW CONCURRENTLY of every exposed view (internal
    ones in place), in the same order and with the same settings as salesdw refresh."""
    settings = get_settings()
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("select set_config('salesdw.timezone', %s, false)", [settings.timezone])
        conn.execute("select set_config('work_mem', %s, false)", [settings.refresh_work_mem])
        for name in views_in_order(conn):
            exposed = conn.execute(
                "select to_regclass(%s) is not null", [f"analytics.{name}"]
            ).fetchone()[0]
            began = time.perf_counter()
            how = "concurrently " if exposed else ""
            conn.execute(f"refresh materialized view {how}mart.{name}")
            conn.execute(f"analyze mart.{name}")
            seconds[name] = time.perf_counter() - began
    return time.perf_counter() - started, seconds


# --- 3. services -----------------------------------------------------------------------------


#: What a service parameter gets, by name, from the filter set of the sample: a date, a
#: country (the filter's first, else a random country with sales), a random grain.
PARAMETERS = {
    "filters": "filters",
    "start": "start", "start_date": "start", "first_month": "start",
    "end": "end", "end_date": "end", "last_month": "end",
    "country_code": "country", "country": "country",
    "grain": "grain",
}  # fmt: skip


def plan_call(func: Callable[..., Any], countries: list[str]) -> tuple[Service | None, str]:
    """How to call a service function, read from its signature: the engine, then values drawn
    from the sample's filter set (PARAMETERS), defaults for the rest. None, with the reason,
    when a required parameter is none of these."""
    fixed: list[tuple[str, str]] = []  # (parameter, what it gets)
    for param in inspect.signature(func).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if param.name in ("engine", "conn", "connection") or "Engine" in str(param.annotation):
            fixed.append((param.name, "engine"))
        elif "Filters" in str(param.annotation):
            fixed.append((param.name, "filters"))
        elif param.name in PARAMETERS:
            fixed.append((param.name, PARAMETERS[param.name]))
        elif param.default is param.empty:
            return None, f"no value for its parameter {param.name!r}"
    if not any(what == "engine" for _, what in fixed):
        return None, "takes no engine"
    shown = ", ".join(name if name == what else f"{name}={what}" for name, what in fixed)

    def call(engine: Engine, filters: Filters, rng: random.Random) -> object:
        values = {
            "engine": engine, "filters": filters, "start": filters.start, "end": filters.end,
            "country": filters.countries[0] if filters.countries else rng.choice(countries),
            "grain": rng.choice(GRAINS),
        }  # fmt: skip
        return func(**{name: values[what] for name, what in fixed})

    return call, shown


def discover_services(countries: list[str]) -> dict[str, Service]:
    """kpis and sales_trend, then the public functions of the other service modules present."""
    services: dict[str, Service] = {
        "sales.kpis": lambda engine, filters, rng: kpis(engine, filters),
        "sales.sales_trend": lambda engine, filters, rng: sales_trend(
            engine, filters, rng.choice(GRAINS)
        ),
    }
    for module_name in SERVICE_MODULES:
        try:
            module = importlib.import_module(f"salesdw.services.{module_name}")
        except ImportError as exc:
            say(f"    services.{module_name}: not available ({exc}); skipped")
            continue
        except Exception as exc:  # a module being written may not even import
            say(f"    services.{module_name}: fails to import ({type(exc).__name__}: {exc}); "
                "skipped")  # fmt: skip
            continue
        names = getattr(module, "__all__", None) or [n for n in vars(module) if n[0] != "_"]
        found = []
        for name in names:
            func = getattr(module, name, None)
            if not inspect.isfunction(func) or func.__module__ != module.__name__:
                continue
            call, how = plan_call(func, countries)
            if call is None:
                say(f"    services.{module_name}.{name}: skipped, {how}")
                continue
            services[f"{module_name}.{name}"] = call
            found.append(f"{name}({how})")
        say(f"    services.{module_name}: {', '.join(found) or 'no service functions'}")
    return services


def core_kpis(conn: psycopg.Connection, filters: Filters, tz: str) -> dict[bool, dict]:
    """The KPIs of both periods from core, keyed by is_current."""
    previous = filters.previous_period()
    params = {
        "tz": tz, "start": filters.start, "end": filters.end, "previous_start": previous.start,
        "countries": list(filters.countries), "categories": list(filters.categories),
        "channels": list(filters.channels), "statuses": list(filters.statuses),
    }  # fmt: skip
    with conn.cursor(row_factory=dict_row) as cur:
        return {row["is_current"]: row for row in cur.execute(CORE_KPIS, params)}


def disagreement(comparison: KpiComparison, core: dict[bool, dict]) -> str | None:
    """The first KPI where the service and core differ by more than a cent, if any."""
    for is_current, period in [(True, comparison.current), (False, comparison.previous)]:
        for name in KPI_FIELDS:
            mine, theirs = float(getattr(period, name)), float(core[is_current][name])
            if abs(mine - theirs) > 0.01 + 1e-9 * abs(theirs):
                which = "current" if is_current else "previous"
                return f"{which} {name}: service {mine:,.2f}, core {theirs:,.2f}"
    return None


@dataclass
class Latencies:
    seconds: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""

    def stats(self, only: list[int] | None = None) -> tuple[float, float, float]:
        values = np.array(self.seconds if only is None else [self.seconds[i] for i in only])
        p50, p95 = np.percentile(values, [50, 95])
        return float(p50), float(p95), float(values.max())


# --- 4. reads under load ---------------------------------------------------------------------


@dataclass(frozen=True)
class Read:
    label: str
    started: float
    seconds: float
    error: str | None
    empty: bool


def read_loop(url: URL, queries: list[tuple[str, str, dict]], offset: int,
              stop: threading.Event, out: list[Read]) -> None:  # fmt: skip
    """Run the queries round-robin until stopped; an all-zero first row counts as empty."""
    conn = psycopg.connect(conninfo(url), autocommit=True)
    position = offset
    try:
        while not stop.is_set():
            label, sql, params = queries[position % len(queries)]
            position += 1
            started = time.perf_counter()
            try:
                row = conn.execute(sql, params).fetchone()
                error, empty = None, not any(row)
            except psycopg.Error as exc:
                error, empty = str(exc).strip().splitlines()[0], False
                if conn.broken:
                    conn = psycopg.connect(conninfo(url), autocommit=True)
            out.append(Read(label, started, time.perf_counter() - started, error, empty))
    finally:
        conn.close()


def under_readers(url: URL, queries: list[tuple[str, str, dict]],
                  work: Callable[[], None]) -> list[Read]:  # fmt: skip
    """Run `work` while READERS threads read; return every read."""
    stop = threading.Event()
    outputs: list[list[Read]] = [[] for _ in range(READERS)]
    step = max(len(queries) // READERS, 1)
    threads = [threading.Thread(target=read_loop, args=(url, queries, i * step, stop, out))
               for i, out in enumerate(outputs)]  # fmt: skip
    for thread in threads:
        thread.start()
    try:
        work()
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    return [read for out in outputs for read in out]


def read_stats(reads: list[Read]) -> tuple[int, int, int, float, float]:
    """Reads, errors, empty results, p95 and max seconds."""
    seconds = np.array([r.seconds for r in reads]) if reads else np.zeros(1)
    return (len(reads), sum(r.error is not None for r in reads), sum(r.empty for r in reads),
            float(np.percentile(seconds, 95)), float(seconds.max()))  # fmt: skip


# --- the run ---------------------------------------------------------------------------------


def settle(url: URL) -> None:
    """VACUUM (ANALYZE) the views just rebuilt, not timed: otherwise autovacuum visits them
    while the services are timed (for a minute or two at large, on the same two cores) and
    the latencies measure it rather than the queries."""
    started = time.perf_counter()
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        names = [row[0] for row in conn.execute(
            "select matviewname from pg_matviews where schemaname = 'mart' order by 1"
        )]  # fmt: skip
        for name in names:
            conn.execute(f'vacuum (analyze) mart."{name}"')
    say(
        f"    views vacuumed before the services are timed: {time.perf_counter() - started:.1f} s "
        "(not timed; autovacuum would do it in the minutes after a refresh)"
    )


def step_refresh(url: URL, scale: str, summary: list[Row], with_baseline: bool = True) -> float:
    say("\n2. full refresh of every view: salesdw refresh (rebuilt beside and swapped in), "
        "against REFRESH ... CONCURRENTLY")  # fmt: skip
    wall, results = timed_refresh(url)
    if not with_baseline:
        say("    (baseline skipped: --no-concurrent-baseline)")
        for result in results:
            say(f"    {result.view_name:<24} {result.seconds:>8.2f}s {result.rows:>12,}")
        goal = REFRESH_GOAL_S.get(scale)
        summary.append((f"{scale} full refresh (salesdw refresh)", f"{wall:.1f} s", "-", "-",
                        f"<= {goal:.0f} s ({scale})" if goal else "-"))  # fmt: skip
        return wall
    baseline_wall, baseline = timed_concurrent_refresh(url)
    say(f"    {'view':<24} {'salesdw':>9} {'concurr.':>9} {'ratio':>7} {'rows':>12}")
    for result in results:
        base = baseline[result.view_name]
        mode = "B" if result.readers_kept_reading else "P"
        say(f"    {result.view_name:<24} {result.seconds:>8.2f}s {base:>8.2f}s "
            f"{base / max(result.seconds, 1e-9):>6.2f}x {result.rows:>12,}  {mode}")  # fmt: skip
    say("    (B = rebuilt beside, then swapped in; P = internal view, refreshed in place; "
        "ratio = CONCURRENTLY / salesdw)")  # fmt: skip
    say(f"    {'total, wall':<24} {wall:>8.2f}s {baseline_wall:>8.2f}s "
        f"{baseline_wall / wall:>6.2f}x")  # fmt: skip
    goal = REFRESH_GOAL_S.get(scale)
    goal_text = f"<= {goal:.0f} s ({scale})" if goal else "20 s medium, 180 s large"
    summary.append((f"{scale} full refresh (salesdw refresh)", f"{wall:.1f} s",
                    f"CONCURRENTLY {baseline_wall:.1f} s", f"{baseline_wall / wall:.2f}x faster",
                    goal_text))  # fmt: skip
    return wall


def step_services(
    url: URL, data: Profile, scale: str, args: argparse.Namespace, summary: list[Row]
) -> None:
    say(f"\n3. service latency over {args.samples} random filter sets (seed {args.seed})")
    services = discover_services(data.countries)
    rng = random.Random(args.seed)
    filter_sets = [random_filters(rng, data) for _ in range(args.samples)]
    timings = {name: Latencies() for name in services}
    core = Latencies()
    core_done: list[int] = []  # indexes of the filter sets the core baseline ran on
    disagreements: list[str] = []
    tz = get_settings().timezone
    engine = create_engine(url, pool_size=2)
    call_rng = random.Random(args.seed + 1)
    try:
        with psycopg.connect(conninfo(url), autocommit=True) as conn:
            for call in services.values():  # warm the pool and the catalog caches, untimed
                with suppress(Exception):
                    call(engine, filter_sets[0], call_rng)
            core_started = None
            for index, filters in enumerate(filter_sets):
                comparison = None
                for name, call in services.items():
                    started = time.perf_counter()
                    try:
                        result = call(engine, filters, call_rng)
                    except Exception as exc:
                        timings[name].errors += 1
                        timings[name].first_error = timings[name].first_error or (
                            f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:160]}"
                        )
                        timings[name].seconds.append(time.perf_counter() - started)
                        continue
                    timings[name].seconds.append(time.perf_counter() - started)
                    if name == "sales.kpis":
                        comparison = result
                core_started = core_started or time.perf_counter()
                if time.perf_counter() - core_started < args.core_budget:
                    started = time.perf_counter()
                    numbers = core_kpis(conn, filters, tz)
                    core.seconds.append(time.perf_counter() - started)
                    core_done.append(index)
                    if isinstance(comparison, KpiComparison):
                        problem = disagreement(comparison, numbers)
                        if problem:
                            disagreements.append(f"filter set {index} ({filters}): {problem}")
    finally:
        engine.dispose()

    goal = f"p95 <= {P95_GOAL_MS:.0f} ms (large)"
    say(f"    {'service':<34} {'p50':>10} {'p95':>10} {'max':>10} {'errors':>7}")
    for name, latency in timings.items():
        p50, p95, worst = latency.stats()
        say(f"    {name:<34} {ms(p50):>10} {ms(p95):>10} {ms(worst):>10} {latency.errors:>7}")
        if latency.first_error:
            say(f"      first error: {latency.first_error}")
        if name != "sales.kpis" or len(core_done) < args.samples:  # else in the row vs core
            summary.append((f"{scale} {name} p95 ({args.samples} filter sets)", ms(p95), "-",
                            "-", goal))  # fmt: skip
    if not core_done:
        say(f"    baseline: KPIs from core: skipped (--core-budget {args.core_budget:.0f} s)")
        return
    p50, p95, worst = core.stats()
    say(f"    {'baseline: KPIs from core':<34} {ms(p50):>10} {ms(p95):>10} {ms(worst):>10}"
        f"   ({len(core_done)} of {args.samples} filter sets, --core-budget "
        f"{args.core_budget:.0f} s)")  # fmt: skip
    _, views_p95, _ = timings["sales.kpis"].stats(core_done)
    say(f"    sales.kpis on the same {len(core_done)} filter sets: p95 {ms(views_p95)}; "
        f"core / views: {p95 / views_p95:,.1f}x")  # fmt: skip
    agreeing = len(core_done) - len(disagreements) - timings["sales.kpis"].errors
    say(f"    kpis and core agree to the cent on {agreeing} of {len(core_done)} filter sets")
    for problem in disagreements[:3]:
        say(f"      differs: {problem}")
    summary.append((f"{scale} sales.kpis p95 vs core ({len(core_done)} filter sets)",
                    ms(views_p95), f"core {ms(p95)}", f"{p95 / views_p95:,.1f}x faster",
                    goal))  # fmt: skip


def step_active_customers(url: URL, data: Profile, scale: str, summary: list[Row]) -> None:
    """Distinct customers of the dashboard's date presets (the date filter alone, default
    statuses): from analytics.active_customer_days, one row per day, against counting them in
    analytics.order_customers, which every other filter still does; the counts must agree."""
    say("\n3b. distinct customers under the date filter alone (the dashboard's presets): "
        "active_customer_days against a count(distinct) over order_customers")  # fmt: skip
    engine = create_engine(url, pool_size=1)
    try:
        for days in (30, 90, 365, 730):
            filters = Filters(max(data.first_day, data.last_day - timedelta(days=days - 1)),
                              data.last_day)  # fmt: skip
            got = active_customers(engine, filters)  # warm, untimed
            by_day, scan = [], []
            for _ in range(5):
                started = time.perf_counter()
                active_customers(engine, filters)
                by_day.append(time.perf_counter() - started)
            with engine.connect() as conn:
                for _ in range(3):
                    started = time.perf_counter()
                    row = conn.execute(text(_ACTIVE_SCAN), filters.params({})).one()
                    scan.append(time.perf_counter() - started)
            fast, slow = float(np.median(by_day)), float(np.median(scan))
            same = (got.customers, got.new_customers) == (row[0], row[1])
            say(f"    last {days:>3} days: {got.customers:>10,} customers  by day {ms(fast):>10}"
                f"  scan {ms(slow):>10}  {slow / fast:7.1f}x  "
                f"{'same counts' if same else 'COUNTS DIFFER'}")  # fmt: skip
            summary.append((f"{scale} active_customers, last {days} days, date filter alone",
                            ms(fast), f"scan {ms(slow)}",
                            f"{slow / fast:,.1f}x faster{'' if same else ', COUNTS DIFFER'}",
                            f"p95 <= {P95_GOAL_MS:.0f} ms (large)"))  # fmt: skip
    finally:
        engine.dispose()


def step_load(
    url: URL, data: Profile, scale: str, refresh_seconds: float, summary: list[Row]
) -> None:
    with psycopg.connect(conninfo(url)) as conn:
        exposed = "select to_regclass(%s) is not null"
        views = [name for name in views_in_order(conn)
                 if conn.execute(exposed, [f"analytics.{name}"]).fetchone()[0]]  # fmt: skip
    window = {"start": data.last_day - timedelta(days=89), "end": data.last_day}
    queries = [(name, f"select count(*) from analytics.{name}", {}) for name in views]
    queries.append(("dashboard kpis", DASHBOARD_KPIS, window))
    idle_seconds = min(max(refresh_seconds, 10.0), 60.0)
    say(f"\n4. reads during a full refresh: {READERS} threads over count(*) of {len(views)} views "
        "and a dashboard KPI query (last 90 days)")  # fmt: skip
    idle = under_readers(url, queries, lambda: time.sleep(idle_seconds))
    window_of: dict[str, float] = {}

    def refresh_now() -> None:
        time.sleep(1.0)  # the readers are running before the refresh starts
        window_of["start"] = time.perf_counter()
        refresh(conninfo(url))
        window_of["end"] = time.perf_counter()

    loaded = under_readers(url, queries, refresh_now)
    begin, end = window_of["start"], window_of["end"]
    during = [r for r in loaded if r.started < end and r.started + r.seconds > begin]
    refresh_wall = end - begin
    phases = [(f"no refresh ({idle_seconds:.0f} s)", idle, idle_seconds),
              (f"during refresh ({refresh_wall:.0f} s)", during, refresh_wall)]  # fmt: skip
    for label, reads, seconds in phases:
        count, errors, empty, p95, worst = read_stats(reads)
        say(f"    {label:<26} reads {count:>7,} ({count / seconds:,.0f}/s)  errors {errors}  "
            f"empty {empty}  p95 {ms(p95)}  max {ms(worst)}")  # fmt: skip
    for read in sorted(during, key=lambda r: -r.seconds)[:3]:
        say(f"      slow during the refresh: {read.label} {ms(read.seconds)}")
    for read in [r for r in loaded if r.error or r.empty][:3]:
        say(f"      {read.label}: {read.error or 'empty result'}")
    _, idle_errors, idle_empty, _, idle_worst = read_stats(idle)
    count, _, _, _, worst = read_stats(during)
    all_errors, all_empty = read_stats(loaded)[1:3]
    rate = count / refresh_wall / (len(idle) / idle_seconds)
    name = f"{scale} reads during a refresh"
    summary.append((f"{name}: errors", f"{all_errors}", f"idle {idle_errors}", "-", "0"))
    summary.append((f"{name}: empty results", f"{all_empty}", f"idle {idle_empty}", "-", "0"))
    summary.append((f"{name}: done", f"{count:,}", f"idle {len(idle):,}", f"{rate:.2f}x per s",
                    "-"))  # fmt: skip
    summary.append((f"{scale} full refresh under {READERS} readers", f"{refresh_wall:.1f} s",
                    f"unloaded {refresh_seconds:.1f} s", f"{refresh_wall / refresh_seconds:.2f}x",
                    "-"))  # fmt: skip
    summary.append((f"{name}: worst latency", ms(worst), f"idle {ms(idle_worst)}",
                    f"{worst / idle_worst:.1f}x", "-"))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        choices=list(SCALES),
        default="medium",
        help="scale to seed (default: medium; large for the goal)",
    )
    parser.add_argument("--reuse", metavar="DB", help="use this seeded database; no seed")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--samples", type=int, default=200, help="random filter sets (200)")
    parser.add_argument(
        "--core-budget",
        type=float,
        default=300.0,
        help="seconds the core baseline may take in all (300)",
    )
    parser.add_argument("--seed", type=int, default=42, help="seed of the random filters (42)")
    parser.add_argument(
        "--no-concurrent-baseline",
        action="store_true",
        help="skip the REFRESH ... CONCURRENTLY baseline (long at large)",
    )
    parser.add_argument(
        "--no-load",
        action="store_true",
        help="skip step 4, reads during a refresh (at large the 8 readers stretch it to ~40 min)",
    )
    parser.add_argument(
        "--no-refresh",
        action="store_true",
        help="with --reuse and --no-load: time the services on the views as they are (e.g. "
        "after an alembic downgrade, to compare the views of two revisions)",
    )
    args = parser.parse_args()  # fmt: skip
    if args.no_refresh and not (args.reuse and args.no_load):
        parser.error("--no-refresh needs --reuse DB (views already built) and --no-load")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the scratch database is dropped
    server = database_url()
    say(f"server: {libpq_url(server)}")
    summary: list[Row] = []

    say("\n1. database")
    with bench_database(server, args) as url:
        scale, orders = scale_of(url)
        if args.reuse:
            say(f"    {orders:,} orders: about the {scale} scale")
        if args.no_refresh:
            say("\n2. full refresh: skipped (--no-refresh; the views are timed as they are)")
            refresh_seconds = 0.0
        else:
            refresh_seconds = step_refresh(url, scale, summary, not args.no_concurrent_baseline)
        data = profile(url)
        say(f"    data: {data.orders:,} orders ({scale}), {data.first_day} to "
            f"{data.last_day}, {len(data.countries)} countries with sales, "
            f"{len(data.categories)} top-level categories")  # fmt: skip
        settle(url)
        step_services(url, data, scale, args, summary)
        step_active_customers(url, data, scale, summary)
        if args.no_load:
            say("\n4. reads during a full refresh: skipped (--no-load)")
        else:
            step_load(url, data, scale, refresh_seconds, summary)

    say("\nsummary (noisy machine: read the ratios)")
    header = ("figure", "value", "baseline", "ratio", "goal")
    widths = [max(len(row[i]) for row in [header, *summary]) for i in range(5)]
    for row in [header, *summary]:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
