"""`python -m core explain MODEL_ID --data FILE [--row N] [--sample 2000] --json`."""

from __future__ import annotations

import argparse

from core.cli.args import add_registry, add_seed, input_path, int_range
from core.io import read_paths
from core.registry import Registry

HELP = ("Explain a trained model with SHAP on a data file: global importance per feature, "
        "the additivity error, and with --row N one request's contributions.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model_id", metavar="MODEL_ID", help="model id or alias (champion)")
    parser.add_argument("--data", required=True, metavar="FILE", type=input_path,
                        help="requests to explain (CSV / JSONL / Parquet / Artillery logs)")
    parser.add_argument("--row", type=int_range(0), metavar="N",
                        help="also explain the request at row N (0-based) of the data")
    parser.add_argument("--sample", type=int_range(1), default=2000, metavar="N",
                        help="explain a seeded sample of at most N rows (default: %(default)s)")
    add_seed(parser, "sampling seed")
    add_registry(parser)


def run(args: argparse.Namespace) -> dict:
    loaded = Registry(args.registry, create=False).load(args.model_id)
    frame = read_paths([args.data], need_latency=False).frame
    from core.explain import explain, explain_row  # scikit-learn/shap: only when run

    expl = explain(loaded.pipeline, frame, model_id=loaded.model_id, sample=args.sample,
                   seed=args.seed)
    result = expl.to_json()
    if args.row is not None:
        result["row"] = {"index": args.row, **explain_row(
            loaded.pipeline, frame, args.row, model_id=loaded.model_id, seed=args.seed
        ).to_json()}
    return result


def render(result: dict) -> str:
    lines = [f"{result['model_id']} ({result['model_type']}): {result['method']}",
             f"explained {result['rows_explained']:,} of {result['rows_total']:,} rows"
             + (f" (sampled, seed {result['seed']})" if result["sampled"] else ""),
             f"additivity error (base + sum SHAP vs model {result['output']}): "
             f"{result['additivity_error']:.2e}",
             "global importance (mean |SHAP|):"]
    lines += [f"  {r['feature']:<20} {r['mean_abs_shap']:.4f}  {r['share']:6.1%}"
              for r in result["importance"]]
    lines.append(result["dominance"]["message"])
    row = result.get("row")
    if row:
        lines.append(f"row {row['index']}: {row['platform']} (P(Lambda) = "
                     f"{row['lambda_probability']:.4f}), base {row['base_value']:.4f}")
        lines += [f"  {c['feature']:<20} {c['value']!s:<22} {c['shap']:+.4f}"
                  for c in row["contributions"]]
    lines += [f"note: {n}" for n in result["notes"]]
    return "\n".join(lines)
