"""The calendar: seasonality averages out, peaks where shops peak, anomalies on quiet days."""

from __future__ import annotations

from datetime import date

import numpy as np

from salesdw.generate.calendar import _black_friday, build_calendar


def _calendar(pure: bool = False):
    return build_calendar(date(2023, 1, 1), 1096, np.random.default_rng(1), pure=pure)


def test_intensity_averages_one() -> None:
    assert abs(_calendar().intensity.mean() - 1) < 1e-9


def test_black_friday_is_the_fourth_friday_of_november() -> None:
    assert [_black_friday(y) for y in (2023, 2024, 2025)] == [
        date(2023, 11, 24), date(2024, 11, 29), date(2025, 11, 28),
    ]  # fmt: skip


def test_black_friday_and_december_stand_out() -> None:
    calendar = _calendar()
    black_friday = calendar.intensity[calendar.day_index(date(2024, 11, 29))]
    assert black_friday > 2.5 * np.median(calendar.intensity)
    december = calendar.intensity[calendar.day_index(date(2024, 12, 1)) :][:24].mean()
    june = calendar.intensity[calendar.day_index(date(2024, 6, 1)) :][:30].mean()
    assert december > 1.3 * june


def test_anomalies_fall_on_distinct_ordinary_days() -> None:
    calendar = _calendar()
    kinds = sorted(a.kind for a in calendar.anomalies)
    assert kinds == ["flash_sale", "flash_sale", "outage", "outage", "pricing_error"]
    days = [calendar.day_index(a.day) for a in calendar.anomalies]
    assert len(set(days)) == len(days)
    assert min(np.diff(sorted(days))) > 21


def test_pure_calendar_is_flat_and_clean() -> None:
    calendar = _calendar(pure=True)
    assert np.all(calendar.intensity == 1)
    assert calendar.anomalies == [] and not calendar.promo_depth.any()
