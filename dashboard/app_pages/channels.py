"""Channels: sessions, conversion, spend, customer acquisition cost and return on ad spend per
marketing channel, month by month (first-touch attribution)."""

import plotly.express as px
import streamlit as st

from dashboard import charts, frame
from dashboard.formats import colors_for, money, percent

frame.header("Marketing channels")
filters = frame.filters()
st.caption("Orders belong to the channel that acquired the customer (first touch). The period "
           "applies, by whole months; the other filters do not.")  # fmt: skip
months = frame.call("channels", filters.start, filters.end)
if months.empty or months["sessions"].sum() == 0:
    frame.nothing_selected("sessions or orders")
    st.stop()
colors = colors_for(list(months["channel_name"]))
totals = frame.call("channel_totals", filters.start, filters.end)
everything = totals[totals["channel_name"] == "All channels"].iloc[0]
cards = st.columns(4)
cards[0].metric("Sessions", f"{everything['sessions']:,.0f}")
cards[1].metric("Conversion", percent(everything["conversion_rate"], 2))
cards[2].metric("Ad spend", money(everything["spend"]))
cards[3].metric("Return on ad spend", "n/a" if everything["roas"] != everything["roas"]
                else f"{everything['roas']:.1f} x")  # fmt: skip
st.dataframe(totals, hide_index=True, width="stretch")

for measure, title, axis in [
    ("sessions", "Sessions", None), ("conversion_rate", "Conversion rate", ".1%"),
    ("spend", "Spend", "money"), ("cac", "Customer acquisition cost", "money"),
    ("roas", "Return on ad spend (net revenue / spend)", None),
]:  # fmt: skip
    st.subheader(title)
    figure = px.line(months, x="month", y=measure, color="channel_name",
                     color_discrete_map=colors, markers=True,
                     labels={"month": "", measure: "", "channel_name": ""})  # fmt: skip
    if axis and axis != "money":
        figure.update_yaxes(tickformat=axis)
    st.plotly_chart(charts.tidy(figure, height=300, money_axis=axis == "money"), width="stretch")
