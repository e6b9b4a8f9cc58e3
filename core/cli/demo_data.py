"""`python -m core demo-data --out DIR [--rows N] [--seed S]`: write the demo datasets."""

from __future__ import annotations

import argparse

import pandas as pd

from core.cli.args import add_seed, int_range, output_dir
from core.labels import label_shares
from core.synth import write_demo_data

HELP = ("Write synthetic load tests from the physical model: variance.csv (labels vary within "
        "each workload) and trap.csv (the thesis's 100 %-accuracy trap).")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="DIR", type=output_dir,
                        help="folder to write into")
    parser.add_argument("--rows", type=int_range(1, 10_000_000), default=6000, metavar="N",
                        help="rows per file, 1 to 10,000,000 (default: %(default)s)")
    add_seed(parser, "random seed; same seed, same files")


def run(args: argparse.Namespace) -> dict:
    paths = write_demo_data(args.out, rows=args.rows, seed=args.seed)
    files = {}
    for preset, path in paths.items():
        shares = label_shares(pd.read_csv(path, usecols=["workload_type", "label"]))
        files[preset] = {"path": str(path), "bytes": path.stat().st_size,
                         "workloads": shares.to_dict(orient="records")}
    return {"rows": args.rows, "seed": args.seed, "files": files}


def render(result: dict) -> str:
    lines = []
    for info in result["files"].values():
        lines.append(f"wrote {info['path']} ({result['rows']:,} rows, {info['bytes']:,} bytes)")
        for w in info["workloads"]:
            share = w["lambda_optimal_share"]
            text = "n/a" if share is None or share != share else f"{share:.0%}"
            lines.append(f"  {w['workload_type']:<22} Lambda optimal {text}")
    return "\n".join(lines)
