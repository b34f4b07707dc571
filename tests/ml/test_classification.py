"""salesdw.ml.classification: ROC AUC, PR AUC, Brier score and the calibration table against
values computed by hand on tiny arrays."""

from __future__ import annotations

import numpy as np
import pytest

from salesdw.ml.classification import (
    binary_metrics,
    brier_score,
    calibration_table,
    pr_auc,
    roc_auc,
)

LABELS = np.array([0, 0, 1, 1])
SCORES = np.array([0.1, 0.4, 0.35, 0.8])


def test_roc_auc_is_the_share_of_positive_negative_pairs_ranked_right() -> None:
    # Pairs (positive, negative): (0.35, 0.1) right, (0.35, 0.4) wrong, (0.8, 0.1) and
    # (0.8, 0.4) right: 3 of 4.
    assert roc_auc(LABELS, SCORES) == pytest.approx(0.75)


def test_roc_auc_counts_ties_as_half() -> None:
    # (0.5, 0.5) tied: a half; (0.9, 0.5) right: one. 1.5 of 2 pairs.
    assert roc_auc([0, 1, 1], [0.5, 0.5, 0.9]) == pytest.approx(0.75)


def test_pr_auc_averages_the_precision_at_each_positive() -> None:
    # By score: 0.8 (positive: precision 1/1), 0.4 (negative), 0.35 (positive: precision 2/3).
    # Each positive is half the recall: 0.5 * 1 + 0.5 * 2/3.
    assert pr_auc(LABELS, SCORES) == pytest.approx(0.5 + 1 / 3)


def test_pr_auc_of_a_perfect_ranking_is_one() -> None:
    assert pr_auc([0, 1, 0, 1], [0.2, 0.9, 0.1, 0.7]) == pytest.approx(1.0)


def test_brier_score_is_the_mean_squared_error_of_the_probabilities() -> None:
    # (0.1 - 0)^2 + (0.4 - 0)^2 + (0.35 - 1)^2 + (0.8 - 1)^2 = 0.01 + 0.16 + 0.4225 + 0.04
    assert brier_score(LABELS, SCORES) == pytest.approx(0.6325 / 4)


def test_predicting_the_base_rate_scores_p_times_one_minus_p() -> None:
    labels = np.array([1, 0, 0, 0, 1, 0, 0, 0, 0, 0])  # p = 0.2
    assert brier_score(labels, np.full(10, 0.2)) == pytest.approx(0.2 * 0.8)


def test_calibration_table_compares_mean_predicted_and_observed_rate_per_bin() -> None:
    table = calibration_table([0, 1, 1, 1], [0.1, 0.2, 0.6, 1.0], bins=2)
    assert table == [
        {"bin_lower": 0.0, "bin_upper": 0.5, "rows": 2,
         "mean_predicted": pytest.approx(0.15), "observed_rate": 0.5},
        # 1.0 falls in the last bin, which is closed.
        {"bin_lower": 0.5, "bin_upper": 1.0, "rows": 2,
         "mean_predicted": pytest.approx(0.8), "observed_rate": 1.0},
    ]  # fmt: skip


def test_calibration_table_leaves_empty_bins_out_and_puts_edges_in_the_upper_bin() -> None:
    table = calibration_table([0, 1, 0], [0.3, 0.3, 0.75], bins=10)
    assert [(row["bin_lower"], row["rows"]) for row in table] == [(0.3, 2), (0.7, 1)]
    assert table[0]["observed_rate"] == 0.5


def test_binary_metrics_reports_every_figure_with_the_positive_rate() -> None:
    figures = binary_metrics(LABELS, SCORES)
    assert figures == {
        "roc_auc": pytest.approx(0.75),
        "pr_auc": pytest.approx(0.5 + 1 / 3),
        "brier_score": pytest.approx(0.6325 / 4),
        "positive_rate": 0.5,
        "rows": 4,
    }
