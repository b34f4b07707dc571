"""Geography: where sales ship to, on a world map, in a table, and by category."""

import plotly.express as px
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

world = px.choropleth(countries, locations="iso_alpha3", color="net_revenue",
                      hover_name="country_name", color_continuous_scale=charts.BLUES,
                      labels={"net_revenue": "Net revenue"},
                      hover_data={"orders": ":,", "iso_alpha3": False,
                                  "net_revenue": ":,.0f"})  # fmt: skip
# no land or ocean fill of Plotly's own: the app's background shows through, light or dark
world.update_geos(showframe=False, showcoastlines=False, projection_type="natural earth",
                  bgcolor="rgba(0,0,0,0)", showland=True, landcolor="rgba(140,140,140,0.25)",
                  showcountries=True, countrycolor="rgba(140,140,140,0.6)")  # fmt: skip
world.update_coloraxes(colorbar_tickprefix=currency_symbol(), colorbar_tickformat=",.0f",
                       colorbar_title_text="")  # fmt: skip
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
    tree = px.treemap(cells, path=["country_name", "category_name"], values="net_revenue",
                      color="country_name",
                      color_discrete_map=frame.colors().countries)  # fmt: skip
    amount = f"%{{label}}<br>{symbol}%{{value:,.0f}}"
    tree.update_traces(texttemplate=amount, hovertemplate=amount + "<br>%{percentParent:.0%} "
                       "of %{parent}<extra></extra>")  # fmt: skip
    charts.show(charts.tidy(tree, height=460))
