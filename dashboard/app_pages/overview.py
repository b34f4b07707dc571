"""Overview: the period's KPIs against the previous equal period, the revenue trend, the top
countries and categories, and what stands out."""

import streamlit as st

from dashboard import charts, frame
from dashboard.formats import change, count, money, percent

frame.header("Overview")
filters = frame.filters()
previous = filters.previous_period()
comparison = frame.call("kpis", filters=filters)
now, before = comparison.current, comparison.previous
if now.orders == 0:
    frame.nothing_selected()
    st.stop()
# The slowest answers run in the background while the page draws, on another core: distinct
# customers under a filter other than dates are counted from the orders (a second or two at 10M
# orders; their cards are filled last), and the insights, which compare the countries and
# categories of both periods.
people_later = frame.start("active_customers", filters=filters)
people_before_later = frame.start("active_customers", filters=previous)
insights_later = frame.start("insights", filters=filters)
visits = frame.call("conversion", filters=filters)
visits_before = frame.call("conversion", filters=previous)


def relative(now_value, before_value):
    return None if now_value is None or not before_value else now_value / before_value - 1


cards = st.columns(4)
cards[0].metric("Net revenue", money(now.net_revenue), change(comparison.change("net_revenue")))
cards[1].metric("Orders", count(now.orders), change(comparison.change("orders")))
cards[2].metric(
    "Average order value",
    money(now.average_order_value, 2),
    change(relative(now.average_order_value, before.average_order_value)),
)
cards[3].metric(
    "Gross profit",
    money(now.gross_profit),
    change(comparison.change("gross_profit")),
    help="Net revenue less the cost of the goods kept; margin = gross profit / net revenue.",
)
cards[3].caption(f"Gross margin **{percent(now.gross_margin)}** "
                 f"(before: {percent(before.gross_margin)})")  # fmt: skip
# the customer cards are filled last (end of the page): their counts are still running, so
# they say so until then
cards = st.columns(4)
customer_cards = cards[0].empty(), cards[2].empty()
for card, label in zip(customer_cards, ("Customers", "Repeat rate"), strict=True):
    card.metric(label, "…", help="Counting the period's distinct customers...")
cards[1].metric(
    "New customers", count(now.new_customers), change(comparison.change("new_customers"))
)
cards[3].metric("Conversion rate", percent(visits.rate, 2),
                change(relative(visits.rate, visits_before.rate)),
                help="Orders per web or app session, in the period's countries; sessions "
                     "know no sales channel or category.")  # fmt: skip
first_day = frame.options().first_day
if first_day is not None and previous.end < first_day:
    partial = f" They are all before the first order ({first_day:%d %b %Y}): nothing to compare."
elif first_day is not None and previous.start < first_day:
    partial = (
        f" They begin before the first order ({first_day:%d %b %Y}), so the changes "
        f"compare with {(previous.end - first_day).days + 1} days of data."
    )
else:
    partial = ""
st.caption(f"Changes against the previous {filters.days} days "
           f"({previous.start:%d %b %Y} - {previous.end:%d %b %Y}).{partial}")  # fmt: skip

st.subheader("Net revenue per day")
# net revenue only: order counts under a category filter cost ten times more to add up
charts.show(charts.trend_with_average(frame.call("daily_trend", filters=filters, orders=False)))

colors = frame.colors()
left, right = st.columns(2)
# net revenue only, as the chart above
with left:
    st.subheader("Top countries")
    countries = frame.call("breakdown", "country", filters=filters, orders=False).head(10)
    charts.show(charts.bars(countries, "net_revenue", "label", colors.countries))
with right:
    st.subheader("Top categories")
    categories = frame.call("breakdown", "category", filters=filters, orders=False).head(10)
    charts.show(charts.bars(categories, "net_revenue", "label", colors.categories))

st.subheader("What stands out")
for insight in frame.answer(insights_later.result):
    icon = ":material/trending_up:" if insight.is_positive else ":material/trending_down:"
    st.markdown(f"{icon} {insight.text}")

people = frame.answer(people_later.result)
people_before = frame.answer(people_before_later.result)
customer_cards[0].metric(
    "Customers",
    count(people.customers),
    change(relative(people.customers, people_before.customers)),
)
customer_cards[1].metric(
    "Repeat rate",
    percent(people.repeat_rate),
    change(relative(people.repeat_rate, people_before.repeat_rate)),
    help="Share of the period's customers who had ordered before it.",
)
