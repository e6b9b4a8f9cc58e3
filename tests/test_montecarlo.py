"""Monte-Carlo seeds on Dask: a two-worker cluster on 127.0.0.1 (started here, as CI does)
gives the same numbers as running the seeds one by one; intervals; CLI contract."""

import contextlib
import json
import socket
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from core.errors import UserError
from core.parallel import local_cluster
from core.simulate.montecarlo import FIGURES, check_seeds, interval, monte_carlo, summarise_seeds
from core.simulate.replay import ReplaySettings

SPEC = {"requests": 3000, "router": {"kind": "random"}}


@pytest.fixture(scope="module")
def scheduler():
    cluster = local_cluster(2)
    yield cluster.scheduler_address
    cluster.close()


@pytest.fixture(scope="module")
def logs() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    n = 400
    platform = rng.choice(["lambda", "ecs"], n)
    execution = 100.0 * np.where(platform == "ecs", 1.1, 1.0) * rng.lognormal(0, 0.3, n)
    return pd.DataFrame({
        "timestamp": pd.Timestamp("2025-11-22") + pd.to_timedelta(np.sort(rng.uniform(
            0, 600, n)), unit="s"),
        "platform": platform, "workload_type": "lightweight_api",
        "payload_size_kb": rng.choice([1.0, 10.0], n), "time_window": "midday",
        "load_pattern": "low_load", "execution_time_ms": execution, "http_status": 200})


@pytest.mark.slow
def test_cluster_and_local_runs_agree_seed_for_seed(scheduler, logs):
    on_dask = monte_carlo(3, spec=SPEC, scheduler=scheduler)
    here = monte_carlo(3, spec=SPEC, scheduler="local")
    assert on_dask["runs"] == here["runs"] and on_dask["ci95"] == here["ci95"]
    assert on_dask["scheduler"] == {"address": scheduler, "workers": 2}
    settings = ReplaySettings(router="random")
    replayed = monte_carlo(3, frame=logs, settings=settings, scheduler=scheduler)
    assert replayed["runs"] == monte_carlo(3, frame=logs, settings=settings,
                                           scheduler="local")["runs"]
    # different seeds are different draws
    costs = [r["hybrid"]["cost_usd"] for r in replayed["runs"]]
    assert len(set(costs)) == 3


@pytest.mark.slow
def test_long_horizon_seeds_on_the_cluster_match_the_local_runs(scheduler):
    spec = {"traffic": {"kind": "poisson", "rate_per_s": 20}}
    kwargs = {"spec": spec, "horizon_s": 1500.0, "chunk_requests": 10_000}
    on_dask = monte_carlo(2, scheduler=scheduler, **kwargs)
    here = monte_carlo(2, scheduler="local", **kwargs)
    assert on_dask["runs"] == here["runs"]
    assert on_dask["runs"][0] != on_dask["runs"][1]
    assert on_dask["ci95"]["hybrid.cost_usd"] is not None


def test_interval_is_students_t_on_the_mean():
    values = [1.0, 2.0, 4.0, 5.0]
    low, high = interval(values)
    expected = stats.t.interval(0.95, 3, loc=3.0, scale=stats.sem(values))
    assert (low, high) == pytest.approx(expected)
    assert interval([2.0, 2.0]) == [2.0, 2.0]
    assert interval([1.0, None]) is None
    # two seeds: t = 12.7; a cost or a share cannot leave its range, so neither does the
    # interval (a cost from 0, a share within 0..1)
    assert interval([0.001, 0.004])[0] == 0.0
    assert interval([0.95, 0.99], (0.0, 1.0))[1] == 1.0
    runs = [{"hybrid": {f: v for f in FIGURES}} for v in (0.01, 0.9)]
    ci95, _ = summarise_seeds(runs)
    assert ci95["hybrid.cost_usd"][0] == 0.0 and ci95["hybrid.cost_usd"][1] > 1
    assert ci95["hybrid.routing_accuracy"] == [0.0, 1.0]
    with pytest.raises(UserError, match="seeds"):
        check_seeds(1)


@pytest.mark.slow
def test_simulate_cli_adds_intervals_and_names_the_scheduler(scheduler):
    proc = subprocess.run([sys.executable, "-m", "core", "simulate", "--requests", "2000",
                           "--seeds", "3", "--scheduler", scheduler, "--json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    low, high = doc["ci95"]["hybrid.cost_usd"]
    assert low <= doc["mean"]["hybrid.cost_usd"] <= high
    assert doc["scheduler"]["address"] == scheduler and doc["seeds"] == [1, 2, 3]


@pytest.mark.slow
def test_text_output_on_a_local_cluster_shows_a_bar_not_dask_logs():
    """Without --json on a fresh local cluster: the seeds' progress bar is stderr's only
    text (distributed logs its cluster start and shutdown at INFO otherwise), even when
    another cluster holds Dask's default port 8787."""
    with contextlib.ExitStack() as stack:
        holder = stack.enter_context(socket.socket())
        with contextlib.suppress(OSError):  # already taken by someone else: as good
            holder.bind(("127.0.0.1", 8787))
            holder.listen()
        proc = subprocess.run([sys.executable, "-m", "core", "simulate", "--requests", "1000",
                               "--seeds", "2"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines == [line for line in lines if "seeds:" in line] and len(lines) == 2
    assert lines[-1].startswith("[" + "#" * 30 + "] 100%") and "seeds: 2/2 done" in lines[-1]
    assert "95 % intervals over 2 seeds" in proc.stdout


def test_an_unreachable_scheduler_is_exit_2_in_one_line():
    proc = subprocess.run([sys.executable, "-m", "core", "simulate", "--requests", "500",
                           "--seeds", "2", "--scheduler", "tcp://127.0.0.1:1", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "Dask scheduler" in proc.stderr


@pytest.mark.parametrize("address", ["not an address", "localhost", "http://x:8786"])
def test_a_malformed_scheduler_address_is_a_user_error(address):
    """Not an internal error (exit 1): the message says what an address looks like."""
    from core.parallel import client

    with (pytest.raises(UserError, match=r"is not a Dask scheduler address.*tcp://HOST:PORT"),
          client(address)):
        pass
