"""Calendar features for the forecasting models: shopping holidays computed by hand, weekday
dummies and Fourier terms of the yearly cycle, for days or ISO weeks.

The holidays are the ones online shops plan around (and the seeded data has, see
salesdw.generate.calendar): the Black Friday weekend and Cyber Monday, Christmas and the days
after it, New Year's Day, and the January and mid-July sales. Weekly features are the number of
such days in the week, so a model sees "this week holds Black Friday" whatever day it falls on.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = ["HOLIDAYS", "YEAR_DAYS", "black_friday", "calendar_features", "holiday_flags"]

YEAR_DAYS = 365.25
YEAR_WEEKS = YEAR_DAYS / 7

#: Holiday flag -> what it marks. Black Friday week days are separate: their lifts differ.
HOLIDAYS = {
    "thanksgiving": "the Thursday before Black Friday",
    "black_friday": "the day after the fourth Thursday of November",
    "black_saturday": "the Saturday after Black Friday",
    "black_sunday": "the Sunday after Black Friday",
    "cyber_monday": "the Monday after Black Friday",
    "christmas_eve": "24 December",
    "christmas_day": "25 December",
    "after_christmas": "26 to 31 December",
    "new_year": "1 January",
    "january_sales": "2 to 10 January",
    "summer_sales": "10 to 17 July",
}


def black_friday(year: int) -> date:
    """The day after the fourth Thursday of November (US Thanksgiving)."""
    november_first = date(year, 11, 1)
    first_thursday = november_first + timedelta(days=(3 - november_first.weekday()) % 7)
    return first_thursday + timedelta(days=22)


def holiday_flags(days: pd.DatetimeIndex) -> pd.DataFrame:
    """One 0/1 column per HOLIDAYS entry, one row per day."""
    month, day = days.month.to_numpy(), days.day.to_numpy()
    flags = {
        "christmas_eve": (month == 12) & (day == 24),
        "christmas_day": (month == 12) & (day == 25),
        "after_christmas": (month == 12) & (day >= 26),
        "new_year": (month == 1) & (day == 1),
        "january_sales": (month == 1) & (day >= 2) & (day <= 10),
        "summer_sales": (month == 7) & (day >= 10) & (day <= 17),
    }
    offsets = {"thanksgiving": -1, "black_friday": 0, "black_saturday": 1, "black_sunday": 2,
               "cyber_monday": 3}  # fmt: skip
    years = range(days.year.min(), days.year.max() + 1) if len(days) else range(0)
    fridays = np.array([black_friday(year).toordinal() for year in years], dtype=np.int64)
    epoch = pd.Timestamp("1970-01-01")
    ordinals = (days.normalize() - epoch).days.to_numpy() + epoch.toordinal()
    for name, offset in offsets.items():
        flags[name] = np.isin(ordinals, fridays + offset)
    return pd.DataFrame({name: flags[name] for name in HOLIDAYS}, index=days, dtype=float)


def calendar_features(
    periods: pd.DatetimeIndex, frequency: str, harmonics: int = 6, weekdays: bool = True
) -> pd.DataFrame:
    """Yearly Fourier terms, weekday dummies (days) and holiday flags (holiday days in the
    week, for weeks) for the given days or week Mondays: features every model can know ahead.

    Cached for evenly spaced periods: every fold and series of a run asks for the same dates.
    """
    step = pd.Timedelta(days=1 if frequency == "day" else 7)
    if len(periods) > 1 and periods[-1] - periods[0] == step * (len(periods) - 1):
        cached = _cached_features(periods[0], len(periods), frequency, harmonics, weekdays)
        return cached.copy()
    return _features(periods, frequency, harmonics, weekdays)


@lru_cache(maxsize=64)
def _cached_features(
    first: pd.Timestamp, length: int, frequency: str, harmonics: int, weekdays: bool
) -> pd.DataFrame:
    step = pd.Timedelta(days=1 if frequency == "day" else 7)
    periods = pd.date_range(first, periods=length, freq=step)
    return _features(periods, frequency, harmonics, weekdays)


def _features(
    periods: pd.DatetimeIndex, frequency: str, harmonics: int, weekdays: bool
) -> pd.DataFrame:
    if frequency == "day":
        position = (periods - pd.Timestamp("2000-01-01")).days.to_numpy() / YEAR_DAYS
    else:
        position = (periods - pd.Timestamp("2000-01-03")).days.to_numpy() / 7 / YEAR_WEEKS
    columns: dict[str, np.ndarray] = {}
    for k in range(1, harmonics + 1):
        columns[f"year_sin_{k}"] = np.sin(2 * np.pi * k * position)
        columns[f"year_cos_{k}"] = np.cos(2 * np.pi * k * position)
    if frequency == "day":
        if weekdays:
            weekday = periods.day_of_week.to_numpy()
            for day in range(1, 7):  # Monday is the baseline
                columns[f"weekday_{day}"] = (weekday == day).astype(float)
        holidays = holiday_flags(periods).to_numpy()
    else:
        days = pd.date_range(periods.min(), periods.max() + pd.Timedelta(days=6), freq="D")
        daily = holiday_flags(days)
        week_of = days - pd.to_timedelta(days.day_of_week, unit="D")
        holidays = daily.groupby(week_of).sum().reindex(periods, fill_value=0.0).to_numpy()
    for i, name in enumerate(HOLIDAYS):
        columns[name] = holidays[:, i]
    return pd.DataFrame(columns, index=periods)
