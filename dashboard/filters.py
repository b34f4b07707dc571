"""The sidebar filters: read from the link (st.query_params), drawn as widgets, written back to
the link, so any view of the dashboard can be shared and reopened as it was.

parse() and to_params() are plain functions (tested without Streamlit); sidebar() draws them.
Invalid values in a link are dropped, each with a notice the page shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from salesdw.services import FilterOptions, Filters
from salesdw.services.filters import SALES_STATUSES

PRESETS = {
    "last_30": "Last 30 days",
    "last_90": "Last 90 days",
    "last_365": "Last 365 days",
    "ytd": "Year to date",
    "all": "All time",
    "custom": "Custom range",
}
DEFAULT_PRESET = "last_90"


@dataclass(frozen=True)
class Selection:
    """What the user chose; categories by name (links stay readable)."""

    preset: str = DEFAULT_PRESET
    start: date | None = None  # custom range only
    end: date | None = None
    countries: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    statuses: tuple[str, ...] = SALES_STATUSES


def date_range(selection: Selection, options: FilterOptions) -> tuple[date, date]:
    """The preset's days, counted back from the latest day with orders (not today: imported
    history may end long ago)."""
    last = options.last_day or date.today()
    first = options.first_day or last
    days = {"last_30": 30, "last_90": 90, "last_365": 365}
    if selection.preset in days:
        return last - timedelta(days=days[selection.preset] - 1), last
    if selection.preset == "ytd":
        return date(last.year, 1, 1), last
    if selection.preset == "custom" and selection.start and selection.end:
        return selection.start, selection.end
    return first, last


def to_filters(selection: Selection, options: FilterOptions) -> Filters:
    start, end = date_range(selection, options)
    ids = dict((name, category_id) for category_id, name in options.categories)
    return Filters(start, end, selection.countries,
                   tuple(ids[name] for name in selection.categories), selection.channels,
                   selection.statuses)  # fmt: skip


def _known(values: list[str], allowed: list[str], what: str, notices: list[str]) -> tuple:
    kept = tuple(dict.fromkeys(v for v in values if v in allowed))
    for value in dict.fromkeys(v for v in values if v not in allowed):
        notices.append(f"Ignored {what} {value!r} from the link: not in this warehouse.")
    return kept


def parse(params: Mapping[str, list[str]], options: FilterOptions) -> tuple[Selection, list[str]]:
    """A Selection from query parameters (each a list of values), and a notice per value
    dropped because it is unknown or malformed."""
    notices: list[str] = []

    def first(key: str) -> str | None:
        values = params.get(key) or []
        return values[0] if values else None

    preset = first("period") or DEFAULT_PRESET
    if preset not in PRESETS:
        notices.append(f"Ignored period {preset!r} from the link; showing the last 90 days.")
        preset = DEFAULT_PRESET
    start = end = None
    if preset == "custom":
        try:
            start, end = (
                date.fromisoformat(first("from") or ""),
                date.fromisoformat(first("to") or ""),
            )
            if start > end:
                raise ValueError
        except ValueError:
            notices.append("Ignored the custom dates from the link (need from <= to, as "
                           "YYYY-MM-DD); showing the last 90 days.")  # fmt: skip
            preset, start, end = DEFAULT_PRESET, None, None
    if start and end and options.first_day and options.last_day:
        # the date picker refuses days outside the data: clip the link's range into them
        first, last = options.first_day, options.last_day
        if start > last or end < first:
            notices.append(f"Ignored the custom dates from the link: the orders run from "
                           f"{first} to {last}; showing the last 90 days.")  # fmt: skip
            preset, start, end = DEFAULT_PRESET, None, None
        elif start < first or end > last:
            start, end = max(start, first), min(end, last)
            notices.append(f"Moved the link's dates to {start} - {end}: the orders run from "
                           f"{first} to {last}.")  # fmt: skip
    statuses = _known(params.get("status", []), list(options.statuses), "status", notices)
    selection = Selection(
        preset=preset,
        start=start,
        end=end,
        countries=_known([c.upper() for c in params.get("country", [])],
                         [code for code, _ in options.countries], "country", notices),
        categories=_known(params.get("category", []), [name for _, name in options.categories],
                          "category", notices),
        channels=_known(params.get("channel", []), list(options.channels), "channel", notices),
    )  # fmt: skip
    if statuses:
        selection = replace(selection, statuses=statuses)
    return selection, notices


def to_params(selection: Selection) -> dict[str, list[str]]:
    """Query parameters for the selection, defaults left out (short links)."""
    params: dict[str, list[str]] = {}
    if selection.preset != DEFAULT_PRESET:
        params["period"] = [selection.preset]
    if selection.preset == "custom" and selection.start and selection.end:
        params["from"] = [selection.start.isoformat()]
        params["to"] = [selection.end.isoformat()]
    for key, values in (("country", selection.countries), ("category", selection.categories),
                        ("channel", selection.channels)):  # fmt: skip
        if values:
            params[key] = list(values)
    if tuple(selection.statuses) != SALES_STATUSES:
        params["status"] = list(selection.statuses)
    return params
