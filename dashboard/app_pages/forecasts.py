"""Forecasts: history and the next 90 days with 80% and 95% intervals, for the total and each
forecast series; and the backtest of every candidate model, with the winner."""

from datetime import timedelta

import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, frame
from salesdw.services import Filters

frame.header("Forecasts")
st.caption("Forecasts run from the end of the data, for the series chosen here (all sales, or "
           "one country, category or channel); the sidebar filters do not apply.")  # fmt: skip
series = frame.call("forecast_series")
if series.empty:
    frame.not_trained("forecast")
    st.stop()
labels = {
    (row.series_kind, row.series_value): f"{row.series_kind.title()}: {row.series_label}"
    if row.series_kind != "total"
    else "All sales"
    for row in series.itertuples()
}
left, middle, right = st.columns(3)
chosen = left.selectbox("Series", list(labels), format_func=labels.get, key="forecast_series")
metric = middle.segmented_control("Metric", ["net_revenue", "orders"], default="net_revenue",
                                  format_func=lambda m: m.replace("_", " ").title(),
                                  key="forecast_metric") or "net_revenue"  # fmt: skip
frequency = right.segmented_control("Frequency", ["day", "week"], default="day",
                                    key="forecast_frequency") or "day"  # fmt: skip
kind, value = chosen
future = frame.call("forecast", metric, frequency, kind, value)
if future.empty:
    st.info("No forecast for this series at this frequency (its history was too short).")
    st.stop()

# the history of the same series: the last year before the forecast starts
first = future["period_start"].min()
history_filters = Filters(
    first - timedelta(days=365), first - timedelta(days=1),
    countries=(value,) if kind == "country" else (),
    categories=(int(value),) if kind == "category" else (),
    channels=(value,) if kind == "channel" else (),
)  # fmt: skip
history = frame.call("sales_trend", frequency, filters=history_filters)
figure = go.Figure()
for low, high, name, color in (
    ("lower_95", "upper_95", "95% interval", charts.INK["band"].format(alpha=0.18)),
    ("lower_80", "upper_80", "80% interval", charts.INK["band"].format(alpha=0.35)),
):
    figure.add_scatter(
        x=future["period_start"],
        y=future[high],
        line={"width": 0, "color": color},
        showlegend=False,
        hoverinfo="skip",
    )
    figure.add_scatter(
        x=future["period_start"],
        y=future[low],
        fill="tonexty",
        fillcolor=color,
        line={"width": 0, "color": color},
        name=name,
    )
figure.add_scatter(
    x=history["period"], y=history[metric], name="History", line={"color": charts.INK["muted"]}
)
figure.add_scatter(x=future["period_start"], y=future["forecast"], name="Forecast",
                   line={"color": charts.INK["main"], "width": 3})  # fmt: skip
if metric != "net_revenue":
    figure.update_yaxes(tickformat=",.0f")
charts.show(charts.tidy(figure, height=440, money_axis=metric == "net_revenue"))
st.caption(f"Model: {future['model'].iloc[0]}, chosen by its rolling-origin backtest.")

st.subheader("Backtest of every candidate")
mine = frame.call("forecast_backtests", metric, frequency, kind, value)
st.dataframe(mine.drop(columns=["series_kind", "series_value"]), hide_index=True,
             width="stretch", column_config={
                 "is_selected": st.column_config.CheckboxColumn("Selected"),
                 "mase": st.column_config.NumberColumn("MASE", format="%.3f",
                                                       help="Below 1 beats the seasonal naive"),
                 "smape": st.column_config.NumberColumn("sMAPE", format="%.3f"),
                 "coverage_80": st.column_config.NumberColumn("80% coverage", format="percent"),
                 "coverage_95": st.column_config.NumberColumn("95% coverage", format="percent"),
             })  # fmt: skip
with st.expander("All series"):
    st.dataframe(frame.call("forecast_backtests", metric, frequency), hide_index=True,
                 width="stretch")  # fmt: skip
