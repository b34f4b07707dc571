"""Tile a date range with whole calendar periods: years, then months, ISO weeks and days.

The period rollups (analytics.sales_periods, order_periods, product_sales_periods) hold sales
per day, week, month and year; the total over any range is the sum over a tiling of it that
counts every day once (see rollups.py). Coarse periods
in the middle, finer ones at the edges keep the rows read small (at most about 3 years, 22
months, 8 weeks and 24 days, whatever the range).
"""

from __future__ import annotations

from datetime import date, timedelta

__all__ = ["GRAIN_ORDER", "tile"]

#: Coarsest first: each range is covered by whole periods of a grain, the rest by the next.
GRAIN_ORDER = ("year", "month", "week", "day")


def _period_start(day: date, grain: str) -> date:
    if grain == "year":
        return date(day.year, 1, 1)
    if grain == "month":
        return date(day.year, day.month, 1)
    if grain == "week":
        return day - timedelta(days=day.weekday())
    return day


def _next_start(start: date, grain: str) -> date:
    """First day of the period after the one starting on `start`."""
    if grain == "year":
        return date(start.year + 1, 1, 1)
    if grain == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    if grain == "week":
        return start + timedelta(days=7)
    return start + timedelta(days=1)


def tile(start: date, end: date, grains: tuple[str, ...] = GRAIN_ORDER) -> list[tuple[str, date]]:
    """(grain, period start) pairs whose periods cover [start, end] (inclusive) exactly once."""
    if start > end:
        return []
    grain, finer = grains[0], grains[1:]
    if not finer:  # days: every day of the range
        return [(grain, start + timedelta(days=n)) for n in range((end - start).days + 1)]
    first = _period_start(start, grain)
    if first < start:
        first = _next_start(first, grain)
    whole: list[tuple[str, date]] = []
    period = first
    while _next_start(period, grain) - timedelta(days=1) <= end:
        whole.append((grain, period))
        period = _next_start(period, grain)
    if not whole:
        return tile(start, end, finer)
    return tile(start, first - timedelta(days=1), finer) + whole + tile(period, end, finer)
