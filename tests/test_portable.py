"""core.portable: every model type exports to JSON and the stdlib evaluator reproduces
predict_proba within 1e-6 on test rows and on random requests (unseen categories, missing
values, extreme payloads, odd timestamps)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import UserError
from core.portable import evaluator
from core.portable.export import dumps, export_pipeline
from tests.portable_helpers import FEATURES, KINDS, fitted, request_frame

TOL = 1e-6


def _portable(kind: str) -> evaluator.Model:
    return evaluator.loads(dumps(export_pipeline(fitted(kind))))


def _gap(kind: str, records: list[dict]) -> float:
    model = _portable(kind)
    mine = np.array([model.predict_proba(r) for r in records])
    ref = fitted(kind).predict_proba(pd.DataFrame(records, columns=FEATURES))[:, 1]
    return float(np.max(np.abs(mine - ref)))


@pytest.mark.parametrize("kind", KINDS)
def test_evaluator_matches_predict_proba_on_test_rows(kind):
    test = request_frame(rows=300, seed=7).drop(columns="label")
    assert _gap(kind, test.to_dict("records")) <= TOL


@pytest.mark.parametrize("kind", KINDS)
def test_document_is_versioned_plain_json(kind):
    doc = export_pipeline(fitted(kind))
    assert doc["format"] == evaluator.FORMAT and doc["format_version"] == 1
    assert doc["features"] == fitted(kind).named_steps["features"].to_dict()
    assert json.loads(dumps(doc)) == doc


_levels = {
    "workload_type": ["lightweight_api", "thumbnail_processing", "medium_processing",
                      "heavy_processing", "unseen_workload", ""],
    "time_window": ["midday", "evening", "late_night", "brunch"],
    "load_pattern": ["low_load", "burst_load", "chaos_load"],
}
_payload = st.one_of(
    st.none(), st.just(math.nan), st.just(math.inf), st.just(-math.inf),
    st.floats(min_value=-1e3, max_value=1e9, allow_nan=False),
    st.sampled_from([0.0, -0.0, 1e-40, 5e-324, 1e9, 1.0, 2048.0, 0.5]),
    st.integers(min_value=0, max_value=10**6),
)
_stamp = st.one_of(
    st.none(), st.sampled_from(["", "not a time", "2025-13-45T99:00:00Z"]),
    st.datetimes(min_value=pd.Timestamp("1971-01-01").to_pydatetime(),
                 max_value=pd.Timestamp("2200-01-01").to_pydatetime()),
    st.builds(
        lambda d, tz, frac: d.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac:06d}" if frac else "")
        + tz,
        st.datetimes(min_value=pd.Timestamp("1971-01-01").to_pydatetime(),
                     max_value=pd.Timestamp("2200-01-01").to_pydatetime()),
        st.sampled_from(["", "Z", "+00:00", "+05:30", "-08:00"]),
        st.integers(min_value=0, max_value=999_999)),
)
_record = st.fixed_dictionaries({
    "workload_type": st.one_of(st.none(), st.sampled_from(_levels["workload_type"])),
    "payload_size_kb": _payload,
    "time_window": st.one_of(st.none(), st.sampled_from(_levels["time_window"])),
    "load_pattern": st.one_of(st.none(), st.sampled_from(_levels["load_pattern"])),
    "timestamp": _stamp,
})


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(records=st.lists(_record, min_size=1, max_size=12))
def test_evaluator_matches_on_random_requests(kind, records):
    assert _gap(kind, records) <= TOL


@pytest.mark.parametrize("tz", [None, "UTC", "Asia/Kolkata"])
def test_datetime_timestamps_match_like_iso_strings(tz):
    """A datetime64 column (naive = UTC, or tz-aware) gives the same hour as pandas."""
    test = request_frame(rows=120, seed=9)
    stamps = pd.to_datetime(test["timestamp"], utc=True)
    test["timestamp"] = stamps.dt.tz_localize(None) if tz is None else stamps.dt.tz_convert(tz)
    assert _gap("xgb", test.drop(columns="label").to_dict("records")) <= TOL


@pytest.mark.parametrize("kind", ["rf", "xgb", "lgbm"])
def test_trees_follow_library_missing_value_rules(kind):
    """NaN reaching the trees (never from FeatureTransform, but from a hand-made row) takes
    each library's default direction."""
    pipe = fitted(kind)
    model = _portable(kind)
    matrix = pipe.named_steps["features"].transform(request_frame(rows=60, seed=3))
    rng = np.random.default_rng(0)
    matrix[rng.random(matrix.shape) < 0.3] = np.nan
    ref = pipe.named_steps["model"].predict_proba(matrix)[:, 1]
    mine = np.array([model.estimator(list(row)) for row in matrix])
    assert np.max(np.abs(mine - ref)) <= TOL


def test_lightgbm_zero_as_missing_rule():
    pipe = fitted("lgbm", zero_as_missing=True, n_estimators=40)
    model = evaluator.loads(dumps(export_pipeline(pipe)))
    test = request_frame(rows=200, seed=11)
    ref = pipe.predict_proba(test)[:, 1]
    mine = np.array([model.predict_proba(r) for r in test.to_dict("records")])
    assert np.max(np.abs(mine - ref)) <= TOL


def test_xgboost_best_iteration_limits_the_trees():
    from core.training import make_pipeline

    frame = request_frame(rows=400)
    pipe = make_pipeline("xgb", FEATURES, seed=0, params={"early_stopping_rounds": 3,
                                                           "n_estimators": 200})
    matrix = make_pipeline("xgb", FEATURES).named_steps["features"].fit(frame)
    valid = (matrix.transform(frame.tail(100)), frame["label"].tail(100))
    pipe.fit(frame, frame["label"], model__eval_set=[valid], model__verbose=False)
    doc = export_pipeline(pipe)
    assert doc["estimator"]["n_trees"] == pipe.named_steps["model"].best_iteration + 1
    model = evaluator.loads(dumps(doc))
    ref = pipe.predict_proba(frame)[:, 1]
    mine = np.array([model.predict_proba(r) for r in frame.to_dict("records")])
    assert np.max(np.abs(mine - ref)) <= TOL


@pytest.mark.parametrize(("kind", "params"), [
    ("xgb", {"min_child_weight": 1e6, "n_estimators": 3}),
    ("lgbm", {"min_child_samples": 10_000, "n_estimators": 3}),
    ("rf", {"max_depth": 1, "n_estimators": 5}),
])
def test_single_leaf_and_stump_trees(kind, params):
    pipe = fitted(kind, **params)
    model = evaluator.loads(dumps(export_pipeline(pipe)))
    test = request_frame(rows=50, seed=2)
    ref = pipe.predict_proba(test)[:, 1]
    mine = [model.predict_proba(r) for r in test.to_dict("records")]
    assert np.max(np.abs(np.array(mine) - ref)) <= TOL


def test_without_time_feature_and_with_few_features():
    pipe = fitted("xgb", features=("workload_type", "payload_size_kb"))
    model = evaluator.loads(dumps(export_pipeline(pipe)))
    assert model.input_features == ["workload_type", "payload_size_kb"]
    test = request_frame(rows=100, seed=5)
    ref = pipe.predict_proba(test)[:, 1]
    assert np.allclose([model.predict_proba(r) for r in test.to_dict("records")], ref,
                       atol=TOL, rtol=0)


def test_random_dummy_is_refused_with_advice():
    from sklearn.dummy import DummyClassifier
    from sklearn.pipeline import Pipeline

    pipe = fitted("baseline")
    bad = Pipeline([("features", pipe.named_steps["features"]),
                    ("model", DummyClassifier(strategy="uniform").fit([[0]] * 4, [0, 1, 0, 1]))])
    with pytest.raises(UserError, match="strategy 'prior' or 'most_frequent'"):
        export_pipeline(bad)


def test_unknown_pipeline_shape_is_refused():
    with pytest.raises(UserError, match="Expected a pipeline with steps features"):
        export_pipeline(object())


def test_evaluator_rejects_other_formats_and_versions():
    doc = export_pipeline(fitted("logreg"))
    with pytest.raises(evaluator.ModelFormatError, match="not a routing-lab"):
        evaluator.Model({"format": "pickle"})
    with pytest.raises(evaluator.ModelFormatError, match="format version 2"):
        evaluator.Model({**doc, "format_version": 2})


def test_evaluator_runs_in_a_clean_interpreter_without_third_party_modules(tmp_path):
    """python -I -S: no site-packages; the evaluator must still load and predict."""
    (tmp_path / "model.json").write_text(dumps(export_pipeline(fitted("rf"))))
    code = ("import sys, json; sys.path.insert(0, sys.argv[1]); import evaluator; "
            "m = evaluator.load(sys.argv[1] + '/model.json'); "
            "print(json.dumps([m.predict_proba({'workload_type': 'lightweight_api', "
            "'payload_size_kb': 5.0}), sorted({n.split('.')[0] for n in sys.modules} - "
            "set(sys.stdlib_module_names) - {'__main__', 'evaluator'})]))")
    (tmp_path / "evaluator.py").write_bytes(Path(evaluator.__file__).read_bytes())
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code, str(tmp_path)],
                         capture_output=True, text=True, timeout=60, check=True)
    p, extra = json.loads(out.stdout)
    assert extra == []
    ref = fitted("rf").predict_proba(pd.DataFrame([{"workload_type": "lightweight_api",
                                                    "payload_size_kb": 5.0}],
                                                  columns=FEATURES))[:, 1][0]
    assert abs(p - ref) <= TOL
