"""services.browse (any analytics view, a page at a time, filtered) and services.insights."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.services import FilterError, Filters
from salesdw.services.browse import analytics_views, view_page
from salesdw.services.insights import insights

START, END = date(2024, 3, 1), date(2024, 5, 31)


def test_every_analytics_view_is_listed_with_its_description(seeded: Engine) -> None:
    views = analytics_views(seeded)
    assert {"sales_daily", "customer_rfm", "sales_forecast"} <= set(views["view_name"])
    assert views["description"].str.startswith("One row per").all()


def test_pages_are_filtered_on_the_columns_a_view_has(seeded: Engine) -> None:
    filters = Filters(START, END, countries=("DE",), channels=("web",))
    page = view_page(seeded, filters, "sales_daily", page=2, page_size=50)
    assert page.filtered_on == ("order_date", "country_code", "channel", "status", "category_id")
    assert len(page.rows) == 50
    assert set(page.rows["country_code"]) == {"DE"} and set(page.rows["channel"]) == {"web"}
    assert page.rows["order_date"].between(START, END).all()
    with seeded.connect() as conn:
        total = conn.scalar(text(
            "select count(*) from analytics.sales_daily where order_date between :s and :e "
            "and country_code = 'DE' and channel = 'web' and status <> 'cancelled'"),
            {"s": START, "e": END})  # fmt: skip
    assert page.total_rows == total


def test_views_without_filter_columns_are_shown_whole(seeded: Engine) -> None:
    page = view_page(seeded, Filters(START, END), "rfm_segments", page_size=200)
    assert page.filtered_on == () and page.total_rows == len(page.rows) == 125


@pytest.mark.parametrize(
    ("view", "page", "size"),
    [("core.customers", 1, 10), ('sales_daily"; drop table x; --', 1, 10),
     ("sales_daily", 0, 10), ("sales_daily", 1, 5000)],
)  # fmt: skip
def test_unknown_views_and_bad_pages_are_refused(seeded: Engine, view, page, size) -> None:
    with pytest.raises(FilterError):
        view_page(seeded, None, view, page, size)


def test_insights_name_the_movers_and_the_segments_that_matter(seeded: Engine) -> None:
    found = insights(seeded, Filters(date(2025, 6, 1), date(2025, 8, 31)))
    kinds = [insight.kind for insight in found]
    assert kinds.count("mover") >= 2 and "segment" in kinds
    assert any("Country" in i.text and "previous 92 days" in i.text for i in found)
    assert all(i.text.endswith(".") for i in found)


def test_insights_of_an_empty_period_say_nothing(seeded: Engine) -> None:
    assert [i for i in insights(seeded, Filters(date(2010, 1, 1), date(2010, 1, 31)))
            if i.kind != "segment"] == []  # fmt: skip
