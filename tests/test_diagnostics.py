"""core.diagnostics: each finding code on data where the answer is known, the presets,
the real logs, and bad input that must give a clear message instead of a crash."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from core.diagnostics import CODES, diagnose
from core.errors import UserError
from tests.diagnostics_data import clean, trigger


def codes(diagnosis) -> set[str]:
    return {f.code for f in diagnosis.findings}


def test_clean_data_has_no_findings_and_verdict_ok():
    d = diagnose(clean())
    assert d.findings == []
    assert d.verdict == "ok"
    status = {c.code: c.status for c in d.checks}
    assert [c.code for c in d.checks] == list(CODES)
    # no outcome columns, and nothing (id, timestamp, measurement) tells rows apart
    assert {c for c, s in status.items() if s != "passed"} == {"OUTCOME_LEAKAGE",
                                                               "CONFLICTING_DUPLICATES"}
    assert {s for s in status.values()} == {"passed", "not_applicable"}


@pytest.mark.parametrize("code", list(CODES))
def test_each_code_is_raised_by_its_constructed_dataset(code):
    frame, kwargs = trigger(code)
    d = diagnose(frame, **kwargs)
    assert code in codes(d)
    found = d.findings_for(code)[0]
    assert found.message and found.advice
    json.dumps(found.evidence)  # plain JSON
    status = {c.code: c.status for c in d.checks}[code]
    assert status in ("issue", "tip")


def test_deterministic_label_names_the_column_and_fails():
    d = diagnose(trigger("DETERMINISTIC_LABEL")[0])
    found = d.findings_for("DETERMINISTIC_LABEL")[0]
    assert found.severity == "fail" and d.verdict == "fail"
    assert found.columns[0] == "workload_type"
    assert found.evidence["columns"]["workload_type"]["one_column_accuracy"] == 1.0


def test_deterministic_label_warns_when_only_some_workloads_are_fixed():
    frame = clean()
    heavy = frame["workload_type"] == "heavy_processing"
    frame.loc[heavy, "label"] = 1
    found = diagnose(frame).findings_for("DETERMINISTIC_LABEL")[0]
    assert found.severity == "warn"
    assert found.evidence["lambda_share_by_workload"] == {"heavy_processing": 1.0}


def test_constant_within_group_lists_the_value_per_workload():
    found = diagnose(trigger("CONSTANT_WITHIN_GROUP")[0]).findings_for(
        "CONSTANT_WITHIN_GROUP")[0]
    assert found.columns == ("region",)
    assert found.evidence["value_by_workload"]["region"]["lightweight_api"] == "eu-0"


def test_outcome_leakage_fails_on_a_leaking_outcome_and_notes_a_harmless_one():
    leaking = diagnose(trigger("OUTCOME_LEAKAGE")[0]).findings_for("OUTCOME_LEAKAGE")[0]
    assert leaking.severity == "fail" and leaking.columns == ("latency_ms",)
    frame = clean()
    frame["cost_usd"] = np.random.default_rng(3).random(len(frame))
    harmless = diagnose(frame).findings_for("OUTCOME_LEAKAGE")[0]
    assert harmless.severity == "info"
    assert "kept out of the default features" in harmless.message


def test_outcome_leakage_catches_a_column_derived_from_an_outcome():
    frame, _ = trigger("OUTCOME_LEAKAGE")
    frame["speed_score"] = 1000.0 / frame["latency_ms"]
    d = diagnose(frame)
    found = d.findings_for("OUTCOME_LEAKAGE")[0]
    assert set(found.columns) == {"latency_ms", "speed_score"}
    assert found.evidence["columns"]["speed_score"]["correlated_with"] == "latency_ms"
    assert "speed_score" not in d.meta["features"]
    assert d.leaked_columns() == ["latency_ms", "speed_score"]


def test_outcome_in_explicit_features_fails_even_when_weak():
    frame = clean()
    frame["cost_usd"] = np.random.default_rng(3).random(len(frame))
    d = diagnose(frame, features=["workload_type", "payload_size_kb", "cost_usd"])
    found = d.findings_for("OUTCOME_LEAKAGE")[0]
    assert found.severity == "fail"
    assert d.clean_features() == ["workload_type", "payload_size_kb"]


def test_golden_feature_measures_lift_not_raw_accuracy():
    d = diagnose(trigger("GOLDEN_FEATURE")[0])
    found = d.findings_for("GOLDEN_FEATURE")[0]
    assert found.columns == ("payload_size_kb",)
    assert found.evidence["lift_share"]["payload_size_kb"] >= 0.98
    assert found.evidence["lift_share"]["time_window"] < 0.5


def test_feature_dominance_reports_importance_shares():
    found = diagnose(trigger("FEATURE_DOMINANCE")[0]).findings_for("FEATURE_DOMINANCE")[0]
    shares = found.evidence["importance_share"]
    assert found.columns == ("payload_size_kb",) and shares["payload_size_kb"] > 0.4
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-3)


def test_label_noise_counts_rows_and_unavoidable_errors():
    d = diagnose(trigger("LABEL_NOISE")[0])
    assert d.findings_for("LABEL_NOISE")[0].severity == "info" and d.verdict == "ok"
    evidence = d.findings_for("LABEL_NOISE")[0].evidence
    assert 0 < evidence["unavoidable_error_share"] <= evidence["conflicting_row_share"]
    assert d.ceiling["ceiling"] == pytest.approx(1 - evidence["unavoidable_error_share"],
                                                 abs=1e-3)


def test_exact_duplicate_rows_warn():
    frame = clean()
    frame["latency_ms"] = np.random.default_rng(1).random(len(frame)) * 100
    doubled = pd.concat([frame, frame.head(40)], ignore_index=True)
    found = diagnose(doubled).findings_for("CONFLICTING_DUPLICATES")[0]
    assert found.severity == "warn"
    assert found.evidence["exact_duplicate_share"] == pytest.approx(40 / 440, abs=1e-3)


def test_class_imbalance_warns_and_one_class_fails_with_a_clear_message():
    assert diagnose(trigger("CLASS_IMBALANCE")[0]).findings_for(
        "CLASS_IMBALANCE")[0].severity == "warn"
    frame = clean()
    frame["label"] = 0
    d = diagnose(frame)
    found = d.findings_for("CLASS_IMBALANCE")[0]
    assert d.verdict == "fail" and found.severity == "fail"
    assert "one class only" in found.message and "ECS-optimal" in found.message
    status = {c.code: c.status for c in d.checks}
    assert status["GOLDEN_FEATURE"] == "not_applicable"
    assert d.ceiling["status"] == "not_applicable"


def test_too_few_levels_counts_sizes_per_workload():
    found = diagnose(trigger("TOO_FEW_LEVELS")[0]).findings_for("TOO_FEW_LEVELS")[0]
    assert set(found.evidence["distinct_sizes_by_workload"].values()) == {2}


def test_id_column_is_kept_out_of_features_unless_chosen():
    frame, _ = trigger("ID_COLUMN")
    d = diagnose(frame)
    assert d.findings_for("ID_COLUMN")[0].severity == "info"
    assert "trace" not in d.meta["features"]
    chosen = diagnose(frame, features=["workload_type", "payload_size_kb", "trace"])
    assert chosen.findings_for("ID_COLUMN")[0].severity == "warn"


def test_error_rows_are_excluded_and_counted():
    frame = clean()
    frame.loc[:19, "label"] = pd.NA
    d = diagnose(frame)
    assert d.meta["rows"] == {"total": 400, "labelled": 380, "unlabelled_excluded": 20}


def test_label_shares_band_and_ceiling_beside_baseline():
    d = diagnose(clean())
    shares = d.label_shares
    assert list(shares.columns) == ["workload", "rows", "lambda_optimal_share", "in_band"]
    assert shares["rows"].sum() == 400 and shares["in_band"].all()
    c = d.ceiling
    assert c["baseline"] < c["cv_ceiling"] <= c["ceiling"] == 1.0


def test_to_dict_is_the_design_json_document():
    d = diagnose(trigger("DETERMINISTIC_LABEL")[0])
    doc = json.loads(json.dumps(d.to_dict()))
    assert doc["verdict"] == "fail"
    for f in doc["findings"]:
        assert {"code", "severity", "columns", "message", "evidence"} <= set(f)
        assert f["code"] in CODES and f["severity"] in ("info", "warn", "fail")
    assert [c["code"] for c in doc["checks"]] == list(CODES)
    frame = d.summary_frame()
    assert list(frame.columns) == ["code", "severity", "columns", "message", "advice"]
    assert frame.iloc[0]["severity"] == "fail"
    assert list(diagnose(clean()).summary_frame().columns) == list(frame.columns)


# -- bad input ---------------------------------------------------------------------------


def test_string_labels_lambda_ecs_are_mapped():
    frame = clean()
    words = frame.assign(label=np.where(frame["label"] == 1, "Lambda", "ecs"))
    assert diagnose(words).to_dict()["findings"] == diagnose(frame).to_dict()["findings"]


@pytest.mark.parametrize("values, match", [
    (["fast", "slow"], "holds 'fast', 'slow'; a given label must be 1/0, true/false, "
                       "lambda/ecs or yes/no"),
    ([1, 2], "holds '2'; a given label must be"),
])
def test_bad_label_values_get_a_clear_message(values, match):
    frame = clean()
    frame["label"] = np.resize(values, len(frame))
    with pytest.raises(UserError, match=match):
        diagnose(frame)


def test_three_rows_get_a_clear_message():
    with pytest.raises(UserError, match=r"Only 3 labelled rows .* at least 10"):
        diagnose(clean().head(3))


def test_missing_label_column_says_how_to_fix():
    with pytest.raises(UserError, match=r"Label column 'target' not found.*--label"):
        diagnose(clean(), label="target")


def test_unknown_feature_is_named():
    with pytest.raises(UserError, match=r"Feature columns \['nope'\]"):
        diagnose(clean(), features=["workload_type", "nope"])


def test_all_nan_columns_are_skipped_with_a_reason():
    frame = clean()
    frame["memory_used_mb"] = np.nan
    frame["notes"] = None
    d = diagnose(frame)
    assert d.meta["skipped_columns"]["notes"] == "all values missing in the labelled rows"
    assert "memory_used_mb" in d.meta["skipped_columns"]
    assert d.verdict == "ok"


def test_only_nan_features_leave_model_checks_not_applicable():
    frame = clean()[["label"]].assign(a=np.nan, b=np.nan)
    d = diagnose(frame, group=None)
    assert d.findings == [] and d.ceiling["status"] == "not_applicable"
    assert {c.status for c in d.checks} <= {"passed", "not_applicable"}


# -- presets and real logs ---------------------------------------------------------------


@pytest.fixture(scope="module")
def presets():
    from core import synth

    return {p: synth.generate(p, rows=3000, seed=0) for p in ("variance", "trap")}


def test_trap_preset_fails_with_the_thesis_findings(presets):
    d = diagnose(presets["trap"])
    assert d.verdict == "fail"
    assert {"DETERMINISTIC_LABEL", "CONSTANT_WITHIN_GROUP", "OUTCOME_LEAKAGE"} <= codes(d)
    leak = d.findings_for("OUTCOME_LEAKAGE")[0]
    assert leak.severity == "fail"
    assert {"latency_ms", "execution_time_ms", "cost_usd"} <= set(leak.columns)
    assert "workload_type" in d.findings_for("DETERMINISTIC_LABEL")[0].columns
    assert d.findings_for("CONSTANT_WITHIN_GROUP")[0].columns == ("payload_size_kb",)
    assert int(d.label_shares["in_band"].sum()) == 0
    cleaned = diagnose(presets["trap"], features=d.clean_features())
    leak = cleaned.findings_for("OUTCOME_LEAKAGE")[0]
    assert leak.severity == "warn" and "not among the chosen features" in leak.message
    assert cleaned.verdict == "fail"  # the label is still a function of the workload


def test_variance_preset_raises_no_false_alarm(presets):
    d = diagnose(presets["variance"])
    assert d.verdict != "fail"
    assert not [f for f in d.findings if f.severity == "fail"]
    assert d.sensitivity["status"] == "ok"
    table = pd.DataFrame(d.sensitivity["table"])
    assert set(table["latency_field"]) == {"execution_time_ms", "latency_ms"}
    assert set(table["margin"]) == {0.0, 0.05, 0.10, 0.15, 0.20}


def test_sensitivity_not_applicable_without_latency_columns():
    d = diagnose(clean())
    assert d.sensitivity["status"] == "not_applicable"
    assert "latency" in d.sensitivity["reason"]


@pytest.mark.slow
def test_real_logs_get_a_per_workload_report(artillery_dir):
    from core import io, labels

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = labels.ensure_labels(io.read_paths([artillery_dir]).frame)
    assert frame["label"].isna().sum() > 0  # HTTP 500 rows have no label
    d = diagnose(frame, fast=True)
    assert d.meta["rows"]["unlabelled_excluded"] == int(frame["label"].isna().sum())
    assert set(d.label_shares["workload"]) == {"lightweight_api", "thumbnail_processing",
                                               "medium_processing", "heavy_processing"}
    assert d.ceiling["status"] == "ok" and d.sensitivity["status"] == "ok"
    assert d.verdict in ("ok", "warn", "fail")
    json.dumps(d.to_dict())


def test_odd_column_types_do_not_crash():
    frame = clean(300)
    rng = np.random.default_rng(0)
    frame["score"] = rng.random(300)
    frame.loc[:5, "score"] = np.inf
    frame["flag"] = pd.array(rng.random(300) < 0.5, dtype="boolean")
    frame.loc[:3, "flag"] = pd.NA
    frame["when"] = pd.date_range("2024-01-01", periods=300, freq="min")
    frame["mixed"] = pd.Series(["a" if r < 0.5 else 1 for r in rng.random(300)], dtype=object)
    frame["label"] = frame["label"].astype(float)
    d = diagnose(frame)
    assert d.verdict != "fail"
    assert d.findings_for("ID_COLUMN")[0].columns == ("when",)
    assert {"score", "flag", "mixed"} <= set(d.meta["features"])
    json.dumps(d.to_dict())


def test_heatmap_grids_rank_payload_sizes_within_each_workload():
    d = diagnose(clean())
    grid = d.share_grids["payload_size_kb"]
    assert list(grid.columns) == ["workload", "level", "text", "rows", "lambda_optimal_share"]
    assert grid.groupby("workload")["level"].apply(list).map(sorted).tolist() == [
        [1, 2, 3, 4, 5]] * 4
    light = grid[grid["workload"] == "lightweight_api"]
    assert light["text"].tolist() == ["1", "2", "3", "4", "5"]
    assert set(d.share_grids) == {"payload_size_kb", "time_window", "load_pattern"}
    assert grid["rows"].sum() == 400


def test_information_table_orders_features_by_mutual_information():
    info = diagnose(trigger("DETERMINISTIC_LABEL")[0]).information
    assert info.iloc[0]["normalized_mi"] == pytest.approx(1.0)
    assert info["mutual_information"].is_monotonic_decreasing


def test_every_finding_counts_the_rows_left_out():
    frame, _ = trigger("DETERMINISTIC_LABEL")
    frame.loc[:9, "label"] = pd.NA
    d = diagnose(frame)
    assert d.findings and all(f.evidence["unlabelled_rows_excluded"] == 10 for f in d.findings)


def test_sensitivity_not_applicable_on_one_platform_logs(presets):
    lambda_only = presets["variance"][presets["variance"]["platform"] == "lambda"]
    d = diagnose(lambda_only, fast=True)
    assert d.sensitivity["status"] == "not_applicable"
    assert "both platforms" in d.sensitivity["reason"]


def test_response_time_is_not_a_second_latency_field_beside_latency_ms():
    from core.diagnostics.sensitivity import latency_fields

    frame = pd.DataFrame({"latency_ms": [1.0], "response_time_ms": [1.0],
                          "execution_time_ms": [0.5]})
    assert latency_fields(frame) == ["execution_time_ms", "latency_ms"]
    assert latency_fields(frame.drop(columns=["latency_ms"])) == ["execution_time_ms",
                                                                  "response_time_ms"]
