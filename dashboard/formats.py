"""Number formats and colours shared by every page, so a channel or segment keeps its colour
and money reads the same everywhere."""

from __future__ import annotations

import plotly.express as px

from salesdw.schema import ORDER_CHANNELS, ORDER_STATUSES
from salesdw.settings import get_settings

NOT_AVAILABLE = "n/a"
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF ", "INR": "₹"}

#: Fixed colours for fixed sets; categories and countries take theirs in order of id or rank.
PALETTE = px.colors.qualitative.Safe + px.colors.qualitative.Vivid
CHANNEL_COLORS = dict(zip(ORDER_CHANNELS, PALETTE, strict=False))
STATUS_COLORS = dict(zip(ORDER_STATUSES, px.colors.qualitative.Pastel, strict=False))
SEGMENT_COLORS = {
    "Champions": "#1b7837", "Loyal Customers": "#5aae61", "Potential Loyalist": "#a6dba0",
    "New Customers": "#2166ac", "Promising": "#67a9cf", "Need Attention": "#fddbc7",
    "About To Sleep": "#f4a582", "At Risk": "#d6604d", "Can't Lose Them": "#b2182b",
    "Hibernating": "#bababa", "Lost": "#878787",
}  # fmt: skip


def colors_for(names: list) -> dict:
    """A stable colour per name (sorted), for sets without fixed colours."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(sorted(set(names)))}


def currency_symbol() -> str:
    code = get_settings().currency
    return _SYMBOLS.get(code, f"{code} ")


def money(value: float | None, digits: int = 0) -> str:
    """1234567.8 -> '€1,234,568'; ten millions and up shortened: '€12.3M'."""
    if value is None:
        return NOT_AVAILABLE
    symbol = currency_symbol()
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 10_000_000:
        return f"{sign}{symbol}{value / 1_000_000:,.1f}M"
    return f"{sign}{symbol}{value:,.{digits}f}"


def count(value: float | None) -> str:
    return NOT_AVAILABLE if value is None else f"{value:,.0f}"


def percent(value: float | None, digits: int = 1) -> str:
    return NOT_AVAILABLE if value is None else f"{value:.{digits}%}"


def change(value: float | None) -> str | None:
    """A KPI's change against the previous period, for st.metric's delta."""
    return None if value is None else f"{value:+.1%}"
