"""What an explanation holds, as tidy frames: values per row, importance, segments,
interactions and a plain-words verdict on dominance (the thesis's workload_type trap)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.errors import UserError
from core.explain.values import WORKLOAD, encode
from core.formats import latex_table, plain

#: Importance share above which one feature (or workload_type with its proxies) dominates;
#: the same 40 % as the FEATURE_DOMINANCE finding.
DOMINANCE_SHARE = 0.40
#: Share at which the model is essentially a workload lookup (the thesis's trap).
TRAP_SHARE = 0.80
@dataclass
class Explanation:
    """SHAP values of many rows for one model, per original feature.

    `shap` and `data` share an index: the row's position in the frame that was explained.
    """

    shap: pd.DataFrame
    data: pd.DataFrame
    base_value: float
    margin: np.ndarray
    output: str
    method: str
    model_type: str
    model_id: str | None
    rows_total: int
    seed: int
    additivity_error: float
    notes: list[str] = field(default_factory=list)

    @property
    def features(self) -> list[str]:
        return list(self.shap.columns)

    @property
    def rows_explained(self) -> int:
        return len(self.shap)

    @property
    def sampled(self) -> bool:
        return self.rows_explained < self.rows_total

    def sampling_note(self) -> str:
        """'Sampled N of M rows (seed S)' or 'All M rows explained'."""
        if self.sampled:
            return (f"Sampled {self.rows_explained:,} of {self.rows_total:,} rows "
                    f"(seed {self.seed}) to keep SHAP fast and memory bounded.")
        return f"All {self.rows_total:,} rows explained."

    def frame(self) -> pd.DataFrame:
        """Long frame: row, feature, value (as in the data), shap."""
        parts = [pd.DataFrame({"row": self.shap.index.to_numpy(), "feature": f,
                               "value": self.data[f].astype(object).to_numpy(),
                               "shap": self.shap[f].to_numpy()}) for f in self.features]
        return pd.concat(parts, ignore_index=True)

    def importance(self) -> pd.DataFrame:
        """Global importance: feature, mean_abs_shap, share (of the total), largest first."""
        mean_abs = self.shap.abs().mean()
        total = float(mean_abs.sum())
        out = pd.DataFrame({"feature": mean_abs.index, "mean_abs_shap": mean_abs.to_numpy()})
        out["share"] = out["mean_abs_shap"] / total if total > 0 else 0.0
        return out.sort_values("mean_abs_shap", ascending=False, ignore_index=True)

    def segments(self, by: str = WORKLOAD) -> pd.DataFrame:
        """Per segment of `by` and feature: rows, mean_abs_shap, mean_shap."""
        if by not in self.data.columns:
            raise UserError(f"Cannot split SHAP by {by!r}: the explained data has columns "
                            f"{list(self.data.columns)}. Pick one of those.")
        long = self.shap.abs().assign(_seg=self.data[by].astype("string").fillna("(missing)"))
        signed = self.shap.assign(_seg=long["_seg"])
        mean_abs = long.groupby("_seg").mean().stack().rename("mean_abs_shap")
        mean = signed.groupby("_seg").mean().stack().rename("mean_shap")
        rows = long.groupby("_seg").size().rename("rows")
        out = pd.concat([mean_abs, mean], axis=1).reset_index()
        out.columns = ["segment", "feature", "mean_abs_shap", "mean_shap"]
        return out.merge(rows, left_on="segment", right_index=True)[
            ["segment", "feature", "rows", "mean_abs_shap", "mean_shap"]]

    def interaction_scores(self, feature: str) -> pd.Series:
        """How strongly each other feature explains `feature`'s SHAP spread at similar values.

        Rows are sorted by `feature` and cut into ~10 bins; within each bin, |corr| of the
        feature's SHAP with the other feature's value is summed (shap's approximate
        interactions, model-agnostic and cheap).
        """
        self._check_feature(feature)
        order = np.argsort(encode(self.data[feature]), kind="stable")
        target = self.shap[feature].to_numpy()[order]
        size = max(len(order) // 10, 10)
        scores = {}
        for other in self.features:
            if other == feature:
                continue
            values = encode(self.data[other])[order]
            total = 0.0
            for start in range(0, len(order), size):
                a, b = target[start:start + size], values[start:start + size]
                ok = ~np.isnan(b)
                if ok.sum() > 2 and np.std(a[ok]) > 0 and np.std(b[ok]) > 0:
                    total += abs(float(np.corrcoef(a[ok], b[ok])[0, 1]))
            scores[other] = total
        return pd.Series(scores, dtype=float).sort_values(ascending=False)

    def strongest_interaction(self, feature: str) -> str | None:
        """The feature to colour `feature`'s dependence plot by (None when there is none)."""
        scores = self.interaction_scores(feature)
        return None if scores.empty or scores.iloc[0] <= 0 else str(scores.index[0])

    def proxies(self, of: str = WORKLOAD) -> list[str]:
        """Features fixed within each value of `of` (one payload per workload, ...): they carry
        the same information, so importance moves between them freely."""
        if of not in self.data.columns:
            return []
        out = []
        for f in self.features:
            if f == of or self.data[f].nunique(dropna=False) < 2:
                continue
            per_group = self.data.groupby(self.data[of].astype("string"), dropna=False)[f]
            if int(per_group.nunique(dropna=False).max()) <= 1:
                out.append(f)
        return out

    def dominance(self) -> dict[str, Any]:
        """Whether workload_type (with its proxies) or one feature dominates, in words."""
        imp = self.importance().set_index("feature")["share"]
        if imp.empty or float(self.shap.abs().to_numpy().sum()) == 0:
            return {"dominant": False, "features": [], "share": 0.0,
                    "message": "The model ignores every feature (constant prediction), so "
                               "nothing drives it: compare it with a real model."}
        proxies = self.proxies()
        group = [f for f in [WORKLOAD, *proxies] if f in imp.index]
        share = float(imp[group].sum()) if group else 0.0
        top, top_share = str(imp.index[0]), float(imp.iloc[0])
        if group and share > DOMINANCE_SHARE:
            names = ", ".join(proxies)
            lead = WORKLOAD if WORKLOAD in imp.index else f"{WORKLOAD} (through {names})"
            carriers = f"{WORKLOAD} and its proxies ({names}: one value per workload) carry" \
                if proxies else f"{WORKLOAD} carries"
            verdict = (" The model mostly looks up the workload instead of learning from "
                       "payload, time and load: the thesis's 100 %-accuracy trap. Check the "
                       "Variance & leakage page.") if share >= TRAP_SHARE else (
                f" The other features still carry {1 - share:.1%}.")
            return {"dominant": True, "features": group, "share": share,
                    "message": f"{lead} dominates: {carriers} {share:.1%} of the model's "
                               f"mean |SHAP|.{verdict}"}
        if top_share > DOMINANCE_SHARE:
            return {"dominant": True, "features": [top], "share": top_share,
                    "message": f"{top} dominates: {top_share:.1%} of the model's mean |SHAP|."}
        return {"dominant": False, "features": [top], "share": top_share,
                "message": f"No single feature dominates: the largest, {top}, carries "
                           f"{top_share:.1%} of the mean |SHAP|."}

    #: What `plot` draws: global importance, the beeswarm, one feature's dependence
    #: (`feature=`, `color_by=`) and the per-segment importance (`by=`).
    PLOTS = ("importance", "beeswarm", "dependence", "segments")

    def plot(self, kind: str = "importance", *, title: str | None = None,
             feature: str | None = None, color_by: str | None = None, by: str = WORKLOAD,
             seed: int = 0) -> Any:
        """A plotly figure of this explanation, one of PLOTS."""
        from core import figures
        from core.explain import figures as shap_figures

        figures.check_kind(kind, self.PLOTS, "Explanation")
        if kind == "importance":
            return figures.shap_importance(self.importance(),
                                           title or "Importance (mean |SHAP|)",
                                           self.output)
        if kind == "beeswarm":
            return shap_figures.beeswarm(self, seed=seed)
        if kind == "dependence":
            return shap_figures.dependence(self, feature or self.features[0], color_by)
        return shap_figures.segments(self, by=by)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: the CLI's document with NaN and numpy values made plain."""
        return plain(self.to_json())

    def to_latex(self) -> str:
        """Global importance as a booktabs table (feature, mean |SHAP|, share)."""
        return latex_table(self.importance(), number_format="{:.4g}")

    def to_json(self) -> dict[str, Any]:
        """The CLI's document: provenance, sampling, additivity and global importance."""
        return {
            "model_id": self.model_id,
            "model_type": self.model_type,
            "method": self.method,
            "output": self.output,
            "rows_total": self.rows_total,
            "rows_explained": self.rows_explained,
            "sampled": self.sampled,
            "seed": self.seed,
            "base_value": self.base_value,
            "additivity_error": self.additivity_error,
            "importance": self.importance().to_dict(orient="records"),
            "dominance": self.dominance(),
            "notes": list(self.notes),
        }

    def _check_feature(self, feature: str) -> None:
        if feature not in self.shap.columns:
            raise UserError(f"Feature {feature!r} is not one the model uses; choose one of "
                            f"{self.features}.")


@dataclass
class RequestExplanation:
    """One request's SHAP contributions and the model's own prediction for it."""

    request: dict[str, Any]
    contributions: pd.DataFrame     # feature, value, shap (largest |shap| first)
    base_value: float
    output_value: float             # base + sum of SHAP
    margin: float                   # the model's own output (same space)
    output: str
    probability: float              # pipeline.predict_proba(...)[0, class 1]
    explained_probability: float    # output_value mapped to a probability
    model_type: str
    model_id: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def platform(self) -> str:
        return "lambda" if self.probability >= 0.5 else "ecs"

    @property
    def additivity_error(self) -> float:
        return abs(self.output_value - self.margin)

    def plot(self, kind: str = "waterfall", title: str | None = None) -> Any:
        """A plotly figure: "waterfall" (how each feature moves this request's output)."""
        from core import figures
        from core.explain import figures as shap_figures

        figures.check_kind(kind, ("waterfall",), "RequestExplanation")
        return shap_figures.waterfall(self, title)

    def waterfall(self) -> pd.DataFrame:
        """Steps from the base value to the model output: label, kind, shap, start, end."""
        rows = [{"label": "base value", "kind": "base", "shap": self.base_value,
                 "start": 0.0, "end": self.base_value}]
        level = self.base_value
        for rec in self.contributions.itertuples(index=False):
            rows.append({"label": f"{rec.feature} = {rec.value}", "kind": "feature",
                         "shap": float(rec.shap), "start": level, "end": level + rec.shap})
            level += float(rec.shap)
        rows.append({"label": f"model output ({self.output})", "kind": "total",
                     "shap": level, "start": 0.0, "end": level})
        return pd.DataFrame(rows)

    def to_json(self) -> dict[str, Any]:
        return {
            "request": {k: (None if pd.isna(v) else v) if np.ndim(v) == 0 else v
                        for k, v in self.request.items()},
            "platform": self.platform,
            "lambda_probability": self.probability,
            "explained_probability": self.explained_probability,
            "output": self.output,
            "base_value": self.base_value,
            "output_value": self.output_value,
            "additivity_error": self.additivity_error,
            "contributions": [
                {"feature": r.feature, "value": None if pd.isna(r.value) else r.value,
                 "shap": float(r.shap)} for r in self.contributions.itertuples(index=False)],
            "notes": list(self.notes),
        }
