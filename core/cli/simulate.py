"""`python -m core simulate [--config FILE] [--requests N] [--json]`."""

from __future__ import annotations

import argparse
from typing import Any

HELP = ("Simulate Lambda-only, ECS-only and router-driven hybrid fleets for a scenario: "
        "cost, latency percentiles, cold starts, errors, routing accuracy.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE",
                        help="scenario JSON file (every key optional; see DESIGN.md)")
    parser.add_argument("--requests", type=int, metavar="N",
                        help="number of requests (overrides the scenario's)")


def run(args: argparse.Namespace) -> dict[str, Any]:
    from core.simulate.runner import simulate

    out = simulate(args.config, requests=args.requests).to_json()
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
    for base in ("lambda", "ecs"):
        vs = hybrid.get(f"vs_{base}")
        if vs and vs["savings_pct"] is not None:
            roi = "-" if vs["roi"] is None else f"{vs['roi']:.1f}x"
            lines.append(f"hybrid vs {base}: saves {vs['savings_usd']:.4f} USD "
                         f"({vs['savings_pct']:.1f} %), router ROI {roi}")
    if "portable_check" in hybrid:
        from core.simulate.routers import describe_check

        lines.append(describe_check(hybrid["portable_check"]))
    lines.append(f"simulated in {result['elapsed_s']:.2f} s")
    return "\n".join(lines)
