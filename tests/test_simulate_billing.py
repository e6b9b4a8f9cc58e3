"""Provisioned-concurrency billing from the price sheet, against hand-computed figures."""

import pytest

from core.pricing import get_prices
from core.simulate import lambda_platform as lp
from core.simulate.runner import simulate

EXACT = 1e-12  # well below the cent-millionth (1e-8 USD)


def _tiny(timestamps, provisioned=1):
    return {"traffic": {"kind": "trace", "timestamps": timestamps},
            "mix": {"lightweight_api": 1.0},
            "service_time": {"kind": "constant", "warm_mean_s": 0.1234, "cold_mean_s": 0.5},
            "lambda": {"memory_mb": 1024, "keep_alive_s": 600, "provisioned": provisioned},
            "fargate": {"min_tasks": 1, "max_tasks": 1, "vcpu": 1, "memory_gb": 2},
            "router": {"kind": "lambda"}}


def test_provisioned_prices_are_in_the_price_sheet_per_architecture():
    x86 = get_prices("aws-2026", "eu-west-1", "x86")
    arm = get_prices("aws-2026", "us-east-1", "arm")
    assert x86.lambda_provisioned_gb_second_usd == 0.0000041667
    assert x86.lambda_provisioned_duration_gb_second_usd == 0.0000097222
    assert arm.lambda_provisioned_gb_second_usd == 0.0000033334
    assert arm.lambda_provisioned_duration_gb_second_usd == 0.0000077778
    thesis_arm = get_prices("thesis", architecture="arm")
    # the thesis priced x86 only; arm = x86 x 0.8: 0.0000041667 * 0.8 = 0.00000333336
    assert thesis_arm.lambda_provisioned_gb_second_usd == pytest.approx(0.00000333336, rel=1e-12)
    custom = get_prices({"lambda_provisioned_gb_second_usd": 0.00001})
    assert custom.lambda_provisioned_gb_second_usd == 0.00001


def test_holding_is_billed_in_five_minute_steps():
    p = get_prices("aws-2026", "eu-west-1", "x86")
    # 2 instances x 0.5 GB = 1 GB; 301 s -> 600 s billed: 600 * 0.0000041667 = 0.00250002
    assert lp.provisioned_cost(2, 512, 301.0, p) == pytest.approx(0.00250002, abs=EXACT)
    # exactly 300 s stays 300 s: 300 * 0.0000041667 = 0.00125001
    assert lp.provisioned_cost(2, 512, 300.0, p) == pytest.approx(0.00125001, abs=EXACT)


def test_all_requests_on_the_provisioned_instance_by_hand():
    """Requests at 0, 1, 700 s, warm 0.1234 s, 1 GB, one provisioned instance: each request
    fits on it (no cold start). Each: $0.20/M + ceil(123.4) = 124 ms x 1 GB x $0.0000097222
    = 2e-7 + 0.0000012055528. Held: last response at 700.1234 s -> 900 s x 1 GB x
    $0.0000041667 = 0.00375003."""
    lam = simulate(_tiny([0, 1, 700]), strategies=("lambda",)).strategies["lambda"]
    assert lam["cold_start_rate"] == 0.0
    assert lam["cost_breakdown"]["lambda_provisioned_usd"] == pytest.approx(0.00375003,
                                                                           abs=EXACT)
    assert lam["cost_breakdown"]["lambda_usd"] == pytest.approx(
        3 * (0.0000002 + 0.0000012055528), abs=EXACT)
    assert lam["cost_usd"] == pytest.approx(0.0037542466584, abs=EXACT)


def test_overflow_beyond_provisioned_is_billed_on_demand_by_hand():
    """Request 1 (0.05 s) arrives while the provisioned instance serves request 0 (until
    0.1234 s): it cold-starts on demand, 500 ms x 1 GB x $0.0000166667 + $0.20/M =
    0.00000853335. Requests 0 and 2 as above: 2 x 0.0000014055528 = 0.0000028111056."""
    lam = simulate(_tiny([0, 0.05, 700]), strategies=("lambda",)).strategies["lambda"]
    assert lam["cold_start_rate"] == pytest.approx(1 / 3)
    assert lam["cost_breakdown"]["lambda_usd"] == pytest.approx(
        0.0000028111056 + 0.00000853335, abs=EXACT)
    assert lam["cost_usd"] == pytest.approx(0.00375003 + 0.0000028111056 + 0.00000853335,
                                            abs=EXACT)


def test_arm_provisioned_uses_the_arm_prices():
    spec = _tiny([0, 1, 700])
    spec["lambda"]["architecture"] = "arm"
    lam = simulate(spec, strategies=("lambda",)).strategies["lambda"]
    # 900 s x 1 GB x 0.0000033334 = 0.00300006; 3 x (2e-7 + 0.124 x 0.0000077778)
    # = 3 x (2e-7 + 0.0000009644472) = 0.0000034933416
    assert lam["cost_usd"] == pytest.approx(0.00300006 + 0.0000034933416, abs=EXACT)
