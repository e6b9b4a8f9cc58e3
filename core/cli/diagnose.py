"""`python -m core diagnose FILE [--label COL] [--json]`: variance and leakage findings.

A `fail` verdict is a result, not an error: the exit code is 0. Bad input exits 2.
"""

from __future__ import annotations

import argparse
import warnings

from core.cli.args import seed
from core.cli.cost_args import add_costs, cost_kwargs
from core.io import read_paths
from core.label_values import read_labelled, with_labels
from core.schema import LABEL

HELP = ("Check a request table before training: is the label a function of one column, do "
        "outcome columns leak it, how high can any model's accuracy be (verdict ok/warn/fail).")
MARK = {"fail": "FAIL", "warn": "WARN", "info": "info"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """FILE, --label and --seed (dispatch adds --json)."""
    parser.add_argument("file", metavar="FILE", help="canonical table, CSV/JSON/Parquet or "
                        "Artillery logs (a folder works too)")
    parser.add_argument("--label", metavar="COL", default=None,
                        help="label column, used as given (1/0, true/false, lambda/ecs or "
                             "yes/no; 1 = Lambda optimal); default: 'label', computed with "
                             "balanced_optimal when the data has none")
    parser.add_argument("--seed", type=seed, default=0, help="seed of sampled steps")
    parser.add_argument("--ignore", metavar="CODES", default="",
                        help="comma-separated check codes to skip (e.g. LABEL_NOISE)")
    add_costs(parser)


def run(args: argparse.Namespace) -> dict:
    """Read FILE, label it when it has no labels, diagnose; the `diagnose --json` document.

    A given label is used as given, and then no latency or cost column is needed."""
    frame = read_labelled(read_paths, [args.file], label=args.label or LABEL).frame
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        frame, source = with_labels(frame, args.label or LABEL, source=args.file,
                                    **cost_kwargs(args))
    notes = [str(w.message) for w in caught]
    from core.diagnostics import diagnose  # scikit-learn: only when this command runs

    ignore = [c.strip().upper() for c in (args.ignore or "").split(",") if c.strip()]
    result = diagnose(frame, label=args.label or LABEL, seed=args.seed,
                      ignore=ignore).to_dict()
    result["label_source"] = source
    result["warnings"] = notes
    return result


def render(result: dict) -> str:
    """Human text: verdict, per-workload shares, ceiling, findings with what to do."""
    rows = result["rows"]
    lines = [f"verdict: {result['verdict'].upper()}: {result['headline']}",
             f"rows: {rows['labelled']:,} labelled of {rows['total']:,} "
             f"({rows['unlabelled_excluded']:,} without a label excluded); "
             f"{result.get('label_source', 'label')}",
             "features: " + (", ".join(result.get("feature_titles", result["features"]))
                             or "(none)")]
    shares = result["label_shares"]
    if shares:
        lines.append("Lambda-optimal share per workload (band 20–80 %):")
        lines += [f"  {s['workload']:<24} {s['lambda_optimal_share']:6.1%}  "
                  f"{'in band' if s['in_band'] else 'OUTSIDE'}  ({s['rows']:,} rows)"
                  for s in shares]
    ceiling = result["ceiling"]
    if ceiling.get("status") == "ok":
        lines.append(f"accuracy ceiling: {ceiling['cv_ceiling']:.3f} cross-validated, "
                     f"{ceiling['ceiling']:.3f} in-sample; majority baseline "
                     f"{ceiling['baseline']:.3f}")
    for f in result["findings"]:
        lines.append(f"[{MARK[f['severity']]}] {f['code']}: {f['message']}")
        lines.append(f"    what to do: {f['advice']}")
    if not result["findings"]:
        lines.append("no findings")
    skipped = [c for c in result["checks"] if c["status"] == "not_applicable"]
    lines += [f"not applicable: {c['code']}: {c['detail']}" for c in skipped]
    lines += [f"warning: {w}" for w in result.get("warnings", [])]
    return "\n".join(lines)
