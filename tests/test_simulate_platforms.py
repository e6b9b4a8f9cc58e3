"""The two platform engines against queueing theory and a plain-Python reference."""

import math

import numpy as np
import pytest

from core.simulate import fargate_platform as fp
from core.simulate import lambda_platform as lp

FIXED_FLEET = {"min_tasks": 2, "max_tasks": 2, "per_task_concurrency": 2, "start_delay_s": 45.0,
               "target_utilization": 0.7, "metric_period_s": 60.0,
               "scale_out_cooldown_s": 60.0, "scale_in_cooldown_s": 300.0,
               "queue_timeout_s": 1e9, "vcpu": 1.0, "memory_gb": 2.0}


def test_single_instance_cold_start_rate_matches_keep_alive_formula():
    """One Lambda instance (concurrency limit 1), Poisson arrivals at rate λ, keep-alive T.

    After the instance finishes a request, the next *served* request is the first arrival
    after that moment; by memorylessness its wait is Exp(λ) whatever the service time, and it
    is cold exactly when that wait exceeds T. So among served requests

        P(cold) = exp(-λ T)        (λ = 1/s, T = 1 s: 0.3679)

    Requests arriving while the instance is busy are throttled and not counted.
    """
    rng = np.random.default_rng(42)
    lam, keep_alive, n = 1.0, 1.0, 200_000
    t = np.cumsum(rng.exponential(1 / lam, n))
    service = rng.exponential(0.02, n)
    run = lp.simulate_pool(t, service, service, np.full(n, keep_alive), concurrency_limit=1)
    served = ~run.error
    assert run.error.any()  # the limit really bit
    assert abs(run.cold[served].mean() - math.exp(-lam * keep_alive)) < 0.01


def _erlang_c_wait(c: int, lam: float, mu: float) -> float:
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


def test_fixed_fargate_fleet_mean_wait_matches_erlang_c():
    """2 tasks x 2 slots = M/M/4 at ρ = 0.7: mean FIFO wait = C(c, a) / (cμ − λ) within 5 %."""
    rng = np.random.default_rng(3)
    c, mu = 4, 2.0
    lam, n = 0.7 * c * mu, 400_000
    t = np.cumsum(rng.exponential(1 / lam, n))
    service = rng.exponential(1 / mu, n)
    run = fp.simulate_fleet(t, service, FIXED_FLEET)
    expected = _erlang_c_wait(c, lam, mu)
    assert run.wait.mean() == pytest.approx(expected, rel=0.05)
    assert len(run.launch) == 2 and not run.error.any()


def test_pool_matches_plain_python_reference():
    rng = np.random.default_rng(7)
    n = 3000
    t = np.cumsum(rng.exponential(0.05, n))
    warm = rng.exponential(0.2, n)
    cold = warm + rng.uniform(0.2, 0.6, n)
    ka = rng.uniform(0.1, 2.0, n)
    for limit, prov in ((1000, 0), (3, 0), (6, 2)):
        run = lp.simulate_pool(t, warm, cold, ka, concurrency_limit=limit, provisioned=prov)
        ref_cold, ref_err, ref_lat = lp.reference_pool(t, warm, cold, ka,
                                                       concurrency_limit=limit,
                                                       provisioned=prov)
        assert run.cold.tolist() == ref_cold
        assert run.error.tolist() == ref_err
        lat = np.where(run.error, np.nan, run.latency)
        np.testing.assert_allclose(lat, ref_lat, equal_nan=True)


def test_most_recently_freed_instance_serves_and_keep_alive_expires():
    # two overlapping requests make two instances; the later-finishing one is reused first
    t = np.array([0.0, 0.1, 5.0, 5.1, 20.0])
    warm = np.array([1.0, 2.0, 0.5, 0.5, 0.5])
    run = lp.simulate_pool(t, warm, warm, np.full(5, 10.0))
    assert run.cold.tolist() == [True, True, False, False, True]
    assert run.instance[2] == 1 and run.instance[3] == 0  # instance 1 was freed last (2.1 s)
    # instance 0 freed at 5.5 + 10 < 20 and instance 1 at 5.6 + 10 < 20: request 4 is cold
    assert len(run.created) == 3


def test_throttle_retry_recovers_and_provisioned_is_used_first():
    t = np.array([0.0, 0.1, 0.2])
    warm = np.full(3, 1.0)
    run = lp.simulate_pool(t, warm, warm, np.full(3, 60.0), concurrency_limit=1, retry=True,
                           max_retries=3, retry_delay_s=1.0)
    assert not run.error.any()
    assert run.attempts.tolist() == [0, 1, 2]
    prov = lp.simulate_pool(t, warm, warm + 1, np.full(3, 60.0), provisioned=2)
    assert prov.instance.tolist()[:2] == [lp.PROVISIONED, lp.PROVISIONED]
    assert prov.cold.tolist() == [False, False, True]


def test_fargate_scales_out_to_max_and_bills_one_minute_minimum():
    rng = np.random.default_rng(0)
    far = {**FIXED_FLEET, "min_tasks": 1, "max_tasks": 5, "per_task_concurrency": 1,
           "start_delay_s": 10.0, "scale_out_cooldown_s": 0.0, "metric_period_s": 10.0,
           "queue_timeout_s": 5.0}
    n = 20_000
    t = np.cumsum(rng.exponential(1 / 20.0, n))  # 20 rps x 0.5 s = 10 busy slots > 5 tasks
    run = fp.simulate_fleet(t, np.full(n, 0.5), far)
    alive_at_end = np.sum(run.stop >= t[-1])
    assert alive_at_end == 5 and run.error.any()
    short = fp.FargateRun(*[np.zeros(1)] * 5, launch=np.array([0.0]), ready=np.array([0.0]),
                          stop=np.array([12.3]))
    assert fp.task_billed_seconds(short).tolist() == [60.0]


def test_requests_crowding_a_task_share_its_vcpus():
    """1 vCPU, 4 slots, 4 requests at once with 1 s of CPU each: the k-th to start shares the
    vCPU with k-1 running ones (CPU stretched k-fold); with 4 vCPUs nobody waits for CPU."""
    far = {**FIXED_FLEET, "min_tasks": 1, "max_tasks": 1, "per_task_concurrency": 4,
           "vcpu": 1.0}
    t = np.array([0.0, 0.0, 0.0, 0.0])
    io, cpu = np.full(4, 0.1), np.ones(4)
    crowded = fp.simulate_fleet(t, io, far, cpu_s=cpu)
    np.testing.assert_allclose(crowded.busy, [1.1, 2.1, 3.1, 4.1])
    roomy = fp.simulate_fleet(t, io, {**far, "vcpu": 4.0}, cpu_s=cpu)
    np.testing.assert_allclose(roomy.busy, [1.1] * 4)
