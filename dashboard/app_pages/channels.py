"""Channels: sessions, conversion, spend, customer acquisition cost and return on ad spend per
marketing channel, month by month (first-touch attribution)."""

import streamlit as st

from dashboard import charts, frame
from dashboard.formats import MARKETING_COLORS, count, money, money_format, percent, ratio

frame.header("Marketing channels")
filters = frame.filters()
st.caption("Orders belong to the channel that acquired the customer (first touch). The period "
           "applies, by whole months; the other filters do not.")  # fmt: skip
totals = frame.call("channel_totals", filters.start, filters.end)
everything = totals[totals["channel_name"] == "All channels"].fillna({"sessions": 0, "orders": 0})
if everything.empty or everything["sessions"].iloc[0] == everything["orders"].iloc[0] == 0:
    frame.nothing_selected("sessions or orders")
    st.stop()
everything = everything.iloc[0]
months = frame.call("channels", filters.start, filters.end)
# a channel keeps its colour whatever the period: by its code (core.marketing_channels)
names = months[["channel", "channel_name"]].drop_duplicates()
colors = {row.channel_name: MARKETING_COLORS.get(row.channel, charts.INK["muted"])
          for row in names.itertuples()}  # fmt: skip
cards = st.columns(4)
cards[0].metric("Sessions", count(everything["sessions"]))
cards[1].metric("Conversion", percent(everything["conversion_rate"], 2))
cards[2].metric("Ad spend", money(everything["spend"]))
cards[3].metric("Return on ad spend", ratio(everything["roas"]))
symbol_format = money_format()
st.dataframe(totals, hide_index=True, width="stretch", column_config={
    "channel_name": "Channel",
    "sessions": st.column_config.NumberColumn("Sessions", format="localized"),
    "orders": st.column_config.NumberColumn("Orders", format="localized"),
    "spend": st.column_config.NumberColumn("Ad spend", format=symbol_format),
    "new_customers": st.column_config.NumberColumn("New customers", format="localized"),
    "net_revenue": st.column_config.NumberColumn("Net revenue", format=symbol_format),
    "conversion_rate": st.column_config.NumberColumn("Conversion", format="percent"),
    "cac": st.column_config.NumberColumn("CAC", format=symbol_format.replace(".0f", ".2f"),
                                         help="Ad spend per new customer"),
    "roas": st.column_config.NumberColumn("ROAS", format="%.1f x",
                                          help="Net revenue per unit of ad spend"),
})  # fmt: skip

for measure, title, axis in [
    ("sessions", "Sessions", None), ("conversion_rate", "Conversion rate", ".1%"),
    ("spend", "Spend", "money"), ("cac", "Customer acquisition cost", "money"),
    ("roas", "Return on ad spend (net revenue / spend)", None),
]:  # fmt: skip
    st.subheader(title)
    figure = charts.lines(months, "month", measure, "channel_name", colors, markers=True)
    if axis and axis != "money":
        figure.update_yaxes(tickformat=axis)
    # a point per month: ticks on months (every month up to a year and a half), not fortnights
    figure.update_xaxes(tickformat="%b %Y", dtick="M1" if months["month"].nunique() <= 18 else None)
    charts.show(charts.tidy(figure, height=300, money_axis=axis == "money"))
