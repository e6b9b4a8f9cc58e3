"""Simulation results: per-strategy summaries, time series, latency CDFs, the thesis table.

Heavy work happens once in `summarise`; the result object only reads stored frames, so the
page, the CLI and exports (CSV, LaTeX, JSON) show the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numba import njit

from core.formats import latex_table, plain
from core.pricing import fargate_cost
from core.simulate.fargate_platform import task_billed_seconds

if TYPE_CHECKING:
    from core.simulate.fargate_platform import FargateRun
    from core.simulate.lambda_platform import LambdaRun
    from core.simulate.scenario import Scenario
    from core.simulate.workload import Requests

LABELS = {"lambda": "Lambda-only", "ecs": "ECS-only", "hybrid": "Hybrid (router)"}
CDF_POINTS = 201
BIN_SAMPLE = 5000
#: Thesis comparison rows: (label, summary key, scale); all are lower-is-better.
TABLE_ROWS = (("Avg latency (ms)", "latency_mean_ms", 1.0),
              ("P95 latency (ms)", "latency_p95_ms", 1.0),
              ("Total cost (USD)", "cost_usd", 1.0),
              ("Cost per million (USD)", "cost_per_million", 1.0),
              ("Error rate (%)", "error_rate", 100.0),
              ("Cold-start rate (%)", "cold_start_rate", 100.0))


@dataclass
class Outcome:
    """Per-request results of one strategy (arrival order) plus its fleet-level costs."""

    name: str
    to_lambda: np.ndarray
    latency_s: np.ndarray        # NaN where the request failed
    cold: np.ndarray
    error: np.ndarray
    throttled: np.ndarray
    request_cost: np.ndarray     # costs that belong to one request (Lambda bill, router)
    fixed_costs: dict[str, float]
    horizon_s: float
    lambda_run: LambdaRun | None = None
    fargate_run: FargateRun | None = None
    extra: dict = field(default_factory=dict)

    @property
    def cost_usd(self) -> float:
        return float(self.request_cost.sum() + sum(self.fixed_costs.values()))


@dataclass
class SimulationResult:
    """What a run produced. `strategies[name]` holds the CLI's per-strategy JSON fields."""

    scenario: dict[str, Any]
    strategies: dict[str, dict[str, Any]]
    timeseries: pd.DataFrame       # strategy, t_s, requests, cost_usd, cum_cost_usd, ...
    cdf: pd.DataFrame              # strategy, quantile, latency_ms
    timings_s: dict[str, float] = field(default_factory=dict)
    elapsed_s: float = 0.0
    #: CPU seconds (time.process_time) of each step: steadier than wall on a shared machine;
    #: keys as timings_s plus "draw" and "summarise". Not part of the JSON document.
    cpu_s: dict[str, float] = field(default_factory=dict)
    calibration: dict[str, Any] | None = None   # a calibrated replay: measured vs simulated
    objective: dict[str, Any] | None = None     # the label rule routers are scored against

    def to_json(self) -> dict[str, Any]:
        """The `simulate --json` document."""
        doc = {"scenario": self.scenario, "strategies": self.strategies,
               "timings_s": self.timings_s, "elapsed_s": self.elapsed_s}
        if self.calibration is not None:
            doc["calibration"] = self.calibration
            doc["objective"] = self.objective
        return doc

    def summary_frame(self) -> pd.DataFrame:
        """One row per strategy, flat numeric columns (the CSV export)."""
        rows = []
        for name, s in self.strategies.items():
            row = {"strategy": name}
            row.update({k: v for k, v in s.items() if not isinstance(v, dict)})
            for key in ("vs_lambda", "vs_ecs"):
                for sub, value in (s.get(key) or {}).items():
                    row[f"{key}_{sub}"] = value
            for sub, value in s["cost_breakdown"].items():
                row[f"cost_{sub}"] = value
            rows.append(row)
        return pd.DataFrame(rows)

    def comparison_frame(self) -> pd.DataFrame:
        """The thesis's table: metric x strategy, plus the hybrid's improvement over each
        baseline in % (positive = the hybrid is lower, i.e. better)."""
        names = [n for n in ("lambda", "ecs", "hybrid") if n in self.strategies]
        table = {}
        for label, key, scale in TABLE_ROWS:
            row = {LABELS[n]: _num(self.strategies[n][key]) * scale for n in names}
            if "hybrid" in names:
                hyb = _num(self.strategies["hybrid"][key])
                for base in ("lambda", "ecs"):
                    if base in names:
                        ref = _num(self.strategies[base][key])
                        row[f"Improvement vs {LABELS[base]} (%)"] = (
                            (ref - hyb) / ref * 100.0 if ref else np.nan)
            table[label] = row
        return pd.DataFrame.from_dict(table, orient="index")

    def to_latex(self) -> str:
        """The comparison table as a LaTeX tabular (booktabs), ready for a thesis."""
        return latex_table(self.comparison_frame().rename_axis("Metric"), index=True,
                           number_format="{:,.6g}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: the `simulate --json` document (NaN and numpy values made plain)."""
        return plain(self.to_json())

    def frame(self) -> pd.DataFrame:
        """The main table: one row of metrics per strategy."""
        return self.summary_frame()

    #: What `plot` draws: the latency CDF, and per interval the cumulative cost, the P95
    #: latency, the Lambda instances and Fargate tasks alive, and the cold starts.
    PLOTS = ("cdf", "cost", "latency", "capacity", "cold_starts")

    def plot(self, kind: str = "cdf") -> Any:
        """A plotly figure of this run, one of PLOTS, per strategy."""
        from core import figures
        from core.simulate import figures as sim_figures

        figures.check_kind(kind, self.PLOTS, "SimulationResult")
        series = self.timeseries
        if kind == "cdf":
            return figures.latency_cdf(self.cdf)
        if kind == "cost":
            return sim_figures.over_time(series, "cum_cost_usd", "Cumulative cost", "USD")
        if kind == "latency":
            return sim_figures.over_time(series, "latency_p95_ms", "P95 latency per interval",
                                         "ms")
        if kind == "capacity":
            return sim_figures.capacity(series)
        return sim_figures.cold_starts(series)


def _num(value: Any) -> float:
    return float("nan") if value is None else float(value)


def percentile_sorted(values: np.ndarray, q) -> np.ndarray:
    """np.percentile(values, q) (method "linear") read from an already sorted, NaN-free
    array: the same index and weight arithmetic as numpy, without its O(n) partition, so
    the result is bit-identical (tests compare against np.percentile)."""
    quantiles = np.true_divide(np.asarray(q, dtype=float), 100)
    n = len(values)
    virtual = (n - 1) * quantiles
    prev = np.floor(virtual)
    nxt = prev + 1
    prev[virtual >= n - 1] = -1
    nxt[virtual >= n - 1] = -1
    prev[virtual < 0] = 0
    nxt[virtual < 0] = 0
    prev, nxt = prev.astype(np.intp), nxt.astype(np.intp)
    a, b = values[prev], values[nxt]
    gamma = virtual - prev
    diff = b - a
    out = a + diff * gamma
    high = gamma >= 0.5
    out[high] = (b - diff * (1 - gamma))[high]
    return out


def closest_observation_sorted(values: np.ndarray, q) -> np.ndarray:
    """np.percentile(values, q, method="closest_observation") from a sorted NaN-free array
    (numpy's index rule, no partition)."""
    quantiles = np.true_divide(np.asarray(q, dtype=float), 100)
    index = len(values) * quantiles - 1 - 0.5
    prev = np.floor(index)
    take = np.where((index - prev == 0) & (np.floor(index) % 2 == 1), prev, prev + 1)
    take = take.astype(np.intp)
    take[take < 0] = 0
    return values[take]


def _percentiles_ms(ordered: np.ndarray) -> list[float | None]:
    """p50, p95, p99 in ms of sorted latencies (NaN, which sorts last, gives NaN as in
    np.percentile)."""
    if not len(ordered):
        return [None, None, None]
    if np.isnan(ordered[-1]):
        return [float("nan")] * 3
    return [float(v) * 1000.0 for v in percentile_sorted(ordered, [50, 95, 99])]


class _Latencies:
    """One strategy's latencies: served ones in arrival order (for the mean) and sorted
    (for p50/p95/p99), and the non-NaN ones sorted (the CDF). Sorted once: every quantile
    is then an index, where np.percentile would partition the million values per call."""

    def __init__(self, out: Outcome):
        self.served = out.latency_s[~out.error]
        self.served_sorted = np.sort(self.served)
        nan_free = (len(self.served) == len(out.latency_s) - int(np.isnan(out.latency_s).sum())
                    and not np.isnan(self.served_sorted[-1:]).any())
        # served latencies are the non-NaN ones (the runner's case): the same sorted array
        self.cdf_sorted = self.served_sorted if nan_free else np.sort(
            out.latency_s[~np.isnan(out.latency_s)])


def _strategy_summary(out: Outcome, oracle: np.ndarray | None,
                      lats: _Latencies | None = None) -> dict[str, Any]:
    n = len(out.latency_s)
    served = ~out.error
    lats = lats or _Latencies(out)
    lat = lats.served
    cost = out.cost_usd
    breakdown = {"lambda_usd": float(out.request_cost.sum()), **out.fixed_costs}
    if "overhead" in out.extra:
        router_usd = out.extra["overhead"].cost_usd * n
        breakdown["router_usd"] = router_usd
        breakdown["lambda_usd"] -= router_usd
    lrun, frun = out.lambda_run, out.fargate_run
    p50, p95, p99 = _percentiles_ms(lats.served_sorted)
    return {
        "requests": n,
        "served": int(served.sum()),
        "lambda_share": float(out.to_lambda.mean()) if n else 0.0,
        "cost_usd": cost,
        "cost_per_million": cost / n * 1e6 if n else 0.0,
        "latency_mean_ms": float(lat.mean()) * 1000.0 if len(lat) else None,
        "latency_p50_ms": p50,
        "latency_p95_ms": p95,
        "latency_p99_ms": p99,
        "cold_start_rate": float(out.cold[served].mean()) if served.any() else 0.0,
        "error_rate": float(out.error.mean()) if n else 0.0,
        "throttle_rate": float(out.throttled.mean()) if n else 0.0,
        "routing_accuracy": (float(np.mean(out.to_lambda == oracle))
                             if oracle is not None else None),
        "lambda_instances_created": len(lrun.created) if lrun is not None else 0,
        "fargate_tasks_launched": len(frun.launch) if frun is not None else 0,
        "horizon_s": out.horizon_s,
        "cost_breakdown": breakdown,
    }


def versus(hybrid: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    saving = base["cost_usd"] - hybrid["cost_usd"]
    router = hybrid["cost_breakdown"].get("router_usd", 0.0)
    lat_h, lat_b = hybrid["latency_mean_ms"], base["latency_mean_ms"]
    return {
        "savings_usd": saving,
        "savings_pct": saving / base["cost_usd"] * 100.0 if base["cost_usd"] else None,
        "roi": saving / router if router > 0 else None,
        "latency_change_pct": ((lat_h - lat_b) / lat_b * 100.0
                               if lat_h is not None and lat_b else None),
    }


def _fixed_cost_series(out: Outcome, edges: np.ndarray, sc: Scenario) -> np.ndarray:
    """Fleet-level cost per bin: task-seconds in each bin (+ the one-minute-minimum top-up
    at the task's stop), provisioned concurrency and load balancer spread over time."""
    per_bin = np.zeros(len(edges) - 1)
    frun = out.fargate_run
    horizon = max(out.horizon_s, 1e-9)
    if frun is not None and len(frun.launch):
        far = sc.section("fargate")
        per_s = float(fargate_cost(1.0, far["vcpu"], far["memory_gb"], sc.fargate_prices))
        run_s = frun.stop - frun.launch
        cum = np.clip(edges[:, None] - frun.launch[None, :], 0.0, run_s[None, :]).sum(axis=1)
        per_bin += np.diff(cum) * per_s
        topup = (task_billed_seconds(frun) - run_s) * per_s
        idx = np.clip(np.searchsorted(edges, frun.stop, side="right") - 1, 0, len(per_bin) - 1)
        per_bin += np.bincount(idx, weights=topup, minlength=len(per_bin))
    spread = sum(v for k, v in out.fixed_costs.items() if k != "fargate_tasks_usd")
    per_bin += spread * np.diff(edges) / horizon
    return per_bin


def _alive(starts: np.ndarray, ends: np.ndarray, at: np.ndarray) -> np.ndarray:
    s, e = np.sort(starts), np.sort(ends)
    return np.searchsorted(s, at, side="right") - np.searchsorted(e, at, side="right")


@njit(cache=True, error_model="numpy")
def _bin_quantile(values, q):
    """np.percentile(values, 100 * q) (linear): numpy's index and weight arithmetic, with a
    partition for the lower neighbour and a minimum for the upper one (no full sort)."""
    k = values.shape[0]
    virtual = (k - 1) * q
    if virtual >= k - 1:
        a = values.max()
        b = a
        gamma = virtual + 1.0   # numpy's index -1 (the last value) on both sides
    else:
        prev = math.floor(virtual)
        part = np.partition(values, prev)
        a = part[prev]
        b = part[prev + 1:].min()
        gamma = virtual - prev
    diff = b - a
    return b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma


@njit(cache=True, error_model="numpy")
def _bins(latency, cost, cold, error, cut, sample, q):
    """One pass over the requests per bin: the non-NaN latencies packed contiguously
    (arrival order; bin i is packed[starts[i]:starts[i + 1]], for numpy's own mean), the
    quantile q of every stride-th of them (stride = ceil(count / sample)), and the sums
    np.bincount gives (cost in request order, cold starts, errors)."""
    nb = cut.shape[0] - 1
    packed = np.empty(latency.shape[0])
    starts = np.zeros(nb + 1, dtype=np.int64)
    pct = np.full(nb, np.nan)
    cost_sum = np.zeros(nb)
    colds = np.zeros(nb, dtype=np.int64)
    errors = np.zeros(nb, dtype=np.int64)
    m = 0
    for i in range(nb):
        starts[i] = m
        for j in range(cut[i], cut[i + 1]):
            cost_sum[i] += cost[j]
            colds[i] += cold[j]
            errors[i] += error[j]
            v = latency[j]
            if not np.isnan(v):
                packed[m] = v
                m += 1
        count = m - starts[i]
        if count > 0:
            stride = -(-count // sample)
            pct[i] = _bin_quantile(packed[starts[i]:m:stride].copy(), q)
    starts[nb] = m
    return packed, starts, pct, cost_sum, colds, errors


def _timeseries(out: Outcome, req: Requests, edges: np.ndarray, sc: Scenario) -> pd.DataFrame:
    nb = len(edges) - 1
    mid = (edges[:-1] + edges[1:]) / 2
    cut = np.searchsorted(req.arrival, edges)
    cut[-1] = len(req.arrival)
    # a chart's p95: an even subsample of at most BIN_SAMPLE requests per bin suffices
    packed, starts, p95, cost, colds, errors = _bins(
        np.ascontiguousarray(out.latency_s, dtype=float),
        np.ascontiguousarray(out.request_cost, dtype=float), out.cold, out.error,
        cut.astype(np.int64), BIN_SAMPLE, 95 / 100)
    cost += _fixed_cost_series(out, edges, sc)
    p95 *= 1000.0
    mean = np.full(nb, np.nan)
    for i in range(nb):
        if starts[i + 1] > starts[i]:
            mean[i] = packed[starts[i]:starts[i + 1]].mean() * 1000.0  # numpy's pairwise sum
    lrun, frun = out.lambda_run, out.fargate_run
    instances = (_alive(lrun.created, lrun.expires, mid) + lrun.provisioned
                 if lrun is not None else np.zeros(nb, dtype=int))
    tasks = _alive(frun.launch, frun.stop, mid) if frun is not None else np.zeros(nb, dtype=int)
    return pd.DataFrame({
        "strategy": out.name, "t_s": mid, "requests": np.diff(cut),
        "cost_usd": cost, "cum_cost_usd": np.cumsum(cost),
        "lambda_instances": instances, "fargate_tasks": tasks,
        "latency_mean_ms": mean, "latency_p95_ms": p95,
        "cold_starts": colds, "errors": errors,
    })


def _cdf(out: Outcome, ordered: np.ndarray) -> pd.DataFrame:
    """CDF_POINTS quantiles (closest observation) of the sorted non-NaN latencies."""
    q = np.linspace(0.0, 1.0, CDF_POINTS)
    values = closest_observation_sorted(ordered, q * 100.0) if len(ordered) \
        else np.full(len(q), np.nan)
    return pd.DataFrame({"strategy": out.name, "quantile": q, "latency_ms": values * 1000.0})


def summarise(sc: Scenario, req: Requests, outcomes: dict[str, Outcome], *,
              oracle: np.ndarray | None, bins: int = 120,
              timings: dict[str, float] | None = None) -> SimulationResult:
    """Summaries, per-bin time series and latency CDFs for each simulated strategy."""
    lats = {name: _Latencies(out) for name, out in outcomes.items()}
    strategies = {name: _strategy_summary(out, oracle, lats[name])
                  for name, out in outcomes.items()}
    if "hybrid" in strategies:
        hyb = strategies["hybrid"]
        hyb["router"] = sc.section("router")["kind"]
        if "portable_check" in outcomes["hybrid"].extra:
            hyb["portable_check"] = outcomes["hybrid"].extra["portable_check"]
        for base in ("lambda", "ecs"):
            if base in strategies:
                hyb[f"vs_{base}"] = versus(hyb, strategies[base])
    horizon = max(out.horizon_s for out in outcomes.values()) if outcomes else 0.0
    edges = np.linspace(0.0, max(horizon, 1e-6), bins + 1)
    series = pd.concat([_timeseries(out, req, edges, sc) for out in outcomes.values()],
                       ignore_index=True)
    cdf = pd.concat([_cdf(out, lats[name].cdf_sorted) for name, out in outcomes.items()],
                    ignore_index=True)
    return SimulationResult(scenario=sc.to_json(), strategies=strategies, timeseries=series,
                            cdf=cdf, timings_s=dict(timings or {}))
