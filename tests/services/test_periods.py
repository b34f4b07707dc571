"""salesdw.services.periods: date ranges tiled by whole years, months, ISO weeks and days."""

from __future__ import annotations

import random
from datetime import date, timedelta

from salesdw.services.periods import tile


def days_of(tiles: list[tuple[str, date]]) -> list[date]:
    """Every day the tiles cover, in order, duplicates kept."""
    covered = []
    for grain, start in tiles:
        if grain == "day":
            end = start
        elif grain == "week":
            end = start + timedelta(days=6)
        elif grain == "month":
            end = date(start.year + start.month // 12, start.month % 12 + 1, 1) - timedelta(1)
        else:
            end = date(start.year, 12, 31)
        covered.extend(start + timedelta(days=n) for n in range((end - start).days + 1))
    return covered


def test_tiles_cover_every_day_of_random_ranges_exactly_once() -> None:
    rng = random.Random(3)
    for _ in range(2000):
        start = date(2021, 1, 1) + timedelta(days=rng.randrange(1500))
        end = start + timedelta(days=rng.randrange(1200))
        covered = days_of(tile(start, end))
        expected = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        assert sorted(covered) == expected, (start, end)


def test_periods_start_on_their_grains_first_day() -> None:
    for grain, start in tile(date(2022, 2, 17), date(2025, 8, 3)):
        if grain == "year":
            assert (start.month, start.day) == (1, 1)
        elif grain == "month":
            assert start.day == 1
        elif grain == "week":
            assert start.weekday() == 0


def test_whole_years_and_months_are_read_as_one_row_each() -> None:
    assert tile(date(2023, 1, 1), date(2024, 12, 31)) == [
        ("year", date(2023, 1, 1)),
        ("year", date(2024, 1, 1)),
    ]
    assert tile(date(2024, 3, 1), date(2024, 5, 31)) == [
        ("month", date(2024, 3, 1)),
        ("month", date(2024, 4, 1)),
        ("month", date(2024, 5, 1)),
    ]


def test_edges_use_weeks_then_days() -> None:
    # no whole month inside; 2024-05-20 and 05-27 are Mondays, 06-03 .. 06-05 Monday .. Wednesday
    assert tile(date(2024, 5, 19), date(2024, 6, 5)) == [
        ("day", date(2024, 5, 19)),
        ("week", date(2024, 5, 20)),
        ("week", date(2024, 5, 27)),
        ("day", date(2024, 6, 3)),
        ("day", date(2024, 6, 4)),
        ("day", date(2024, 6, 5)),
    ]


def test_any_range_reads_few_periods() -> None:
    rng = random.Random(5)
    for _ in range(500):
        start = date(2021, 1, 1) + timedelta(days=rng.randrange(1500))
        end = start + timedelta(days=rng.randrange(1500))
        assert len(tile(start, end)) <= 4 + 22 + 8 + 24


def test_an_empty_range_has_no_tiles() -> None:
    assert tile(date(2024, 1, 2), date(2024, 1, 1)) == []
