"""Drift on the real Artillery logs split by run: what changed between runs (load pattern,
time window) is drift, what did not (workload mix within bounds, payload per workload) is not;
a planted payload x3 in one workload is found; a file against itself is ok; the function's
own CloudWatch log lines are read back; bad input exits 2 naming the columns."""

from __future__ import annotations

import contextlib
import gzip
import importlib
import io
import json
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from core import labels
from core.cli import drift as drift_cli
from core.cli.dispatch import main
from core.drift import Thresholds, compare, planted_shift, read_function_log, read_table
from core.drift import stats as st
from core.drift.figures import RATIO_CAP, feature_chart, probability_chart, window_chart
from core.errors import UserError
from core.registry import Registry

RUNS = ("early_morning_low_load", "evening_burst_load", "morning_peak_ramp_load")
FEATURES = ["workload_type", "payload_size_kb", "time_window", "load_pattern"]
CHANGED = {"time_window", "load_pattern"}


@pytest.fixture(scope="module")
def runs(artillery_dir):
    return {name: read_table(artillery_dir / name) for name in RUNS}


def _by_feature(report) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in report.features:
        out.setdefault(f["feature"], []).append(f)
    return out


@pytest.mark.parametrize("ref,cur", [(a, b) for a in RUNS for b in RUNS if a != b])
def test_between_runs_only_load_pattern_and_time_window_drift(runs, ref, cur):
    report = compare(runs[ref], runs[cur])
    assert report.verdict == "drift"
    drifted = {f["feature"] for f in report.features if f["drift"]}
    assert drifted == CHANGED
    unseen = {f["feature"]: f["unseen"] for f in report.features if f.get("unseen")}
    assert set(unseen) == CHANGED
    assert unseen["load_pattern"] == {runs[cur]["load_pattern"].iloc[0]: 1.0}
    assert any("retrain" in a.lower() for a in report.advice)


@pytest.mark.parametrize("held_out", RUNS)
def test_two_runs_against_the_third(runs, held_out):
    reference = pd.concat([runs[r] for r in RUNS if r != held_out], ignore_index=True)
    report = compare(reference, runs[held_out])
    assert {f["feature"] for f in report.features if f["drift"]} == CHANGED
    assert all(f["severity"] == "ok" for f in report.features if f["feature"] not in CHANGED)


def test_reference_against_itself_is_ok(runs):
    frame = runs["evening_burst_load"]
    report = compare(frame, frame)
    assert report.verdict == "ok"
    assert all(not f["drift"] and f["value"] < 1e-9 for f in report.features)
    assert report.advice == ["No action: the current traffic looks like the reference."]


def test_planted_payload_shift_in_one_workload_is_found(runs):
    current = planted_shift(runs["evening_burst_load"], "heavy_processing", 3)
    report = compare(runs["early_morning_low_load"], current)
    payload = _by_feature(report)["payload_size_kb"]
    assert all(f["drift"] and f["segment"] == "heavy_processing" for f in payload)
    ks = next(f for f in payload if f["statistic"] == "ks")
    assert ks["value"] > 0.9 and ks["by"] == "workload_type"
    # the unchanged workloads stay quiet
    assert all(s["value"] < 0.1 for s in ks["segments"] if s["segment"] != "heavy_processing")
    # and within one run the shift is the only drift
    same_run = runs["early_morning_low_load"]
    report = compare(same_run, planted_shift(same_run, "medium_processing", 3))
    assert {f["feature"] for f in report.features if f["drift"]} == {"payload_size_kb"}
    bars = feature_chart(report).data
    drawn = {label: x for bar in bars for label, x in zip(bar.y, bar.x, strict=True)}
    assert drawn["payload_size_kb · ks"] == RATIO_CAP  # far past the line, capped
    assert all(x < 1 for label, x in drawn.items() if not label.startswith("payload"))
    assert probability_chart(report) is None  # no model: no predictions to draw


def test_a_feature_with_one_value_per_window_stays_out_of_the_windows(runs):
    """Each load test run has one load pattern: per time window of two runs, load_pattern
    would differ from the whole mix by construction, so only the whole file compares it."""
    reference = pd.concat(runs.values(), ignore_index=True)
    current = pd.concat([runs["evening_burst_load"], runs["morning_peak_ramp_load"]],
                        ignore_index=True)
    report = compare(reference, current)
    measures = set(report.window_table()["measure"])
    assert measures and not any(m.startswith("load_pattern") for m in measures)
    assert any(f["feature"] == "load_pattern" for f in report.features)
    assert any("load_pattern has one value per window" in n for n in report.notes)


def test_a_shift_needs_the_columns_it_shifts(runs):
    with pytest.raises(UserError, match="no payload_size_kb column"):
        planted_shift(runs["early_morning_low_load"].drop(columns="payload_size_kb"),
                      "heavy_processing", 3)


def test_thresholds_are_the_users(runs):
    report = compare(runs["early_morning_low_load"], runs["evening_burst_load"],
                     thresholds=Thresholds(psi=100.0))
    assert not any(f["drift"] for f in report.features if f["statistic"] == "psi")
    with pytest.raises(UserError, match="psi"):
        Thresholds(psi=-1).check()


def test_small_samples_need_significance():
    rng = np.random.default_rng(0)
    a = pd.DataFrame({"workload_type": rng.choice(["x", "y"], 40),
                      "payload_size_kb": rng.normal(10, 2, 40)})
    b = pd.DataFrame({"workload_type": rng.choice(["x", "y"], 40),
                      "payload_size_kb": rng.normal(10, 2, 40)})
    report = compare(a, b, features=["workload_type", "payload_size_kb"])
    assert report.verdict in ("ok", "warn") and not any(f["drift"] for f in report.features)


def test_psi_and_ks_basics():
    assert st.psi_from_shares(np.array([0.5, 0.5]), np.array([0.5, 0.5])) == 0
    test, unseen = st.categorical_psi(pd.Series(["a", "b"] * 50), pd.Series(["a", "c"] * 50))
    assert test.value > 1 and unseen == {"c": 0.5}
    same = np.arange(1000.0)
    assert st.ks(same, same).value == 0 and st.ks(same, same + 5000).value == 1
    assert st.numeric_psi(same, same).value == 0


# -- the deployed function's own logs ------------------------------------------------------
@pytest.fixture(scope="module")
def deployed(runs, tmp_path_factory):
    """A logistic regression trained on one run, saved, packaged as function.zip and
    imported from the unpacked zip (as the Lambda tests do)."""
    from core.deploy.invoke import unpack
    from core.deploy.lambda_pkg import build_from_pipeline
    from core.training import make_pipeline

    frame = labels.ensure_labels(runs["early_morning_low_load"])
    frame = frame[frame["label"].notna()]
    pipe = make_pipeline("logreg", FEATURES, seed=0).fit(frame, frame["label"].astype(int))
    registry = Registry(tmp_path_factory.mktemp("models"))
    model_id = registry.save(pipe, model_type="logreg", metrics={}, features=FEATURES,
                             train_frame=frame, seed=0)
    built = build_from_pipeline(pipe, tmp_path_factory.mktemp("build"), model_id=model_id)
    root = unpack(built.path, tmp_path_factory.mktemp("task"))
    sys.path.insert(0, str(root))
    try:
        yield registry, model_id, importlib.import_module("lambda_function")
    finally:
        sys.path.remove(str(root))
        sys.modules.pop("lambda_function", None)
        sys.modules.pop("evaluator", None)


def _cloudwatch_export(handler, requests: pd.DataFrame, path) -> None:
    """Route each request through the handler and write its stdout as a CloudWatch export to
    S3 does: gzip, each line prefixed by its time, Lambda's START/END/REPORT lines around."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for record in requests[FEATURES].to_dict(orient="records"):
            handler.lambda_handler(record, None)
        handler.lambda_handler({"workload_type": 7}, None)  # a bad request: a 400 line
    lines = []
    for i, line in enumerate(out.getvalue().splitlines()):
        stamp = f"2025-11-23T08:{i // 60 % 60:02d}:{i % 60:02d}.000Z"
        lines += [f"{stamp} START RequestId: r{i} Version: $LATEST", f"{stamp} {line}",
                  f"{stamp} END RequestId: r{i}"]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))


def test_function_logs_are_read_and_compared(deployed, runs, tmp_path, artillery_dir,
                                             capsys):
    registry, model_id, handler = deployed
    sample = runs["evening_burst_load"].sample(300, random_state=0)
    logs = tmp_path / "export.jsonl.gz"
    _cloudwatch_export(handler, sample, logs)
    frame = read_function_log(logs)
    assert len(frame) == 301 and int((frame["status"] == 400).sum()) == 1
    routed = frame[frame["status"] == 200]
    library = registry.load(model_id).pipeline.predict_proba(sample[FEATURES])[:, 1]
    assert np.allclose(routed["lambda_probability"].to_numpy(), library, atol=1e-6)

    code = main(["drift", "--reference", str(artillery_dir / RUNS[0]), "--current", str(logs),
                 "--model", model_id, "--registry", str(registry.root), "--json"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["verdict"] == "drift"
    assert {f["feature"] for f in doc["features"] if f["drift"]} == CHANGED
    assert set(doc["features"][0]) >= {"feature", "statistic", "value", "threshold", "drift"}
    pred = doc["prediction"]
    assert pred["source"] == "logged"
    assert abs(pred["lambda_share"]["current"] - float(np.mean(library >= 0.5))) < 1e-6
    assert doc["rows"]["current"] == 300 and doc["rows"]["current_bad_requests"] == 1
    assert ("300 current rows compared; reference: 8 error rows left out; current: 1 bad "
            "request (HTTP >= 400) left out") in drift_cli.render(doc)
    assert doc["windows"] and all(w["rows"] > 0 for w in doc["windows"])


def test_model_predictions_and_labels_on_request_tables(deployed, runs):
    registry, model_id, _ = deployed
    model = registry.load(model_id)
    report = compare(runs["early_morning_low_load"], runs["morning_peak_ramp_load"],
                     model=model)
    assert report.prediction["source"] == "model"
    acc = report.labels["routing_accuracy"]
    assert 0 <= acc["current"] <= 1 and 0 <= acc["reference"] <= 1
    assert "lambda share" in report.window_table()["measure"].unique()
    self_report = compare(runs["early_morning_low_load"], runs["early_morning_low_load"],
                          model=model)
    assert self_report.verdict == "ok" and not self_report.prediction["drift"]
    assert self_report.labels["routing_accuracy"]["drop"] == 0
    histogram = probability_chart(report).data
    assert [bar.name for bar in histogram] == ["reference", "current"]
    assert sum(histogram[1].y) == pytest.approx(1.0)
    panels = window_chart(report)
    assert panels is not None and {t.name for t in panels.data} == set(
        report.window_table()["measure"])


# -- bad input -----------------------------------------------------------------------------
def test_current_without_the_model_features_exits_2_naming_them(deployed, tmp_path,
                                                                artillery_dir, capsys):
    registry, model_id, _ = deployed
    bad = tmp_path / "other.csv"
    bad.write_text("workload_type,latency_ms,platform\nlightweight_api,12,lambda\n")
    code = main(["drift", "--reference", str(artillery_dir / RUNS[0]), "--current", str(bad),
                 "--model", model_id, "--registry", str(registry.root)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error:") and len(err.strip().splitlines()) == 1
    for column in ("payload_size_kb", "time_window", "load_pattern"):
        assert column in err


def test_empty_current_file_exits_2(tmp_path, artillery_dir, capsys):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    code = main(["drift", "--reference", str(artillery_dir / RUNS[0]), "--current",
                 str(empty)])
    err = capsys.readouterr().err
    assert code == 2 and "empty" in err and len(err.strip().splitlines()) == 1


def test_negative_threshold_is_refused(tmp_path, artillery_dir, capsys):
    try:
        code = main(["drift", "--reference", str(artillery_dir / RUNS[0]), "--current",
                     str(artillery_dir / RUNS[1]), "--psi", "-1"])
    except SystemExit as exit_:  # argparse's own exit
        code = exit_.code
    assert code == 2 and "positive" in capsys.readouterr().err


def test_log_formats_plain_and_filter_log_events(tmp_path):
    line = {"level": "INFO", "event": "route", "status": 200, "platform": "lambda",
            "lambda_probability": 0.9, "request": {"workload_type": "lightweight_api",
                                                   "payload_size_kb": 5.0}}
    plain = tmp_path / "stdout.jsonl"
    plain.write_text(json.dumps({**line, "time": "2025-11-23T08:00:00Z"}) + "\n"
                     + "REPORT RequestId: x Duration: 1 ms\n")
    frame = read_function_log(plain)
    assert len(frame) == 1 and frame["payload_size_kb"].iloc[0] == 5.0
    assert str(frame["routed_at"].iloc[0]) == "2025-11-23 08:00:00+00:00"
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(json.dumps({"timestamp": 1763884800000 + i,
                                            "message": json.dumps(line)}) for i in range(3)))
    frame = read_table(events)
    assert len(frame) == 3 and frame["routed_at"].notna().all()
    assert frame["lambda_probability"].tolist() == [0.9] * 3
    export = tmp_path / "export" / "stream-1"  # S3 export layout: folders of 000000.gz
    export.mkdir(parents=True)
    for i in range(2):
        (export / f"00000{i}.gz").write_bytes(gzip.compress(
            f"2025-11-23T08:00:0{i}.000Z {json.dumps(line)}\n".encode()))
    assert len(read_table(tmp_path / "export")) == 2
    nothing = tmp_path / "other.log"
    nothing.write_text("START RequestId: x\nhello\n")
    with pytest.raises(UserError, match="no route records"):
        read_function_log(nothing)


@settings(max_examples=25, deadline=None)
@given(seed=hst.integers(0, 2**32 - 1), rows=hst.integers(40, 400))
def test_any_table_against_a_shuffle_of_itself_is_ok(seed, rows):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "workload_type": rng.choice(["a", "b", "c"], rows),
        "payload_size_kb": rng.lognormal(3, 1, rows).round(1),
        "time_window": rng.choice(["x", "y"], rows)})
    shuffled = frame.sample(frac=1.0, random_state=int(seed % 2**31)).reset_index(drop=True)
    report = compare(frame, shuffled, features=list(frame.columns))
    assert report.verdict == "ok"
    assert all(f["value"] < 1e-9 and f["value"] >= 0 for f in report.features)


def test_damaged_and_oversized_gzip_logs_are_user_errors(tmp_path, monkeypatch):
    from core.drift import logs

    line = json.dumps({"event": "route", "status": 200, "request": {"workload_type": "a"}})
    data = gzip.compress((line + "\n").encode() * 2000)
    cut = tmp_path / "cut.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(UserError, match=r"cut short|damaged"):
        logs.read_function_log(cut)
    monkeypatch.setattr(logs, "MAX_LOG_BYTES", 10_000)
    whole = tmp_path / "big.gz"
    whole.write_bytes(data)
    with pytest.raises(UserError, match="expands past"):
        logs.read_function_log(whole)
