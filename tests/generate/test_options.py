"""Seed options: presets, overrides and one clear error per bad combination."""

from __future__ import annotations

from datetime import date

import pytest

from salesdw.generate.options import SCALES, SeedOptionError, resolve_options


@pytest.mark.parametrize(
    ("scale", "orders"),
    [("tiny", 5_000), ("small", 100_000), ("medium", 1_000_000), ("large", 10_000_000)],
)
def test_scales_set_orders_and_derive_customers(scale: str, orders: int) -> None:
    options = resolve_options(scale=scale)
    assert options.orders == orders
    assert options.products == SCALES[scale][1]
    assert options.customers == round(orders / 2.8)


def test_small_is_the_default_scale() -> None:
    assert resolve_options().orders == 100_000


def test_explicit_sizes_override_the_scale() -> None:
    options = resolve_options(scale="large", orders=1_000, customers=400, products=50)
    assert (options.orders, options.customers, options.products) == (1_000, 400, 50)


def test_period_ends_today_by_default() -> None:
    options = resolve_options(years=2, today=date(2026, 11, 21))
    assert (options.start_date, options.end_date) == (date(2024, 11, 21), date(2026, 11, 21))
    assert options.days == 730


def test_leap_day_start_still_gives_whole_years() -> None:
    options = resolve_options(years=1, today=date(2028, 2, 29))
    assert options.start_date == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": "huge"}, "unknown scale"),
        ({"orders": 100, "customers": 200}, "must be at least --customers"),
        ({"orders": 5}, "--orders must be at least 10"),
        ({"products": 3}, "--products must be at least 20"),
        ({"years": 0}, "--years must be between 1 and 20"),
        ({"locale": "xx_XX"}, "unknown --locale"),
        ({"seed": -1}, "--seed must be 0 or more"),
        ({"start_date": date(9999, 6, 1)}, "--start-date must be between"),
        ({"start_date": date(1066, 10, 14)}, "--start-date must be between"),
        ({"customers": 3}, "--customers must be at least 5"),
    ],
)
def test_bad_options_say_what_is_wrong(kwargs: dict, message: str) -> None:
    with pytest.raises(SeedOptionError, match=message):
        resolve_options(**kwargs)


def test_locale_sets_the_home_market() -> None:
    assert resolve_options(locale="de_DE").home_market == "DE"
