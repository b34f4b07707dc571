"""The dashboard in a real browser: `salesdw dashboard` serves the seeded, trained warehouse and
headless Chromium opens every page as a person would, by its link. Each page must show its
charts drawn with data (the Data page its table), no error box, no traceback and no JavaScript
error; a screenshot of each is kept in the test's temporary folder (printed with -s).

Needs Playwright (the dev extra) and Debian's Chromium at /usr/bin/chromium, which `make test`
installs when it runs as root; skipped with the reason otherwise. The browser side is shared
with scripts/screenshots.py, which takes the README's pictures the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.engine import Engine

from scripts.screenshots import (
    CHROMIUM,
    PAGES,
    VIEWPORT,
    Server,
    browser,
    current_page,
    illegible,
    is_dark,
    open_page,
    problems,
    screenshot,
    serve,
    watch,
)
from tests.dashboard.conftest import url_of

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install "
                    "-e '.[dev]'")  # fmt: skip
if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (make test does it as "
                "root)", allow_module_level=True)  # fmt: skip


@pytest.fixture(scope="module")
def server(trained: Engine) -> Iterator[Server]:
    # tests/conftest.py's `trained` holds the engine in .engine; tests/dashboard's is one
    with serve(url_of(getattr(trained, "engine", trained))) as server:
        yield server


@dataclass
class Tab:
    """One browser tab for the module (a new tab per page is slower: it loads Streamlit's
    scripts again), and the JavaScript errors it raised since the current test began."""

    page: Page
    errors: list[str]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with browser() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def module_tab(chromium: Browser) -> Tab:
    page = chromium.new_page(viewport=VIEWPORT)
    return Tab(page, watch(page))


@pytest.fixture
def tab(module_tab: Tab) -> Tab:
    module_tab.errors.clear()
    return module_tab


@pytest.fixture(scope="module")
def module_dark_tab(chromium: Browser) -> Tab:
    """A tab of a browser that prefers a dark colour scheme, which Streamlit follows."""
    page = chromium.new_page(viewport=VIEWPORT, color_scheme="dark")
    return Tab(page, watch(page))


@pytest.fixture
def dark_tab(module_dark_tab: Tab) -> Tab:
    module_dark_tab.errors.clear()
    return module_dark_tab


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"\nscreenshots in {folder}")
    return folder


@pytest.mark.parametrize("name", list(PAGES))
def test_page_draws_its_charts_without_errors(name: str, server: Server, tab: Tab,
                                               shots: Path) -> None:  # fmt: skip
    open_page(tab.page, f"{server.url}/{PAGES[name]}")
    screenshot(tab.page, shots / f"{name}.png")
    assert current_page(tab.page) == name.title()
    assert (shots / f"{name}.png").stat().st_size > 10_000
    assert problems(tab.page, name, tab.errors) == []
    assert not is_dark(tab.page)
    assert illegible(tab.page) == []


@pytest.mark.parametrize("name", ["overview", "sales", "geography", "customers", "forecasts"])
def test_charts_are_legible_in_the_dark_theme(name: str, server: Server, dark_tab: Tab,
                                              shots: Path) -> None:  # fmt: skip
    """A browser that prefers dark gets Streamlit's dark theme; every chart's text and data
    stand out from its background (as they do in light, above)."""
    open_page(dark_tab.page, f"{server.url}/{PAGES[name]}")
    screenshot(dark_tab.page, shots / f"{name}-dark.png")
    assert is_dark(dark_tab.page)
    assert problems(dark_tab.page, name, dark_tab.errors) == []
    assert illegible(dark_tab.page) == []


def test_filters_in_the_link_open_with_the_page(server: Server, tab: Tab) -> None:
    """A shared link (page path and query) opens that page with those filters, and the link
    keeps them."""
    open_page(tab.page, f"{server.url}/sales?period=last_365&country=DE&channel=web")
    sidebar = tab.page.locator('[data-testid="stSidebar"]')
    assert current_page(tab.page) == "Sales"
    assert sidebar.get_by_role("combobox", name="Period").input_value() == "Last 365 days"
    countries = sidebar.locator('[data-testid="stMultiSelect"]', has_text="Countries")
    assert countries.inner_text().split() == ["Countries", "Germany"]
    assert "period=last_365" in tab.page.url
    assert "country=DE" in tab.page.url
    assert problems(tab.page, "sales", tab.errors) == []
