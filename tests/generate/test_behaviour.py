"""The BG/NBD and Gamma-Gamma simulation: it produces what its parameters promise."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from salesdw.generate.behaviour import (
    DEFAULT_SHAPES,
    TARGET_SPEND,
    calibrate_alpha,
    draw_customers,
    draw_orders,
)
from salesdw.generate.calendar import build_calendar


@pytest.fixture(scope="module")
def simulation():
    calendar = build_calendar(date(2023, 1, 1), 1096, np.random.default_rng(3), pure=True)
    rng = np.random.default_rng(4)
    customers, params = draw_customers(30_000, 3.0, calendar, rng, pure=True)
    return calendar, customers, params, draw_orders(customers, params, calendar, rng)


def test_calibrated_alpha_gives_the_requested_orders(simulation) -> None:
    _, customers, _, orders = simulation
    assert orders.size / customers.size == pytest.approx(3.0, rel=0.05)


def test_calibration_is_monotone_in_the_target() -> None:
    weeks = np.linspace(1, 150, 1000)
    alphas = [calibrate_alpha(t, weeks, DEFAULT_SHAPES, np.random.default_rng(0))
              for t in (0.5, 1.0, 2.0)]  # fmt: skip
    assert alphas[0] > alphas[1] > alphas[2]


def test_orders_are_sorted_in_time_and_start_with_each_first_order(simulation) -> None:
    _, customers, _, orders = simulation
    moments = orders.day.astype(np.int64) * 86400 + orders.second
    assert np.all(np.diff(moments) >= 0)
    first_seen = np.full(customers.size, orders.size)
    np.minimum.at(first_seen, orders.customer, np.arange(orders.size))
    first_moment = moments[first_seen]
    expected = customers.first_day.astype(np.int64) * 86400 + customers.first_second
    assert np.array_equal(first_moment, expected)


def test_spend_per_order_follows_gamma_gamma(simulation) -> None:
    """Each order's spend is Gamma(p, nu) around its customer's nu, and nu is Gamma(q, gamma)
    across customers: scaled by nu / p, spends have mean 1 and variance 1 / p."""
    _, customers, params, orders = simulation
    assert float(orders.spend.mean()) == pytest.approx(TARGET_SPEND, rel=0.05)
    scaled = orders.spend.astype(float) * customers.nu[orders.customer] / params.p
    assert scaled.mean() == pytest.approx(1.0, rel=0.02)
    assert scaled.var() == pytest.approx(1 / params.p, rel=0.05)
    assert customers.nu.mean() == pytest.approx(params.q / params.gamma, rel=0.03)


def test_repeat_count_matches_bgnbd_expectation(simulation) -> None:
    """E[X(t) | lambda, p] = (1 - exp(-lambda p t)) / p, averaged over the customers drawn."""
    calendar, customers, _, orders = simulation
    weeks = (calendar.cumulative[-1] - customers.first_optime) / 7
    expected = np.mean(-np.expm1(-customers.lam * customers.p_drop * weeks) / customers.p_drop)
    observed = (orders.size - customers.size) / customers.size
    assert observed == pytest.approx(expected, rel=0.05)
