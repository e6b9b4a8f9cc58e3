"""One decision threshold: core predict, the simulator and the deployed handler decide the
same way for the same request, with the threshold stored in the model's version."""

import json
import subprocess
import sys

import numpy as np
import pytest

from core.decision import DEFAULT_THRESHOLD, decision_threshold, platform_for
from core.deploy.invoke import invoke_zip
from core.deploy.lambda_pkg import build_lambda
from core.errors import UserError
from core.registry import Registry
from core.synth import generate
from core.training import make_pipeline

FEATURES = ["workload_type", "payload_size_kb", "time_window", "load_pattern"]


def test_threshold_is_read_from_the_version_and_validated():
    assert decision_threshold({}) == DEFAULT_THRESHOLD
    assert decision_threshold({"extra": {"decision_threshold": 0.7}}) == 0.7
    assert decision_threshold({"decision_threshold": 0.2}) == 0.2
    with pytest.raises(UserError, match="decision_threshold"):
        decision_threshold({"extra": {"decision_threshold": 1.5}})
    assert platform_for(0.7, 0.7) == "lambda" and platform_for(0.69, 0.7) == "ecs"


def test_predict_and_the_deployed_handler_use_the_stored_threshold(tmp_path):
    frame = generate("variance", rows=800, seed=3).dropna(subset=["label"])
    model = make_pipeline("logreg", FEATURES, seed=0).fit(frame, frame["label"].astype(int))
    proba = model.predict_proba(frame.head(40))[:, 1]
    threshold = float(np.median(proba))  # a threshold that splits these requests
    reg = Registry(tmp_path / "models")
    model_id = reg.save(model, model_type="logreg", metrics={"accuracy": 0.7},
                        features=FEATURES, train_frame=frame[[*FEATURES, "label"]], seed=0,
                        extra={"decision_threshold": threshold})
    data = tmp_path / "requests.csv"
    frame.head(40)[FEATURES].to_csv(data, index=False)
    proc = subprocess.run([sys.executable, "-m", "core", "predict", model_id, "--data",
                           str(data), "--registry", str(tmp_path / "models"), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    predicted = [p["platform"] for p in json.loads(proc.stdout)["predictions"]]
    expected = [platform_for(p, threshold) for p in proba]
    assert predicted == expected and len(set(expected)) == 2
    built = build_lambda(model_id, tmp_path / "lambda", registry_root=tmp_path / "models",
                         with_template=False)
    events = frame.head(40)[FEATURES].to_dict("records")
    responses = invoke_zip(built.path, events)["responses"]
    bodies = [json.loads(r["body"]) if isinstance(r.get("body"), str) else r.get("body", r)
              for r in responses]
    deployed = [b["prediction"]["platform"] for b in bodies]
    assert deployed == expected
