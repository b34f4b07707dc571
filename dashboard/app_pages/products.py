"""Products: the best sellers, the Pareto curve, categories on the BCG matrix, margin against
returns, ratings, and what is bought together."""

import plotly.express as px
import streamlit as st

from dashboard import charts, frame
from dashboard.formats import currency_symbol

ABC_COLORS = {"A": "#2ca02c", "B": "#ff7f0e", "C": "#9467bd"}
BCG_COLORS = {"Star": "#2ca02c", "Question Mark": "#ff7f0e", "Cash Cow": "#1f77b4",
              "Dog": "#d62728"}  # fmt: skip

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
    pareto = frame.call("pareto", filters=filters)
    figure = px.area(
        pareto,
        x="product_rank",
        y="cumulative_share",
        color="abc_class",
        labels={
            "product_rank": "Products, best first",
            "cumulative_share": "Share of net revenue",
            "abc_class": "ABC class",
        },
        color_discrete_map=ABC_COLORS,
    )
    figure.update_yaxes(tickformat=".0%")
    charts.show(charts.tidy(figure))
with right:
    st.subheader("Categories: growth against share (BCG)")
    categories = frame.call("category_performance", "top")
    figure = px.scatter(
        categories,
        x="relative_share",
        y="net_revenue_growth",
        size="net_revenue_last_365",
        color="bcg_quadrant",
        hover_name="category_name",
        text="category_name",
        labels={
            "relative_share": "Relative share (last 365 days)",
            "net_revenue_growth": "Growth against the 365 days before",
            "bcg_quadrant": "",
        },
        color_discrete_map=BCG_COLORS,
    )
    figure.update_yaxes(tickformat="+.0%")
    figure.update_traces(textposition="top center")
    charts.show(charts.tidy(figure))

left, right = st.columns(2)
with left:
    st.subheader("Margin against return rate")
    many = frame.call("top_products", filters=filters, n=300)
    figure = px.scatter(many, x="return_rate", y="gross_margin", size="net_revenue",
                        color="top_category_name", hover_name="product_name",
                        color_discrete_map=colors,
                        labels={"return_rate": "Return rate", "gross_margin": "Gross margin",
                                "top_category_name": "Category"})  # fmt: skip
    figure.update_xaxes(tickformat=".0%")
    figure.update_yaxes(tickformat=".0%")
    charts.show(charts.tidy(figure))
with right:
    st.subheader("Ratings by category")
    figure = px.bar(
        categories.sort_values("average_rating"),
        x="average_rating",
        y="category_name",
        orientation="h",
        text="review_count",
        color="category_name",
        color_discrete_map=colors,
        labels={"average_rating": "Average stars", "category_name": "", "review_count": "Reviews"},
    )
    figure.update_traces(texttemplate="%{text:,} reviews", textposition="inside")
    figure.update_xaxes(range=[1, 5])
    figure.update_layout(showlegend=False)
    charts.show(charts.tidy(figure))

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
