"""Rows encoded once by the runner give the same models and numbers as a frame per model, and
the diagnosis the Variance page made is reused by training."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
import pytest

from core import synth
from core.diagnostics import cache, diagnose
from core.training import train_and_compare
from core.training.encoded import PREFIX, encode, load, remove_stale, shared_file
from core.training.importance import permutation, permutation_encoded
from core.training.inputs import prepare
from core.training.splits import plan_split
from core.training.worker import run_model
from core.training.zoo import make_pipeline

FEATURES = ["workload_type", "payload_size_kb", "time_window", "load_pattern", "timestamp"]


@pytest.fixture(scope="module")
def variance() -> pd.DataFrame:
    return synth.generate("variance", 1200, seed=2)


def _tasks(frame: pd.DataFrame, cv: int, **split) -> tuple[dict, dict | None]:
    prep = prepare(frame, features=FEATURES, keep=(split.get("group"),))
    plan = plan_split(prep.frame, prep.y, cv=cv, seed=0, **split)
    task = {"y": prep.y, "features": prep.features, "train": plan.train, "test": plan.test,
            "folds": plan.folds, "seed": 0, "allow_outcomes": False, "params": None}
    enc = encode(prep.frame, prep.features, allow_outcomes=False, train=plan.train,
                 test=plan.test, fit_sets=[plan.train[a] for a, _ in plan.folds])
    if enc is None:
        return {**task, "frame": prep.frame}, None
    return ({**task, "frame": prep.frame},
            {**task, "x": enc.x, "transform": enc.transform, "groups": enc.groups,
             "probe": enc.probe, "transform_ms": enc.transform_ms})


@pytest.mark.parametrize("kind", ["baseline", "logreg", "rf", "xgb", "lgbm", "mlp"])
def test_encoded_rows_give_the_same_model_and_numbers(variance, kind):
    raw, coded = _tasks(variance, cv=2)
    assert coded is not None
    a = run_model({**raw, "kind": kind}, lambda _e: None)
    b = run_model({**coded, "kind": kind}, lambda _e: None)
    for key in ("metrics", "train_metrics", "cv_scores", "params"):
        assert a[key] == b[key]
    np.testing.assert_array_equal(a["proba_test"], b["proba_test"])
    pd.testing.assert_frame_equal(a["importances"], b["importances"])
    # the saved pipeline takes raw requests, like one fitted on the frame
    rows = variance.head(50)
    np.testing.assert_array_equal(a["pipeline"].predict_proba(rows),
                                  b["pipeline"].predict_proba(rows))


def test_a_fold_missing_a_category_keeps_the_frame(variance):
    """Grouped by load_pattern, a fold's training rows lack one pattern: its own transform
    has other columns, so the run must not share one encoding."""
    _, coded = _tasks(variance, cv=2, split="group", group="load_pattern")
    assert coded is None


def test_permutation_on_encoded_rows_equals_the_raw_one(variance):
    prep = prepare(variance, features=FEATURES)
    pipe = make_pipeline("lgbm", prep.features, seed=0).fit(prep.frame, prep.y)
    raw = permutation("lgbm", pipe, prep.frame, prep.y, seed=3)
    transform = pipe.named_steps["features"]
    groups: dict[str, list[int]] = {}
    for j, src in enumerate(transform.source_feature_):
        groups.setdefault(src, []).append(j)
    coded = permutation_encoded("lgbm", pipe[1:], transform.transform(prep.frame), prep.y,
                                groups, seed=3)
    pd.testing.assert_frame_equal(raw, coded)


def test_the_shared_file_is_memory_mapped_and_removed():
    x = np.arange(12.0).reshape(4, 3)
    with shared_file(x) as path:
        mapped = load(path)
        assert isinstance(mapped, np.memmap)
        np.testing.assert_array_equal(mapped, x)
    assert not os.path.exists(path)


def test_a_killed_runs_folder_is_removed_by_the_next_run(tmp_path, monkeypatch):
    """A run killed before its cleanup (SIGKILL) leaves its folder; the next run removes it,
    and leaves alone a live process's folder and anything not named like a training folder."""
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    stale = tmp_path / f"{PREFIX}{ended.pid}-abc"
    live = tmp_path / f"{PREFIX}{os.getpid()}-def"
    other = tmp_path / "routing-lab-train-notapid"
    for folder in (stale, live, other):
        folder.mkdir()
        (folder / "x.npy").write_bytes(b"0")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with shared_file(np.zeros((2, 2))) as path:
        assert os.path.dirname(os.path.dirname(path)) == str(tmp_path)
    assert not stale.exists()
    assert live.exists() and other.exists()
    assert remove_stale(str(tmp_path)) == []


def test_training_reuses_the_diagnosis_of_the_same_data_and_features(variance):
    cache.clear()
    page = diagnose(variance, features=FEATURES, outcomes=[], ids=[])  # as the page calls it
    run = train_and_compare(variance, features=FEATURES, models=["logreg"], cv=0, seed=0)
    assert run.diagnosis == page.to_dict()
    relabelled = variance.assign(label=1 - variance["label"])
    assert cache.lookup(cache.key(relabelled, label="label", features=FEATURES), True) is None
