"""What a user meets when the warehouse is not ready or a filter selects nothing: a message
that says what to run or change, never a traceback; and once it is done, a reload shows it."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from dashboard import queries
from salesdw import migrate
from salesdw.ml.train import train
from salesdw.refresh import refresh
from salesdw.services import FilterError
from tests.dashboard.conftest import OpenPage, assert_clean
from tests.pg_servers import PgServer

PAGES = ["overview", "sales", "geography", "products", "customers", "channels", "forecasts",
         "anomalies", "data"]  # fmt: skip
CLOSED_PORT = "postgresql://postgres@127.0.0.1:1/salesdw"


def conninfo(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def stopped_with(at, words: str) -> None:
    """The page shows one error box saying `words`, and nothing after it."""
    assert [e.value for e in at.exception] == []
    assert len(at.error) == 1 and words in at.error[0].value, [e.value for e in at.error]
    assert at.metric == [] and at.dataframe == [] and at.get("plotly_chart") == []


@pytest.mark.parametrize("page", ["overview", "forecasts", "data"])
def test_an_unreachable_database_says_where_and_what_to_check(
    open_page: OpenPage, page: str
) -> None:
    at = open_page(CLOSED_PORT, page)
    stopped_with(at, "cannot connect to PostgreSQL at 127.0.0.1:1")
    assert "DATABASE_URL" in at.error[0].value


def test_a_database_that_goes_away_says_so_on_the_next_click(
    open_page: OpenPage, primary_server: PgServer, seeded_db: Engine
) -> None:
    at = open_page(seeded_db)
    assert_clean(at)
    primary_server.drop_database(seeded_db.url.database)
    at.multiselect(key="f_countries").select("DE").run()  # queries nothing cached yet
    stopped_with(at, "The database does not answer")


def test_an_unmigrated_database_says_to_migrate(open_page: OpenPage, empty_db: Engine) -> None:
    at = open_page(empty_db, "sales")
    stopped_with(at, "Run `make migrate`")


def test_a_migrated_but_never_refreshed_warehouse_says_to_refresh(
    open_page: OpenPage, db: Engine
) -> None:
    at = open_page(db, "customers")
    stopped_with(at, "Run `make refresh`")


def test_an_empty_warehouse_says_to_seed_or_import(open_page: OpenPage, db: Engine) -> None:
    refresh(conninfo(db))
    at = open_page(db, "geography")
    stopped_with(at, "holds no orders yet")
    assert "make seed" in at.error[0].value


def test_a_reload_shows_the_next_step_once_the_last_is_done(
    open_page: OpenPage, empty_db: Engine
) -> None:
    at = open_page(empty_db)
    stopped_with(at, "Run `make migrate`")
    migrate.upgrade(empty_db)
    at.run()
    stopped_with(at, "Run `make refresh`")
    refresh(conninfo(empty_db))
    at.run()
    stopped_with(at, "holds no orders yet")


@pytest.mark.parametrize("page, model", [("forecasts", "forecast"), ("anomalies", "anomalies")])
def test_models_not_trained_yet_say_to_run_make_train(
    open_page: OpenPage, seeded_db: Engine, page: str, model: str
) -> None:
    at = open_page(seeded_db, page)
    assert_clean(at)
    assert [info.value for info in at.info] == [
        f"The {model} model has not been trained yet. Run `make train` (or `salesdw train "
        f"{model}`) and reload."
    ]
    assert at.dataframe == [] and at.get("plotly_chart") == []


def test_customers_without_models_shows_the_rest_and_says_to_train(
    open_page: OpenPage, seeded_db: Engine
) -> None:
    at = open_page(seeded_db, "customers")
    assert_clean(at)
    said = " ".join(info.value for info in at.info)
    for model in ("clv", "churn", "segments"):
        assert f"salesdw train {model}" in said
    assert len(at.metric) == 4
    assert len(at.get("plotly_chart")) == 2  # segments and cohorts need no model


def test_a_reload_after_training_shows_the_model(open_page: OpenPage, seeded_db: Engine) -> None:
    at = open_page(seeded_db, "anomalies")
    assert "make train" in at.info[0].value
    train(conninfo(seeded_db), ["anomalies"])
    at.run()
    assert_clean(at)
    assert at.info == []
    assert at.subheader[0].value.startswith("Flagged days")


@pytest.fixture
def nothing_link(trained: Engine) -> dict[str, str]:
    """A link to one day and the smallest country, which had no orders that day."""
    with trained.connect() as conn:
        country, day = conn.execute(text("""
            with smallest as (
                select country_code from analytics.geo_sales order by net_revenue limit 1
            ),
            days as (
                select generate_series(max(order_date) - 89, max(order_date), interval '1 day'
                    )::date as day
                from analytics.orders_daily
            )
            select smallest.country_code, days.day
            from smallest cross join days
            where not exists (
                select 1 from analytics.orders_daily
                where orders_daily.order_date = days.day
                    and orders_daily.country_code = smallest.country_code
            )
            order by days.day desc
            limit 1
        """)).one()  # fmt: skip
    return {"period": "custom", "from": str(day), "to": str(day), "country": country}


@pytest.mark.parametrize("page, what", [("overview", "sales"), ("sales", "sales"),
                                        ("geography", "sales"), ("data", "rows")])  # fmt: skip
def test_a_filter_that_selects_nothing_says_to_widen_it(
    open_page: OpenPage, trained: Engine, nothing_link: dict[str, str], page: str, what: str
) -> None:
    at = open_page(trained, page, params=nothing_link)
    assert_clean(at)
    assert at.warning == []  # the link itself is valid
    assert f"No {what} match the filters" in " ".join(info.value for info in at.info)
    assert at.metric == [] and at.get("plotly_chart") == []


@pytest.fixture
def quiet_category_day(trained: Engine) -> dict[str, str | list[str]]:
    """A link to one day and a top-level category none of whose products sold that day (product
    rankings honour only the period and the categories)."""
    with trained.connect() as conn:
        found = conn.execute(text("""
            with
            days as (
                select generate_series(min(order_date), max(order_date), interval '1 day'
                    )::date as day
                from analytics.orders_daily
            ),
            sold as (
                select periods.period_start as day, products.top_category_id
                from analytics.product_sales_periods as periods
                inner join analytics.product_performance as products
                    on products.product_id = periods.product_id
                where periods.period_grain = 'day'
                group by 1, 2
            )
            select days.day, bits.category_name
            from days
            cross join analytics.category_bits as bits
            where not exists (
                select 1 from sold
                where sold.day = days.day and sold.top_category_id = bits.category_id
            )
            order by days.day desc, bits.category_name
            limit 1
        """)).one_or_none()  # fmt: skip
    assert found is not None, "every category sold on every day: no quiet day to link to"
    day, category = found
    return {"period": "custom", "from": str(day), "to": str(day), "category": category}


def test_products_with_a_filter_that_selects_nothing_say_to_widen_it(
    open_page: OpenPage, trained: Engine, quiet_category_day: dict
) -> None:
    at = open_page(trained, "products", params=quiet_category_day)
    assert_clean(at)
    assert at.warning == []
    assert "No products match the filters" in " ".join(info.value for info in at.info)
    assert at.dataframe == [] and at.get("plotly_chart") == []


def test_channels_with_a_period_without_sessions_or_orders_say_to_widen_it(
    open_page: OpenPage, seeded_db: Engine
) -> None:
    """The last 30 days hold one order, cancelled, and no web traffic: nothing for Channels,
    which counts orders not cancelled and sessions over the period."""
    with seeded_db.begin() as conn:
        conn.execute(text("""
            insert into core.orders (customer_id, ordered_at, status, channel,
                                     shipping_country_code)
            select customer_id, (select max(ordered_at) from core.orders) + interval '60 days',
                   'cancelled', 'web', country_code
            from core.customers order by customer_id limit 1
        """))  # fmt: skip
    refresh(conninfo(seeded_db))
    at = open_page(seeded_db, "channels", params={"period": "last_30"})
    assert_clean(at)
    assert "No sessions or orders match the filters" in " ".join(i.value for i in at.info)
    assert at.metric == [] and at.get("plotly_chart") == []
    at = open_page(seeded_db, "channels", params={"period": "last_90"})  # reaches back to data
    assert_clean(at)
    assert len(at.metric) == 4


@pytest.mark.parametrize(
    "failure, words",
    [
        (OperationalError("select", {}, Exception("server closed the connection")),
         "The database does not answer (OperationalError)"),
        (FilterError("the filter options are unreadable"), "the filter options are unreadable"),
    ],
)  # fmt: skip
def test_a_failure_reading_the_filter_options_stops_with_a_message(
    open_page: OpenPage, seeded_db: Engine, monkeypatch: pytest.MonkeyPatch, failure, words: str
) -> None:
    """The frame reads the warehouse's status, then the filters' options: a failure in the
    second is met like one in the first, with a message and no traceback."""

    def broken(engine):
        raise failure

    monkeypatch.setitem(queries.SERVICES, "options", broken)
    at = open_page(seeded_db, "sales")  # a database of its own: nothing cached yet
    stopped_with(at, words)
