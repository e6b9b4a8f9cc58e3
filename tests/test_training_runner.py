"""train_and_compare: presets, bad input, a failing model, time limit, cancellation,
partial results, registry saves. Small data (a few hundred rows) keeps it quick."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from core import synth
from core.errors import UserError
from core.registry import Registry
from core.training import train_and_compare

FEATURES = ["workload_type", "payload_size_kb", "time_window", "load_pattern"]


@pytest.fixture(scope="module")
def variance() -> pd.DataFrame:
    return synth.generate("variance", 1500, seed=0)


@pytest.fixture(scope="module")
def trap() -> pd.DataFrame:
    return synth.generate("trap", 600, seed=0)


@pytest.mark.slow
def test_trap_scores_perfectly_and_the_checks_say_why(trap):
    run = train_and_compare(trap, features=FEATURES, models=["baseline", "lgbm", "logreg"],
                            cv=2, seed=0)
    assert run.results["lgbm"].metrics["accuracy"] >= 0.99
    failed = {c["check"] for c in run.checks if not c["passed"]}
    assert {"Not ~100 % accuracy", "No feature > 40 % importance"} <= failed
    assert any(f["code"] == "FEATURE_DOMINANCE" for f in run.findings)
    text = run.trap_explanation()
    assert text and "not a success" in text


@pytest.mark.slow
def test_variance_models_beat_the_baseline_significantly(variance):
    run = train_and_compare(variance, features=FEATURES, models=["baseline", "lgbm", "logreg"],
                            cv=3, seed=0)
    base = run.significance["baseline"]
    assert base["beats_baseline_by"] > 0.05 and base["significant"]
    assert base["mcnemar"]["p_value"] < 0.01
    assert run.trap_explanation() is None
    assert run.significance["runner_up"]["model"] in ("lgbm", "logreg")
    best = run.results[run.best]
    assert len(best.cv_scores) == 3 and best.cv["accuracy"]["std"] >= 0
    assert best.fit_s > 0 and best.predict_ms > 0
    assert set(best.importance_shares()) == set(FEATURES)
    for kind in ("roc", "pr", "calibration"):
        assert set(run.curves(kind)["model"]) == {"baseline", "lgbm", "logreg"}
    doc = run.to_json()
    assert {"accuracy", "precision", "recall", "f1", "roc_auc", "train_test_gap", "fit_s",
            "predict_ms", "importances"} <= set(doc["models"]["lgbm"])
    assert "\\toprule" in run.to_latex() and run.metrics_csv().startswith("model,")


def test_same_seed_same_numbers(variance):
    a = train_and_compare(variance, features=FEATURES, models=["logreg"], cv=2, seed=1)
    b = train_and_compare(variance, features=FEATURES, models=["logreg"], cv=2, seed=1)
    assert a.results["logreg"].metrics == b.results["logreg"].metrics


@pytest.mark.parametrize("split", ["group", "time"])
def test_grouped_and_time_splits_run(variance, split):
    run = train_and_compare(variance, features=FEATURES, models=["logreg"], cv=2,
                            split=split, group="load_pattern" if split == "group" else None)
    assert run.results["logreg"].ok and run.split["split"] == split
    assert run.split["train_rows"] + run.split["test_rows"] == run.rows


def test_a_model_that_raises_is_reported_and_the_others_kept(variance):
    events = []
    run = train_and_compare(variance, features=FEATURES, models=["baseline", "rf"], cv=0,
                            model_params={"rf": {"n_estimators": -1}}, on_progress=events.append)
    assert run.results["rf"].status == "error" and "n_estimators" in run.results["rf"].error
    assert run.results["baseline"].ok
    assert {"error", "done"} <= {e["event"] for e in events}


@pytest.mark.slow
def test_time_limit_stops_only_the_slow_model(variance):
    run = train_and_compare(variance, features=FEATURES, models=["baseline", "rf"], cv=0,
                            time_limit_s=3, model_params={"rf": {"n_estimators": 100_000}})
    assert run.results["rf"].status == "timed_out" and "time limit" in run.results["rf"].error
    assert run.results["baseline"].ok


@pytest.mark.slow
def test_cancel_keeps_finished_models(variance):
    cancel = threading.Event()
    done = []

    def on_progress(event):
        if event["event"] == "done":
            done.append(event["model"])
            cancel.set()

    run = train_and_compare(variance, features=FEATURES, models=["baseline", "rf"], cv=0,
                            n_jobs=2, cancel=cancel, on_progress=on_progress,
                            model_params={"rf": {"n_estimators": 100_000}})
    assert run.cancelled and done == ["baseline"]
    assert run.results["baseline"].ok and run.results["rf"].status == "cancelled"


def test_registry_gets_one_version_per_successful_model(variance, tmp_path):
    registry = Registry(tmp_path / "models")
    run = train_and_compare(variance, features=FEATURES, models=["baseline", "logreg"], cv=0,
                            registry=registry)
    listing = registry.list()
    assert set(listing["model_type"]) == {"baseline", "logreg"}
    loaded = registry.load(run.results["logreg"].model_id)
    assert loaded.metadata["features"] == FEATURES
    np.testing.assert_allclose(loaded.pipeline.predict_proba(variance.head(20)),
                               run.results["logreg"].pipeline.predict_proba(variance.head(20)))


def _tiny(n=80, label=None):
    rng = np.random.default_rng(0)
    return pd.DataFrame({"workload_type": rng.choice(["a", "b"], n),
                         "payload_size_kb": rng.uniform(1, 10, n),
                         "latency_ms": rng.uniform(1, 10, n),
                         "label": pd.array(label if label is not None else rng.integers(0, 2, n),
                                           dtype="Int64")})


@pytest.mark.parametrize(("frame", "kwargs", "match"), [
    (_tiny(label=[1] * 80), {}, "one class only"),
    (_tiny(n=40), {}, "at least 50"),
    (_tiny(label=[pd.NA] * 80), {}, "missing"),
    (_tiny(), {"features": ["latency_ms"]}, "No features left"),
    (_tiny(), {"features": ["nope"]}, "not in the data"),
    (_tiny(), {"models": ["svm"]}, "Unknown model"),
    (_tiny(), {"split": "random"}, "Unknown split"),
    (_tiny(), {"cv": 1}, "cv == 1"),
    (_tiny(), {"split": "time"}, "timestamp"),
    (_tiny(), {"time_limit_s": 0}, "time_limit_s"),
])
def test_bad_input_is_a_user_error(frame, kwargs, match):
    with pytest.raises(UserError, match=match):
        train_and_compare(frame, **{"features": ["workload_type", "payload_size_kb"],
                                    **kwargs})


def test_rows_without_label_are_dropped_and_counted(variance):
    frame = variance.head(300).copy()
    frame.loc[frame.index[:30], "label"] = pd.NA
    run = train_and_compare(frame, features=FEATURES, models=["baseline"], cv=0)
    assert run.dropped_label_rows >= 30 and run.rows == len(frame) - run.dropped_label_rows
    assert any("Dropped" in n for n in run.notes)


def test_outcome_features_are_removed_with_a_note(variance):
    run = train_and_compare(variance, features=[*FEATURES, "latency_ms"], models=["baseline"],
                            cv=0)
    assert "latency_ms" not in run.features
    assert any("latency_ms" in n for n in run.notes)


def test_tuning_search_stays_within_its_candidates(variance):
    run = train_and_compare(variance, features=FEATURES, models=["logreg"], cv=2,
                            search_budget_s=5)
    result = run.results["logreg"]
    assert result.ok and result.search["tried"]
    assert result.params in [t["params"] for t in result.search["tried"]]


def test_model_processes_do_not_rerun_the_callers_script(tmp_path, monkeypatch):
    """Streamlit runs each page as a `__main__` with a file and no import name; a model's
    process must not run that page again (it did: once per model, in bare mode)."""
    import sys
    import types

    marker = tmp_path / "reruns.txt"
    page = tmp_path / "page.py"
    page.write_text(f"open({str(marker)!r}, 'a').write('ran\\n')\n")
    fake = types.ModuleType("__main__")
    fake.__file__, fake.__spec__ = str(page), None
    monkeypatch.setitem(sys.modules, "__main__", fake)
    run = train_and_compare(synth.generate("variance", 200, seed=0), models=["baseline"],
                            cv=0, seed=0)
    assert run.results["baseline"].ok
    assert not marker.exists()
    assert sys.modules["__main__"] is fake  # the caller's module is back
