"""Issue 13 on constructed tables: any labelled table is diagnosed and trained, ID columns and
duplicate records are caught anywhere, a given label is used as given (never guessed or
replaced), every feature is named, thresholds compare what they show."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from core import schema
from core.cli.dispatch import main
from core.diagnostics import CHECKS, CODES, diagnose
from core.errors import UserError
from core.io import read_paths
from core.label_values import label_columns, to_label, with_labels
from core.training.checks import success_checks
from tests.diagnostics_data import (
    clean,
    conflicting_records,
    published,
    sorted_by_label,
    trigger,
)


def status(d) -> dict[str, str]:
    return {c.code: c.status for c in d.checks}


def detail(d, code: str) -> str:
    return next(c.detail for c in d.checks if c.code == code)


# -- 1. a given label is used as given --------------------------------------------------


def test_labelled_table_without_outcomes_is_diagnosed_and_outcome_checks_say_why():
    d = diagnose(published())
    assert d.meta["rows"]["labelled"] == 400
    assert status(d)["OUTCOME_LEAKAGE"] == "not_applicable"
    assert "no outcome columns" in detail(d, "OUTCOME_LEAKAGE")
    assert d.sensitivity["status"] == "not_applicable"
    assert "latency" in d.sensitivity["reason"]
    assert d.ceiling["status"] == "ok" and d.verdict == "ok"


@pytest.mark.parametrize("words", [("yes", "no"), ("true", "false"), ("Lambda", "ECS"),
                                   (True, False), ("1", "0")])
def test_given_label_words_are_mapped(words):
    frame = clean()
    given = frame.assign(label=np.where(frame["label"] == 1, *words))
    assert to_label(given["label"]).tolist() == frame["label"].tolist()
    assert diagnose(given).to_dict()["findings"] == diagnose(frame).to_dict()["findings"]


def test_other_label_values_are_refused_naming_them():
    frame = clean().assign(label=np.resize(["yes", "no", "maybe", "n/a"], 400))
    with pytest.raises(UserError, match=r"holds 'maybe', 'n/a'; a given label must be 1/0, "
                                        r"true/false, lambda/ecs or yes/no"):
        diagnose(frame)


def _write(frame: pd.DataFrame, path) -> str:
    frame.to_csv(path, index=False)
    return str(path)


def test_cli_diagnose_and_ingest_use_a_yes_no_label_as_given(tmp_path, capsys):
    frame = published()
    words = frame.assign(label=np.where(frame["label"] == 1, "yes", "no"))
    path = _write(words, tmp_path / "yesno.csv")
    read = read_paths([path], need_latency=False).frame
    assert read["label"].tolist() == frame["label"].tolist()  # not replaced by computed ones
    assert main(["diagnose", path, "--label", "label", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["rows"]["labelled"] == 400 and "as given" in doc["label_source"]
    assert {c["code"]: c["status"] for c in doc["checks"]}["OUTCOME_LEAKAGE"] == \
        "not_applicable"
    assert main(["diagnose", path]) == 0  # default label column: the given one too
    assert "as given" in capsys.readouterr().out


def test_cli_bad_label_values_and_no_way_to_label_exit_2(tmp_path, capsys):
    frame = published()
    bad = _write(frame.assign(label=np.resize(["yes", "no", "maybe"], 400)), tmp_path / "b.csv")
    assert main(["diagnose", bad]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'maybe'" in err
    none = _write(frame.drop(columns=["label"]), tmp_path / "none.csv")
    assert main(["diagnose", none]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no latency column" in err and "give the table a label column" in err


def test_with_labels_says_where_the_label_came_from():
    given, source = with_labels(clean())
    assert "as given" in source and given["label"].notna().all()
    renamed = clean().rename(columns={"label": "winner"})
    assert with_labels(renamed, "winner")[1] == "label: column 'winner' as given"
    with pytest.raises(UserError, match="no label and no latency values"):
        with_labels(clean().drop(columns=["label"]))


@pytest.mark.slow
def test_cli_train_accepts_a_labelled_table_without_outcomes(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path / "models"))
    frame = published()
    path = _write(frame.assign(label=np.where(frame["label"] == 1, "yes", "no")),
                  tmp_path / "t.csv")
    assert main(["train", path, "--models", "logreg", "--cv", "0", "--no-save", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["rows"] == 400 and "as given" in doc["label_source"]
    assert doc["features"] == ["workload_type", "payload_size_kb", "time_window",
                               "load_pattern"]


# -- 2. column checks on every column ----------------------------------------------------


def test_a_row_number_outside_the_features_is_an_id_and_its_order_fails():
    d = diagnose(sorted_by_label())
    found = d.findings_for("ID_COLUMN")[0]
    assert found.severity == "fail" and found.columns == ("row",)
    row = found.evidence["columns"]["row"]
    assert row["distinct_share"] == 1.0 and row["file_order_spearman"] == 1.0
    assert row["order_kappa"] >= 0.9 and row["label_runs"] == 2
    assert not row["in_features"] and "row" not in d.meta["features"]
    assert "order predicts the label" in found.message


def test_a_file_sorted_by_label_fails_through_its_line_numbers_and_shuffled_does_not(tmp_path):
    frame = clean().sort_values("label", kind="stable")
    sorted_path = _write(frame, tmp_path / "sorted.csv")
    shuffled_path = _write(frame.sample(frac=1.0, random_state=1), tmp_path / "shuffled.csv")
    d = diagnose(read_paths([sorted_path], need_latency=False).frame)
    found = d.findings_for("ID_COLUMN")[0]
    assert found.severity == "fail" and "source_line" in found.columns
    d = diagnose(read_paths([shuffled_path], need_latency=False).frame)
    assert d.findings_for("ID_COLUMN")[0].severity == "info"
    assert d.verdict == "ok"


@pytest.mark.parametrize("make, kind", [
    (lambda n: [f"{u:032x}" for u in np.random.default_rng(0).integers(0, 2**62, n)], "text"),
    (lambda n: np.arange(n) * 137 + 10_000, "whole numbers"),  # file offsets
    (lambda n: np.random.default_rng(1).permutation(n), "whole numbers"),  # shuffled row ids
])
def test_id_like_columns_of_every_kind_are_found(make, kind):
    frame = clean().assign(key=make(400))
    found = diagnose(frame).findings_for("ID_COLUMN")[0]
    assert found.columns == ("key",) and found.evidence["columns"]["key"]["kind"] == kind
    assert found.severity == "info"


def test_measured_floats_and_the_timestamp_are_not_ids():
    frame = published().assign(score=np.random.default_rng(0).random(400))
    d = diagnose(frame)
    assert d.findings_for("ID_COLUMN") == []
    assert "timestamp" not in d.meta["features"]  # not a default feature


def test_a_chosen_timestamp_is_diagnosed_as_hour_of_day():
    d = diagnose(published(), features=["workload_type", "timestamp"])
    assert d.meta["feature_titles"] == ["workload_type", "hour of day ← timestamp"]
    assert d.findings_for("ID_COLUMN") == []
    assert int(d.information.set_index("feature").loc["timestamp", "levels"]) <= 20


# -- 3. duplicates, two kinds ------------------------------------------------------------


def test_exact_records_with_opposite_labels_fail_with_row_numbers():
    frame = conflicting_records()
    d = diagnose(frame)
    found = d.findings_for("CONFLICTING_DUPLICATES")[0]
    assert found.severity == "fail" and d.verdict == "fail"
    ev = found.evidence
    assert ev["conflicting_rows"] == 100 and ev["conflicting_records"] == 50
    rows = ev["rows"]
    twins = frame.iloc[rows[:10]]
    key = ["request_id", "timestamp"]
    for _, group in frame[frame.set_index(key).index.isin(twins.set_index(key).index)].groupby(
            key):
        assert set(group["label"]) == {0, 1}
    assert "request_id" in ev["telling_columns"]
    assert "exact copies of another row" in found.message
    noise = d.findings_for("LABEL_NOISE")[0]  # kept apart: says how much is copies
    assert noise.severity == "info"
    assert noise.evidence["exact_copy_share"] == pytest.approx(100 / 450, abs=1e-4)


def test_same_features_different_label_is_noise_not_integrity():
    d = diagnose(trigger("LABEL_NOISE")[0])
    assert d.findings_for("LABEL_NOISE")[0].severity == "info" and d.verdict == "ok"
    assert status(d)["CONFLICTING_DUPLICATES"] == "not_applicable"
    assert d.ceiling["conflicting_row_share"] > 0
    # with ids every request is distinct: still noise, no integrity problem
    frame = trigger("LABEL_NOISE")[0]
    frame["request_id"] = [f"r{i}" for i in range(len(frame))]
    d = diagnose(frame)
    assert status(d)["CONFLICTING_DUPLICATES"] == "passed"
    assert d.findings_for("LABEL_NOISE")


# -- 4. label choice ---------------------------------------------------------------------


def test_label_columns_offer_only_label_like_columns():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "cpu_percent": np.resize([12.5, 30.0], 29), "cold_start": np.resize([True, False], 29),
        "platform": "ecs", "winner": np.resize(["lambda", "ecs"], 29),
        "is_fast": np.resize(["yes", "no"], 29), "region": np.resize(["eu", "us"], 29),
        "optimal_platform": np.resize(["lambda", "ecs"], 29), "label": rng.integers(0, 2, 29)})
    assert label_columns(frame) == ["label", "optimal_platform", "is_fast", "winner"]
    assert label_columns(frame.drop(columns=["label", "optimal_platform", "is_fast",
                                             "winner"])) == []


def test_ecs_only_jsonl_offers_no_label(tmp_path):
    rows = [{"request_id": f"r{i}", "platform": "ecs", "workload_type": "lightweight_api",
             "latency_ms": 40 + i, "cpu_percent": [10, 20][i % 2], "http_status": 200}
            for i in range(29)]
    path = tmp_path / "ecs.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = read_paths([path]).frame
    assert label_columns(frame) == []


# -- 5. visible features -----------------------------------------------------------------


def test_default_features_are_one_list_everywhere():
    from core import synth
    from core.training.inputs import prepare

    frame = synth.generate("variance", 600, seed=0)
    expected = schema.model_features(frame)
    assert expected == ["workload_type", "payload_size_kb", "time_window", "load_pattern"]
    assert diagnose(frame, fast=True).meta["features"] == expected
    assert prepare(frame, features=None).features == expected
    assert schema.feature_title("timestamp") == "hour of day ← timestamp"


def test_default_features_of_any_table_skip_ids_outcomes_and_constants():
    frame = clean().assign(trace=[f"t{i}" for i in range(400)], latency_ms=1.0,
                           region=np.resize(["eu", "us"], 400), constant="x")
    assert schema.model_features(frame) == ["workload_type", "payload_size_kb", "time_window",
                                            "load_pattern", "region"]


# -- 6. thresholds compare what they show ------------------------------------------------


def _importances(share: float) -> pd.DataFrame:
    rest = (1 - share) / 2
    return pd.DataFrame({"model": "rf", "feature": ["a", "b", "c"], "method": "permutation",
                         "importance": [share, rest, rest], "share": [share, rest, rest]})


@pytest.mark.parametrize("share, shown, passed", [
    (0.403, "40.3 %", False), (0.4, "40 %", True), (0.3996, "39.96 %", True),
    (0.41, "41 %", False)])
def test_dominance_check_shows_the_digits_that_decide(share, shown, passed):
    check = success_checks("rf", {"accuracy": 0.8}, 0.01, _importances(share))[0]
    assert check["passed"] is passed and f"has {shown} of" in check["reason"]


def test_accuracy_and_gap_show_deciding_digits():
    checks = success_checks("rf", {"accuracy": 0.9504}, 0.04996, _importances(0.3))
    assert "4.996 points" in checks[1]["reason"] and checks[1]["passed"]
    assert "0.9504" in checks[2]["reason"] and not checks[2]["passed"]
    # a gap a hair below zero reads "0.0 points", not "-0.0"
    tiny = success_checks("rf", {"accuracy": 0.8}, -0.0001, _importances(0.3))[1]
    assert "is 0.0 points" in tiny["reason"]


# -- declarative checks ------------------------------------------------------------------


def test_checks_are_one_declarative_list():
    assert list(CODES) == [c.code for c in CHECKS]
    for check in CHECKS:
        doc = check.to_dict()
        assert doc["title"] and doc["severity"] and doc["advice"]
        assert set(check.needs) <= {"two_classes", "features", "outcomes", "group", "payload",
                                    "model"}
    assert {c.code for c in CHECKS if c.slow} == {"GOLDEN_FEATURE", "FEATURE_DOMINANCE"}


def test_ignored_checks_are_skipped_and_reported():
    d = diagnose(sorted_by_label(), ignore=["ID_COLUMN", "FEATURE_DOMINANCE"])
    assert d.findings_for("ID_COLUMN") == [] and d.verdict != "fail"
    assert status(d)["ID_COLUMN"] == "ignored" and d.meta["ignored"] == ["ID_COLUMN",
                                                                         "FEATURE_DOMINANCE"]
    with pytest.raises(UserError, match="Unknown check codes \\['NOPE'\\]"):
        diagnose(clean(), ignore=["NOPE"])


def test_cli_ignore_option(capsys, tmp_path):
    path = _write(sorted_by_label(), tmp_path / "s.csv")
    assert main(["diagnose", path, "--ignore", "id_column", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {c["code"]: c["status"] for c in doc["checks"]}["ID_COLUMN"] == "ignored"


def test_conflicting_records_in_a_file_name_their_lines(tmp_path):
    """Through ingestion (no request ids: the timestamp tells rows apart) the finding points
    at file lines; with request ids, ingestion already rejects the repeats by reason."""
    frame = conflicting_records().drop(columns=["request_id"])
    path = _write(frame, tmp_path / "c.csv")
    found = diagnose(read_paths([path], need_latency=False).frame).findings_for(
        "CONFLICTING_DUPLICATES")[0]
    assert found.severity == "fail" and found.evidence["telling_columns"] == ["timestamp"]
    first = found.evidence["rows"][0]
    assert found.evidence["file_lines"][0] == f"{path}:{first + 2}"  # header is line 1


# -- the presets and the real logs keep their verdicts -----------------------------------


@pytest.mark.slow
def test_presets_and_real_logs_keep_their_verdicts(tmp_path, capsys, artillery_dir):
    """As before issue 13 (variance warn, trap fail, real logs warn); the new column checks
    add only information there (ids kept out of the features, label noise)."""
    from core import synth

    paths = synth.write_demo_data(tmp_path)
    expected = {str(paths["variance"]): "warn", str(paths["trap"]): "fail",
                str(artillery_dir): "warn"}
    for path, verdict in expected.items():
        assert main(["diagnose", path, "--json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert doc["verdict"] == verdict, path
        ids = [f for f in doc["findings"] if f["code"] == "ID_COLUMN"]
        assert [f["severity"] for f in ids] == ["info"]
        assert "CONFLICTING_DUPLICATES" not in {f["code"] for f in doc["findings"]}


def test_cli_label_option_reads_any_label_column_as_given(tmp_path, capsys):
    frame = published()
    path = _write(frame.assign(winner=np.where(frame["label"] == 1, "yes", "no"))
                  .drop(columns=["label"]), tmp_path / "w.csv")
    assert main(["diagnose", path, "--label", "winner", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["label"] == "winner" and doc["rows"]["labelled"] == 400
    assert doc["label_source"] == "label: column 'winner' as given"
    assert "winner" not in doc["features"]
    assert main(["diagnose", path]) == 2  # no `label`, no latency: says how to give one
    assert "give the table a label column" in capsys.readouterr().err
