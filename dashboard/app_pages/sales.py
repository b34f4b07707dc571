"""Sales: the trend by day, week, month or quarter; split by category, channel or country;
when in the week and the year customers buy; this year against last."""

import plotly.express as px
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
figure = px.line(trend, x="period", y=["net_revenue", "gross_profit"], markers=grain != "day",
                 color_discrete_sequence=[charts.INK["main"], charts.INK["second"]])  # fmt: skip
figure.for_each_trace(lambda t: t.update(name=LABELS[t.name]))
figure.update_layout(yaxis_title=None, xaxis_title=None, legend_title=None)
charts.show(charts.tidy(figure, money_axis=True))

by = st.segmented_control("Split by", ["category", "channel", "country"], default="category",
                          key="sales_by") or "category"  # fmt: skip
st.subheader(f"Net revenue by {by}")
# the ten biggest countries, the rest together (added up by the service)
split = frame.call("breakdown", by, grain, filters=filters, top=10 if by == "country" else None)
figure = px.area(split, x="period", y="net_revenue", color="label",
                 color_discrete_map=frame.colors().of_dimension(by),
                 labels={"net_revenue": "Net revenue", "period": "", "label": ""})  # fmt: skip
figure.update_layout(yaxis_title=None, xaxis_title=None, legend_title=None)
charts.show(charts.tidy(figure, money_axis=True))

st.subheader("When customers buy")
st.caption("All orders not cancelled, whatever the filters: the shop's rhythm over its history.")
season = frame.call("seasonality")
left, right = st.columns([3, 2])
with left:
    grid = season.weekday_hour.pivot(index="weekday_name", columns="hour",
                                     values="average_orders_per_day")  # fmt: skip
    order = season.weekday_hour.drop_duplicates("weekday")["weekday_name"]
    heatmap = px.imshow(grid.loc[list(order)], aspect="auto", color_continuous_scale=charts.BLUES,
                        labels={"x": "Hour", "y": "", "color": "Orders per day"})  # fmt: skip
    charts.show(charts.tidy(heatmap))
with right:
    months = px.bar(
        season.month,
        x="month_name",
        y="index_vs_average",
        labels={"month_name": "", "index_vs_average": "Against the average month"},
    )
    months.update_traces(marker_color=charts.INK["main"])
    months.update_yaxes(tickformat=".0%")
    months.add_hline(y=1, line_dash="dot", line_color=charts.INK["muted"])
    charts.show(charts.tidy(months))

st.subheader("Against the same period a year before")
yoy_grain = "month" if filters.days > 120 else "week"
yoy = frame.call("year_over_year", yoy_grain, filters=filters)
figure = px.bar(yoy, x="period", y=["previous_net_revenue", "net_revenue"], barmode="group",
                labels={"value": "Net revenue", "variable": "", "period": ""},
                color_discrete_sequence=[charts.INK["muted"], charts.INK["main"]])  # fmt: skip
figure.for_each_trace(
    lambda t: t.update(
        name={"net_revenue": "This period", "previous_net_revenue": "A year before"}[t.name]
    )
)
charts.show(charts.tidy(figure, money_axis=True))
