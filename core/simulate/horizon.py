"""Long horizons in bounded memory: a month of traffic simulated in time chunks.

Why chunks: one run keeps every request's draws and outcomes in arrays, so memory grows with
the count (a month at 1,000 requests/s is 2.6 billion requests). Here the arrivals continue
one Poisson process across chunks (unit-rate points carried on, so a diurnal curve keeps its
phase), each strategy's Lambda pool and Fargate fleet carry their state from chunk to chunk
(the chunks together are exactly the one long run: tests/test_simulate_chunks.py), and each
chunk is folded into running sums and log-spaced latency histograms before the next is drawn.
Memory is bounded by the chunk size and the live instances and tasks, not by the horizon.

Figures are the ones `simulate` prints; latency quantiles come from the histograms (bins
0.23 % wide: a quantile is within 0.12 % of the exact one), means and counts are exact.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from core.errors import UserError
from core.simulate import fargate_platform as fp
from core.simulate import lambda_platform as lp
from core.simulate import routers, traffic
from core.simulate.results import (
    CDF_POINTS,
    Outcome,
    SimulationResult,
    _fixed_cost_series,
    versus,
)
from core.simulate.runner import STRATEGIES, oracle_choice, run_strategy
from core.simulate.scenario import Scenario, load_scenario
from core.simulate.workload import Requests, draw

CHUNK_REQUESTS = 1_000_000
MAX_CHUNK_REQUESTS = 20_000_000
MAX_HORIZON_S = 366 * 86_400.0
MAX_EXPECTED_REQUESTS = 1e11
#: Latency histogram: log-spaced from 10 µs to 10^5 s.
LOG_LOW, LOG_HIGH = -5.0, 5.0
BINS_PER_DECADE = 1000
SERIES_BINS_PER_DECADE = 100
QUANTILE_METHOD = ("log-spaced histogram, 1,000 bins per decade: each quantile within "
                   "0.12 % of the exact one")
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86_400.0, "w": 604_800.0}
Progress = Callable[[float, str], None]


def parse_duration(text: str | float) -> float:
    """Seconds from '3600', '90m', '12h', '30d' or '2w' (a horizon on the command line)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", str(text))
    if not match or float(match.group(1)) <= 0:
        raise UserError(f"A horizon (--horizon) must be a positive duration such as 3600, "
                        f"90m, 12h, 30d or 2w; got {text!r}.")
    seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    if seconds > MAX_HORIZON_S:
        raise UserError(f"A horizon (--horizon) is at most 366 days; got "
                        f"{seconds / 86_400:,.0f} days.")
    return seconds


class _Histogram:
    """Counts of values in log-spaced bins (values clipped into the range)."""

    def __init__(self, per_decade: int, rows: int = 1):
        self.per_decade = per_decade
        self.size = int((LOG_HIGH - LOG_LOW) * per_decade)
        self.counts = np.zeros((rows, self.size), dtype=np.int64)

    def index(self, values: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            pos = (np.log10(np.maximum(values, 1e-300)) - LOG_LOW) * self.per_decade
        return np.clip(pos.astype(np.int64), 0, self.size - 1)

    def add(self, values: np.ndarray, rows: np.ndarray | None = None) -> None:
        idx = self.index(values)
        flat = idx if rows is None else rows * self.size + idx
        self.counts += np.bincount(flat, minlength=self.counts.size).reshape(self.counts.shape)

    def quantiles(self, q: np.ndarray, row: int = 0) -> np.ndarray:
        """Values at quantiles q (geometric middle of the bin holding each), NaN if empty."""
        counts = self.counts[row]
        total = counts.sum()
        if total == 0:
            return np.full(len(q), np.nan)
        cum = np.cumsum(counts)
        at = np.searchsorted(cum, np.maximum(np.asarray(q) * total, 1), side="left")
        return 10.0 ** (LOG_LOW + (np.minimum(at, self.size - 1) + 0.5) / self.per_decade)


class _Tally:
    """One strategy's running figures over the chunks."""

    def __init__(self, name: str, edges: np.ndarray):
        self.name, self.edges = name, edges
        nb = len(edges) - 1
        self.mids = (edges[:-1] + edges[1:]) / 2
        self.n = self.served = self.errors = self.throttled = self.cold = 0
        self.to_lambda = self.agree = self.new_instances = 0
        self.latency_sum = self.request_usd = self.router_usd = 0.0
        self.ecs_requests, self.ecs_payload_kb, self.finish = 0, 0.0, 0.0
        self.has_oracle, self.max_memory_mb = False, 0.0
        self.hist = _Histogram(BINS_PER_DECADE)
        self.bin_hist = _Histogram(SERIES_BINS_PER_DECADE, nb)
        self.bin = {k: np.zeros(nb) for k in ("requests", "cost_usd", "cold_starts", "errors",
                                              "latency_sum", "served")}
        self.instances = np.zeros(nb + 1, dtype=np.int64)  # +1 at birth, -1 at expiry
        self.fleet: fp.FargateRun | None = None

    def add(self, out: Outcome, req: Requests, oracle: np.ndarray | None,
            ovh: routers.Overhead | None) -> None:
        n = len(out.latency_s)
        served = ~out.error
        lat = out.latency_s[served]
        self.n += n
        self.served += int(served.sum())
        self.errors += int(out.error.sum())
        self.throttled += int(out.throttled.sum())
        self.cold += int(out.cold[served].sum())
        self.to_lambda += int(out.to_lambda.sum())
        self.latency_sum += float(lat.sum())
        self.request_usd += float(out.request_cost.sum())
        if ovh is not None:
            self.router_usd += ovh.cost_usd * n
        if oracle is not None:
            self.has_oracle = True
            self.agree += int(np.sum(out.to_lambda == oracle))
        if n:
            self.max_memory_mb = max(self.max_memory_mb, float(np.max(req.memory_mb)))
        self.hist.add(lat)
        b = np.clip(np.searchsorted(self.edges, req.arrival, side="right") - 1, 0,
                    len(self.mids) - 1)
        nb = len(self.mids)
        for key, weights in (("requests", None), ("cost_usd", out.request_cost),
                             ("cold_starts", out.cold), ("errors", out.error),
                             ("served", served)):
            self.bin[key] += np.bincount(b, weights=weights, minlength=nb)
        self.bin["latency_sum"] += np.bincount(b[served], weights=lat, minlength=nb)
        self.bin_hist.add(lat, b[served])
        lrun, frun = out.lambda_run, out.fargate_run
        if lrun is not None:
            self.new_instances += lrun.new_instances
            self.instances += np.bincount(np.searchsorted(self.mids, lrun.created),
                                          minlength=nb + 1)
            self.instances -= np.bincount(np.searchsorted(self.mids, lrun.expires),
                                          minlength=nb + 1)
            if len(lrun.start):
                self.finish = max(self.finish, float(np.max(lrun.start + lrun.busy)))
        if frun is not None:
            mask = ~out.to_lambda
            self.ecs_requests += int(mask.sum())
            self.ecs_payload_kb += float(req.payload_kb[mask].sum())
            if len(frun.start):
                self.finish = max(self.finish, float(np.max(frun.start + frun.busy)))
            self.fleet = frun


def _chunk_requests(sc: Scenario, chunk: int, units: np.ndarray) -> Requests:
    """The chunk's requests: arrivals from the carried unit-rate points, every other draw
    from the chunk's own seed."""
    tr = sc.section("traffic")
    seed = int(np.random.SeedSequence([sc.seed, chunk]).generate_state(1)[0])
    chunk_sc = dataclasses.replace(sc, raw={**sc.raw, "seed": seed, "requests": len(units)})
    req = draw(chunk_sc, n=len(units))
    arr = traffic.from_units(tr, units)
    return dataclasses.replace(req, arrival=arr.times, load_pattern=arr.load_pattern,
                               time_window=traffic.time_window_codes(arr.times,
                                                                     tr["start_hour"]))


def _check(sc: Scenario, horizon_s: float, chunk_requests: int) -> float:
    tr, lam = sc.section("traffic"), sc.section("lambda")
    if tr["kind"] == "trace":
        raise UserError("A long horizon needs a rate curve (poisson, diurnal, ramp, burst or "
                        "thesis traffic); a trace replays finite logs. Use --requests for a "
                        "trace, or describe its rate as a curve.")
    if lam["on_throttle"] == "retry":
        raise UserError("A long horizon cannot carry throttled requests waiting to retry "
                        "from one chunk to the next: set lambda.on_throttle to \"error\" or "
                        "simulate a shorter run with --requests.")
    if not 10_000 <= chunk_requests <= MAX_CHUNK_REQUESTS:
        raise UserError(f"--chunk-requests must be from 10,000 to {MAX_CHUNK_REQUESTS:,}; "
                        f"got {chunk_requests:,}.")
    expected = traffic.expected_requests(tr, horizon_s)
    if expected > MAX_EXPECTED_REQUESTS:
        raise UserError(f"{horizon_s:,.0f} s of this traffic is about {expected:,.0f} "
                        f"requests, above {MAX_EXPECTED_REQUESTS:,.0f}: shorten --horizon or "
                        "lower the rate.")
    return expected


def simulate_long(spec: dict | str | Scenario | None = None, *, horizon_s: float,
                  chunk_requests: int = CHUNK_REQUESTS,
                  strategies: Sequence[str] = STRATEGIES, on_progress: Progress | None = None,
                  bins: int = 120, pipeline: Any = None, registry_root: str | None = None
                  ) -> SimulationResult:
    """`horizon_s` seconds of the scenario's traffic (its `requests` is ignored), in chunks of
    `chunk_requests`; the same summaries, series and CDFs as `simulate`."""
    sc = load_scenario(spec, requests=min(chunk_requests, 1_000_000))
    expected = _check(sc, horizon_s, chunk_requests)
    result = run_chunks(sc, drawn_chunks(sc, horizon_s, chunk_requests), horizon_s=horizon_s,
                        expected=expected, strategies=strategies, on_progress=on_progress,
                        bins=bins, pipeline=pipeline, registry_root=registry_root)
    result.scenario["long_horizon"]["chunk_requests"] = chunk_requests
    return result


def drawn_chunks(sc: Scenario, horizon_s: float, chunk_requests: int
                 ) -> Iterator[tuple[Requests, bool]]:
    """(requests, last?) chunk after chunk until the horizon: one Poisson process whose
    unit-rate points carry on from chunk to chunk."""
    unit_rng = np.random.default_rng(sc.seed)
    last_unit, chunk = 0.0, 0
    while True:
        units = last_unit + np.cumsum(unit_rng.exponential(1.0, size=chunk_requests))
        req = _chunk_requests(sc, chunk, units)
        inside = req.arrival <= horizon_s
        if inside[-1]:
            yield req, False
        else:
            yield _materialise(req.subset(inside) if inside.any() else _empty_like(req)), True
            return
        last_unit, chunk = float(units[-1]), chunk + 1


def run_chunks(sc: Scenario, chunks: Iterable[tuple[Requests, bool]], *, horizon_s: float,
               expected: float, strategies: Sequence[str] = STRATEGIES,
               on_progress: Progress | None = None, bins: int = 120, pipeline: Any = None,
               registry_root: str | None = None) -> SimulationResult:
    """Simulate request chunks in time order (the last flagged True), each strategy's pool
    and fleet carried across them, and fold each chunk into the running figures."""
    started = time.perf_counter()
    progress = on_progress or (lambda _f, _m: None)
    unknown = sorted(set(strategies) - set(STRATEGIES))
    if unknown:
        raise UserError(f"unknown strategies {unknown}; choose from {list(STRATEGIES)}")
    wanted = [s for s in STRATEGIES
              if s in strategies or ("hybrid" in strategies and s in ("lambda", "ecs"))]
    router = sc.section("router")
    start_hour = sc.section("traffic")["start_hour"]
    model = (routers.prepare_model(router, pipeline, registry_root)
             if "hybrid" in wanted and router["kind"] == "model" else None)
    ovh = routers.overhead(router, sc.lambda_prices) if "hybrid" in wanted else None
    edges = np.linspace(0.0, horizon_s, bins + 1)
    tallies = {name: _Tally(name, edges) for name in wanted}
    states: dict[str, dict[str, Any]] = {name: {} for name in wanted}
    timings = dict.fromkeys(wanted, 0.0)
    check, chunk = None, 0
    for req, last in chunks:
        n = len(req)
        outcomes: dict[str, Outcome] = {}
        for name in ("lambda", "ecs"):
            if name in wanted:
                t0 = time.perf_counter()
                outcomes[name] = run_strategy(name, sc, req, np.full(n, name == "lambda"),
                                              states=states[name], final=last,
                                              horizon_s=horizon_s)
                timings[name] += time.perf_counter() - t0
        best = (oracle_choice(sc, req, outcomes["lambda"], outcomes["ecs"])
                if {"lambda", "ecs"} <= set(outcomes) else None)
        if "hybrid" in wanted:
            t0 = time.perf_counter()
            if model is not None:
                proba, inverse, rows = routers.model_proba(router, req, sc.mix,
                                                           start_hour=start_hour,
                                                           pipeline=model.pipeline)
                if check is None and n:
                    check = routers.portable_check(router, model, proba, inverse, rows,
                                                   seed=sc.seed)
                choice = (proba >= routers.threshold_of(router, model))[inverse]
            else:
                choice = routers.route(router, req, sc.mix, seed=sc.seed + chunk,
                                       start_hour=start_hour, oracle_choice=best)
            outcomes["hybrid"] = run_strategy("hybrid", sc, req, choice, ovh,
                                              states=states["hybrid"], final=last,
                                              horizon_s=horizon_s)
            timings["hybrid"] += time.perf_counter() - t0
        for name in wanted:
            tallies[name].add(outcomes[name], req, best, ovh if name == "hybrid" else None)
        chunk += 1
        done_s = float(req.arrival[-1]) if n else horizon_s
        progress(min(0.99, tallies[wanted[0]].n / max(expected, 1.0)),
                 f"chunk {chunk}: {tallies[wanted[0]].n:,} requests, "
                 f"{done_s / 86_400:.2f} of {horizon_s / 86_400:.2f} days")
    result = _result(sc, tallies, [s for s in wanted if s in strategies], horizon_s, edges,
                     check)
    result.timings_s = timings
    result.elapsed_s = time.perf_counter() - started
    result.scenario["long_horizon"] = {
        "horizon_s": horizon_s, "chunks": chunk, "requests": tallies[wanted[0]].n,
        "quantiles": QUANTILE_METHOD,
        "peak_rss_mb": peak_rss_mb()}
    progress(1.0, "done")
    return result


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: since its exec, unlike ru_maxrss, which
    keeps the forking parent's high-water mark)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _empty_like(req: Requests) -> Requests:
    return Requests(**{f.name: getattr(req, f.name)[:0] for f in dataclasses.fields(req)})


def _materialise(req: Any) -> Requests:
    """A lazy subset as a plain Requests (the chunk driver reads every field)."""
    if isinstance(req, Requests):
        return req
    return Requests(**{f.name: getattr(req, f.name) for f in dataclasses.fields(Requests)})


def _result(sc: Scenario, tallies: dict[str, _Tally], shown: list[str], horizon_s: float,
            edges: np.ndarray, check: dict | None) -> SimulationResult:
    strategies, series, cdfs = {}, [], []
    q = np.linspace(0.0, 1.0, CDF_POINTS)
    for name in shown:
        t = tallies[name]
        summary, fixed, frun = _summary(sc, t, horizon_s)
        strategies[name] = summary
        series.append(_series(sc, t, fixed, frun, edges))
        cdfs.append(pd.DataFrame({"strategy": name, "quantile": q,
                                  "latency_ms": t.hist.quantiles(q) * 1000.0}))
    if "hybrid" in strategies:
        hyb = strategies["hybrid"]
        hyb["router"] = sc.section("router")["kind"]
        if check is not None:
            hyb["portable_check"] = check
        for base in ("lambda", "ecs"):
            if base in strategies:
                hyb[f"vs_{base}"] = versus(hyb, strategies[base])
    scenario = sc.to_json()
    scenario["requests"] = tallies[shown[0]].n if shown else 0
    return SimulationResult(scenario=scenario, strategies=strategies,
                            timeseries=pd.concat(series, ignore_index=True),
                            cdf=pd.concat(cdfs, ignore_index=True))


def _summary(sc: Scenario, t: _Tally, horizon_s: float
             ) -> tuple[dict[str, Any], dict[str, float], fp.FargateRun | None]:
    lam, far = sc.section("lambda"), sc.section("fargate")
    end = max(horizon_s, t.finish)
    fixed: dict[str, float] = {}
    frun = t.fleet
    if frun is not None and len(frun.launch):
        fixed["fargate_tasks_usd"] = fp.fleet_cost(frun, far, sc.fargate_prices)
        end = max(end, float(np.max(frun.stop)))
        if far["alb"]:
            fixed["alb_usd"] = fp.load_balancer_cost(t.ecs_requests, t.ecs_payload_kb, end,
                                                     sc.fargate_prices)
    if t.to_lambda and lam["provisioned"]:
        fixed["lambda_provisioned_usd"] = lp.provisioned_cost(lam["provisioned"],
                                                             t.max_memory_mb, end,
                                                             sc.lambda_prices)
    cost = t.request_usd + sum(fixed.values())
    breakdown = {"lambda_usd": t.request_usd - t.router_usd, **fixed}
    if t.name == "hybrid":
        breakdown["router_usd"] = t.router_usd
    p50, p95, p99 = (t.hist.quantiles(np.array([0.5, 0.95, 0.99])) * 1000.0) if t.served \
        else (None, None, None)
    n = t.n
    return ({
        "requests": n, "served": t.served,
        "lambda_share": t.to_lambda / n if n else 0.0,
        "cost_usd": cost, "cost_per_million": cost / n * 1e6 if n else 0.0,
        "latency_mean_ms": t.latency_sum / t.served * 1000.0 if t.served else None,
        "latency_p50_ms": _plain(p50), "latency_p95_ms": _plain(p95),
        "latency_p99_ms": _plain(p99),
        "cold_start_rate": t.cold / t.served if t.served else 0.0,
        "error_rate": t.errors / n if n else 0.0,
        "throttle_rate": t.throttled / n if n else 0.0,
        "routing_accuracy": t.agree / n if n and t.has_oracle else None,
        "lambda_instances_created": t.new_instances,
        "fargate_tasks_launched": len(frun.launch) if frun is not None else 0,
        "horizon_s": end, "cost_breakdown": breakdown,
    }, fixed, frun)


def _plain(value: Any) -> float | None:
    return None if value is None else float(value)


def _series(sc: Scenario, t: _Tally, fixed: dict[str, float], frun: fp.FargateRun | None,
            edges: np.ndarray) -> pd.DataFrame:
    nb = len(t.mids)
    horizon = float(edges[-1])
    stub = Outcome(t.name, np.zeros(0, dtype=bool), np.zeros(0), np.zeros(0, dtype=bool),
                   np.zeros(0, dtype=bool), np.zeros(0, dtype=bool), np.zeros(0), fixed,
                   horizon, None, frun)
    cost = t.bin["cost_usd"] + _fixed_cost_series(stub, edges, sc)
    served = t.bin["served"]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(served > 0, t.bin["latency_sum"] / served * 1000.0, np.nan)
    p95 = np.array([t.bin_hist.quantiles(np.array([0.95]), row=i)[0] * 1000.0
                    for i in range(nb)])
    provisioned = sc.section("lambda")["provisioned"] if t.to_lambda else 0
    instances = np.cumsum(t.instances)[:nb] + provisioned
    if frun is not None and len(frun.launch):
        tasks = (np.searchsorted(np.sort(frun.launch), t.mids, side="right")
                 - np.searchsorted(np.sort(frun.stop), t.mids, side="right"))
    else:
        tasks = np.zeros(nb, dtype=int)
    return pd.DataFrame({
        "strategy": t.name, "t_s": t.mids, "requests": t.bin["requests"].astype(int),
        "cost_usd": cost, "cum_cost_usd": np.cumsum(cost),
        "lambda_instances": instances, "fargate_tasks": tasks,
        "latency_mean_ms": mean, "latency_p95_ms": p95,
        "cold_starts": t.bin["cold_starts"].astype(int),
        "errors": t.bin["errors"].astype(int),
    })
