"""Customers: RFM segments and what to do for each, cohort retention, lifetime value, who is
about to leave, and behavioural clusters."""

import streamlit as st

from dashboard import charts, frame
from dashboard.formats import PALETTE, SEGMENT_COLORS, count, currency_symbol, money, percent

frame.header("Customers")
st.caption("Customer views cover the whole history, as of the latest order; the sidebar "
           "filters do not apply here.")  # fmt: skip
symbol = currency_symbol()
stats = frame.call("customer_stats").iloc[0]
cards = st.columns(4)
cards[0].metric("Buyers", count(stats["buyers"]))
cards[1].metric(
    "Repeat buyers",
    percent(stats["repeat_buyer_share"]),
    help="Share of buyers with two orders or more, over the whole history.",
)
cards[2].metric(
    "Churned",
    percent(stats["churn_rate"]),
    help="No order within SALESDW_CHURN_DAYS (180 by default) before the latest day.",
)
cards[3].metric("Net revenue per buyer", money(stats["average_net_revenue"]))

st.subheader("RFM segments")
segments = frame.call("rfm_segments")
left, right = st.columns([3, 2])
with left:
    tree = charts.treemap(segments, ["segment"], "customers", SEGMENT_COLORS,
                          customdata=["net_revenue", "revenue_share"])  # fmt: skip
    tree.update_traces(texttemplate="%{label}<br>%{value:,} customers<br>"
                                    "%{customdata[1]:.0%} of revenue")  # fmt: skip
    charts.show(charts.tidy(tree, height=420))
with right:
    st.dataframe(segments[["segment", "customers", "revenue_share", "description",
                           "suggested_action"]], hide_index=True, width="stretch", height=420,
                 column_config={
                     "segment": "Segment",
                     "customers": st.column_config.NumberColumn("Customers", format="localized"),
                     "revenue_share": st.column_config.NumberColumn("Revenue", format="percent"),
                     "description": "Who they are",
                     "suggested_action": "What to do",
                 })  # fmt: skip

st.subheader("Cohort retention")
st.caption("The latest 24 cohorts: customers by the month of their first order, and the share "
           "of them who ordered again in each month after it.")  # fmt: skip
cohorts = frame.call("cohorts", latest=24)
grid = cohorts.pivot(index="cohort_month", columns="months_since_first", values="retention_rate")
grid = grid.drop(columns=0, errors="ignore")  # month 0 is 100% by definition
heat = charts.heatmap(grid, charts.GREENS, "Months since first order", "First order month",
                      "Retention", zmin=0)  # fmt: skip
heat.update_coloraxes(colorbar_tickformat=".0%")
heat.update_traces(hovertemplate="Months since first order: %{x}<br>First order month: %{y}"
                   "<br>Retention: %{z:.1%}<extra></extra>")  # fmt: skip
charts.show(charts.tidy(heat, height=480))

clv = frame.call("clv_distribution")
churn = frame.call("churn_risk", n=50)
left, right = st.columns(2)
with left:
    st.subheader("12-month customer value")
    if clv.empty:
        frame.not_trained("clv")
    else:
        # each band by its range; the last is open-ended: it holds everyone above the 99th
        # percentile, however far above
        bounds = zip(clv["band_start"], clv["band_end"], strict=True)
        labels = [f"{symbol}{start:,.0f}-{end:,.0f}" for start, end in bounds]
        labels[-1] = f"{symbol}{clv['band_start'].iloc[-1]:,.0f} and up"
        figure = charts.bars(clv.assign(band=labels), "band", "customers", money_axis=False,
                             horizontal=False)  # fmt: skip
        figure.update_xaxes(type="category", title_text="12-month CLV")
        figure.update_yaxes(title_text="Customers")
        charts.show(figure)
        top = clv.iloc[-1]
        st.caption(f"Bands of equal width up to the 99th percentile; the last holds the "
                   f"{count(top['customers'])} customers above it, worth "
                   f"{money(top['total_clv'] / top['customers'])} on average.")  # fmt: skip
with right:
    st.subheader("Most value at risk")
    if churn.empty:
        frame.not_trained("churn")
    else:
        st.caption("Customers ranked by value at risk: their churn probability x their "
                   "12-month CLV, what the shop expects to lose if nothing is done. A likely "
                   "leaver worth little ranks below a less likely one worth much.")  # fmt: skip
        money_format = f"{symbol}%,.0f"
        st.dataframe(churn[["customer_id", "value_at_risk", "churn_probability", "clv_12m",
                            "risk_tier", "orders", "net_revenue", "days_since_last_order"]],
                     hide_index=True, width="stretch", height=360, column_config={
                         "customer_id": st.column_config.NumberColumn("Customer", format="%d"),
                         "value_at_risk": st.column_config.NumberColumn(
                             "Value at risk", format=money_format,
                             help="Churn probability x 12-month CLV"),
                         "churn_probability": st.column_config.ProgressColumn(
                             "Churn probability", min_value=0, max_value=1, format="percent"),
                         "clv_12m": st.column_config.NumberColumn("12-month CLV",
                                                                  format=money_format),
                         "risk_tier": "Risk tier",
                         "orders": st.column_config.NumberColumn("Orders", format="localized"),
                         "net_revenue": st.column_config.NumberColumn("Spent so far",
                                                                      format=money_format),
                         "days_since_last_order": st.column_config.NumberColumn(
                             "Days since last order", format="localized"),
                     })  # fmt: skip

st.subheader("Behavioural clusters")
clusters = frame.call("customer_clusters")
if clusters.empty:
    frame.not_trained("segments")
else:
    st.caption("Each cluster's customers and their averages when the models were last trained "
               "(`make train`).")  # fmt: skip
    figure = charts.bubbles(clusters, "average_orders", "average_net_revenue", "customers",
                            "segment_name", PALETTE, hover_name="segment_name")  # fmt: skip
    figure.update_xaxes(title_text="Orders per customer")
    figure.update_yaxes(tickprefix=symbol, tickformat=",.0f", title_text="Net revenue per customer")
    charts.show(charts.tidy(figure))
