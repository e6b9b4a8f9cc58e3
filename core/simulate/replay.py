"""A simulator calibrated on the loaded data: replay its requests, draw service times from it.

Why: a router trained on these logs must be scored in the world of these logs. The preset
physical model (core.simulate.runner) stays for what-ifs without data. Here

* the requests are the file's usable requests (arrivals from their timestamps; workload,
  payload, time window, load pattern as logged; the platform each was measured on);
* each platform's service time and cost for a request are drawn, with a seed, from the
  file's own measurements on that platform in the request's cell (workload x payload level x
  time window x load pattern; coarser cells when a cell is empty); a Lambda request that the
  instance pool (one pool per workload, keep-alive semantics as in DESIGN.md) finds cold
  draws from the measured cold starts (else warm + the profile's init);
* costs are the cost profile's (core.cost_profile) under the same view as the label;
* the label-rule oracle labels every simulated request with the same rule, margin, latency
  field, profile and view as the file's labels, from the request's measured platform, so a
  router's routing accuracy is measured against the objective it was trained on.

Limits (said in the result's ``calibration.notes``): measured ECS times already include the
contention of the measured load, so routing fewer requests to ECS does not make them faster;
Fargate scaling what-ifs belong to the preset model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.cost_profile import CostProfile, get_profile, measured_utilisation
from core.errors import UserError
from core.labels import balanced_optimal, check_margin, objective_costs
from core.simulate import lambda_platform as lp
from core.simulate.results import Outcome, SimulationResult, summarise, versus
from core.simulate.routers import input_features

ROUTER_KINDS = ("model", "objective", "oracle", "lambda", "ecs", "random")
PLACEMENTS = ("in_process", "lambda_call")
#: Latency (ms) a router adds in process (the handler's measured evaluation time).
IN_PROCESS_MS = {"model": 2.0, "objective": 2.0, "oracle": 0.0, "lambda": 0.0, "ecs": 0.0,
                 "random": 0.01}
ROUTER_MEMORY_MB = 512
#: Payload levels: quarter-octave bins, so 5,120 and 5,133 KB share a level, 2,048 does not.
LEVELS_PER_OCTAVE = 4
MIN_CELL_ROWS = 5


@dataclass(frozen=True)
class ReplaySettings:
    """What a calibrated replay needs besides the data (all have defaults)."""

    costs: CostProfile | str | None = None
    view: str = "marginal"
    margin: float = 0.10
    latency_col: str | None = None
    router: str = "model"
    threshold: float = 0.5
    placement: str = "in_process"
    keep_alive_s: float = 600.0
    seed: int = 1
    p_lambda: float = 0.5
    #: router "objective": the objective (core.objective.objectives, JSON or object) the
    #: router's per-platform predictions are decided by
    objective: Any = None


class _Scenario:
    """What core.simulate.results reads from a scenario, for a replay."""

    def __init__(self, raw: dict[str, Any]):
        self.raw = raw

    def section(self, name: str) -> dict[str, Any]:
        return self.raw[name]

    def to_json(self) -> dict[str, Any]:
        return dict(self.raw)


class _Requests:
    def __init__(self, arrival: np.ndarray):
        self.arrival = arrival


def _check(settings: ReplaySettings) -> None:
    check_margin(settings.margin)
    if settings.router not in ROUTER_KINDS:
        raise UserError(f"router must be one of {list(ROUTER_KINDS)}; got {settings.router!r}.")
    if settings.placement not in PLACEMENTS:
        raise UserError(f"router placement must be one of {list(PLACEMENTS)}; got "
                        f"{settings.placement!r}.")
    if not 0.0 <= settings.threshold <= 1.0:
        raise UserError(f"decision threshold must be in [0, 1]; got {settings.threshold!r}.")


#: Columns the label rule, the costs and the cell keys read (model inputs are added).
_RULE_COLUMNS = ("platform", "workload_type", "timestamp", "payload_size_kb", "time_window",
                 "load_pattern", "execution_time_ms", "latency_ms", "cost_usd", "memory_mb",
                 "cold_start", "http_status", "is_error", "label")


def _usable(frame: pd.DataFrame, settings: ReplaySettings,
            inputs: list[str]) -> tuple[pd.DataFrame, str]:
    """The labelled, replayable rows in arrival order, and the latency field used.

    Only the columns the rule, the costs and the model read are carried (a million-row log
    with many columns is not copied whole)."""
    for col in ("platform", "workload_type", "timestamp"):
        if col not in frame.columns:
            raise UserError(f"A calibrated replay needs a {col!r} column; got "
                            f"{sorted(map(str, frame.columns))}. Load request logs (one row "
                            "per request, with platform and timestamp).")
    keep = list(dict.fromkeys(c for c in (*_RULE_COLUMNS, *inputs) if c in frame.columns))
    slim = frame[keep].drop(columns=["label"], errors="ignore")
    labelled = balanced_optimal(slim, margin=settings.margin, latency_col=settings.latency_col,
                                costs=settings.costs, view=settings.view)
    field = labelled.attrs["label_rule"]["latency_field"]
    stamp = pd.to_datetime(labelled["timestamp"], errors="coerce", utc=True, format="mixed"
                           ).dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    cost = objective_costs(labelled, settings.costs, settings.view)  # as the label priced it
    latency = pd.to_numeric(labelled[field], errors="coerce").to_numpy(dtype=float)
    ok = (labelled["label"].notna().to_numpy() & ~np.isnat(stamp)
          & ~np.isnan(latency) & ~np.isnan(cost))
    idx = np.flatnonzero(ok)
    order = idx[np.argsort(stamp[idx], kind="stable")]
    rows = labelled.take(order).reset_index(drop=True)
    if rows.empty or rows["platform"].nunique() < 2:
        raise UserError("No request can be replayed: a calibrated replay needs labelled rows "
                        "with timestamps on both Lambda and ECS. Load logs of both platforms.")
    rows["_t"] = stamp[order]
    rows["_cost"], rows["_lat"] = cost[order], latency[order]
    codes, names = pd.factorize(rows["workload_type"].astype(str), sort=True)
    rows["_w"] = codes
    rows["_on_lambda"] = rows["platform"].astype(str).str.lower().to_numpy() == "lambda"
    rows.attrs["workloads"] = [str(n) for n in names]
    return rows, field


def _levels(frame: pd.DataFrame) -> np.ndarray:
    if "payload_size_kb" not in frame.columns:
        return np.zeros(len(frame), dtype=np.int64)
    kb = pd.to_numeric(frame["payload_size_kb"], errors="coerce").to_numpy(dtype=float)
    kb = np.where(np.isnan(kb) | (kb <= 0), 1e-3, kb)
    return np.round(np.log2(kb) * LEVELS_PER_OCTAVE).astype(np.int64)


def _cell_keys(rows: pd.DataFrame) -> list[np.ndarray]:
    """Cell codes from finest to coarsest: workload x payload level x time window x load
    pattern, then workload x payload level, then workload."""
    w = rows["_w"].to_numpy(dtype=np.int64)
    level = pd.factorize(_levels(rows))[0].astype(np.int64)
    extra = np.zeros(len(rows), dtype=np.int64)
    for col in ("time_window", "load_pattern"):
        if col in rows.columns:
            codes, uniques = pd.factorize(rows[col])
            extra = extra * (len(uniques) + 1) + (codes + 1)
    by_level = w * (int(level.max(initial=0)) + 1) + level
    finest = pd.factorize(by_level * (int(extra.max(initial=0)) + 1) + extra)[0]
    return [finest, pd.factorize(by_level)[0], w]


def _draw(keys: list[np.ndarray], pool: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For every request, the index of a measured row from ``pool`` (a boolean mask) in its
    finest cell that has at least MIN_CELL_ROWS such rows (or any, at the coarsest); -1 when
    the workload has none."""
    n = len(pool)
    pick = np.full(n, -1, dtype=np.int64)
    u = rng.random(n)
    for depth, key in enumerate(keys):
        todo = pick < 0
        if not todo.any():
            break
        members = np.flatnonzero(pool)
        order = members[np.argsort(key[members], kind="stable")]
        # Keys are compact codes (0..K-1): each cell's first position in `order` and its
        # size come from one count, where binary searches over the sorted keys cost 10x.
        sizes = np.bincount(key[members], minlength=int(key.max(initial=-1)) + 1)
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        wanted = key[todo]
        lo, count = starts[wanted], sizes[wanted]
        need = 1 if depth == len(keys) - 1 else MIN_CELL_ROWS
        ok = count >= need
        idx = lo + np.minimum((u[todo] * count).astype(np.int64), np.maximum(count - 1, 0))
        chosen = np.where(ok, order[np.minimum(idx, len(order) - 1)] if len(order) else -1, -1)
        sub = pick[todo]
        sub[ok] = chosen[ok]
        pick[todo] = sub
    return pick


@dataclass
class _Draws:
    lam_warm: np.ndarray     # row index of the warm Lambda measurement per request
    lam_cold: np.ndarray     # row index of a cold Lambda measurement (-1: warm + init)
    ecs: np.ndarray


def _lambda_run(rows: pd.DataFrame, draws: _Draws, to_lambda: np.ndarray, arrival: np.ndarray,
                settings: ReplaySettings, profile: CostProfile
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """Latency (s), cold flag and cost of each Lambda-routed request, one pool per workload."""
    n = len(rows)
    lat = np.full(n, np.nan)
    cold = np.zeros(n, dtype=bool)
    cost = np.zeros(n)
    runs = []
    lat_ms, row_cost = rows["_lat"].to_numpy(), rows["_cost"].to_numpy()
    workload = rows["_w"].to_numpy()
    for code, name in enumerate(rows.attrs["workloads"]):
        mine = to_lambda & (workload == code)
        if not mine.any():
            continue
        init_ms = profile.workloads[name].lambda_init_ms if name in profile.workloads \
            else 250.0
        warm_ms = lat_ms[draws.lam_warm[mine]]
        cold_idx = draws.lam_cold[mine]
        cold_ms = np.where(cold_idx >= 0, lat_ms[np.maximum(cold_idx, 0)], warm_ms + init_ms)
        run = lp.simulate_pool(arrival[mine], warm_ms / 1000.0, cold_ms / 1000.0,
                               np.full(int(mine.sum()), settings.keep_alive_s),
                               concurrency_limit=100_000)
        runs.append(run)
        is_cold = run.cold
        lat[mine] = np.where(is_cold, cold_ms, warm_ms) / 1000.0
        cold[mine] = is_cold
        warm_cost = row_cost[draws.lam_warm[mine]]
        cold_cost = np.where(cold_idx >= 0, row_cost[np.maximum(cold_idx, 0)], warm_cost)
        cost[mine] = np.where(is_cold, cold_cost, warm_cost)
    return lat, cold, cost, runs


def _strategy(name: str, rows: pd.DataFrame, draws: _Draws, to_lambda: np.ndarray,
              arrival: np.ndarray, settings: ReplaySettings, profile: CostProfile,
              util: dict[str, float], router_ms: float, router_usd: float) -> Outcome:
    lat, cold, cost, _ = _lambda_run(rows, draws, to_lambda, arrival, settings, profile)
    to_ecs = ~to_lambda
    lat[to_ecs] = rows["_lat"].to_numpy()[draws.ecs[to_ecs]] / 1000.0
    cost[to_ecs] = rows["_cost"].to_numpy()[draws.ecs[to_ecs]]
    prices = {arch: profile.prices(arch) for arch in ("x86", "arm")}
    lam_requests = float(to_lambda.sum()) * prices["x86"].lambda_request_usd
    per_workload = np.array([1.0 if settings.view == "marginal" else
                             (profile.fleet_utilisation or util.get(w, 1.0))
                             for w in rows.attrs["workloads"]])
    u = per_workload[rows["_w"].to_numpy()]
    ecs_total = float(cost[to_ecs].sum())
    busy = float((cost[to_ecs] * u[to_ecs]).sum())
    breakdown = {"lambda_compute_usd": float(cost[to_lambda].sum()) - lam_requests,
                 "lambda_requests_usd": lam_requests,
                 "fargate_busy_usd": busy, "fargate_idle_usd": ecs_total - busy}
    if name not in ("lambda", "ecs"):
        lat = lat + router_ms / 1000.0
    if name not in ("lambda", "ecs") and router_usd:
        breakdown["router_usd"] = router_usd * len(rows)
        cost = cost + router_usd
    horizon = float(arrival[-1]) if len(arrival) else 0.0
    out = Outcome(name, to_lambda, lat, cold, np.zeros(len(rows), dtype=bool),
                  np.zeros(len(rows), dtype=bool), cost, {}, horizon)
    out.extra["breakdown"] = breakdown
    return out


def _oracle(rows: pd.DataFrame, lam: Outcome, ecs: Outcome, lam_cost: np.ndarray,
            ecs_cost: np.ndarray, margin: float) -> np.ndarray:
    """The label rule applied to the simulated requests: each from the side of the platform
    it was measured on, against the other platform's medians of its workload in the file
    (the rule's reference values, as the file's labels used them)."""
    keep = 1.0 - margin
    workload = rows["_w"].to_numpy()
    measured_on_lambda = rows["_on_lambda"].to_numpy()
    lat, cost = rows["_lat"].to_numpy(), rows["_cost"].to_numpy()
    label = np.zeros(len(rows), dtype=bool)
    for code in range(len(rows.attrs["workloads"])):
        w = workload == code
        wl, we = w & measured_on_lambda, w & ~measured_on_lambda
        a = wl
        label[a] = ((lam.latency_s[a] * 1000.0 < keep * np.median(lat[we]))
                    & (lam_cost[a] < keep * np.median(cost[we])))
        b = we
        label[b] = ((np.median(lat[wl]) < keep * ecs.latency_s[b] * 1000.0)
                    & (np.median(cost[wl]) < keep * ecs_cost[b]))
    return label


def _model_choice(pipeline: Any, rows: pd.DataFrame, threshold: float) -> np.ndarray:
    """The model's decision per request, predicting each distinct input row once."""
    wanted = [c for c in input_features(pipeline, ()) if c in rows.columns] or list(rows.columns)
    inputs = rows[wanted]
    codes = np.zeros(len(rows), dtype=np.int64)
    for col in wanted:
        col_codes, uniques = pd.factorize(inputs[col], use_na_sentinel=False)
        codes = pd.factorize(codes * (len(uniques) + 1) + col_codes)[0]  # stays compact
    first = np.unique(codes, return_index=True)[1]
    inverse = codes
    distinct = rows.iloc[first]
    try:
        proba = np.asarray(pipeline.predict_proba(distinct))[:, 1]
    except Exception as exc:  # a model trained on other columns: say which
        raise UserError(f"The router model could not score the loaded requests "
                        f"({type(exc).__name__}: {exc}). Use a model trained on this data's "
                        "features.") from exc
    return (proba >= threshold)[inverse]


def _calibration(rows: pd.DataFrame, lam: Outcome, ecs: Outcome, oracle: np.ndarray,
                 field: str) -> dict[str, Any]:
    out_rows = []
    workload = rows["_w"].to_numpy()
    platform = np.where(rows["_on_lambda"].to_numpy(), "lambda", "ecs")
    measured_lat = rows["_lat"].to_numpy()
    measured_cold = (rows["cold_start"].astype("boolean").fillna(False).to_numpy(dtype=bool)
                     if "cold_start" in rows.columns else np.zeros(len(rows), dtype=bool))
    names = rows.attrs["workloads"]
    for code, name in enumerate(names):
        w = workload == code
        for plat, sim in (("lambda", lam), ("ecs", ecs)):
            m = w & (platform == plat)
            if not m.any():
                continue
            sim_ms = sim.latency_s[m] * 1000.0  # the same requests, simulated
            out_rows.append({
                "workload_type": name, "platform": plat, "rows": int(m.sum()),
                "measured_p50_ms": float(np.percentile(measured_lat[m], 50)),
                "simulated_p50_ms": float(np.percentile(sim_ms, 50)),
                "measured_p95_ms": float(np.percentile(measured_lat[m], 95)),
                "simulated_p95_ms": float(np.percentile(sim_ms, 95)),
                "measured_cold_start_rate": float(measured_cold[m].mean()),
                "simulated_cold_start_rate": float(sim.cold[m].mean()),
            })
    label = rows["label"].astype(float).to_numpy()
    shares = {name: {"measured": float(label[workload == code].mean() * 100.0),
                     "simulated": float(oracle[workload == code].mean() * 100.0)}
              for code, name in enumerate(names)}
    return {"latency_field": field, "rows": out_rows, "label_share": shares,
            "notes": ["Service times and costs are drawn from the file's own measurements per "
                      "workload x payload level x time window x load pattern (coarser when a "
                      "cell has fewer than 5 rows).",
                      "Measured ECS times include the contention of the measured load; routing "
                      "fewer requests to ECS does not make them faster here.",
                      "Lambda cold starts come from an instance pool per workload "
                      "(keep-alive), so their rate can differ from the measured one."]}


def same_objective(used: dict[str, Any], rule: dict[str, Any]) -> bool:
    """Whether a replay's objective (``result.objective``) is the label rule a model was
    trained on (its registry ``label_rule``; a model without one learned given costs)."""
    return (used["costs"] == rule.get("costs", "as given")
            and used["margin"] == rule.get("margin", 0.10)
            and used["view"] == rule.get("view", "marginal"))


def calibration_frame(calibration: dict[str, Any]) -> pd.DataFrame:
    """Measured vs simulated per workload x platform, with the relative p50 error (%)."""
    table = pd.DataFrame(calibration["rows"])
    table["p50_error_pct"] = (table["simulated_p50_ms"] / table["measured_p50_ms"] - 1) * 100
    return table


def replay(frame: pd.DataFrame, settings: ReplaySettings | None = None, *,
           pipeline: Any = None, bins: int = 120) -> SimulationResult:
    """Lambda-only, ECS-only, routed hybrid and two hindsight oracles on the file's requests.

    ``oracle`` routes by the label rule (the objective routers are scored against);
    ``cost_oracle`` sends each request to the platform that was cheaper for it.

    ``pipeline`` is the router model (required for ``router="model"``). The result is the
    preset simulator's (same fields, charts and exports) plus ``calibration`` and
    ``objective``; ``hybrid.routing_accuracy`` is measured against the label-rule oracle.
    """
    started = time.perf_counter()
    settings = settings or ReplaySettings()
    _check(settings)
    if settings.router in ("model", "objective") and pipeline is None:
        raise UserError("A model router needs a model: pass --router MODEL_ID (or pick a "
                        "trained model on the page), or choose router oracle/lambda/ecs.")
    objective = None
    if settings.router == "objective":
        from core.objective.router import objective_for

        objective = objective_for(settings.objective, pipeline)
    profile = get_profile(settings.costs)
    rows, field = _usable(frame, settings, input_features(pipeline, ()) if pipeline is not None
                          else [])
    stamps = rows["_t"].to_numpy(dtype="datetime64[ns]")
    arrival = (stamps - stamps[0]) / np.timedelta64(1, "s")
    rng = np.random.default_rng(settings.seed)
    keys = _cell_keys(rows)
    on_lambda = rows["_on_lambda"].to_numpy()
    cold_col = (rows["cold_start"].astype("boolean").fillna(False).to_numpy(dtype=bool)
                if "cold_start" in rows.columns else np.zeros(len(rows), dtype=bool))
    draws = _Draws(lam_warm=_draw(keys, on_lambda & ~cold_col, rng),
                   lam_cold=_draw(keys[-1:], on_lambda & cold_col, rng),
                   ecs=_draw(keys, ~on_lambda, rng))
    if (draws.lam_warm < 0).any() or (draws.ecs < 0).any():
        raise UserError("Some workloads have no warm Lambda or no ECS measurements, so they "
                        "cannot be replayed on both platforms. Load logs of both platforms "
                        "for every workload.")
    util = (measured_utilisation(frame) if settings.view == "fleet"
            and profile.fleet_utilisation is None else {})
    n = len(rows)
    router_ms = IN_PROCESS_MS[settings.router]
    router_usd = 0.0
    if settings.placement == "lambda_call" and settings.router not in ("lambda", "ecs"):
        router_ms += 15.0  # an extra invocation's network and gateway time
        p = profile.prices("x86")
        router_usd = p.lambda_request_usd + router_ms / 1000.0 * ROUTER_MEMORY_MB / 1024.0 \
            * p.lambda_gb_second_usd
    common = dict(rows=rows, draws=draws, arrival=arrival, settings=settings, profile=profile,
                  util=util, router_ms=router_ms, router_usd=router_usd)
    timings = {}
    t0 = time.perf_counter()
    lam = _strategy("lambda", to_lambda=np.ones(n, dtype=bool), **common)
    timings["lambda"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    ecs = _strategy("ecs", to_lambda=np.zeros(n, dtype=bool), **common)
    timings["ecs"] = time.perf_counter() - t0
    lam_cost = _per_request_cost(lam, rows, draws, platform_costs="lambda")
    ecs_cost = rows["_cost"].to_numpy()[draws.ecs]
    oracle = _oracle(rows, lam, ecs, lam_cost, ecs_cost, settings.margin)
    t0 = time.perf_counter()
    if settings.router == "model":
        choice = _model_choice(pipeline, rows, settings.threshold)
    elif settings.router == "objective":
        from core.objective.router import route

        choice = route(pipeline, rows, objective, predictions=False)[0]
    elif settings.router == "oracle":
        choice = oracle
    elif settings.router == "random":
        choice = np.random.default_rng([settings.seed, 7]).random(n) < settings.p_lambda
    else:
        choice = np.full(n, settings.router == "lambda")
    hybrid = _strategy("hybrid", to_lambda=choice, **common)
    best = _strategy("oracle", to_lambda=oracle, **common)
    cheapest = _strategy("cost_oracle", to_lambda=lam_cost <= ecs_cost, **common)
    timings["hybrid"] = time.perf_counter() - t0
    scenario = _Scenario({
        "mode": "calibrated replay", "requests": n, "seed": settings.seed,
        "router": {"kind": settings.router, "placement": settings.placement,
                   "probability_threshold": settings.threshold,
                   **({"objective": objective.to_dict()} if objective is not None else {})},
        "objective": _objective(settings, profile, field), "cost_profile": profile.to_dict()})
    result = summarise(scenario, _Requests(arrival),
                       {"lambda": lam, "ecs": ecs, "hybrid": hybrid, "oracle": best,
                        "cost_oracle": cheapest},
                       oracle=oracle, bins=bins, timings=timings)
    for name, out in (("lambda", lam), ("ecs", ecs), ("hybrid", hybrid), ("oracle", best),
                      ("cost_oracle", cheapest)):
        result.strategies[name]["cost_breakdown"] = out.extra["breakdown"]
    for name in ("hybrid", "oracle", "cost_oracle"):
        for base in ("lambda", "ecs"):
            result.strategies[name][f"vs_{base}"] = versus(result.strategies[name],
                                                           result.strategies[base])
    for name, out in (("lambda", lam), ("ecs", ecs), ("hybrid", hybrid), ("oracle", best),
                      ("cost_oracle", cheapest)):
        # the cost oracle's own objective: each request priced as in the single-platform
        # runs (cold starts there), so no routing can beat it on this figure
        result.strategies[name]["baseline_priced_cost_usd"] = float(
            np.where(out.to_lambda, lam_cost, ecs_cost).sum())
        result.strategies[name]["workload_p95_ms"] = {
            w: float(np.percentile(out.latency_s[rows["_w"].to_numpy() == code], 95) * 1000.0)
            for code, w in enumerate(rows.attrs["workloads"])}
    if objective is not None:
        from core.objective.objectives import objective_met

        check = objective_met(objective, result.strategies)
        result.strategies["hybrid"]["objective_met"] = check["met"]
        result.strategies["hybrid"]["objective"] = {**objective.to_dict(),
                                                    "checks": check["checks"]}
    result.strategies["oracle"]["router"] = "hindsight: the label rule"
    result.strategies["cost_oracle"]["router"] = "hindsight: the cheaper platform per request"
    result.calibration = _calibration(rows, lam, ecs, oracle, field)
    result.objective = scenario.raw["objective"]
    result.elapsed_s = time.perf_counter() - started
    return result


def _per_request_cost(out: Outcome, rows: pd.DataFrame, draws: _Draws,
                      platform_costs: str) -> np.ndarray:
    """Each request's Lambda cost in the Lambda-only run (warm or cold draw)."""
    row_cost = rows["_cost"].to_numpy()
    warm = row_cost[draws.lam_warm]
    cold = np.where(draws.lam_cold >= 0, row_cost[np.maximum(draws.lam_cold, 0)], warm)
    return np.where(out.cold, cold, warm)


def _objective(settings: ReplaySettings, profile: CostProfile, field: str) -> dict[str, Any]:
    return {"rule": "balanced_optimal", "margin": settings.margin, "latency_field": field,
            "costs": profile.name if settings.costs is not None or settings.view != "marginal"
            else "as given", "view": settings.view}
