"""`python -m core label FILE --out FILE`: label a request table with a rule."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from core.cli.args import float_range, input_path, table_out
from core.cli.cost_args import add_costs, profile_from
from core.io import read_paths, write_table
from core.labels import LATENCY_FIELDS, RULES, label_shares

HELP = ("Label a request table (1 = Lambda optimal, 0 = ECS optimal) with the thesis's "
        "balanced_optimal rule and report the Lambda-optimal share per workload.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", type=input_path,
                        help="request table or logs (any format ingest reads)")
    parser.add_argument("--out", required=True, metavar="FILE", type=table_out,
                        help="labelled table to write (.csv or .parquet)")
    parser.add_argument("--rule", choices=sorted(RULES), default="balanced_optimal",
                        help="labelling rule (default: %(default)s)")
    parser.add_argument("--margin", type=float_range(0, 0.5), default=0.10,
                        help="how much better Lambda must be on latency and cost, 0 to 0.5 "
                             "(default: %(default)s)")
    parser.add_argument("--latency-field", choices=LATENCY_FIELDS, default=None,
                        help="latency to compare (default: execution_time_ms where present, "
                             "else latency_ms)")
    add_costs(parser)


def _share(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def run(args: argparse.Namespace) -> dict:
    profile = profile_from(args)
    ingest = read_paths([args.file])
    labelled = RULES[args.rule](ingest.frame, margin=args.margin,
                                latency_col=args.latency_field, costs=profile,
                                view=args.cost_view or "marginal")
    out = write_table(labelled, args.out)
    rule_file = Path(f"{out}.label_rule.json")  # the label's definition, beside the table
    rule_file.write_text(json.dumps(labelled.attrs.get("label_rule", {}), indent=2) + "\n",
                         encoding="utf-8")
    shares = label_shares(labelled)
    labels = labelled["label"].dropna()
    workloads = [{**row, "lambda_optimal_share": _share(row["lambda_optimal_share"])}
                 for row in shares.to_dict(orient="records")]
    return {
        "input": args.file,
        "out": str(out),
        "label_rule_file": str(rule_file),
        **labelled.attrs.get("label_rule", {"rule": args.rule, "margin": args.margin}),
        "rows": len(labelled),
        "rows_rejected": len(ingest.rejected),
        "labelled": len(labels),
        "unlabelled": len(labelled) - len(labels),
        "lambda_optimal_share": _share(labels.astype(float).mean()) if len(labels) else None,
        "workloads": workloads,
        "workloads_in_band": int(shares["in_band"].sum()),
        "warnings": [*ingest.warnings, *labelled.attrs.get("label_warnings", [])],
    }


def render(result: dict) -> str:
    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    lines = [f"labelled {result['labelled']:,} of {result['rows']:,} rows with "
             f"{result['rule']} (margin {result['margin']:g}, latency "
             f"{result.get('latency_field', '?')}, costs {result.get('costs', '?')}, "
             f"{result.get('view', 'marginal')} view): Lambda optimal "
             f"{pct(result['lambda_optimal_share'])}"]
    for w in result["workloads"]:
        band = "in 20-80 %" if w["in_band"] else "OUTSIDE 20-80 %"
        lines.append(f"  {w['workload_type']:<22} {w['labelled']:>7,} labelled  "
                     f"Lambda optimal {pct(w['lambda_optimal_share']):>6}  {band}")
    lines += [f"warning: {w}" for w in result["warnings"]]
    lines.append(f"wrote {result['out']} (label rule and cost profile: "
                 f"{result['label_rule_file']})")
    return "\n".join(lines)
