"""`python -m core train FILE [--models rf,xgb,lgbm,mlp,logreg] [--cv 5] [--json]`:
train and compare models, save each as a registry version."""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import Any

from core.cli.args import (
    add_registry,
    add_seed,
    cv_folds,
    float_range,
    input_path,
    jobs,
    model_list,
    name_list,
)
from core.cli.cost_args import add_costs, cost_kwargs
from core.io import read_paths
from core.label_values import read_labelled, with_labels
from core.registry import Registry
from core.schema import LABEL, feature_title
from core.wording import on_cluster, significance_sentences

#: core.training.splits.SPLITS, spelled out so `--help` does not import scikit-learn.
SPLIT_CHOICES = ("stratified", "group", "time")
#: core.training.search.PRESETS, spelled out for the same reason.
TRIAL_PRESETS = {"quick": 10, "thorough": 50}

HELP = ("Train and compare models (majority baseline always included) with cross-validation; "
        "print metrics, significance and the thesis success checks; save each model.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", type=input_path, help="request table or "
                        "Artillery logs (CSV/JSON/JSONL/Parquet, a folder works too)")
    parser.add_argument("--models", type=model_list,
                        default=["logreg", "rf", "xgb", "lgbm", "mlp"],
                        metavar="LIST", help="comma-separated from baseline, logreg, rf, xgb, "
                        "lgbm, mlp (default: all)")
    parser.add_argument("--cv", type=cv_folds, default=5,
                        help="cross-validation folds (0 = none, else 2 or more)")
    parser.add_argument("--split", choices=SPLIT_CHOICES, default="stratified",
                        help="how test rows are held out (default: %(default)s)")
    parser.add_argument("--group", metavar="COL", help="group column for --split group "
                        "(default: time_window)")
    parser.add_argument("--features", type=name_list, metavar="LIST",
                        help="feature columns (default: the pre-routing columns present)")
    parser.add_argument("--label", default=LABEL, metavar="COL",
                        help="label column (default: %(default)s, computed when absent)")
    add_seed(parser)
    parser.add_argument("--time-limit", type=float_range(0, strict_lo=True), metavar="S",
                        help="stop a model that trains longer than S seconds")
    parser.add_argument("--search", type=float_range(0), metavar="S",
                        help="Optuna (TPE) hyper-parameter search per model within S seconds (0 = "
                             "none)")
    parser.add_argument("--jobs", type=jobs, metavar="N",
                        help="parallel worker processes (1 or more; -1 = all cores)")
    add_registry(parser, must_exist=False)
    parser.add_argument("--trials", type=_trials, default=50, metavar="N",
                        help="trial budget of the --search per model: a number or a preset "
                        "quick (10) / thorough (50) (default: %(default)s)")
    parser.add_argument("--mlflow-uri", metavar="DIR_OR_URI",
                        help="also log each model's run to this MLflow tracking store (a "
                        "folder becomes a local SQLite store; needs mlflow-skinny)")
    parser.add_argument("--no-save", action="store_true", help="do not save the models")
    parser.add_argument("--promote", action="store_true",
                        help="mark the best model as champion in the registry")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="train the models as tasks on this Dask cluster "
                             "(tcp://host:8786) instead of local processes")
    add_costs(parser)


def _progress(event: dict[str, Any]) -> None:
    if event["event"] in ("done", "error", "timed_out", "cancelled"):
        extra = f": {event['error']}" if event.get("error") else ""
        print(f"[{event['completed']}/{event['total']}] {event['model']} {event['event']} "
              f"after {event['elapsed_s']:.1f} s{extra}", file=sys.stderr)


def run(args: argparse.Namespace) -> dict:
    if not args.scheduler:
        # The model processes' fork server imports the model libraries (1-2 s) while this
        # process reads and labels the file and imports scikit-learn: on two cores they overlap.
        from core.training import procs

        procs.start()
    frame = read_labelled(read_paths, [args.file], label=args.label).frame
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        frame, label_source = with_labels(frame, args.label, source=args.file,
                                          **cost_kwargs(args))
    models = ["baseline", *[m for m in args.models if m != "baseline"]]
    registry = None if args.no_save else Registry(args.registry)
    from core.training import train_and_compare  # scikit-learn: only when this command runs

    run_ = train_and_compare(
        frame, features=args.features, label=args.label, models=models, split=args.split,
        group=args.group, cv=args.cv, seed=args.seed, time_limit_s=args.time_limit,
        search_budget_s=args.search, search_trials=args.trials, n_jobs=args.jobs,
        scheduler=args.scheduler,
        registry=registry, on_progress=None if args.json else _progress)
    doc = run_.to_json()
    doc["champion"] = None
    if args.promote and registry is not None and run_.best:
        doc["champion"] = run_.results[run_.best].model_id
        registry.set_alias("champion", doc["champion"])
    doc["warnings"] = [str(w.message) for w in caught]
    doc["label_source"] = label_source
    if args.mlflow_uri:
        from core.tracking import log_training

        doc["mlflow_runs"] = log_training(doc, args.mlflow_uri, source=str(args.file))
    return doc


def _trials(value: str) -> int:
    """--trials: a whole number >= 1 or a preset name (quick / thorough)."""
    if value.strip().lower() in TRIAL_PRESETS:
        return TRIAL_PRESETS[value.strip().lower()]
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number or one of "
                                         f"{sorted(TRIAL_PRESETS)}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} must be at least 1")
    return number


def _f(value: Any, fmt: str = ".3f") -> str:
    """A table cell; a value that rounds to zero never shows as "-0.000" (a baseline's gap)."""
    if value is None:
        return "-"
    text = format(value, fmt)
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def render(result: dict) -> str:
    lines = [f"{result['rows']:,} labelled rows ({result['dropped_label_rows']:,} without a "
             f"label dropped); split {result['split']['split']}: "
             f"{result['split']['train_rows']:,} train / {result['split']['test_rows']:,} test, "
             f"{result['split']['folds']} CV folds; features "
             f"{', '.join(map(feature_title, result['features']))}",
             result.get("label_source", ""),
             "",
             f"{'model':<9}{'status':<10}{'acc':>7}{'cv acc':>15}{'prec':>7}{'rec':>7}{'f1':>7}"
             f"{'auc':>7}{'gap':>7}{'fit s':>8}{'pred ms':>9}  model_id"]
    for m in result["models"].values():
        if m["status"] != "ok":
            lines.append(f"{m['model']:<9}{m['status']:<10}{m['error']}")
            continue
        cv = m["cv"].get("accuracy", {})
        cv_text = (f"{_f(cv.get('mean'))}±{_f(cv.get('std'))}" if cv else "-")
        lines.append(
            f"{m['model']:<9}{'ok':<10}{_f(m['accuracy']):>7}{cv_text:>15}"
            f"{_f(m['precision']):>7}{_f(m['recall']):>7}{_f(m['f1']):>7}{_f(m['roc_auc']):>7}"
            f"{_f(m['train_test_gap']):>7}{_f(m['fit_s'], '.2f'):>8}"
            f"{_f(m['predict_ms'], '.2f'):>9}  {m['model_id'] or ''}")
    sig = result["significance"]
    if result["best"]:
        lines += ["", f"best: {result['best']}"]
        top = result["models"][result["best"]]["importances"]
        lines.append("importance: " + ", ".join(f"{k} {v:.0%}" for k, v in top.items()))
        names = {k: m.get("name", k) for k, m in result["models"].items()}
        lines += significance_sentences(sig, names)
    if result["checks"]:
        lines += ["", "success checks:"]
        lines += [f"  [{'PASS' if c['passed'] else 'FAIL'}] {c['check']}: {c['reason']}"
                  for c in result["checks"]]
    if result["trap_explanation"]:
        lines += ["", f"NOT A SUCCESS: {result['trap_explanation']}"]
    if result.get("champion"):
        lines.append(f"champion is now {result['champion']}")
    if result.get("scheduler"):
        lines.append(f"trained {on_cluster(result['scheduler'])}")
    lines += [f"[{f['severity']}] {f['code']}: {f['message']}" for f in result["findings"]]
    lines += [f"note: {n}" for n in result["notes"]]
    lines += [f"warning: {w}" for w in result.get("warnings", [])]
    return "\n".join(lines)
