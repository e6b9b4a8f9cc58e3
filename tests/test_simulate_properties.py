"""Properties of the engines on random small inputs (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from core.simulate import fargate_platform as fp
from core.simulate import lambda_platform as lp

times = st.lists(st.floats(0.0, 3.0, allow_nan=False), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(gaps=times, seed=st.integers(0, 10_000), limit=st.integers(1, 6),
       provisioned=st.integers(0, 2))
def test_compiled_pool_equals_python_loop(gaps, seed, limit, provisioned):
    provisioned = min(provisioned, limit)
    rng = np.random.default_rng(seed)
    n = len(gaps)
    t = np.cumsum(gaps)
    warm = rng.uniform(0.01, 2.0, n)
    cold = warm + rng.uniform(0.0, 1.0, n)
    ka = rng.uniform(0.0, 3.0, n)
    run = lp.simulate_pool(t, warm, cold, ka, concurrency_limit=limit, provisioned=provisioned)
    ref_cold, ref_err, ref_lat = lp.reference_pool(t, warm, cold, ka, concurrency_limit=limit,
                                                   provisioned=provisioned)
    assert run.cold.tolist() == ref_cold and run.error.tolist() == ref_err
    np.testing.assert_allclose(np.where(run.error, np.nan, run.latency), ref_lat,
                               equal_nan=True)
    # every instance was born in a cold start
    assert len(run.created) <= n and run.cold.sum() == len(run.created)


@settings(max_examples=40, deadline=None)
@given(gaps=times, seed=st.integers(0, 10_000), tasks=st.integers(1, 3),
       slots=st.integers(1, 3))
def test_fixed_fleet_is_fifo_and_never_overbooks(gaps, seed, tasks, slots):
    rng = np.random.default_rng(seed)
    t = np.cumsum(gaps)
    service = rng.uniform(0.01, 3.0, len(t))
    far = {"min_tasks": tasks, "max_tasks": tasks, "per_task_concurrency": slots,
           "start_delay_s": 0.0, "target_utilization": 0.7, "metric_period_s": 60.0,
           "scale_out_cooldown_s": 60.0, "scale_in_cooldown_s": 300.0,
           "queue_timeout_s": 1e9, "vcpu": 1.0, "memory_gb": 2.0}
    run = fp.simulate_fleet(t, service, far)
    assert np.all(run.start >= t) and np.all(np.diff(run.start) >= -1e-12)  # FIFO starts
    events = np.concatenate([np.stack([run.start, np.ones_like(t)], 1),
                             np.stack([run.start + run.busy, -np.ones_like(t)], 1)])
    events = events[np.lexsort((events[:, 1], events[:, 0]))]  # ends before starts at ties
    assert np.cumsum(events[:, 1]).max() <= tasks * slots
