"""Anomalies: days whose sales broke from trend and season, on the trend, with their scores."""

import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, frame
from dashboard.formats import currency_symbol

#: How each scored metric reads: its name, and its values' format in the table and the chart.
METRICS = {
    "net_revenue": ("Net revenue", f"{currency_symbol()}%,.0f", ",.0f", True),
    "orders": ("Orders", "%,.0f", ",.0f", False),
    "average_order_value": ("Average order value", f"{currency_symbol()}%,.2f", ",.2f", True),
    "conversion_rate": ("Conversion rate", "percent", ".2%", False),
}

frame.header("Anomalies")
filters = frame.filters()
metric = st.segmented_control(
    "Metric", list(METRICS), default="net_revenue", format_func=lambda m: METRICS[m][0],
    key="anomaly_metric",
) or "net_revenue"  # fmt: skip
name, table_format, axis_format, is_money = METRICS[metric]
days = frame.call("anomaly_days", filters.start, filters.end, flagged_only=False, metric=metric,
                  by_date=True)  # fmt: skip
if days.empty:
    if frame.call("anomaly_days", flagged_only=False).empty:
        frame.not_trained("anomalies")
    else:
        st.info("No scored day falls in the period. Widen the period.",
                icon=":material/filter_alt_off:")  # fmt: skip
    st.stop()
flagged = days[days["is_anomaly"]]
figure = go.Figure()
figure.add_scatter(x=days["anomaly_date"], y=days["value"], name="Actual",
                   line={"color": charts.INK["muted"]})  # fmt: skip
figure.add_scatter(
    x=days["anomaly_date"],
    y=days["expected"],
    name="Expected (trend and season)",
    line={"color": charts.INK["main"], "dash": "dot"},
)
figure.add_scatter(
    x=flagged["anomaly_date"],
    y=flagged["value"],
    mode="markers",
    name="Anomaly",
    marker={"color": charts.INK["alert"], "size": 12, "symbol": "x"},
)
figure.update_yaxes(tickformat=axis_format, tickprefix=currency_symbol() if is_money else "")
charts.show(charts.tidy(figure, height=420))
st.caption("The whole history is scored as of the last training; the period filter applies. "
           "Country, category and channel filters do not.")  # fmt: skip

every_metric = frame.call("flagged_day_count", filters.start, filters.end)
st.subheader(f"Flagged days: {name.lower()} ({len(flagged)})")
st.caption(f"{every_metric} days in the period are flagged in at least one metric.")
table = frame.call("anomaly_days", filters.start, filters.end, metric=metric)
st.dataframe(table.drop(columns=["metric", "is_anomaly"]), hide_index=True, width="stretch",
             column_config={
                 "anomaly_date": st.column_config.DateColumn("Day", format="ddd D MMM YYYY"),
                 "value": st.column_config.NumberColumn(name, format=table_format),
                 "expected": st.column_config.NumberColumn("Expected", format=table_format),
                 "residual_score": st.column_config.NumberColumn(
                     "Robust z", format="%.1f",
                     help="How many robust standard deviations from the expected value"),
                 "isolation_score": st.column_config.NumberColumn("Isolation score",
                                                                  format="%.3f"),
             })  # fmt: skip
