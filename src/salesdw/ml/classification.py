"""How good a probabilistic binary classifier is: ranking, precision and calibration.

Thin, documented wrappers so every model reports the same figures with the same definitions:
ROC AUC (the chance a random positive scores above a random negative, ties counting half),
PR AUC as average precision (precision at each positive, averaged: the step-wise area, not the
optimistic trapezoid), the Brier score (mean squared error of the probabilities) and a
calibration table (mean predicted against observed rate in equal-width bins).
"""

from __future__ import annotations

import numpy as np
from sklearn import metrics

__all__ = ["binary_metrics", "brier_score", "calibration_table", "pr_auc", "roc_auc"]


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve; needs both classes among the labels."""
    return float(metrics.roc_auc_score(labels, scores))


def pr_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Average precision of the positive class (1): sum over recall steps of precision x step.
    A random score gets the positive rate."""
    return float(metrics.average_precision_score(labels, scores))


def brier_score(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Mean of (probability - label)^2: 0 is perfect; predicting the base rate p scores
    p (1 - p)."""
    labels, probabilities = np.asarray(labels, float), np.asarray(probabilities, float)
    return float(np.mean((probabilities - labels) ** 2))


def calibration_table(
    labels: np.ndarray, probabilities: np.ndarray, bins: int = 10
) -> list[dict[str, float]]:
    """Per non-empty bin [k/bins, (k+1)/bins) (the last one closed): rows, mean predicted
    probability and observed rate. A calibrated model has the two close in every bin."""
    labels, probabilities = np.asarray(labels, float), np.asarray(probabilities, float)
    index = np.minimum((probabilities * bins).astype(int), bins - 1)
    table = []
    for k in range(bins):
        inside = index == k
        if inside.any():
            table.append({
                "bin_lower": k / bins,
                "bin_upper": (k + 1) / bins,
                "rows": int(inside.sum()),
                "mean_predicted": float(probabilities[inside].mean()),
                "observed_rate": float(labels[inside].mean()),
            })  # fmt: skip
    return table


def binary_metrics(labels: np.ndarray, probabilities: np.ndarray) -> dict[str, float]:
    """ROC AUC, PR AUC and Brier score of probabilities, with the positive rate and count."""
    labels = np.asarray(labels, float)
    return {
        "roc_auc": roc_auc(labels, probabilities),
        "pr_auc": pr_auc(labels, probabilities),
        "brier_score": brier_score(labels, probabilities),
        "positive_rate": float(labels.mean()),
        "rows": len(labels),
    }
