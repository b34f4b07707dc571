"""salesdw.ml.churn: validated out of time, the gradient boosting model's ROC AUC is stored
with the recency and BG/NBD baselines' and beats them; every customer is scored with a risk
tier; too little data is a skip with its reason."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from salesdw.ml.churn import MIN_CUSTOMERS, RISK_THRESHOLDS, ChurnModel, evaluate, risk_tier
from salesdw.ml.churn_features import History
from salesdw.ml.runs import ModelSkipped
from tests.conftest import Trained

BASELINES = ("recency", "bgnbd", "bgnbd_no_purchase")


@pytest.fixture(scope="module")
def churn_run(trained: Trained) -> tuple[dict, dict]:
    with trained.engine.connect() as conn:
        return conn.execute(text(
            "select metrics, parameters from ml.model_runs where model_kind = 'churn'"
        )).one()  # fmt: skip


def test_the_out_of_time_metrics_are_stored_with_every_baselines(churn_run) -> None:
    metrics, _ = churn_run
    for metric in ("roc_auc", "pr_auc", "brier_score"):
        assert 0 <= metrics[metric] <= 1
        for baseline in BASELINES:
            assert 0 <= metrics[f"baseline_{baseline}_{metric}"] <= 1


def test_the_model_is_evaluated_on_the_window_after_the_one_it_trained_on(
    churn_run, trained: Trained
) -> None:
    metrics, parameters = churn_run
    last_day = date.fromisoformat(parameters["scored_as_of"])
    with trained.engine.connect() as conn:
        latest = conn.scalar(text(
            "select max(order_date) from mart.order_facts where status <> 'cancelled'"
        ))  # fmt: skip
    evaluation = date.fromisoformat(metrics["evaluation_cutoff"])
    assert last_day == latest
    assert evaluation == last_day - timedelta(days=90)
    assert date.fromisoformat(metrics["train_cutoff"]) == evaluation - timedelta(days=90)


def test_gradient_boosting_beats_recency_and_bgnbd_p_alive_out_of_time(churn_run) -> None:
    metrics, _ = churn_run
    assert metrics["roc_auc"] > 0.7
    assert metrics["roc_auc"] > metrics["baseline_recency_roc_auc"]
    assert metrics["roc_auc"] > metrics["baseline_bgnbd_roc_auc"]


def test_the_probabilities_are_calibrated_out_of_time(churn_run) -> None:
    metrics, _ = churn_run
    rate = metrics["churn_rate_evaluated"]
    assert metrics["brier_score"] < rate * (1 - rate)  # better than the base rate for everyone
    table = metrics["calibration"]
    rows = np.array([row["rows"] for row in table])
    predicted = np.array([row["mean_predicted"] for row in table])
    observed = np.array([row["observed_rate"] for row in table])
    assert rows.sum() == metrics["customers_evaluated"]
    assert np.average(predicted, weights=rows) == pytest.approx(rate, abs=0.05)
    busy = rows >= 500  # bins with enough customers to measure a rate
    assert np.abs(predicted - observed)[busy].max() < 0.1


def test_every_customer_with_an_order_is_scored_with_a_consistent_risk_tier(
    churn_run, trained: Trained
) -> None:
    metrics, _ = churn_run
    low, high = RISK_THRESHOLDS
    with trained.engine.connect() as conn:
        buyers = conn.scalar(
            text("select count(*) from analytics.customer_summary where orders > 0")
        )
        tiers = dict(conn.execute(text("""
            select risk_tier, count(*) from analytics.customer_scores
            where churn_probability is not null
                and risk_tier = case when churn_probability >= :high then 'high'
                                     when churn_probability >= :low then 'medium'
                                     else 'low' end
            group by 1
        """), {"low": low, "high": high}).all())  # fmt: skip
    assert sum(tiers.values()) == buyers == metrics["customers_scored"]
    assert {tier: metrics[f"customers_{tier}_risk"] for tier in tiers} == tiers


def test_risk_tiers_split_at_one_half_and_four_fifths() -> None:
    tiers = risk_tier(np.array([0.0, 0.49, 0.5, 0.79, 0.8, 1.0]))
    assert tiers.tolist() == ["low", "low", "medium", "medium", "high", "high"]


def test_the_model_reads_an_unseen_country_or_channel_as_other() -> None:
    model = ChurnModel(None, ["US", "other"], ["direct", "other"],
                       ["recency_days", "country", "acquisition_channel"])  # fmt: skip
    features = pd.DataFrame({"recency_days": [3, 40], "country": ["US", "ZZ"],
                             "acquisition_channel": ["tv", "direct"]})  # fmt: skip
    matrix = model.matrix(features)
    assert matrix["country"].tolist() == ["US", "other"]
    assert matrix["acquisition_channel"].tolist() == ["other", "direct"]
    assert list(matrix["country"].cat.categories) == ["US", "other"]


def test_too_few_customers_to_validate_is_a_skip_with_the_counts() -> None:
    rng = np.random.default_rng(0)
    customers = np.repeat(np.arange(1, 101), 3)
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 360, 300), unit="D")
    orders = pd.DataFrame({"customer_id": customers, "order_date": days, "order_value": 50.0,
                           "units": 1, "units_returned": 0, "category_mask": 1})  # fmt: skip
    attributes = pd.DataFrame({"country_code": "US", "acquisition_channel": "direct"},
                              index=pd.Index(np.arange(1, 101), name="customer_id"))  # fmt: skip
    history = History(orders, orders.iloc[:0][["customer_id"]].assign(
        review_date=pd.NaT, rating=0), attributes, {0: "Books"})  # fmt: skip
    with pytest.raises(ModelSkipped, match=f"at least {MIN_CUSTOMERS} customers"):
        evaluate(history, date(2024, 9, 1), 90, seed=42)
