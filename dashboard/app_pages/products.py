"""Products: the best sellers, the Pareto curve, categories on the BCG matrix, margin against
returns, ratings, and what is bought together."""

import streamlit as st

from dashboard import charts, frame
from dashboard.formats import currency_symbol

ABC_COLORS = {"A": "#2ca02c", "B": "#ff7f0e", "C": "#9467bd"}
BCG_COLORS = {"Star": "#2ca02c", "Question Mark": "#ff7f0e", "Cash Cow": "#1f77b4",
              "Dog": "#d62728"}  # fmt: skip
PARETO_POINTS = 400

frame.header("Products")
filters = frame.filters()
st.caption("Product rankings follow the period and the categories; every order not cancelled "
           "counts, whatever the country, channel and status filters.")  # fmt: skip
top = frame.call("top_products", filters=filters, n=20)
if top.empty:
    frame.nothing_selected("products")
    st.stop()
symbol = currency_symbol()
colors = frame.colors().categories

st.subheader("Top 20 products")
st.dataframe(top[["product_name", "top_category_name", "units", "orders", "net_revenue",
                  "gross_margin", "return_rate", "average_rating"]], hide_index=True,
             width="stretch", column_config={
                 "product_name": "Product", "top_category_name": "Category",
                 "units": st.column_config.NumberColumn("Units", format="localized"),
                 "orders": st.column_config.NumberColumn("Orders", format="localized"),
                 "net_revenue": st.column_config.NumberColumn("Net revenue",
                                                              format=f"{symbol}%,.0f"),
                 "gross_margin": st.column_config.NumberColumn("Margin", format="percent"),
                 "return_rate": st.column_config.NumberColumn("Return rate", format="percent"),
                 "average_rating": st.column_config.NumberColumn("Rating", format="%.2f ★"),
             })  # fmt: skip

left, right = st.columns(2)
with left:
    st.subheader("Pareto: revenue concentration")
    # a few hundred points draw the same curve as thousands of products, in less time
    pareto = frame.call("pareto", filters=filters, points=PARETO_POINTS)
    # each class filled down to the axis (its ranks follow the class before it)
    figure = charts.lines(pareto, "product_rank", "cumulative_share", "abc_class", ABC_COLORS)
    figure.update_traces(fill="tozeroy")
    figure.update_xaxes(title_text="Products, best first")
    figure.update_yaxes(tickformat=".0%", title_text="Share of net revenue")
    charts.show(charts.tidy(figure))
with right:
    st.subheader("Categories: growth against share (BCG)")
    categories = frame.call("category_performance", "top")
    figure = charts.bubbles(categories, "relative_share", "net_revenue_growth",
                            "net_revenue_last_365", "bcg_quadrant", BCG_COLORS,
                            hover_name="category_name", text="category_name")  # fmt: skip
    # a log scale, as BCG matrices are drawn: the leader at 3x and the rest below 0.3x would
    # otherwise crowd into one corner, their names over each other
    figure.update_xaxes(type="log", title_text="Relative share (last 365 days, log scale)")
    figure.update_yaxes(tickformat="+.0%", title_text="Growth against the 365 days before")
    figure.update_traces(textposition="top center", cliponaxis=False)  # names at the edges too
    charts.show(charts.tidy(figure))

left, right = st.columns(2)
with left:
    st.subheader("Margin against return rate")
    many = frame.call("top_products", filters=filters, n=300)
    figure = charts.bubbles(many, "return_rate", "gross_margin", "net_revenue",
                            "top_category_name", colors, hover_name="product_name")  # fmt: skip
    figure.update_xaxes(tickformat=".0%", title_text="Return rate")
    figure.update_yaxes(tickformat=".0%", title_text="Gross margin")
    charts.show(charts.tidy(figure))
with right:
    st.subheader("Ratings by category")
    figure = charts.bars(categories, "average_rating", "category_name", colors,
                         money_axis=False, text="review_count")  # fmt: skip
    figure.update_traces(texttemplate="%{text:,} reviews", textposition="inside")
    figure.update_xaxes(range=[1, 5], title_text="Average stars")
    charts.show(figure)

st.subheader("Bought together")
kind = st.segmented_control("Pairs of", ["product", "category"], default="product",
                            key="basket_kind") or "product"  # fmt: skip
pairs = frame.call("basket_pairs", kind, n=25)
if pairs.empty:
    st.info("No pair was bought together in 5 orders or more yet.")
else:
    st.dataframe(pairs[["item_a_name", "item_b_name", "orders_together", "support",
                        "confidence_a_to_b", "confidence_b_to_a", "lift"]],
                 hide_index=True, width="stretch", column_config={
                     "item_a_name": "Item", "item_b_name": "With",
                     "orders_together": st.column_config.NumberColumn("Orders together",
                                                                      format="localized"),
                     "support": st.column_config.NumberColumn("Support", format="percent"),
                     "confidence_a_to_b": st.column_config.NumberColumn("Confidence ->",
                                                                        format="percent"),
                     "confidence_b_to_a": st.column_config.NumberColumn("<- Confidence",
                                                                        format="percent"),
                     "lift": st.column_config.NumberColumn("Lift", format="%.1f x"),
                 })  # fmt: skip
