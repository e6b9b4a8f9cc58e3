"""The simulator's scenario: parse, validate and fill defaults of the JSON DESIGN.md documents.

Why one module: the CLI, the page and the sweeps all accept the same JSON; validating it once
here (unknown keys, ranges, types) means every other module trusts a `Scenario`.

Every key is optional. Defaults (DESIGN.md, plus the simulator's extra knobs):

```
{"requests": 1000000, "seed": 1,
 "traffic": {"kind": "poisson", "rate_per_s": 5.0, "start_hour": 9.0,
             "load_pattern": null,                       # null: derived from the kind
             # diurnal: "amplitude": 0.6, "period_s": 86400, "peak_hour": 14
             # ramp:    "to_rate_per_s": 25, "ramp_s": 600 (then holds)
             # burst:   "burst_rate_per_s": 30, "period_s": 300, "burst_start_s": 120,
             #          "burst_s": 60
             # thesis:  "phase_s": 300 (low 5, medium 15, ramp 5->25, burst 5/30/5 rps)
             # trace:   "timestamps": [...] (seconds or ISO strings) or "file": PATH
            },
 "mix": {"lightweight_api": 0.4, "thumbnail_processing": 0.3, "medium_processing": 0.2,
         "heavy_processing": 0.1}  or  {"from_data": FILE},
 "payload_kb": null,        # {workload: [sizes] or {size: weight}}; null: the workload model
 "service_time": null,      # {"kind": "exponential"|"constant", "warm_mean_s": 0.1,
                            #  "cold_mean_s": 0.6}: replaces the workload model on both
                            #  platforms; a cold Lambda request takes cold_mean_s in total
 "lambda": {"memory_mb": 512, "architecture": "x86", "keep_alive_s": 600,
            "keep_alive_dist": "constant"|"uniform"|"exponential", "keep_alive_min_s": 300,
            "concurrency_limit": 1000, "provisioned": 0, "runtime": "python3.12",
            "package_mb": 5, "on_throttle": "error"|"retry", "max_retries": 2,
            "retry_delay_s": 1.0, "overhead_ms": 15},
 "fargate": {"vcpu": 1, "memory_gb": 2, "min_tasks": 1, "max_tasks": 20,
             "per_task_concurrency": 10, "start_delay_s": 45, "architecture": "x86",
             "target_utilization": 0.7, "metric_period_s": 60, "scale_out_cooldown_s": 60,
             "scale_in_cooldown_s": 300, "queue_timeout_s": 30, "alb": false,
             "overhead_ms": 5},
 "router": {"kind": "rule", "model_id": null, "threshold_kb": 1024, "lambda_when": "small",
            "p_lambda": 0.5, "probability_threshold": None, "inference_ms": null,
            "inference_cost_usd": null, "value_of_time_usd_per_s": 0.00001,
            "placement": "in_process"|"lambda_call"},
 "region": "eu-west-1", "prices": "aws-2026"}
```

`lambda.memory_mb` may also be `"profile"`: each workload gets the memory of its workload
profile. Router kinds: `lambda`, `ecs` (all to one platform), `rule` (payload threshold),
`random`, `oracle` (hindsight), `model` (a registry model; `model_id` or alias). The oracle
sends a request where `cost_usd + value_of_time_usd_per_s * latency_s` was lower in the two
baseline runs.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import UserError
from core.pricing import Prices, get_prices

MAX_REQUESTS = 50_000_000
MAX_PAYLOAD_LEVELS = 50
LAMBDA_MEMORY_RANGE = (128, 10_240)
FARGATE_VCPUS = (0.25, 0.5, 1, 2, 4, 8, 16)
TRAFFIC_KINDS = ("poisson", "diurnal", "ramp", "burst", "thesis", "trace")
ROUTER_KINDS = ("lambda", "ecs", "rule", "random", "oracle", "model")
#: Cold-start (init) time of a runtime relative to Python's (a workload's own init_ms is
#: measured on Python); package size adds INIT_MS_PER_PACKAGE_MB per MB.
RUNTIMES = {"python3.12": 1.0, "python3.11": 1.0, "nodejs20.x": 0.8, "java21": 3.5,
            "dotnet8": 2.4, "provided.al2023": 0.4}
INIT_MS_PER_PACKAGE_MB = 8.0

#: Lognormal sigma of execution time when a profile does not say (core.synth.Scenario.noise).
DEFAULT_NOISE_SIGMA = 0.10

DEFAULTS: dict[str, Any] = {
    "requests": 1_000_000,
    "seed": 1,
    "traffic": {"kind": "poisson", "rate_per_s": 5.0, "start_hour": 9.0, "load_pattern": None},
    "mix": {"lightweight_api": 0.4, "thumbnail_processing": 0.3, "medium_processing": 0.2,
            "heavy_processing": 0.1},
    "payload_kb": None,
    "service_time": None,
    "lambda": {"memory_mb": 512, "architecture": "x86", "keep_alive_s": 600.0,
               "keep_alive_dist": "constant", "keep_alive_min_s": 300.0,
               "concurrency_limit": 1000, "provisioned": 0, "runtime": "python3.12",
               "package_mb": 5.0, "on_throttle": "error", "max_retries": 2,
               "retry_delay_s": 1.0, "overhead_ms": 15.0},
    "fargate": {"vcpu": 1.0, "memory_gb": 2.0, "min_tasks": 1, "max_tasks": 20,
                "per_task_concurrency": 10, "start_delay_s": 45.0, "architecture": "x86",
                "target_utilization": 0.7, "metric_period_s": 60.0,
                "scale_out_cooldown_s": 60.0, "scale_in_cooldown_s": 300.0,
                "queue_timeout_s": 30.0, "alb": False, "overhead_ms": 5.0},
    "router": {"kind": "rule", "model_id": None, "threshold_kb": 1024.0,
               "lambda_when": "small", "p_lambda": 0.5, "probability_threshold": None,
               "inference_ms": None, "inference_cost_usd": None,
               "value_of_time_usd_per_s": 0.00001, "placement": "in_process"},
    "region": "eu-west-1",
    "prices": "aws-2026",
}

TRAFFIC_DEFAULTS: dict[str, dict[str, Any]] = {
    "poisson": {},
    "diurnal": {"amplitude": 0.6, "period_s": 86_400.0, "peak_hour": 14.0},
    "ramp": {"to_rate_per_s": 25.0, "ramp_s": 600.0},
    "burst": {"burst_rate_per_s": 30.0, "period_s": 300.0, "burst_start_s": 120.0,
              "burst_s": 60.0},
    "thesis": {"phase_s": 300.0},
    "trace": {"timestamps": None, "file": None},
}
SERVICE_DEFAULTS = {"kind": "exponential", "warm_mean_s": 0.1, "cold_mean_s": 0.6}


@dataclass(frozen=True)
class Mix:
    """Request mix: workload probabilities and, per workload, payload sizes with weights."""

    workloads: tuple[str, ...]
    probs: np.ndarray
    payload_values: tuple[np.ndarray, ...]
    payload_probs: tuple[np.ndarray, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"weights": {w: float(p) for w, p in zip(self.workloads, self.probs, strict=True)},
                "payload_kb": {w: {f"{v:g}": float(p) for v, p in zip(vals, probs, strict=True)}
                               for w, vals, probs in zip(self.workloads, self.payload_values,
                                                         self.payload_probs, strict=True)}}


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. `raw` is the normalised JSON (defaults filled in)."""

    raw: dict[str, Any]
    mix: Mix
    profiles: dict[str, dict[str, Any]]
    lambda_prices: Prices
    fargate_prices: Prices
    trace_times: np.ndarray | None

    @property
    def requests(self) -> int:
        return int(self.raw["requests"])

    @property
    def seed(self) -> int:
        return int(self.raw["seed"])

    def section(self, name: str) -> dict[str, Any]:
        """One validated section (traffic, lambda, fargate, router, service_time)."""
        return self.raw[name]

    def to_json(self) -> dict[str, Any]:
        """JSON-able scenario (what save/load and the CLI echo)."""
        return copy.deepcopy(self.raw)


def workload_profiles() -> dict[str, dict[str, Any]]:
    """The workload model as plain dicts, from core.synth's WORKLOAD_PROFILES (one source of
    the numbers): per request, duration = io_ms + (base_ms + ms_per_kb * payload_kb) / vCPU
    share, times lognormal noise; the payload sizes the thesis's Artillery runs sent; the
    Lambda memory the thesis configured; the workload's cold-start init on Python."""
    from core.synth import WORKLOAD_PROFILES

    return {name: {"base_ms": float(p.base_ms), "ms_per_kb": float(p.ms_per_kb),
                   "io_ms": float(p.io_ms), "noise_sigma": DEFAULT_NOISE_SIGMA,
                   "payload_kb": list(p.payload_kb),
                   "lambda_memory_mb": float(p.lambda_memory_mb), "init_ms": float(p.init_ms)}
            for name, p in WORKLOAD_PROFILES.items()}


# -- loading -----------------------------------------------------------------------------------

def load_scenario(spec: dict | str | bytes | Path | Scenario | None = None, *,
                  requests: int | None = None, data: Any = None,
                  allow_files: bool = True) -> Scenario:
    """Validate a scenario (dict, JSON text or bytes, or path to a JSON file); fill defaults.

    `data` is the caller's loaded dataset (a canonical frame): `"mix": {"from_data": true}`
    takes the request mix from it. `allow_files=False` is for scenarios that come from a
    browser: text is only ever JSON, and no key may name a file on this machine (a path in
    `mix.from_data` or `traffic.file` is refused without being looked at).
    """
    if isinstance(spec, Scenario):
        return _with_requests(spec, requests)
    user = _read_spec(spec, allow_files)
    if requests is not None:
        user["requests"] = requests
    _reject_unknown("scenario", user, DEFAULTS)
    raw = copy.deepcopy(DEFAULTS)
    for key, value in user.items():
        if isinstance(DEFAULTS[key], dict) and key not in ("mix",):
            if not isinstance(value, dict):
                raise UserError(f"Scenario key {key!r} must be an object; got "
                                f"{_short(value)}. Write it as {{...}} with keys "
                                f"{sorted(DEFAULTS[key])}.")
            raw[key] = {**DEFAULTS[key], **value}
        else:
            raw[key] = value
    raw["requests"] = _int("requests", raw["requests"], 1, MAX_REQUESTS)
    raw["seed"] = _int("seed", raw["seed"], 0, 2**32 - 1)
    trace_times = _check_traffic(raw, user_set_requests="requests" in user,
                                 allow_files=allow_files)
    check_memory(raw["requests"])
    profiles = workload_profiles()
    raw["service_time"] = _check_service(raw["service_time"])
    _check_lambda(raw["lambda"])
    _check_fargate(raw["fargate"])
    _check_router(raw["router"])
    mix = _check_mix(raw, profiles, data=data, allow_files=allow_files)
    prices = raw["prices"]
    lambda_prices = get_prices(prices, raw["region"], raw["lambda"]["architecture"])
    fargate_prices = get_prices(prices, raw["region"], raw["fargate"]["architecture"])
    return Scenario(raw=raw, mix=mix, profiles=profiles, lambda_prices=lambda_prices,
                    fargate_prices=fargate_prices, trace_times=trace_times)


def _with_requests(sc: Scenario, requests: int | None) -> Scenario:
    """A validated scenario with another request count (no file is read again)."""
    if requests is None:
        return sc
    raw = sc.to_json()
    raw["requests"] = _int("requests", requests, 1, MAX_REQUESTS)
    check_memory(raw["requests"])
    return dataclasses.replace(sc, raw=raw)


#: Peak memory of a simulation (three strategies): a fixed part plus bytes per request,
#: measured with benchmarks-style runs of 0.2M-5M requests (see check_memory).
SIM_BASE_BYTES = 400 * 1024**2
SIM_BYTES_PER_REQUEST = 320
#: Default ceiling for one simulation; $ROUTING_LAB_SIM_MEMORY_MB overrides it.
SIM_MEMORY_LIMIT_MB = 4096


def memory_limit_bytes() -> int:
    """$ROUTING_LAB_SIM_MEMORY_MB (default 4096 MB), capped at 80 % of the free memory."""
    try:
        limit = int(float(os.environ.get("ROUTING_LAB_SIM_MEMORY_MB", SIM_MEMORY_LIMIT_MB))
                    * 1024**2)
    except ValueError:
        limit = SIM_MEMORY_LIMIT_MB * 1024**2
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    limit = min(limit, int(int(line.split()[1]) * 1024 * 0.8))
                    break
    except (OSError, ValueError):
        pass
    return limit


def check_memory(requests: int) -> None:
    """Refuse up front a request count whose simulation would not fit in memory.

    Why not run it anyway: the simulator keeps every request's arrival, service time and
    outcome in arrays, so memory grows with the count; 50M requests need about 16 GB and
    would end in the kernel killing the process instead of a message.
    """
    need = SIM_BASE_BYTES + SIM_BYTES_PER_REQUEST * int(requests)
    limit = memory_limit_bytes()
    if need > limit:
        most = max(0, (limit - SIM_BASE_BYTES) // SIM_BYTES_PER_REQUEST)
        raise UserError(
            f"Simulating {requests:,} requests would need about {need / 1024**3:.1f} GB of "
            f"memory ({SIM_BYTES_PER_REQUEST} bytes per request), above the "
            f"{limit / 1024**3:.1f} GB limit. Lower --requests (the scenario's \"requests\") "
            f"to {most:,} or fewer, simulate a duration in bounded memory instead "
            "(`simulate --horizon 30d`), or raise ROUTING_LAB_SIM_MEMORY_MB if the machine "
            "has the memory.")


def _short(value: Any, limit: int = 60) -> str:
    """repr of a scenario value, cut short (values may be large)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _read_spec(spec: dict | str | bytes | Path | None, allow_files: bool = True
               ) -> dict[str, Any]:
    from core import safejson

    if spec is None:
        return {}
    if isinstance(spec, dict):
        if safejson.depth(spec) > safejson.MAX_DEPTH:
            raise UserError(f"The scenario is nested more than {safejson.MAX_DEPTH} levels "
                            "deep; flatten it.")
        return copy.deepcopy(spec)
    if isinstance(spec, bytes | bytearray):
        data = safejson.loads(spec, "The scenario")
    elif isinstance(spec, Path) or not str(spec).lstrip().startswith("{"):
        if not allow_files:  # never look the text up as a path: no file-existence oracle
            raise UserError("A scenario must be a JSON object ({...}); this text is not one. "
                            "Load a scenario JSON saved from this page.")
        data = _read_scenario_file(Path(spec))
    else:
        data = safejson.loads(str(spec), "The scenario")
    if not isinstance(data, dict):
        raise UserError(f"A scenario must be a JSON object; got {type(data).__name__}. "
                        "Wrap the settings in {...}.")
    return data


def _read_scenario_file(path: Path) -> Any:
    from core import safejson

    try:
        if not path.is_file():
            what = "is a folder" if path.is_dir() else "not found"
            raise UserError(f"Scenario file {_short(str(path), 200)} {what}. Pass the path "
                            "of a JSON scenario file (see DESIGN.md for its keys).")
    except OSError as exc:
        raise UserError(f"Scenario file {_short(str(path), 200)} cannot be opened "
                        f"({exc.strerror or exc}); check the path.") from None
    return safejson.read_file(path, "Scenario file")


def _reject_unknown(where: str, given: dict, allowed: dict | tuple) -> None:
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise UserError(f"Unknown {where} keys {unknown}; allowed keys are {sorted(allowed)}. "
                        "Fix the spelling or remove them.")


def _num(name: str, value: Any, lo: float | None = None, hi: float | None = None, *,
         strict_lo: bool = False, unit: str = "") -> float:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**18:
        digits = int(value.bit_length() * 0.30103) + 1  # str() of a huge int is refused
        raise UserError(f"{name} is a number with about {digits:,} digits; give a plain "
                        "number within range.")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UserError(f"{name} must be a number; got {_short(value)}. Give a plain number.")
    bad_lo = lo is not None and (value <= lo if strict_lo else value < lo)
    if bad_lo or (hi is not None and value > hi):
        parts = []
        if lo is not None:
            parts.append(f"> {lo:g}" if strict_lo else f">= {lo:g}")
        if hi is not None:
            parts.append(f"<= {hi:g}")
        raise UserError(f"{name} must be {' and '.join(parts)}{unit}; got {value!r}. Set "
                        f"{name} within that range.")
    return float(value)


def _int(name: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise UserError(f"{name} must be a whole number; got {_short(value)}. Give an "
                        "integer.")
    _num(name, value, lo, hi)
    return int(value)


def _choice(name: str, value: Any, allowed: tuple | list) -> Any:
    if value not in allowed:
        raise UserError(f"{name} must be one of {list(allowed)}; got {value!r}. Pick one of "
                        "those.")
    return value


# -- sections ----------------------------------------------------------------------------------

def _check_traffic(raw: dict[str, Any], *, user_set_requests: bool,
                   allow_files: bool = True) -> np.ndarray | None:
    traffic = raw["traffic"]
    kind = _choice("traffic.kind", traffic.get("kind"), TRAFFIC_KINDS)
    allowed = {**DEFAULTS["traffic"], **TRAFFIC_DEFAULTS[kind]}
    _reject_unknown(f"traffic ({kind})", traffic, allowed)
    traffic = {**allowed, **traffic}
    raw["traffic"] = traffic
    _num("traffic.start_hour", traffic["start_hour"], 0, 24)
    if traffic["load_pattern"] is not None:
        from core.schema import LOAD_PATTERNS
        _choice("traffic.load_pattern", traffic["load_pattern"], LOAD_PATTERNS)
    if kind != "trace":
        _num("traffic.rate_per_s", traffic["rate_per_s"], 0, 1e6, strict_lo=True,
             unit=" requests per second")
    if kind == "diurnal":
        _num("traffic.amplitude", traffic["amplitude"], 0, 0.99)
        _num("traffic.period_s", traffic["period_s"], 0, None, strict_lo=True)
        _num("traffic.peak_hour", traffic["peak_hour"], 0, 24)
    elif kind == "ramp":
        _num("traffic.to_rate_per_s", traffic["to_rate_per_s"], 0, 1e6, strict_lo=True)
        _num("traffic.ramp_s", traffic["ramp_s"], 0, None, strict_lo=True)
    elif kind == "burst":
        _num("traffic.burst_rate_per_s", traffic["burst_rate_per_s"], 0, 1e6, strict_lo=True)
        _num("traffic.period_s", traffic["period_s"], 0, None, strict_lo=True)
        _num("traffic.burst_start_s", traffic["burst_start_s"], 0, traffic["period_s"])
        _num("traffic.burst_s", traffic["burst_s"], 0,
             traffic["period_s"] - traffic["burst_start_s"], strict_lo=True)
    elif kind == "thesis":
        _num("traffic.phase_s", traffic["phase_s"], 0, None, strict_lo=True)
    elif kind == "trace":
        times = _trace_times(traffic, allow_files=allow_files)
        if not user_set_requests:
            raw["requests"] = int(min(len(times), MAX_REQUESTS))
        traffic["timestamps"] = None if traffic.get("file") else times.tolist()
        return times
    return None


def _trace_times(traffic: dict[str, Any], *, allow_files: bool = True) -> np.ndarray:
    """Arrival offsets (seconds, from 0, sorted) of a trace given inline or as a file."""
    import pandas as pd

    if traffic.get("file"):
        if not allow_files:
            raise UserError("traffic.file names a file on the server, which a scenario "
                            "loaded in the browser may not read. Give the arrival times in "
                            "traffic.timestamps, or pick 'Loaded dataset' under Traffic.")
        frame = _read_table(traffic["file"], "traffic.file", need_latency=False)
        if "timestamp" not in frame.columns:
            raise UserError(f"Trace file {_short(str(traffic['file']), 200)} has no timestamp "
                            "column. Use a load-test log whose rows carry a timestamp.")
        values = frame["timestamp"]
        where = f"trace file {_short(str(traffic['file']), 200)}"
        inline = False
    else:
        values = pd.Series(traffic.get("timestamps") or [], dtype=object)
        where = "traffic.timestamps"
        inline = True
    values = values.dropna()
    if len(values) == 0:
        raise UserError(f"The trace ({where}) has no timestamps. Give a list of arrival times "
                        "(seconds or ISO-8601) in traffic.timestamps, or a file with a "
                        "timestamp column.")
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all():
        secs = numeric.to_numpy(dtype=float)
    else:
        ts = pd.to_datetime(values.astype(str), errors="coerce", utc=True, format="mixed")
        if ts.isna().all():
            example = f"; got e.g. {_short(values.iloc[0], 40)}" if inline else ""
            raise UserError(f"The trace ({where}) has no readable timestamps{example}. Use "
                            "seconds or ISO-8601 times.")
        ts = ts.dropna()
        secs = (ts - ts.min()).dt.total_seconds().to_numpy(dtype=float)
    secs = np.sort(secs[np.isfinite(secs)])
    if len(secs) == 0:
        raise UserError(f"The trace ({where}) has no timestamps. Give finite arrival times.")
    return secs - secs[0]


def _check_service(service: Any) -> dict[str, Any] | None:
    if service is None:
        return None
    if not isinstance(service, dict):
        raise UserError(f"service_time must be an object or null; got {service!r}. "
                        'Write e.g. {"kind": "exponential", "warm_mean_s": 0.1}.')
    _reject_unknown("service_time", service, SERVICE_DEFAULTS)
    out = {**SERVICE_DEFAULTS, **service}
    _choice("service_time.kind", out["kind"], ("exponential", "constant"))
    _num("service_time.warm_mean_s", out["warm_mean_s"], 0, None, strict_lo=True)
    _num("service_time.cold_mean_s", out["cold_mean_s"], 0, None, strict_lo=True)
    return out


def _check_lambda(lam: dict[str, Any]) -> None:
    _reject_unknown("lambda", lam, DEFAULTS["lambda"])
    lo, hi = LAMBDA_MEMORY_RANGE
    if lam["memory_mb"] != "profile":
        _num("lambda.memory_mb", lam["memory_mb"], lo, hi, unit=" MB (AWS Lambda's limits)")
    _choice("lambda.architecture", lam["architecture"], ("x86", "arm"))
    _num("lambda.keep_alive_s", lam["keep_alive_s"], 0, None, unit=" seconds")
    _choice("lambda.keep_alive_dist", lam["keep_alive_dist"],
            ("constant", "uniform", "exponential"))
    if lam["keep_alive_dist"] == "uniform":
        _num("lambda.keep_alive_min_s", lam["keep_alive_min_s"], 0, lam["keep_alive_s"])
    lam["concurrency_limit"] = _int("lambda.concurrency_limit", lam["concurrency_limit"], 1,
                                    1_000_000)
    lam["provisioned"] = _int("lambda.provisioned", lam["provisioned"], 0,
                              lam["concurrency_limit"])
    _choice("lambda.runtime", lam["runtime"], tuple(RUNTIMES))
    _num("lambda.package_mb", lam["package_mb"], 0, 250, unit=" MB (unzipped limit)")
    _choice("lambda.on_throttle", lam["on_throttle"], ("error", "retry"))
    lam["max_retries"] = _int("lambda.max_retries", lam["max_retries"], 0, 10)
    _num("lambda.retry_delay_s", lam["retry_delay_s"], 0, 3600)
    _num("lambda.overhead_ms", lam["overhead_ms"], 0, 10_000)


def _check_fargate(far: dict[str, Any]) -> None:
    _reject_unknown("fargate", far, DEFAULTS["fargate"])
    if far["vcpu"] not in FARGATE_VCPUS:
        raise UserError(f"fargate.vcpu must be one of {list(FARGATE_VCPUS)} (Fargate task "
                        f"sizes); got {far['vcpu']!r}. Pick one of those.")
    _num("fargate.memory_gb", far["memory_gb"], 0.5, 120, unit=" GB")
    far["min_tasks"] = _int("fargate.min_tasks", far["min_tasks"], 0, 5000)
    far["max_tasks"] = _int("fargate.max_tasks", far["max_tasks"], max(1, far["min_tasks"]),
                            5000)
    far["per_task_concurrency"] = _int("fargate.per_task_concurrency",
                                       far["per_task_concurrency"], 1, 10_000)
    _num("fargate.start_delay_s", far["start_delay_s"], 0, 3600)
    _choice("fargate.architecture", far["architecture"], ("x86", "arm"))
    _num("fargate.target_utilization", far["target_utilization"], 0.05, 1.0)
    _num("fargate.metric_period_s", far["metric_period_s"], 1, 3600)
    _num("fargate.scale_out_cooldown_s", far["scale_out_cooldown_s"], 0, 86_400)
    _num("fargate.scale_in_cooldown_s", far["scale_in_cooldown_s"], 0, 86_400)
    _num("fargate.queue_timeout_s", far["queue_timeout_s"], 0, None, strict_lo=True)
    if not isinstance(far["alb"], bool):
        raise UserError(f"fargate.alb must be true or false; got {far['alb']!r}.")
    _num("fargate.overhead_ms", far["overhead_ms"], 0, 10_000)


def _check_router(router: dict[str, Any]) -> None:
    _reject_unknown("router", router, DEFAULTS["router"])
    kind = _choice("router.kind", router["kind"], ROUTER_KINDS)
    if kind == "model" and not router["model_id"]:
        raise UserError("router.kind is 'model' but router.model_id is empty. Give a model id "
                        "from the registry (or 'champion'), or use router.kind 'rule'.")
    _num("router.threshold_kb", router["threshold_kb"], 0, None)
    _choice("router.lambda_when", router["lambda_when"], ("small", "large"))
    _num("router.p_lambda", router["p_lambda"], 0, 1)
    if router["probability_threshold"] is not None:  # None: the model's own (core.decision)
        _num("router.probability_threshold", router["probability_threshold"], 0, 1)
    if router["inference_ms"] is not None:
        _num("router.inference_ms", router["inference_ms"], 0, 60_000)
    if router["inference_cost_usd"] is not None:
        _num("router.inference_cost_usd", router["inference_cost_usd"], 0, 1)
    _choice("router.placement", router["placement"], ("in_process", "lambda_call"))
    _num("router.value_of_time_usd_per_s", router["value_of_time_usd_per_s"], 0, None)


def _check_mix(raw: dict[str, Any], profiles: dict[str, dict[str, Any]], *, data: Any = None,
               allow_files: bool = True) -> Mix:
    mix = raw["mix"]
    if not isinstance(mix, dict):
        raise UserError(f"mix must be an object of workload weights or {{'from_data': true}}; "
                        f"got {_short(mix)}.")
    payload_spec = raw["payload_kb"]
    if "from_data" in mix:
        if set(mix) != {"from_data"}:
            raise UserError("mix.from_data cannot be combined with workload weights; give "
                            "either {\"from_data\": true} or the weights.")
        weights, payloads = _mix_from_source(mix["from_data"], data, allow_files)
        payload_spec = payload_spec or payloads
        # Self-contained from here on: saving and reloading it reads no data or file again.
        raw["mix"], raw["payload_kb"] = dict(weights), payload_spec
    else:
        weights = mix
    if not weights:
        raise UserError("The request mix is empty. Give at least one workload with a weight > 0, "
                        f"e.g. {{'lightweight_api': 1.0}}; known workloads: {sorted(profiles)}.")
    _reject_unknown("mix (workload)", weights, profiles)
    for name, w in weights.items():
        _num(f"mix.{name}", w, 0, None)
    names = tuple(n for n, w in weights.items() if w > 0)
    if not names:
        raise UserError(f"The request mix is empty: every weight is 0 ({weights}). Give at least "
                        "one workload a weight > 0.")
    total = float(sum(weights[n] for n in names))
    probs = np.array([weights[n] / total for n in names])
    payload_spec = payload_spec or {}
    if not isinstance(payload_spec, dict):
        raise UserError(f"payload_kb must be an object {{workload: [sizes]}}; got "
                        f"{payload_spec!r}.")
    _reject_unknown("payload_kb (workload)", payload_spec, profiles)
    values, pprobs = [], []
    for name in names:
        spec = payload_spec.get(name, profiles[name]["payload_kb"])
        if isinstance(spec, dict):
            sizes = [float(k) for k in spec]
            pw = [float(v) for v in spec.values()]
        else:
            sizes = [float(v) for v in spec]
            pw = [1.0] * len(sizes)
        if not sizes or min(sizes) < 0 or sum(pw) <= 0 or min(pw) < 0:
            raise UserError(f"payload_kb.{name} must list sizes >= 0 KB with weights > 0; got "
                            f"{spec!r}.")
        values.append(np.asarray(sizes, dtype=float))
        pprobs.append(np.asarray(pw, dtype=float) / float(sum(pw)))
    mix_obj = Mix(workloads=names, probs=probs, payload_values=tuple(values),
                  payload_probs=tuple(pprobs))
    raw["mix"] = {n: float(weights[n]) for n in weights}
    return mix_obj


def _mix_from_source(source: Any, data: Any, allow_files: bool
                     ) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """`from_data: true` -> the caller's dataset; a path (only where files are allowed) -> that
    file. Errors about a file never quote its contents."""
    if source is True:
        if data is None:
            raise UserError("mix.from_data is true but no dataset is loaded. Load data first "
                            "(Data page), or give workload weights instead.")
        return mix_from_frame(data)
    if not allow_files:
        raise UserError("mix.from_data may only be true (the loaded dataset) in a scenario "
                        "loaded in the browser; it cannot name a file on the server. Write "
                        "\"from_data\": true, or give workload weights.")
    if not isinstance(source, str | Path) or isinstance(source, bool) or not str(source):
        raise UserError(f"mix.from_data must be true or the path of a load-test file; got "
                        f"{_short(source)}.")
    frame = _read_table(source, "mix.from_data")
    try:
        return mix_from_frame(frame)
    except UserError:
        raise UserError(f"mix.from_data: {_short(str(source), 200)} has no rows with a known "
                        "workload_type, so no mix can be taken from it; check it with "
                        "`python -m core ingest FILE --out table.csv`.") from None


def _read_table(path: Any, key: str, *, need_latency: bool = True) -> Any:
    """A load-test file named in a scenario (CLI only): a file, not a folder; errors name the
    file and what to do, never its contents."""
    from core import io

    shown = _short(str(path), 200)
    if not isinstance(path, str | Path) or not str(path):
        raise UserError(f"{key} must be the path of a load-test file; got {_short(path)}.")
    try:
        target = Path(path)
        if not target.exists():
            raise UserError(f"{key} file {shown} not found. Give the path of a load-test file "
                            "(CSV, JSONL, Parquet).")
        if not target.is_file():
            raise UserError(f"{key} {shown} is a folder, not a file. Give one load-test file "
                            "(CSV, JSONL, Parquet).")
    except OSError as exc:
        raise UserError(f"{key} {shown} cannot be opened ({exc.strerror or exc}).") from None
    try:
        return io.read_paths([target], need_latency=need_latency).frame
    except UserError:
        raise UserError(f"{key}: {shown} could not be read as a load-test table; check it "
                        "with `python -m core ingest FILE --out table.csv`.") from None


def mix_from_frame(frame: Any) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Workload shares and per-workload payload-size shares observed in a canonical frame."""
    import pandas as pd

    if "workload_type" not in frame.columns or frame["workload_type"].dropna().empty:
        raise UserError("The data has no workload_type values, so no request mix can be taken "
                        "from it. Use a preset mix instead.")
    profiles = workload_profiles()
    rows = frame[frame["workload_type"].isin(list(profiles))]
    if rows.empty:
        raise UserError(f"No rows of the data have a known workload_type {sorted(profiles)}; "
                        f"got {sorted(frame['workload_type'].dropna().unique()[:5])}. Use a "
                        "preset mix instead.")
    weights = rows["workload_type"].value_counts(normalize=True).sort_index()
    payloads: dict[str, dict[str, float]] = {}
    if "payload_size_kb" in rows.columns:
        for name, group in rows.groupby("workload_type", observed=True):
            sizes = pd.to_numeric(group["payload_size_kb"], errors="coerce").dropna()
            if sizes.nunique() > MAX_PAYLOAD_LEVELS:  # continuous sizes: equal-weight quantiles
                sizes = sizes.quantile(np.linspace(0, 1, MAX_PAYLOAD_LEVELS))
            sizes = sizes[sizes >= 0].round(1)
            if len(sizes):
                shares = sizes.value_counts(normalize=True).sort_index()
                payloads[str(name)] = {f"{k:g}": float(v) for k, v in shares.items()}
    return {str(k): float(v) for k, v in weights.items()}, payloads


def trace_from_frame(frame: Any) -> list[float]:
    """Arrival offsets (s from the first request) of a canonical frame, for trace replay."""
    import pandas as pd

    if "timestamp" not in frame.columns:
        raise UserError("The data has no timestamp column, so it cannot be replayed as a "
                        "trace. Load a log whose rows carry timestamps, or pick another "
                        "traffic kind.")
    values = pd.Series(frame["timestamp"].dropna().astype(str).to_numpy(), dtype=object)
    return _trace_times({"timestamps": values.tolist()}).round(6).tolist()
