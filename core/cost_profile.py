"""Cost profiles: the one definition of what a request costs, shared by labels and simulator.

Why one object: the label rule, the simulator's bills and the routers' oracle must price a
request the same way, or a router is scored in a world it was not trained in. A profile is

* a price sheet (``core.pricing.Prices`` per architecture, for one region), each figure with
  its source;
* per-workload platform settings: Lambda memory, architecture and cold-start init, and the
  Fargate task size (vCPU / GB) of the workload's ECS service;
* billing rules: Lambda duration rounding (0 = not rounded, as the thesis computed; 1 = AWS's
  1 ms granularity), Fargate's one-minute minimum per task, and the fleet utilisation used by
  the ``fleet`` view (``None`` = measured from the logs).

Two cost views of one request (:func:`request_costs`):

* ``marginal`` (the thesis): a Lambda request pays requests + GB-seconds of its own duration;
  an ECS request pays its own execution time on its workload's task.
* ``fleet``: what a fleet bills. An ECS request's marginal cost divided by the fleet's
  utilisation (idle task time is paid too); a Lambda cold start also pays its init.

Presets: ``thesis`` (the thesis's task sizes and prices; reproduces its label shares) and
``aws-2026`` (the same deployment at AWS's published us-east-1 list prices, 1 ms rounding).
A profile is also a JSON document (:meth:`CostProfile.to_dict`, :func:`get_profile`).
"""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.errors import UserError
from core.pricing import PRICE_FIELDS, REGIONS, Prices, get_prices

PRESETS = ("thesis", "aws-2026")
DEFAULT_PROFILE = "thesis"
VIEWS = ("marginal", "fleet")
LAMBDA_MEMORY_RANGE = (128, 10_240)
#: Fargate task sizes AWS offers: vCPU -> allowed memory (GB).
FARGATE_MEMORY_GB: dict[float, tuple[float, ...]] = {
    0.25: (0.5, 1.0, 2.0),
    0.5: (1.0, 2.0, 3.0, 4.0),
    1.0: tuple(float(g) for g in range(2, 9)),
    2.0: tuple(float(g) for g in range(4, 17)),
    4.0: tuple(float(g) for g in range(8, 31)),
    8.0: tuple(float(g) for g in range(16, 61, 4)),
    16.0: tuple(float(g) for g in range(32, 121, 8)),
}
#: Utilisation floor of the fleet view: a fleet idle 99 % of the time is a measurement gap.
MIN_UTILISATION = 0.01

_THESIS_SOURCE = ("thesis (seeds 000/002): Fargate $0.04656/vCPU-h, $0.00511/GB-h; Lambda "
                  "$0.20 per 1M requests, $0.0000166667/GB-s, duration not rounded")
_AWS_SOURCE = ("AWS list prices, us-east-1, on-demand Linux, as published 2026-01: Fargate "
               "x86 $0.04048/vCPU-h, $0.004445/GB-h; arm $0.03238/vCPU-h, $0.00356/GB-h; "
               "Lambda $0.20 per 1M requests, x86 $0.0000166667/GB-s, arm $0.0000133334/GB-s")


@dataclass(frozen=True)
class WorkloadSettings:
    """How one workload is deployed: its Lambda function and its ECS service's task size."""

    lambda_memory_mb: float
    fargate_vcpu: float
    fargate_memory_gb: float
    lambda_architecture: str = "x86"
    fargate_architecture: str = "x86"
    lambda_init_ms: float = 250.0


_THESIS_WORKLOADS = {
    "lightweight_api": WorkloadSettings(128, 0.25, 0.5, lambda_init_ms=180.0),
    "thumbnail_processing": WorkloadSettings(256, 0.5, 1.0, lambda_init_ms=250.0),
    "medium_processing": WorkloadSettings(512, 1.0, 2.0, lambda_init_ms=300.0),
    "heavy_processing": WorkloadSettings(512, 1.0, 2.0, lambda_init_ms=350.0),
}


@dataclass(frozen=True)
class CostProfile:
    """Prices + per-workload settings + billing rules. Immutable; ``with_`` makes variants."""

    name: str
    base: str
    region: str
    price_overrides: dict[str, float]
    workloads: dict[str, WorkloadSettings]
    lambda_round_ms: float = 0.0
    fargate_minimum_s: float = 60.0
    fleet_utilisation: float | None = None
    sources: dict[str, str] = field(default_factory=dict)

    def prices(self, architecture: str = "x86") -> Prices:
        """The price sheet for one architecture (overrides applied)."""
        return get_prices({"base": self.base, **self.price_overrides}, self.region,
                          architecture)

    def settings(self, workload: str) -> WorkloadSettings:
        """One workload's settings; UserError naming the workload when the profile lacks it."""
        try:
            return self.workloads[workload]
        except KeyError:
            raise UserError(
                f"Cost profile {self.name!r} has no settings for workload {workload!r} (it has "
                f"{sorted(self.workloads)}). Add it under \"workloads\" in the profile JSON "
                "with lambda_memory_mb, fargate_vcpu and fargate_memory_gb.") from None

    def with_task_scale(self, factor: float) -> CostProfile:
        """The same profile with every Fargate task's vCPU and GB scaled (sensitivity rows);
        sizes are scaled as numbers, not snapped to AWS's offer."""
        wl = {k: replace(v, fargate_vcpu=v.fargate_vcpu * factor,
                         fargate_memory_gb=v.fargate_memory_gb * factor)
              for k, v in self.workloads.items()}
        return replace(self, name=f"{self.name} (tasks x{factor:g})", workloads=wl)

    def to_dict(self) -> dict[str, Any]:
        """The profile as JSON (what a profile file holds; ``get_profile`` reads it back)."""
        return {"name": self.name, "base": self.base, "region": self.region,
                "prices": {**{k: getattr(self.prices("x86"), k) for k in PRICE_FIELDS},
                           **self.price_overrides},
                "workloads": {k: asdict(v) for k, v in self.workloads.items()},
                "billing": {"lambda_round_ms": self.lambda_round_ms,
                            "fargate_minimum_s": self.fargate_minimum_s,
                            "fleet_utilisation": self.fleet_utilisation},
                "sources": dict(self.sources)}

    def workload_frame(self) -> pd.DataFrame:
        """Per-workload settings as a table (the Data page's editor, the report)."""
        return pd.DataFrame([{"workload_type": k, **asdict(v)}
                             for k, v in self.workloads.items()])


def _preset(name: str) -> CostProfile:
    if name == "thesis":
        return CostProfile(name="thesis", base="thesis", region="us-east-1", price_overrides={},
                           workloads=dict(_THESIS_WORKLOADS), lambda_round_ms=0.0,
                           sources={"prices": _THESIS_SOURCE,
                                    "workloads": "thesis ECS task definitions and Lambda "
                                                 "memory (128/256/512/512 MB)",
                                    "lambda_init_ms": "core.synth workload model"})
    return CostProfile(name="aws-2026", base="aws-2026", region="us-east-1", price_overrides={},
                       workloads=dict(_THESIS_WORKLOADS), lambda_round_ms=1.0,
                       sources={"prices": _AWS_SOURCE,
                                "workloads": "the thesis's deployment (task sizes, memory)",
                                "billing": "Lambda bills duration per 1 ms; Fargate per second "
                                           "with a one-minute minimum"})


def get_profile(spec: str | Path | dict | CostProfile | None = None) -> CostProfile:
    """A profile from a preset name, a JSON file path, a dict, or a profile (returned as is).

    A dict/file may set ``base`` (a preset to start from), ``name``, ``region``, ``prices``
    (price-sheet fields), ``workloads`` ({workload: settings}, merged over the base's),
    ``billing`` (``lambda_round_ms``, ``fargate_minimum_s``, ``fleet_utilisation``).
    Every bad value raises UserError naming the field.
    """
    if isinstance(spec, CostProfile):
        return spec
    if spec is None:
        return _preset(DEFAULT_PROFILE)
    if isinstance(spec, str | Path) and str(spec) in PRESETS:
        return _preset(str(spec))
    if isinstance(spec, str | Path):
        spec = _read_file(Path(spec))
    if not isinstance(spec, dict):
        raise UserError(f"A cost profile must be a preset {list(PRESETS)}, a JSON file or an "
                        f"object; got {type(spec).__name__}.")
    return _from_dict(spec)


def _read_file(path: Path) -> dict:
    if not path.is_file():
        raise UserError(f"Cost profile {str(path)!r} is neither a preset {list(PRESETS)} nor a "
                        "file. Pass --costs thesis, --costs aws-2026 or the path of a JSON "
                        "profile.")
    if path.stat().st_size > 1_000_000:
        raise UserError(f"Cost profile file {path.name!r} is over 1 MB; a profile is a small "
                        "JSON object. Check the path.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise UserError(f"Cost profile file {path.name!r} is not valid JSON. Download a "
                        "profile from the Data page or write one as in the README.") from None
    if not isinstance(data, dict):
        raise UserError(f"Cost profile file {path.name!r} must hold a JSON object.")
    return data


_TOP_KEYS = ("name", "base", "region", "prices", "workloads", "billing", "sources")
_BILLING_KEYS = ("lambda_round_ms", "fargate_minimum_s", "fleet_utilisation")
_SETTING_KEYS = tuple(WorkloadSettings.__dataclass_fields__)


def _reject_unknown(where: str, given: dict, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise UserError(f"Unknown key(s) {unknown} in cost profile {where}; allowed: "
                        f"{list(allowed)}. Fix the spelling or remove them.")


def _number(where: str, value: Any, lo: float, hi: float = math.inf) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or not lo <= value <= hi:
        bound = f">= {lo:g}" if hi == math.inf else f"between {lo:g} and {hi:g}"
        raise UserError(f"Cost profile field {where} must be a number {bound}; got {value!r}.")
    return float(value)


def _from_dict(spec: dict) -> CostProfile:
    _reject_unknown("(top level)", spec, _TOP_KEYS)
    base_name = spec.get("base", DEFAULT_PROFILE)
    if base_name not in PRESETS:
        raise UserError(f"Cost profile field base must be one of {list(PRESETS)}; got "
                        f"{base_name!r}.")
    base = _preset(base_name)
    region = spec.get("region", base.region)
    if region not in REGIONS:
        raise UserError(f"Cost profile field region must be one of {list(REGIONS)}; got "
                        f"{region!r}. Prices are published per region: pick one of those.")
    prices = spec.get("prices") or {}
    if not isinstance(prices, dict):
        raise UserError("Cost profile field prices must be an object of price fields.")
    _reject_unknown("prices", prices, PRICE_FIELDS)
    overrides = {k: _number(f"prices.{k}", v, 0.0) for k, v in prices.items()}
    workloads = dict(base.workloads)
    given = spec.get("workloads") or {}
    if not isinstance(given, dict):
        raise UserError("Cost profile field workloads must be an object {workload: settings}.")
    for name, raw in given.items():
        if not isinstance(raw, dict):
            raise UserError(f"Cost profile field workloads.{name} must be an object.")
        _reject_unknown(f"workloads.{name}", raw, _SETTING_KEYS)
        merged = {**asdict(workloads.get(name, WorkloadSettings(512, 1.0, 2.0))), **raw}
        workloads[str(name)] = _settings(str(name), merged)
    billing = spec.get("billing") or {}
    if not isinstance(billing, dict):
        raise UserError("Cost profile field billing must be an object.")
    _reject_unknown("billing", billing, _BILLING_KEYS)
    utilisation = billing.get("fleet_utilisation", base.fleet_utilisation)
    if utilisation is not None:
        utilisation = _number("billing.fleet_utilisation", utilisation, MIN_UTILISATION, 1.0)
    sources = spec.get("sources") or base.sources
    return CostProfile(
        name=str(spec.get("name") or f"{base_name}+custom"), base=base_name, region=region,
        price_overrides=overrides, workloads=workloads,
        lambda_round_ms=_number("billing.lambda_round_ms",
                                billing.get("lambda_round_ms", base.lambda_round_ms), 0.0, 1000.0),
        fargate_minimum_s=_number("billing.fargate_minimum_s",
                                  billing.get("fargate_minimum_s", base.fargate_minimum_s),
                                  0.0, 3600.0),
        fleet_utilisation=utilisation,
        sources={str(k): str(v) for k, v in dict(sources).items()})


def _settings(name: str, raw: dict) -> WorkloadSettings:
    where = f"workloads.{name}"
    lo, hi = LAMBDA_MEMORY_RANGE
    memory = _number(f"{where}.lambda_memory_mb", raw["lambda_memory_mb"], lo, hi)
    vcpu = _number(f"{where}.fargate_vcpu", raw["fargate_vcpu"], 0.0)
    if vcpu not in FARGATE_MEMORY_GB:
        raise UserError(f"Cost profile field {where}.fargate_vcpu = {vcpu:g} is not a Fargate "
                        f"task size; Fargate offers {[f'{v:g}' for v in FARGATE_MEMORY_GB]} "
                        "vCPU.")
    gb = _number(f"{where}.fargate_memory_gb", raw["fargate_memory_gb"], 0.0)
    if gb not in FARGATE_MEMORY_GB[vcpu]:
        raise UserError(f"Cost profile field {where}.fargate_memory_gb = {gb:g} is not offered "
                        f"with {vcpu:g} vCPU; Fargate allows "
                        f"{[f'{g:g}' for g in FARGATE_MEMORY_GB[vcpu]]} GB.")
    for arch_key in ("lambda_architecture", "fargate_architecture"):
        if raw[arch_key] not in ("x86", "arm"):
            raise UserError(f"Cost profile field {where}.{arch_key} must be 'x86' or 'arm'; "
                            f"got {raw[arch_key]!r}.")
    init = _number(f"{where}.lambda_init_ms", raw["lambda_init_ms"], 0.0, 60_000.0)
    return WorkloadSettings(memory, vcpu, gb, raw["lambda_architecture"],
                            raw["fargate_architecture"], init)


# -- pricing requests ----------------------------------------------------------------------

def numeric_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A column as floats (NaN where missing or not a number; all NaN when absent)."""
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def check_view(view: str) -> str:
    """The view name, else UserError listing the views."""
    if view not in VIEWS:
        raise UserError(f"cost view must be one of {list(VIEWS)}; got {view!r}. 'marginal' "
                        "prices a request's own processing time (the thesis); 'fleet' adds "
                        "idle task time and billed Lambda init.")
    return view


def lambda_request_cost(duration_ms: np.ndarray, memory_mb: np.ndarray, profile: CostProfile,
                        architecture: str = "x86", init_ms: Any = 0.0) -> np.ndarray:
    """Lambda bill of requests: request price + GB-seconds of the (rounded) billed time."""
    prices = profile.prices(architecture)
    billed = np.asarray(duration_ms, dtype=float) + np.asarray(init_ms, dtype=float)
    if profile.lambda_round_ms > 0:
        billed = np.ceil(billed / profile.lambda_round_ms) * profile.lambda_round_ms
    gb_s = billed / 1000.0 * np.asarray(memory_mb, dtype=float) / 1024.0
    return prices.lambda_request_usd + gb_s * prices.lambda_gb_second_usd


def ecs_request_cost(duration_ms: np.ndarray, settings: WorkloadSettings, profile: CostProfile,
                     utilisation: Any = 1.0) -> np.ndarray:
    """An ECS request's share of its task: its own time on the task, / fleet utilisation."""
    prices = profile.prices(settings.fargate_architecture)
    hourly = (settings.fargate_vcpu * prices.fargate_vcpu_hour_usd
              + settings.fargate_memory_gb * prices.fargate_gb_hour_usd)
    return np.asarray(duration_ms, dtype=float) / 3.6e6 * hourly / np.asarray(utilisation)


def duration_ms(frame: pd.DataFrame) -> np.ndarray:
    """The billed duration of each row: execution_time_ms where present, else latency_ms."""
    execution = numeric_column(frame, "execution_time_ms")
    duration = np.where(np.isnan(execution), numeric_column(frame, "latency_ms"), execution)
    return np.where(duration >= 0, duration, np.nan)


def measured_utilisation(frame: pd.DataFrame) -> dict[str, float]:
    """Per workload, the busy share of its ECS service measured in the logs.

    Busy seconds (sum of ECS execution times) over wall seconds (first to last ECS request of
    each run, a run being one time window x load pattern), as if one task served the run;
    clipped to [MIN_UTILISATION, 1] (overlapping requests mean more than one task was busy).
    """
    if not {"platform", "workload_type", "timestamp"} <= set(frame.columns):
        return {}
    ecs = frame[frame["platform"].astype("string").str.lower() == "ecs"]
    if ecs.empty:
        return {}
    ts = pd.to_datetime(ecs["timestamp"], errors="coerce", utc=True, format="mixed")
    runs = [c for c in ("time_window", "load_pattern") if c in ecs.columns]
    work = pd.DataFrame({"w": ecs["workload_type"].astype("string").to_numpy(),
                         "t": ts.to_numpy(), "busy": duration_ms(ecs) / 1000.0})
    for col in runs:
        work[col] = ecs[col].astype("string").to_numpy()
    work = work.dropna(subset=["t", "busy"])
    out = {}
    for name, group in work.groupby("w"):
        spans = group.groupby(runs)["t"] if runs else [(None, group["t"])]
        wall = sum((g.max() - g.min()).total_seconds() for _, g in spans)
        if wall > 0:
            out[str(name)] = float(np.clip(group["busy"].sum() / wall, MIN_UTILISATION, 1.0))
    return out


def request_costs(frame: pd.DataFrame, profile: CostProfile | str | None = None, *,
                  view: str = "marginal",
                  utilisation: dict[str, float] | None = None) -> np.ndarray:
    """Each row's cost (USD) on the platform it ran on, under ``profile`` and ``view``.

    Lambda rows use the logged ``memory_mb`` when present (the thesis priced memory as
    logged), else the workload's. ECS rows use the workload's task size. In the ``fleet``
    view ECS costs are divided by the fleet's utilisation (the profile's, else ``utilisation``
    per workload, else :func:`measured_utilisation`) and Lambda cold starts pay their init.
    Error rows, unknown platforms and rows without a duration get NaN.
    """
    profile = get_profile(profile)
    check_view(view)
    n = len(frame)
    out = np.full(n, np.nan)
    if n == 0 or "platform" not in frame.columns or "workload_type" not in frame.columns:
        return out
    duration = duration_ms(frame)
    # integer codes, not per-row strings: a million-row log is priced in well under a second
    p_codes, p_names = pd.factorize(frame["platform"])
    p_lookup = np.array([{"lambda": 0, "ecs": 1}.get(str(v).strip().lower(), -1)
                         for v in p_names] + [-1])
    side = p_lookup[p_codes]  # 0 Lambda, 1 ECS, -1 other (code -1, missing, picks the last)
    w_codes, w_names = pd.factorize(frame["workload_type"])
    memory = numeric_column(frame, "memory_mb")
    cold = (frame["cold_start"].astype("boolean").fillna(False).to_numpy(dtype=bool)
            if "cold_start" in frame.columns else np.zeros(n, dtype=bool))
    if view == "fleet" and profile.fleet_utilisation is None and utilisation is None:
        utilisation = measured_utilisation(frame)
    ok = ~np.isnan(duration) & ~error_rows(frame) & (side >= 0) & (w_codes >= 0)
    for code in np.unique(w_codes[ok]):
        name = str(w_names[code])
        settings = profile.settings(name)
        rows = ok & (w_codes == code)
        lam = rows & (side == 0)
        if lam.any():
            mem = np.where(np.isnan(memory[lam]) | (memory[lam] <= 0),
                           settings.lambda_memory_mb, memory[lam])
            init = np.where(cold[lam], settings.lambda_init_ms, 0.0) if view == "fleet" else 0.0
            out[lam] = lambda_request_cost(duration[lam], mem, profile,
                                           settings.lambda_architecture, init)
        ecs = rows & (side == 1)
        if ecs.any():
            util = 1.0
            if view == "fleet":
                util = profile.fleet_utilisation or (utilisation or {}).get(name, 1.0)
            out[ecs] = ecs_request_cost(duration[ecs], settings, profile, util)
    return out


def error_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows that failed (is_error, or an HTTP status of 400 or more): never labelled or priced."""
    bad = np.zeros(len(frame), dtype=bool)
    if "is_error" in frame.columns:
        bad |= frame["is_error"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    if "http_status" in frame.columns:
        bad |= np.nan_to_num(numeric_column(frame, "http_status"), nan=0.0) >= 400
    return bad


#: Settings assumed for a workload a profile does not name, when only gaps are being filled
#: (the table's own costs are used otherwise): the thesis's mid-size deployment.
GENERIC_WORKLOAD = WorkloadSettings(512, 1.0, 2.0)


def fill_missing_cost(frame: pd.DataFrame, profile: CostProfile | str | None = None
                      ) -> pd.DataFrame:
    """Copy of ``frame`` with NaN ``cost_usd`` filled by the profile's marginal cost.

    A workload the profile does not name is priced with GENERIC_WORKLOAD (ingestion must not
    fail on a new workload; ``frame.attrs["cost_notes"]`` says which were assumed).
    """
    profile = get_profile(profile)
    out = frame.copy()
    cost = numeric_column(out, "cost_usd")
    missing = np.isnan(cost)
    notes = []
    if missing.any() and "workload_type" in out.columns:
        names = out.loc[missing, "workload_type"].dropna().astype(str).unique()
        unknown = sorted(set(names) - set(profile.workloads))
        if unknown:
            profile = replace(profile, workloads={**profile.workloads,
                                                  **dict.fromkeys(unknown, GENERIC_WORKLOAD)})
            notes.append(f"cost profile {profile.name!r} has no settings for {unknown}: their "
                         "missing costs assume 512 MB Lambda and 1 vCPU / 2 GB Fargate tasks. "
                         "Add them to the profile for exact costs.")
        cost = cost.copy()
        cost[missing] = request_costs(out[missing], profile)
    out["cost_usd"] = cost
    out.attrs["cost_notes"] = notes
    return out
