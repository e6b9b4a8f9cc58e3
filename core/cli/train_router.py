"""`python -m core train-router FILE [--registry DIR] [--costs PRESET|FILE] --json`: fit the
per-platform latency (p50, p95) and cost predictors behind an objective router and save them
as one registry version -> {"model_id", "metrics"}."""

from __future__ import annotations

import argparse
from typing import Any

from core.cli.args import add_registry, add_seed, input_path, name_list
from core.cli.cost_args import add_costs

HELP = ("Train an objective router: LightGBM predictors of each platform's latency p50/p95 "
        "(quantile) and cost per request, saved as one registry version with per-workload "
        "metrics (MAE, p95 coverage) and the cost profile.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", type=input_path,
                        help="request logs of both platforms (a folder works too)")
    parser.add_argument("--features", type=name_list, metavar="LIST",
                        help="pre-routing features (default: workload_type, payload_size_kb, "
                             "time_window, load_pattern where present)")
    parser.add_argument("--latency-field", choices=("execution_time_ms", "latency_ms"),
                        default=None, help="latency to predict (default: the label rule's, "
                        "execution_time_ms where present)")
    add_seed(parser)
    add_registry(parser, must_exist=False)
    add_costs(parser)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from core.cost_profile import DEFAULT_PROFILE, get_profile
    from core.io import read_paths
    from core.objective.predictors import train_predictors
    from core.objective.router import save_router
    from core.registry import Registry

    frame = read_paths([args.file]).frame
    profile = get_profile(args.costs if args.costs is not None else DEFAULT_PROFILE)
    view = args.cost_view or "marginal"
    trained = train_predictors(frame, costs=profile, view=view, latency_col=args.latency_field,
                               features=args.features, seed=args.seed)
    registry = Registry(args.registry)
    model_id = save_router(registry, trained, train_frame=frame, seed=args.seed,
                           extra={"cost_profile": profile.to_dict(), "view": view})
    return {"model_id": model_id, "metrics": trained.metrics, "rows": trained.rows,
            "fit_s": trained.fit_s, "default_objective": trained.default_objective,
            "features": trained.predictors.input_features, "cost_profile": profile.name,
            "view": view}


def render(result: dict[str, Any]) -> str:
    m = result["metrics"]
    lines = [f"router {result['model_id']}: {result['rows']:,} rows, latency "
             f"{m['latency_field']}, costs {result['cost_profile']} ({result['view']}), "
             f"fitted in {result['fit_s']:.1f} s; default objective "
             f"{result['default_objective']}",
             f"{'platform':<10}{'workload':<24}{'rows':>6}{'p50 MAE ms':>12}"
             f"{'p95 cover':>11}{'cost MAE USD':>14}"]
    for platform, figures in m["platforms"].items():
        for name, s in figures["workloads"].items():
            if not s.get("rows"):
                continue
            lines.append(f"{platform:<10}{name:<24}{s['rows']:>6}{s['latency_p50_mae_ms']:>12.1f}"
                         f"{s['latency_p95_coverage']:>11.3f}{s['cost_mae_usd']:>14.3g}")
    lines += [f"note: {note}" for note in m.get("notes", [])]
    return "\n".join(lines)
