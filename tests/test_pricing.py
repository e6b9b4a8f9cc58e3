"""Pricing formulas against hand-computed figures (arithmetic written out)."""

import math

import numpy as np
import pytest

from core.errors import UserError
from core.pricing import (
    alb_cost,
    fargate_cost,
    get_prices,
    lambda_cost,
)

REL = 1e-12


def test_lambda_cost_rounds_billed_duration_up_to_the_millisecond():
    p = get_prices("aws-2026", "eu-west-1", "x86")
    # 100.2 ms -> billed 101 ms = 0.101 s; 512 MB = 0.5 GB -> 0.0505 GB-s
    # 0.0505 * 0.0000166667 = 0.00000084166835; + 0.20/1e6 = 0.00000104166835
    assert lambda_cost(100.2, 512, p) == pytest.approx(0.00000104166835, rel=REL)
    # exactly 100 ms is billed as 100 ms: 0.1 * 0.5 * 0.0000166667 + 2e-7 = 1.033335e-6
    assert lambda_cost(100.0, 512, p) == pytest.approx(0.000001033335, rel=REL)


def test_lambda_arm_is_cheaper_and_init_is_billed():
    p = get_prices("aws-2026", "us-east-1", "arm")
    # 1000 ms + 250 ms init = 1250 ms = 1.25 s; 128 MB = 0.125 GB -> 0.15625 GB-s
    # 0.15625 * 0.0000133334 = 0.00000208334375; + 0.0000002 = 0.00000228334375
    assert lambda_cost(1000, 128, p, init_ms=250) == pytest.approx(0.00000228334375, rel=REL)
    x86 = get_prices("aws-2026", "us-east-1", "x86")
    assert lambda_cost(1250, 128, p) < lambda_cost(1250, 128, x86)


def test_fargate_cost_thesis_prices():
    p = get_prices("thesis")
    # 0.25 s on 1 vCPU + 2 GB: hourly = 0.04656 + 2 * 0.00511 = 0.05678
    # 0.25 / 3600 * 0.05678 = 0.014195 / 3600 = 0.0000039430555...
    assert fargate_cost(0.25, 1.0, 2.0, p) == pytest.approx(0.014195 / 3600, rel=REL)
    assert fargate_cost(0.25, 1.0, 2.0, p) == pytest.approx(3.943055555555556e-06, rel=REL)


def test_fargate_aws_2026_x86_and_arm():
    x86 = get_prices("aws-2026", "us-east-1", "x86")
    arm = get_prices("aws-2026", "us-east-1", "arm")
    # one hour of 0.5 vCPU + 1 GB: 0.5 * 0.04048 + 1 * 0.004445 = 0.02024 + 0.004445 = 0.024685
    assert fargate_cost(3600, 0.5, 1.0, x86) == pytest.approx(0.024685, rel=REL)
    # arm: 0.5 * 0.03238 + 0.00356 = 0.01619 + 0.00356 = 0.01975
    assert fargate_cost(3600, 0.5, 1.0, arm) == pytest.approx(0.01975, rel=REL)


def test_alb_cost():
    p = get_prices("aws-2026", "eu-west-1")
    # 10 h * (0.0252 + 2 LCU * 0.008) = 10 * 0.0412 = 0.412
    assert alb_cost(10, 2, p) == pytest.approx(0.412, rel=REL)


def test_vectorised_over_arrays():
    p = get_prices("thesis")
    out = lambda_cost(np.array([0.5, 1.0, np.nan]), np.array([1024, 1024, 1024]), p)
    # 0.5 ms -> 1 ms billed: 0.001 s * 1 GB * 0.0000166667 + 2e-7 = 2.166667e-7
    assert out[0] == pytest.approx(2.166667e-7, rel=REL)
    assert out[1] == pytest.approx(2.166667e-7, rel=REL)
    assert math.isnan(out[2])


def test_named_sets_and_overrides():
    thesis = get_prices("thesis")
    assert thesis.fargate_vcpu_hour_usd == 0.04656
    assert thesis.fargate_gb_hour_usd == 0.00511
    assert thesis.lambda_gb_second_usd == 0.0000166667
    custom = get_prices({"base": "thesis", "fargate_vcpu_hour_usd": 0.05})
    assert custom.fargate_vcpu_hour_usd == 0.05
    assert custom.fargate_gb_hour_usd == 0.00511
    assert get_prices({"lambda_request_usd": np.int64(0)}).lambda_request_usd == 0.0


@pytest.mark.parametrize("spec, match", [
    ({"fargate_vcpu_hour": 0.05}, "Unknown price keys"),
    ({"lambda_request_usd": -1.0}, "must be a finite number >= 0"),
    ({"lambda_request_usd": "cheap"}, "must be a finite number >= 0"),
    ("azure", "price set must be one of"),
])
def test_bad_price_specs_raise_user_error(spec, match):
    with pytest.raises(UserError, match=match):
        get_prices(spec)


def test_bad_region_and_negative_duration():
    with pytest.raises(UserError, match="region must be one of"):
        get_prices("aws-2026", region="mars-1")
    with pytest.raises(UserError, match="duration_ms must be >= 0"):
        lambda_cost(-1.0, 128, get_prices())
