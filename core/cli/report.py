"""`python -m core report --out DIR [--logs DIR | --data FILE] [--model REF] [--json]`:
the whole story (ingest, label, diagnose, train, explain, simulate, build and invoke the
Lambda package) written as one offline HTML report plus CSV/LaTeX tables and PNG/SVG figures.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from core.cli.args import (
    add_registry,
    add_seed,
    add_seeds,
    cv_folds,
    input_path,
    int_range,
    model_list,
    output_dir,
)
from core.cli.cost_args import add_costs, cost_kwargs
from core.cli.progress import ProgressBar
from core.errors import UserError
from core.pipeline import QUICK_CV, QUICK_MODELS, SIM_REQUESTS

HELP = ("Run the whole story on logs or a table (demo data when neither is given) and write "
        "report.html (offline), tables (CSV, LaTeX), figures (PNG, SVG) and deploy/function.zip.")
ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "variance.csv"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="DIR", type=output_dir,
                        help="folder to write into")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--logs", metavar="DIR", type=input_path,
                        help="folder of Artillery logs (.jsonl[.gz])")
    source.add_argument("--data", metavar="FILE", type=input_path,
                        help="request table (CSV/JSON/JSONL/Parquet)")
    parser.add_argument("--model", metavar="REF", help="use this registry model (id or alias "
                        "such as champion) instead of training")
    parser.add_argument("--models", type=model_list, default=list(QUICK_MODELS[1:]),
                        metavar="LIST",
                        help=f"models to compare (default: {','.join(QUICK_MODELS[1:])}; "
                             "baseline always added)")
    parser.add_argument("--cv", type=cv_folds, default=QUICK_CV,
                        help="CV folds (default: %(default)s)")
    parser.add_argument("--requests", type=int_range(1, 50_000_000), default=SIM_REQUESTS,
                        metavar="N", help="simulated requests per fleet (default: %(default)s)")
    add_seeds(parser, "simulate")
    add_seed(parser)
    add_registry(parser, must_exist=False)
    parser.add_argument("--promote", action="store_true",
                        help="mark the best model as champion in the registry")
    add_costs(parser)
    parser.add_argument("--no-static", action="store_true",
                        help="skip PNG/SVG export (faster; the HTML has every figure)")


def run(args: argparse.Namespace) -> dict[str, Any]:
    from core.pipeline import load, run_story
    from core.registry import Registry

    path = args.logs or args.data or str(DEMO)
    if not Path(path).exists():
        flag = "--logs" if args.logs else "--data"
        raise UserError(f"{flag} {path} does not exist; give a folder of Artillery logs "
                        "(--logs DIR) or a request table (--data FILE).")
    _check(args)
    registry = Registry(args.registry)
    if args.model:
        registry.resolve(args.model)  # an unknown model is bad input: exit 2 before any work
    started = time.perf_counter()
    # before the progress bar: bad data is one error line, nothing else
    story = load([path], **cost_kwargs(args))
    if story.frame is None or story.frame.empty:
        reasons = (story.ingest or {}).get("rejected_by_reason") or {"no records": 0}
        raise UserError(f"No usable rows in {path}: all {sum(reasons.values()):,} rows were "
                        f"rejected (most often: {max(reasons, key=reasons.get)}). Check it with "
                        "`python -m core ingest PATH --out table.csv --rejected rejected.csv`.")
    story.timings_s["ingest"] = round(time.perf_counter() - started, 3)
    story.seed = args.seed
    story, files = run_story(
        args.out, story=story, model=args.model, models=args.models, cv=args.cv,
        requests=args.requests, seed=args.seed, registry=registry, promote=args.promote,
        static=not args.no_static, on_progress=ProgressBar(), seeds=args.seeds,
        scheduler=args.scheduler)
    dep = story.deployment
    return {
        **files,
        "source": story.source,
        "rows": 0 if story.frame is None else len(story.frame),
        "verdict": story.diagnosis.verdict if story.diagnosis is not None else None,
        "champion": story.champion.model_id if story.champion else None,
        "zip": dep["build"]["path"] if dep else None,
        "zip_bytes": dep["build"]["zip_bytes"] if dep else None,
        "timings_s": story.timings_s,
        "wall_s": round(time.perf_counter() - started, 2),
    }


def _check(args: argparse.Namespace) -> None:
    """Bad settings fail at once (exit 2), not after minutes of work."""
    from core.training.zoo import check_kinds

    check_kinds(args.models)
    if args.scheduler is not None and args.seeds is None:
        raise UserError("--scheduler runs the Monte-Carlo seeds: add --seeds N (or drop "
                        "--scheduler).")
    if args.scheduler not in (None, "local"):
        from core.parallel import client

        with client(args.scheduler):  # unreachable: exit 2 now, not after the training
            pass
    if args.cv == 1 or args.cv < 0:
        raise UserError(f"--cv {args.cv} is not allowed: use 0 (no cross-validation) or 2 "
                        "and more folds.")
    if args.requests < 1:
        raise UserError(f"--requests {args.requests} must be at least 1 (default "
                        f"{SIM_REQUESTS:,}).")


def render(result: dict[str, Any]) -> str:
    lines = [f"report: {result['html']} ({result['html_bytes'] / 1024:.0f} KiB, works offline)",
             f"tables: {len(result['tables'])} files (CSV + LaTeX); figures: "
             f"{len(result['figures'])} files (PNG + SVG)",
             f"data: {result['source']} ({result['rows']:,} rows); verdict: {result['verdict']}",
             f"champion: {result['champion'] or '-'}"]
    if result["zip"]:
        lines.append(f"Lambda package: {result['zip']} ({result['zip_bytes'] / 1024:.1f} KiB)")
    if result["static_error"]:
        lines.append(f"note: {result['static_error']}")
    lines += [f"missing: {title}: {why}" for title, why in result["missing"].items()]
    lines.append("timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in result["timings_s"].items())
                 + f"; total {result['wall_s']:.1f}s")
    return "\n".join(lines)
