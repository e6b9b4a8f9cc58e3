"""Metrics, curves, significance and success checks against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from core.training.checks import success_checks
from core.training.importance import dominance_findings
from core.training.metrics import (
    calibration_frame,
    classification_metrics,
    confusion,
    roc_frame,
    summarise_folds,
)
from core.training.significance import corrected_t_test, mcnemar

Y = np.array([1, 1, 1, 0, 0, 0, 1, 0])
P = np.array([0.9, 0.8, 0.3, 0.6, 0.2, 0.1, 0.7, 0.4])


def test_metrics_match_hand_computed_values():
    got = classification_metrics(Y, P)
    # pred = [1,1,0,1,0,0,1,0]: TP 3, FN 1, FP 1, TN 3
    assert got["accuracy"] == pytest.approx(0.75)
    assert got["precision"] == pytest.approx(0.75)
    assert got["recall"] == pytest.approx(0.75)
    assert got["f1"] == pytest.approx(0.75)
    assert got["roc_auc"] == pytest.approx(14 / 16)   # 14 of 16 (pos, neg) pairs ordered
    assert got["pr_auc"] == pytest.approx(0.75 + 0.25 * 4 / 6)
    assert got["brier"] == pytest.approx(1.2 / 8)
    right = [0.9, 0.8, 0.3, 0.4, 0.8, 0.9, 0.7, 0.6]
    assert got["log_loss"] == pytest.approx(-np.mean(np.log(right)))
    assert confusion(Y, P) == [[3, 1], [1, 3]]


def test_auc_is_nan_with_one_class_not_an_error():
    got = classification_metrics(np.ones(4, dtype=int), np.array([0.9, 0.8, 0.4, 0.7]))
    assert math.isnan(got["roc_auc"]) and got["accuracy"] == pytest.approx(0.75)
    assert roc_frame("m", np.ones(4), np.full(4, 0.5)).empty


def test_calibration_bins_hold_means():
    cal = calibration_frame("m", Y, P, bins=2)
    # bin 0: p in [0, .5): .3 .2 .1 .4 -> mean .25, positives 1/4
    first = cal.iloc[0]
    assert first["mean_predicted"] == pytest.approx(0.25)
    assert first["fraction_positive"] == pytest.approx(0.25)
    assert first["count"] == 4
    assert list(cal.columns) == ["model", "bin", "mean_predicted", "fraction_positive", "count"]


def test_fold_summary_mean_and_sample_std():
    out = summarise_folds([{"accuracy": 0.7}, {"accuracy": 0.8}, {"accuracy": 0.9}])
    assert out["accuracy"]["mean"] == pytest.approx(0.8)
    assert out["accuracy"]["std"] == pytest.approx(0.1)


def test_mcnemar_exact_binomial_when_few_disagreements():
    y = np.zeros(12, dtype=int)
    a = np.r_[np.zeros(10), np.ones(2)]      # right on 10 rows
    b = np.r_[np.ones(10), np.zeros(2)]      # right on the other 2
    got = mcnemar(y, a, b)
    assert (got["a_only"], got["b_only"], got["method"]) == (10, 2, "exact binomial")
    assert got["p_value"] == pytest.approx(2 * (1 + 12 + 66) / 4096)


def test_mcnemar_chi_squared_with_continuity_correction():
    y = np.zeros(40, dtype=int)
    a = np.r_[np.zeros(30), np.ones(10)]
    b = np.r_[np.ones(30), np.zeros(10)]
    got = mcnemar(y, a, b)
    assert got["statistic"] == pytest.approx(361 / 40)
    assert got["p_value"] == pytest.approx(0.002663, rel=1e-3)
    assert mcnemar(y, a, a)["p_value"] == 1.0


def test_corrected_t_test_is_less_confident_than_plain():
    a, b = [0.80, 0.82, 0.81, 0.83, 0.80], [0.78, 0.80, 0.80, 0.80, 0.79]
    got = corrected_t_test(a, b, test_fraction=0.25)
    diff = np.subtract(a, b)
    plain_t = diff.mean() / (diff.std(ddof=1) / math.sqrt(5))
    assert 0 < got["t"] < plain_t
    assert got["t"] == pytest.approx(diff.mean() / math.sqrt((1 / 5 + 0.25) * diff.var(ddof=1)))


def _imp(model, shares):
    return pd.DataFrame([{"model": model, "feature": f, "method": "permutation",
                          "importance": s, "share": s} for f, s in shares.items()])


def test_dominance_finding_names_feature_and_share():
    found = dominance_findings(_imp("rf", {"workload_type": 0.7, "payload_size_kb": 0.3}))
    assert [f["code"] for f in found] == ["FEATURE_DOMINANCE"]
    assert found[0]["columns"] == ["workload_type"] and "70 %" in found[0]["message"]
    assert set(found[0]) >= {"code", "severity", "columns", "message", "evidence"}
    assert not dominance_findings(_imp("rf", {"a": 0.4, "b": 0.35, "c": 0.25}))


def test_success_checks_fail_on_the_trap_and_say_why():
    checks = success_checks("rf", {"accuracy": 1.0}, 0.0, _imp("rf", {"workload_type": 1.0}))
    by_name = {c["check"]: c for c in checks}
    assert not by_name["Not ~100 % accuracy"]["passed"]
    assert "lookup" in by_name["Not ~100 % accuracy"]["reason"]
    assert not by_name["No feature > 40 % importance"]["passed"]
    assert by_name["Train-test gap < 5 points"]["passed"]


def test_success_checks_pass_on_a_plausible_model():
    imp = _imp("rf", {"a": 0.35, "b": 0.35, "c": 0.3})
    assert all(c["passed"] for c in success_checks("rf", {"accuracy": 0.8}, 0.02, imp))
