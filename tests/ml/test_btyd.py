"""salesdw.ml.btyd: the BG/NBD and Gamma-Gamma likelihoods against their closed forms, computed
here with plain math; finite figures at the extremes; and parameter recovery on a pure BG/NBD
simulation from the generator (what `salesdw seed --pure-btyd` loads)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from salesdw.generate.behaviour import draw_customers, draw_orders
from salesdw.generate.calendar import build_calendar
from salesdw.ml import btyd
from salesdw.ml.btyd import BgNbd, GammaGamma

#: The CDNOW estimates of Fader, Hardie and Lee (2005), in weeks.
CDNOW = BgNbd(r=0.243, alpha=4.414, a=0.793, b=2.426)
SPEND = GammaGamma(p=6.25, q=3.74, gamma=15.44)


def beta(a: float, b: float) -> float:
    return math.gamma(a) * math.gamma(b) / math.gamma(a + b)


def bgnbd_likelihood(params: BgNbd, x: int, t_x: float, T: float) -> float:
    """Fader, Hardie and Lee (2005), equation (6), term by term."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    rate = math.gamma(r + x) * alpha**r / math.gamma(r)
    alive = beta(a, b + x) / beta(a, b) * rate / (alpha + T) ** (r + x)
    dropped = beta(a + 1, b + x - 1) / beta(a, b) * rate / (alpha + t_x) ** (r + x) if x else 0.0
    return alive + dropped


def bgnbd_log_likelihood_lgamma(params: BgNbd, x: int, t_x: float, T: float) -> float:
    """Equation (6) in logs with lgamma, for counts whose gamma functions overflow."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b

    def log_beta(u: float, v: float) -> float:
        return math.lgamma(u) + math.lgamma(v) - math.lgamma(u + v)

    log_rate = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
    alive = log_beta(a, b + x) - log_beta(a, b) - (r + x) * math.log(alpha + T)
    dropped = log_beta(a + 1, b + x - 1) - log_beta(a, b) - (r + x) * math.log(alpha + t_x)
    top = max(alive, dropped)
    return log_rate + top + math.log(math.exp(alive - top) + math.exp(dropped - top))


def test_without_repeats_the_bgnbd_likelihood_is_alpha_over_alpha_plus_t_to_the_r() -> None:
    T = np.array([0.5, 10.0, 38.86, 250.0])
    expected = (CDNOW.alpha / (CDNOW.alpha + T)) ** CDNOW.r
    ll = btyd.bgnbd_log_likelihood(CDNOW, 0, 0, T)
    assert np.exp(ll) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("x", "t_x", "T"), [(1, 1.71, 38.86), (2, 30.43, 38.86), (7, 35.0, 36.0), (3, 0.5, 60.0)]
)
def test_with_repeats_the_bgnbd_likelihood_is_fader_hardie_lee_equation_6(
    x: int, t_x: float, T: float
) -> None:
    ll = btyd.bgnbd_log_likelihood(CDNOW, x, t_x, T)
    assert np.exp(ll) == pytest.approx([bgnbd_likelihood(CDNOW, x, t_x, T)], rel=1e-10)


def test_bgnbd_likelihood_takes_customers_as_arrays() -> None:
    customers = [(0, 0.0, 20.0), (2, 30.43, 38.86), (5, 12.0, 14.0)]
    x, t_x, T = (np.array(column) for column in zip(*customers, strict=True))
    expected = [math.log(bgnbd_likelihood(CDNOW, *customer)) for customer in customers]
    assert btyd.bgnbd_log_likelihood(CDNOW, x, t_x, T) == pytest.approx(expected, rel=1e-10)


def test_bgnbd_likelihood_stays_finite_where_the_direct_formula_overflows() -> None:
    x, t_x, T = 400, 5_000.0, 5_200.0
    with pytest.raises(OverflowError):
        bgnbd_likelihood(CDNOW, x, t_x, T)
    ll = btyd.bgnbd_log_likelihood(CDNOW, x, t_x, T)
    assert np.isfinite(ll).all()
    assert ll[0] == pytest.approx(bgnbd_log_likelihood_lgamma(CDNOW, x, t_x, T), rel=1e-10)


def test_bgnbd_likelihood_of_a_long_silent_customer_does_not_underflow_to_minus_infinity() -> None:
    # A heavy buyer silent for years: both terms are far below the smallest double (the
    # first about 10^-1800), so the direct formula would take the log of 0.
    ll = btyd.bgnbd_log_likelihood(CDNOW, 300, 10.0, 1e6)
    assert np.isfinite(ll).all()
    assert ll[0] == pytest.approx(bgnbd_log_likelihood_lgamma(CDNOW, 300, 10.0, 1e6), rel=1e-10)


def test_gamma_gamma_likelihood_is_the_closed_form_of_the_mean_value() -> None:
    p, q, gamma = SPEND.p, SPEND.q, SPEND.gamma
    x, m = 3, 35.0
    expected = (math.gamma(p * x + q) / (math.gamma(p * x) * math.gamma(q)) * gamma**q
                * m ** (p * x - 1) * x ** (p * x) / (gamma + m * x) ** (p * x + q))  # fmt: skip
    assert math.exp(btyd.gamma_gamma_log_likelihood(SPEND, x, m)) == pytest.approx(expected)


@pytest.mark.parametrize(("x", "m"), [(1, 20.0), (2, 41.0), (4, 12.5)])
def test_gamma_gamma_likelihood_integrates_the_spend_rate_out(x: int, m: float) -> None:
    """The mean of x values Gamma(p, nu) is Gamma(px, nu x); nu ~ Gamma(q, gamma)."""
    p, q, gamma = SPEND.p, SPEND.q, SPEND.gamma

    def joint(nu: float) -> float:
        return stats.gamma.pdf(m, p * x, scale=1 / (nu * x)) * stats.gamma.pdf(
            nu, q, scale=1 / gamma
        )

    marginal, _ = integrate.quad(joint, 0, np.inf, epsabs=0, epsrel=1e-10, limit=200)
    likelihood = math.exp(btyd.gamma_gamma_log_likelihood(SPEND, x, m))
    assert likelihood == pytest.approx(marginal, rel=1e-6)


def test_gamma_gamma_likelihood_stays_finite_for_many_large_transactions() -> None:
    ll = btyd.gamma_gamma_log_likelihood(SPEND, np.array([2_000.0]), np.array([1e6]))
    assert np.isfinite(ll).all()


def test_probability_alive_is_one_without_repeats_and_the_closed_form_with() -> None:
    r, alpha, a, b = CDNOW.r, CDNOW.alpha, CDNOW.a, CDNOW.b
    x, t_x, T = 2, 30.43, 38.86
    expected = 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))
    alive = btyd.probability_alive(CDNOW, [0, x], [0.0, t_x], [50.0, T])
    assert alive == pytest.approx([1.0, expected])


def test_a_heavy_buyer_silent_for_ages_is_dead_without_nan() -> None:
    alive = btyd.probability_alive(CDNOW, 500, 1.0, 1e5)
    assert np.isfinite(alive).all() and alive[0] == pytest.approx(0.0, abs=1e-12)


def test_expected_purchases_of_a_new_customer_match_the_process_averaged_over_draws() -> None:
    """E[X(t) | lambda, p] = (1 - exp(-lambda p t)) / p (Fader et al. 2005), averaged over
    lambda ~ Gamma(r, alpha) and p ~ Beta(a, b)."""
    rng = np.random.default_rng(0)
    lam = rng.gamma(CDNOW.r, 1 / CDNOW.alpha, 1_000_000)
    p = rng.beta(CDNOW.a, CDNOW.b, 1_000_000)
    for t in (13.0, 52.0):
        simulated = np.mean(-np.expm1(-lam * p * t) / p)
        assert btyd.expected_purchases_population(CDNOW, t) == pytest.approx(simulated, rel=0.01)


def test_a_new_customer_conditional_expectation_is_the_population_one() -> None:
    population = btyd.expected_purchases_population(CDNOW, 52.0)
    assert btyd.expected_purchases(CDNOW, 52.0, 0, 0, 0) == pytest.approx([population])


def test_expected_purchases_are_smooth_through_a_equal_to_one() -> None:
    """The closed form divides by a - 1; at a = 1 the value lies between its neighbours'."""
    near = [BgNbd(CDNOW.r, CDNOW.alpha, a, CDNOW.b) for a in (0.99, 1.0, 1.01)]
    below, at, above = (btyd.expected_purchases(params, 26.0, 3, 20.0, 30.0)[0]
                        for params in near)  # fmt: skip
    assert np.isfinite(at)
    assert min(below, above) <= at <= max(below, above)


def test_conditional_expected_value_weighs_the_customer_against_the_population() -> None:
    p, q, gamma = SPEND.p, SPEND.q, SPEND.gamma
    population = p * gamma / (q - 1)
    x, m = 4, 50.0
    weight = p * x / (p * x + q - 1)
    expected = (1 - weight) * population + weight * m
    values = btyd.conditional_expected_value(SPEND, [x, 0], [m, np.nan])
    assert values == pytest.approx([expected, population])
    assert SPEND.mean_value == pytest.approx(population)


def test_undiscounted_clv_is_the_expected_purchases_times_the_value() -> None:
    args = (np.array([0, 3]), np.array([0.0, 20.0]), np.array([10.0, 30.0]))
    year = 12 * 365.25 / 12 / 7  # twelve months, in weeks
    purchases = btyd.expected_purchases(CDNOW, year, *args)
    clv = btyd.customer_lifetime_value(CDNOW, np.array([40.0, 60.0]), *args, months=12,
                                       yearly_discount_rate=0.0)  # fmt: skip
    assert clv == pytest.approx(purchases * [40.0, 60.0])
    discounted = btyd.customer_lifetime_value(CDNOW, np.array([40.0, 60.0]), *args)
    assert np.all(discounted < clv)


def test_summary_counts_days_not_orders_and_leaves_the_first_out_of_the_value() -> None:
    transactions = pd.DataFrame({
        "customer_id": [1, 1, 1, 1, 2, 3],
        "order_date": pd.to_datetime(["2024-01-01", "2024-01-15", "2024-01-15", "2024-01-29",
                                      "2024-01-08", "2024-02-10"]),
        "value": [100.0, 30.0, 20.0, 70.0, 40.0, 10.0],
    })  # fmt: skip
    summary = btyd.summary_from_transactions(transactions, date(2024, 2, 5))
    assert list(summary.index) == [1, 2]  # customer 3 bought after the calibration end
    one, two = summary.loc[1], summary.loc[2]
    # Customer 1: days 1, 15 (two orders: one transaction of 50) and 29 January.
    assert (one["frequency"], one["recency"], one["T"]) == (2, 4.0, 5.0)
    assert one["monetary_value"] == pytest.approx((50.0 + 70.0) / 2)
    assert (two["frequency"], two["recency"], two["T"]) == (0, 0.0, 4.0)
    assert math.isnan(two["monetary_value"])


# ----------------------------------------------------------------------------- recovery


def within(fit: btyd.Fit, truth: dict[str, float], name: str) -> bool:
    """The true value inside the fit's 95% interval, or the estimate within 10% of it."""
    lower, upper = fit.confidence_interval(name)
    return lower <= truth[name] <= upper or abs(fit.params[name] / truth[name] - 1) <= 0.10


@pytest.fixture(scope="module")
def pure_simulation() -> tuple[pd.DataFrame, dict[str, float]]:
    """20,000 customers of a pure BG/NBD and Gamma-Gamma process over three years, drawn by the
    generator's own functions with a flat calendar (as `salesdw seed --pure-btyd` does): the
    BTYD summary at the last day, and the true parameters."""
    start, days = date(2023, 1, 1), 1096
    calendar = build_calendar(start, days, np.random.default_rng([7, 1]), pure=True)
    customers, truth = draw_customers(20_000, 2.8, calendar, np.random.default_rng([7, 3]),
                                      pure=True)  # fmt: skip
    orders = draw_orders(customers, truth, calendar, np.random.default_rng([7, 5]))
    transactions = pd.DataFrame({
        "customer_id": orders.customer,
        "order_date": pd.Timestamp(start) + pd.to_timedelta(orders.day, unit="D"),
        "value": orders.spend.astype(float),
    })  # fmt: skip
    last_day = start + timedelta(days=days - 1)
    return btyd.summary_from_transactions(transactions, last_day), truth.as_dict()


@pytest.fixture(scope="module")
def bgnbd_fit(pure_simulation) -> btyd.Fit:
    summary, _ = pure_simulation
    return btyd.fit_bgnbd(summary["frequency"], summary["recency"], summary["T"])


def test_bgnbd_fit_recovers_the_simulated_parameters(pure_simulation, bgnbd_fit) -> None:
    _, truth = pure_simulation
    fit = bgnbd_fit
    assert fit.converged and fit.customers == 20_000
    missed = {name: (fit.params[name], fit.confidence_interval(name), truth[name])
              for name in ("r", "alpha", "a", "b") if not within(fit, truth, name)}  # fmt: skip
    assert not missed


def test_gamma_gamma_fit_recovers_the_simulated_parameters(pure_simulation) -> None:
    summary, truth = pure_simulation
    fit = btyd.fit_gamma_gamma(summary["frequency"], summary["monetary_value"])
    assert fit.converged
    assert fit.extra["customers_left_out"] == int((summary["frequency"] == 0).sum())
    missed = {name: (fit.params[name], fit.confidence_interval(name), truth[name])
              for name in ("p", "q", "gamma") if not within(fit, truth, name)}  # fmt: skip
    assert not missed
    assert abs(fit.extra["frequency_value_correlation"]) < 0.05  # independent, as assumed


def test_the_fit_is_a_maximum_of_the_likelihood(pure_simulation, bgnbd_fit) -> None:
    """The fitted parameters explain the data at least as well as the true ones, and the
    reported log-likelihood is the sum over customers at the fitted parameters."""
    summary, truth = pure_simulation
    rfm = summary["frequency"], summary["recency"], summary["T"]
    true_params = BgNbd(truth["r"], truth["alpha"], truth["a"], truth["b"])
    assert bgnbd_fit.log_likelihood >= btyd.bgnbd_log_likelihood(true_params, *rfm).sum()
    fitted = btyd.bgnbd_log_likelihood(bgnbd_fit.bgnbd(), *rfm).sum()
    assert bgnbd_fit.log_likelihood == pytest.approx(fitted)
