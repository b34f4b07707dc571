"""Run the dashboard in Streamlit's AppTest, as a browser opening a link would: the app once on
a database with the link's query, then switched to a page. Shared by tests/dashboard (the
`open_page` fixture) and bench/dashboard.py (server-side render times)."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from salesdw.settings import get_settings

APP = Path(__file__).resolve().parent / "app.py"
#: Generous: the first run imports plotly and pandas; a page never waits this long.
TIMEOUT = 120
#: Every page that reads the warehouse, by name (its file in app_pages/); "overview" is the
#: default page. The Import page writes, and is opened on its own.
PAGES = ("overview", "sales", "geography", "products", "customers", "channels", "forecasts",
         "anomalies", "data")  # fmt: skip
ALL_PAGES = (*PAGES, "import")

_serving: list[str] = []  # the database whose answers Streamlit's caches hold


def forget_everything() -> None:
    """Empty Streamlit's caches (the engine too: cache_resource disposes it) and the settings."""
    st.cache_data.clear()
    st.cache_resource.clear()
    get_settings.cache_clear()
    _serving.clear()


def open_app(database_url: str, page: str = "overview", params: dict | None = None,
             timeout: float = TIMEOUT) -> AppTest:  # fmt: skip
    """The app run once on database_url with `params` as the link's query, then switched to
    `page`. Sets DATABASE_URL in this process's environment (AppTest runs the script here);
    runs on the same database share Streamlit's caches, as the sessions of one server do, and
    another database empties them first."""
    if page not in ALL_PAGES:
        raise ValueError(f"unknown page {page!r}; pages: {', '.join(ALL_PAGES)}")
    os.environ["DATABASE_URL"] = database_url
    get_settings.cache_clear()
    if _serving != [database_url]:
        forget_everything()
        _serving[:] = [database_url]
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.query_params.update(params or {})
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    return at
