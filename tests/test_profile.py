"""core.profile: column profiles and the aggregates the Data page charts, on hand-made data."""

from __future__ import annotations

import pandas as pd
import pytest

from core import profile
from core.schema import Roles


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "request_id": ["a", "b", "c", "d", "e", "f"],
        "platform": ["lambda", "lambda", "lambda", "ecs", "ecs", "lambda"],
        "workload_type": ["api", "api", "heavy", "api", "heavy", "heavy"],
        "payload_size_kb": [1.0, 5.0, 2048.0, 1.0, 4096.0, None],
        "latency_ms": [10.0, 12.0, 900.0, 11.0, 800.0, 950.0],
        "cold_start": [True, False, "true", None, None, False],
        "time_window": ["morning_peak"] * 3 + ["evening"] * 3,
        "label": pd.array([1, 0, 1, 0, 1, pd.NA], dtype="Int64"),
    })


def test_profile_columns_has_fixed_columns_and_roles(frame):
    table = profile.profile_columns(frame)
    assert list(table.columns) == list(profile.PROFILE_COLUMNS)
    by_col = table.set_index("column")
    assert by_col.loc["label", "role"] == "label"
    assert by_col.loc["payload_size_kb", "role"] == "feature"
    assert by_col.loc["latency_ms", "role"] == "outcome"
    assert by_col.loc["request_id", "role"] == "id"
    assert by_col.loc["payload_size_kb", "missing"] == 1
    assert by_col.loc["payload_size_kb", "min"] == "1"
    assert by_col.loc["payload_size_kb", "max"] == "4096"
    assert by_col.loc["workload_type", "distinct"] == 2
    assert by_col.loc["workload_type", "min"] == ""


def test_profile_marks_outcome_used_as_feature(frame):
    roles = Roles(features=["workload_type", "latency_ms"], outcomes=["latency_ms"])
    table = profile.profile_columns(frame, roles).set_index("column")
    assert table.loc["latency_ms", "role"] == "feature (outcome!)"


def test_profile_of_empty_frame_keeps_columns():
    table = profile.profile_columns(pd.DataFrame())
    assert table.empty and list(table.columns) == list(profile.PROFILE_COLUMNS)


def test_cold_start_share_counts_lambda_rows_only(frame):
    shares = profile.cold_start_share(frame).set_index("workload_type")
    assert shares.loc["api", "lambda_requests"] == 2
    assert shares.loc["api", "cold_starts"] == 1
    assert shares.loc["heavy", "cold_start_share"] == pytest.approx(0.5)


def test_cold_start_share_empty_without_lambda_or_column(frame):
    assert profile.cold_start_share(frame.drop(columns="cold_start")).empty
    assert profile.cold_start_share(frame[frame["platform"] == "ecs"]).empty


def test_plot_sample_is_bounded_and_seeded():
    big = pd.DataFrame({"x": range(1000)})
    a = profile.plot_sample(big, max_rows=100, seed=3)
    b = profile.plot_sample(big, max_rows=100, seed=3)
    assert len(a) == 100 and a.equals(b)
    assert profile.plot_sample(big, max_rows=5000) is big


def test_candidates_and_latency_fields(frame):
    assert profile.label_candidates(frame)[0] == "label"
    assert "time_window" in profile.group_candidates(frame)
    assert "latency_ms" not in profile.group_candidates(frame)
    assert profile.latency_fields(frame) == ["latency_ms"]
    with_exec = frame.assign(execution_time_ms=5.0)
    assert profile.latency_fields(with_exec) == ["execution_time_ms", "latency_ms"]


def test_overview_counts_labelled_rows(frame):
    over = profile.overview(frame)
    assert over["rows"] == 6 and over["labelled_rows"] == 5
    assert over["lambda_optimal_share"] == pytest.approx(3 / 5)
    assert over["platforms"] == ["ecs", "lambda"]
    assert profile.overview(frame.drop(columns="label"))["lambda_optimal_share"] is None


def test_box_stats_quartiles_and_tukey_whiskers():
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 100.0]
    frame = pd.DataFrame({"workload_type": "api", "platform": "ecs", "latency_ms": values})
    stats = profile.box_stats(frame, "latency_ms").iloc[0]
    q1, q3 = pd.Series(values).quantile([0.25, 0.75])
    assert stats["n"] == 6 and stats["median"] == pytest.approx(3.5)
    assert stats["q1"] == pytest.approx(q1) and stats["q3"] == pytest.approx(q3)
    assert stats["lowerfence"] == 1.0
    assert stats["upperfence"] == 5.0  # 100 is an outlier beyond 1.5 IQR
    assert profile.box_stats(frame.drop(columns="platform"), "latency_ms").empty
