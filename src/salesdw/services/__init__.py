"""Typed queries over the analytics views, shared by the dashboard, the CLI and any API.

Bound parameters only; every service takes a validated Filters value.
"""

from salesdw.services.filters import FilterError, FilterOptions, Filters, filter_options
from salesdw.services.sales import GRAINS, KpiComparison, Kpis, freshness, kpis, sales_trend

__all__ = [
    "GRAINS",
    "FilterError",
    "FilterOptions",
    "Filters",
    "KpiComparison",
    "Kpis",
    "filter_options",
    "freshness",
    "kpis",
    "sales_trend",
]
