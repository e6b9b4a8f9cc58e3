"""`python -m core drift --reference FILE --current FILE [--model MODEL_ID] --json`: has the
traffic changed since the model was trained, and what to do about it."""

from __future__ import annotations

import argparse

from core.cli.args import add_registry

HELP = ("Compare current traffic (a request table, or the deployed function's exported JSON "
        "logs, gzip or not) with the reference data: PSI / KS per feature, prediction and "
        "label drift, a verdict and advice.")


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not number > 0 or number != number or number == float("inf"):
        raise argparse.ArgumentTypeError(f"{value!r} must be a positive number")
    return number


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reference", required=True, metavar="FILE",
                        help="the data the model was trained on (CSV/JSON/JSONL/Parquet, "
                        "a folder works too)")
    parser.add_argument("--current", required=True, metavar="FILE",
                        help="recent traffic: a request table or the function's JSON log "
                        "lines as exported from CloudWatch (.gz is fine)")
    parser.add_argument("--model", metavar="MODEL_ID",
                        help="compare this model's features and predictions (an id or the "
                        "alias champion / challenger)")
    add_registry(parser)
    parser.add_argument("--features", type=_csv, metavar="LIST",
                        help="features to compare (default: the model's, else the request "
                        "features present)")
    parser.add_argument("--psi", type=_positive, default=0.25, metavar="X",
                        help="PSI above which a feature drifted (default: %(default)s)")
    parser.add_argument("--ks", type=_positive, default=0.2, metavar="D",
                        help="Kolmogorov-Smirnov D above which a numeric feature or the "
                        "probability drifted (default: %(default)s)")
    parser.add_argument("--share", type=_positive, default=0.10, metavar="X",
                        help="change in the share routed to / optimal on Lambda that counts "
                        "as drift (default: %(default)s)")
    parser.add_argument("--accuracy", type=_positive, default=0.05, metavar="X",
                        help="drop in realised routing accuracy that counts as drift "
                        "(default: %(default)s)")
    parser.add_argument("--alpha", type=_positive, default=0.01, metavar="P",
                        help="a difference must also be significant at this level "
                        "(default: %(default)s)")


def run(args: argparse.Namespace) -> dict:
    from core.drift import Thresholds, compare, read_table

    thresholds = Thresholds(psi=args.psi, ks=args.ks, share=args.share,
                            accuracy=args.accuracy, alpha=args.alpha).check()
    model = None
    if args.model:
        from core.registry import Registry

        model = Registry(args.registry, create=False).load(args.model)
    reference = read_table(args.reference)
    current = read_table(args.current)
    report = compare(reference, current, features=args.features, model=model,
                     thresholds=thresholds)
    return report.to_dict()


def _fmt(value: object, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


def render(result: dict) -> str:
    from core.drift.monitor import left_out

    rows = result["rows"]
    dropped = "; ".join(f"{side}: {text}" for side in ("reference", "current")
                        if (text := left_out(rows, side)))
    lines = [f"verdict: {result['verdict'].upper()}  ({rows['reference']:,} reference rows, "
             f"{rows['current']:,} current rows compared" + (f"; {dropped}" if dropped else "")
             + (f", model {result['model_id']}" if result.get("model_id") else "") + ")", "",
             f"{'feature':<44}{'statistic':<10}{'value':>9}{'threshold':>11}  status"]
    for f in result["features"]:
        where = f" [{f['segment']}]" if f.get("segment") else ""
        unseen = f"  unseen: {', '.join(f['unseen'])}" if f.get("unseen") else ""
        lines.append(f"{f['feature'] + where:<44}{f['statistic']:<10}{_fmt(f['value']):>9}"
                     f"{_fmt(f['threshold'], 'g'):>11}  {f['severity']}{unseen}")
    pred = result.get("prediction")
    if pred:
        s = pred["lambda_share"]
        lines += ["", f"prediction ({pred['source']}): routed to Lambda "
                  f"{_fmt(s['reference'], '.1%')} -> {_fmt(s['current'], '.1%')}; probability KS "
                  f"{_fmt(pred['probability']['value'])}; drift: {pred['drift']}"]
    labels = result.get("labels")
    if labels:
        s = labels["lambda_optimal_share"]
        lines.append(f"labels: Lambda optimal {_fmt(s['reference'], '.1%')} -> "
                     f"{_fmt(s['current'], '.1%')}")
        if "routing_accuracy" in labels:
            a = labels["routing_accuracy"]
            lines.append(f"routing accuracy {_fmt(a['reference'], '.1%')} -> "
                         f"{_fmt(a['current'], '.1%')}")
    lines += ["", "advice:"] + [f"  - {a}" for a in result["advice"]]
    lines += [f"note: {n}" for n in result["notes"]]
    return "\n".join(lines)
