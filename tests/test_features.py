"""FeatureTransform: encoding, unseen levels, outcome refusal, JSON round trip."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from core.errors import UserError
from core.features import FeatureTransform, default_features, hour_of_day


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "workload_type": ["lightweight_api", "heavy_processing", "lightweight_api", None],
        "payload_size_kb": [1.0, 2048.0, np.nan, 5.0],
        "time_window": ["morning_peak", "evening", "evening", "midday"],
        "timestamp": ["2025-11-22T06:00:00", "2025-11-22T18:00:00Z", "bad", None],
        "latency_ms": [10.0, 20.0, 30.0, 40.0],
    })


def test_columns_and_sources():
    t = FeatureTransform(["workload_type", "payload_size_kb", "timestamp"]).fit(_frame())
    assert t.feature_names_out_ == [
        "workload_type=heavy_processing", "workload_type=lightweight_api",
        "payload_size_kb", "log1p_payload_size_kb", "hour_sin", "hour_cos"]
    assert t.source_feature_ == ["workload_type", "workload_type", "payload_size_kb",
                                 "payload_size_kb", "timestamp", "timestamp"]
    assert t.kinds_ == {"workload_type": "categorical", "payload_size_kb": "numeric",
                        "timestamp": "hour"}
    out = t.transform(_frame())
    assert out.shape == (4, 6)
    assert out[2, 2] == t.medians_["payload_size_kb"] == 5.0       # NaN -> median
    assert out[1, 3] == pytest.approx(np.log1p(2048.0))
    assert out[0, 4] == pytest.approx(1.0) and out[1, 4] == pytest.approx(-1.0)  # 6h, 18h


def test_unseen_and_missing_categories_become_all_zeros():
    t = FeatureTransform(["workload_type"]).fit(_frame())
    new = pd.DataFrame({"workload_type": ["video_transcoding", None]})
    np.testing.assert_array_equal(t.transform(new), np.zeros((2, 2)))


def test_outcomes_are_refused_unless_allowed():
    with pytest.raises(UserError, match="leak the label"):
        FeatureTransform(["payload_size_kb", "latency_ms"]).fit(_frame())
    t = FeatureTransform(["latency_ms"], allow_outcomes=True).fit(_frame())
    assert t.feature_names_out_ == ["latency_ms"]


def test_missing_column_and_empty_features_are_user_errors():
    with pytest.raises(UserError, match="not in the data"):
        FeatureTransform(["load_pattern"]).fit(_frame())
    with pytest.raises(UserError, match="No features"):
        FeatureTransform().fit(pd.DataFrame({"x_unknown": [1, 2]}))
    t = FeatureTransform(["workload_type"]).fit(_frame())
    with pytest.raises(UserError, match="lacks feature columns"):
        t.transform(pd.DataFrame({"other": [1]}))


def test_json_round_trip_transforms_identically():
    t = FeatureTransform(["workload_type", "payload_size_kb", "time_window", "timestamp"])
    t.fit(_frame())
    spec = json.loads(json.dumps(t.to_dict()))
    back = FeatureTransform.from_dict(spec)
    np.testing.assert_array_equal(back.transform(_frame()), t.transform(_frame()))
    assert back.source_feature_ == t.source_feature_
    with pytest.raises(UserError, match="version"):
        FeatureTransform.from_dict({**spec, "format_version": 99})


def test_default_features_are_pre_routing_columns_present():
    assert default_features(_frame()) == ["workload_type", "payload_size_kb", "time_window",
                                          "timestamp"]


def test_hour_of_day_handles_mixed_styles_and_garbage():
    hours = hour_of_day(pd.Series(["2025-11-22T19:35:44", "2025-11-22T01:30:00Z", "x"]))
    assert hours[0] == pytest.approx(19 + 35 / 60 + 44 / 3600)
    assert hours[1] == pytest.approx(1.5) and np.isnan(hours[2])
