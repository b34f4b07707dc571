"""Screenshots of the dashboard's pages for the README, taken in headless Chromium.

    .venv/bin/python scripts/screenshots.py [--database URL] [--out docs/screenshots]
        [--dark [PAGE ...]] [PAGE ...]

It serves the dashboard (`salesdw dashboard --headless`) on a free port over --database (default
postgresql://postgres@127.0.0.1:5432/salesdw_dev, a small seeded and trained warehouse, only
read), opens each page (default: every page) at 1400 x 900 with the default filters, waits for
its charts, and writes the whole page to OUT/<page>.png; the --dark pages (default: overview)
again in a browser that prefers a dark colour scheme, to OUT/<page>-dark.png. It fails when a
page shows an error, a chart is empty, or a chart's colours nearly vanish into the theme's
background (illegible()). Needs Playwright (`pip install -e
'.[dev]'`) and Debian's Chromium (`apt-get install chromium`): Playwright's own browser download
is not used.

The functions here are the browser side of tests/dashboard/test_browser.py and
bench/dashboard.py too: serve(), browser(), open_page(), problems(), illegible(), screenshot().
"""

from __future__ import annotations

import argparse
import os
import re
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

#: The app's background, and per Plotly chart its text colour and the colours its data is drawn
#: in: lines and markers of each trace (one colour or one per point), treemap sectors, and the
#: two ends of each colour scale.
COLORS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const charts = Array.from(document.querySelectorAll(
        '[data-testid="stMain"] [data-testid="stPlotlyChart"] .js-plotly-plot'));
    const flat = value => Array.isArray(value) ? value : (value ? [value] : []);
    const ends = scale => scale && scale.length ? [scale[0][1], scale[scale.length - 1][1]] : [];
    return {
        background: getComputedStyle(app).backgroundColor,
        charts: charts.map(plot => {
            const colors = [];
            for (const trace of plot._fullData || []) {
                if (trace.visible === false) continue;
                const name = `${trace.type} ${trace.name || ''}`.trim();
                const marker = trace.marker || {};
                // what is drawn: sectors, bars, visible lines, else markers (a shaded band's
                // edges have no width: its fill is a background, not data to read)
                const lines = (trace.mode || '').includes('lines') && trace.line;
                let own = [];
                if (trace.type === 'treemap') own = flat(marker.colors);
                else if (trace.type === 'bar') own = flat(marker.color);
                else if (lines && trace.line.width > 0) own = flat(trace.line.color);
                else if ((trace.mode || '').includes('markers')) own = flat(marker.color);
                own.filter(c => typeof c === 'string' && c).forEach(c => colors.push([name, c]));
                ends(trace.colorscale).forEach(c => colors.push([`${name} scale`, c]));
            }
            const axis = plot._fullLayout.coloraxis;
            if (axis) ends(axis.colorscale).forEach(c => colors.push(['color axis scale', c]));
            return {text: plot._fullLayout.font.color, colors};
        }),
    };
}"""
#: Least contrast (WCAG ratio) a chart's data must have against the page (graphics), and its
#: text (axis labels, legends).
DATA_CONTRAST = 2.0
TEXT_CONTRAST = 3.0

#: What Streamlit draws when something went wrong: a traceback, or an st.error box.
FAILURES = ('[data-testid="stException"]', '[data-testid="stAlertContentError"]')


@dataclass
class Server:
    """A Streamlit server on 127.0.0.1:port (`salesdw dashboard`, process group leader)."""

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
    with run_server(command, port, environment, timeout, "the dashboard") as server:
        yield server


@contextmanager
def run_server(command: list[str], port: int, environment: dict[str, str], timeout: float,
               what: str) -> Iterator[Server]:  # fmt: skip
    """Run command (a Streamlit server on 127.0.0.1:port) in a process group of its own until
    its health check answers, then until the block ends."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        server = Server(f"http://127.0.0.1:{port}", process, log)
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(server.url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{what} did not start on {server.url}:\n"
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


def _rgb(color: str, under: tuple[float, float, float] = (1.0, 1.0, 1.0)
         ) -> tuple[float, float, float]:  # fmt: skip
    """'#1f77b4', '#fff', 'rgb(1, 2, 3)' or 'rgba(1, 2, 3, 0.5)' (blended onto `under`) as
    0..1 channels."""
    color = color.strip().lower()
    if color.startswith("#"):
        digits = color[1:]
        if len(digits) in (3, 4):
            digits = "".join(2 * d for d in digits)
        channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        alpha = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
    else:
        numbers = [float(n) for n in re.findall(r"[\d.]+", color)]
        channels = [n / 255 for n in numbers[:3]]
        alpha = numbers[3] if len(numbers) > 3 else 1.0
    return tuple(alpha * c + (1 - alpha) * u for c, u in zip(channels, under, strict=True))


def contrast(color: str, background: str) -> float:
    """WCAG contrast ratio of two CSS colours (1 to 21), a translucent colour taken as drawn
    over the background."""

    def luminance(rgb: tuple[float, float, float]) -> float:
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    back = _rgb(background)
    lighter, darker = sorted([luminance(_rgb(color, back)), luminance(back)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def illegible(page: Page) -> list[str]:
    """Chart colours that nearly vanish into the page's background (in its current theme):
    data under DATA_CONTRAST, text under TEXT_CONTRAST."""
    found = page.evaluate(COLORS)
    background = found["background"]
    problems = []
    for number, chart in enumerate(found["charts"], 1):
        if contrast(chart["text"], background) < TEXT_CONTRAST:
            problems.append(f"chart {number}: text {chart['text']} on {background}")
        for name, color in dict.fromkeys(map(tuple, chart["colors"])):
            ratio = contrast(color, background)
            if ratio < DATA_CONTRAST:
                problems.append(f"chart {number}: {name} in {color} on {background} "
                                f"(contrast {ratio:.1f})")  # fmt: skip
    return problems


def is_dark(page: Page) -> bool:
    """Whether the app is drawn in a dark theme (its background darker than mid-grey)."""
    background = page.evaluate(COLORS)["background"]
    return contrast(background, "#000000") < contrast(background, "#ffffff")


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
    parser.add_argument("--dark", nargs="*", metavar="PAGE", default=["overview"],
                        help="pages also taken in the dark theme, as OUT/<page>-dark.png "
                             "(default: overview; --dark alone: none)")  # fmt: skip
    args = parser.parse_args()
    unknown = [name for name in args.pages if name not in PAGES]
    if unknown:
        parser.error(f"unknown page {unknown[0]!r}; pages: {', '.join(PAGES)}")
    if not CHROMIUM.exists():
        sys.exit(f"error: no {CHROMIUM}; install it with: apt-get install chromium")
    # minimal toolbar: no "Deploy" button in the pictures
    with serve(args.database, {"STREAMLIT_CLIENT_TOOLBAR_MODE": "minimal"}) as server, \
            browser() as chromium:  # fmt: skip
        failed = False
        # Streamlit follows the browser's colour scheme unless the user picks a theme
        for scheme, names, suffix in (("light", args.pages or list(PAGES), ""),
                                      ("dark", args.dark, "-dark")):  # fmt: skip
            if not names:
                continue
            page = chromium.new_page(viewport=VIEWPORT, color_scheme=scheme)
            errors = watch(page)
            for name in names:
                errors.clear()
                seconds = open_page(page, f"{server.url}/{PAGES[name]}")
                path = args.out / f"{name}{suffix}.png"
                screenshot(page, path)
                wrong = problems(page, name, errors) + illegible(page)
                if is_dark(page) != (scheme == "dark"):
                    wrong.append(f"asked for the {scheme} theme, got the other")
                failed = failed or bool(wrong)
                print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
                      f"{path.stat().st_size / 1024:,.0f} KB, drawn in {seconds:.1f} s"
                      + "".join(f"\n    problem: {problem}" for problem in wrong))  # fmt: skip
            page.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
