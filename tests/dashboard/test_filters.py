"""The sidebar filters: they move the numbers the right way, live in the link, and a shared link
opens the same view; a link's invalid values are dropped with a notice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine

from dashboard.filters import SALES_STATUSES, Selection, parse, to_params
from dashboard.formats import money
from salesdw.services import FilterOptions, Filters, filter_options
from salesdw.services.sales import kpis
from tests.dashboard.conftest import (
    OpenPage,
    amount,
    assert_clean,
    figures,
    metrics,
    numbers,
)


def revenue_and_orders(at) -> tuple[float, float]:
    cards = metrics(at)
    return amount(cards["Net revenue"]), amount(cards["Orders"])


def last_90_days(engine: Engine) -> tuple[date, date]:
    last = filter_options(engine).last_day
    return last - timedelta(days=89), last


def shows_kpis_of(at, engine: Engine, filters: Filters) -> bool:
    expected = kpis(engine, filters).current
    cards = metrics(at)
    return (cards["Orders"], cards["Net revenue"]) == (f"{expected.orders:,}",
                                                       money(expected.net_revenue))  # fmt: skip


OPTIONS = FilterOptions(date(2024, 1, 1), date(2024, 12, 31), (("DE", "Germany"), ("FR", "France")),
                        ((1, "Electronics"), (6, "Fashion")))  # fmt: skip


def test_a_selection_survives_its_link() -> None:
    selection = Selection("custom", date(2024, 3, 1), date(2024, 3, 31), ("FR", "DE"),
                          ("Fashion",), ("web", "social"), ("completed",))  # fmt: skip
    link = to_params(selection)
    assert parse(link, OPTIONS) == (selection, [])


def test_the_default_selection_has_an_empty_link() -> None:
    assert to_params(Selection()) == {}
    assert parse({}, OPTIONS) == (Selection(), [])


def test_the_default_view_shows_the_last_90_days_of_every_country(
    open_page: OpenPage, trained: Engine
) -> None:
    at = open_page(trained)
    start, end = last_90_days(trained)
    assert at.selectbox(key="f_preset").value == "last_90"
    assert at.sidebar.caption[0].value == f"{start:%d %b %Y} - {end:%d %b %Y}"
    assert shows_kpis_of(at, trained, Filters(start, end))
    assert at.query_params == {}  # defaults stay out of the link


@pytest.mark.parametrize(
    "key, value",
    [("f_countries", "DE"), ("f_categories", "Electronics"), ("f_channels", "web")],
)
def test_selecting_one_value_lowers_revenue_and_orders(
    open_page: OpenPage, trained: Engine, key: str, value: str
) -> None:
    at = open_page(trained)
    revenue, orders = revenue_and_orders(at)
    at.multiselect(key=key).select(value).run()
    assert_clean(at)
    narrowed_revenue, narrowed_orders = revenue_and_orders(at)
    assert 0 < narrowed_revenue < revenue
    assert 0 < narrowed_orders < orders


def test_a_shorter_period_lowers_revenue_and_orders(open_page: OpenPage, trained: Engine) -> None:
    at = open_page(trained)
    revenue, orders = revenue_and_orders(at)
    at.selectbox(key="f_preset").select("last_30").run()
    assert_clean(at)
    shorter_revenue, shorter_orders = revenue_and_orders(at)
    assert 0 < shorter_revenue < revenue
    assert 0 < shorter_orders < orders


def test_a_longer_period_raises_revenue_and_orders(open_page: OpenPage, trained: Engine) -> None:
    at = open_page(trained)
    revenue, orders = revenue_and_orders(at)
    at.selectbox(key="f_preset").select("all").run()
    assert_clean(at)
    longer_revenue, longer_orders = revenue_and_orders(at)
    assert longer_revenue > revenue
    assert longer_orders > orders


def test_the_link_follows_the_filters(open_page: OpenPage, trained: Engine) -> None:
    at = open_page(trained)
    at.selectbox(key="f_preset").select("last_30")
    at.multiselect(key="f_countries").select("DE").select("FR")
    at.multiselect(key="f_channels").select("web")
    at.run()
    assert at.query_params == {"period": "last_30", "country": ["DE", "FR"], "channel": "web"}


def test_a_shared_link_restores_the_filters_and_their_numbers(
    open_page: OpenPage, trained: Engine
) -> None:
    _, end = last_90_days(trained)
    start = end - timedelta(days=200)
    link = {"period": "custom", "from": start.isoformat(), "to": end.isoformat(),
            "country": ["DE", "FR"], "category": "Electronics", "channel": "web",
            "status": ["completed", "returned"]}  # fmt: skip
    at = open_page(trained, params=link)
    assert_clean(at)
    assert at.warning == []
    assert at.selectbox(key="f_preset").value == "custom"
    assert at.date_input(key="f_range").value == (start, end)
    assert at.multiselect(key="f_countries").value == ["DE", "FR"]
    assert at.multiselect(key="f_categories").value == ["Electronics"]
    assert at.multiselect(key="f_channels").value == ["web"]
    assert at.multiselect(key="f_statuses").value == ["completed", "returned"]
    electronics = dict((name, id_) for id_, name in filter_options(trained).categories)
    filters = Filters(start, end, ("DE", "FR"), (electronics["Electronics"],), ("web",),
                      ("completed", "returned"))  # fmt: skip
    assert shows_kpis_of(at, trained, filters)
    assert at.query_params == link


def test_a_link_filters_every_page(open_page: OpenPage, trained: Engine) -> None:
    at = open_page(trained, "geography", params={"country": "DE"})
    assert_clean(at)
    assert list(at.dataframe[0].value["country_name"]) == ["Germany"]
    assert at.multiselect(key="f_countries").value == ["DE"]


def test_the_filters_survive_a_visit_to_the_import_page(
    open_page: OpenPage, trained: Engine
) -> None:
    """Import draws no filters; Streamlit would forget them there unless they are kept."""
    link = {"period": "last_30", "country": "DE", "channel": "web"}
    at = open_page(trained, "sales", params=link)
    at.switch_page("app_pages/import.py").run()
    at.switch_page("app_pages/geography.py").run()
    assert_clean(at)
    assert at.multiselect(key="f_countries").value == ["DE"]
    assert at.multiselect(key="f_channels").value == ["web"]
    assert at.multiselect(key="f_statuses").value == list(SALES_STATUSES)
    assert list(at.dataframe[0].value["country_name"]) == ["Germany"]
    assert at.query_params == link


def test_invalid_values_in_a_link_are_dropped_with_a_notice(
    open_page: OpenPage, trained: Engine
) -> None:
    link = {"period": "forever", "country": ["de", "ZZ"], "category": "Weapons",
            "channel": "fax", "status": "lost"}  # fmt: skip
    at = open_page(trained, params=link)
    assert_clean(at)
    notices = " ".join(warning.value for warning in at.warning)
    for dropped in ("'forever'", "'ZZ'", "'Weapons'", "'fax'", "'lost'"):
        assert dropped in notices
    assert at.selectbox(key="f_preset").value == "last_90"
    assert at.multiselect(key="f_countries").value == ["DE"]
    assert at.multiselect(key="f_categories").value == []
    assert shows_kpis_of(at, trained, Filters(*last_90_days(trained), countries=("DE",)))
    assert at.query_params == {"country": "DE"}  # the link is cleaned


@pytest.mark.parametrize(
    "dates",
    [
        ("2024-02-30", "2024-03-01"),
        ("2024-03-01", "2024-02-01"),
        ("", "2024-02-01"),
        ("1999-01-01", "1999-12-31"),
    ],
    ids=["no-such-day", "from-after-to", "from-missing", "before-the-data"],
)
def test_bad_custom_dates_in_a_link_fall_back_to_90_days_with_a_notice(
    open_page: OpenPage, trained: Engine, dates: tuple[str, str]
) -> None:
    at = open_page(trained, params={"period": "custom", "from": dates[0], "to": dates[1]})
    assert_clean(at)
    assert "Ignored the custom dates" in " ".join(warning.value for warning in at.warning)
    assert at.selectbox(key="f_preset").value == "last_90"
    assert shows_kpis_of(at, trained, Filters(*last_90_days(trained)))


def test_custom_dates_outside_the_data_are_clipped_with_a_notice(
    open_page: OpenPage, trained: Engine
) -> None:
    options = filter_options(trained)
    link = {"period": "custom", "from": "1999-01-01",
            "to": (options.last_day + timedelta(days=400)).isoformat()}  # fmt: skip
    at = open_page(trained, params=link)
    assert_clean(at)
    assert "Moved the link's dates" in " ".join(warning.value for warning in at.warning)
    assert at.date_input(key="f_range").value == (options.first_day, options.last_day)
    assert shows_kpis_of(at, trained, Filters(options.first_day, options.last_day))


def test_clearing_every_status_shows_a_notice_and_counts_sales_statuses(
    open_page: OpenPage, trained: Engine
) -> None:
    at = open_page(trained)
    revenue, orders = revenue_and_orders(at)
    at.multiselect(key="f_statuses").set_value([]).run()
    assert_clean(at)
    assert "Select at least one status" in at.sidebar.warning[0].value
    assert revenue_and_orders(at) == (revenue, orders)


def test_a_custom_range_picked_in_the_sidebar_sets_the_numbers(
    open_page: OpenPage, trained: Engine
) -> None:
    start, _ = last_90_days(trained)
    at = open_page(trained)
    at.selectbox(key="f_preset").select("custom").run()
    assert_clean(at)
    at.date_input(key="f_range").set_value((start, start + timedelta(days=6))).run()
    assert_clean(at)
    assert shows_kpis_of(at, trained, Filters(start, start + timedelta(days=6)))
    assert at.query_params["from"] == start.isoformat()


# --- the other pages follow the filters too ---------------------------------------------------


def sales_total(at) -> float:
    """Net revenue added up over the Sales page's trend chart."""
    trend = figures(at)[0]
    revenue = next(trace for trace in trend["data"] if trace["name"] == "Net revenue")
    return float(numbers(revenue["y"]).sum())


def geography_table(at) -> dict[str, float]:
    top = at.dataframe[0].value
    return dict(zip(top["country_name"], top["net_revenue"], strict=True))


def products_total(at) -> float:
    return float(at.dataframe[0].value["net_revenue"].sum())


@pytest.mark.parametrize(
    "key, value",
    [("f_countries", "DE"), ("f_categories", "Electronics"), ("f_channels", "web")],
)
def test_on_sales_selecting_one_value_lowers_the_trend(
    open_page: OpenPage, trained: Engine, key: str, value: str
) -> None:
    at = open_page(trained, "sales")
    everything = sales_total(at)
    at.multiselect(key=key).select(value).run()
    assert_clean(at)
    assert 0 < sales_total(at) < everything
    # the trend adds up to the KPI of the same filters
    start, end = last_90_days(trained)
    ids = dict((name, id_) for id_, name in filter_options(trained).categories)
    selected = {"f_countries": {"countries": ("DE",)}, "f_channels": {"channels": ("web",)},
                "f_categories": {"categories": (ids["Electronics"],)}}[key]  # fmt: skip
    expected = kpis(trained, Filters(start, end, **selected)).current.net_revenue
    assert sales_total(at) == pytest.approx(expected, abs=0.05)


def test_on_sales_a_longer_period_raises_the_trend(open_page: OpenPage, trained: Engine) -> None:
    at = open_page(trained, "sales")
    ninety = sales_total(at)
    at.selectbox(key="f_preset").select("last_365").run()
    assert_clean(at)
    assert sales_total(at) > ninety


def test_on_geography_a_channel_lowers_every_country_and_a_shorter_period_too(
    open_page: OpenPage, trained: Engine
) -> None:
    at = open_page(trained, "geography")
    everything = geography_table(at)
    at.multiselect(key="f_channels").select("web").run()
    assert_clean(at)
    web = geography_table(at)
    assert web and all(0 < web[country] < everything[country] for country in web
                       if country in everything)  # fmt: skip
    assert sum(web.values()) < sum(everything.values())
    at.multiselect(key="f_channels").set_value([])
    at.selectbox(key="f_preset").select("last_30").run()
    assert_clean(at)
    month = geography_table(at)
    assert sum(month.values()) < sum(everything.values())
    assert all(month[country] <= everything[country] for country in month if country in everything)


def test_on_geography_a_country_leaves_only_it(open_page: OpenPage, trained: Engine) -> None:
    at = open_page(trained, "geography")
    at.multiselect(key="f_countries").select("FR").run()
    assert_clean(at)
    assert list(geography_table(at)) == ["France"]


def test_on_products_a_category_and_a_shorter_period_lower_the_top_20(
    open_page: OpenPage, trained: Engine
) -> None:
    at = open_page(trained, "products")
    everything = products_total(at)
    at.multiselect(key="f_categories").select("Electronics").run()
    assert_clean(at)
    assert set(at.dataframe[0].value["top_category_name"]) == {"Electronics"}
    assert 0 < products_total(at) < everything
    at.multiselect(key="f_categories").set_value([])
    at.selectbox(key="f_preset").select("last_30").run()
    assert_clean(at)
    assert 0 < products_total(at) < everything
    at.selectbox(key="f_preset").select("all").run()
    assert_clean(at)
    assert products_total(at) > everything
