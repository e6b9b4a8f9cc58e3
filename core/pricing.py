"""Prices as data, and the cost formulas of AWS Lambda and ECS Fargate.

Prices are kept per named set, region and architecture so the thesis's numbers can be
reproduced next to current list prices. All figures are US dollars.

``aws-2026``: public AWS list prices (on-demand, Linux) for eu-west-1 and us-east-1, which
are identical in both regions for these services:

=====================  ======================  ==================  ==================
item                   unit                    x86                 arm (Graviton)
=====================  ======================  ==================  ==================
Lambda requests        USD per request         0.0000002 (0.20/1M) 0.0000002
Lambda compute         USD per GB-second       0.0000166667        0.0000133334
Lambda provisioned     USD per GB-second held  0.0000041667        0.0000033334
Lambda prov. duration  USD per GB-second       0.0000097222        0.0000077778
Fargate vCPU           USD per vCPU-hour       0.04048             0.03238
Fargate memory         USD per GB-hour         0.004445            0.00356
ALB                    USD per ALB-hour        us 0.0225, eu 0.0252
ALB capacity           USD per LCU-hour        0.008
=====================  ======================  ==================  ==================

Provisioned concurrency (AWS's formula): a function with P provisioned instances of M MB
held for T seconds (rounded up to 5 minutes) costs
``P * M / 1024 * T * lambda_provisioned_gb_second_usd``; each request served by a
provisioned instance then pays ``lambda_request_usd + ceil(duration_ms) / 1000 * M / 1024 *
lambda_provisioned_duration_gb_second_usd`` (a reduced duration price, no billed init);
requests beyond the provisioned instances are billed on demand (:func:`lambda_cost`).

(Lambda's volume tiers above 6 billion GB-seconds a month, free tiers, ephemeral storage
and data transfer are left out: they do not change a per-request comparison.)

``thesis``: the thesis's own figures, region-independent: Fargate 0.04656 per vCPU-hour and
0.00511 per GB-hour, Lambda 0.20 per million requests and 0.0000166667 per GB-second. The
thesis priced x86 only; for ``arm`` its compute prices are reduced by AWS's own arm/x86
ratios (Lambda x 0.8, Fargate x 0.8), so an arm scenario stays comparable. The thesis did
not use provisioned concurrency: its set carries AWS's x86 provisioned prices (x 0.8 on arm).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from core.errors import UserError

REGIONS = ("eu-west-1", "us-east-1")
ARCHITECTURES = ("x86", "arm")
PRICE_SETS = ("aws-2026", "thesis")


@dataclass(frozen=True)
class Prices:
    """One price sheet (USD). Field names are also the keys of an override dict."""

    name: str
    region: str
    architecture: str
    lambda_request_usd: float       # per request
    lambda_gb_second_usd: float     # per GB-second of billed duration
    lambda_provisioned_gb_second_usd: float           # per GB-second of concurrency held
    lambda_provisioned_duration_gb_second_usd: float  # per GB-second on provisioned instances
    fargate_vcpu_hour_usd: float    # per vCPU-hour
    fargate_gb_hour_usd: float      # per GB-hour
    alb_hour_usd: float             # per load-balancer hour
    alb_lcu_hour_usd: float         # per LCU-hour

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (for reports and scenario files)."""
        return asdict(self)


PRICE_FIELDS = tuple(f.name for f in fields(Prices) if f.name.endswith("_usd"))

_AWS_2026 = {
    "x86": {"lambda_request_usd": 0.20 / 1e6, "lambda_gb_second_usd": 0.0000166667,
            "lambda_provisioned_gb_second_usd": 0.0000041667,
            "lambda_provisioned_duration_gb_second_usd": 0.0000097222,
            "fargate_vcpu_hour_usd": 0.04048, "fargate_gb_hour_usd": 0.004445},
    "arm": {"lambda_request_usd": 0.20 / 1e6, "lambda_gb_second_usd": 0.0000133334,
            "lambda_provisioned_gb_second_usd": 0.0000033334,
            "lambda_provisioned_duration_gb_second_usd": 0.0000077778,
            "fargate_vcpu_hour_usd": 0.03238, "fargate_gb_hour_usd": 0.00356},
}
_ALB = {"eu-west-1": {"alb_hour_usd": 0.0252, "alb_lcu_hour_usd": 0.008},
        "us-east-1": {"alb_hour_usd": 0.0225, "alb_lcu_hour_usd": 0.008}}
_THESIS_X86 = {"lambda_request_usd": 0.20 / 1e6, "lambda_gb_second_usd": 0.0000166667,
               "lambda_provisioned_gb_second_usd": 0.0000041667,
               "lambda_provisioned_duration_gb_second_usd": 0.0000097222,
               "fargate_vcpu_hour_usd": 0.04656, "fargate_gb_hour_usd": 0.00511}
_ARM_FACTOR = 0.8  # AWS arm/x86 compute price ratio (Lambda and Fargate)


def _base_sheet(name: str, region: str, architecture: str) -> dict[str, float]:
    if name == "aws-2026":
        return {**_AWS_2026[architecture], **_ALB[region]}
    sheet = dict(_THESIS_X86)
    if architecture == "arm":
        for key in ("lambda_gb_second_usd", "lambda_provisioned_gb_second_usd",
                    "lambda_provisioned_duration_gb_second_usd", "fargate_vcpu_hour_usd",
                    "fargate_gb_hour_usd"):
            sheet[key] *= _ARM_FACTOR
    return {**sheet, **_ALB[region]}


def _check_choice(what: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise UserError(f"{what} must be one of {list(allowed)}; got {value!r}. "
                        f"Pick one of those (or pass a dict of prices).")
    return value


def get_prices(spec: str | dict | Prices = "aws-2026", region: str = "eu-west-1",
               architecture: str = "x86") -> Prices:
    """A price sheet by name, or a dict that overrides fields of one.

    ``spec`` is a set name (``"aws-2026"``, ``"thesis"``), a ``Prices`` (returned unchanged),
    or a dict such as ``{"base": "thesis", "fargate_vcpu_hour_usd": 0.05}``; a dict may also
    carry ``region`` and ``architecture``. Unknown keys and negative or non-numeric prices
    raise UserError.
    """
    if isinstance(spec, Prices):
        return spec
    overrides: dict[str, Any] = {}
    name = spec
    if isinstance(spec, dict):
        overrides = dict(spec)
        name = overrides.pop("base", "aws-2026")
        region = overrides.pop("region", region)
        architecture = overrides.pop("architecture", architecture)
        unknown = sorted(set(overrides) - set(PRICE_FIELDS))
        if unknown:
            raise UserError(f"Unknown price keys {unknown}; allowed keys are "
                            f"{['base', 'region', 'architecture', *PRICE_FIELDS]}. "
                            "Fix the spelling in the prices dict.")
    elif not isinstance(spec, str):
        raise UserError(f"prices must be a set name {list(PRICE_SETS)} or a dict; "
                        f"got {type(spec).__name__}. Pass a name or a dict.")
    _check_choice("price set", name, PRICE_SETS)
    _check_choice("region", region, REGIONS)
    _check_choice("architecture", architecture, ARCHITECTURES)
    sheet = _base_sheet(name, region, architecture)
    for key, value in overrides.items():
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or value < 0:
            raise UserError(f"Price {key!r} must be a finite number >= 0 (USD); got {value!r}. "
                            "Use a non-negative price.")
        sheet[key] = float(value)
    label = name if not overrides else f"{name}+custom"
    return Prices(name=label, region=region, architecture=architecture, **sheet)


def _non_negative(name: str, values: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if np.any(arr < 0):
        bad = arr[arr < 0].ravel()[0]
        raise UserError(f"{name} must be >= 0; got {bad}. Check the input for negative values.")
    return arr


def _out(result: np.ndarray) -> float | np.ndarray:
    return float(result) if result.ndim == 0 else result


def lambda_cost(duration_ms: Any, memory_mb: Any, prices: Prices, *,
                init_ms: Any = 0) -> float | np.ndarray:
    """Cost of Lambda invocations (vectorised; NaN in -> NaN out).

    ``billed_ms = ceil(duration_ms + init_ms)`` (1 ms granularity; AWS bills the init phase
    of on-demand functions since August 2025), then
    ``cost = lambda_request_usd + billed_ms / 1000 * memory_mb / 1024 * lambda_gb_second_usd``
    with the *configured* memory in MB.
    """
    duration = _non_negative("Lambda duration_ms", duration_ms)
    init = _non_negative("Lambda init_ms", init_ms)
    memory = _non_negative("Lambda memory_mb", memory_mb)
    billed_ms = np.ceil(duration + init)
    gb_seconds = billed_ms / 1000.0 * (memory / 1024.0)
    return _out(prices.lambda_request_usd + gb_seconds * prices.lambda_gb_second_usd)


def fargate_cost(duration_s: Any, vcpu: Any, memory_gb: Any, prices: Prices) -> float | np.ndarray:
    """Cost of running a Fargate task of the given size for ``duration_s`` seconds.

    ``cost = duration_s / 3600 * (vcpu * fargate_vcpu_hour_usd + memory_gb * fargate_gb_hour_usd)``.
    Used both for whole tasks (billed per second, one-minute minimum: the caller applies it)
    and for one request's share of a task (its duration on that task).
    """
    duration = _non_negative("Fargate duration_s", duration_s)
    cpu = _non_negative("Fargate vcpu", vcpu)
    mem = _non_negative("Fargate memory_gb", memory_gb)
    hourly = cpu * prices.fargate_vcpu_hour_usd + mem * prices.fargate_gb_hour_usd
    return _out(duration / 3600.0 * hourly)


def alb_cost(hours: Any, lcus: Any, prices: Prices) -> float | np.ndarray:
    """Optional Application Load Balancer in front of Fargate.

    ``cost = hours * (alb_hour_usd + lcus * alb_lcu_hour_usd)`` with ``lcus`` the average
    LCUs consumed over those hours.
    """
    h = _non_negative("ALB hours", hours)
    lcu = _non_negative("ALB LCUs", lcus)
    return _out(h * (prices.alb_hour_usd + lcu * prices.alb_lcu_hour_usd))
