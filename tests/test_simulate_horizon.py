"""Long horizons: chunks of one draw give the one long run's figures; the figures agree with
the in-memory simulator on the same requests; bad horizons are refused in one sentence."""

import dataclasses
import itertools
import subprocess
import sys

import numpy as np
import pytest

from core.errors import UserError
from core.simulate.horizon import parse_duration, run_chunks, simulate_long
from core.simulate.results import summarise
from core.simulate.runner import oracle_choice, run_strategy
from core.simulate.scenario import load_scenario
from core.simulate.workload import Requests, draw

SPEC = {"requests": 30_000, "seed": 7, "traffic": {"kind": "diurnal", "rate_per_s": 20,
                                                   "period_s": 3600},
        "fargate": {"min_tasks": 1, "start_delay_s": 20}}
EXACT = ("requests", "served", "lambda_share", "cold_start_rate", "error_rate",
         "routing_accuracy", "lambda_instances_created", "fargate_tasks_launched")


def _piece(req: Requests, a: int, b: int) -> Requests:
    return Requests(**{f.name: getattr(req, f.name)[a:b] for f in dataclasses.fields(req)})


def _chunks(req: Requests, cuts: list[int]):
    return [(_piece(req, a, b), b == cuts[-1]) for a, b in itertools.pairwise(cuts)]


@pytest.fixture(scope="module")
def drawn():
    sc = load_scenario(SPEC)
    return sc, draw(sc)


def test_chunks_of_one_draw_give_the_one_long_run(drawn):
    sc, req = drawn
    horizon = float(req.arrival[-1]) + 1.0
    whole = run_chunks(sc, _chunks(req, [0, len(req)]), horizon_s=horizon, expected=len(req))
    split = run_chunks(sc, _chunks(req, [0, 7_000, 7_001, 19_000, len(req)]),
                       horizon_s=horizon, expected=len(req))
    for name, figures in whole.strategies.items():
        other = split.strategies[name]
        for key in (*EXACT, "latency_p50_ms", "latency_p95_ms", "latency_p99_ms"):
            assert other[key] == figures[key], (name, key)
        for key in ("cost_usd", "latency_mean_ms"):
            assert other[key] == pytest.approx(figures[key], rel=1e-12), (name, key)
    assert split.scenario["long_horizon"]["chunks"] == 4
    np.testing.assert_allclose(split.timeseries["cum_cost_usd"],
                               whole.timeseries["cum_cost_usd"], rtol=1e-12)
    assert (split.timeseries["lambda_instances"] == whole.timeseries["lambda_instances"]).all()


def test_figures_agree_with_the_in_memory_simulator(drawn):
    sc, req = drawn
    horizon = float(req.arrival[-1])
    long = run_chunks(sc, _chunks(req, [0, 10_000, len(req)]), horizon_s=horizon,
                      expected=len(req), strategies=("lambda", "ecs"))
    n = len(req)
    outcomes = {"lambda": run_strategy("lambda", sc, req, np.ones(n, dtype=bool)),
                "ecs": run_strategy("ecs", sc, req, np.zeros(n, dtype=bool))}
    best = oracle_choice(sc, req, outcomes["lambda"], outcomes["ecs"])
    short = summarise(sc, req, outcomes, oracle=best).strategies
    for name in ("lambda", "ecs"):
        for key in EXACT:
            assert long.strategies[name][key] == pytest.approx(short[name][key], rel=1e-12)
        assert long.strategies[name]["latency_mean_ms"] == pytest.approx(
            short[name]["latency_mean_ms"], rel=1e-9)
        for key in ("latency_p50_ms", "latency_p95_ms", "latency_p99_ms"):
            assert long.strategies[name][key] == pytest.approx(short[name][key], rel=2e-3)
    assert long.strategies["lambda"]["cost_usd"] == pytest.approx(short["lambda"]["cost_usd"],
                                                                  rel=1e-12)
    # the fleet runs to the horizon in both; only its end differs by the last request's tail
    assert long.strategies["ecs"]["cost_usd"] == pytest.approx(short["ecs"]["cost_usd"],
                                                               rel=1e-3)


def test_a_horizon_is_drawn_chunk_after_chunk_in_bounded_memory():
    spec = {"seed": 3, "traffic": {"kind": "poisson", "rate_per_s": 40}}
    result = simulate_long(spec, horizon_s=3000.0, chunk_requests=20_000)
    info = result.scenario["long_horizon"]
    assert 118_000 < info["requests"] < 122_000
    full = info["requests"] // 20_000
    assert info["chunks"] in (full, full + 1)  # the last chunk stops at the horizon
    lam = result.strategies["lambda"]
    assert lam["requests"] == info["requests"] == int(result.timeseries.query(
        "strategy == 'lambda'")["requests"].sum())
    assert result.strategies["hybrid"]["vs_lambda"]["savings_usd"] is not None
    again = simulate_long(spec, horizon_s=3000.0, chunk_requests=20_000)
    assert again.strategies == result.strategies  # seeded


@pytest.mark.parametrize("text,seconds", [("3600", 3600.0), ("90m", 5400.0), ("12h", 43_200.0),
                                          ("30d", 2_592_000.0), ("2w", 1_209_600.0)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "-3h", "0", "3 months", "400d", "1e9"])
def test_bad_durations_are_refused(text):
    with pytest.raises(UserError, match="--horizon"):
        parse_duration(text)


def test_trace_and_retries_are_refused_with_what_to_do():
    with pytest.raises(UserError, match="rate curve"):
        simulate_long({"traffic": {"kind": "trace", "timestamps": [0.0, 1.0, 2.5]}},
                      horizon_s=60.0)
    with pytest.raises(UserError, match="on_throttle"):
        simulate_long({"lambda": {"on_throttle": "retry"}}, horizon_s=60.0)
    with pytest.raises(UserError, match="requests"):
        simulate_long({"traffic": {"kind": "poisson", "rate_per_s": 100_000}},
                      horizon_s=parse_duration("300d"))


def test_cli_horizon_json():
    out = subprocess.run([sys.executable, "-m", "core", "simulate", "--horizon", "20m",
                          "--chunk-requests", "10000", "--json"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    import json

    doc = json.loads(out.stdout)
    assert doc["long_horizon"]["horizon_s"] == 1200.0
    assert doc["long_horizon"]["chunks"] >= 1
    assert set(doc["strategies"]) == {"lambda", "ecs", "hybrid"}
    bad = subprocess.run([sys.executable, "-m", "core", "simulate", "--horizon", "soon"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "--horizon" in bad.stderr
