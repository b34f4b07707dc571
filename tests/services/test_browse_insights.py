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
    assert len(page.rows) == 50 and page.page == 2 and not page.is_past_the_end
    assert set(page.rows["country_code"]) == {"DE"} and set(page.rows["channel"]) == {"web"}
    assert page.rows["order_date"].between(START, END).all()
    with seeded.connect() as conn:
        total = conn.scalar(text(
            "select count(*) from analytics.sales_daily where order_date between :s and :e "
            "and country_code = 'DE' and channel = 'web' and status <> 'cancelled'"),
            {"s": START, "e": END})  # fmt: skip
    assert page.total_rows == total


@pytest.mark.parametrize(
    ("view", "column", "first", "last"),
    [
        ("traffic_daily", "traffic_date", START, END),
        ("order_customers", "order_date", START, END),
        # months that overlap the range (March to May)
        ("kpi_monthly", "month", date(2024, 3, 1), date(2024, 5, 1)),
        ("channel_performance", "month", date(2024, 3, 1), date(2024, 5, 1)),
        ("cohort_retention", "cohort_month", date(2024, 3, 1), date(2024, 5, 1)),
    ],
)
def test_the_period_applies_to_the_date_column_of_each_view(
    seeded: Engine, view: str, column: str, first: date, last: date
) -> None:
    filters = Filters(date(2024, 3, 10), END)
    page = view_page(seeded, filters, view, page_size=1000)
    assert page.filtered_on[0] == column
    # rows come in key order, the date column first: the first page starts the range, the last
    # ends it
    last_page = view_page(seeded, filters, view, page=10_000, page_size=1000)
    if column.endswith("_date"):
        first = filters.start
    assert page.rows[column].min() == first and last_page.rows[column].max() == last


def test_periods_that_overlap_the_range_are_shown(seeded: Engine) -> None:
    filters = Filters(date(2024, 3, 10), date(2024, 3, 20))
    page = view_page(seeded, filters, "sales_periods", page_size=1000)
    assert page.filtered_on[0] == "period_start"
    got = set(zip(page.rows["period_grain"], page.rows["period_start"], strict=True))
    assert ("month", date(2024, 3, 1)) in got and ("year", date(2024, 1, 1)) in got
    assert ("week", date(2024, 3, 4)) in got and ("week", date(2024, 3, 18)) in got
    assert ("week", date(2024, 2, 26)) not in got and ("month", date(2024, 4, 1)) not in got


def test_marketing_channels_are_not_filtered_by_sales_channel(seeded: Engine) -> None:
    page = view_page(seeded, Filters(START, END, channels=("web",)), "channel_performance")
    assert "channel" not in page.filtered_on and page.total_rows > 0
    forecasts = view_page(seeded, Filters(START, END), "sales_forecast")
    assert forecasts.filtered_on == ()  # forecasts lie after the data: the period does not apply


def test_a_page_past_the_last_shows_the_last(seeded: Engine) -> None:
    filters = Filters(START, END, countries=("DE",))
    first = view_page(seeded, filters, "traffic_daily", page=1, page_size=50)
    assert first.pages == -(-first.total_rows // 50) > 1
    past = view_page(seeded, filters, "traffic_daily", page=10_000, page_size=50)
    assert past.is_past_the_end and past.requested == 10_000
    assert past.page == past.pages == first.pages
    assert len(past.rows) == first.total_rows - 50 * (first.pages - 1)


@pytest.mark.parametrize("view", ["sales_periods", "sales_daily"])
def test_paging_through_a_view_shows_every_row_once(seeded: Engine, view: str) -> None:
    """Rows that tie on the first columns (sales_periods' key is seven columns long) must
    still fall on one page each: the CSV of each page is what users download."""
    filters = Filters(START, END)
    first = view_page(seeded, filters, view, page=1, page_size=97)
    pages = [first.rows] + [view_page(seeded, filters, view, page=n, page_size=97).rows
                            for n in range(2, first.pages + 1)]  # fmt: skip
    shown = [tuple(row) for page in pages for row in page.itertuples(index=False)]
    # every row of these views is unique (a key): a row on two pages leaves another on none
    assert first.pages > 5 and len(shown) == first.total_rows
    assert len(set(shown)) == first.total_rows


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
