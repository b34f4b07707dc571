"""The shop's calendar: how busy each day is, which days run promotions, and the anomalies.

Purchase intensity on day d is a customer's own rate times `intensity[d]`, a product of a weekly
pattern, a yearly curve peaking in November and December, Black Friday and Cyber Monday spikes,
sales events and the injected anomalies; it averages 1 over the period, so the BG/NBD rates keep
their meaning. With `pure` (the --pure-btyd switch) every day weighs 1 and nothing is injected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

#: Monday..Sunday: Sundays and Mondays sell most, Fridays and Saturdays least.
WEEKDAY_FACTORS = np.array([1.08, 1.02, 1.00, 0.97, 0.90, 0.93, 1.10])
#: Share of a day's orders placed in each hour (UTC-ish local time): a lunch bump, an evening peak.
HOURLY_PROFILE = np.array(
    [0.8, 0.5, 0.3, 0.2, 0.2, 0.3, 0.7, 1.4, 2.4, 3.3, 4.0, 4.6,
     5.2, 5.1, 4.8, 4.7, 4.9, 5.4, 6.3, 7.4, 8.2, 7.9, 6.1, 3.5],
)  # fmt: skip
HOURLY_PROFILE = HOURLY_PROFILE / HOURLY_PROFILE.sum()


@dataclass(frozen=True)
class Anomaly:
    day: date
    kind: str  # outage | flash_sale | pricing_error
    factor: float  # multiplier on that day's orders


@dataclass
class Calendar:
    """Per-day arrays over [start, start + days)."""

    start: date
    days: int
    intensity: np.ndarray  # mean 1
    promo_depth: np.ndarray  # typical line discount on promotion days, 0 otherwise
    anomalies: list[Anomaly] = field(default_factory=list)
    seasonal_factors: dict[str, list[float]] = field(default_factory=dict)

    def day_index(self, day: date) -> int:
        return (day - self.start).days

    @property
    def cumulative(self) -> np.ndarray:
        """Operational time at the end of each day (days of average intensity)."""
        return np.cumsum(self.intensity)


def _black_friday(year: int) -> date:
    november_first = date(year, 11, 1)
    first_thursday = november_first + timedelta(days=(3 - november_first.weekday()) % 7)
    return first_thursday + timedelta(days=22)  # the day after the fourth Thursday


def build_calendar(start: date, days: int, rng: np.random.Generator, *, pure: bool) -> Calendar:
    """Build the intensity curve, promotion days and anomalies for the period."""
    dates = [start + timedelta(days=i) for i in range(days)]
    if pure:
        flat = {"weekday_mon_to_sun": [1.0] * 7, "month_jan_to_dec": [1.0] * 12,
                "hourly_share": [round(float(x), 5) for x in HOURLY_PROFILE]}  # fmt: skip
        return Calendar(start, days, np.ones(days), np.zeros(days), [], flat)

    weekday = np.array([d.weekday() for d in dates])
    day_of_year = np.array([d.timetuple().tm_yday for d in dates])
    # Yearly curve: a summer dip, a January lull, a build-up through November and December.
    angle = 2 * np.pi * (day_of_year - 1) / 365.25
    yearly = 1 + 0.10 * np.cos(angle - 2 * np.pi * 11.5 / 12) + 0.06 * np.cos(2 * angle)
    month = np.array([d.month for d in dates])
    yearly *= np.where(month == 12, 1.30, 1.0) * np.where(month == 11, 1.12, 1.0)
    yearly *= np.where((month == 12) & (np.array([d.day for d in dates]) > 24), 0.55, 1.0)
    intensity = WEEKDAY_FACTORS[weekday] * yearly

    promo = np.zeros(days)
    index = {d: i for i, d in enumerate(dates)}
    for year in range(start.year, dates[-1].year + 1):
        black_friday = _black_friday(year)
        for offset, boost, depth in [(-1, 1.3, 0.0), (0, 3.2, 0.25), (1, 2.0, 0.20),
                                     (2, 1.8, 0.20), (3, 2.6, 0.25)]:  # fmt: skip
            day = black_friday + timedelta(days=offset)
            if day in index:
                intensity[index[day]] *= boost
                promo[index[day]] = max(promo[index[day]], depth)
        for month_, first, last, depth in [(1, 2, 10, 0.20), (7, 10, 17, 0.15)]:
            for day_ in range(first, last + 1):
                day = date(year, month_, day_)
                if day in index:
                    intensity[index[day]] *= 1.25
                    promo[index[day]] = depth
    # A few one-day promotions a month, at random.
    random_promos = rng.random(days) < 0.03
    intensity[random_promos] *= 1.3
    promo[random_promos & (promo == 0)] = 0.10

    anomalies = _pick_anomalies(dates, promo, rng)
    for anomaly in anomalies:
        i = index[anomaly.day]
        intensity[i] *= anomaly.factor
        if anomaly.kind == "flash_sale":
            promo[i] = 0.35

    intensity /= intensity.mean()
    factors = {
        "weekday_mon_to_sun": [round(float(x), 4) for x in WEEKDAY_FACTORS],
        "month_jan_to_dec": [
            round(float(intensity[month == m].mean()), 4) if (month == m).any() else None
            for m in range(1, 13)
        ],
        "hourly_share": [round(float(x), 5) for x in HOURLY_PROFILE],
    }
    return Calendar(start, days, intensity, promo, anomalies, factors)


def _pick_anomalies(dates: list[date], promo: np.ndarray, rng: np.random.Generator) -> list:
    """Outage, flash-sale and pricing-error days on ordinary days, well apart, not at the edges."""
    days = len(dates)
    if days < 120:
        return []
    kinds = [("outage", 0.15), ("flash_sale", 3.0), ("pricing_error", 1.8),
             ("outage", 0.25), ("flash_sale", 2.5)]  # fmt: skip
    candidates = np.flatnonzero(promo == 0)
    candidates = candidates[(candidates > 60) & (candidates < days - 30)]
    chosen: list[int] = []
    while len(chosen) < len(kinds) and len(candidates):
        pick = int(rng.choice(candidates))
        if all(abs(pick - other) > 21 for other in chosen):
            chosen.append(pick)
        candidates = candidates[candidates != pick]
    chosen.sort()
    return [
        Anomaly(dates[i], kind, factor) for i, (kind, factor) in zip(chosen, kinds, strict=False)
    ]
