"""export-mlflow: an MLflow python_function folder (models-from-code + portable JSON, no
pickle) that mlflow.pyfunc.load_model loads and that predicts what `core predict` predicts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.cli.dispatch import main
from core.registry import Registry
from tests.portable_helpers import FEATURES, fitted, request_frame

mlflow = pytest.importorskip("mlflow")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A registry with an XGBoost (float32 trees) and an MLP (the least trivial maths)."""
    registry = Registry(tmp_path_factory.mktemp("models"))
    frame = request_frame()
    ids = {kind: registry.save(fitted(kind), model_type=kind, metrics={}, features=FEATURES,
                               train_frame=frame, seed=0) for kind in ("xgb", "mlp")}
    return registry, ids


def _requests(path) -> pd.DataFrame:
    frame = request_frame(rows=200, seed=7).drop(columns="label")
    frame.loc[::17, "time_window"] = "brunch"  # an unseen level
    frame.to_csv(path, index=False)
    return frame


@pytest.mark.parametrize("kind", ["xgb", "mlp"])
def test_exported_model_predicts_what_core_predict_predicts(saved, kind, tmp_path, capsys):
    registry, ids = saved
    out = tmp_path / "mlflow_model"
    assert main(["export-mlflow", ids[kind], "--registry", str(registry.root), "--out",
                 str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["flavor"] == "python_function" and (out / "MLmodel").is_file()
    assert not [f for f in doc["files"] if f.endswith((".pkl", ".pickle", ".joblib"))]
    mlmodel = (out / "MLmodel").read_text()
    assert "model_code_path" in mlmodel and "signature" in mlmodel
    assert (out / "input_example.json").is_file()
    reqs = (out / "requirements.txt").read_text().split()
    assert all("==" in r for r in reqs) and any(r.startswith("mlflow-skinny==") for r in reqs)

    data = tmp_path / "requests.csv"
    frame = _requests(data)
    assert main(["predict", ids[kind], "--registry", str(registry.root), "--data", str(data),
                 "--json"]) == 0
    reference = json.loads(capsys.readouterr().out)["predictions"]
    loaded = mlflow.pyfunc.load_model(str(out))
    got = loaded.predict(frame[FEATURES])
    want = np.array([p["lambda_probability"] for p in reference])
    assert np.max(np.abs(got["lambda_probability"].to_numpy() - want)) <= 1e-6
    assert list(got["platform"]) == [p["platform"] for p in reference]


def test_exported_folder_loads_without_the_project(saved, tmp_path):
    """In a clean interpreter that cannot import core or scikit-learn-backed code paths."""
    registry, ids = saved
    out = tmp_path / "m"
    assert main(["export-mlflow", ids["xgb"], "--registry", str(registry.root), "--out",
                 str(out)]) == 0
    script = (
        "import sys, mlflow, pandas as pd\n"
        f"m = mlflow.pyfunc.load_model({str(out)!r})\n"
        "p = m.predict(pd.DataFrame({'workload_type': ['heavy_processing'],"
        " 'payload_size_kb': [100.0], 'time_window': ['evening'],"
        " 'load_pattern': ['low_load']}))\n"
        "assert 0 <= p['lambda_probability'][0] <= 1\n"
        "print('core' in sys.modules, 'sklearn' in sys.modules, 'xgboost' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-I", "-c", script], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "False", "False"]


def test_out_folder_that_is_not_empty_exits_2(saved, tmp_path, capsys):
    registry, ids = saved
    (tmp_path / "taken.txt").write_text("x")
    code = main(["export-mlflow", ids["xgb"], "--registry", str(registry.root), "--out",
                 str(tmp_path)])
    assert code == 2 and "not an empty folder" in capsys.readouterr().err


def test_training_runs_are_logged_to_a_local_store(tmp_path):
    from mlflow.tracking import MlflowClient

    from core import synth
    from core.tracking import EXPERIMENT, log_training
    from core.training import train_and_compare

    frame = synth.generate("variance", 500, seed=0)
    run = train_and_compare(frame, features=FEATURES[:4], models=["baseline", "logreg"], cv=2,
                            search_budget_s=20, search_trials=4)
    store = tmp_path / "mlruns"
    logged = log_training(run.to_json(), str(store), source="variance")
    assert [r["model"] for r in logged] == ["baseline", "logreg"]
    client = MlflowClient(tracking_uri=f"sqlite:///{store / 'mlflow.db'}")
    exp = client.get_experiment_by_name(EXPERIMENT)
    runs = {r.info.run_name.split()[0]: r for r in client.search_runs([exp.experiment_id])}
    logreg = runs["logreg"]
    assert logreg.data.metrics["accuracy"] == pytest.approx(
        run.results["logreg"].metrics["accuracy"], abs=1e-4)
    assert logreg.data.params["search_trials"] == "4" and "param.C" in logreg.data.params
    history = client.download_artifacts(logreg.info.run_id, "search_history.json", str(tmp_path))
    assert len(json.loads(Path(history).read_text())["history"]) == 4
    assert (store / "artifacts").is_dir()
