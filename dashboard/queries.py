"""Cached calls to salesdw.services: the engine once per server process (cache_resource),
results per service and filter values for a few minutes (cache_data, bounded), so moving
between pages or back to a filter set is instant and memory stays bounded."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.runtime.scriptrunner import add_script_run_ctx

from salesdw import services
from salesdw.services import (
    Filters,
    breakdowns,
    browse,
    channels,
    customers,
    geo,
    insights,
    models,
    products,
    sales,
    status,
)

TTL_SECONDS = 300
MAX_ENTRIES = 512
#: Services that answer with an empty frame until `salesdw train` has run.
MODEL_SERVICES = {"forecast_series", "forecast", "forecast_backtests", "churn_risk",
                  "clv_distribution", "customer_clusters", "product_segments", "anomaly_days",
                  "model_metrics"}  # fmt: skip

#: Every service a page may call, by name.
SERVICES: dict[str, Callable[..., Any]] = {
    "status": status.warehouse_status,
    "options": services.filter_options,
    "freshness": sales.freshness,
    "kpis": sales.kpis,
    "sales_trend": sales.sales_trend,
    "daily_trend": breakdowns.daily_trend,
    "breakdown": breakdowns.sales_breakdown,
    "year_over_year": breakdowns.year_over_year,
    "country_categories": breakdowns.country_categories,
    "active_customers": customers.active_customers,
    "conversion": channels.conversion,
    "channels": channels.channels,
    "channel_totals": channels.channel_totals,
    "seasonality": channels.seasonality,
    "geo": geo.geo,
    "top_cities": geo.top_cities,
    "top_products": products.top_products,
    "pareto": products.product_pareto,
    "category_performance": products.category_performance,
    "basket_pairs": products.basket_pairs,
    "rfm_segments": customers.rfm_segments,
    "cohorts": customers.cohorts,
    "customer_stats": customers.customer_summary_stats,
    "insights": insights.insights,
    "forecast_series": models.forecast_series,
    "forecast": models.forecast,
    "forecast_backtests": models.forecast_backtests,
    "churn_risk": models.churn_risk,
    "clv_distribution": models.clv_distribution,
    "customer_clusters": models.customer_clusters,
    "product_segments": models.product_segment_summary,
    "anomaly_days": models.anomaly_days,
    "flagged_day_count": models.flagged_day_count,
    "model_metrics": models.model_metrics,
    "views": browse.analytics_views,
    "view_page": browse.view_page,
}


@st.cache_resource(show_spinner="Connecting to the warehouse...",
                   on_release=lambda engine: engine.dispose())  # fmt: skip
def engine() -> Engine:
    """One engine per server process (starts the embedded PostgreSQL if that is the one)."""
    from salesdw.db.connect import get_engine

    return get_engine()


def _key(filters: Filters | None) -> tuple | None:
    if filters is None:
        return None
    return (filters.start, filters.end, filters.countries, filters.categories, filters.channels,
            filters.statuses)  # fmt: skip


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _cached(name: str, filters_key: tuple | None, args: tuple, kwargs: tuple) -> Any:
    service = SERVICES[name]
    call_args = [engine()]
    if filters_key is not None:
        call_args.append(Filters(*filters_key))
    return service(*call_args, *args, **dict(kwargs))


def _to_do(name: str, result: Any) -> bool:
    """Whether the answer tells the user to run a command (migrate, refresh, seed, train)."""
    if name == "status":
        return not result.is_ready
    return name in MODEL_SERVICES and result.empty


def call(name: str, *args: Any, filters: Filters | None = None, **kwargs: Any) -> Any:
    """services.<name>(engine, [filters,] *args, **kwargs), cached by its arguments; an answer
    that says what to run is not kept, so the reload after running it shows the result."""
    key = (name, _key(filters), args, tuple(sorted(kwargs.items())))
    result = _cached(*key)
    if _to_do(name, result):
        _cached.clear(*key)
    return result


class Pending:
    """call(...) running in a thread of its own while the page goes on drawing: the database
    answers a slow query (distinct customers under a category filter: a second at 10M orders)
    while the page's other queries run, on another core. result() waits for it. The thread
    carries the script run's context, as Streamlit requires of threads that use its caches."""

    def __init__(self, name: str, *args: Any, filters: Filters | None = None,
                 **kwargs: Any) -> None:  # fmt: skip
        self._outcome: tuple[bool, Any] = (False, None)
        self._thread = threading.Thread(
            target=self._run, args=(name, args, filters, kwargs), name=f"salesdw-{name}",
            daemon=True,
        )  # fmt: skip
        add_script_run_ctx(self._thread)
        self._thread.start()

    def _run(self, name: str, args: tuple, filters: Filters | None, kwargs: dict) -> None:
        try:
            self._outcome = (True, call(name, *args, filters=filters, **kwargs))
        except BaseException as exc:  # raised again, in the page, by result()
            self._outcome = (False, exc)

    def result(self) -> Any:
        """The answer, once the call is done; its exception, raised here, if it failed."""
        self._thread.join()
        succeeded, value = self._outcome
        if not succeeded:
            raise value
        return value


# -- Writes: the Import page goes through salesdw.load, never cached ------------------------------


def conninfo() -> str:
    """The libpq URL of the dashboard's warehouse (what salesdw.load connects with)."""
    from salesdw.db.connect import libpq_url

    return libpq_url(engine().url, hide_password=False)


def preview_import(path, options) -> tuple[Any, Any]:
    """The plan (format, mapping) and a dry run's result: nothing is written."""
    from dataclasses import replace

    from salesdw import load

    plan = load.plan(conninfo(), path, options)
    return plan, load.run(conninfo(), path, replace(options, dry_run=True), plan_=plan)


def run_import(path, options) -> Any:
    """Import for real, refresh the views, and forget every cached answer (they changed)."""
    from dataclasses import replace

    from salesdw import load
    from salesdw.refresh import refresh

    result = load.run(conninfo(), path, replace(options, dry_run=False))
    refresh(conninfo())
    _cached.clear()
    return result
