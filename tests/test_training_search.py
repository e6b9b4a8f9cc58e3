"""Optuna search: TPE with a seed gives the same trials twice, trial 0 is the zoo's setting,
the trial and time budgets hold, weak candidates are pruned fold by fold, and the history
reaches `train --json`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import StratifiedKFold

from core import synth
from core.errors import UserError
from core.training import train_and_compare
from core.training.inputs import prepare
from core.training.search import DEFAULTS, PRESETS, search, to_json, trials_from

FEATURES = ["workload_type", "payload_size_kb", "time_window", "load_pattern"]
DEMO = Path(__file__).resolve().parents[1] / "data" / "variance.csv"


@pytest.fixture(scope="module")
def data():
    frame = synth.generate("variance", 800, seed=0)
    prep = prepare(frame, features=FEATURES, label="label")
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(prep.frame, prep.y))
    return prep.frame, prep.y, folds


def _run(data, kind="logreg", **kw):
    x, y, folds = data
    kw = {"seed": 3, "budget_s": 60.0, "n_trials": 12, **kw}
    return search(kind, FEATURES, x, y, folds, **kw)


def test_same_seed_same_trials_and_trial_zero_is_the_default(data):
    first, second = _run(data), _run(data)
    assert [h["params"] for h in first["history"]] == [h["params"] for h in second["history"]]
    assert first["params"] == second["params"] and first["trials"] == 12
    assert first["history"][0]["params"] == DEFAULTS["logreg"]
    assert first["best_value"] >= first["history"][0]["roc_auc"]
    other = _run(data, seed=4)
    assert [h["params"] for h in other["history"]] != [h["params"] for h in first["history"]]


def test_weak_candidates_are_pruned_before_all_folds(data):
    result = _run(data, kind="lgbm", n_trials=20)
    pruned = [h for h in result["history"] if h["state"] == "pruned"]
    assert result["pruned"] == len(pruned) >= 1
    assert all(h["folds"] < 3 for h in pruned)
    assert all(h["folds"] == 3 for h in result["tried"])


def test_time_budget_stops_the_search(data):
    result = _run(data, kind="rf", n_trials=1000, budget_s=1.0)
    assert 1 <= result["trials"] < 1000 and result["tried"]


def test_presets_and_bad_budgets():
    assert trials_from("thorough") == 50 == PRESETS["thorough"] and trials_from(7) == 7
    with pytest.raises(UserError):
        trials_from(0)
    with pytest.raises(UserError):
        trials_from("many")


def test_search_refuses_nonsense(data):
    with pytest.raises(UserError):
        _run(data, budget_s=-1.0)
    with pytest.raises(UserError):
        _run(data, kind="baseline")


def test_mlp_layers_come_back_as_tuples_and_json_as_lists(data):
    result = _run(data, kind="mlp", n_trials=3)
    assert isinstance(result["params"]["hidden_layer_sizes"], tuple)
    doc = to_json(result)
    assert isinstance(doc["params"]["hidden_layer_sizes"], list)
    assert len(doc["history"]) == 3 and doc["sampler"] == "TPE"


def test_train_run_reports_the_search_history():
    frame = synth.generate("variance", 600, seed=1)
    run = train_and_compare(frame, features=FEATURES, models=["logreg"], cv=2, seed=0,
                            search_budget_s=30, search_trials=6)
    result = run.results["logreg"]
    assert result.ok and len(result.search["history"]) == 6
    assert result.params in [t["params"] for t in result.search["tried"]]
    doc = run.to_json()["models"]["logreg"]["search"]
    assert doc["trials"] == 6 and doc["n_trials"] == 6
    assert np.isfinite(doc["best_value"]) and isinstance(pd.DataFrame(doc["history"]),
                                                          pd.DataFrame)
    # the report's model section names the search and tabulates it
    from core.report.builder import _models
    from core.report.document import Section
    from core.report.records import Story

    section = Section("Model comparison")
    assert _models(Story(source="test", frame=frame, train_run=run), section)
    tables = {b.name: b.table for b in section.blocks if b.kind == "table"}
    assert "models_search" in tables and tables["models_search"]["trials"].tolist() == [6]
    assert any("Optuna" in (b.text or "") for b in section.blocks if b.kind == "text")


def test_cli_trial_presets_match_and_bad_trials_exit_2(capsys):
    from core.cli.dispatch import main
    from core.cli.train import TRIAL_PRESETS

    assert TRIAL_PRESETS == PRESETS
    for bad in ("0", "many"):
        try:
            code = main(["train", str(DEMO), "--search", "5", "--trials", bad])
        except SystemExit as exit_:  # argparse's own exit
            code = exit_.code
        assert code == 2 and "--trials" in capsys.readouterr().err
