"""Customer lifetime value: BG/NBD for the purchases to come, Gamma-Gamma for their value.

Scores every customer with an order into ml.clv_scores from a fit on all the orders:
probability alive, expected purchases in 90 and 365 days, expected order value and the
discounted 12-month CLV (net revenue, not margin). The fit is checked on orders a second fit
did not see: that one stops at the calibration end (--calibration-end, default horizon_days
before the last order), and its predictions of each customer's repeat purchases after it are
stored with the scores (holdout_actual, holdout_predicted) and in total in the metrics. Both
fits' parameters go into ml.model_runs; the scores are always current.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import psycopg

from salesdw.ml import btyd
from salesdw.ml.runs import ModelSkipped, RunResult, model_run, read_frame
from salesdw.ml.train import TrainOptions

__all__ = ["MIN_CUSTOMERS", "MIN_REPEAT_CUSTOMERS", "load_transactions", "score", "train"]

log = logging.getLogger(__name__)

#: Below these the BG/NBD and Gamma-Gamma likelihoods are too flat to trust.
MIN_CUSTOMERS = 200
MIN_REPEAT_CUSTOMERS = 50

TRANSACTIONS_SQL = """
select customer_id, order_date, sum(net_revenue_cents) * 0.01 as value
from mart.order_facts
where status <> 'cancelled'
group by 1, 2
"""


@dataclass(frozen=True)
class Scores:
    """A fitted model and the scores of the customers it was fitted on."""

    bgnbd: btyd.Fit
    gamma_gamma: btyd.Fit
    summary: pd.DataFrame  # btyd summary columns plus the scores, indexed by customer_id


def load_transactions(conn: psycopg.Connection) -> pd.DataFrame:
    """Net revenue per customer and local day with an order not cancelled: the transactions
    of the BTYD models (orders on the same day are one purchase occasion)."""
    frame = read_frame(conn, TRANSACTIONS_SQL)
    if not frame.empty:
        frame["order_date"] = pd.to_datetime(frame["order_date"])
    return frame


def score(transactions: pd.DataFrame, calibration_end: date, options: TrainOptions) -> Scores:
    """Fit both models on the transactions up to `calibration_end` and score its customers.

    Raises ModelSkipped when there are too few customers or repeat customers to fit."""
    unit = options.time_unit_days
    summary = btyd.summary_from_transactions(transactions, calibration_end, time_unit_days=unit)
    customers, repeaters = len(summary), int((summary["frequency"] > 0).sum())
    if customers < MIN_CUSTOMERS or repeaters < MIN_REPEAT_CUSTOMERS:
        raise ModelSkipped(
            f"CLV needs at least {MIN_CUSTOMERS} customers and {MIN_REPEAT_CUSTOMERS} repeat "
            f"customers (orders on two or more days) up to {calibration_end}; found {customers} "
            f"and {repeaters}. Seed or import more order history, or choose a later "
            "--calibration-end."
        )
    x, t_x, T = summary["frequency"], summary["recency"], summary["T"]
    bgnbd_fit = btyd.fit_bgnbd(x, t_x, T)
    # Zero or negative net revenue (fully refunded days) has no place in the Gamma model.
    spend_fit = btyd.fit_gamma_gamma(x, summary["monetary_value"])
    if not spend_fit.params["q"] > 1:
        raise ModelSkipped(
            f"CLV: the Gamma-Gamma spend model found q = {spend_fit.params['q']:.3g} <= 1, "
            "for which the expected order value is infinite (a few customers with extreme "
            "order values dominate); check the order values for outliers."
        )
    for name, fit in (("BG/NBD", bgnbd_fit), ("Gamma-Gamma", spend_fit)):
        if not fit.converged:
            log.warning("%s fit did not converge: %s", name, fit.message)
    params, spend = bgnbd_fit.bgnbd(), spend_fit.gamma_gamma()
    scored = summary.copy()
    scored["probability_alive"] = btyd.probability_alive(params, x, t_x, T)
    scored["expected_purchases_90d"] = btyd.expected_purchases(params, 90 / unit, x, t_x, T)
    scored["expected_purchases_365d"] = btyd.expected_purchases(params, 365 / unit, x, t_x, T)
    # A customer whose repeat days were refunded in full shrinks towards zero, not below.
    own_value = summary["monetary_value"].clip(lower=0)
    scored["expected_order_value"] = btyd.conditional_expected_value(spend, x, own_value)
    scored["clv_12m"] = btyd.customer_lifetime_value(
        params, scored["expected_order_value"], x, t_x, T, months=12,
        yearly_discount_rate=options.discount_rate, time_unit_days=unit,
    )  # fmt: skip
    return Scores(bgnbd_fit, spend_fit, scored)


def holdout(
    scores: Scores, transactions: pd.DataFrame, calibration_end: date, holdout_end: date,
    time_unit_days: int,
) -> tuple[pd.DataFrame, dict[str, float]]:  # fmt: skip
    """Per calibration customer: transactions in (calibration_end, holdout_end] (all repeats)
    and the model's expectation of them; with the totals and errors as metrics."""
    days = transactions["order_date"]
    later = transactions[(days > pd.Timestamp(calibration_end))
                         & (days <= pd.Timestamp(holdout_end))]  # fmt: skip
    actual = later.groupby("customer_id").size().reindex(scores.summary.index, fill_value=0)
    summary = scores.summary
    length = (holdout_end - calibration_end).days / time_unit_days
    predicted = btyd.expected_purchases(
        scores.bgnbd.bgnbd(), length, summary["frequency"], summary["recency"], summary["T"]
    )
    # The naive benchmark: each customer keeps buying at their calibration rate.
    naive = summary["frequency"] / summary["T"].where(summary["T"] > 0) * length
    frame = pd.DataFrame({"holdout_actual": actual.astype(np.int64),
                          "holdout_predicted": predicted}, index=summary.index)  # fmt: skip
    total_actual, total_predicted = float(actual.sum()), float(predicted.sum())
    metrics = {
        "holdout_calibration_end": calibration_end.isoformat(),
        "holdout_days": (holdout_end - calibration_end).days,
        "holdout_customers": len(frame),
        "holdout_actual": total_actual,
        "holdout_predicted": total_predicted,
        "holdout_error": abs(total_predicted - total_actual) / total_actual
        if total_actual
        else None,
        "holdout_mae": float(np.mean(np.abs(predicted - actual))),
        "holdout_mae_naive": float(np.mean(np.abs(naive.fillna(0) - actual))),
        "holdout_rmse": float(np.sqrt(np.mean((predicted - actual) ** 2))),
    }
    return frame, metrics


def train(conninfo: str, options: TrainOptions) -> RunResult:
    """Fit BG/NBD and Gamma-Gamma, score every customer into ml.clv_scores, and measure the
    fit on later orders (see the module docstring)."""
    started = time.perf_counter()
    unit = options.time_unit_days
    settings = {"time_unit_days": unit, "time_unit": "weeks" if unit == 7 else f"{unit} days",
                "discount_rate": options.discount_rate, "clv_months": 12}  # fmt: skip
    with model_run(conninfo, "clv", settings) as run:
        transactions = load_transactions(run.conn)
        if transactions.empty:
            raise ModelSkipped(
                "CLV needs orders; the warehouse has none that is not cancelled "
                "(run salesdw seed or import orders, then salesdw refresh)"
            )
        first_day = transactions["order_date"].min().date()
        last_day = transactions["order_date"].max().date()
        calibration_end = options.calibration_end or last_day - timedelta(days=options.horizon_days)
        if options.calibration_end and not first_day <= calibration_end < last_day:
            raise ModelSkipped(
                f"CLV: --calibration-end {calibration_end} leaves no orders to "
                f"{'fit on' if calibration_end < first_day else 'compare with'}: the orders "
                f"run from {first_day} to {last_day}; choose a day between them"
            )
        scores = score(transactions, last_day, options)
        # Customers who joined after the calibration end have no holdout figures (null).
        checked = pd.DataFrame({"holdout_actual": pd.Series(dtype="Int64"),
                                "holdout_predicted": pd.Series(dtype=float)})  # fmt: skip
        calibration: dict = {"calibration_end": calibration_end.isoformat()}
        try:
            earlier = score(transactions, calibration_end, options)
        except ModelSkipped as exc:
            if options.calibration_end:  # asked for: say why it cannot be done
                raise
            log.info("CLV holdout check skipped: %s", exc)
        else:
            checked, run.metrics = holdout(earlier, transactions, calibration_end, last_day, unit)
            calibration |= {"bgnbd": earlier.bgnbd.as_dict(),
                            "gamma_gamma": earlier.gamma_gamma.as_dict()}  # fmt: skip
        frame = scores.summary.join(checked.astype({"holdout_actual": "Int64"}))
        run.parameters.update({
            "fitted_through": last_day.isoformat(),
            "bgnbd": scores.bgnbd.as_dict(),
            "gamma_gamma": {**scores.gamma_gamma.as_dict(),
                            "mean_value": scores.gamma_gamma.gamma_gamma().mean_value},
            "calibration": calibration,
        })  # fmt: skip
        output = frame.reset_index().rename(columns={"T": "age"})[[
            "customer_id", "frequency", "recency", "age", "monetary_value", "probability_alive",
            "expected_purchases_90d", "expected_purchases_365d", "expected_order_value",
            "clv_12m", "holdout_actual", "holdout_predicted",
        ]]  # fmt: skip
        run.write("clv_scores", output)
        run.metrics.update({
            "customers_scored": len(output),
            "repeat_customers": int((output["frequency"] > 0).sum()),
            "mean_probability_alive": float(output["probability_alive"].mean()),
            "expected_purchases_365d": float(output["expected_purchases_365d"].sum()),
            "clv_12m_total": float(output["clv_12m"].sum()),
        })  # fmt: skip
        result = RunResult("clv", "succeeded", run.run_id, metrics=dict(run.metrics),
                           rows=run.rows)  # fmt: skip
    result.seconds = time.perf_counter() - started
    return result
