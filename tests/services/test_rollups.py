"""salesdw.services.rollups: the smallest rollup the filters need, and a tiling that reads the
full rollup's days from the daily views."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from salesdw.services import Filters
from salesdw.services.rollups import covering, serial_reads

START, END = date(2024, 5, 19), date(2025, 8, 3)


@pytest.mark.parametrize(
    ("selection", "by_country", "rollup"),
    [
        ({}, False, "none"),
        ({}, True, "country"),
        ({"countries": ("DE",)}, False, "country"),
        ({"channels": ("web",)}, False, "channel"),
        ({"categories": (1,)}, False, "channel_category"),
        ({"channels": ("web",), "categories": (1,)}, False, "channel_category"),
        ({"channels": ("web",)}, True, "country_channel"),
        ({"countries": ("DE",), "channels": ("web",)}, False, "country_channel"),
        ({"countries": ("DE",), "categories": (1,)}, False, "full"),
        ({"categories": (1,)}, True, "full"),
        ({"countries": ("DE",), "channels": ("web",), "categories": (1,)}, True, "full"),
    ],
)
def test_filters_pick_the_smallest_rollup_that_answers_them(selection, by_country, rollup):
    got = covering("sales", Filters(START, END, **selection), {1: 0}, by_country=by_country)
    assert got.params["rollup"] == rollup


@pytest.mark.parametrize(
    ("by", "rollup"),
    [("status", "none"), ("country", "country"), ("channel", "channel"),
     ("category", "channel_category")],
)  # fmt: skip
def test_a_breakdown_keeps_its_dimension_apart(by: str, rollup: str) -> None:
    assert covering("orders", Filters(START, END), {}, by=by).params["rollup"] == rollup


def test_days_of_the_full_rollup_come_from_the_daily_view() -> None:
    full = covering("orders", Filters(START, END, countries=("DE",), categories=(1,)), {1: 0})
    small = covering("orders", Filters(START, END), {})
    # 19 May 2024 is a Sunday; 20..26 May is a whole week, 27 May..2 June crosses into June
    days = [date(2024, 5, d) for d in (19, 27, 28, 29, 30, 31)] + [
        date(2025, 8, d) for d in (1, 2, 3)
    ]
    assert full.params["period_days"] == [] and full.params["daily_days"] == days
    assert small.params["daily_days"] == [] and small.params["period_days"] == days
    assert full.params["weeks"] == [date(2024, 5, 20)]
    assert full.params["years"] == [] and len(full.params["months"]) == 14


def test_a_trend_by_month_is_tiled_without_weeks() -> None:
    got = covering("sales", Filters(START, END), {}, grains=("month", "day"))
    assert got.params["weeks"] == [] and got.params["years"] == []
    assert len(got.params["period_days"]) == 13 + 3  # 19..31 May and 1..3 August


def test_serial_reads_turn_parallel_workers_off_for_their_transaction_only(db: Engine) -> None:
    with serial_reads(db) as conn:
        assert conn.scalar(text("show max_parallel_workers_per_gather")) == "0"
    with db.connect() as conn:
        assert conn.scalar(text("show max_parallel_workers_per_gather")) != "0"
