"""Distinct customers (services.customers.active_customers) and conversion rate
(services.channels.conversion) against pandas over the core tables of the seeded warehouse."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.services import FilterError, Filters
from salesdw.services.channels import conversion
from salesdw.services.customers import _ACTIVE_BY_DAY, active_customers
from tests.analytics.test_oracle import Base, load_base
from tests.services.test_sales import CASES, END, START, make_filters, select


@pytest.fixture(scope="module")
def base(seeded: Engine) -> Base:
    return load_base(seeded)


@pytest.fixture(scope="module")
def top_ids(base: Base) -> dict[str, int]:
    roots = base.categories[base.categories["parent_category_id"].isna()]
    return dict(zip(roots["name"], roots["category_id"], strict=True))


@pytest.mark.parametrize("case", CASES)
def test_active_customers_are_distinct_customers_with_a_matching_order(
    seeded: Engine, base: Base, top_ids: dict[str, int], case: str
) -> None:
    filters = make_filters(case, top_ids)
    orders, _ = select(base, filters)
    got = active_customers(seeded, filters)
    assert got.customers == orders["customer_id"].nunique() > 0
    assert got.new_customers == orders.loc[orders["is_first_order"], "customer_id"].nunique()
    assert got.returning_customers == got.customers - got.new_customers
    if got.customers:
        assert got.repeat_rate == pytest.approx(got.returning_customers / got.customers)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (START, END),
        (date(2023, 1, 1), date(2030, 12, 31)),  # every order, and days without any
        (date(2024, 4, 17), date(2024, 4, 17)),  # one day
        (date(2024, 1, 1), date(2025, 6, 30)),
        (date(2010, 1, 1), date(2010, 12, 31)),  # before any order
    ],
)
def test_customers_of_a_date_range_are_counted_by_day_without_a_scan(
    seeded: Engine, base: Base, start: date, end: date
) -> None:
    """The date filter alone with the default statuses reads analytics.active_customer_days:
    one probe per day, and the same customers as pandas over every order of the range."""
    filters = Filters(start, end)
    orders, _ = select(base, filters)
    got = active_customers(seeded, filters)
    assert got.customers == orders["customer_id"].nunique()
    assert got.new_customers == orders.loc[orders["is_first_order"], "customer_id"].nunique()
    with seeded.connect() as conn:
        plan = "\n".join(conn.execute(text(
            "explain " + _ACTIVE_BY_DAY), filters.params({})).scalars())  # fmt: skip
    assert "order_customers" not in plan


@pytest.mark.parametrize("countries", [(), ("DE", "FR")])
def test_conversion_is_orders_not_cancelled_per_session(
    seeded: Engine, base: Base, countries: tuple[str, ...]
) -> None:
    filters = Filters(START, END, countries=countries, channels=("web",))
    got = conversion(seeded, filters)
    with seeded.connect() as conn:
        sessions = conn.scalar(text(
            "select sum(sessions) from core.web_traffic where traffic_date between :s and :e "
            "and (cardinality(cast(:c as text[])) = 0 or country_code = any(:c))"),
            {"s": START, "e": END, "c": list(countries)})  # fmt: skip
    orders, _ = select(base, Filters(START, END, countries=countries))
    assert got.sessions == sessions and got.orders == len(orders)
    assert 0.005 < got.rate < 0.06  # the generator converts about 2% of sessions


def test_an_unknown_country_is_refused(seeded: Engine) -> None:
    with pytest.raises(FilterError, match="unknown country"):
        active_customers(seeded, Filters(START, END, countries=("XX",)))
