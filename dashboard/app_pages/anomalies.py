"""Anomalies: days whose sales broke from trend and season, on the trend, with their scores."""

import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, frame

frame.header("Anomalies")
filters = frame.filters()
scored = frame.call("anomaly_days", filters.start, filters.end, flagged_only=False)
if scored.empty:
    frame.not_trained("anomalies")
    st.stop()
metric = st.segmented_control(
    "Metric", ["net_revenue", "orders", "average_order_value", "conversion_rate"],
    default="net_revenue", format_func=lambda m: m.replace("_", " ").capitalize(),
    key="anomaly_metric",
) or "net_revenue"  # fmt: skip
days = scored[scored["metric"] == metric].sort_values("anomaly_date")
flagged = days[days["is_anomaly"]]
figure = go.Figure()
figure.add_scatter(
    x=days["anomaly_date"], y=days["value"], name="Actual", line={"color": "#636363"}
)
figure.add_scatter(
    x=days["anomaly_date"],
    y=days["expected"],
    name="Expected (trend and season)",
    line={"color": "#9ecae1", "dash": "dot"},
)
figure.add_scatter(
    x=flagged["anomaly_date"],
    y=flagged["value"],
    mode="markers",
    name="Anomaly",
    marker={"color": "#b2182b", "size": 12, "symbol": "x"},
)
st.plotly_chart(charts.tidy(figure, height=420), width="stretch")
st.caption("The whole history is scored as of the last training; the period filter applies. "
           "Country, category and channel filters do not.")  # fmt: skip

st.subheader(f"Flagged days ({len(scored[scored['is_anomaly']]['anomaly_date'].unique())})")
st.dataframe(scored[scored["is_anomaly"]], hide_index=True, width="stretch", column_config={
    "residual_score": st.column_config.NumberColumn("Robust z", format="%.1f"),
    "isolation_score": st.column_config.NumberColumn("Isolation score", format="%.3f"),
})  # fmt: skip
