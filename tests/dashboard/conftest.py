"""Fixtures for the dashboard's AppTests: a seeded and trained warehouse shared by the session,
and `open_page`, which runs the app on a database as a browser opening a link would."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy.engine import URL, Engine
from streamlit.testing.v1 import AppTest

from salesdw.settings import get_settings
from tests.conftest import Trained

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
#: Generous: the first run imports plotly and pandas; a page never waits this long.
TIMEOUT = 120

OpenPage = Callable[..., AppTest]


def url_of(engine_or_url: Engine | URL) -> str:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else engine_or_url
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def trained(trained: Trained) -> Engine:
    """The seeded warehouse after `salesdw train all` (tests/conftest.py), as an engine; read
    it, do not modify it."""
    assert trained.cli.returncode == 0, trained.cli.stderr
    return trained.engine


def _forget_everything() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()  # disposes the dashboard's engine
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def _caches() -> Iterator[list[str]]:
    """The database whose answers Streamlit's caches hold: tests on the same (read-only)
    database share them, as the sessions of one server do; another database clears them."""
    held: list[str] = []
    yield held
    _forget_everything()


@pytest.fixture
def open_page(monkeypatch: pytest.MonkeyPatch, _caches: list[str]) -> Iterator[OpenPage]:
    """open_page(database, page="overview", params=None): the app run once on `database` (an
    engine or a URL string) with `params` as the link's query, then switched to `page`."""

    def open_page(database: Engine | str, page: str = "overview",
                  params: dict | None = None) -> AppTest:  # fmt: skip
        url = database if isinstance(database, str) else url_of(database)
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        if _caches != [url]:
            _forget_everything()
            _caches[:] = [url]
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.query_params.update(params or {})
        at.run()
        if page != "overview":
            at.switch_page(f"app_pages/{page}.py").run()
        return at

    yield open_page
    get_settings.cache_clear()  # monkeypatch puts DATABASE_URL back next


def assert_clean(at: AppTest) -> None:
    """No traceback and no error box on the page."""
    assert [e.value for e in at.exception] == []
    assert [e.value for e in at.error] == []


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def amount(shown: str) -> float:
    """'€1,234,567' -> 1234567.0; '€12.3M' -> 12300000.0; '12,345' -> 12345.0."""
    number = re.sub(r"[^\d.M-]", "", shown)
    if number.endswith("M"):
        return float(number[:-1]) * 1_000_000
    return float(number)
