"""The frame around every page: the sidebar filters, the title with the data's freshness badge,
and the failure states a user meets (database unreachable, schema missing, warehouse empty),
each with the command that fixes it instead of a traceback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import streamlit as st
from sqlalchemy.exc import OperationalError

from dashboard import queries
from dashboard.filters import PRESETS, Selection, date_range, parse, to_filters, to_params
from dashboard.formats import Colors
from salesdw.errors import SalesdwError
from salesdw.services import FilterOptions, Filters
from salesdw.services.status import STALE_AFTER, WarehouseStatus
from salesdw.settings import get_settings

_STATE_KEY = "salesdw_filters"
_GONE = ("The database does not answer ({}). Start it with `make db` or check DATABASE_URL, "
         "then reload.")  # fmt: skip


def _stop(message: str) -> None:
    st.error(message, icon=":material/error:")
    st.stop()


def _checked(name: str):
    """queries.call(name) in the frame, before any page draws: a user error or a server that
    went away stops the page with what to do."""
    try:
        return queries.call(name)
    except SalesdwError as exc:
        _stop(f"{exc}")
    except Exception as exc:  # the server went away after the engine was made
        _stop(_GONE.format(type(exc).__name__))


def warehouse() -> FilterOptions:
    """Connect and check the warehouse; stop the page with what to run when it is not ready."""
    status = _checked("status")
    if not status.is_ready:
        _stop(status.message)
    options = _checked("options")
    st.session_state["salesdw_status"] = status
    st.session_state["salesdw_options"] = options
    return options


def _local(moment: datetime) -> str:
    """A time in SALESDW_TIMEZONE, named by its abbreviation (CET, EDT, UTC...)."""
    zone = ZoneInfo(get_settings().timezone)
    return f"{moment.astimezone(zone):%d %b %Y %H:%M %Z}"


def _ago(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    if hours < 1:
        return f"{max(int(hours * 60), 0)} min ago"
    if hours < 48:
        return f"{hours:.0f} h ago"
    return f"{hours / 24:.0f} days ago"


def freshness(status: WarehouseStatus) -> tuple[str, str, list[str]]:
    """The badge's colour and words, and why the views are stale (empty when they are not)."""
    reasons = []
    if status.loaded_since_refresh:
        reasons.append(f"Data was loaded at {_local(status.loaded_at)}, after the views were "
                       f"refreshed ({_local(status.oldest_refresh)}): run `make refresh` to "
                       "include it.")  # fmt: skip
    if status.views_disagree:
        reasons.append(f"Some views were refreshed before the latest order "
                       f"({_local(status.data_through)}); they cover orders up to "
                       f"{_local(status.oldest_data_through)}. Run `make refresh`.")  # fmt: skip
    age = status.refresh_age
    if age is not None and age > STALE_AFTER:
        reasons.append(f"The views were last refreshed {_ago(age)} "
                       f"({_local(status.oldest_refresh)}). Run `make refresh` for newer "
                       "orders.")  # fmt: skip
    if reasons:
        return "orange", "Stale", reasons
    when = f" · refreshed {_ago(age)}" if age is not None else ""
    return "green", f"Fresh{when}", []


def _initial(options: FilterOptions) -> None:
    """On a session's first run, take the filters from the link."""
    if _STATE_KEY in st.session_state:
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    selection, notices = parse(params, options)
    st.session_state[_STATE_KEY] = True
    st.session_state["salesdw_notices"] = notices
    st.session_state["f_preset"] = selection.preset
    if selection.preset == "custom":
        st.session_state["f_range"] = (selection.start, selection.end)
    st.session_state["f_countries"] = list(selection.countries)
    st.session_state["f_categories"] = list(selection.categories)
    st.session_state["f_channels"] = list(selection.channels)
    st.session_state["f_statuses"] = list(selection.statuses)


#: The session-state keys of the filter widgets.
FILTER_KEYS = ("f_preset", "f_range", "f_countries", "f_categories", "f_channels", "f_statuses")


def keep_filters() -> None:
    """On a page that draws no filters (Import): keep their values for the next page.
    Streamlit forgets a widget's value after a run that does not draw it, unless the value is
    assigned again in that run; the link keeps them too."""
    for key in FILTER_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def sidebar(options: FilterOptions) -> Filters:
    """Draw the filters, mirror them in the link, and return them as a Filters value."""
    _initial(options)
    bar = st.sidebar
    bar.header("Filters")
    preset = bar.selectbox("Period", list(PRESETS), format_func=PRESETS.get, key="f_preset")
    start = end = None
    if preset == "custom":
        first = options.first_day or date.today()
        last = options.last_day or date.today()
        if "f_range" not in st.session_state:  # a value here, not value=: no double default
            st.session_state["f_range"] = (first, last)
        chosen = bar.date_input("From - to", min_value=first, max_value=last, key="f_range")
        if isinstance(chosen, tuple) and len(chosen) == 2:
            start, end = chosen
        else:  # half-picked: keep the whole range until both ends are chosen
            start, end = first, last
    names = dict(options.countries)
    countries = bar.multiselect("Countries", list(names), format_func=lambda c: names[c],
                                key="f_countries", placeholder="All countries")  # fmt: skip
    categories = bar.multiselect("Categories", [n for _, n in options.categories],
                                 key="f_categories", placeholder="All categories")  # fmt: skip
    channels = bar.multiselect("Sales channels", list(options.channels), key="f_channels",
                               placeholder="All channels")  # fmt: skip
    statuses = bar.multiselect("Order status", list(options.statuses), key="f_statuses")
    if not statuses:
        bar.warning("Select at least one status; showing every status but cancelled.")
        statuses = [s for s in options.statuses if s != "cancelled"]
    selection = Selection(preset, start, end, tuple(countries), tuple(categories),
                          tuple(channels), tuple(statuses))  # fmt: skip
    st.query_params.from_dict(to_params(selection))
    first_day, last_day = date_range(selection, options)
    bar.caption(f"{first_day:%d %b %Y} - {last_day:%d %b %Y}")
    return to_filters(selection, options)


def header(title: str) -> None:
    """The page title, the data's freshness (a badge, the times in SALESDW_TIMEZONE, a warning
    when stale) and the notices of dropped link values."""
    st.title(title)
    status: WarehouseStatus | None = st.session_state.get("salesdw_status")
    if status is not None:
        color, words, reasons = freshness(status)
        icon = ":material/check_circle:" if not reasons else ":material/schedule:"
        times = []
        if status.data_through:
            times.append(f"Data through {_local(status.data_through)}")
        if status.refreshed_at:
            times.append(f"views refreshed {_local(status.refreshed_at)}")
        row = st.container(horizontal=True, vertical_alignment="center", gap="small")
        row.badge(words, color=color, icon=icon)
        row.caption(" · ".join(times))
        for reason in reasons:
            st.warning(reason, icon=":material/schedule:")
    for notice in st.session_state.pop("salesdw_notices", []):
        st.warning(notice, icon=":material/link_off:")


def options() -> FilterOptions:
    """What the filters choose from (read by the frame this run)."""
    return st.session_state["salesdw_options"]


def colors() -> Colors:
    """The fixed colours of categories and countries (formats.Colors), the same on every page
    and under any filter."""
    return Colors.of(options())


def filters() -> Filters:
    """The filters the frame drew for this run."""
    return st.session_state["salesdw_current_filters"]


def nothing_selected(what: str = "sales") -> None:
    st.info(f"No {what} match the filters. Widen the period or clear a filter.",
            icon=":material/filter_alt_off:")  # fmt: skip


def not_trained(model: str) -> None:
    st.info(f"The {model} model has not been trained yet. Run `make train` (or `salesdw train "
            f"{model}`) and reload.", icon=":material/model_training:")  # fmt: skip


def call(name: str, *args, **kwargs):
    """queries.call with the page's filters, showing a user error instead of a traceback."""
    return answer(lambda: queries.call(name, *args, **kwargs))


def start(name: str, *args, **kwargs) -> queries.Pending:
    """queries.call begun in the background: the page draws on, and answer(pending.result)
    takes the answer where it is shown."""
    return queries.Pending(name, *args, **kwargs)


def answer(get: Callable[[], Any]) -> Any:
    """get(), showing a user error or a lost server as a message instead of a traceback."""
    try:
        return get()
    except SalesdwError as exc:
        _stop(str(exc))
    except OperationalError as exc:  # the server went away since the frame checked it
        _stop(_GONE.format(type(exc).__name__))
