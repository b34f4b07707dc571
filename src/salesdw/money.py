"""Money as people read it: the store's currency symbol (SALESDW_CURRENCY) and thousands
separators, shared by the services' sentences (insights) and the dashboard's figures."""

from __future__ import annotations

from salesdw.settings import get_settings

__all__ = ["currency_symbol", "format_money"]

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF ", "INR": "₹"}


def currency_symbol(code: str | None = None) -> str:
    """'€' for EUR; a code without a symbol here is shown as itself: 'SEK '."""
    code = code or get_settings().currency
    return _SYMBOLS.get(code, f"{code} ")


def format_money(value: float, digits: int = 0, code: str | None = None) -> str:
    """1234567.8 -> '€1,234,568'; ten millions and up shortened: '€12.3M'; -5 -> '-€5'."""
    symbol = currency_symbol(code)
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 10_000_000:
        return f"{sign}{symbol}{value / 1_000_000:,.1f}M"
    return f"{sign}{symbol}{value:,.{digits}f}"
