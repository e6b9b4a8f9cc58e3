"""function.zip and its handler: contents (stdlib only, no pickle), the seed's six scenarios in
a clean interpreter matching the library model, 400s naming the field, API Gateway events,
the fallback route, one JSON log line per request, and fuzzing with arbitrary JSON."""

from __future__ import annotations

import ast
import hashlib
import importlib
import json
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.deploy.invoke import invoke_zip, run_unpacked, unpack
from core.deploy.lambda_pkg import build_from_pipeline
from core.deploy.scenarios import SCENARIOS, scenario_events
from core.errors import UserError
from tests.portable_helpers import FEATURES, fitted

GOOD = {"workload_type": "lightweight_api", "payload_size_kb": 5.0, "time_window": "midday",
        "load_pattern": "medium_load", "timestamp": "2025-11-23T12:00:00Z"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    return build_from_pipeline(fitted("xgb"), out, model_id="xgb-test",
                               registry_metadata={"metrics": {"accuracy": 0.81},
                                                  "created_at": "2026-11-23T17:00:00+00:00"})


@pytest.fixture(scope="module")
def handler(built, tmp_path_factory):
    """The handler module imported from the unpacked zip (in this process, for speed)."""
    root = unpack(built.path, tmp_path_factory.mktemp("task"))
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("lambda_function")
    finally:
        sys.path.remove(str(root))
        sys.modules.pop("lambda_function", None)
        sys.modules.pop("evaluator", None)


def _library_p(events: list[dict]) -> list[float]:
    return list(fitted("xgb").predict_proba(pd.DataFrame(events, columns=FEATURES))[:, 1])


def test_zip_holds_four_stdlib_only_files(built):
    with zipfile.ZipFile(built.path) as zf:
        names = sorted(zf.namelist())
        sources = {n: zf.read(n).decode() for n in names if n.endswith(".py")}
    tag = sys.implementation.cache_tag
    assert names == [f"__pycache__/evaluator.{tag}.pyc", f"__pycache__/lambda_function.{tag}.pyc",
                     "evaluator.py", "lambda_function.py", "metadata.json", "model.json"]
    imported = set()
    for text in sources.values():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    assert imported - set(sys.stdlib_module_names) == {"evaluator"}
    assert "pickle" not in imported and "joblib" not in imported
    assert built.zip_bytes < 200_000


def test_zip_is_reproducible(built, tmp_path):
    again = build_from_pipeline(fitted("xgb"), tmp_path, model_id="xgb-test",
                                registry_metadata={"metrics": {"accuracy": 0.81},
                                                   "created_at": "2026-11-23T17:00:00+00:00"},
                                with_template=False)
    first = Path(built.path).read_bytes()
    assert hashlib.sha256(Path(again.path).read_bytes()).hexdigest() == \
        hashlib.sha256(first).hexdigest() == built.sha256 == again.sha256


def test_six_seed_scenarios_in_clean_interpreter_match_library_model(built):
    result = invoke_zip(built.path, scenario_events())
    assert result["third_party_modules"] == []
    assert not result["sys_path_has_site_packages"]
    assert len(result["responses"]) == len(SCENARIOS) == 6
    assert len(result["logs"]) == 6 and all(json.loads(line)["status"] == 200
                                            for line in result["logs"])
    for response, expected, scenario in zip(result["responses"], _library_p(scenario_events()),
                                            SCENARIOS, strict=True):
        assert response["statusCode"] == 200, scenario["name"]
        body = response["body"]
        assert set(body) == {"prediction", "metrics", "request_context", "model_info"}
        pred = body["prediction"]
        assert set(pred) == {"platform", "confidence", "lambda_probability", "ecs_probability"}
        assert abs(pred["lambda_probability"] - expected) <= 1e-6, scenario["name"]
        assert pred["platform"] == ("lambda" if expected >= 0.5 else "ecs"), scenario["name"]
        assert pred["confidence"] == max(pred["lambda_probability"], pred["ecs_probability"])
        assert abs(pred["lambda_probability"] + pred["ecs_probability"] - 1) < 1e-12
        assert set(body["metrics"]) == {"inference_time_ms", "inference_cost_usd", "timestamp"}
        assert body["metrics"]["inference_cost_usd"] > 2e-7
        assert body["metrics"]["timestamp"].endswith("Z")
        ctx = body["request_context"]
        assert {"workload_type", "payload_size_kb", "time_window"} <= set(ctx)
        assert ctx["workload_type"] == scenario["event"]["workload_type"]
        assert body["model_info"]["model_type"] == "XGBoost"
        assert body["model_info"]["test_accuracy"] == 0.81
        assert body["model_info"]["training_date"].startswith("2026-11-23")


def test_api_gateway_proxy_event_gets_string_body(handler):
    event = {"version": "2.0", "routeKey": "POST /route", "requestContext": {},
             "body": json.dumps(GOOD), "isBase64Encoded": False}
    response = handler.lambda_handler(event, None)
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "application/json"
    body = json.loads(response["body"])
    assert abs(body["prediction"]["lambda_probability"] - _library_p([GOOD])[0]) <= 1e-6


def test_base64_proxy_body(handler):
    import base64

    event = {"requestContext": {}, "isBase64Encoded": True,
             "body": base64.b64encode(json.dumps(GOOD).encode()).decode()}
    assert handler.lambda_handler(event, None)["statusCode"] == 200


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"workload_type": None}, "workload_type", "missing required field"),
    ({"payload_size_kb": "big"}, "payload_size_kb", "must be a number"),
    ({"payload_size_kb": True}, "payload_size_kb", "must be a number"),
    ({"payload_size_kb": -1}, "payload_size_kb", "between 0 and"),
    ({"workload_type": "crypto_mining"}, "workload_type", "unknown workload_type"),
    ({"workload_type": 7}, "workload_type", "non-empty string"),
    ({"time_window": ["midday"]}, "time_window", "non-empty string"),
    ({"timestamp": "yesterday"}, "timestamp", "ISO 8601"),
])
def test_bad_request_gets_400_naming_the_field(handler, change, field, words):
    request = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    response = handler.lambda_handler(request, None)
    assert response["statusCode"] == 400
    assert response["body"]["field"] == field
    assert field in response["body"]["message"] and words in response["body"]["message"]


def test_missing_field_and_bad_json_body(handler):
    missing = handler.lambda_handler({"workload_type": "lightweight_api"}, None)
    assert missing["statusCode"] == 400 and missing["body"]["field"] == "payload_size_kb"
    proxy = handler.lambda_handler({"requestContext": {}, "body": "{not json"}, None)
    assert proxy["statusCode"] == 400 and json.loads(proxy["body"])["field"] == "body"
    assert handler.lambda_handler([1, 2], None)["body"]["field"] == "event"


def test_optional_fields_and_unseen_levels_are_accepted(handler):
    request = {"workload_type": "heavy_processing", "payload_size_kb": 0,
               "time_window": "brunch", "load_pattern": "low_load"}
    response = handler.lambda_handler(request, None)
    assert response["statusCode"] == 200
    assert abs(response["body"]["prediction"]["lambda_probability"]
               - _library_p([request])[0]) <= 1e-6


def test_one_structured_log_line_per_request(handler, capsys):
    handler.lambda_handler(GOOD, type("Ctx", (), {"aws_request_id": "req-1"})())
    handler.lambda_handler({"workload_type": 1}, None)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    first, second = map(json.loads, lines)
    assert first["request_id"] == "req-1" and first["status"] == 200
    assert first["platform"] in ("lambda", "ecs") and "inference_time_ms" in first
    assert second["status"] == 400 and second["field"] == "workload_type"


def test_internal_error_returns_fallback_route(handler, monkeypatch):
    def boom(record):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(handler.MODEL, "predict_proba", boom)
    response = handler.lambda_handler(GOOD, None)
    assert response["statusCode"] == 200
    body = response["body"]
    assert body["fallback"] is True and "model exploded" in body["error"]
    assert body["prediction"]["platform"] == "lambda"
    assert body["prediction"]["lambda_probability"] is None


def test_unexpected_failure_anywhere_still_answers_fallback(handler, monkeypatch):
    monkeypatch.setattr(handler, "_cost_usd", lambda *a: 1 / 0)
    response = handler.lambda_handler({"requestContext": {}, "body": json.dumps(GOOD)}, None)
    body = json.loads(response["body"])
    assert response["statusCode"] == 200 and body["fallback"] is True
    assert "ZeroDivisionError" in body["error"]


def test_broken_model_file_gives_fallback_in_clean_interpreter(built, tmp_path):
    root = unpack(built.path, tmp_path / "task")
    (root / "model.json").write_text('{"format": "something else"}')
    result = run_unpacked(root, [GOOD, {"workload_type": "x"}])
    ok, bad = result["responses"]
    assert ok["statusCode"] == 200 and ok["body"]["fallback"] is True
    assert "ModelFormatError" in ok["body"]["error"]
    assert bad["statusCode"] == 400  # still validated (minimal rules) without a model


def test_edited_source_wins_over_shipped_bytecode(built, tmp_path):
    """The .pyc is checked against the source hash: an edit (Lambda console) takes effect."""
    root = unpack(built.path, tmp_path / "task")
    source = root / "lambda_function.py"
    source.write_text(source.read_text().replace("MAX_PAYLOAD_KB = 1e9", "MAX_PAYLOAD_KB = 10.0"))
    result = run_unpacked(root, [GOOD, {**GOOD, "payload_size_kb": 100.0}])
    assert [r["statusCode"] for r in result["responses"]] == [200, 400]


def test_invoke_refuses_what_is_not_a_function_zip(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        invoke_zip(tmp_path / "missing.zip", [GOOD])
    (tmp_path / "x.zip").write_text("no zip")
    with pytest.raises(UserError, match="not a zip file"):
        invoke_zip(tmp_path / "x.zip", [GOOD])


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)
_near_valid = st.fixed_dictionaries({}, optional={k: st.one_of(st.just(v), _json)
                                                  for k, v in GOOD.items()})
_events = st.one_of(
    _json, _near_valid,
    st.builds(lambda b: {"requestContext": {}, "body": json.dumps(b)}, _near_valid | _json),
    st.builds(lambda t: {"requestContext": {}, "body": t}, st.text(max_size=40)),
    st.builds(lambda t: {"requestContext": {}, "isBase64Encoded": True, "body": t},
              st.text(max_size=40)),
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(event=_events)
def test_fuzzed_events_only_get_200_or_400(handler, event, capsys):
    response = handler.lambda_handler(event, None)
    assert response["statusCode"] in (200, 400)
    body = response["body"]
    body = json.loads(body) if isinstance(body, str) else body
    json.dumps(body, allow_nan=False)
    if response["statusCode"] == 200:
        assert "fallback" not in body  # a healthy model never needs the fallback
        assert 0.0 <= body["prediction"]["lambda_probability"] <= 1.0
    else:
        assert body["field"] and body["message"]
    assert len(capsys.readouterr().out.strip().splitlines()) == 1


@pytest.mark.slow
def test_300_tree_depth_6_xgboost_zip_is_under_1_mb(tmp_path):
    from core.training import make_pipeline
    from tests.portable_helpers import request_frame

    frame = request_frame(rows=4000, seed=1)
    pipe = make_pipeline("xgb", FEATURES, seed=0,
                         params={"n_estimators": 300, "max_depth": 6, "max_bin": 256})
    pipe.fit(frame, frame["label"])
    built = build_from_pipeline(pipe, tmp_path, with_template=False)
    assert built.zip_bytes <= 1_000_000
