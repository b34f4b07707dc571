"""Number formats and colours shared by every page, so a channel, segment, category or country
keeps its colour on every chart and under any filter, and money reads the same everywhere."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.express as px

from salesdw.money import currency_symbol, format_money
from salesdw.schema import ORDER_CHANNELS, ORDER_STATUSES
from salesdw.services import FilterOptions
from salesdw.services.breakdowns import OTHER_LABELS

__all__ = ["CHANNEL_COLORS", "MARKETING_COLORS", "SEGMENT_COLORS", "Colors", "change", "count",
           "currency_symbol", "money", "percent"]  # fmt: skip

NOT_AVAILABLE = "n/a"

#: Qualitative colours of middle lightness: each stands out on a white and on a near-black
#: background (Streamlit's light and dark themes), unlike pale pastels or near-blacks.
#: No grey among them: grey is for what is left over (OTHER_COLOR) and for history.
PALETTE = [color for color in px.colors.qualitative.D3 + px.colors.qualitative.Dark2
           if color not in ("#7F7F7F", "rgb(102,102,102)")]  # fmt: skip
#: What is left over ("Other countries"): a grey visible on both themes.
OTHER_COLOR = "#8c8c8c"
CHANNEL_COLORS = dict(zip(ORDER_CHANNELS, PALETTE, strict=False))
STATUS_COLORS = dict(zip(ORDER_STATUSES, px.colors.qualitative.Dark2, strict=False))
#: Marketing channels (core.marketing_channels), by their code.
MARKETING_COLORS = dict(zip(("organic_search", "paid_search", "paid_social", "organic_social",
                             "email", "affiliate", "display", "referral", "direct"),
                            PALETTE, strict=False))  # fmt: skip
SEGMENT_COLORS = {
    "Champions": "#1b7837", "Loyal Customers": "#5aae61", "Potential Loyalist": "#7fbf7b",
    "New Customers": "#2166ac", "Promising": "#67a9cf", "Need Attention": "#e0a030",
    "About To Sleep": "#e08050", "At Risk": "#d6604d", "Can't Lose Them": "#b2182b",
    "Hibernating": "#a0a0a0", "Lost": "#787878",
}  # fmt: skip


@dataclass(frozen=True)
class Colors:
    """Fixed colours for the sets that filters change: top-level categories by id (so a
    category's colour does not depend on which others are on screen) and countries by their
    all-time net revenue rank (FilterOptions lists them that way). Keyed by the names charts
    show, and countries by code too."""

    categories: dict[str, str]
    countries: dict[str, str]
    country_codes: dict[str, str]

    @classmethod
    def of(cls, options: FilterOptions) -> Colors:
        by_id = sorted(options.categories)
        categories = {name: PALETTE[i % len(PALETTE)] for i, (_, name) in enumerate(by_id)}
        categories[OTHER_LABELS["category"]] = OTHER_COLOR
        codes = {code: PALETTE[i % len(PALETTE)] for i, (code, _) in enumerate(options.countries)}
        countries = {name: codes[code] for code, name in options.countries}
        countries[OTHER_LABELS["country"]] = OTHER_COLOR
        countries["Unknown"] = OTHER_COLOR
        return cls(categories, countries, codes)

    def of_dimension(self, by: str) -> dict[str, str]:
        """The colour of each label of a sales breakdown by `by` (labels are names)."""
        return {"category": self.categories, "country": self.countries,
                "channel": CHANNEL_COLORS, "status": STATUS_COLORS}[by]  # fmt: skip


def money(value: float | None, digits: int = 0) -> str:
    """1234567.8 -> '€1,234,568'; ten millions and up shortened: '€12.3M'."""
    return NOT_AVAILABLE if value is None or value != value else format_money(value, digits)


def count(value: float | None) -> str:
    return NOT_AVAILABLE if value is None or value != value else f"{value:,.0f}"


def percent(value: float | None, digits: int = 1) -> str:
    return NOT_AVAILABLE if value is None or value != value else f"{value:.{digits}%}"


def ratio(value: float | None) -> str:
    """Return on ad spend and the like: '3.2 x'."""
    return NOT_AVAILABLE if value is None or value != value else f"{value:,.1f} x"


def change(value: float | None) -> str | None:
    """A KPI's change against the previous period, for st.metric's delta."""
    return None if value is None else f"{value:+.1%}"


def money_format() -> str:
    """A st.column_config.NumberColumn format for whole money amounts: '€%,.0f'... printf-style
    with the currency symbol."""
    return f"{currency_symbol()}%,.0f"
