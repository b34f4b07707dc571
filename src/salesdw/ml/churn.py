"""Churn: the probability that a customer orders nothing in the next horizon_days (90).

A customer active by a cutoff T (an order up to T) has churned when they order nothing in
(T, T + H]. Gradient boosting (HistGradientBoostingClassifier) on features from data up to T
only (salesdw.ml.churn_features, plus P(alive) and P(no purchase in H) of a BG/NBD model
fitted at T), with probabilities calibrated on held-out folds (CalibratedClassifierCV) by
Platt scaling: isotonic regression's steps would tie scores and cost ranking.

Validated out of time, as it will be used: with T = last data day - H, the model trains on
features at T - H with labels in (T - H, T] and is scored on features at T with labels in
(T, T + H], against two baselines: recency alone, and 1 - P(alive) of a BG/NBD model fitted at
T. A third reference is that BG/NBD's probability of no purchase within H: on generated
data, which follows a BG/NBD process, it is close to the best any model can do. Then the model
is refitted on the latest window (features at T, labels in (T, T + H]) and scores
every customer with an order as of the last data day into ml.churn_scores.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from salesdw.ml import btyd
from salesdw.ml.churn_features import (
    OTHER,
    History,
    churn_labels,
    customer_features,
    load_history,
    top_countries,
)
from salesdw.ml.classification import binary_metrics, calibration_table, roc_auc
from salesdw.ml.runs import ModelRun, ModelSkipped, RunResult, model_run
from salesdw.ml.train import TrainOptions

__all__ = [
    "MIN_CLASS_SIZE",
    "MIN_CUSTOMERS",
    "MIN_FEATURE_DAYS",
    "RISK_THRESHOLDS",
    "ChurnModel",
    "evaluate",
    "features_at",
    "fit",
    "risk_tier",
    "train",
]

log = logging.getLogger(__name__)

#: churn_probability < 0.5: low; 0.5 to 0.8: medium; >= 0.8: high.
RISK_THRESHOLDS = (0.5, 0.8)
#: History the training features need before the first cutoff (T - H).
MIN_FEATURE_DAYS = 60
#: Customers at the training cutoff, and of each class (churned, retained), to fit at all.
MIN_CUSTOMERS = 300
MIN_CLASS_SIZE = 30
#: Gradient boosting: shallow trees, slow learning, leaves of 40+ customers, and as many trees
#: as help on a 10% validation split (early stopping also makes it several times faster).
GBM_PARAMETERS = {"max_iter": 500, "learning_rate": 0.05, "max_leaf_nodes": 15,
                  "min_samples_leaf": 40, "l2_regularization": 1.0, "early_stopping": True,
                  "n_iter_no_change": 20}  # fmt: skip
CALIBRATION_FOLDS = 3
IMPORTANCE_REPEATS = 3
IMPORTANCE_SAMPLE = 5000
SINGLE_THREAD_BELOW = 300_000


@dataclass
class ChurnModel:
    """A calibrated classifier and the encoding of its categorical features."""

    classifier: object
    countries: list[str]
    channels: list[str]
    columns: list[str]

    def matrix(self, features: pd.DataFrame) -> pd.DataFrame:
        """The features as the classifier wants them: fixed columns, categoricals with fixed
        categories (an unseen value becomes "other")."""
        frame = features[self.columns].copy()
        for column, categories in (("country", self.countries),
                                   ("acquisition_channel", self.channels)):  # fmt: skip
            values = frame[column].where(frame[column].isin(categories), OTHER)
            frame[column] = pd.Categorical(values, categories=categories)
        return frame

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Calibrated churn probabilities, clipped into [0, 1]."""
        probabilities = self.classifier.predict_proba(self.matrix(features))[:, 1]
        return np.clip(probabilities, 0.0, 1.0)


def fit(features: pd.DataFrame, labels: pd.Series, countries: list[str], seed: int) -> ChurnModel:
    """Fit the calibrated gradient boosting model on features and aligned labels."""

    channels = sorted({*features["acquisition_channel"].dropna(), OTHER})
    model = ChurnModel(None, [*countries, OTHER], channels, list(features.columns))
    booster = HistGradientBoostingClassifier(
        **GBM_PARAMETERS, categorical_features="from_dtype", random_state=seed
    )
    # Shuffled folds: customer ids follow sign-up order, so contiguous folds would each hold
    # customers of another tenure, and every fold's model would miss part of the population.
    folds = StratifiedKFold(CALIBRATION_FOLDS, shuffle=True, random_state=seed)
    classifier = CalibratedClassifierCV(booster, method="sigmoid", cv=folds)
    classifier.fit(model.matrix(features), labels.reindex(features.index).to_numpy())
    model.classifier = classifier
    return model


def features_at(
    history: History, cutoff: date, countries: list[str], horizon_days: int, time_unit_days: int
) -> pd.DataFrame:
    """customer_features at the cutoff, plus what a BG/NBD model fitted on the orders up to the
    cutoff (never later) says of each customer: P(alive), and the probability of no purchase
    within the horizon. The boosting builds on the BTYD structure rather than relearn it."""
    features = customer_features(history, cutoff, countries)
    summary = btyd.summary_from_transactions(
        history.orders, cutoff, time_unit_days=time_unit_days, value_col=None
    ).reindex(features.index)
    rfm = summary["frequency"], summary["recency"], summary["T"]
    params = btyd.fit_bgnbd(*rfm).bgnbd()
    features["bgnbd_p_alive"] = btyd.probability_alive(params, *rfm)
    features["bgnbd_no_purchase"] = btyd.probability_no_purchase(
        params, horizon_days / time_unit_days, *rfm
    )
    return features


def risk_tier(probabilities: np.ndarray) -> np.ndarray:
    """low, medium or high by RISK_THRESHOLDS."""
    low, high = RISK_THRESHOLDS
    return np.where(probabilities >= high, "high", np.where(probabilities >= low, "medium", "low"))


def evaluate(
    history: History, cutoff: date, horizon_days: int, seed: int, time_unit_days: int = 7
) -> tuple[ChurnModel, dict]:
    """Train at cutoff - H, evaluate at cutoff (labels in (cutoff, cutoff + H]) against the
    recency and BG/NBD baselines; returns the model and the metrics."""

    train_cutoff = cutoff - timedelta(days=horizon_days)
    countries = top_countries(history, train_cutoff)
    x_train = features_at(history, train_cutoff, countries, horizon_days, time_unit_days)
    y_train = churn_labels(history, train_cutoff, horizon_days)
    x_eval = features_at(history, cutoff, countries, horizon_days, time_unit_days)
    y_eval = churn_labels(history, cutoff, horizon_days).reindex(x_eval.index).to_numpy()
    _check_enough(y_train, f"the training cutoff {train_cutoff}", horizon_days)
    _check_enough(pd.Series(y_eval), f"the evaluation cutoff {cutoff}", horizon_days)

    model = fit(x_train, y_train, countries, seed)
    predicted = model.predict(x_eval)
    metrics = binary_metrics(y_eval, predicted)
    metrics["log_loss"] = float(log_loss(y_eval, np.clip(predicted, 1e-6, 1 - 1e-6)))
    metrics["calibration"] = calibration_table(y_eval, predicted)

    # Recency alone: ranks by days since the last order; its probabilities (for the Brier
    # score) from an isotonic fit of the training window's labels on recency.
    recency = x_eval["recency_days"].to_numpy(float)
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1)
    iso.fit(x_train["recency_days"], y_train.reindex(x_train.index))
    recency_metrics = binary_metrics(y_eval, recency)
    recency_metrics["brier_score"] = binary_metrics(y_eval, iso.predict(recency))["brier_score"]

    # BG/NBD fitted on the same history up to the cutoff (features_at): 1 - P(alive) as the
    # churn score (the baseline), and its probability of no purchase within the horizon (a
    # stronger one).
    baselines = {
        "recency": recency_metrics,
        "bgnbd": binary_metrics(y_eval, 1 - x_eval["bgnbd_p_alive"].to_numpy()),
        "bgnbd_no_purchase": binary_metrics(y_eval, x_eval["bgnbd_no_purchase"].to_numpy()),
    }
    for name, figures in baselines.items():
        for metric in ("roc_auc", "pr_auc", "brier_score"):
            metrics[f"baseline_{name}_{metric}"] = figures[metric]
    metrics.update({
        "train_cutoff": train_cutoff.isoformat(),
        "evaluation_cutoff": cutoff.isoformat(),
        "customers_train": len(x_train),
        "churn_rate_train": float(y_train.mean()),
        "customers_evaluated": len(x_eval),
        "churn_rate_evaluated": metrics.pop("positive_rate"),
    })  # fmt: skip
    metrics.pop("rows")
    metrics["feature_importance"] = _importance(model, x_eval, y_eval, seed)
    return model, metrics


def train(conninfo: str, options: TrainOptions) -> RunResult:
    """Evaluate out of time, refit on the latest window, score every customer (see the module
    docstring); skipped when the history is too short or has too few customers."""
    started = time.perf_counter()
    settings = {
        "horizon_days": options.horizon_days,
        "risk_thresholds": {"medium": RISK_THRESHOLDS[0], "high": RISK_THRESHOLDS[1]},
        "gbm": GBM_PARAMETERS,
        "calibration": f"sigmoid (Platt), {CALIBRATION_FOLDS} shuffled folds",
    }
    with model_run(conninfo, "churn", settings) as run:
        history = load_history(run.conn)
        # One OpenMP thread below a few hundred thousand customers: the boosting is fast
        # there, and on a busy machine its threads spin against each other (10x slower).
        threads = 1 if history.orders["customer_id"].nunique() < SINGLE_THREAD_BELOW else None
        with threadpool_limits(limits=threads, user_api="openmp"):
            _train(run, history, options)
        result = RunResult("churn", "succeeded", run.run_id, metrics=dict(run.metrics),
                           rows=run.rows)  # fmt: skip
    result.seconds = time.perf_counter() - started
    return result


def _train(run: ModelRun, history: History, options: TrainOptions) -> None:
    """Evaluate, refit and score, writing into the open run."""
    horizon = options.horizon_days
    if history.orders.empty:
        raise ModelSkipped(
            "churn needs orders; the warehouse has none that is not cancelled "
            "(run salesdw seed or import orders, then salesdw refresh)"
        )
    first, last = history.first_day, history.last_day
    need = 2 * horizon + MIN_FEATURE_DAYS
    if (last - first).days < need:
        raise ModelSkipped(
            f"churn needs at least {need} days of order history (twice the {horizon}-day "
            f"horizon, to train and then validate out of time, plus {MIN_FEATURE_DAYS} "
            f"days to compute features from); the orders cover {(last - first).days} days "
            f"({first} to {last}). Load a longer history or train with a shorter --horizon."
        )
    cutoff = last - timedelta(days=horizon)
    _, run.metrics = evaluate(history, cutoff, horizon, options.seed, options.time_unit_days)
    importance = run.metrics.pop("feature_importance")

    # The model in use: trained on the latest complete window, scoring as of the last day.
    countries = top_countries(history, cutoff)
    unit = options.time_unit_days
    model = fit(features_at(history, cutoff, countries, horizon, unit),
                churn_labels(history, cutoff, horizon), countries, options.seed)  # fmt: skip
    current = features_at(history, last, countries, horizon, unit)
    probability = model.predict(current)
    scores = pd.DataFrame({"customer_id": current.index, "churn_probability": probability,
                           "risk_tier": risk_tier(probability)})  # fmt: skip
    run.write("churn_scores", scores)
    run.parameters.update({
        "scored_as_of": last.isoformat(),
        "features": list(current.columns),
        "top_countries": countries,
        "feature_importance": importance,
    })  # fmt: skip
    tiers = scores["risk_tier"].value_counts()
    run.metrics.update({
        "customers_scored": len(scores),
        "mean_churn_probability": float(probability.mean()),
        **{f"customers_{tier}_risk": int(tiers.get(tier, 0)) for tier in ("low", "medium",
                                                                            "high")},
        "top_drivers": [row["feature"] for row in importance[:5]],
        # numbers, so analytics.model_metrics lists each driver's weight too
        **{f"importance_{row['feature']}": row["importance"] for row in importance},
    })  # fmt: skip


def _check_enough(labels: pd.Series, where: str, horizon_days: int) -> None:
    churned = int(labels.sum())
    retained = len(labels) - churned
    if len(labels) < MIN_CUSTOMERS or min(churned, retained) < MIN_CLASS_SIZE:
        raise ModelSkipped(
            f"churn needs at least {MIN_CUSTOMERS} customers with orders by {where}, "
            f"{MIN_CLASS_SIZE} of whom ordered again within {horizon_days} days and "
            f"{MIN_CLASS_SIZE} who did not; found {len(labels)} customers, {retained} and "
            f"{churned}. Load more order history."
        )


def _importance(model: ChurnModel, features: pd.DataFrame, labels: np.ndarray, seed: int) -> list:
    """Permutation importance on the evaluation window: how much ROC AUC drops when a driver's
    values are shuffled across customers, largest first (measured on data the model did not
    see). The category shares move together, as one driver: the category mix."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(features), size=min(len(features), IMPORTANCE_SAMPLE), replace=False)
    x, y = model.matrix(features).iloc[rows], labels[rows]
    base = roc_auc(y, model.classifier.predict_proba(x)[:, 1])
    drivers: dict[str, list[str]] = {}
    for column in model.columns:
        name = "category_mix" if column.startswith("category_share_") else column
        drivers.setdefault(name, []).append(column)
    found = []
    for name, columns in drivers.items():
        drops = []
        for _ in range(IMPORTANCE_REPEATS):
            shuffled = x.copy()
            order = rng.permutation(len(x))
            for column in columns:  # set_axis keeps the categorical dtype
                shuffled[column] = x[column].iloc[order].set_axis(x.index)
            drops.append(base - roc_auc(y, model.classifier.predict_proba(shuffled)[:, 1]))
        found.append({"feature": name, "importance": float(np.mean(drops)),
                      "std": float(np.std(drops))})  # fmt: skip
    return sorted(found, key=lambda row: -row["importance"])
