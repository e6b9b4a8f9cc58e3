"""Simulation results: per-strategy summaries, time series, latency CDFs, the thesis table.

Heavy work happens once in `summarise`; the result object only reads stored frames, so the
page, the CLI and exports (CSV, LaTeX, JSON) show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

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


def _percentiles_ms(values: np.ndarray) -> list[float | None]:
    """p50, p95, p99 in ms (one partition pass)."""
    if not len(values):
        return [None, None, None]
    return [float(v) * 1000.0 for v in np.percentile(values, [50, 95, 99])]


def _strategy_summary(out: Outcome, oracle: np.ndarray | None) -> dict[str, Any]:
    n = len(out.latency_s)
    served = ~out.error
    lat = out.latency_s[served]
    cost = out.cost_usd
    breakdown = {"lambda_usd": float(out.request_cost.sum()), **out.fixed_costs}
    if "overhead" in out.extra:
        router_usd = out.extra["overhead"].cost_usd * n
        breakdown["router_usd"] = router_usd
        breakdown["lambda_usd"] -= router_usd
    lrun, frun = out.lambda_run, out.fargate_run
    p50, p95, p99 = _percentiles_ms(lat)
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


def _timeseries(out: Outcome, req: Requests, edges: np.ndarray, sc: Scenario) -> pd.DataFrame:
    nb = len(edges) - 1
    mid = (edges[:-1] + edges[1:]) / 2
    cut = np.searchsorted(req.arrival, edges)
    cut[-1] = len(req.arrival)
    b = np.repeat(np.arange(nb), np.diff(cut))
    cost = np.bincount(b, weights=out.request_cost, minlength=nb) \
        + _fixed_cost_series(out, edges, sc)
    mean = np.full(nb, np.nan)
    p95 = np.full(nb, np.nan)
    for i in range(nb):
        lat = out.latency_s[cut[i]:cut[i + 1]]
        lat = lat[~np.isnan(lat)]
        if len(lat):
            mean[i] = lat.mean() * 1000.0
            stride = -(-len(lat) // BIN_SAMPLE)  # a chart's p95: an even subsample suffices
            p95[i] = np.percentile(lat[::stride], 95) * 1000.0
    lrun, frun = out.lambda_run, out.fargate_run
    instances = (_alive(lrun.created, lrun.expires, mid) + lrun.provisioned
                 if lrun is not None else np.zeros(nb, dtype=int))
    tasks = _alive(frun.launch, frun.stop, mid) if frun is not None else np.zeros(nb, dtype=int)
    return pd.DataFrame({
        "strategy": out.name, "t_s": mid, "requests": np.diff(cut),
        "cost_usd": cost, "cum_cost_usd": np.cumsum(cost),
        "lambda_instances": instances, "fargate_tasks": tasks,
        "latency_mean_ms": mean, "latency_p95_ms": p95,
        "cold_starts": np.bincount(b, weights=out.cold, minlength=nb).astype(int),
        "errors": np.bincount(b, weights=out.error, minlength=nb).astype(int),
    })


def _cdf(out: Outcome) -> pd.DataFrame:
    lat = out.latency_s[~np.isnan(out.latency_s)]
    q = np.linspace(0.0, 1.0, CDF_POINTS)
    values = np.percentile(lat, q * 100.0, method="closest_observation") if len(lat) \
        else np.full(len(q), np.nan)
    return pd.DataFrame({"strategy": out.name, "quantile": q, "latency_ms": values * 1000.0})


def summarise(sc: Scenario, req: Requests, outcomes: dict[str, Outcome], *,
              oracle: np.ndarray | None, bins: int = 120,
              timings: dict[str, float] | None = None) -> SimulationResult:
    """Summaries, per-bin time series and latency CDFs for each simulated strategy."""
    strategies = {name: _strategy_summary(out, oracle) for name, out in outcomes.items()}
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
    cdf = pd.concat([_cdf(out) for out in outcomes.values()], ignore_index=True)
    return SimulationResult(scenario=sc.to_json(), strategies=strategies, timeseries=series,
                            cdf=cdf, timings_s=dict(timings or {}))
