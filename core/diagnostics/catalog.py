"""Every diagnostics check as one declarative object, in one list.

Why: a check's code, title, how its severity is decided, what to do about it, what it needs
(two label classes, features, outcome columns, a workload column, the quick model) and
whether it is slow used to live in three places (call sites, a CODES table, an ADVICE
table). Here they are one row each; `diagnose` walks the list in order, records "not
applicable" with the reason when a need is missing, and skips codes the caller ignores.
The list order is the order checks run and are reported in: data integrity first (ids,
leaks, duplicates), then the label, then the model-based checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from core.diagnostics import checks, models
from core.diagnostics.ceiling import cell_key
from core.diagnostics.prepare import Prepared
from core.diagnostics.result import Finding

#: What a check may need; `Context.missing` says why a need is not met.
NEEDS = ("two_classes", "features", "outcomes", "group", "payload", "model")


class Context:
    """What checks read: the prepared rows, the feature cells and the quick model (built
    once, on first use, so a diagnosis without model checks never fits one)."""

    def __init__(self, prep: Prepared, *, fast: bool) -> None:
        self.prep = prep
        self.fast = fast

    @cached_property
    def cell(self) -> np.ndarray:
        """One code per distinct combination of binned feature values."""
        return cell_key([self.prep.bins[c] for c in self.prep.features], self.prep.n)

    @cached_property
    def model(self) -> dict:
        """The quick cross-validated model (raises checks.NotApplicable when it can not run)."""
        return models.quick_model(self.prep, self.cell, fast=self.fast)

    def missing(self, need: str) -> str | None:
        """Why `need` is not met here, or None."""
        prep = self.prep
        if need == "two_classes" and prep.y.min() == prep.y.max():
            return "the label has one class only"
        if need == "features" and not prep.features:
            return "no candidate features"
        if need == "outcomes" and not prep.outcomes:
            return ("no outcome columns (latency, cost, …) in the data, so leakage from "
                    "measured outcomes can not be checked")
        if need == "group" and prep.group is None:
            return "no workload column"
        if need == "payload" and prep.payload is None:
            return "no payload-size column"
        if need == "model":
            try:
                self.model  # noqa: B018 - built here so its reason is reported once
            except checks.NotApplicable as exc:
                return str(exc)
        return None


@dataclass(frozen=True)
class Check:
    """One diagnostics check."""

    code: str
    title: str
    #: how the severity is decided, in one sentence (shown in `checks --json` and docs)
    severity: str
    #: what to do when it fires
    advice: str
    run: Callable[[Context], Finding | None]
    needs: tuple[str, ...] = ()
    slow: bool = False
    #: with default features, the columns it reports leave the feature set
    removes_features: bool = False

    def to_dict(self) -> dict:
        """Plain description (no function)."""
        return {"code": self.code, "title": self.title, "severity": self.severity,
                "advice": self.advice, "needs": list(self.needs), "slow": self.slow}


CHECKS: tuple[Check, ...] = (
    Check("ID_COLUMN", "Column unique per row",
          "fail when the column's order predicts the label (neighbouring rows agree beyond "
          f"chance with kappa >= {checks.ORDER_KAPPA}); warn when it is a chosen feature; "
          "info otherwise",
          "A value unique per row lets a model memorise rows, and one whose order predicts "
          "the label means the rows are sorted by label: keep identifiers out of the features "
          "and shuffle before any ordered split.",
          lambda ctx: checks.id_column(ctx.prep)),
    Check("OUTCOME_LEAKAGE", "Outcome column (measured after routing) among the candidates",
          f"fail when a chosen feature is an outcome, or (default features) an outcome alone "
          f"reaches AUC >= {checks.LEAK_AUC}; warn when it gives the label away or is derived "
          "from an outcome; info otherwise",
          "Outcomes are measured after routing and are unknown when a request arrives. Keep "
          "them out of the features (the Variance page can drop them for the Train page).",
          lambda ctx: checks.outcome_leakage(ctx.prep), needs=("outcomes",),
          removes_features=True),
    Check("CONFLICTING_DUPLICATES", "Exact records with different labels; duplicate rows",
          f"fail when at least {checks.CONFLICT_FAIL:.0%} of rows are exact records (every "
          "column) carrying both labels; warn on fewer, or on exact copies with one label",
          "The same request labelled both ways is a data integrity problem: find where the "
          "rows were joined or labelled twice. Exact copies usually mean a file was loaded "
          "twice.",
          lambda ctx: checks.conflicting_duplicates(ctx.prep), needs=("two_classes",)),
    Check("CLASS_IMBALANCE", "Minority label under 10 %",
          f"fail with one class only; warn when the minority is under "
          f"{checks.IMBALANCE_SHARE:.0%}",
          "Judge models by F1 or ROC AUC, not accuracy, and use a stratified split; or "
          "collect more requests where the minority platform wins.",
          lambda ctx: checks.class_imbalance(ctx.prep)),
    Check("DETERMINISTIC_LABEL", "Label fixed within the levels of one column",
          "fail when one feature alone predicts the label (almost) perfectly; warn when some "
          f"workloads (>= {checks.MIN_GROUP_ROWS} rows) have a near-fixed label",
          "A model will learn a lookup table, not a decision. Collect data where the label "
          "varies within each level (different payload sizes, time windows, load patterns), "
          "or check that the labelling rule is not a function of this column.",
          lambda ctx: checks.deterministic_label(ctx.prep), needs=("two_classes", "features")),
    Check("CONSTANT_WITHIN_GROUP", "Feature never varies inside a workload",
          "warn when a feature takes one value inside every workload",
          "The feature only repeats the workload type. Vary it inside each workload when "
          "collecting data (e.g. 4-5 payload sizes per workload), or drop it.",
          lambda ctx: checks.constant_within_group(ctx.prep), needs=("group",)),
    Check("TOO_FEW_LEVELS", "Fewer than 4 payload sizes in a workload",
          f"warn when a workload has fewer than {checks.MIN_PAYLOAD_LEVELS} payload sizes",
          "A model can not learn how payload size moves the decision from so few sizes. Test "
          "at least 4-5 payload sizes per workload.",
          lambda ctx: checks.too_few_levels(ctx.prep), needs=("group", "payload")),
    Check("LABEL_NOISE", "Same features, different label (ordinary noise)",
          "info: rows that share every feature value but not the label cap any model's "
          "accuracy (see the accuracy ceiling)",
          "Nothing is broken: these requests look alike to the model. Add a feature that tells "
          "them apart if one exists, and read the accuracy ceiling before judging models.",
          lambda ctx: checks.label_noise(ctx.prep, ctx.cell),
          needs=("two_classes", "features")),
    Check("GOLDEN_FEATURE", "One feature alone gives the whole model's lift",
          f"warn when one feature alone reaches >= {models.GOLDEN_SHARE:.0%} of the quick "
          "model's lift over the majority baseline",
          "The other features add nothing beyond this one. Check it is not a proxy of the "
          "label, and collect data where the other features matter.",
          lambda ctx: models.golden_feature(ctx.prep, ctx.model),
          needs=("two_classes", "features", "model"), slow=True),
    Check("FEATURE_DOMINANCE", "One feature holds most of the importance",
          f"warn when one feature holds more than {models.DOMINANCE_SHARE:.0%} of the quick "
          "model's permutation importance (compared unrounded; shown to one decimal)",
          "The model leans on one feature. Check that feature for leakage and that the other "
          "features vary enough to matter (the thesis target: top feature under 30 %).",
          lambda ctx: models.feature_dominance(ctx.prep, ctx.model),
          needs=("two_classes", "features", "model"), slow=True),
)
CODES: dict[str, str] = {c.code: c.title for c in CHECKS}
ADVICE: dict[str, str] = {c.code: c.advice for c in CHECKS}
BY_CODE: dict[str, Check] = {c.code: c for c in CHECKS}
