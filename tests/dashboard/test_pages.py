"""One AppTest per page on a seeded, trained warehouse: the page runs without a traceback and
shows its figures, tables and charts."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from salesdw.services import filter_options
from tests.dashboard.conftest import (
    OpenPage,
    assert_clean,
    column_formats,
    downloads,
    figures,
    metrics,
)


def charts(at) -> int:
    return len(at.get("plotly_chart"))


def subheaders(at) -> list[str]:
    return [subheader.value for subheader in at.subheader]


def shown(value: str) -> bool:
    """A figure, not a blank, a missing value or the placeholder of a count still running."""
    return value not in ("", "n/a", "…") and "nan" not in value


def test_overview_shows_eight_kpis_the_trend_and_the_top_countries_and_categories(
    open_page: OpenPage, trained: Engine
) -> None:
    at = open_page(trained)
    assert_clean(at)
    assert at.title[0].value == "Overview"
    cards = metrics(at)
    assert list(cards) == ["Net revenue", "Orders", "Average order value", "Gross profit",
                           "Customers", "New customers", "Repeat rate",
                           "Conversion rate"]  # fmt: skip
    assert all(shown(value) for value in cards.values()), cards
    # the gross margin shows on the gross profit card, not only in its tooltip
    margin = [c.value for c in at.caption if c.value.startswith("Gross margin")]
    assert len(margin) == 1 and re.search(r"\*\*\d+\.\d%\*\*", margin[0]), margin
    assert subheaders(at) == ["Net revenue per day", "Top countries", "Top categories",
                              "What stands out"]  # fmt: skip
    assert charts(at) == 3
    insights = [m.value for m in at.markdown if m.value.startswith(":material/trending")]
    assert insights, "no insight under 'What stands out'"
    # money in the sentences carries the currency symbol
    movers = [text for text in insights if "net revenue up" in text or "net revenue down" in text]
    assert movers and all(re.search(r"\([+-]€[\d,]+\)", text) for text in movers), movers


def test_overview_says_when_the_period_compared_with_begins_before_the_first_order(
    open_page: OpenPage, trained: Engine
) -> None:
    options = filter_options(trained)
    first, last = options.first_day, options.last_day

    def comparison(start: date) -> str:
        params = {"period": "custom", "from": start.isoformat(), "to": last.isoformat()}
        at = open_page(trained, params=params)
        assert_clean(at)
        return next(c.value for c in at.caption if c.value.startswith("Changes against"))

    # the default link's previous 90 days lie within the data
    assert "first order" not in comparison(last - timedelta(days=89))
    # a range starting 30 days in: the 30 days before it hold data, the rest do not
    days = (last - first).days + 1 - 30
    partial = comparison(first + timedelta(days=30))
    assert f"previous {days} days" in partial
    assert f"before the first order ({first:%d %b %Y})" in partial
    assert "the changes compare with 30 days of data" in partial
    # every day: the previous period is all before the data
    assert "all before the first order" in comparison(first)


def test_sales_shows_trend_split_season_and_year_over_year(
    open_page: OpenPage, trained: Engine
) -> None:
    at = open_page(trained, "sales")
    assert_clean(at)
    assert at.title[0].value == "Sales"
    assert charts(at) == 5
    # every grain and split draws too (the country split groups the small countries)
    at.segmented_control(key="sales_grain").set_value("month")
    at.segmented_control(key="sales_by").set_value("country")
    at.run()
    assert_clean(at)
    assert charts(at) == 5


def test_geography_shows_the_map_the_top_countries_and_categories(
    open_page: OpenPage, trained: Engine
) -> None:
    at = open_page(trained, "geography")
    assert_clean(at)
    assert charts(at) == 2
    top = at.dataframe[0].value
    assert len(top) == 15
    assert top["net_revenue"].is_monotonic_decreasing


def test_products_shows_the_top_20_pareto_bcg_margins_ratings_and_pairs(
    open_page: OpenPage, trained: Engine
) -> None:
    at = open_page(trained, "products")
    assert_clean(at)
    assert subheaders(at)[0] == "Top 20 products"
    assert len(at.dataframe[0].value) == 20
    assert charts(at) == 4
    assert "Bought together" in subheaders(at)
    at.segmented_control(key="basket_kind").set_value("category").run()
    assert_clean(at)


def test_customers_shows_cards_segments_cohorts_value_risk_and_clusters(
    open_page: OpenPage, trained: Engine
) -> None:
    at = open_page(trained, "customers")
    assert_clean(at)
    cards = metrics(at)
    assert list(cards) == ["Buyers", "Repeat buyers", "Churned", "Net revenue per buyer"]
    assert all(shown(value) for value in cards.values()), cards
    assert [info.value for info in at.info] == []  # every model trained: no "run make train"
    assert charts(at) == 4  # segments, cohorts, value bands, clusters
    at_risk = at.dataframe[1].value
    assert len(at_risk) == 50
    # ranked by value at risk (probability x CLV), both shown, and the page says so
    assert at_risk["value_at_risk"].is_monotonic_decreasing
    expected = at_risk["churn_probability"] * at_risk["clv_12m"]
    assert (at_risk["value_at_risk"] - expected).abs().max() < 1e-6
    assert not at_risk["churn_probability"].is_monotonic_decreasing  # not probability alone
    assert "Most value at risk" in subheaders(at)
    assert any("churn probability x" in c.value for c in at.caption)
    # the value bands by range; the last is open-ended (the top 1%, however high)
    titles = [f["layout"].get("xaxis", {}).get("title", {}).get("text") for f in figures(at)]
    bands = figures(at)[titles.index("12-month CLV")]
    labels = list(bands["data"][0]["x"])
    assert len(labels) == 30 and labels[0].startswith("€0-") and labels[-1].endswith(" and up")
    assert any("the last holds the" in c.value for c in at.caption)


def test_channels_shows_cards_totals_and_five_monthly_charts(
    open_page: OpenPage, trained: Engine
) -> None:
    at = open_page(trained, "channels")
    assert_clean(at)
    cards = metrics(at)
    assert list(cards) == ["Sessions", "Conversion", "Ad spend", "Return on ad spend"]
    assert all(shown(value) for value in cards.values()), cards
    assert "All channels" in set(at.dataframe[0].value["channel_name"])
    assert charts(at) == 5
    # the totals table formats money, counts and ratios
    assert column_formats(at.dataframe[0]) == {
        "sessions": "localized", "orders": "localized", "new_customers": "localized",
        "spend": "€%,.0f", "net_revenue": "€%,.0f", "cac": "€%,.2f",
        "conversion_rate": "percent", "roas": "%.1f x",
    }  # fmt: skip


def test_forecasts_shows_the_forecast_and_the_backtest_with_one_winner(
    open_page: OpenPage, trained: Engine
) -> None:
    at = open_page(trained, "forecasts")
    assert_clean(at)
    assert charts(at) == 1
    assert subheaders(at) == ["Backtest of every candidate"]
    backtest = at.dataframe[0].value
    assert len(backtest) >= 2
    winner = backtest[backtest["is_selected"]]
    assert len(winner) == 1
    assert f"Model: {winner['model'].iloc[0]}," in " ".join(c.value for c in at.caption)
    # another series and the weekly frequency draw too
    at.selectbox(key="forecast_series").set_value(("channel", "web"))
    at.segmented_control(key="forecast_frequency").set_value("week")
    at.run()
    assert_clean(at)
    assert charts(at) == 1


def test_anomalies_shows_the_flagged_days(open_page: OpenPage, trained: Engine) -> None:
    at = open_page(trained, "anomalies", params={"period": "all"})
    assert_clean(at)
    assert charts(at) == 1
    flagged = at.dataframe[0].value
    assert len(flagged) > 0 and flagged["anomaly_date"].is_unique
    assert subheaders(at) == [f"Flagged days: net revenue ({len(flagged)})"]
    # the table holds one metric, so its values take that metric's format
    formats = column_formats(at.dataframe[0])
    assert formats["value"] == formats["expected"] == "€%,.0f"
    for metric, wanted in (("orders", "%,.0f"), ("average_order_value", "€%,.2f"),
                           ("conversion_rate", "percent")):  # fmt: skip
        at.segmented_control(key="anomaly_metric").set_value(metric).run()
        assert_clean(at)
        if at.dataframe[0].value.empty:
            continue
        assert column_formats(at.dataframe[0])["value"] == wanted, metric


def test_data_shows_a_page_of_the_view_and_a_csv_download(
    open_page: OpenPage, trained: Engine
) -> None:
    at = open_page(trained, "data")
    assert_clean(at)
    assert at.selectbox(key="data_view").value == "sales_daily"
    assert len(at.dataframe[0].value) == 100
    assert [button.label for button in at.download_button] == ["Download this page as CSV"]
    at.selectbox(key="data_size").select(50).run()
    assert len(at.dataframe[0].value) == 50


@pytest.mark.parametrize(
    "view, number", [("sales_daily", 2), ("channel_performance", 1), ("customer_rfm", 3)]
)
def test_the_csv_download_is_the_table_shown(
    open_page: OpenPage, trained: Engine, monkeypatch: pytest.MonkeyPatch, view: str, number: int
) -> None:
    content = downloads(monkeypatch)
    at = open_page(trained, "data", params={"country": "DE"})
    at.selectbox(key="data_view").set_value(view)
    at.number_input(key="data_page").set_value(number)
    at.run()
    assert_clean(at)
    shown = at.dataframe[0].value.reset_index(drop=True)
    downloaded = pd.read_csv(io.BytesIO(content(at.download_button[0])))
    assert len(shown) > 0 and list(downloaded.columns) == list(shown.columns)
    assert len(downloaded) == len(shown)
    # the same cells, read back as CSV reads them
    expected = pd.read_csv(io.StringIO(shown.to_csv(index=False)))
    pd.testing.assert_frame_equal(downloaded, expected)
    assert f"page {number} of" in " ".join(caption.value for caption in at.caption)
    assert at.download_button[0].proto.url.endswith(".csv")


def test_data_past_the_last_page_says_so_and_shows_the_last(
    open_page: OpenPage, trained: Engine
) -> None:
    at = open_page(trained, "data")
    at.selectbox(key="data_view").set_value("kpi_monthly").run()
    at.number_input(key="data_page").set_value(99).run()
    assert_clean(at)
    assert "Page 99 is past the last page (1); showing page 1." in [i.value for i in at.info]
    assert "No rows match" not in " ".join(i.value for i in at.info)
    assert len(at.dataframe[0].value) > 0


def test_the_data_page_filters_each_view_on_its_date_column(
    open_page: OpenPage, trained: Engine
) -> None:
    at = open_page(trained, "data", params={"period": "last_30"})
    for view, column in (("traffic_daily", "traffic_date"), ("kpi_monthly", "month"),
                         ("cohort_retention", "cohort_month"),
                         ("anomalies", "anomaly_date")):  # fmt: skip
        at.selectbox(key="data_view").set_value(view).run()
        assert_clean(at)
        assert f"applied to: {column}" in " ".join(caption.value for caption in at.caption)
        dates = pd.to_datetime(at.dataframe[0].value[column])
        assert dates.max() - dates.min() <= pd.Timedelta(days=31), view
