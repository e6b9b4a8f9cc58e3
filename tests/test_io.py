"""core.io readers: every format, the real Artillery logs, canonical columns and the CLI."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.io import IngestResult, read_paths, read_uploads, write_table
from core.schema import CANONICAL_COLUMNS
from tests.conftest import ROOT

#: Lines per folder, from the README of ../shared/data/artillery.
ARTILLERY_LINES = {"morning_peak_ramp_load": 4695, "early_morning_low_load": 15945,
                   "evening_burst_load": 7353}

ROWS = [
    {"request_id": "r1", "platform": "lambda", "workload_type": "lightweight_api",
     "latency_ms": 120.5, "payload_size_kb": 1.0, "http_status": 200},
    {"request_id": "r2", "platform": "ecs", "workload_type": "lightweight_api",
     "latency_ms": 80.0, "payload_size_kb": 5.0, "http_status": 200},
    {"request_id": "r3", "platform": "ecs", "workload_type": "heavy_processing",
     "latency_ms": 900.0, "payload_size_kb": 2048.0, "http_status": 500},
]


def _check_rows(result: IngestResult) -> None:
    frame = result.frame
    assert list(frame["request_id"]) == ["r1", "r2", "r3"]
    assert frame["latency_ms"].tolist() == [120.5, 80.0, 900.0]
    assert frame["is_error"].tolist() == [False, False, True]
    assert result.summary()["rows_rejected"] == 0


def _line_count(path: Path) -> int:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return sum(1 for line in handle if line.strip())


@pytest.mark.parametrize("fmt", ["csv", "json_records", "json_columns", "jsonl", "parquet",
                                 "csv_gz", "jsonl_gz"])
def test_every_reader_gives_the_same_rows(tmp_path, fmt):
    frame = pd.DataFrame(ROWS)
    path = tmp_path / f"data.{fmt.split('_')[0]}"
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "json_records":
        path.write_text(json.dumps(ROWS))
    elif fmt == "json_columns":
        path.write_text(json.dumps({c: frame[c].tolist() for c in frame.columns}))
    elif fmt == "jsonl":
        path.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n")
    elif fmt == "parquet":
        frame.to_parquet(path)
    elif fmt == "csv_gz":
        path = tmp_path / "data.csv.gz"
        path.write_bytes(gzip.compress(frame.to_csv(index=False).encode()))
    else:
        path = tmp_path / "data.jsonl.gz"
        path.write_bytes(gzip.compress("\n".join(json.dumps(r) for r in ROWS).encode()))
    _check_rows(read_paths([path]))


def test_type_comes_from_content_not_extension(tmp_path):
    parquet_as_csv = tmp_path / "really_parquet.csv"
    pd.DataFrame(ROWS).to_parquet(parquet_as_csv)
    jsonl_as_txt = tmp_path / "really_jsonl.txt"
    jsonl_as_txt.write_text("\n".join(json.dumps(r) for r in ROWS))
    gz_without_suffix = tmp_path / "really_gzip.csv"
    gz_without_suffix.write_bytes(gzip.compress(pd.DataFrame(ROWS).to_csv(index=False).encode()))
    for path in (parquet_as_csv, jsonl_as_txt, gz_without_suffix):
        _check_rows(read_paths([path]))


def test_uploads_read_like_files():
    data = pd.DataFrame(ROWS).to_csv(index=False).encode()
    _check_rows(read_uploads([("upload.csv", data)]))


def test_all_artillery_lines_are_rows_or_counted_rejections(artillery_dir):
    result = read_paths([artillery_dir])
    summary = result.summary()
    assert summary["files"] == 32
    per_folder = result.frame["source_file"].map(lambda s: Path(s).parent.name).value_counts()
    for folder, lines in ARTILLERY_LINES.items():
        counted = sum(_line_count(p) for p in (artillery_dir / folder).iterdir())
        assert counted == lines
        rejected = (result.rejected["source"].map(lambda s: Path(s).parent.name) == folder).sum()
        assert per_folder[folder] + rejected == lines
    assert summary["rows_read"] == sum(ARTILLERY_LINES.values())
    assert summary["rows_accepted"] + summary["rows_rejected"] == summary["rows_read"]
    assert sum(summary["rejected_by_reason"].values()) == summary["rows_rejected"]
    assert summary["error_rows"] == 51 + 8 + 0  # the README's HTTP 500 counts
    assert any("README.md" in w for w in summary["warnings"])


def test_artillery_fields_are_mapped(artillery_dir):
    frame = read_paths([artillery_dir / "morning_peak_ramp_load"]).frame
    lam = frame[frame["platform"] == "lambda"]
    ecs = frame[frame["platform"] == "ecs"]
    err = frame[frame["platform"] == "unknown"]
    assert len(lam) == 2757 and len(ecs) == 1887 and len(err) == 51
    assert (frame["latency_ms"] == frame["response_time_ms"]).all()
    assert lam["execution_time_ms"].notna().all() and err["execution_time_ms"].isna().all()
    assert set(lam["memory_mb"].unique()) <= {128.0, 256.0, 512.0}
    assert ecs["memory_mb"].isna().all()
    assert lam["cold_start"].notna().all() and ecs["cold_start"].isna().all()
    assert lam["cold_start"].any()
    assert ecs["cpu_percent"].notna().all() and lam["cpu_percent"].isna().all()
    assert err["is_error"].all() and not frame.loc[frame["platform"] != "unknown",
                                                   "is_error"].any()
    assert err["label"].isna().all()
    assert err["actual_payload_size_kb"].isna().all() and err["payload_size_kb"].notna().all()
    assert "metrics.payload_size_kb" not in frame.columns  # a repeat of actual_payload_size_kb
    assert (frame["time_window"] == "morning_peak").all()
    assert (frame["load_pattern"] == "ramp_load").all()
    assert frame["timestamp"].notna().all()  # both timestamp styles parse
    assert lam["cost_usd"].gt(0).all() and ecs["cost_usd"].gt(0).all()
    assert frame["source_line"].min() == 1


def test_canonical_columns_and_dtypes(artillery_dir):
    frame = read_paths([artillery_dir / "morning_peak_ramp_load"]).frame
    assert list(frame.columns[: len(CANONICAL_COLUMNS)]) == list(CANONICAL_COLUMNS)
    for col in ("is_error", "optimal_platform", "source_file", "source_line"):
        assert col in frame.columns
    for col in ("payload_size_kb", "latency_ms", "execution_time_ms", "memory_mb",
                "cpu_percent", "cost_usd"):
        assert frame[col].dtype == np.float64, col
    for col in ("request_id", "platform", "workload_type", "time_window", "load_pattern"):
        assert pd.api.types.is_string_dtype(frame[col]), col
    assert str(frame["http_status"].dtype) == "Int64"
    assert str(frame["label"].dtype) == "Int64"
    assert str(frame["cold_start"].dtype) == "boolean"
    assert frame["is_error"].dtype == bool
    assert isinstance(frame["timestamp"].dtype, pd.DatetimeTZDtype)


def test_path_hints_fill_missing_run_facts(tmp_path):
    folder = tmp_path / "evening_burst_load"
    folder.mkdir()
    record = {"request_id": "x", "http_status": 200, "response_time_ms": 50,
              "metrics": {"execution_time_ms": 20.0, "memory_limit_mb": "128",
                          "cold_start": False}}
    (folder / "lambda_lightweight_api_2025-11-22.jsonl").write_text(json.dumps(record))
    row = read_paths([tmp_path]).frame.iloc[0]
    assert (row["platform"], row["workload_type"]) == ("lambda", "lightweight_api")
    assert (row["time_window"], row["load_pattern"]) == ("evening", "burst_load")
    assert row["memory_mb"] == 128.0 and row["execution_time_ms"] == 20.0


def test_paired_thesis_columns_kept(tmp_path):
    path = tmp_path / "paired.csv"
    pd.DataFrame({"workload_type": ["lightweight_api", "heavy_processing"],
                  "payload_size_kb": [1.05, 2048.0], "lambda_latency_ms": [30.0, 4000.0],
                  "ecs_latency_ms": [40.0, 3000.0], "lambda_cost_usd": [1e-6, 5e-5],
                  "ecs_cost_usd": [2e-6, 4e-5], "balanced_optimal": [1, 0]}).to_csv(path,
                                                                                    index=False)
    result = read_paths([path])
    frame = result.frame
    assert frame["lambda_latency_ms"].tolist() == [30.0, 4000.0]
    assert frame["ecs_cost_usd"].tolist() == [2e-6, 4e-5]
    assert frame["label"].tolist() == [1, 0]
    assert not any("one platform" in w for w in result.summary()["warnings"])


def test_write_table_round_trip(tmp_path, artillery_dir):
    frame = read_paths([artillery_dir / "morning_peak_ramp_load"]).frame
    for name in ("out.csv", "out.parquet"):
        path = write_table(frame, tmp_path / name)
        again = read_paths([path]).frame
        assert len(again) == len(frame)
        assert np.allclose(again["latency_ms"], frame["latency_ms"])


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", "ingest", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli_round_trip_json(tmp_path, artillery_dir):
    out = tmp_path / "table.parquet"
    rejected = tmp_path / "rejected.csv"
    proc = _cli(str(artillery_dir / "morning_peak_ramp_load"), "--out", str(out),
                "--rejected", str(rejected), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["rows_read"] == 4695 and report["out"] == str(out)
    assert report["rows_accepted"] == len(pd.read_parquet(out))
    assert list(pd.read_csv(rejected).columns) == ["source", "line", "reason", "raw"]


def test_cli_bad_input_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    proc = _cli(str(bad), "--out", str(tmp_path / "x.csv"), "--json")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "empty" in proc.stderr


@pytest.mark.parametrize("doc", [
    {"data": ROWS},
    {"columns": list(ROWS[0]), "data": [list(r.values()) for r in ROWS]},
    pd.DataFrame(ROWS).to_dict(),  # pandas' default to_json layout: {column: {index: value}}
])
def test_json_document_layouts(tmp_path, doc):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc, indent=2))
    _check_rows(read_paths([path]))


def test_single_json_record(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(ROWS[0]))
    assert read_paths([path]).frame["request_id"].tolist() == ["r1"]


def test_parquet_datetimes_and_flags_survive(tmp_path):
    frame = pd.DataFrame(ROWS).assign(
        timestamp=pd.to_datetime(["2025-11-22 19:35:44", "2025-11-22 19:35:45", None]),
        cold_start=[True, False, None], memory_limit_mb=["128", "512 MB", None])
    path = tmp_path / "t.parquet"
    frame.to_parquet(path)
    out = read_paths([path]).frame
    assert str(out["timestamp"].dt.tz) == "UTC" and out["timestamp"].notna().sum() == 2
    assert out["cold_start"].tolist()[:2] == [True, False] and out["cold_start"].isna()[2]
    assert out["memory_mb"].tolist()[:2] == [128.0, 512.0]


def test_arrow_fast_path_equals_line_by_line_reader(artillery_dir, monkeypatch):
    """Clean JSONL goes through Arrow's reader; the result must not depend on that."""
    import core.artillery

    folder = artillery_dir / "morning_peak_ramp_load"
    sample = (folder / "lambda_heavy_processing_2025-11-23.jsonl").read_text()
    assert core.artillery._arrow_jsonl(sample) is not None  # the fast path is taken
    fast = read_paths([folder]).frame
    monkeypatch.setattr(core.artillery, "_arrow_jsonl", lambda text: None)
    slow = read_paths([folder]).frame
    assert list(fast.columns) == list(slow.columns)
    pd.testing.assert_frame_equal(fast, slow)
