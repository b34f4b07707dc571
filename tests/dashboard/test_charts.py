"""dashboard.charts builds its figures with graph objects; each must draw what Plotly Express
drew in its place (same traces, names, colours and sizes), which the colour and page tests
read from the figures."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.express as px
import pytest

from dashboard import charts


@pytest.fixture
def months() -> pd.DataFrame:
    return pd.DataFrame({
        "month": ["2026-01-01", "2026-01-01", "2026-02-01", "2026-02-01", "2026-03-01"],
        "channel": ["web", "social", "web", "social", "web"],
        "sessions": [10, 4, 12, 5, 15],
    })  # fmt: skip


def test_lines_draw_one_trace_per_member_in_order_of_appearance(months: pd.DataFrame) -> None:
    figure = charts.lines(months, "month", "sessions", "channel", {"web": "#111111"})
    assert [trace.name for trace in figure.data] == ["web", "social"]
    web, social = figure.data
    assert list(web.y) == [10, 12, 15] and list(social.y) == [4, 5]
    assert web.line.color == "#111111" and social.line.color is None  # the default sequence
    assert web.stackgroup is None


def test_stacked_lines_keep_the_legend_in_the_members_order(months: pd.DataFrame) -> None:
    figure = charts.lines(months, "month", "sessions", "channel", {}, stacked=True)
    assert {trace.stackgroup for trace in figure.data} == {"one"}
    assert figure.layout.legend.traceorder == "normal"


def test_bars_with_colours_draw_each_member_as_its_own_trace_smallest_first() -> None:
    frame = pd.DataFrame({"label": ["a", "b", "c"], "net_revenue": [30.0, 10.0, 20.0]})
    figure = charts.bars(frame, "net_revenue", "label", {"a": "#aa0000", "b": "#00bb00"})
    assert [trace.name for trace in figure.data] == ["b", "c", "a"]
    assert [trace.marker.color for trace in figure.data] == ["#00bb00", charts.INK["main"],
                                                             "#aa0000"]  # fmt: skip
    assert [list(trace.x) for trace in figure.data] == [[10.0], [20.0], [30.0]]
    # bars of different members share a row each, not a slot split between traces
    assert figure.layout.barmode == "relative" and not figure.layout.showlegend


def test_bubbles_are_sized_as_plotly_express_sizes_them() -> None:
    frame = pd.DataFrame({"x": [1, 2, 3], "y": [3, 2, 1], "n": [100, 400, 25],
                          "kind": ["p", "q", "p"]})  # fmt: skip
    figure = charts.bubbles(frame, "x", "y", "n", "kind", ["#123456", "#654321"], "kind")
    expected = px.scatter(frame, x="x", y="y", size="n", color="kind")
    assert [trace.name for trace in figure.data] == [trace.name for trace in expected.data]
    for ours, theirs in zip(figure.data, expected.data, strict=True):
        assert list(ours.marker.size) == list(theirs.marker.size)
        assert ours.marker.sizeref == pytest.approx(theirs.marker.sizeref)
        assert ours.marker.sizemode == theirs.marker.sizemode == "area"
    assert [trace.marker.color for trace in figure.data] == ["#123456", "#654321"]


def test_treemap_adds_up_each_level_and_colours_sectors_by_their_top_member() -> None:
    cells = pd.DataFrame({"country": ["FR", "FR", "DE"], "category": ["Toys", "Pets", "Toys"],
                          "revenue": [3.0, 2.0, 4.0]})  # fmt: skip
    figure = charts.treemap(cells, ["country", "category"], "revenue",
                            {"FR": "#0000ff", "DE": "#ff0000"})  # fmt: skip
    tree = figure.data[0]
    sectors = {id_: (parent, label, value, color) for id_, parent, label, value, color
               in zip(tree.ids, tree.parents, tree.labels, tree.values, tree.marker.colors,
                      strict=True)}  # fmt: skip
    assert sectors == {
        "FR/Toys": ("FR", "Toys", 3.0, "#0000ff"),
        "FR/Pets": ("FR", "Pets", 2.0, "#0000ff"),
        "DE/Toys": ("DE", "Toys", 4.0, "#ff0000"),
        "FR": ("", "FR", 5.0, "#0000ff"),
        "DE": ("", "DE", 4.0, "#ff0000"),
    }
    assert tree.branchvalues == "total"


def test_heatmap_puts_the_first_row_on_top_on_the_colour_axis() -> None:
    grid = pd.DataFrame([[1, 2], [3, 4]], index=["Mon", "Tue"], columns=[0, 1])
    figure = charts.heatmap(grid, charts.BLUES, "Hour", "", "Orders", zmin=0)
    cells = figure.data[0]
    assert list(cells.y) == ["Mon", "Tue"] and cells.z.tolist() == [[1, 2], [3, 4]]
    assert figure.layout.yaxis.autorange == "reversed"
    assert cells.coloraxis == "coloraxis" and figure.layout.coloraxis.cmin == 0


def test_a_one_level_treemap_carries_each_sectors_own_custom_data() -> None:
    segments = pd.DataFrame({"segment": ["Lost", "Champions"], "customers": [5, 9],
                             "revenue_share": [0.1, 0.6]})  # fmt: skip
    figure = charts.treemap(segments, ["segment"], "customers", {}, customdata=["revenue_share"])
    tree = figure.data[0]
    assert list(tree.labels) == ["Lost", "Champions"] and list(tree.parents) == ["", ""]
    assert tree.customdata.tolist() == [[0.1], [0.6]]


def test_vertical_bars_keep_the_frames_order_in_one_trace() -> None:
    months = pd.DataFrame({"month": ["Jan", "Feb", "Mar"], "index": [1.2, 0.8, 1.0]})
    figure = charts.bars(months, "month", "index", money_axis=False, horizontal=False)
    (trace,) = figure.data
    assert list(trace.x) == ["Jan", "Feb", "Mar"] and trace.orientation is None
    assert trace.marker.color == charts.INK["main"]


def test_one_period_is_drawn_as_points_or_stacked_bars_on_a_date_category() -> None:
    """A line through one point draws nothing, and a stacked area of one period has no width;
    a date axis with one value would be zoomed in to its milliseconds."""
    one = pd.DataFrame({"period": [date(2026, 10, 1)] * 2, "channel": ["web", "social"],
                        "revenue": [10.0, 4.0]})  # fmt: skip
    stacked = charts.tidy(charts.lines(one, "period", "revenue", "channel", {}, stacked=True))
    assert [type(trace).__name__ for trace in stacked.data] == ["Bar", "Bar"]
    assert stacked.layout.barmode == "stack" and stacked.layout.xaxis.type == "category"
    plain = charts.tidy(charts.lines(one, "period", "revenue", "channel", {}))
    assert {trace.mode for trace in plain.data} == {"lines+markers"}
    line = charts.tidy(charts.series(one, "period", {"revenue": ("Revenue", "#000000")}))
    assert line.data[0].mode == "lines+markers" and line.layout.xaxis.type == "category"


def test_several_periods_keep_lines_on_a_date_axis(months: pd.DataFrame) -> None:
    figure = charts.tidy(charts.lines(months, "month", "sessions", "channel", {}, stacked=True))
    assert {trace.stackgroup for trace in figure.data} == {"one"}
    assert figure.layout.xaxis.type is None
