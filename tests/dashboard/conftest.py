"""Fixtures for the dashboard's AppTests: a seeded and trained warehouse shared by the session,
and `open_page`, which runs the app on a database as a browser opening a link would."""

from __future__ import annotations

import base64
import contextlib
import json
import re
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from sqlalchemy.engine import URL, Engine
from streamlit.testing.v1 import AppTest

from dashboard.apptest import forget_everything, open_app
from salesdw.settings import get_settings
from tests.conftest import Trained

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


@pytest.fixture(scope="session")
def _caches() -> Iterator[None]:
    """Streamlit's caches hold the answers of one database at a time (dashboard.apptest):
    tests on the same (read-only) database share them; emptied at the end of the session."""
    yield
    forget_everything()


@pytest.fixture
def open_page(monkeypatch: pytest.MonkeyPatch, _caches: None) -> Iterator[OpenPage]:
    """open_page(database, page="overview", params=None): the app run once on `database` (an
    engine or a URL string) with `params` as the link's query, then switched to `page`
    (dashboard.apptest.open_app); DATABASE_URL is put back after the test."""
    monkeypatch.setenv("DATABASE_URL", "")  # remembered here, restored by monkeypatch

    def open_page(database: Engine | str, page: str = "overview",
                  params: dict | None = None) -> AppTest:  # fmt: skip
        url = database if isinstance(database, str) else url_of(database)
        return open_app(url, page, params)

    yield open_page
    get_settings.cache_clear()  # monkeypatch puts DATABASE_URL back next


def assert_clean(at: AppTest) -> None:
    """No traceback and no error box on the page."""
    assert [e.value for e in at.exception] == []
    assert [e.value for e in at.error] == []


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def column_formats(table) -> dict[str, str]:
    """The number format st.column_config gives each column of a st.dataframe element."""
    config = json.loads(table.proto.columns or "{}")
    return {name: column["type_config"]["format"] for name, column in config.items()
            if "format" in column.get("type_config", {})}  # fmt: skip


def figures(at: AppTest) -> list[dict]:
    """The Plotly figures on the page, as the JSON Streamlit sends to the browser."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def numbers(array) -> np.ndarray:
    """A trace's x, y or values: a list, or Plotly's typed array ({"dtype", "bdata"})."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array, dtype=float)


def trace_colors(figure: dict) -> dict[str, str]:
    """The colour of each named trace (its line, else its marker), upper case."""
    found = {}
    for trace in figure["data"]:
        color = (trace.get("line") or {}).get("color") or (trace.get("marker") or {}).get("color")
        if isinstance(color, str) and trace.get("name"):
            found[trace["name"]] = color.upper()
    return found


def downloads(monkeypatch: pytest.MonkeyPatch) -> Callable[[object], bytes]:
    """Keep the media files of the AppTest runs that follow (AppTest drops its in-memory
    storage after each run); returns a function giving a download button's bytes."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.testing.v1 import app_test

    stores: list[MemoryMediaFileStorage] = []

    class Kept(MemoryMediaFileStorage):
        def __init__(self, endpoint: str) -> None:
            super().__init__(endpoint)
            stores.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Kept)

    def content(button) -> bytes:
        name = button.proto.url.rsplit("/", 1)[-1]
        for store in reversed(stores):
            with contextlib.suppress(Exception):
                return store.get_file(name).content
        raise AssertionError(f"no media file {button.proto.url}")

    return content


def amount(shown: str) -> float:
    """'€1,234,567' -> 1234567.0; '€12.3M' -> 12300000.0; '12,345' -> 12345.0."""
    number = re.sub(r"[^\d.M-]", "", shown)
    if number.endswith("M"):
        return float(number[:-1]) * 1_000_000
    return float(number)
