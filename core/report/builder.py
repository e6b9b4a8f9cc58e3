"""A story's results as report sections: data, diagnostics, model comparison with
significance, SHAP of the champion, simulation, deployment.

Every section always appears, in this order; one without results says what is missing and
why (the step's own reason when it failed, else what to do), so a reader never wonders
whether something was forgotten.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from core import figures as core_figures
from core.report import figures
from core.report.document import Section
from core.report.records import Story
from core.simulate.replay import calibration_frame
from core.wording import significance_sentences, versus_sentences

#: section title -> (story step whose failure explains it, what to do when it never ran)
SECTIONS = {
    "Data": ("ingest", "no dataset was loaded: load logs on the Data page, or pass --logs DIR "
                       "or --data FILE"),
    "Diagnostics: label variance and leakage": (
        "diagnose", "the data was not diagnosed: open the Variance & leakage page"),
    "Model comparison": ("train", "no models were trained in this session: train them on the "
                                  "Train & compare page (or run `python -m core report`)"),
    "SHAP: why the champion routes as it does": (
        "explain", "no trained model to explain: train models on the Train & compare page"),
    "Simulation: Lambda-only vs ECS-only vs hybrid": (
        "simulate", "no simulation was run: run one on the Simulate page (needs a trained "
                    "model as the router)"),
    "Deployment: the Lambda function": (
        "deploy", "no Lambda package was built: it needs a trained model"),
    "Routing by objective": (
        "objective", "no objective router was replayed: use the Route by objective page (or "
                     "`python -m core report`, which trains one on the data)"),
}
PROVENANCE = "How this report was made"


def build_sections(story: Story) -> list[Section]:
    """One Section per entry of SECTIONS (`missing` set where the story lacks the result),
    then how the report was made."""
    makers = [_data, _diagnostics, _models, _shap, _simulation, _deployment, _objective]
    sections = []
    for (title, (step, todo)), make in zip(SECTIONS.items(), makers, strict=True):
        section = Section(title)
        if not make(story, section):
            reason = story.missing.get(step)
            if step in ("explain", "deploy", "simulate") and not reason and \
                    story.champion is None:
                reason = story.missing.get("train")
            section.missing = reason or todo
        sections.append(section)
    sections.append(_provenance(story))
    return sections


def _provenance(story: Story) -> Section:
    """How this report was made: seed, step times and library versions (reproducibility)."""
    from core.registry import library_versions

    sec = Section(PROVENANCE)
    sec.text(f"Every random step used seed {story.seed}; rerun with the same data, seed and "
             "versions to get the same numbers.")
    _label_method(story, sec)
    if story.timings_s:
        sec.table("provenance_step_times", pd.DataFrame(
            list(story.timings_s.items()), columns=["step", "seconds"]))
    sec.table("provenance_versions", pd.DataFrame(
        list(library_versions().items()), columns=["library", "version"]))
    return sec


def _label_method(story: Story, sec: Section) -> None:
    """The label's definition: rule, margin, latency field, cost profile and view."""
    from core.cost_profile import get_profile

    rule = story.label_rule
    if not rule:
        sec.text("Labels: as given in the data (no rule applied).")
        return
    sec.text(f"Labels: {rule.get('rule', 'balanced_optimal')}, margin "
             f"{rule.get('margin', 0.10):.0%}, latency field {rule.get('latency_field')}, "
             f"costs {rule.get('costs', 'as given')}, {rule.get('view', 'marginal')} view. The "
             "simulator's oracle uses the same definition.")
    profile = get_profile(rule.get("cost_profile"))
    sec.table("provenance_cost_profile", profile.workload_frame())
    for key, source in profile.sources.items():
        sec.text(f"Cost profile {key}: {source}")


def missing_sections(sections: list[Section]) -> dict[str, str]:
    """title -> why it is missing (for the CLI summary and the page's preview)."""
    return {s.title: s.missing for s in sections if s.missing}


# -- sections: each returns False when it has nothing to show ------------------------------------
def _data(story: Story, sec: Section) -> bool:
    frame = story.frame
    if frame is None:
        return False
    labelled = int(frame["label"].notna().sum()) if "label" in frame.columns else 0
    sec.text(f"Source: {story.source or 'session data'}. {len(frame):,} requests, "
             f"{labelled:,} labelled (1 = Lambda optimal under balanced_optimal).")
    if story.ingest:
        ing = story.ingest
        files = ing.get("files", 0)
        rows = [("files", files if isinstance(files, int) else len(files)),
                ("rows read", ing.get("rows_read")),
                ("rows accepted", ing.get("rows_accepted")),
                ("rows rejected", ing.get("rows_rejected")),
                ("error rows (no label)", ing.get("error_rows"))]
        rows += [(f"rejected: {k}", v) for k, v in ing.get("rejected_by_reason", {}).items()]
        sec.table("data_ingest", pd.DataFrame(rows, columns=["item", "value"]))
    sec.table("data_by_workload", data_summary(frame))
    return True


def data_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per workload and platform: requests, median latency and cost, Lambda-optimal share."""
    keys = [c for c in ("workload_type", "platform") if c in frame.columns]
    if not keys:
        return pd.DataFrame({"requests": [len(frame)]})
    agg: dict[str, tuple[str, str]] = {"requests": (keys[0], "size")}
    for col, name in (("execution_time_ms", "median_execution_ms"),
                      ("latency_ms", "median_latency_ms"), ("cost_usd", "median_cost_usd")):
        if col in frame.columns:
            agg[name] = (col, "median")
    data = frame.copy()
    for col in ("execution_time_ms", "latency_ms", "cost_usd", "label"):
        if col in data.columns:
            data[col] = pd.to_numeric(data[col], errors="coerce").astype(float)
    if "label" in data.columns:
        agg["lambda_optimal_share"] = ("label", "mean")
    return data.groupby(keys, dropna=False, observed=True).agg(**agg).reset_index()


def _diagnostics(story: Story, sec: Section) -> bool:
    d = story.diagnosis
    if d is None:
        return False
    sec.text(f"Verdict: {d.verdict.upper()}. {d.headline}")
    if d.verdict == "fail":
        sec.text("A fail verdict means a model trained on these labels can look perfect "
                 "without learning a routing decision (the thesis's 100 % trap); the "
                 "findings below say which columns cause it and what to do.")
    sec.table("diagnostics_findings", d.summary_frame())
    shares = d.label_shares
    if len(shares):
        sec.table("diagnostics_label_shares", shares)
        sec.figure("diagnostics_label_shares", d.plot("label_shares"))
    ceiling = d.ceiling
    if ceiling.get("status") == "ok":
        sec.text(f"Accuracy ceiling (best any model can honestly reach on these features, "
                 f"cross-validated): {ceiling['cv_ceiling']:.3f}; majority baseline "
                 f"{ceiling['baseline']:.3f}.")
    return True


def _models(story: Story, sec: Section) -> bool:
    run = story.train_run
    if run is None:
        if story.champion is not None:
            sec.text(f"No comparison was run: the champion {story.champion.model_id} was "
                     f"taken from the {story.champion.origin}.")
        return False
    table = run.table()
    cols = ["name", "status", "accuracy", "cv_accuracy_mean", "cv_accuracy_std", "precision",
            "recall", "f1", "roc_auc", "train_test_gap", "fit_s", "predict_ms", "model_id"]
    sec.text(f"{run.rows:,} labelled rows; split {run.split.get('split')}: "
             f"{run.split.get('train_rows', 0):,} train / {run.split.get('test_rows', 0):,} "
             f"test, {run.split.get('folds', 0)} CV folds; features {', '.join(run.features)}.")
    sec.table("models_comparison", table.reindex(columns=cols))
    for line in significance_sentences(run.significance,
                                       {k: r.name for k, r in run.results.items()}):
        sec.text(line)
    if run.checks:
        sec.table("models_success_checks", pd.DataFrame(run.checks))
    trap = run.trap_explanation()
    if trap:
        sec.text(f"Not a success: {trap}")
    sec.figure("models_accuracy", figures.model_accuracy(table))
    curves = run.curves("roc")
    if not curves.empty:
        sec.figure("models_roc", run.plot("roc"))
    searches = {r.name: r.search for r in run.ok_results() if r.search}
    if searches:
        from core.training.search import summary_frame

        info = next(iter(searches.values()))
        sec.text(f"Hyper-parameters were tuned with Optuna's TPE sampler (seed {info['seed']}, "
                 f"up to {info['n_trials']} trials within {info['budget_s']:g} s per model, "
                 "mean CV ROC-AUC, weak trials pruned fold by fold; trial 0 is the default).")
        sec.table("models_search", summary_frame(searches))
    return True


def _shap(story: Story, sec: Section) -> bool:
    expl = story.explanation
    if expl is None:
        return False
    champ = story.champion
    name = f"{champ.kind} {champ.model_id}" if champ else expl.model_type
    sec.text(f"Model: {name}. {expl.dominance()['message']} {expl.sampling_note()} Method: "
             f"{expl.method}; additivity error {expl.additivity_error:.1e}.")
    imp = expl.importance()
    sec.table("shap_importance", imp)
    sec.figure("shap_importance",
               expl.plot("importance", title=f"SHAP importance of the champion ({name})"))
    sec.figure("shap_beeswarm", expl.plot("beeswarm", seed=story.seed))
    return True


def _simulation(story: Story, sec: Section) -> bool:
    result = story.simulation
    if result is None:
        return False
    strategies = result.strategies
    hybrid = strategies.get("hybrid", {})
    first = next(iter(strategies.values()))
    router = (result.scenario or {}).get("router") or {}
    kind = hybrid.get("router", router.get("kind", "model"))
    model = f" ({router['model_id']})" if kind == "model" and router.get("model_id") else ""
    calibration = getattr(result, "calibration", None)
    if calibration is not None:
        champ = story.champion
        sec.text(f"A replay calibrated on the data: its {first['requests']:,} requests, each "
                 "platform's service times and costs drawn from its own measurements; router: "
                 f"{champ.kind + ' ' + champ.model_id if champ else kind}; routing accuracy "
                 "against the label rule (the objective the model was trained on) "
                 f"{hybrid.get('routing_accuracy', float('nan')):.1%}.")
    else:
        sec.text(f"{first['requests']:,} simulated requests per fleet (preset physical model); "
                 f"router: {kind}{model}; routing accuracy against the hindsight oracle "
                 f"{hybrid.get('routing_accuracy', float('nan')):.1%}.")
    for sentence in versus_sentences(hybrid):
        sec.text(sentence)
    for key in ("simulate_mix", "simulate_calibration", "simulate_seeds"):
        if key in story.missing:
            sec.text(f"Note: {story.missing[key]}")
    if calibration is not None:
        sec.table("simulation_calibration", calibration_frame(calibration))
        sec.table("simulation_cost_breakdown", pd.DataFrame(
            {name: s["cost_breakdown"] for name, s in strategies.items()}).T.fillna(0.0)
            .reset_index(names="strategy"))
    comparison = result.comparison_frame().reset_index(names="metric")
    sec.table("simulation_comparison", comparison)
    if story.simulation_seeds is not None:
        seeds = story.simulation_seeds
        ran = seeds["scheduler"]
        sec.text(f"Over {len(seeds['seeds'])} seeds ({ran['workers']} Dask worker(s) at "
                 f"{ran['address']}): each figure's mean and 95 % interval (Student's t). "
                 "A saving whose interval spans zero is not established by this data.")
        sec.table("simulation_intervals", interval_frame(seeds))
    sec.figure("simulation_cost_latency", figures.strategy_bars(strategies))
    if not result.cdf.empty:
        sec.figure("simulation_latency_cdf", result.plot("cdf"))
    return True


def _objective(story: Story, sec: Section) -> bool:
    from core.objective.report import section

    return section(story.objective, sec)


def _deployment(story: Story, sec: Section) -> bool:
    dep = story.deployment
    if dep is None:
        return False
    build = dep["build"]
    rows = pd.DataFrame(dep["scenarios"])
    matched = int(rows["match"].sum()) if len(rows) else 0
    sec.text(f"function.zip: {build['zip_bytes'] / 1024:.1f} KiB ({build['zip_bytes']:,} "
             f"bytes; Lambda allows 50 MB zipped), model {build['model_id']} "
             f"({build['model_type']}); handler lambda_function.lambda_handler, standard "
             "library only.")
    init = dep.get("init_ms")
    sec.text(f"Invoked in a clean interpreter (python -I -S): init "
             f"{'-' if init is None else f'{init:.1f}'} ms; {matched} of {len(rows)} thesis "
             "scenarios match the library model within 1e-6.")
    figures_table = pd.DataFrame([
        {"figure": "zip_bytes", "value": build["zip_bytes"]},
        {"figure": "init_ms", "value": init},
        {"figure": "median_invoke_ms", "value": float(rows["invoke_ms"].median())
         if len(rows) else None},
        {"figure": "scenarios_matching", "value": matched},
    ])
    sec.table("deployment_figures", figures_table)
    sec.table("deployment_scenarios", rows)
    if len(rows):
        sec.figure("deployment_invoke_latency", core_figures.handler_latency(rows))
    return True


def interval_frame(seeds: dict[str, Any]) -> pd.DataFrame:
    """strategy, figure, mean, ci95_low, ci95_high from a monte_carlo result."""
    rows = []
    for key, low_high in seeds["ci95"].items():
        strategy, figure = key.split(".", 1)
        low, high = low_high or (None, None)
        rows.append({"strategy": strategy, "figure": figure, "mean": seeds["mean"][key],
                     "ci95_low": low, "ci95_high": high})
    return pd.DataFrame(rows).dropna(subset=["mean"])
