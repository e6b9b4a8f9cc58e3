"""Compare current traffic with the reference a model was trained on: what changed, how much,
and what to do about it.

Numeric features are compared within each workload (the `segment` column) when it is a
feature: a change in the workload mix is reported once, on workload_type, and does not
also show up as a payload "drift" that is only the mix; a payload change inside one
workload (the typical silent break) is found even when that workload is a small share.
A test flags drift only when the effect is above its threshold *and* the difference is
significant (p < alpha), so small samples do not raise false alarms.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.drift import stats as st
from core.errors import UserError
from core.features import TIME_FEATURE, hour_of_day
from core.formats import plain
from core.schema import CATEGORICAL_FEATURES, DEFAULT_FEATURES, LABEL

SEGMENT = "workload_type"
#: Rows a segment needs on both sides before it is tested on its own.
MIN_SEGMENT_ROWS = 30
#: The same within one time window (a chart point, not a verdict).
WINDOW_SEGMENT_ROWS = 10
MAX_WINDOWS = 24
PROBABILITY = "lambda_probability"
HIST_BINS = 20
#: Features left out of the per-window series: each window holds one time of day.
TIME_DERIVED = ("time_window", TIME_FEATURE)


@dataclass
class Thresholds:
    """When a statistic counts as drift (a user setting). Warn from `warn_fraction` of it."""

    psi: float = 0.25
    ks: float = 0.2
    share: float = 0.10
    accuracy: float = 0.05
    alpha: float = 0.01
    warn_fraction: float = 0.5

    def check(self) -> Thresholds:
        for name in ("psi", "ks", "share", "accuracy"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise UserError(f"threshold {name} = {value!r}; use a positive number "
                                "(defaults: psi 0.25, ks 0.2, share 0.1, accuracy 0.05).")
        if not 0 < self.alpha < 1:
            raise UserError(f"alpha = {self.alpha!r}; use a number between 0 and 1.")
        return self


@dataclass
class DriftReport:
    """The drift document (`core drift --json`) plus the frames the page draws."""

    verdict: str
    features: list[dict[str, Any]]
    prediction: dict[str, Any] | None
    labels: dict[str, Any] | None
    windows: list[dict[str, Any]]
    advice: list[str]
    rows: dict[str, int]
    thresholds: dict[str, float]
    notes: list[str] = field(default_factory=list)
    model_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return plain(asdict(self), digits=6)

    def feature_table(self) -> pd.DataFrame:
        """One row per (feature, statistic) for display."""
        cols = ["feature", "statistic", "value", "threshold", "drift", "severity", "segment",
                "p_value"]
        return pd.DataFrame([{c: f.get(c) for c in cols} for f in self.features], columns=cols)

    def window_table(self) -> pd.DataFrame:
        """Long table: window start, measure, value (for a line chart per measure)."""
        rows = [{"window": w["window"], "measure": k, "value": v}
                for w in self.windows for k, v in w["values"].items()]
        return pd.DataFrame(rows, columns=["window", "measure", "value"])


def left_out(rows: dict[str, int], side: str) -> str:
    """What the comparison left out of one side ("reference" or "current"), in words: the
    rows a report counts differ from the rows loaded by exactly these."""
    parts = []
    if bad := rows.get(f"{side}_bad_requests"):
        parts.append(f"{bad:,} bad request{'s' * (bad != 1)} (HTTP >= 400)")
    if errors := rows.get(f"{side}_error_rows"):
        parts.append(f"{errors:,} error row{'s' * (errors != 1)}")
    return " and ".join(parts) + " left out" if parts else ""


# -- inputs ----------------------------------------------------------------------------------
def _is_categorical(frame: pd.DataFrame, column: str) -> bool:
    if column == TIME_FEATURE:
        return False
    if column in CATEGORICAL_FEATURES:
        return True
    dtype = frame[column].dtype
    return not (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype))


def _routed(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Rows that were requests the model saw: not bad requests (400) or client errors."""
    counts = {"rows": len(frame)}
    keep = pd.Series(True, index=frame.index)
    if "status" in frame.columns:
        bad = pd.to_numeric(frame["status"], errors="coerce").fillna(0) >= 400
        counts["bad_requests"] = int(bad.sum())
        keep &= ~bad
    if "is_error" in frame.columns:
        err = frame["is_error"].fillna(False).astype(bool)
        counts["error_rows"] = int((err & keep).sum())
        keep &= ~err
    if "fallback" in frame.columns:
        counts["fallback"] = int(frame["fallback"].fillna(False).astype(bool).sum())
    return (frame if keep.all() else frame[keep]), counts


def _features(reference: pd.DataFrame, current: pd.DataFrame, features: list[str] | None,
              model_id: str | None) -> list[str]:
    if features is None:
        features = [c for c in DEFAULT_FEATURES if c in reference.columns]
        if not features:
            raise UserError(f"The reference has none of the request features "
                            f"{list(DEFAULT_FEATURES)}; got columns {list(reference.columns)}.")
    whose = f"model {model_id}'s" if model_id else "the"
    for name, frame in (("reference", reference), ("current", current)):
        # core.io adds every canonical column; one with no value at all is still missing.
        missing = [c for c in features if c not in frame.columns or frame[c].isna().all()]
        # A timestamp is optional for the deployed function (it assumes midday): allowed.
        missing = [c for c in missing if c != TIME_FEATURE]
        if missing:
            have = sorted(str(c) for c in frame.columns if frame[c].notna().any())
            raise UserError(f"The {name} data lacks {whose} feature column(s) {missing}; its "
                            f"columns with values are {have}. Give a file with those columns "
                            "(a request table or the function's own logs).")
    return list(features)


def _values(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    if column == TIME_FEATURE:
        return hour_of_day(frame[column])
    return st.as_float(frame[column])


# -- feature tests ---------------------------------------------------------------------------
def _severity(value: float, p: float, th: float, t: Thresholds) -> str:
    if not math.isfinite(value):
        return "ok"
    significant = not math.isfinite(p) or p < t.alpha
    if value > th and significant:
        return "drift"
    if value > th * t.warn_fraction and significant:
        return "warn"
    return "ok"


def _entry(feature: str, test: st.Test, threshold: float, t: Thresholds,
           **extra: Any) -> dict[str, Any]:
    severity = _severity(test.value, test.p_value, threshold, t)
    return {"feature": feature, "statistic": test.statistic, "value": test.value,
            "threshold": threshold, "drift": severity == "drift", "severity": severity,
            "p_value": test.p_value, **extra}


def _categorical(ref: pd.DataFrame, cur: pd.DataFrame, column: str, t: Thresholds
                 ) -> dict[str, Any]:
    test, unseen = st.categorical_psi(ref[column], cur[column])
    entry = _entry(column, test, t.psi, t, unseen=unseen)
    if unseen and entry["severity"] == "ok":
        entry["severity"] = "warn"
    return entry


def _numeric(ref: pd.DataFrame, cur: pd.DataFrame, column: str, segment: str | None,
             t: Thresholds, only: str | None = None, min_rows: int = MIN_SEGMENT_ROWS,
             marginal_fallback: bool = True) -> list[dict[str, Any]]:
    r_all, c_all = _values(ref, column), _values(cur, column)
    label = f"{column} (hour of day)" if column == TIME_FEATURE else column
    tests = {"ks": st.ks, "psi": st.numeric_psi}
    if only:
        tests = {only: tests[only]}
    marginal = {name: fn(r_all, c_all) for name, fn in tests.items()}
    per_segment: list[dict[str, Any]] = []
    if segment is not None:
        r_seg = ref[segment].astype("string").to_numpy(dtype=object, na_value=None)
        c_seg = cur[segment].astype("string").to_numpy(dtype=object, na_value=None)
        for level in pd.unique(r_seg):
            if level is None:
                continue
            r, c = r_all[r_seg == level], c_all[c_seg == level]
            if min(r.size, c.size) < min_rows:
                continue
            per_segment.append({"segment": str(level), "rows_reference": int(r.size),
                                "rows_current": int(c.size),
                                **{name: fn(r, c) for name, fn in tests.items()}})
    out = []
    for name, threshold in (("ks", t.ks), ("psi", t.psi)):
        if name not in tests:
            continue
        info = {"marginal": {"value": marginal[name].value, "p_value": marginal[name].p_value}}
        if per_segment:
            rank = {"drift": 2, "warn": 1, "ok": 0}
            worst = max(per_segment, key=lambda s: (
                rank[_severity(s[name].value, s[name].p_value, threshold, t)],
                np.nan_to_num(s[name].value, nan=-1.0)))
            segments = [{"segment": s["segment"], "rows_reference": s["rows_reference"],
                         "rows_current": s["rows_current"], "value": s[name].value,
                         "p_value": s[name].p_value} for s in per_segment]
            out.append(_entry(label, worst[name], threshold, t, segment=worst["segment"],
                              by=segment, segments=segments, **info))
        elif marginal_fallback or segment is None:
            out.append(_entry(label, marginal[name], threshold, t, segment=None, by=None,
                              **info))
        else:  # no workload large enough here: no value rather than a mix effect
            out.append(_entry(label, st.Test(name, math.nan, math.nan), threshold, t,
                              segment=None, by=segment, **info))
    return out


# -- predictions and labels ------------------------------------------------------------------
def _predict(model: Any, frame: pd.DataFrame) -> np.ndarray:
    return np.asarray(model.pipeline.predict_proba(frame)[:, 1], dtype=float)


def _share_entry(ref: float, cur: float, t: Thresholds) -> dict[str, Any]:
    change = cur - ref
    drift = bool(math.isfinite(change) and abs(change) > t.share)
    return {"reference": ref, "current": cur, "change": change, "threshold": t.share,
            "drift": drift}


def _prediction(model: Any, ref: pd.DataFrame, cur: pd.DataFrame, t: Thresholds,
                notes: list[str]) -> tuple[dict[str, Any] | None, np.ndarray | None,
                                           np.ndarray | None]:
    logged = cur[PROBABILITY] if PROBABILITY in cur.columns else None
    if model is None:
        if logged is not None:
            notes.append("The current file has the function's probabilities, but without "
                         "--model there is no reference to compare them with.")
        return None, None, None
    p_ref = _predict(model, ref)
    source = "model"
    if logged is not None and logged.notna().mean() > 0.5:
        p_cur, source = st.as_float(logged), "logged"
        notes.append("Current predictions are the ones the deployed function logged.")
    else:
        p_cur = _predict(model, cur)
    p_cur_f = p_cur[np.isfinite(p_cur)]
    share = _share_entry(float(np.mean(p_ref >= 0.5)), float(np.mean(p_cur_f >= 0.5))
                         if p_cur_f.size else math.nan, t)
    ks = _entry("lambda_probability", st.ks(p_ref, p_cur), t.ks, t)
    edges = np.linspace(0.0, 1.0, HIST_BINS + 1)
    hist = {"edges": edges.tolist(),
            "reference": (np.histogram(p_ref, edges)[0] / max(p_ref.size, 1)).tolist(),
            "current": (np.histogram(p_cur_f, edges)[0] / max(p_cur_f.size, 1)).tolist()}
    return ({"source": source, "lambda_share": share, "probability": ks, "histogram": hist,
             "drift": bool(share["drift"] or ks["drift"])}, p_ref, p_cur)


def _labels_of(frame: pd.DataFrame) -> np.ndarray | None:
    """The measured label (1 = Lambda was optimal): given, or derived from the outcomes."""
    if LABEL in frame.columns and frame[LABEL].notna().any():
        return st.as_float(frame[LABEL])
    if not {"platform", "workload_type"} <= set(frame.columns) or not (
            {"latency_ms", "execution_time_ms"} & set(frame.columns)):
        return None
    import warnings

    from core import labels

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            labelled = labels.balanced_optimal(frame)
    except (UserError, KeyError, ValueError):
        return None
    values = st.as_float(labelled[LABEL])
    return values if np.isfinite(values).any() else None


def _labels(ref: pd.DataFrame, cur: pd.DataFrame, p_ref: np.ndarray | None,
            p_cur: np.ndarray | None, t: Thresholds) -> dict[str, Any] | None:
    y_ref, y_cur = _labels_of(ref), _labels_of(cur)
    if y_ref is None or y_cur is None:
        return None
    share = _share_entry(float(np.nanmean(y_ref)), float(np.nanmean(y_cur)), t)
    out: dict[str, Any] = {"lambda_optimal_share": share, "drift": share["drift"]}
    if p_ref is not None and p_cur is not None:
        def accuracy(y: np.ndarray, p: np.ndarray) -> float:
            ok = np.isfinite(y) & np.isfinite(p)
            return float(np.mean((p[ok] >= 0.5) == (y[ok] == 1))) if ok.any() else math.nan

        a_ref, a_cur = accuracy(y_ref, p_ref), accuracy(y_cur, p_cur)
        drop = a_ref - a_cur
        out["routing_accuracy"] = {"reference": a_ref, "current": a_cur, "drop": drop,
                                   "threshold": t.accuracy,
                                   "drift": bool(math.isfinite(drop) and drop > t.accuracy)}
        out["drift"] = bool(out["drift"] or out["routing_accuracy"]["drift"])
    return out


# -- time windows ----------------------------------------------------------------------------
_FREQS = ("1min", "5min", "15min", "30min", "1h", "3h", "6h", "12h", "1D", "7D")


def _window_keys(cur: pd.DataFrame) -> tuple[pd.Series, str]:
    for col in ("routed_at", TIME_FEATURE):
        if col not in cur.columns:
            continue
        ts = cur[col]
        if not pd.api.types.is_datetime64_any_dtype(ts):
            ts = pd.to_datetime(ts, utc=True, errors="coerce", format="ISO8601")
        if ts.notna().mean() < 0.9:
            continue
        span = ts.max() - ts.min()
        freq = next((f for f in _FREQS if span / pd.Timedelta(f) <= MAX_WINDOWS), _FREQS[-1])
        # Format the few distinct window starts, not a million timestamps.
        codes, starts = pd.factorize(ts.dt.floor(freq), sort=True)
        labels = np.asarray(pd.DatetimeIndex(starts).strftime("%Y-%m-%d %H:%M"), dtype=object)
        keys = np.where(codes >= 0, labels[np.maximum(codes, 0)], None)
        return pd.Series(keys, index=cur.index), f"time ({freq})"
    n = max(1, min(10, len(cur) // 100))
    chunk = np.arange(len(cur)) * n // max(len(cur), 1)
    return pd.Series([f"rows {i + 1}/{n}" for i in chunk], index=cur.index), "row order"


def _one_level_per_window(values: pd.Series, codes: np.ndarray) -> bool:
    """True when a categorical column has several levels but one per window."""
    frame = pd.DataFrame({"window": codes, "value": values.to_numpy()}).dropna()
    frame = frame[frame["window"] >= 0]
    return (frame["value"].nunique() > 1
            and bool((frame.groupby("window")["value"].nunique() <= 1).all()))


def _windows(ref: pd.DataFrame, cur: pd.DataFrame, features: list[str],
             categorical: dict[str, bool], seg: str | None, p_cur: np.ndarray | None,
             t: Thresholds) -> tuple[list[dict[str, Any]], str, list[str]]:
    """Per window of the current data: the same statistics as the whole-file test; also
    the features left out of the windows because they have one value per window."""
    keys, kind = _window_keys(cur)
    codes, uniques = pd.factorize(keys, sort=True)
    out = []
    # A feature that is a function of the clock differs per window by construction; so does
    # one with a single value in every window (a load test's pattern is one per run): a
    # window then holds one level and its PSI against the whole mix says "schedule", not drift.
    scheduled = [f for f in features if f not in TIME_DERIVED and categorical[f]
                 and _one_level_per_window(cur[f], codes)]
    features = [f for f in features if f not in TIME_DERIVED and f not in scheduled]
    for i, key in enumerate(uniques):
        mask = codes == i
        part = cur[mask]
        values: dict[str, float] = {}
        for f in features:
            if categorical[f]:
                values[f"{f} psi"] = st.categorical_psi(ref[f], part[f])[0].value
            else:
                by = seg if f not in (seg, TIME_FEATURE) else None
                ks = _numeric(ref, part, f, by, t, only="ks", min_rows=WINDOW_SEGMENT_ROWS,
                              marginal_fallback=False)[0]
                values[f"{ks['feature']} ks"] = ks["value"]
        if p_cur is not None:
            p = p_cur[mask]
            p = p[np.isfinite(p)]
            values["lambda share"] = float(np.mean(p >= 0.5)) if p.size else math.nan
        out.append({"window": str(key), "rows": int(mask.sum()), "values": values})
    return out, kind, scheduled


# -- advice ----------------------------------------------------------------------------------
def _advice(features: list[dict[str, Any]], prediction: dict[str, Any] | None,
            labels: dict[str, Any] | None) -> list[str]:
    advice = []
    drifted = [f for f in features if f["drift"]]
    unseen = {f["feature"]: f["unseen"] for f in features if f.get("unseen")}
    if unseen:
        parts = "; ".join(f"{k}: {', '.join(list(v)[:4])}" for k, v in unseen.items())
        advice.append(f"The model never saw these values ({parts}). It treats an unseen level "
                      "as none of the known ones: collect labelled load tests for them and "
                      "retrain.")
    if drifted:
        names = sorted({f["feature"] + (f" in {f['segment']}" if f.get("segment") else "")
                        for f in drifted})
        advice.append(f"Retrain on recent traffic: {', '.join(names)} changed. Train a "
                      "challenger on data that includes the current requests, compare it with "
                      "the champion, then promote it.")
    if labels and labels["lambda_optimal_share"]["drift"]:
        s = labels["lambda_optimal_share"]
        advice.append(f"Relabel and check the cost profile: the share of requests where Lambda "
                      f"is optimal moved from {s['reference']:.0%} to {s['current']:.0%}. "
                      "Prices, memory sizes or task sizes may have changed rather than the "
                      "traffic.")
    if labels and labels.get("routing_accuracy", {}).get("drift"):
        a = labels["routing_accuracy"]
        advice.append(f"Routing accuracy fell from {a['reference']:.1%} to {a['current']:.1%}: "
                      "retrain on labelled recent data.")
    if prediction and prediction["drift"] and not drifted:
        advice.append("Predictions moved although the inputs did not: check that the deployed "
                      "version is the model you compared against (--model).")
    if not advice and any(f["severity"] == "warn" for f in features):
        advice.append("Small changes only: keep monitoring; no action needed yet.")
    if not advice:
        advice.append("No action: the current traffic looks like the reference.")
    return advice


# -- entry point -----------------------------------------------------------------------------
def compare(reference: pd.DataFrame, current: pd.DataFrame, *,
            features: list[str] | None = None, model: Any = None,
            thresholds: Thresholds | None = None, segment: str | None = SEGMENT
            ) -> DriftReport:
    """Drift of `current` against `reference`: per feature, predictions, labels, windows.

    `model` is a core.registry.LoadedModel (its features are compared and it predicts both
    sides); without one, the default request features present in the reference are used.
    """
    t = (thresholds or Thresholds()).check()
    if reference is None or len(reference) == 0:
        raise UserError("The reference data has no rows; give the table the model was "
                        "trained on.")
    if current is None or len(current) == 0:
        raise UserError("The current data has no rows; give a request table or the "
                        "function's exported logs.")
    model_id = getattr(model, "model_id", None)
    if model is not None and features is None:
        features = list(model.metadata.get("features") or [])
    notes: list[str] = []
    ref, ref_counts = _routed(reference)
    cur, cur_counts = _routed(current)
    features = _features(ref, cur, features, model_id)
    if len(ref) == 0 or len(cur) == 0:
        raise UserError("No routed requests left after dropping bad requests and error rows; "
                        "nothing to compare.")
    categorical = {f: _is_categorical(ref, f) for f in features}
    seg = segment if segment in features and categorical.get(segment) else None
    if seg is None and segment and segment in ref.columns and segment in cur.columns:
        seg = segment  # not a model feature, but still the natural way to compare payloads
    entries: list[dict[str, Any]] = []
    for f in features:
        if categorical[f]:
            entries.append(_categorical(ref, cur, f, t))
        else:
            # Time of day does not depend on the workload: compared over all requests.
            entries += _numeric(ref, cur, f, seg if f not in (seg, TIME_FEATURE) else None, t)
    if seg:
        notes.append(f"Numeric features are compared within each {seg} (the worst one is "
                     f"shown); a change in the {seg} mix is reported on {seg} itself.")
    prediction, p_ref, p_cur = _prediction(model, ref, cur, t, notes)
    labels = _labels(ref, cur, p_ref, p_cur, t)
    windows, kind, scheduled = _windows(ref, cur, features, categorical, seg, p_cur, t)
    notes.append(f"Windows of the current data by {kind}." + (
        f" {' and '.join(scheduled)} {'has' if len(scheduled) == 1 else 'have'} one value "
        "per window (the test's schedule), so each window would differ from the whole mix "
        "by construction: compared on the whole file only." if scheduled else ""))
    drift = (any(e["drift"] for e in entries) or bool(prediction and prediction["drift"])
             or bool(labels and labels["drift"]))
    warn = any(e["severity"] != "ok" for e in entries)
    verdict = "drift" if drift else "warn" if warn else "ok"
    rows = {"reference": len(ref), "current": len(cur),
            **{f"reference_{k}": v for k, v in ref_counts.items() if k != "rows"},
            **{f"current_{k}": v for k, v in cur_counts.items() if k != "rows"}}
    return DriftReport(verdict=verdict, features=entries, prediction=prediction,
                       labels=labels, windows=windows, advice=_advice(entries, prediction,
                                                                      labels),
                       rows=rows, thresholds=asdict(t), notes=notes, model_id=model_id)
