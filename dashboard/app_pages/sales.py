"""Sales: the trend by day, week, month or quarter; split by category, channel or country;
when in the week and the year customers buy; this year against last."""

import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, frame

LABELS = {"net_revenue": "Net revenue", "gross_profit": "Gross profit"}

frame.header("Sales")
filters = frame.filters()
grain = st.segmented_control("Grain", ["day", "week", "month", "quarter"], default="week",
                             key="sales_grain") or "week"  # fmt: skip
trend = frame.call("sales_trend", grain, filters=filters)
if trend.empty:
    frame.nothing_selected()
    st.stop()

st.subheader("Net revenue and gross profit")
figure = charts.series(trend, "period", {
    "net_revenue": (LABELS["net_revenue"], charts.INK["main"]),
    "gross_profit": (LABELS["gross_profit"], charts.INK["second"]),
}, markers=grain != "day")  # fmt: skip
charts.show(charts.tidy(figure, money_axis=True))

by = st.segmented_control("Split by", ["category", "channel", "country"], default="category",
                          key="sales_by") or "category"  # fmt: skip
st.subheader(f"Net revenue by {by}")
# the ten biggest countries, the rest together (added up by the service); net revenue only
split = frame.call("breakdown", by, grain, filters=filters, top=10 if by == "country" else None,
                   orders=False)  # fmt: skip
figure = charts.lines(split, "period", "net_revenue", "label", frame.colors().of_dimension(by),
                      stacked=True)  # fmt: skip
charts.show(charts.tidy(figure, money_axis=True))

st.subheader("When customers buy")
st.caption("All orders not cancelled, whatever the filters: the shop's rhythm over its history.")
season = frame.call("seasonality")
left, right = st.columns([3, 2])
with left:
    grid = season.weekday_hour.pivot(index="weekday_name", columns="hour",
                                     values="average_orders_per_day")  # fmt: skip
    order = season.weekday_hour.drop_duplicates("weekday")["weekday_name"]
    heatmap = charts.heatmap(grid.loc[list(order)], charts.BLUES, "Hour", "", "Orders per day")
    charts.show(charts.tidy(heatmap))
with right:
    months = charts.bars(season.month, "month_name", "index_vs_average", money_axis=False,
                         horizontal=False)  # fmt: skip
    months.update_yaxes(tickformat=".0%", title_text="Against the average month")
    months.add_hline(y=1, line_dash="dot", line_color=charts.INK["muted"])
    charts.show(months)

st.subheader("Against the same period a year before")
yoy_grain = "month" if filters.days > 120 else "week"
yoy = frame.call("year_over_year", yoy_grain, filters=filters)
st.caption("Each week beside the same weekdays 52 weeks before." if yoy_grain == "week"
           else "Each month beside the same month a year before.")  # fmt: skip
figure = go.Figure([
    go.Bar(x=yoy["period"], y=yoy["previous_net_revenue"], name="A year before",
           marker_color=charts.INK["muted"]),
    go.Bar(x=yoy["period"], y=yoy["net_revenue"], name="This period",
           marker_color=charts.INK["main"]),
])  # fmt: skip
figure.update_layout(barmode="group", yaxis_title="Net revenue")
charts.show(charts.tidy(figure, money_axis=True))
