"""Who buys when, and for how much: the Buy-Till-You-Die process behind every order.

Each customer's first order is their sign-up. After it, they buy as a Poisson process with rate
lambda ~ Gamma(r, alpha) per week and, after each repeat purchase, drop out for good with
probability p ~ Beta(a, b): the BG/NBD model (Fader, Hardie and Lee, 2005). Each order's spend
is Gamma(p_spend, nu) with nu ~ Gamma(q, gamma) per customer: the Gamma-Gamma model.

The process runs in "operational time", in which the calendar's busy days last longer; mapping
it back to calendar days adds weekly and yearly seasonality without changing the BG/NBD
structure. With --pure-btyd the calendar is flat, so operational time is calendar time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from salesdw.generate.calendar import HOURLY_PROFILE, Calendar


@dataclass(frozen=True)
class TrueParameters:
    """The simulation's parameters, written to ops.load_runs.params for recovery tests."""

    r: float
    alpha: float
    a: float
    b: float
    p: float  # Gamma-Gamma shape of spend per order
    q: float
    gamma: float
    time_unit: str = "weeks"
    spend_unit: str = "currency units per order, before returns"

    def as_dict(self) -> dict:
        return asdict(self)


DEFAULT_SHAPES = {"r": 0.6, "a": 0.8, "b": 2.4, "p": 6.0, "q": 4.0}
TARGET_SPEND = 85.0  # mean spend per order: p * gamma / (q - 1)
ANNUAL_GROWTH = 0.30  # more new customers each year


@dataclass
class Customers:
    """Customers sorted by their first order (customer_id = index + 1)."""

    first_day: np.ndarray
    first_second: np.ndarray
    first_optime: np.ndarray  # operational days since the period start
    lam: np.ndarray  # purchases per week while alive
    p_drop: np.ndarray
    nu: np.ndarray

    @property
    def size(self) -> int:
        return len(self.first_day)


@dataclass
class Orders:
    """Every order's customer, moment and intended spend, sorted by time (order_id = i + 1)."""

    customer: np.ndarray
    day: np.ndarray
    second: np.ndarray
    spend: np.ndarray

    @property
    def size(self) -> int:
        return len(self.customer)


def seconds_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    hours = rng.choice(24, size=n, p=HOURLY_PROFILE)
    return (hours * 3600 + rng.integers(0, 3600, n)).astype(np.int32)


def draw_first_orders(
    n: int, calendar: Calendar, rng: np.random.Generator, *, pure: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First-order day, second and operational time of `n` customers, sorted by time."""
    days = calendar.days
    if pure:
        weights = np.ones(days)
    else:
        growth = np.exp(np.log1p(ANNUAL_GROWTH) * np.arange(days) / 365.25)
        weights = growth * calendar.intensity
    cdf = np.cumsum(weights) / weights.sum()
    day = np.searchsorted(cdf, rng.random(n), side="right").clip(0, days - 1).astype(np.int32)
    second = seconds_of_day(rng, n)
    order = np.lexsort((second, day))
    day, second = day[order], second[order]
    cumulative = calendar.cumulative
    day_start = np.where(day > 0, cumulative[day - 1], 0.0)
    optime = day_start + (second / 86400.0) * calendar.intensity[day]
    return day, second, optime


def calibrate_alpha(
    target_repeats: float, weeks_observed: np.ndarray, shapes: dict, rng: np.random.Generator
) -> float:
    """The alpha whose expected repeat purchases per customer match `target_repeats`.

    Uses E[X(t) | lambda, p] = (1 - exp(-lambda p t)) / p (Fader et al. 2005) averaged over
    draws of lambda, p and each customer's observation time; bisection on log(alpha).
    """
    sample = rng.choice(weeks_observed, size=min(len(weeks_observed), 50_000))
    base_rate = rng.gamma(shapes["r"], 1.0, len(sample))
    p_drop = rng.beta(shapes["a"], shapes["b"], len(sample))

    def expected(alpha: float) -> float:
        return float(np.mean(-np.expm1(-(base_rate / alpha) * p_drop * sample) / p_drop))

    low, high = np.log(1e-4), np.log(1e7)
    for _ in range(80):
        mid = (low + high) / 2
        if expected(np.exp(mid)) > target_repeats:
            low = mid
        else:
            high = mid
    return float(np.exp((low + high) / 2))


def draw_customers(
    n: int, orders_per_customer: float, calendar: Calendar, rng: np.random.Generator, *,
    pure: bool,
) -> tuple[Customers, TrueParameters]:  # fmt: skip
    day, second, optime = draw_first_orders(n, calendar, rng, pure=pure)
    weeks_observed = (calendar.cumulative[-1] - optime) / 7.0
    shapes = DEFAULT_SHAPES
    alpha = calibrate_alpha(orders_per_customer - 1, weeks_observed, shapes, rng)
    gamma = TARGET_SPEND * (shapes["q"] - 1) / shapes["p"]
    params = TrueParameters(
        r=shapes["r"], alpha=alpha, a=shapes["a"], b=shapes["b"],
        p=shapes["p"], q=shapes["q"], gamma=gamma,
    )  # fmt: skip
    lam = rng.gamma(params.r, 1.0 / params.alpha, n)
    # Clipped away from 0: a geometric draw with p = 0 would never end.
    p_drop = rng.beta(params.a, params.b, n).clip(1e-9, 1.0)
    nu = rng.gamma(params.q, 1.0 / params.gamma, n)
    return Customers(day, second, optime, lam, p_drop, nu), params


CUSTOMER_BLOCK = 500_000  # fixed: bounds memory, and keeps the random stream the same


def draw_orders(
    customers: Customers, params: TrueParameters, calendar: Calendar, rng: np.random.Generator
) -> Orders:
    """First orders plus BG/NBD repeat orders, with Gamma-Gamma spend, sorted by time."""
    n = customers.size
    blocks = [_repeat_orders(customers, lo, min(lo + CUSTOMER_BLOCK, n), calendar, rng)
              for lo in range(0, n, CUSTOMER_BLOCK)]  # fmt: skip
    customer = np.concatenate([np.arange(n, dtype=np.int32), *(b[0] for b in blocks)])
    day = np.concatenate([customers.first_day, *(b[1] for b in blocks)])
    second = np.concatenate([customers.first_second, *(b[2] for b in blocks)])
    del blocks
    spend = rng.gamma(params.p, 1.0 / customers.nu[customer]).astype(np.float32)
    order = np.lexsort((customer, second, day))
    return Orders(customer[order], day[order], second[order], spend[order])


def _repeat_orders(
    customers: Customers, lo: int, hi: int, calendar: Calendar, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Repeat orders of customers lo..hi: (customer index, day, second of day)."""
    n = hi - lo
    first_optime = customers.first_optime[lo:hi]
    weeks_observed = (calendar.cumulative[-1] - first_optime) / 7.0
    # Repeats before dropping out, and Poisson events the observation window would hold.
    lives = rng.geometric(customers.p_drop[lo:hi])
    events = rng.poisson(customers.lam[lo:hi] * weeks_observed)
    repeats = np.minimum(lives, events)
    # The first `repeats` of `events` uniform times on the window: partial sums of exponentials
    # over the sum of events + 1 of them (the remainder drawn as one Gamma).
    owner = np.repeat(np.arange(n), repeats)
    gaps = rng.exponential(1.0, len(owner))
    starts = np.cumsum(repeats) - repeats
    running = np.cumsum(gaps)
    partial = running - np.repeat(np.where(starts > 0, running[starts - 1], 0.0), repeats)
    used = np.bincount(owner, weights=gaps, minlength=n)
    rest = rng.gamma(np.maximum(events - repeats + 1, 1).astype(float), 1.0)
    fraction = partial / (used + rest)[owner]
    optime = first_optime[owner] + 7.0 * weeks_observed[owner] * fraction

    day = np.searchsorted(calendar.cumulative, optime, side="right")
    day = day.clip(0, calendar.days - 1).astype(np.int32)
    second = seconds_of_day(rng, len(owner))
    # A repeat order on the first order's day comes after it.
    first_second = customers.first_second[lo:hi][owner]
    same_day = day == customers.first_day[lo:hi][owner]
    second = np.where(same_day, np.maximum(second, first_second + 60).clip(max=86399), second)
    return (owner + lo).astype(np.int32), day, second.astype(np.int32)
