"""model.tar.gz for SageMaker: model files at the root, code/inference.py with the four
functions, nothing to pin; loaded from the unpacked archive it matches the library model."""

from __future__ import annotations

import importlib.util
import json
import sys
import tarfile

import pandas as pd
import pytest

from core.deploy.sagemaker import build_from_pipeline
from core.deploy.scenarios import scenario_events
from tests.portable_helpers import FEATURES, fitted


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory):
    out = tmp_path_factory.mktemp("sm")
    result = build_from_pipeline(fitted("lgbm"), out, model_id="lgbm-test")
    target = out / "opt-ml-model"
    with tarfile.open(result["path"]) as tar:
        tar.extractall(target, filter="data")
    return result, target


@pytest.fixture(scope="module")
def inference(unpacked):
    _, root = unpacked
    spec = importlib.util.spec_from_file_location("sm_inference", root / "code" / "inference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("evaluator", None)
    sys.path.remove(str(root / "code"))


def test_tarball_layout(unpacked):
    result, _ = unpacked
    with tarfile.open(result["path"]) as tar:
        names = sorted(tar.getnames())
    assert names == ["code/evaluator.py", "code/inference.py", "code/requirements.txt",
                     "metadata.json", "model.json"]
    assert result["tarball_bytes"] < 200_000


def test_requirements_pin_nothing(unpacked):
    _, root = unpacked
    lines = (root / "code" / "requirements.txt").read_text().splitlines()
    assert all(not line.strip() or line.startswith("#") for line in lines)
    assert not any("==" in line for line in lines)


def test_four_functions_match_library_model(inference, unpacked):
    _, root = unpacked
    model = inference.model_fn(str(root))
    assert model["metadata"]["model_id"] == "lgbm-test"
    events = scenario_events()
    data = inference.input_fn(json.dumps({"instances": events}).encode(), "application/json")
    out = json.loads(inference.output_fn(inference.predict_fn(data, model), "application/json"))
    ref = fitted("lgbm").predict_proba(pd.DataFrame(events, columns=FEATURES))[:, 1]
    got = [p["lambda_probability"] for p in out["predictions"]]
    assert max(abs(a - b) for a, b in zip(got, ref, strict=True)) <= 1e-6
    assert {p["platform"] for p in out["predictions"]} <= {"lambda", "ecs"}


def test_input_formats_and_errors(inference):
    one = inference.input_fn('{"workload_type": "lightweight_api"}', "application/json")
    assert one == [{"workload_type": "lightweight_api"}]
    lines = inference.input_fn('{"a": 1}\n{"a": 2}\n', "application/jsonlines")
    assert len(lines) == 2
    with pytest.raises(ValueError, match="not supported"):
        inference.input_fn("a,b", "text/csv")
    with pytest.raises(ValueError, match="JSON object"):
        inference.input_fn("[1, 2]", "application/json")
    with pytest.raises(ValueError, match="accept type"):
        inference.output_fn([], "text/csv")
