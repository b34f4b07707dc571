"""The frame around every page: the sidebar filters, the title with the data's freshness, and
the failure states a user meets (database unreachable, schema missing, warehouse empty), each
with the command that fixes it instead of a traceback."""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlalchemy.exc import OperationalError

from dashboard import queries
from dashboard.filters import PRESETS, Selection, date_range, parse, to_filters, to_params
from salesdw.errors import SalesdwError
from salesdw.services import FilterOptions, Filters

_STATE_KEY = "salesdw_filters"
_GONE = ("The database does not answer ({}). Start it with `make db` or check DATABASE_URL, "
         "then reload.")  # fmt: skip


def _stop(message: str) -> None:
    st.error(message, icon=":material/error:")
    st.stop()


def warehouse() -> FilterOptions:
    """Connect and check the warehouse; stop the page with what to run when it is not ready."""
    try:
        status = queries.call("status")
    except SalesdwError as exc:
        _stop(f"{exc}")
    except Exception as exc:  # the server went away after the engine was made
        _stop(_GONE.format(type(exc).__name__))
    if not status.is_ready:
        _stop(status.message)
    options = queries.call("options")
    through = status.data_through
    caption = f"Data through {through:%d %b %Y %H:%M} UTC" if through else ""
    if status.refreshed_at:
        caption += f" · views refreshed {status.refreshed_at:%d %b %Y %H:%M} UTC"
    st.session_state["salesdw_caption"] = caption
    return options


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
    """The page title, the freshness caption and the notices of dropped link values."""
    st.title(title)
    st.caption(st.session_state.get("salesdw_caption", ""))
    for notice in st.session_state.pop("salesdw_notices", []):
        st.warning(notice, icon=":material/link_off:")


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
    try:
        return queries.call(name, *args, **kwargs)
    except SalesdwError as exc:
        _stop(str(exc))
    except OperationalError as exc:  # the server went away since the frame checked it
        _stop(_GONE.format(type(exc).__name__))
