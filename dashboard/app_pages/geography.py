"""Geography: where sales ship to, on a world map, in a table, and by category."""

import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, frame
from dashboard.formats import currency_symbol

frame.header("Geography")
symbol = currency_symbol()
filters = frame.filters()
countries = frame.call("geo", filters=filters)
if countries.empty:
    frame.nothing_selected()
    st.stop()

world = go.Figure(go.Choropleth(
    locations=countries["iso_alpha3"], z=countries["net_revenue"],
    hovertext=countries["country_name"], customdata=countries[["orders"]],
    hovertemplate="<b>%{hovertext}</b><br>Net revenue: %{z:,.0f}<br>"
                  "Orders: %{customdata[0]:,}<extra></extra>",
    coloraxis="coloraxis",
))  # fmt: skip
world.update_layout(coloraxis={"colorscale": charts.BLUES, "colorbar": {
    "tickprefix": currency_symbol(), "tickformat": ",.0f", "title": {"text": ""}}})  # fmt: skip
# no land or ocean fill of Plotly's own: the app's background shows through, light or dark
world.update_geos(showframe=False, showcoastlines=False, projection_type="natural earth",
                  bgcolor="rgba(0,0,0,0)", showland=True, landcolor="rgba(140,140,140,0.25)",
                  showcountries=True, countrycolor="rgba(140,140,140,0.6)")  # fmt: skip
charts.show(charts.tidy(world, height=460), config=charts.MAP_CONFIG)

left, right = st.columns([2, 3])
with left:
    st.subheader("Top 15 countries")
    top = countries.head(15)[["country_name", "region", "orders", "net_revenue",
                              "average_order_value"]]  # fmt: skip
    st.dataframe(top, hide_index=True, width="stretch", column_config={
        "country_name": "Country", "region": "Region", "orders": st.column_config.NumberColumn(
            "Orders", format="localized"),
        "net_revenue": st.column_config.NumberColumn("Net revenue", format=f"{symbol}%,.0f"),
        "average_order_value": st.column_config.NumberColumn("AOV", format=f"{symbol}%,.2f"),
    })  # fmt: skip
with right:
    st.subheader("Countries by category")
    cells = frame.call("country_categories", filters=filters, top=10)
    tree = charts.treemap(cells, ["country_name", "category_name"], "net_revenue",
                          frame.colors().countries)  # fmt: skip
    amount = f"%{{label}}<br>{symbol}%{{value:,.0f}}"
    tree.update_traces(texttemplate=amount, hovertemplate=amount + "<br>%{percentParent:.0%} "
                       "of %{parent}<extra></extra>")  # fmt: skip
    charts.show(charts.tidy(tree, height=460))
