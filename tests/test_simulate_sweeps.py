"""Sweeps: break-even rates, the memory (Power Tuning) curve, sensitivity, Dask backend."""

import pytest

from core.errors import UserError
from core.parallel import local_cluster
from core.simulate import sweeps


def test_break_even_rate_per_workload():
    frame, crossings = sweeps.break_even(rates=(0.1, 1.0, 10.0, 100.0),
                                         workloads=["medium_processing"], duration_s=300)
    assert set(frame["platform"]) == {"lambda", "ecs"}
    rate = crossings["medium_processing"]
    assert rate is not None and 0.1 < rate < 100.0  # idle tasks cost; busy ones amortise
    ecs = frame[frame["platform"] == "ecs"].set_index("rate_per_s")["cost_per_million"]
    assert ecs.loc[0.1] > ecs.loc[10.0]


def test_memory_sweep_is_faster_until_one_vcpu_then_only_dearer():
    frame = sweeps.memory_sweep(memories=(128, 512, 1769, 3008), requests=2000)
    lat = frame.set_index("memory_mb")["latency_mean_ms"]
    cost = frame.set_index("memory_mb")["cost_per_million"]
    assert lat[128] > lat[512] > lat[1769]
    assert lat[3008] == pytest.approx(lat[1769], rel=0.05) and cost[3008] > cost[1769]


def test_memory_sweep_rejects_impossible_sizes():
    with pytest.raises(UserError, match=r"lambda\.memory_mb"):
        sweeps.memory_sweep(memories=(64,), requests=100)


def test_sensitivity_has_a_row_per_parameter_and_factor():
    frame = sweeps.sensitivity(params=("lambda.keep_alive_s", "fargate.min_tasks"),
                               requests=1500)
    assert len(frame) == 1 + 2 * 2
    assert frame.loc[0, "parameter"] == "baseline"
    assert frame["savings_vs_lambda_pct"].notna().all()


@pytest.mark.slow
def test_sweep_runs_on_a_dask_cluster_with_the_same_results():
    """A two-worker cluster on 127.0.0.1 (its address, as --scheduler takes it) gives the
    same sweep as the in-process run."""
    with local_cluster(2) as cluster:
        frame = sweeps.memory_sweep(memories=(256, 1024), requests=1000,
                                    scheduler=cluster.scheduler_address)
    local = sweeps.memory_sweep(memories=(256, 1024), requests=1000)
    assert frame.equals(local)


def _save_model(root) -> str:
    from core.registry import Registry
    from core.training import make_pipeline
    from tests.portable_helpers import request_frame

    frame = request_frame(200)
    features = ["workload_type", "payload_size_kb"]
    pipe = make_pipeline("logreg", features, seed=0).fit(frame, frame["label"])
    return Registry(root).save(pipe, model_type="logreg", metrics={"accuracy": 1.0},
                               features=features, train_frame=frame, seed=0)


def test_model_router_sweep_loads_the_model_once_from_the_given_registry(tmp_path,
                                                                           monkeypatch):
    """The model lives in a registry folder other than $ROUTING_LAB_MODELS (as when the page
    chose one): the sweep reads it there, once, and every point is routed by it."""
    from core.simulate import routers

    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path / "empty"))
    chosen = tmp_path / "chosen"
    model_id = _save_model(chosen)
    loads = []
    real = routers.load_model
    monkeypatch.setattr(routers, "load_model",
                        lambda ref, root=None: loads.append((ref, root)) or real(ref, root))
    spec = {"router": {"kind": "model", "model_id": model_id}}
    frame = sweeps.sensitivity(spec, params=("lambda.keep_alive_s", "fargate.min_tasks"),
                               requests=1500, registry_root=str(chosen))
    assert loads == [(model_id, str(chosen))]
    assert len(frame) == 5 and frame["hybrid_cost_usd"].notna().all()
    with pytest.raises(UserError, match="not in the registry"):
        sweeps.sensitivity(spec, params=("fargate.min_tasks",), requests=500)


def test_model_router_sweep_takes_a_loaded_pipeline():
    from tests.portable_helpers import fitted

    spec = {"router": {"kind": "model", "model_id": "in-memory"}}
    frame = sweeps.sensitivity(spec, params=("fargate.min_tasks",), requests=1000,
                               model=fitted("logreg"))
    assert len(frame) == 3
