"""Buy-Till-You-Die models: BG/NBD for when customers buy, Gamma-Gamma for how much.

BG/NBD (Fader, Hardie and Lee 2005, "Counting your customers the easy way"): while alive, a
customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); after each repeat
purchase they drop out with probability p ~ Beta(a, b). Gamma-Gamma (Fader, Hardie and Lee 2005,
"RFM and CLV"): each transaction's value is Gamma(p, nu) with nu ~ Gamma(q, gamma) per customer,
independent of the buying process.

Written on numpy and scipy (the lifetimes package is archived and breaks with pandas 2). The
log-likelihoods are computed in log space (gammaln, betaln, logsumexp), so customers with many
purchases or long histories neither overflow nor lose precision; parameters are fitted by maximum
likelihood on their logarithms (positive by construction), and standard errors come from the
Hessian of the log-likelihood, for 95% confidence intervals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from scipy import optimize, special

__all__ = [
    "BgNbd",
    "Fit",
    "GammaGamma",
    "bgnbd_log_likelihood",
    "conditional_expected_value",
    "customer_lifetime_value",
    "expected_purchases",
    "expected_purchases_population",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "gamma_gamma_log_likelihood",
    "probability_alive",
    "probability_no_purchase",
    "summary_from_transactions",
]

ArrayLike = np.ndarray | pd.Series | float | int

#: z-value of a two-sided 95% interval.
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class BgNbd:
    """BG/NBD parameters: purchase rate ~ Gamma(r, alpha) (alpha in the time unit), dropout
    probability ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGamma:
    """Gamma-Gamma parameters: transaction value ~ Gamma(p, nu), nu ~ Gamma(q, gamma)."""

    p: float
    q: float
    gamma: float

    @property
    def mean_value(self) -> float:
        """The population's expected transaction value, p gamma / (q - 1) (infinite if q <= 1)."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else float("inf")


@dataclass(frozen=True)
class Fit:
    """A maximum-likelihood fit: parameters, their standard errors (delta method from the
    Hessian in log space) and the log-likelihood."""

    params: dict[str, float]
    log_params_se: dict[str, float]  # standard errors of log(parameter)
    log_likelihood: float
    customers: int
    converged: bool
    message: str = ""
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def standard_errors(self) -> dict[str, float]:
        """Standard errors of the parameters themselves (delta method: se(log x) * x)."""
        return {name: self.log_params_se[name] * value for name, value in self.params.items()}

    def confidence_interval(self, name: str, z: float = Z_95) -> tuple[float, float]:
        """The interval exp(log x +- z se(log x)): asymmetric, and positive like x."""
        value, se = self.params[name], self.log_params_se[name]
        return float(value * np.exp(-z * se)), float(value * np.exp(z * se))

    def as_dict(self) -> dict:
        """Parameters, standard errors, 95% intervals and fit statistics, for JSON."""
        return {
            **self.params,
            "standard_errors": self.standard_errors,
            "ci_95": {name: list(self.confidence_interval(name)) for name in self.params},
            "log_likelihood": self.log_likelihood,
            "customers": self.customers,
            "converged": self.converged,
            **self.extra,
        }

    def bgnbd(self) -> BgNbd:
        return BgNbd(**self.params)

    def gamma_gamma(self) -> GammaGamma:
        return GammaGamma(**self.params)


# ----------------------------------------------------------------------------- summary data


def summary_from_transactions(
    transactions: pd.DataFrame,
    calibration_end: date,
    *,
    time_unit_days: int = 7,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    value_col: str | None = "value",
) -> pd.DataFrame:
    """Per customer: frequency, recency, T and monetary value, as in the BTYD literature.

    Orders on the same day are ONE transaction (their values add up): the models describe
    purchase occasions, and a split basket is not a second visit. Only days up to
    `calibration_end` count. frequency = transaction days after the first; recency = time from
    the first to the last transaction day; T = time from the first transaction day to
    calibration_end; both in units of `time_unit_days` days. monetary_value = mean value of the
    repeat transactions (the first is left out, as Fader and Hardie do), NaN without repeats.
    """
    days = pd.to_datetime(transactions[date_col]).to_numpy(dtype="datetime64[D]").astype(np.int64)
    end = np.datetime64(calibration_end, "D").astype(np.int64)
    keep = days <= end
    values = transactions[value_col].to_numpy(dtype=float) if value_col else np.zeros(len(days))
    frame = pd.DataFrame({"customer_id": transactions[customer_col].to_numpy()[keep],
                          "day": days[keep], "value": values[keep]})  # fmt: skip
    daily = frame.groupby(["customer_id", "day"], sort=True)["value"].sum().reset_index()
    by_customer = daily.groupby("customer_id", sort=True)["day"]
    first, last = by_customer.min(), by_customer.max()
    repeats = daily[daily["day"] > daily["customer_id"].map(first)]
    summary = pd.DataFrame({
        "frequency": by_customer.size().astype(np.int64) - 1,
        "recency": (last - first) / time_unit_days,
        "T": (end - first) / time_unit_days,
        "monetary_value": repeats.groupby("customer_id")["value"].mean(),
        "first_date": first.to_numpy().astype("datetime64[D]"),
        "last_date": last.to_numpy().astype("datetime64[D]"),
    }, index=first.index)  # fmt: skip
    summary.index.name = "customer_id"
    return summary


# ----------------------------------------------------------------------------- BG/NBD


def bgnbd_log_likelihood(
    params: BgNbd, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    """Each customer's BG/NBD log-likelihood (Fader, Hardie and Lee 2005, equation 6).

    L = B(a, b+x)/B(a, b) Gamma(r+x) alpha^r / (Gamma(r) (alpha+T)^(r+x))
        + [x > 0] B(a+1, b+x-1)/B(a, b) Gamma(r+x) alpha^r / (Gamma(r) (alpha+t_x)^(r+x)),
    added in log space (logsumexp of the two terms), so neither underflows for large x or T.
    """
    return _bgnbd_terms(params, *_arrays(frequency, recency, T))[0]


def _bgnbd_terms(
    params: BgNbd, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, *, gradient: bool = False
) -> tuple[np.ndarray, np.ndarray | None]:
    """Log-likelihoods and, on request, their gradients in (r, alpha, a, b) (4 x n)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    repeat = x > 0
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    log_alpha_T, log_alpha_tx = np.log(alpha + T), np.log(alpha + t_x)
    still_alive = special.betaln(a, b + x) - special.betaln(a, b) - (r + x) * log_alpha_T
    # B(a+1, b+x-1) needs x >= 1; customers without repeats get log(0) = -inf for that term.
    dropped = np.full_like(still_alive, -np.inf)
    dropped[repeat] = (
        special.betaln(a + 1, b + x[repeat] - 1)
        - special.betaln(a, b)
        - (r + x[repeat]) * log_alpha_tx[repeat]
    )
    mixture = np.logaddexp(still_alive, dropped)  # the two-term logsumexp, as a ufunc
    if not gradient:
        return common + mixture, None
    # Each term's share of the likelihood weighs its derivative.
    w_alive = np.exp(still_alive - mixture)
    w_dropped = 1.0 - w_alive
    psi = special.digamma
    d_r = psi(r + x) - psi(r) + np.log(alpha) - w_alive * log_alpha_T - w_dropped * log_alpha_tx
    d_alpha = r / alpha - (r + x) * (w_alive / (alpha + T) + w_dropped / (alpha + t_x))
    base_a, base_b = psi(a) - psi(a + b), psi(b) - psi(a + b)
    xb = np.where(repeat, b + x - 1, b)  # any positive value where x = 0 (weight 0 there)
    d_a = (w_alive * (psi(a) - psi(a + b + x)) + w_dropped * (psi(a + 1) - psi(a + b + x))
           - base_a)  # fmt: skip
    d_b = (w_alive * (psi(b + x) - psi(a + b + x)) + w_dropped * (psi(xb) - psi(a + b + x))
           - base_b)  # fmt: skip
    return common + mixture, np.stack([d_r, d_alpha, d_a, d_b])


def probability_alive(
    params: BgNbd, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    """P(alive at T | x, t_x, T) = 1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)).

    Exactly 1 without repeats (in BG/NBD a customer can only drop out right after a repeat
    purchase). Computed as expit(-log odds), which saturates to 0 or 1 instead of overflowing.
    """
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, T = _arrays(frequency, recency, T)
    result = np.ones_like(x)
    repeat = x > 0
    xr = x[repeat]
    log_odds_dead = (
        np.log(a) - np.log(b + xr - 1)
        + (r + xr) * (np.log(alpha + T[repeat]) - np.log(alpha + t_x[repeat]))
    )  # fmt: skip
    result[repeat] = special.expit(-log_odds_dead)
    return result


def probability_no_purchase(
    params: BgNbd, t: float, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    """P(no transaction in (T, T + t] | x, t_x, T): dead, or alive and the Poisson clock does
    not tick, 1 - P(alive) + P(alive) ((alpha+T)/(alpha+T+t))^(r+x) (the posterior of the
    rate of a customer alive at T is Gamma(r+x, alpha+T))."""
    x, t_x, T = _arrays(frequency, recency, T)
    alive = probability_alive(params, x, t_x, T)
    quiet = np.exp((params.r + x) * (np.log(params.alpha + T) - np.log(params.alpha + T + t)))
    return 1 - alive + alive * quiet


def expected_purchases(
    params: BgNbd, t: float, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> np.ndarray:
    """Expected transactions in (T, T + t] given the history (Fader et al. 2005, eq. 10):

    E[Y(t)] = P(alive) (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x)
              2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))].
    """
    x, t_x, T = _arrays(frequency, recency, T)
    if t <= 0:
        return np.zeros_like(x)
    return _at_a_away_from_one(
        params, lambda a: _alive_purchases(params.r, params.alpha, a, params.b, x, T, t)
    ) * probability_alive(params, x, t_x, T)


def expected_purchases_population(params: BgNbd, t: ArrayLike) -> np.ndarray:
    """Expected repeat transactions of a new customer within t of their first (eq. 9):
    (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]. It is the
    conditional expectation of a customer with x = 0 and T = 0."""
    t = np.asarray(t, dtype=float)
    zeros = np.zeros_like(t)
    return _at_a_away_from_one(
        params, lambda a: _alive_purchases(params.r, params.alpha, a, params.b, zeros, zeros, t)
    )


def _alive_purchases(
    r: float, alpha: float, a: float, b: float, x: np.ndarray, T: np.ndarray, t: ArrayLike
) -> np.ndarray:
    """Expected purchases in t of a customer known to be alive at T after x repeats."""
    log_ratio = (r + x) * (np.log(alpha + T) - np.log(alpha + T + t))
    hyper = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    return (a + b + x - 1) / (a - 1) * (1 - np.exp(log_ratio) * hyper)


def _at_a_away_from_one(params: BgNbd, f: Callable[[float], np.ndarray]) -> np.ndarray:
    """f(a), where the closed forms divide by a - 1 and lose digits near a = 1; there the
    (smooth) function is the mean of its values at 1 +- 1e-3, accurate to about 1e-6."""
    if abs(params.a - 1) > 1e-3:
        return f(params.a)
    return (f(1 - 1e-3) + f(1 + 1e-3)) / 2


def fit_bgnbd(
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    *,
    initial: BgNbd | None = None,
) -> Fit:
    """Maximum-likelihood BG/NBD parameters, with standard errors from the Hessian.

    Customers with the same (x, t_x, T) are counted once with a weight: with daily data most
    one-time buyers share a T, so this shrinks the work several-fold.
    """
    x, t_x, T = _arrays(frequency, recency, T)
    if len(x) == 0:
        raise ValueError("no customers to fit")
    rows, weights = np.unique(np.stack([x, t_x, T], axis=1), axis=0, return_counts=True)
    ux, ut, uT = rows[:, 0], rows[:, 1], rows[:, 2]
    weights = weights.astype(float)
    if initial is None:
        # A rate near the observed one (repeats per unit of time) with r = 1; a = 1, b = 1.
        rate = max(float(np.sum(x)) / max(float(np.sum(T)), 1e-9), 1e-6)
        initial = BgNbd(r=1.0, alpha=1.0 / rate, a=1.0, b=1.0)

    def total(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        theta = np.exp(log_params)
        ll, grad = _bgnbd_terms(BgNbd(*theta), ux, ut, uT, gradient=True)
        # Chain rule to log-parameters: d/du = theta d/dtheta.
        return float(np.sum(weights * ll)), np.sum(weights * grad, axis=1) * theta

    start = np.log([initial.r, initial.alpha, initial.a, initial.b])
    return _maximise(total, start, ("r", "alpha", "a", "b"), customers=len(x))


# ----------------------------------------------------------------------------- Gamma-Gamma


def gamma_gamma_log_likelihood(
    params: GammaGamma, frequency: ArrayLike, monetary_value: ArrayLike
) -> np.ndarray:
    """Each customer's Gamma-Gamma log-likelihood of their mean transaction value m over x
    transactions (x >= 1, m > 0), from the density of the mean (Fader, Hardie and Lee 2005):

    f(m | x) = Gamma(px+q) / (Gamma(px) Gamma(q)) gamma^q m^(px-1) x^(px) / (gamma + m x)^(px+q).
    """
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary_value, dtype=float)
    return _gamma_gamma_terms(params, x, m)[0]


def _gamma_gamma_terms(
    params: GammaGamma, x: np.ndarray, m: np.ndarray, *, gradient: bool = False
) -> tuple[np.ndarray, np.ndarray | None]:
    """Log-likelihoods and, on request, their gradients in (p, q, gamma) (3 x n)."""
    p, q, gamma = params.p, params.q, params.gamma
    log_m, log_x, log_total = np.log(m), np.log(x), np.log(gamma + m * x)
    ll = (
        special.gammaln(p * x + q) - special.gammaln(p * x) - special.gammaln(q)
        + q * np.log(gamma) + (p * x - 1) * log_m + p * x * log_x - (p * x + q) * log_total
    )  # fmt: skip
    if not gradient:
        return ll, None
    psi = special.digamma
    d_p = x * (psi(p * x + q) - psi(p * x) + log_m + log_x - log_total)
    d_q = psi(p * x + q) - psi(q) + np.log(gamma) - log_total
    d_gamma = q / gamma - (p * x + q) / (gamma + m * x)
    return ll, np.stack([d_p, d_q, d_gamma])


def fit_gamma_gamma(
    frequency: ArrayLike, monetary_value: ArrayLike, *, initial: GammaGamma | None = None
) -> Fit:
    """Maximum-likelihood Gamma-Gamma parameters on customers with repeats and a positive mean
    value (the model has no room for zero or negative spend; others are left out and counted
    in `extra`). Also reports the correlation of frequency and value: the model assumes none."""
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary_value, dtype=float)
    usable = (x > 0) & np.isfinite(m) & (m > 0)
    x, m = x[usable], m[usable]
    if len(x) == 0:
        raise ValueError("no customers with repeat transactions of positive value to fit")
    if initial is None:
        # q = 3 and p = 2 put the population mean p gamma / (q - 1) at the observed mean.
        initial = GammaGamma(p=2.0, q=3.0, gamma=float(np.mean(m)))

    def total(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        theta = np.exp(log_params)
        ll, grad = _gamma_gamma_terms(GammaGamma(*theta), x, m, gradient=True)
        return float(np.sum(ll)), np.sum(grad, axis=1) * theta

    start = np.log([initial.p, initial.q, initial.gamma])
    result = _maximise(total, start, ("p", "q", "gamma"), customers=len(x))
    correlation = float(np.corrcoef(x, m)[0, 1]) if len(x) > 2 and np.std(x) > 0 else 0.0
    extra = {"customers_left_out": int((~usable).sum()),
             "frequency_value_correlation": correlation}  # fmt: skip
    return Fit(result.params, result.log_params_se, result.log_likelihood, result.customers,
               result.converged, result.message, extra)  # fmt: skip


def conditional_expected_value(
    params: GammaGamma, frequency: ArrayLike, monetary_value: ArrayLike
) -> np.ndarray:
    """E[value | x, m] = (q-1)/(px+q-1) * p gamma/(q-1) + px/(px+q-1) * m: a weighted mean of
    the population mean and the customer's own, trusting the customer more the more they
    bought. Customers without repeats (or without a usable m) get the population mean."""
    p, q, gamma = params.p, params.q, params.gamma
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary_value, dtype=float)
    own = np.where((x > 0) & np.isfinite(m), m, 0.0)
    weight_x = np.where((x > 0) & np.isfinite(m), x, 0.0)
    return p * (gamma + weight_x * own) / (p * weight_x + q - 1)


# ----------------------------------------------------------------------------- CLV


def customer_lifetime_value(
    params: BgNbd,
    expected_value: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    *,
    months: int = 12,
    yearly_discount_rate: float = 0.10,
    time_unit_days: int = 7,
) -> np.ndarray:
    """Discounted value of the next `months` months: sum over months i of the purchases
    expected in month i x expected value / (1 + d)^i, with d the monthly rate equivalent to
    the yearly one. Revenue, not margin: multiply by a margin for profit."""
    month = 365.25 / 12 / time_unit_days
    monthly_rate = (1 + yearly_discount_rate) ** (1 / 12) - 1
    x, t_x, T = _arrays(frequency, recency, T)
    total = np.zeros_like(x)
    before = np.zeros_like(x)
    for i in range(1, months + 1):
        cumulative = expected_purchases(params, i * month, x, t_x, T)
        total += (cumulative - before) / (1 + monthly_rate) ** i
        before = cumulative
    return total * np.asarray(expected_value, dtype=float)


# ----------------------------------------------------------------------------- fitting


def _maximise(
    log_likelihood: Callable[[np.ndarray], tuple[float, np.ndarray]],
    start: np.ndarray,
    names: tuple[str, ...],
    *,
    customers: int,
) -> Fit:
    """Maximise a log-likelihood (value and gradient) over log-parameters, which keeps the
    parameters positive without bounds; standard errors from the Hessian at the maximum."""

    def objective(u: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = log_likelihood(u)
        if not (np.isfinite(value) and np.all(np.isfinite(grad))):
            return 1e100, np.zeros_like(u)  # outside where the likelihood is computable
        return -value / customers, -grad / customers  # per customer: a scale-free tolerance

    best = optimize.minimize(objective, start, jac=True, method="L-BFGS-B",
                             options={"maxiter": 1000, "ftol": 1e-13, "gtol": 1e-8})  # fmt: skip
    if not best.success:
        # A poor start: Nelder-Mead finds the basin without gradients, L-BFGS-B then polishes.
        rough = optimize.minimize(
            lambda u: objective(u)[0],
            best.x,
            method="Nelder-Mead",
            options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-12},
        )
        best = optimize.minimize(
            objective,
            rough.x,
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": 1000, "ftol": 1e-13, "gtol": 1e-8},
        )
    u = best.x
    se = _standard_errors(lambda v: log_likelihood(v)[1], u)
    return Fit(
        params={name: float(v) for name, v in zip(names, np.exp(u), strict=True)},
        log_params_se={name: float(s) for name, s in zip(names, se, strict=True)},
        log_likelihood=float(log_likelihood(u)[0]),
        customers=customers,
        converged=bool(best.success),
        message=str(best.message),
    )


def _standard_errors(
    gradient: Callable[[np.ndarray], np.ndarray], u: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """sqrt(diag(inverse observed information)): the Hessian of the log-likelihood by central
    differences of its analytic gradient (error O(h^2)), symmetrised. NaN where the Hessian is
    not negative definite (a flat direction: that parameter is not identified by the data)."""
    n = len(u)
    steps = np.eye(n) * h
    hessian = np.column_stack([(gradient(u + steps[i]) - gradient(u - steps[i])) / (2 * h)
                               for i in range(n)])  # fmt: skip
    information = -(hessian + hessian.T) / 2
    try:
        covariance = np.linalg.inv(information)
    except np.linalg.LinAlgError:
        return np.full(n, np.nan)
    variances = np.diag(covariance)
    return np.sqrt(np.where(variances > 0, variances, np.nan))


def _arrays(*values: ArrayLike) -> tuple[np.ndarray, ...]:
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))
    return tuple(np.array(a, dtype=float, ndmin=1) for a in arrays)
