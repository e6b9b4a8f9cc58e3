"""Long horizons run in time chunks that carry the platform state: the chunks together must
be exactly the one long run (every request's start, service, cold start and error; every
instance's and task's lifetime)."""

from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.simulate import fargate_platform as fp
from core.simulate import lambda_platform as lp

gaps = st.lists(st.floats(0.0, 3.0, allow_nan=False), min_size=2, max_size=60)


def _cuts(n: int, seed: int, pieces: int) -> list[int]:
    rng = np.random.default_rng(seed)
    inner = sorted(rng.choice(np.arange(1, n), size=min(pieces, n - 1), replace=False))
    return [0, *inner, n]


def _pool_in_chunks(t, warm, cold, ka, cuts, **kw):
    state, parts, lifetimes, created = None, [], [], 0
    for a, b in pairwise(cuts):
        final = b == cuts[-1]
        run = lp.simulate_pool(t[a:b], warm[a:b], cold[a:b], ka[a:b], state=state,
                               final=final, **kw)
        parts.append(run)
        lifetimes += list(zip(run.created, run.expires, strict=True))
        created += run.new_instances
        state = run.state
    return parts, sorted(lifetimes), created


@settings(max_examples=80, deadline=None)
@given(gaps=gaps, seed=st.integers(0, 10_000), limit=st.integers(1, 6),
       provisioned=st.integers(0, 2), pieces=st.integers(1, 5))
def test_pool_in_chunks_is_the_one_long_run(gaps, seed, limit, provisioned, pieces):
    provisioned = min(provisioned, limit)
    rng = np.random.default_rng(seed)
    n = len(gaps)
    t = np.cumsum(gaps)
    warm = rng.uniform(0.01, 2.0, n)
    cold = warm + rng.uniform(0.0, 1.0, n)
    ka = rng.uniform(0.0, 3.0, n)
    kw = {"concurrency_limit": limit, "provisioned": provisioned}
    whole = lp.simulate_pool(t, warm, cold, ka, **kw)
    parts, lifetimes, created = _pool_in_chunks(t, warm, cold, ka, _cuts(n, seed, pieces), **kw)
    for field in ("start", "busy", "cold", "error"):
        np.testing.assert_array_equal(np.concatenate([getattr(p, field) for p in parts]),
                                      getattr(whole, field))
    assert lifetimes == sorted(zip(whole.created, whole.expires, strict=True))
    assert created == len(whole.created) == whole.new_instances
    assert parts[-1].state is None


def test_idle_expired_instances_leave_the_carried_state():
    """Memory is bounded by live instances: a quiet gap between chunks empties the pool."""
    t = np.arange(100, dtype=float) * 0.01
    warm = np.full(100, 0.5)
    ka = np.full(100, 1.0)
    first = lp.simulate_pool(t, warm, warm, ka, state=None, final=False)
    assert len(first.state.created) == first.new_instances > 0
    later = lp.simulate_pool(t + 1000.0, warm, warm, ka, state=first.state, final=False)
    assert len(first.created) == 0  # all were still busy or warm at the first chunk's end
    assert len(later.created) == first.new_instances  # they expired in the gap
    assert len(later.state.created) == later.new_instances


def test_a_chunked_pool_refuses_retries():
    t = np.array([0.0, 1.0])
    with pytest.raises(ValueError, match="pending retries"):
        lp.simulate_pool(t, t + 1, t + 1, t, retry=True, final=False)


FLEET = {"min_tasks": 1, "max_tasks": 6, "per_task_concurrency": 2, "start_delay_s": 2.0,
         "target_utilization": 0.6, "metric_period_s": 5.0, "scale_out_cooldown_s": 5.0,
         "scale_in_cooldown_s": 10.0, "queue_timeout_s": 30.0, "vcpu": 1.0, "memory_gb": 2.0}


@settings(max_examples=80, deadline=None)
@given(gaps=gaps, seed=st.integers(0, 10_000), min_tasks=st.integers(0, 2),
       slots=st.integers(1, 3), vcpu=st.sampled_from([0.25, 1.0, 2.0]),
       pieces=st.integers(1, 5))
def test_fleet_in_chunks_is_the_one_long_run(gaps, seed, min_tasks, slots, vcpu, pieces):
    far = {**FLEET, "min_tasks": min_tasks, "per_task_concurrency": slots, "vcpu": vcpu}
    rng = np.random.default_rng(seed)
    n = len(gaps)
    t = np.cumsum(gaps) * 0.3
    io = rng.uniform(0.0, 1.0, n)
    cpu = rng.uniform(0.0, 2.0, n)
    whole = fp.simulate_fleet(t, io, far, cpu_s=cpu)
    cuts = _cuts(n, seed, pieces)
    state, parts = None, []
    for a, b in pairwise(cuts):
        run = fp.simulate_fleet(t[a:b], io[a:b], far, cpu_s=cpu[a:b], state=state,
                                final=b == n)
        parts.append(run)
        state = run.state
    for field in ("start", "busy", "error", "task"):
        np.testing.assert_array_equal(np.concatenate([getattr(p, field) for p in parts]),
                                      getattr(whole, field))
    last = parts[-1]
    for field in ("launch", "ready", "stop"):
        np.testing.assert_array_equal(getattr(last, field), getattr(whole, field))
