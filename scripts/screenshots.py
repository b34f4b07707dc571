"""Screenshots of the dashboard's pages for the README, taken in headless Chromium.

    .venv/bin/python scripts/screenshots.py [--database URL] [--out docs/screenshots] [PAGE ...]

It serves the dashboard (`salesdw dashboard --headless`) on a free port over --database (default
postgresql://postgres@127.0.0.1:5432/salesdw_dev, a small seeded and trained warehouse, only
read), opens each page (default: every page) at 1400 x 900 with the default filters, waits for
its charts, and writes the whole page to OUT/<page>.png. Needs Playwright (`pip install -e
'.[dev]'`) and Debian's Chromium (`apt-get install chromium`): Playwright's own browser download
is not used.

The functions here are the browser side of tests/dashboard/test_browser.py and
bench/dashboard.py too: serve(), browser(), open_page(), problems(), screenshot().
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
DEV_DATABASE = "postgresql://postgres@127.0.0.1:5432/salesdw_dev"
VIEWPORT = {"width": 1400, "height": 900}

#: Every page by its URL path (st.navigation derives it from the file name; the default page
#: is "/"), and whether it draws Plotly charts (the Data page shows a table instead).
PAGES = {
    "overview": "",
    "sales": "sales",
    "geography": "geography",
    "products": "products",
    "customers": "customers",
    "channels": "channels",
    "forecasts": "forecasts",
    "anomalies": "anomalies",
    "data": "data",
}
WITHOUT_CHARTS = {"data"}

#: True once the script run is over and every lazily loaded element (Plotly, the data grid) has
#: replaced its skeleton: Streamlit marks the run's state on stApp, and each Plotly chart gets
#: its SVG when drawn.
READY = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    const main = document.querySelector('[data-testid="stMain"]');
    if (!main || !main.querySelector('h1')) return false;
    if (main.querySelector('[data-testid="stSkeleton"]')) return false;
    return Array.from(main.querySelectorAll('[data-testid="stPlotlyChart"]'))
        .every(chart => chart.querySelector('.js-plotly-plot .main-svg'));
}"""

#: Per Plotly chart: its traces, how many carry data (x, y, z, values...), its size, and for a
#: map the countries drawn (Plotly fetches their outlines at run time; none when that fails).
CHARTS = """() => Array.from(document.querySelectorAll(
        '[data-testid="stMain"] [data-testid="stPlotlyChart"]')).map(chart => {
    const plot = chart.querySelector('.js-plotly-plot');
    const traces = (plot && plot._fullData) || [];
    const keys = ['x', 'y', 'z', 'values', 'labels', 'locations', 'lat', 'lon'];
    const filled = traces.filter(trace => keys.some(key => trace[key] && trace[key].length > 0));
    const box = chart.getBoundingClientRect();
    return {
        traces: traces.length,
        filled: filled.length,
        maps: traces.filter(trace => trace.type === 'choropleth').length,
        countries: chart.querySelectorAll('.choroplethlocation').length,
        height: box.height,
        width: box.width,
    };
})"""

#: What Streamlit draws when something went wrong: a traceback, or an st.error box.
FAILURES = ('[data-testid="stException"]', '[data-testid="stAlertContentError"]')


@dataclass
class Server:
    """A dashboard served on 127.0.0.1:port by `salesdw dashboard` (process group leader)."""

    url: str
    process: subprocess.Popen
    log: IO[str]

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _salesdw() -> str:
    beside = Path(sys.executable).with_name("salesdw")
    return str(beside) if beside.exists() else "salesdw"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group we started (salesdw and its streamlit child), then kill."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def serve(database_url: str, env: dict[str, str] | None = None, timeout: float = 60.0
          ) -> Iterator[Server]:  # fmt: skip
    """`salesdw dashboard --headless` on a free port over database_url, until the block ends."""
    port = free_port()
    command = [_salesdw(), "dashboard", "--headless", "--port", str(port)]
    environment = {**os.environ, "DATABASE_URL": database_url, **(env or {})}
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        server = Server(f"http://127.0.0.1:{port}", process, log)
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(server.url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the dashboard did not start on {server.url}:\n"
                                       f"{server.output()}")  # fmt: skip
                time.sleep(0.2)
            yield server
        finally:
            _stop(process)


@contextmanager
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(page: Page, url: str, timeout: float = 60.0) -> float:
    """Go to url and wait until the script has run and every chart is drawn; the seconds it
    took (a first paint, as a person sees it)."""
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function(READY, timeout=timeout * 1000)
    seconds = time.perf_counter() - started
    page.wait_for_timeout(200)  # nothing reruns behind it
    page.wait_for_function(READY, timeout=timeout * 1000)
    return seconds


def watch(page: Page) -> list[str]:
    """The JavaScript errors the page will raise (uncaught exceptions), as a list that fills."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)[:300]))
    return errors


def current_page(page: Page) -> str:
    """The title of the page the sidebar marks as open."""
    link = page.locator('[data-testid="stSidebarNavLink"][aria-current="page"]')
    return link.inner_text().strip().splitlines()[-1]  # after the icon's name


def problems(page: Page, name: str, errors: Sequence[str] = ()) -> list[str]:
    """What is wrong with the page on screen: error boxes and tracebacks, JavaScript errors
    (from watch()), and on a chart page no chart, an empty or flat chart, or a blank map."""
    found = [f"{selector}: {text.strip()[:300]}" for selector in FAILURES
             for text in page.locator(selector).all_inner_texts()]  # fmt: skip
    found += [f"JavaScript error: {error}" for error in errors]
    if name in WITHOUT_CHARTS:
        if not page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').count():
            found.append("no table")
        return found
    charts = page.evaluate(CHARTS)
    if not charts:
        found.append("no chart")
    for number, chart in enumerate(charts, 1):
        if not chart["filled"]:
            found.append(f"chart {number} has no data ({chart['traces']} traces)")
        if chart["height"] < 50 or chart["width"] < 50:
            found.append(f"chart {number} is {chart['width']:.0f} x {chart['height']:.0f} px")
        if chart["maps"] and not chart["countries"]:
            found.append(f"chart {number} is a map with no country drawn")
    return found


def screenshot(page: Page, path: Path) -> None:
    """The whole page, not only the viewport: Streamlit scrolls inside its main block, so the
    viewport is made as tall as that block's content for the shot, then put back."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    size = page.viewport_size or VIEWPORT
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    page.wait_for_function(READY)
    page.wait_for_timeout(300)  # Plotly redraws on resize
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    page.set_viewport_size(size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", metavar="PAGE",
                        help=f"pages to take (default: all of {', '.join(PAGES)})")  # fmt: skip
    parser.add_argument("--database", default=DEV_DATABASE, help=f"(default {DEV_DATABASE})")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots",
                        help="folder of the PNGs (default docs/screenshots)")  # fmt: skip
    args = parser.parse_args()
    unknown = [name for name in args.pages if name not in PAGES]
    if unknown:
        parser.error(f"unknown page {unknown[0]!r}; pages: {', '.join(PAGES)}")
    if not CHROMIUM.exists():
        sys.exit(f"error: no {CHROMIUM}; install it with: apt-get install chromium")
    # minimal toolbar: no "Deploy" button in the pictures
    with serve(args.database, {"STREAMLIT_CLIENT_TOOLBAR_MODE": "minimal"}) as server, \
            browser() as chromium:  # fmt: skip
        page = chromium.new_page(viewport=VIEWPORT)
        errors = watch(page)
        failed = False
        for name in args.pages or PAGES:
            errors.clear()
            seconds = open_page(page, f"{server.url}/{PAGES[name]}")
            path = args.out / f"{name}.png"
            screenshot(page, path)
            wrong = problems(page, name, errors)
            failed = failed or bool(wrong)
            print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
                  f"{path.stat().st_size / 1024:,.0f} KB, drawn in {seconds:.1f} s"
                  + "".join(f"\n    problem: {problem}" for problem in wrong))  # fmt: skip
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
