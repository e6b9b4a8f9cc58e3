"""Scenario JSON: documented defaults, round trip, and clear UserErrors for bad values."""

import json

import pytest

from core.errors import UserError
from core.simulate.scenario import DEFAULTS, load_scenario


def test_defaults_match_design():
    sc = load_scenario(None)
    raw = sc.to_json()
    assert raw["requests"] == 1_000_000 and raw["seed"] == 1
    assert raw["traffic"]["kind"] == "poisson" and raw["traffic"]["rate_per_s"] == 5.0
    assert raw["lambda"]["memory_mb"] == 512 and raw["lambda"]["keep_alive_s"] == 600
    assert raw["lambda"]["concurrency_limit"] == 1000 and raw["lambda"]["provisioned"] == 0
    assert raw["fargate"] == {**DEFAULTS["fargate"]}
    assert raw["region"] == "eu-west-1" and raw["prices"] == "aws-2026"
    assert sc.mix.probs.sum() == pytest.approx(1.0)


def test_round_trip_through_json(tmp_path):
    spec = {"requests": 500, "traffic": {"kind": "burst", "rate_per_s": 2.0},
            "lambda": {"memory_mb": 1024, "architecture": "arm"}, "prices": "thesis"}
    first = load_scenario(spec).to_json()
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(first))
    assert load_scenario(str(path)).to_json() == first
    assert load_scenario(json.dumps(first)).to_json() == first


def test_requests_override_and_thesis_prices():
    sc = load_scenario({"prices": "thesis"}, requests=10)
    assert sc.requests == 10
    assert sc.fargate_prices.fargate_vcpu_hour_usd == 0.04656


@pytest.mark.parametrize(("spec", "match"), [
    ({"traffic": {"rate_per_s": -1}}, r"traffic.rate_per_s must be > 0.*got -1"),
    ({"lambda": {"memory_mb": 0}}, r"lambda.memory_mb must be >= 128 and <= 10240.*got 0"),
    ({"lambda": {"memory_mb": 10241}}, r"lambda.memory_mb .*10240.*got 10241"),
    ({"mix": {}}, r"request mix is empty"),
    ({"mix": {"lightweight_api": 0}}, r"request mix is empty"),
    ({"traffic": {"kind": "trace", "timestamps": []}}, r"trace .* has no timestamps"),
    ({"traffic": {"kind": "trace"}}, r"trace .* has no timestamps"),
    ({"traffic": {"kind": "trace", "timestamps": ["soon", "later"]}}, r"no readable timestamps"),
    ({"lambda": {"memroy_mb": 512}}, r"Unknown lambda keys \['memroy_mb'\]"),
    ({"mix": {"video": 1.0}}, r"Unknown mix \(workload\) keys \['video'\]"),
    ({"router": {"kind": "model"}}, r"router.model_id is empty"),
    ({"fargate": {"vcpu": 3}}, r"fargate.vcpu must be one of"),
    ({"requests": 0}, r"requests must be >= 1"),
    ({"traffic": {"kind": "tsunami"}}, r"traffic.kind must be one of"),
])
def test_bad_values_raise_user_error_with_advice(spec, match):
    with pytest.raises(UserError, match=match):
        load_scenario(spec)


def test_bad_json_and_missing_file(tmp_path):
    with pytest.raises(UserError, match="not valid JSON"):
        load_scenario("{nope")
    with pytest.raises(UserError, match="not found"):
        load_scenario(str(tmp_path / "missing.json"))


def test_trace_requests_default_to_trace_length():
    sc = load_scenario({"traffic": {"kind": "trace",
                                    "timestamps": ["2025-11-22T10:00:00Z",
                                                   "2025-11-22T10:00:02Z",
                                                   "2025-11-22T10:00:01Z"]}})
    assert sc.requests == 3
    assert list(sc.trace_times) == [0.0, 1.0, 2.0]


def test_mix_from_frame_keeps_payload_shares():
    import pandas as pd

    from core.simulate.scenario import mix_from_frame

    frame = pd.DataFrame({"workload_type": ["lightweight_api"] * 3 + ["heavy_processing"],
                          "payload_size_kb": [1.0, 1.0, 5.0, 2048.0]})
    weights, payloads = mix_from_frame(frame)
    assert weights == {"heavy_processing": 0.25, "lightweight_api": 0.75}
    assert payloads["lightweight_api"] == pytest.approx({"1": 2 / 3, "5": 1 / 3})
    sc = load_scenario({"mix": weights, "payload_kb": payloads})
    assert set(sc.mix.workloads) == {"heavy_processing", "lightweight_api"}


def test_workload_model_is_core_synths():
    """One source of the workload numbers: the simulator reads core.synth's profiles."""
    from core import synth
    from core.simulate.scenario import DEFAULT_NOISE_SIGMA, workload_profiles

    profiles = workload_profiles()
    assert set(profiles) == set(synth.WORKLOAD_PROFILES)
    for name, prof in synth.WORKLOAD_PROFILES.items():
        assert profiles[name]["ms_per_kb"] == prof.ms_per_kb
        assert profiles[name]["payload_kb"] == list(prof.payload_kb)
    assert synth.Scenario.noise == DEFAULT_NOISE_SIGMA
