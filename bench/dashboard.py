"""Benchmark of the dashboard: how long each page takes to render, cold and warm, on the server
(AppTest) and in a real browser, and how much memory the Streamlit server holds after many
filter sets.

1. A scratch database `salesdw_bench_dashboard_<pid>`, migrated, seeded at --scale (default
   medium; large for the issue's goals), refreshed and trained (`salesdw.ml.train.train(...,
   ["all"])`), none of it timed; or --reuse DBNAME, an existing seeded and refreshed database,
   trained first only if it has no model runs (--no-train: never write to it). --keep keeps the
   scratch database for a later --reuse.
2. Server-side render time of every page with streamlit.testing.v1.AppTest on the default link
   (last 90 days): one untimed run first (imports, the engine), then cold = st.cache_data.clear()
   and a run, warm = a second run; the median of --repeat (3) tries. Goal: cold 1 s or less at
   medium, 2 s at large; warm 0.3 s or less. Baseline: the service calls the cold run made
   (recorded), timed alone on a plain engine, so the Streamlit overhead (script, widgets, Plotly
   figures) shows as a ratio.
   2b. The same cold runs under --heavy-sets (default 5) heavy filter sets per page, never used
   before: one or two categories, no country, 1-2 years, half with cancelled orders too: the
   filters that read the most rows (every set of categories of each day), which the random sets
   of steps 3 and 4 seldom draw. Median and worst per page, against the same goals.
3. First paint in headless Chromium (scripts/screenshots.py: `salesdw dashboard` on a free port,
   Playwright with Debian's /usr/bin/chromium): cold = a fresh server (one untimed visit for its
   imports) and a filter set never used before, a different one per page, timed until the title
   is on screen and until every chart is drawn; warm = the same link opened again (a reload),
   and the page reached again by its sidebar link (no reload, as within a session), each timed
   to the title too. Same goals as 2, judged on first paint (the title on screen); the time
   until every chart is drawn is printed beside it. Baseline: the page's AppTest cold time
   (what the server does), and for warm visits the cold first paint; for the reloads of every
   page together, a one-line Streamlit app (a title) reloaded in the same browser, the least
   any Streamlit page load takes on this machine.
4. Peak memory (VmHWM of /proc/<pid>/status) of the Streamlit process (the child of `salesdw
   dashboard`) after every page is opened with --filter-sets (default 20) random filter sets
   (bench/views.py's random_filters, turned into links with dashboard.filters.to_params). Goal:
   500 MB or less at large. Baseline: its resident memory after the first page.

Scratch databases live on the configured server (the embedded one unless DATABASE_URL is set) and
are dropped at the end unless --keep; a reused database is only read (unless it needs training).
Timings are noisy on shared machines, so read the ratios; nothing is asserted. From the
repository root:

    .venv/bin/python bench/dashboard.py [--scale medium|large] [--reuse DB] [--keep] [--no-train]
        [--filter-sets 20] [--heavy-sets 5] [--repeat 3] [--no-browser]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import sys
import tempfile
import time
import urllib.parse
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import psutil
import psycopg
import streamlit as st
import streamlit.logger
from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Engine

# Streamlit warns of a missing runtime at every cache and AppTest run outside a server; each of
# its loggers has its own level, which this sets, for those made later too
streamlit.logger.set_log_level("error")
ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
# this file is bench/dashboard.py: the package `dashboard` must come first, bench/views.py after
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.append(str(BENCH))

from views import Profile, profile, random_filters, say, scale_of  # noqa: E402

from dashboard import queries  # noqa: E402
from dashboard.apptest import PAGES, forget_everything, open_app  # noqa: E402
from dashboard.filters import Selection, to_params  # noqa: E402
from salesdw import migrate  # noqa: E402
from salesdw.db.connect import database_url, libpq_url  # noqa: E402
from salesdw.generate import SCALES, resolve_options, seed_warehouse  # noqa: E402
from salesdw.ml.train import train  # noqa: E402
from salesdw.refresh import refresh  # noqa: E402
from salesdw.schema import ORDER_CHANNELS  # noqa: E402
from salesdw.services import Filters, filter_options  # noqa: E402
from salesdw.services.filters import SALES_STATUSES  # noqa: E402
from scripts import screenshots  # noqa: E402

COLD_GOAL_S = {"medium": 1.0, "large": 2.0}
WARM_GOAL_S = 0.3
RSS_GOAL_MB = 500.0
Row = tuple[str, str, str, str, str]


def conninfo(url: URL) -> str:
    return libpq_url(url, hide_password=False)


def url_text(url: URL) -> str:
    return url.render_as_string(hide_password=False)


# --- 1. the database -------------------------------------------------------------------------


def model_runs(url: URL) -> int:
    with psycopg.connect(conninfo(url)) as conn:
        exists = conn.execute("select to_regclass('ml.model_runs') is not null").fetchone()[0]
        if not exists:
            return 0
        return conn.execute(
            "select count(*) from ml.model_runs where status = 'succeeded'"
        ).fetchone()[0]


def trained(url: URL, args: argparse.Namespace) -> None:
    """Train every model unless the database has model runs already (or --no-train)."""
    runs = model_runs(url)
    if runs:
        say(f"    {runs} successful model runs there: not trained again")
        return
    if args.no_train:
        say("    no model runs, and --no-train: the model pages will say `make train`")
        return
    started = time.perf_counter()
    results = train(conninfo(url), ["all"])
    failed = [r for r in results if getattr(r, "status", "succeeded") != "succeeded"]
    say(f"    trained every model in {time.perf_counter() - started:.0f} s (not timed)"
        + (f"; {len(failed)} failed" if failed else ""))  # fmt: skip


@contextmanager
def bench_database(server: URL, args: argparse.Namespace) -> Iterator[URL]:
    """The reused database, or a scratch one, migrated, seeded, refreshed and trained (dropped
    at the end unless --keep)."""
    if args.reuse:
        if args.reuse == server.database:
            sys.exit(f"error: --reuse {args.reuse} is the warehouse itself; use a scratch database")
        url = server.set(database=args.reuse)
        say(f"    reusing database {args.reuse} (not seeded, not dropped)")
        trained(url, args)
        yield url
        return
    name = f"salesdw_bench_dashboard_{os.getpid()}"
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
        refresh(conninfo(url))
        say(f"    {name}: {args.scale} seed, {result.rows['core.orders']:,} orders, seeded and "
            f"refreshed in {time.perf_counter() - started:.0f} s (not timed)")  # fmt: skip
        trained(url, args)
        if args.keep:
            say(f"    kept at the end (--keep): rerun with --reuse {name}")
        yield url
        keep = args.keep
    finally:
        if keep:
            say(f"\nkept database {name}: rerun with .venv/bin/python bench/dashboard.py --reuse "
                f"{name}; drop it with .venv/bin/salesdw db psql -- -c 'drop database "
                f'"{name}"\'')  # fmt: skip
        else:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'drop database if exists "{name}" with (force)')


# --- 2. server-side render time (AppTest) ----------------------------------------------------


@dataclass
class Recorded:
    """The service calls of one page run: (name, filters, args, kwargs) and their seconds."""

    calls: list[tuple[str, Filters | None, tuple, dict]] = field(default_factory=list)
    seconds: float = 0.0


@contextmanager
def recording() -> Iterator[Recorded]:
    """Record every service the dashboard calls (dashboard.queries.SERVICES) while the block
    runs; cached answers call nothing, so a cold run records the page's whole work."""
    record = Recorded()
    originals = dict(queries.SERVICES)

    def wrap(name: str, service: Callable[..., Any]) -> Callable[..., Any]:
        def recorded(*args: Any, **kwargs: Any) -> Any:
            _, *rest = args  # the engine
            filters = rest[0] if rest and isinstance(rest[0], Filters) else None
            record.calls.append((name, filters, tuple(rest[1:] if filters else rest), kwargs))
            started = time.perf_counter()
            try:
                return service(*args, **kwargs)
            finally:
                record.seconds += time.perf_counter() - started

        return recorded

    queries.SERVICES.update({name: wrap(name, service) for name, service in originals.items()})
    try:
        yield record
    finally:
        queries.SERVICES.update(originals)


def replay(engine: Engine, record: Recorded) -> float:
    """The recorded calls again, straight to salesdw.services on a plain engine: seconds."""
    started = time.perf_counter()
    for name, filters, args, kwargs in record.calls:
        service = queries.SERVICES[name]
        service(engine, *([filters] if filters else []), *args, **kwargs)
    return time.perf_counter() - started


@dataclass
class Render:
    cold: float
    warm: float
    alone: float
    in_run: float
    calls: int
    errors: list[str]


def render_times(url: URL, repeat: int) -> dict[str, Render]:
    """Per page: cold and warm AppTest runs and the cold run's service calls alone, each the
    median of `repeat` tries (the machine is noisy)."""
    database = url_text(url)
    engine = create_engine(url, pool_size=2)
    renders: dict[str, Render] = {}
    try:
        forget_everything()
        open_app(database)  # imports and the engine, once for every page: not timed
        for name in PAGES:
            at = open_app(database, name)  # this page's own imports (a first run is slower)
            colds, warms = [], []
            for _ in range(repeat):
                st.cache_data.clear()
                with recording() as record:
                    started = time.perf_counter()
                    at.run()
                    colds.append(time.perf_counter() - started)
                started = time.perf_counter()
                at.run()
                warms.append(time.perf_counter() - started)
            cold, warm = statistics.median(colds), statistics.median(warms)
            errors = [str(e.value)[:200] for e in (*at.exception, *at.error)]
            replay(engine, record)  # warm the plain engine's connections and the server's plans
            alone = statistics.median(replay(engine, record) for _ in range(repeat))
            renders[name] = Render(cold, warm, alone, record.seconds, len(record.calls), errors)
            say(f"    {name:<10} cold {cold:6.2f} s  warm {warm:6.3f} s  services alone "
                f"{alone:6.2f} s ({len(record.calls)} calls)"
                + (f"  ERRORS: {errors}" if errors else ""))  # fmt: skip
    finally:
        engine.dispose()
        forget_everything()
    return renders


def heavy_filters(rng: random.Random, data: Profile) -> Filters:
    """A filter set of the slowest kind: one or two categories and no country (orders are
    counted over every set of categories of each day), over one or two years, with or without
    cancelled orders, sometimes one channel."""
    span = (data.last_day - data.first_day).days + 1
    days = rng.randint(min(365, span), min(730, span))
    start = data.first_day + timedelta(days=rng.randint(0, span - days))
    return Filters(
        start, start + timedelta(days=days - 1),
        categories=tuple(sorted(rng.sample(data.categories, rng.randint(1, 2)))),
        channels=tuple(rng.sample(ORDER_CHANNELS, rng.randint(0, 1))),
        statuses=SALES_STATUSES if rng.random() < 0.5 else (*SALES_STATUSES, "cancelled"),
    )  # fmt: skip


def category_names(url: URL) -> dict[int, str]:
    """Each top-level category's name by id: links name categories, filters hold their ids."""
    engine = create_engine(url)
    try:
        return dict(filter_options(engine).categories)
    finally:
        engine.dispose()


def params_of(filters: Filters, names: dict[int, str]) -> dict[str, list[str]]:
    """The query parameters of a shareable link to these filters (dashboard.filters.to_params)."""
    selection = Selection("custom", filters.start, filters.end, filters.countries,
                          tuple(names[i] for i in filters.categories), filters.channels,
                          filters.statuses)  # fmt: skip
    return to_params(selection)


@dataclass
class Heavy:
    """Cold AppTest runs of one page under heavy filter sets: seconds, and any errors."""

    colds: list[float]
    errors: list[str]


def heavy_render_times(url: URL, data: Profile, sets: int, seed: int) -> dict[str, Heavy]:
    """Per page: a cold AppTest run (st.cache_data emptied) under each of `sets` heavy filter
    sets, a different set for every run of every page."""
    database = url_text(url)
    names = category_names(url)
    rng = random.Random(seed)
    heavy: dict[str, Heavy] = {}
    try:
        forget_everything()
        open_app(database)  # imports and the engine: not timed
        for name in PAGES:
            colds: list[float] = []
            errors: list[str] = []
            for _ in range(sets):
                params = params_of(heavy_filters(rng, data), names)
                at = open_app(database, name, params)  # the page's imports, the link read
                st.cache_data.clear()
                started = time.perf_counter()
                at.run()
                colds.append(time.perf_counter() - started)
                errors += [str(e.value)[:200] for e in (*at.exception, *at.error)]
            heavy[name] = Heavy(colds, errors)
            say(f"    {name:<10} cold median {statistics.median(colds):5.2f} s, worst "
                f"{max(colds):5.2f} s over {sets} sets"
                + (f"  ERRORS: {errors[:2]}" if errors else ""))  # fmt: skip
    finally:
        forget_everything()
    return heavy


# --- 3 and 4. the browser and the server's memory --------------------------------------------


def link(filters: Filters, names: dict[int, str]) -> str:
    """The query string of a shareable link to these filters."""
    return urllib.parse.urlencode(params_of(filters, names), doseq=True)


def streamlit_process(server: screenshots.Server) -> psutil.Process:
    """The Streamlit server: the child of `salesdw dashboard` running `streamlit run`."""
    for child in psutil.Process(server.process.pid).children(recursive=True):
        if "streamlit" in " ".join(child.cmdline()):
            return child
    raise RuntimeError("no streamlit process under salesdw dashboard")


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MB (10^6 bytes), from /proc/<pid>/status."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) * 1024 / 1e6
    return values["VmRSS"], values["VmHWM"]


#: The page's title is on screen: Streamlit's scripts loaded, the session open, the script run
#: begun (the frame draws the title first).
CONTENT = """() => !!document.querySelector('[data-testid="stMain"] h1')"""
HEADING = """(title) => {
    const heading = document.querySelector('[data-testid="stMain"] h1');
    return !!heading && heading.innerText.trim() === title;
}"""
#: Each page's title where it is not the page's name.
TITLES = {"channels": "Marketing channels"}
TIMEOUT_MS = 120_000


def timed_visit(tab, address: str) -> tuple[float, float]:
    """Open a link as a new visit (the browser loads the app, a new session runs the page):
    seconds until the title is on screen, and until every chart is drawn (screenshots.READY)."""
    started = time.perf_counter()
    tab.goto(address, wait_until="commit")
    tab.wait_for_function(CONTENT, timeout=TIMEOUT_MS, polling=10)
    content = time.perf_counter() - started
    tab.wait_for_function(screenshots.READY, timeout=TIMEOUT_MS)
    drawn = time.perf_counter() - started
    tab.wait_for_timeout(200)  # nothing reruns behind it
    tab.wait_for_function(screenshots.READY, timeout=TIMEOUT_MS)
    return content, drawn


def timed_click(tab, name: str) -> tuple[float, float]:
    """Move to a page with its sidebar link, as a person does within a session (no reload; the
    filters stay): seconds until its title is on screen, and until every chart is drawn."""
    title = TITLES.get(name, name.title())
    started = time.perf_counter()
    path = screenshots.PAGES[name]  # the default page's link ends in "/"
    tab.locator(f'a[data-testid="stSidebarNavLink"][href$="/{path}"]').click()
    tab.wait_for_function(HEADING, arg=title, timeout=TIMEOUT_MS, polling=10)
    content = time.perf_counter() - started
    tab.wait_for_function(screenshots.READY, timeout=TIMEOUT_MS)
    drawn = time.perf_counter() - started
    tab.wait_for_timeout(200)
    tab.wait_for_function(screenshots.READY, timeout=TIMEOUT_MS)
    return content, drawn


#: The least a Streamlit page can take: a one-line app (its title), `streamlit run` with its
#: defaults (headless, like the dashboard).
FLOOR_APP = 'import streamlit as st\n\nst.title("Floor")\n'


def streamlit_floor(chromium, visits: int = 9) -> float:
    """Median first paint of a one-line Streamlit app opened again and again (reloads, each a new
    session) in the same browser as the dashboard: what Streamlit itself costs a page load on
    this machine, before any of the dashboard's work."""
    with tempfile.TemporaryDirectory() as folder:
        app = Path(folder) / "floor.py"
        app.write_text(FLOOR_APP, encoding="utf-8")
        port = screenshots.free_port()
        command = [
            sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
        with screenshots.run_server(command, port, dict(os.environ), 60.0,
                                    "a one-line Streamlit app") as server:  # fmt: skip
            tab = chromium.new_page(viewport=screenshots.VIEWPORT)
            timed_visit(tab, f"{server.url}/")  # untimed: the server's imports
            painted = [timed_visit(tab, f"{server.url}/")[0] for _ in range(visits)]
            tab.close()
    return statistics.median(painted)


@dataclass
class Browser:
    first_visit: float
    content: dict[str, float]  # cold visit: title on screen (first paint)
    cold: dict[str, float]  # cold visit: every chart drawn
    warm_content: dict[str, float]  # the same link again (a reload): title on screen
    warm: dict[str, float]  # the reload: every chart drawn
    click_content: dict[str, float]  # back to the page by its sidebar link: title on screen
    click: dict[str, float]  # the sidebar link: every chart drawn
    problems: dict[str, list[str]]
    idle_rss: float
    peak_rss: float
    end_rss: float
    visits: int
    floor: float  # a one-line Streamlit app's first paint on a reload (streamlit_floor)


def in_the_browser(url: URL, data: Profile, sets: int, seed: int) -> Browser:
    names = category_names(url)
    rng = random.Random(seed)
    filter_sets = [random_filters(rng, data) for _ in range(sets * len(PAGES))]
    content: dict[str, float] = {}
    cold: dict[str, float] = {}
    warm: dict[str, float] = {}
    click: dict[str, float] = {}
    warm_content: dict[str, float] = {}
    click_content: dict[str, float] = {}
    problems: dict[str, list[str]] = {}
    with screenshots.serve(url_text(url)) as server, screenshots.browser() as chromium:
        process = streamlit_process(server)
        tab = chromium.new_page(viewport=screenshots.VIEWPORT)
        errors = screenshots.watch(tab)
        _, first_visit = timed_visit(tab, f"{server.url}/data")  # the server's imports
        idle_rss, _ = memory_mb(process.pid)
        visits = 1
        say(f"    fresh server: first visit (imports, engine) {first_visit:.2f} s; resident "
            f"{idle_rss:,.0f} MB")  # fmt: skip
        for number, name in enumerate(PAGES):  # each page cold with a filter set of its own
            address = f"{server.url}/{screenshots.PAGES[name]}?{link(filter_sets[number], names)}"
            errors.clear()
            content[name], cold[name] = timed_visit(tab, address)
            wrong = screenshots.problems(tab, name, errors)
            warm_content[name], warm[name] = timed_visit(tab, address)  # the same link again
            timed_click(tab, "data" if name != "data" else "overview")  # away, then back
            click_content[name], click[name] = timed_click(tab, name)
            visits += 4
            if wrong:
                problems[name] = wrong
            say(f"    {name:<10} cold: title {content[name]:5.2f} s, charts {cold[name]:5.2f} s;"
                f"  warm: reload title {warm_content[name]:5.2f} s, charts {warm[name]:5.2f} s;"
                f"  sidebar link title {click_content[name]:5.2f} s, charts {click[name]:5.2f} s"
                + (f"  PROBLEMS: {wrong[:2]}" if wrong else ""))  # fmt: skip
        more = len(filter_sets) - len(PAGES)
        say(f"    every page with {sets} filter sets each: the {len(PAGES)} above and {more} "
            "more visits...")  # fmt: skip
        started = time.perf_counter()
        for number, filters in enumerate(filter_sets[len(PAGES) :], len(PAGES)):
            name = PAGES[number % len(PAGES)]
            address = f"{server.url}/{screenshots.PAGES[name]}?{link(filters, names)}"
            timed_visit(tab, address)
            visits += 1
        end_rss, peak_rss = memory_mb(process.pid)
        say(f"    done in {time.perf_counter() - started:.0f} s; resident now {end_rss:,.0f} MB, "
            f"peak {peak_rss:,.0f} MB")  # fmt: skip
        floor = streamlit_floor(chromium)
        say(f"    a one-line Streamlit app, reloaded: first paint {floor:.2f} s (median of 9)")
    return Browser(first_visit, content, cold, warm_content, warm, click_content, click, problems,
                   idle_rss, peak_rss, end_rss, visits, floor)  # fmt: skip


# --- the run ---------------------------------------------------------------------------------


def goal_text(seconds: float | None) -> str:
    return f"<= {seconds:g} s" if seconds is not None else "1 s medium, 2 s large"


def verdict(value: float, goal: float | None) -> str:
    return "" if goal is None else (" ok" if value <= goal else " MISSED")


def summarise(scale: str, renders: dict[str, Render], heavy: dict[str, Heavy],
              shown: Browser | None) -> list[Row]:  # fmt: skip
    cold_goal = COLD_GOAL_S.get(scale)
    rows: list[Row] = []
    for name, render in renders.items():
        rows.append((f"{scale} {name}: AppTest cold", f"{render.cold:.2f} s",
                     f"services alone {render.alone:.2f} s",
                     f"{render.cold / max(render.alone, 1e-9):.1f}x",
                     goal_text(cold_goal) + verdict(render.cold, cold_goal)))  # fmt: skip
        if name in heavy:
            colds = heavy[name].colds
            worst = max(colds)
            rows.append((f"{scale} {name}: AppTest cold, heavy filters, median / worst of "
                         f"{len(colds)}", f"{statistics.median(colds):.2f} / {worst:.2f} s",
                         f"default link {render.cold:.2f} s", f"{worst / render.cold:.1f}x",
                         goal_text(cold_goal) + verdict(worst, cold_goal)))  # fmt: skip
        rows.append((f"{scale} {name}: AppTest warm", f"{render.warm:.3f} s",
                     f"cold {render.cold:.2f} s", f"{render.warm / render.cold:.2f}x",
                     goal_text(WARM_GOAL_S) + verdict(render.warm, WARM_GOAL_S)))  # fmt: skip
    if shown is not None:
        for name in shown.cold:
            # first paint (the title on screen) is what the goals time; every chart drawn is
            # shown beside it, as the time a person waits for the whole page
            appside = renders[name].cold if name in renders else float("nan")
            title, cold = shown.content[name], shown.cold[name]
            rows.append((f"{scale} {name}: first paint cold (charts {cold:.2f} s)",
                         f"{title:.2f} s", f"AppTest cold {appside:.2f} s",
                         f"{title / appside:.1f}x",
                         goal_text(cold_goal) + verdict(title, cold_goal)))  # fmt: skip
            for label, painted, drawn in (
                ("reload", shown.warm_content[name], shown.warm[name]),
                ("sidebar link", shown.click_content[name], shown.click[name]),
            ):
                rows.append((f"{scale} {name}: first paint warm, {label} (charts {drawn:.2f} s)",
                             f"{painted:.2f} s", f"cold {title:.2f} s",
                             f"{painted / title:.2f}x",
                             goal_text(WARM_GOAL_S) + verdict(painted, WARM_GOAL_S)))  # fmt: skip
        reloads = list(shown.warm_content.values())
        rows.append((f"{scale} every page: first paint on a reload, median / worst",
                     f"{statistics.median(reloads):.2f} / {max(reloads):.2f} s",
                     f"a one-line Streamlit app {shown.floor:.2f} s",
                     f"{statistics.median(reloads) / shown.floor:.2f}x",
                     goal_text(WARM_GOAL_S)))  # fmt: skip
        rss_goal = RSS_GOAL_MB if scale == "large" else None
        rows.append((f"{scale} Streamlit peak RSS after {shown.visits} visits",
                     f"{shown.peak_rss:,.0f} MB", f"after 1 visit {shown.idle_rss:,.0f} MB",
                     f"{shown.peak_rss / shown.idle_rss:.2f}x",
                     (f"<= {RSS_GOAL_MB:.0f} MB" + verdict(shown.peak_rss, rss_goal))
                     if rss_goal else f"<= {RSS_GOAL_MB:.0f} MB at large"))  # fmt: skip
    colds = [render.cold for render in renders.values()]
    warms = [render.warm for render in renders.values()]
    rows.append((f"{scale} every page: AppTest cold, median / worst",
                 f"{statistics.median(colds):.2f} / {max(colds):.2f} s", "-", "-",
                 goal_text(cold_goal)))  # fmt: skip
    rows.append((f"{scale} every page: AppTest warm, median / worst",
                 f"{statistics.median(warms):.3f} / {max(warms):.3f} s", "-", "-",
                 goal_text(WARM_GOAL_S)))  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=list(SCALES), default="medium",
                        help="scale to seed (default: medium; large for the goals)")  # fmt: skip
    parser.add_argument("--reuse", metavar="DB", help="use this seeded database; no seed")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--no-train",
        action="store_true",
        help="never train (write to) the database, even with no model runs",
    )
    parser.add_argument("--filter-sets", type=int, default=20,
                        help="random filter sets per page for the memory figure (20)")  # fmt: skip
    parser.add_argument("--heavy-sets", type=int, default=5,
                        help="heavy filter sets per page for the cold AppTest runs of 2b; 0 "
                        "skips them (5)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=42, help="seed of the random filters (42)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="AppTest tries per page; the median counts (3)")  # fmt: skip
    parser.add_argument("--no-browser", action="store_true",
                        help="skip the browser and memory figures (3 and 4)")  # fmt: skip
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the scratch database is dropped
    warnings.filterwarnings("ignore")
    server = database_url()
    say(f"server: {libpq_url(server)}")
    say("\n1. database")
    with bench_database(server, args) as url:
        scale, orders = scale_of(url)
        data = profile(url)
        say(f"    {orders:,} orders (about the {scale} scale), {data.first_day} to "
            f"{data.last_day}")  # fmt: skip
        say("\n2. server-side render (AppTest), default link; cold = cache_data cleared")
        renders = render_times(url, args.repeat)
        heavy: dict[str, Heavy] = {}
        if args.heavy_sets > 0:
            say(f"\n2b. server-side render (AppTest) cold under {args.heavy_sets} heavy filter "
                "sets per page: categories, no country, 1-2 years")  # fmt: skip
            heavy = heavy_render_times(url, data, args.heavy_sets, args.seed)
        shown = None
        if args.no_browser:
            say("\n3-4. browser and memory: skipped (--no-browser)")
        elif not screenshots.CHROMIUM.exists():
            say(f"\n3-4. browser and memory: skipped, no {screenshots.CHROMIUM}")
        else:
            say("\n3. first paint in headless Chromium; 4. the server's memory")
            shown = in_the_browser(url, data, args.filter_sets, args.seed)

    say("\nsummary (noisy machine: read the ratios)")
    summary = summarise(scale, renders, heavy, shown)
    header = ("figure", "value", "baseline", "ratio", "goal")
    widths = [max(len(row[i]) for row in [header, *summary]) for i in range(5)]
    for row in [header, *summary]:
        say("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
