"""Geography: where sales ship to, on a world map, in a table, and by category."""

import plotly.express as px
import streamlit as st

from dashboard import charts, frame
from dashboard.formats import currency_symbol

frame.header("Geography")
filters = frame.filters()
countries = frame.call("geo", filters=filters)
if countries.empty:
    frame.nothing_selected()
    st.stop()

world = px.choropleth(countries, locations="iso_alpha3", color="net_revenue",
                      hover_name="country_name", color_continuous_scale="Blues",
                      labels={"net_revenue": "Net revenue"},
                      hover_data={"orders": ":,", "iso_alpha3": False,
                                  "net_revenue": ":,.0f"})  # fmt: skip
world.update_geos(showframe=False, showcoastlines=False, projection_type="natural earth")
st.plotly_chart(charts.tidy(world, height=460), width="stretch", config=charts.MAP_CONFIG)

left, right = st.columns([2, 3])
with left:
    st.subheader("Top 15 countries")
    top = countries.head(15)[["country_name", "region", "orders", "net_revenue",
                              "average_order_value"]]  # fmt: skip
    symbol = currency_symbol()
    st.dataframe(top, hide_index=True, width="stretch", column_config={
        "country_name": "Country", "region": "Region", "orders": st.column_config.NumberColumn(
            "Orders", format="localized"),
        "net_revenue": st.column_config.NumberColumn("Net revenue", format=f"{symbol}%,.0f"),
        "average_order_value": st.column_config.NumberColumn("AOV", format=f"{symbol}%,.2f"),
    })  # fmt: skip
with right:
    st.subheader("Countries by category")
    cells = frame.call("country_categories", filters=filters, top=10)
    tree = px.treemap(cells, path=["country_name", "category_name"], values="net_revenue",
                      color="country_name")  # fmt: skip
    st.plotly_chart(charts.tidy(tree, height=460), width="stretch")
