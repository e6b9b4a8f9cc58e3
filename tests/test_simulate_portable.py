"""Model router through the portable evaluator: the simulated router decides as the deployed
function would (a seeded sample checked against the library's batch predictions)."""

import numpy as np
import pandas as pd
import pytest

from core.errors import UserError
from core.simulate import routers
from core.simulate.runner import simulate
from tests.portable_helpers import fitted

MIX = {"lightweight_api": 0.5, "heavy_processing": 0.5}


def _spec(requests: int, model_id: str = "in-memory") -> dict:
    return {"requests": requests, "mix": MIX, "router": {"kind": "model", "model_id": model_id}}


@pytest.mark.parametrize("kind", ["xgb", "logreg"])
def test_model_router_agrees_with_the_portable_evaluator(kind):
    """XGBoost (float32 inputs and sums) and a linear model, with the timestamp feature."""
    result = simulate(_spec(5000), pipeline=fitted(kind))
    check = result.strategies["hybrid"]["portable_check"]
    assert check["applicable"] is True
    assert check["rows"] == routers.PORTABLE_SAMPLE
    assert 0 < check["distinct_rows"] <= check["rows"]
    assert check["max_abs_diff"] <= 1e-6
    assert check["decisions_agree"] == 1.0
    assert "portable_check" in result.to_json()["strategies"]["hybrid"]


def test_all_requests_are_checked_when_fewer_than_the_sample():
    check = simulate(_spec(300), pipeline=fitted("logreg")).strategies["hybrid"][
        "portable_check"]
    assert check["rows"] == 300 and check["max_abs_diff"] <= 1e-6


def test_the_sample_is_seeded():
    a = simulate(_spec(3000), pipeline=fitted("logreg")).strategies["hybrid"]["portable_check"]
    b = simulate(_spec(3000), pipeline=fitted("logreg")).strategies["hybrid"]["portable_check"]
    assert a == b


def test_a_model_the_exporter_cannot_handle_is_reported_not_applicable():
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import Pipeline

    from core.features import FeatureTransform

    frame = pd.DataFrame({"workload_type": ["lightweight_api", "heavy_processing"] * 10,
                          "payload_size_kb": [1.0, 4000.0] * 10})
    pipe = Pipeline([("features", FeatureTransform(features=["workload_type",
                                                             "payload_size_kb"])),
                     ("model", KNeighborsClassifier(n_neighbors=3))]).fit(
        frame, np.array([0, 1] * 10))
    result = simulate(_spec(1000), pipeline=pipe)
    check = result.strategies["hybrid"]["portable_check"]
    assert check["applicable"] is False
    assert "KNeighborsClassifier" in check["reason"]
    assert routers.describe_check(check).startswith(
        "Portable evaluator check: not applicable")
    assert 0.3 < result.strategies["hybrid"]["lambda_share"] < 0.7


def test_a_portable_mismatch_fails_loudly(monkeypatch):
    from core.portable import evaluator

    true_proba = evaluator.Model.predict_proba
    monkeypatch.setattr(evaluator.Model, "predict_proba",
                        lambda self, record: true_proba(self, record) + 1e-3)
    with pytest.raises(UserError, match=r"portable evaluator .* 0\.001.*at most 1e-06"):
        simulate(_spec(1000), pipeline=fitted("logreg"))


def test_cli_render_shows_the_check():
    from core.cli.simulate import render

    out = simulate(_spec(1000), pipeline=fitted("logreg")).to_json()
    text = render(out)
    assert "Portable evaluator check (as deployed): 1,000 sampled requests" in text
    assert "decisions agree 100.0%" in text
