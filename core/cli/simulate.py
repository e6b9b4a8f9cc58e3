"""`python -m core simulate [--config FILE] [--requests N] [--json]`, or a calibrated replay:
`python -m core simulate --data FILE [--router MODEL_ID] [--costs ...] [--json]`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from core.cli.args import (
    add_seeds,
    existing_dir,
    float_range,
    input_file,
    input_path,
    int_range,
    json_or_file,
    seed,
)
from core.cli.cost_args import add_costs
from core.cli.progress import ProgressBar
from core.wording import long_horizon_sentence, versus_sentences

HELP = ("Simulate Lambda-only, ECS-only and router-driven hybrid fleets for a scenario: "
        "cost, latency percentiles, cold starts, errors, routing accuracy.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", type=input_file,
                        help="scenario JSON file (every key optional; see DESIGN.md); with "
                             "--data only lambda.keep_alive_s, router.placement, "
                             "router.probability_threshold and seed apply")
    parser.add_argument("--requests", type=int_range(1, 50_000_000), metavar="N",
                        help="number of requests (overrides the scenario's)")
    parser.add_argument("--horizon", metavar="DURATION",
                        help="simulate this much traffic instead of --requests (3600, 90m, "
                             "12h, 30d, 2w): in time chunks that carry the Lambda pool and "
                             "Fargate fleet, in bounded memory (a month at 1,000 requests/s "
                             "is 2.6 billion requests)")
    parser.add_argument("--chunk-requests", type=int_range(10_000, 20_000_000), metavar="N",
                        default=1_000_000,
                        help="with --horizon: requests per chunk (memory ~ 0.3 KB each; "
                             "default: %(default)s)")
    parser.add_argument("--data", metavar="FILE", type=input_path,
                        help="calibrated replay: replay this file's requests with service "
                             "times and costs drawn from its own measurements")
    parser.add_argument("--router", metavar="MODEL_ID",
                        help="with --data: the hybrid routes by this registry model (id or "
                             "alias); without it, by the label-rule oracle")
    parser.add_argument("--objective", metavar="JSON_OR_FILE", type=json_or_file,
                        help="with --data and a router version (train-router): the objective "
                             "it routes by, e.g. '{\"kind\": \"min_cost\", \"p95_ms\": 1500}' "
                             "(default: the router's stored one)")
    parser.add_argument("--explain", type=int_range(1, 10_000), metavar="N",
                        help="with --router: why N sampled requests went where (SHAP of the "
                             "objective router's predicted difference, or of a classifier's "
                             "P(Lambda); top three reasons, per-workload summary)")
    parser.add_argument("--pareto", type=int_range(2, 50), metavar="N",
                        help="with an objective router: also replay N values of the "
                             "objective's parameter (cost vs p95 points beside the single "
                             "platforms and both oracles)")
    parser.add_argument("--registry", metavar="DIR", type=existing_dir,
                        help="registry folder (default: $ROUTING_LAB_MODELS or models/)")
    parser.add_argument("--margin", type=float_range(0, 0.5), default=None,
                        help="with --data: the label rule's margin (default: the router "
                             "model's, else 0.10)")
    parser.add_argument("--placement", choices=("in_process", "lambda_call"),
                        default="in_process",
                        help="with --data: the router runs in the front door's process "
                             "(default) or as its own billed Lambda call")
    parser.add_argument("--seed", type=seed, default=1,
                        help="with --data: seed of the draws (default: %(default)s)")
    add_seeds(parser, "run")
    add_costs(parser)


def _replay_knobs(args: argparse.Namespace) -> dict[str, Any]:
    """The scenario keys a replay uses, from --config: lambda.keep_alive_s, router.placement,
    router.probability_threshold and seed (validated like any scenario; other keys describe
    the preset model and are ignored, since the file supplies traffic, mix and service
    times)."""
    if args.config is None:
        return {}
    from core.simulate.scenario import load_scenario

    scenario = load_scenario(args.config)  # validated (depth, size, keys) before we reread it
    user = json.loads(Path(args.config).read_text(encoding="utf-8"))
    router = scenario.section("router")
    knobs: dict[str, Any] = {"keep_alive_s": float(scenario.section("lambda")["keep_alive_s"]),
                             "placement": router["placement"]}
    if router.get("probability_threshold") is not None:
        knobs["threshold"] = float(router["probability_threshold"])
    if isinstance(user, dict) and "seed" in user:
        knobs["seed"] = scenario.seed
    return knobs


def _replay(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    from core.cost_profile import get_profile
    from core.errors import UserError
    from core.io import read_paths
    from core.simulate.replay import ReplaySettings, replay, same_objective

    if args.requests is not None or args.horizon is not None:
        raise UserError("--data replays the file's own requests: drop --requests and "
                        "--horizon (they belong to the preset model).")
    knobs = _replay_knobs(args)
    pipeline, threshold, model, rule = None, 0.5, None, {}
    objective = None
    if args.pareto is not None and args.router is None:
        raise UserError("--pareto needs --router MODEL_ID of a router version (train-router).")
    if args.router is None and (args.objective is not None or args.explain is not None):
        raise UserError("--objective and --explain need --router MODEL_ID (a router version "
                        "from `python -m core train-router FILE`, or a classifier for "
                        "--explain).")
    if args.router is not None:
        from core.decision import decision_threshold
        from core.objective.router import is_router, objective_for
        from core.registry import Registry

        loaded = Registry(args.registry).load(args.router)
        pipeline = loaded.pipeline
        threshold = decision_threshold(loaded.metadata)
        rule = (loaded.metadata.get("extra") or {}).get("label_rule") or {}
        if is_router(loaded):
            extra = loaded.metadata.get("extra") or {}
            objective = objective_for(args.objective, pipeline, loaded.metadata)
            rule = {"cost_profile": extra.get("cost_profile"), "view": extra.get("view"),
                    "latency_field": extra.get("latency_field")}
        elif args.objective is not None or args.pareto is not None:
            raise UserError(f"--objective and --pareto need a router version; "
                            f"{loaded.model_id} is a {loaded.metadata.get('model_type')} "
                            "classifier (train one with `python -m core train-router FILE`).")
        model = {"model_id": loaded.model_id, "model_type": loaded.metadata.get("model_type"),
                 "decision_threshold": threshold, "label_rule": rule or None}
        if objective is not None:
            model["objective"] = objective.to_dict()
    # One world: unless told otherwise, score the router against the objective it learned.
    costs = args.costs if args.costs is not None else rule.get("cost_profile")
    profile = get_profile(costs) if costs is not None else None
    latency = rule.get("latency_field")
    frame = read_paths([args.data]).frame
    settings = ReplaySettings(
        costs=profile, view=args.cost_view or rule.get("view", "marginal"),
        margin=args.margin if args.margin is not None else rule.get("margin", 0.10),
        latency_col=latency if latency in ("execution_time_ms", "latency_ms") else None,
        router="oracle" if pipeline is None else "model" if objective is None else "objective",
        threshold=knobs.get("threshold", threshold),
        placement=knobs.get("placement", args.placement),
        keep_alive_s=knobs.get("keep_alive_s", 600.0), seed=knobs.get("seed", args.seed),
        objective=objective)
    out = replay(frame, settings, pipeline=pipeline).to_json()
    out["router_model"] = model
    if model is not None:
        from core.fingerprint import dataset_fingerprint
        from core.wording import accuracy_note

        trained = loaded.metadata.get("extra", {}).get("dataset_fingerprint")
        model["test_accuracy"] = (loaded.metadata.get("metrics") or {}).get("accuracy")
        model["trained_on_this_data"] = (None if trained is None
                                         else trained == dataset_fingerprint(frame))
        out["hybrid_note"] = accuracy_note(
            model["test_accuracy"], out["strategies"]["hybrid"]["routing_accuracy"],
            same_data=model["trained_on_this_data"],
            same_objective=same_objective(out["objective"], rule))
    if args.explain is not None:
        from core.objective.explain import explain_classifier_decisions, explain_decisions

        if objective is not None:
            explained = explain_decisions(pipeline, frame, objective, n=args.explain,
                                          seed=args.seed)
        else:
            explained = explain_classifier_decisions(pipeline, frame, threshold=threshold,
                                                     n=args.explain, seed=args.seed,
                                                     model_id=model["model_id"])
        out["explain"] = explained.to_json()
    if args.pareto is not None:
        from core.objective.pareto import default_values, pareto

        singles = {p: out["strategies"][p] for p in ("lambda", "ecs")}
        spec = objective.to_dict()
        table = pareto(frame, pipeline, kind=objective.kind, settings=settings,
                       values=default_values(objective.kind, singles, args.pareto),
                       base={k: v for k, v in spec.items() if k == "per_workload"})
        out["pareto"] = [{k: (None if isinstance(v, float) and v != v else v)
                          for k, v in row.items()} for row in table.to_dict(orient="records")]
    return out, {"frame": frame, "settings": settings, "pipeline": pipeline,
                 "base_seed": args.seed}


def _preset(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    from core.simulate import routers
    from core.simulate.runner import simulate
    from core.simulate.scenario import load_scenario

    scenario = load_scenario(args.config, requests=args.requests)
    router = scenario.section("router")
    model = (routers.prepare_model(router, root=args.registry) if router["kind"] == "model"
             else None)
    spec = scenario.to_json()
    if args.horizon is None:
        return simulate(scenario, pipeline=model).to_json(), {
            "spec": spec, "pipeline": model, "base_seed": scenario.seed}
    from core.simulate.horizon import parse_duration, simulate_long

    horizon_s = parse_duration(args.horizon)
    out = simulate_long(scenario, horizon_s=horizon_s, chunk_requests=args.chunk_requests,
                        pipeline=model, on_progress=_terminal_progress(args, "horizon")
                        ).to_json()
    out["long_horizon"] = out["scenario"].pop("long_horizon")
    return out, {"spec": spec, "pipeline": model, "base_seed": scenario.seed,
                 "horizon_s": horizon_s, "chunk_requests": args.chunk_requests}


def _terminal_progress(args: argparse.Namespace, what: str) -> ProgressBar | None:
    """A progress bar on stderr (none with --json: stdout stays one JSON document and
    stderr quiet)."""
    return None if args.json else ProgressBar(what=what)


def _monte_carlo(args: argparse.Namespace, **kwargs: Any) -> dict[str, Any]:
    from core.simulate.montecarlo import monte_carlo

    result = monte_carlo(args.seeds, scheduler=args.scheduler,
                         on_progress=_terminal_progress(args, "seeds"), **kwargs)
    return {"ci95": result["ci95"], "mean": result["mean"], "seeds": result["seeds"],
            "scheduler": result["scheduler"]}


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.horizon is not None and args.requests is not None:
        from core.errors import UserError

        raise UserError("--horizon sets how much traffic to simulate: drop --requests (or "
                        "drop --horizon to simulate N requests in memory).")
    out, mc = _replay(args) if args.data is not None else _preset(args)
    if args.seeds:
        out.update(_monte_carlo(args, **mc))
    # DESIGN.md reads "per strategy (lambda, ecs, hybrid): ...": expose each strategy at the
    # top level too, so `.lambda.cost_usd` and `.strategies.lambda.cost_usd` both work.
    for name, figures in out["strategies"].items():
        out.setdefault(name, figures)
    return out


def render(result: dict[str, Any]) -> str:
    """A plain-text comparison table."""
    rows = [("requests", "{:,}"), ("cost_usd", "{:.4f}"), ("cost_per_million", "{:.4f}"),
            ("latency_mean_ms", "{:.1f}"), ("latency_p50_ms", "{:.1f}"),
            ("latency_p95_ms", "{:.1f}"), ("latency_p99_ms", "{:.1f}"),
            ("cold_start_rate", "{:.4%}"), ("error_rate", "{:.4%}"),
            ("throttle_rate", "{:.4%}"), ("routing_accuracy", "{:.2%}"),
            ("lambda_share", "{:.2%}")]
    names = list(result["strategies"])
    lines = [f"{'metric':<20}" + "".join(f"{n:>16}" for n in names)]
    for key, fmt in rows:
        cells = []
        for n in names:
            value = result["strategies"][n].get(key)
            cells.append(f"{'-' if value is None else fmt.format(value):>16}")
        lines.append(f"{key:<20}" + "".join(cells))
    hybrid = result["strategies"].get("hybrid", {})
    lines += versus_sentences(hybrid)
    if result.get("hybrid_note"):
        lines.append(f"note: {result['hybrid_note']}")
    calibration = result.get("calibration")
    if calibration:
        lines.append(f"calibration ({calibration['latency_field']}): measured vs simulated")
        for row in calibration["rows"]:
            lines.append(f"  {row['workload_type']:<22}{row['platform']:<7} p50 "
                         f"{row['measured_p50_ms']:>9.1f} / {row['simulated_p50_ms']:<9.1f} p95 "
                         f"{row['measured_p95_ms']:>9.1f} / {row['simulated_p95_ms']:<9.1f}")
        for name, share in calibration["label_share"].items():
            lines.append(f"  Lambda-optimal share {name:<22} {share['measured']:5.1f} % / "
                         f"{share['simulated']:5.1f} %")
    if hybrid.get("objective"):
        spec = hybrid["objective"]
        met = {True: "met", False: "NOT met", None: "no target figure"}[
            hybrid.get("objective_met")]
        lines.append(f"objective {spec['kind']}: {met}" + "".join(
            f"; {c['what']} {c['value']:,.6g} vs {c['target']:,.6g}" for c in spec["checks"]))
    for row in (result.get("explain") or {}).get("decisions", [])[:20]:
        lines.append(f"  request {row['request']:<8} {row['workload_type']:<22} -> "
                     f"{row['route']:<7} {row['reason_1']}")
    for row in result.get("pareto") or []:
        if row["router"] == "objective":
            lines.append(f"  pareto {row['parameter']}={row['value']:<12.4g} cost "
                         f"{row['cost_usd']:.5f} USD  p95 {row['latency_p95_ms']:,.0f} ms")
    if "portable_check" in hybrid:
        from core.simulate.routers import describe_check

        lines.append(describe_check(hybrid["portable_check"]))
    if result.get("ci95"):
        ran = result["scheduler"]
        lines.append(f"95 % intervals over {len(result['seeds'])} seeds ({ran['workers']} "
                     f"worker(s) at {ran['address']}):")
        for key in ("lambda.cost_usd", "ecs.cost_usd", "hybrid.cost_usd",
                    "hybrid.latency_p95_ms", "hybrid.routing_accuracy"):
            low_high = result["ci95"].get(key)
            if low_high:
                lines.append(f"  {key:<26} {low_high[0]:.6g} .. {low_high[1]:.6g}")
    long = result.get("long_horizon")
    if long:
        lines.append(f"long horizon: {long_horizon_sentence(long)}")
    lines.append(f"simulated in {result['elapsed_s']:.2f} s")
    return "\n".join(lines)
