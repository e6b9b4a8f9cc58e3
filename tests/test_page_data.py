"""Data page (AppTest): demo data, uploads, bad files, roles, relabelling, size limits."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from core import synth

PAGE = "pages/data.py"


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    return synth.generate("variance", rows=400, seed=1)


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _upload(at, *files: tuple[str, bytes]):
    at.get("file_uploader")[0].set_value([(n, b, "application/octet-stream")
                                          for n, b in files]).run()
    return at


def _charts(at) -> int:
    return len(at.get("plotly_chart"))


def test_empty_state_offers_upload_and_demos(app_test):
    at = app_test(PAGE)
    at.run()
    assert not at.exception
    assert any("No data loaded yet" in i.value for i in at.info)
    assert {b.label for b in at.button} >= {"Load demo: variance", "Load demo: trap"}
    assert _charts(at) == 0


def test_demo_loads_with_charts_and_profile(app_test):
    at = app_test(PAGE)
    at.run()
    at.button(key="data_demo_variance").click().run()
    assert not at.exception and not at.error
    assert at.session_state["dataset_name"] == "demo: variance"
    assert _charts(at) >= 5
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows"] == f"{len(at.session_state['dataset']):,}"
    tables = [d.value for d in at.dataframe]
    assert any({"column", "dtype", "role", "missing"} <= set(t.columns) for t in tables)


def test_upload_small_csv_replaces_dataset(app_test, small):
    at = app_test(PAGE)
    at.run()
    _upload(at, ("mine.csv", _csv(small)))
    assert not at.exception and not at.error
    assert at.session_state["dataset_name"] == "mine.csv"
    assert len(at.session_state["dataset"]) == len(small)
    assert _charts(at) >= 5


def test_broken_jsonl_line_loads_good_lines_and_reports_rejection(app_test, small):
    lines = [json.dumps({"request_id": f"r{i}", "platform": p, "workload_type": "lightweight_api",
                         "response_time_ms": 10 + i, "target_payload_size_kb": 1,
                         "http_status": 200, "metrics": {"execution_time_ms": 5 + i}})
             for i, p in enumerate(["lambda", "ecs"] * 5)]
    lines.insert(3, '{"request_id": "broken", "platform": ')
    at = app_test(PAGE)
    at.run()
    _upload(at, ("run.jsonl", "\n".join(lines).encode()))
    assert not at.exception and not at.error
    assert len(at.session_state["dataset"]) == 10
    assert {m.label: m.value for m in at.metric}["Rejected rows"] == "1"
    assert any(t.label.startswith("Rejected rows (1)") for t in at.tabs)
    banner = [w.value for w in at.warning if "rejected" in w.value]
    assert banner and banner[0].startswith("**1 row(s) were rejected**")
    assert "Rejected rows** tab" in banner[0]


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.mark.parametrize("name, data", [
    ("empty.csv", b""),
    ("picture.csv", PNG),
    ("nothing.csv", b"foo,bar\n1,2\n3,4\n"),
])
def test_bad_upload_shows_error_and_keeps_previous_dataset(app_test, small, name, data):
    at = app_test(PAGE, dataset=small, dataset_name="previous")
    at.run()
    _upload(at, (name, data))
    assert not at.exception
    assert at.error and name in at.error[0].value
    assert "Nothing was lost" in at.error[0].value
    assert at.session_state["dataset_name"] == "previous"
    assert _charts(at) >= 5  # the page still works on the previous data


def test_size_limit_refuses_large_upload(app_test, small):
    at = app_test(PAGE)
    at.run()
    at.number_input(key="data_limit_mb").set_value(1).run()
    big = b"request_id,latency_ms\n" + b"r,1\n" * (300 * 1024)  # ~1.2 MB
    _upload(at, ("big.csv", big))
    assert not at.exception
    assert at.error and "size limit" in at.error[0].value
    assert "dataset" not in at.session_state


def test_limit_above_server_cap_says_how_to_raise_it(app_test):
    at = app_test(PAGE)
    at.run()
    at.number_input(key="data_limit_mb").set_value(5000).run()
    assert not at.exception
    assert any("server.maxUploadSize" in i.value for i in at.info)


def test_outcome_as_feature_shows_warning_and_records_override(app_test, small):
    at = app_test(PAGE, dataset=small, dataset_name="small")
    at.run()
    features = next(m for m in at.multiselect if m.label.startswith("Features"))
    features.select("latency_ms").run()
    assert not at.exception
    assert any("latency_ms" in w.value and "leak" in w.value for w in at.warning)
    roles = at.session_state["roles"]
    assert roles.outcome_features() == ["latency_ms"]
    assert "latency_ms" in at.session_state["features"]  # what Variance and Train start from


def test_features_cleaned_elsewhere_are_not_overwritten(app_test, small):
    at = app_test(PAGE, dataset=small, dataset_name="small",
                  features=["workload_type", "payload_size_kb"])
    at.run()
    assert not at.exception
    assert at.session_state["features"] == ["workload_type", "payload_size_kb"]
    assert at.session_state["roles"].features == ["workload_type", "payload_size_kb"]


def test_default_roles_keep_outcomes_out_of_features(app_test, small):
    at = app_test(PAGE, dataset=small, dataset_name="small")
    at.run()
    roles = at.session_state["roles"]
    assert "latency_ms" in roles.outcomes and "latency_ms" not in roles.features
    assert not any("leak" in w.value for w in at.warning)


def test_margin_and_latency_field_relabel_through_core(app_test, small):
    at = app_test(PAGE, dataset=small, dataset_name="small")
    at.run()
    before = at.session_state["dataset"]["label"].copy()
    next(r for r in at.radio if "latency_ms" in r.options).set_value("latency_ms").run()
    at.slider[0].set_value(0.3).run()
    assert not at.exception and not at.error
    after = at.session_state["dataset"]["label"]
    assert not before.equals(after)
    assert any("margin 30%" in c.value and "latency_ms" in c.value for c in at.caption)


def test_one_platform_upload_is_loaded_with_a_warning(app_test, small):
    at = app_test(PAGE)
    at.run()
    only_lambda = small[small["platform"] == "lambda"].drop(columns=["label",
                                                                     "optimal_platform"])
    _upload(at, ("lambda_only.csv", _csv(only_lambda)))
    assert not at.exception and not at.error
    assert at.session_state["dataset_name"] == "lambda_only.csv"
    assert at.warning, "one platform only must be said"


@pytest.mark.parametrize("frame", [pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), pd.DataFrame()],
                         ids=["foreign-columns", "empty"])
def test_odd_dataset_in_session_never_raises(app_test, frame):
    at = app_test(PAGE, dataset=frame, dataset_name="odd")
    at.run()
    assert not at.exception and not at.error


def test_large_frame_is_sampled_for_charts_and_says_so(app_test):
    big = synth.generate("variance", rows=25_000, seed=2)
    at = app_test(PAGE, dataset=big, dataset_name="big")
    at.run()
    assert not at.exception
    assert any("sample of 20,000 of 25,000 rows" in c.value for c in at.caption)


def test_new_dataset_resets_roles_and_labelling(app_test, small):
    at = app_test(PAGE)
    at.run()
    at.button(key="data_demo_variance").click().run()
    next(m for m in at.multiselect if m.label.startswith("Features")).select("latency_ms").run()
    at.slider[0].set_value(0.25).run()
    unlabelled = small.drop(columns=["label", "optimal_platform"])  # labels computed on load
    _upload(at, ("mine.csv", _csv(unlabelled)))
    assert not at.exception and not at.error
    roles = at.session_state["roles"]
    assert "latency_ms" not in roles.features and not roles.outcome_features()
    assert at.slider[0].value == pytest.approx(0.10)


def test_removing_the_bad_file_clears_its_error(app_test, small):
    at = app_test(PAGE, dataset=small, dataset_name="previous")
    at.run()
    _upload(at, ("empty.csv", b""))
    assert at.error
    at.get("file_uploader")[0].clear().run()
    assert not at.exception and not at.error
    assert at.session_state["dataset_name"] == "previous"


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_download_export_round_trips_the_canonical_table(small, suffix):
    import io

    from ui.data_view import _export

    data = _export(small, suffix)()
    back = pd.read_parquet(io.BytesIO(data)) if suffix == ".parquet" else pd.read_csv(
        io.BytesIO(data))
    assert list(back.columns) == list(small.columns) and len(back) == len(small)


def test_reader_bug_is_reported_without_traceback(app_test, small, monkeypatch):
    from core import io as core_io

    def broken(files, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(core_io, "read_uploads", broken)
    at = app_test(PAGE, dataset=small, dataset_name="previous")
    at.run()
    _upload(at, ("odd.csv", b"a,b\n1,2\n"))
    assert not at.exception
    assert "internal error" in at.error[0].value and "boom" in at.error[0].value
    assert at.session_state["dataset_name"] == "previous"


def test_headline_and_profile_read_as_people_write_numbers(app_test, small):
    at = app_test(PAGE, dataset=small, dataset_name="small")
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Lambda-optimal share"].endswith("%")
    table = next(d.value for d in at.dataframe if "dtype" in d.value.columns)
    cells = [c for col in ("min", "max", "example") for c in table[col].astype(str) if c]
    assert all("e+" not in c for c in cells)
    decimals = [c for c in cells if "." in c and c.replace(".", "").isdigit()]
    assert decimals and all(len(c.replace(".", "").lstrip("0")) <= 4 for c in decimals)
    stamp = table.set_index("column").loc["timestamp", "max"]
    assert len(stamp) == 19  # to the second, no microseconds or zone


def test_several_files_are_named_by_count(app_test, small):
    at = app_test(PAGE)
    at.run()
    _upload(at, ("a.csv", _csv(small.head(200))), ("b.csv", _csv(small.tail(200))))
    assert not at.exception and not at.error
    assert at.session_state["dataset_name"] == "2 files (a.csv, …)"


def test_cost_profile_editor_relabels_and_a_bad_edit_keeps_the_labels(app_test, small):
    at = app_test(PAGE, dataset=small, dataset_name="small")
    at.run()
    at.selectbox(key="cost_profile.choice").set_value("aws-2026").run()
    assert not at.exception and not at.error
    assert at.session_state["cost_profile"]["name"] == "aws-2026"
    assert any("costs aws-2026" in c.value for c in at.caption)
    at.radio(key="cost_profile.view").set_value("fleet").run()
    assert not at.exception and not at.error
    fleet = at.session_state["dataset"]["label"].copy()
    assert at.session_state["cost_view"] == "fleet"
    assert any("fleet view" in c.value for c in at.caption)
    # an edit Fargate does not offer (0.3 vCPU): an error naming the field, labels kept
    at.session_state["cost_profile.table.aws-2026"] = {
        "edited_rows": {0: {"fargate_vcpu": 0.3}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert any("fargate_vcpu" in e.value for e in at.error)
    assert at.session_state["dataset"]["label"].equals(fleet)
    assert at.session_state["cost_profile"]["workloads"]["lightweight_api"]["fargate_vcpu"] \
        == 0.25


# -- issue 13: label choice and visible features -----------------------------------------


def test_ecs_only_jsonl_offers_no_outcome_as_label_and_says_how_labels_are_made(app_test):
    rows = [{"request_id": f"r{i}", "platform": "ecs", "workload_type": "lightweight_api",
             "response_time_ms": 40 + i, "cpu_percent": [10, 20][i % 2], "http_status": 200}
            for i in range(29)]
    at = app_test(PAGE)
    at.run()
    _upload(at, ("ecs.jsonl", "\n".join(json.dumps(r) for r in rows).encode()))
    assert not at.exception
    assert not [s for s in at.selectbox if s.label.startswith("Label")]  # cpu_percent: never
    note = next(i.value for i in at.info if i.value.startswith("No label column"))
    assert "computed with balanced_optimal" in note and "costs" in note
    assert "could not be" in note


def test_a_yes_no_label_is_used_as_given(app_test, small):
    given = small.drop(columns=["optimal_platform"]).assign(
        label=small["label"].map({1: "yes", 0: "no"}))
    at = app_test(PAGE)
    at.run()
    _upload(at, ("given.csv", _csv(given)))
    assert not at.exception and not at.error
    frame = at.session_state["dataset"]
    assert frame["label"].tolist() == small["label"].tolist()  # not recomputed
    assert any(i.value.startswith("Labels are given in the data") for i in at.info)
    assert not at.slider  # no margin: nothing is computed unless asked
    share = small["label"].mean()
    assert {m.label: m.value for m in at.metric}["Lambda-optimal share"] == f"{share:.0%}"
    at.button(key="label_compute").click().run()
    assert not at.exception and at.slider  # asked: now computed, with its settings


def test_another_label_like_column_can_be_the_label(app_test, small):
    frame = small.assign(winner=small["label"].map({1: "lambda", 0: "ecs"}))
    at = app_test(PAGE, dataset=frame, dataset_name="x")
    at.run()
    box = next(s for s in at.selectbox if s.label.startswith("Label"))
    assert "winner" in box.options and "cpu_percent" not in box.options
    assert "cold_start" not in box.options
    box.set_value("winner").run()
    assert not at.exception
    assert at.session_state["roles"].label == "winner"
    assert any("`winner`" in i.value for i in at.info)


def test_every_feature_is_listed_in_full_with_derived_sources(app_test, small):
    at = app_test(PAGE, dataset=small, dataset_name="x")
    at.run()
    pick = next(m for m in at.multiselect if m.label.startswith("Features"))
    assert pick.value == ["workload_type", "payload_size_kb", "time_window", "load_pattern"]
    pick.select("timestamp").run()
    captions = [c.value for c in at.caption]
    assert any(c.startswith("The model will see 5 features:") and "hour of day ← timestamp"
               in c for c in captions)
