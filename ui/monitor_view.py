"""Monitor page pieces: pick the current traffic and a model, set thresholds, show the drift
report (verdict, per-feature statistics, predictions, labels, windows, advice)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.drift import DriftReport, Thresholds, compare, planted_shift, read_upload
from core.drift.figures import feature_chart, probability_chart, window_chart
from core.drift.monitor import left_out
from core.registry import Registry
from ui import state
from ui.common import guarded

UPLOAD_KEY = "monitor_upload"
_VERDICT = {"ok": ("success", ":material/check_circle:"),
            "warn": ("warning", ":material/warning:"),
            "drift": ("error", ":material/trending_up:")}


def registry() -> Registry:
    return Registry(state.get(state.REGISTRY_DIR))


@st.cache_data(show_spinner="Reading the current traffic…", max_entries=4)
def _read(name: str, data: bytes) -> pd.DataFrame:
    return read_upload(name, data)


def current_picker(reference: pd.DataFrame) -> tuple[pd.DataFrame | None, str]:
    """The current traffic: an upload (request table or the function's logs) or a planted
    shift of the reference. Returns (frame or None, description)."""
    source = st.radio("Current traffic", ["Upload a file", "Demo: plant a payload shift"],
                      horizontal=True, key="monitor_source",
                      help="The function's JSON log lines as exported from CloudWatch (gzip "
                      "is fine), or any request table the Data page reads.")
    if source == "Upload a file":
        upload = st.file_uploader("Current requests or function logs (.jsonl, .gz, .csv, "
                                  ".parquet)", key=UPLOAD_KEY)
        if upload is None:
            return None, ""
        frame = guarded(_read, upload.name, upload.getvalue())
        return frame, upload.name
    workloads = sorted(reference["workload_type"].dropna().astype(str).unique()) \
        if "workload_type" in reference.columns else []
    if not workloads or "payload_size_kb" not in reference.columns:
        st.info("The loaded data has no workload_type and payload_size_kb to shift; upload "
                "a current file instead.")
        return None, ""
    a, b = st.columns(2)
    default = workloads.index("heavy_processing") if "heavy_processing" in workloads else 0
    workload = a.selectbox("Workload", workloads, index=default, key="monitor_demo_workload")
    factor = b.number_input("Payload × factor", 0.1, 100.0, 3.0, 0.5, key="monitor_demo_factor")
    return planted_shift(reference, workload, float(factor)), \
        f"reference with {workload} payload × {factor:g}"


def model_picker() -> str | None:
    """A registry version whose features and predictions to compare, or None."""
    try:
        from ui.model_picker import classifiers  # a router has no predictions to compare

        models = classifiers(registry().list())
    except Exception:  # an unreadable registry: monitor the features only
        models = pd.DataFrame()
    if models.empty:
        st.caption("No trained model yet: comparing the request features only. Train one to "
                   "also compare predictions and routing accuracy.")
        return None
    labels = {None: "(features only)"}
    for row in models.itertuples(index=False):
        alias = f" · {row.aliases}" if getattr(row, "aliases", "") else ""
        labels[row.model_id] = f"{row.model_id} ({row.model_type}{alias})"
    ids = list(labels)
    champion = next((i for i in ids[1:] if "champion" in labels[i]), ids[1])
    return st.selectbox("Model", ids, index=ids.index(champion), format_func=labels.get,
                        key="monitor_model",
                        help="Its features are compared, and it predicts both files.")


def thresholds() -> Thresholds:
    with st.expander("Thresholds", expanded=False):
        a, b, c, d = st.columns(4)
        psi = a.number_input("PSI", 0.01, 10.0, 0.25, 0.05, key="monitor_psi",
                             help="Population stability index above which a feature drifted "
                             "(0.1–0.25 is the usual 'moderate' band).")
        ks = b.number_input("KS D", 0.01, 1.0, 0.2, 0.05, key="monitor_ks",
                            help="Kolmogorov–Smirnov distance for numeric features and the "
                            "probability.")
        share = c.number_input("Share change", 0.01, 1.0, 0.10, 0.05, key="monitor_share",
                               help="Change in the share routed to (or optimal on) Lambda.")
        acc = d.number_input("Accuracy drop", 0.01, 1.0, 0.05, 0.01, key="monitor_accuracy",
                             help="Drop in realised routing accuracy (needs measured "
                             "outcomes in the current file).")
        st.caption("A statistic flags drift only when it is above its threshold and the "
                   "difference is significant (p < 0.01); warnings start at half a threshold.")
    return Thresholds(psi=float(psi), ks=float(ks), share=float(share), accuracy=float(acc))


def run(reference: pd.DataFrame, current: pd.DataFrame, model_id: str | None,
        limits: Thresholds) -> DriftReport:
    model = registry().load(model_id) if model_id else None
    return compare(reference, current, model=model, thresholds=limits)


# -- display ---------------------------------------------------------------------------------
def verdict(report: DriftReport, source: str) -> None:
    kind, icon = _VERDICT[report.verdict]
    drifted = sorted({f["feature"] for f in report.features if f["drift"]})
    text = {"ok": "No drift: the current traffic looks like the reference.",
            "warn": "Small changes: worth watching, no action needed yet.",
            "drift": "Drift: " + (", ".join(drifted) if drifted else "predictions or labels")
            + " changed."}[report.verdict]
    getattr(st, kind)(f"**{report.verdict.upper()}** · {text}", icon=icon)
    rows = report.rows
    cols = st.columns(3)
    cols[0].metric("Reference rows compared", f"{rows['reference']:,}",
                   help=left_out(rows, "reference").capitalize() or "Every loaded row.")
    cols[1].metric("Current rows compared", f"{rows['current']:,}",
                   help=" · ".join(t for t in (source, left_out(rows, "current")) if t))
    bad = rows.get("current_bad_requests")
    cols[2].metric("Bad requests in current", "-" if bad is None else f"{bad:,}")


def advice(report: DriftReport) -> None:
    st.subheader("What to do")
    for line in report.advice:
        st.markdown(f"- {line}")


def features(report: DriftReport) -> None:
    st.subheader("Per feature")
    st.plotly_chart(feature_chart(report), key="monitor_features_chart")
    # a statistic over the whole file has no segment: say so instead of "None"
    table = report.feature_table().fillna({"segment": "all rows"})
    st.dataframe(table, hide_index=True,
                 column_config={"value": st.column_config.NumberColumn(format="%.4f"),
                                "p_value": st.column_config.NumberColumn(
                                    "p-value", format="%.1e")})
    segmented = [f for f in report.features if f.get("segments")]
    if segmented:
        with st.expander("Numeric features per workload"):
            rows = [{"feature": f["feature"], "statistic": f["statistic"], **s}
                    for f in segmented for s in f["segments"]]
            st.dataframe(pd.DataFrame(rows), hide_index=True)
    unseen = {f["feature"]: f["unseen"] for f in report.features if f.get("unseen")}
    for name, levels in unseen.items():
        st.warning(f"{name}: values the model never saw — " + ", ".join(
            f"{k} ({v:.0%} of current rows)" for k, v in levels.items()),
            icon=":material/new_releases:")


def predictions(report: DriftReport) -> None:
    pred, labels = report.prediction, report.labels
    if pred is None:
        return
    st.subheader("Predictions")
    share = pred["lambda_share"]
    cols = st.columns(3)
    cols[0].metric("Routed to Lambda (reference)", f"{share['reference']:.1%}")
    cols[1].metric("Routed to Lambda (current)", f"{share['current']:.1%}",
                   delta=f"{share['change'] * 100:+.1f} points", delta_color="off")
    cols[2].metric("Probability KS D", f"{pred['probability']['value']:.3f}",
                   help=f"source: {pred['source']}")
    st.plotly_chart(probability_chart(report), key="monitor_probability_chart")
    if labels:
        s = labels["lambda_optimal_share"]
        text = (f"Measured outcomes: Lambda was optimal for {s['reference']:.1%} of reference "
                f"and {s['current']:.1%} of current requests.")
        acc = labels.get("routing_accuracy")
        if acc:
            text += (f" Realised routing accuracy {acc['reference']:.1%} → "
                     f"{acc['current']:.1%}.")
        st.markdown(text)


def windows(report: DriftReport) -> None:
    fig = window_chart(report)
    if fig is None:
        return
    st.subheader("Over time")
    st.plotly_chart(fig, key="monitor_windows_chart")
    st.caption(next((n for n in report.notes if n.startswith("Windows")), ""))


def notes(report: DriftReport) -> None:
    with st.expander("Notes and raw report"):
        for note in report.notes:
            st.markdown(f"- {note}")
        st.json(report.to_dict(), expanded=False)


def download(report: DriftReport) -> None:
    import json

    st.download_button("Download the drift report (JSON)", json.dumps(report.to_dict(),
                       indent=2), file_name="drift.json", mime="application/json",
                       key="monitor_download", icon=":material/download:")

