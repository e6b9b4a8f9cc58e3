"""Sections of the Variance & leakage page. Every number comes from one cached
`core.diagnostics.diagnose` call; this module only lays it out."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.diagnostics import CODES, Diagnosis, diagnose
from core.diagnostics.catalog import BY_CODE
from core.figures import workload_order
from ui import state
from ui.data_view import features_caption

ICONS = {"fail": ":material/dangerous:", "warn": ":material/warning:",
         "info": ":material/info:"}
DROPPED_NOTE = "variance_dropped_note"
IGNORE_KEY = "variance_ignore"
STATUS_TEXT = {"issue": "issue", "tip": "note", "passed": "passed",
               "not_applicable": "not applicable", "ignored": "ignored"}


@st.cache_data(show_spinner="Checking label variance and leakage…", max_entries=8)
def cached_diagnosis(frame: pd.DataFrame, features: tuple[str, ...] | None, label: str,
                     outcomes: tuple[str, ...], ids: tuple[str, ...],
                     ignore: tuple[str, ...] = ()) -> Diagnosis:
    """One diagnosis per (dataset, feature set, roles, ignored checks); reruns reuse it."""
    return diagnose(frame, label=label, features=list(features) if features else None,
                    outcomes=list(outcomes), ids=list(ids), ignore=list(ignore))


def run_diagnosis(frame: pd.DataFrame) -> Diagnosis:
    """Diagnose with the session's roles and the feature set the Train page will use."""
    roles = state.get(state.ROLES)
    features = state.get(state.FEATURES)
    return cached_diagnosis(frame, tuple(features) if features else None,
                            roles.label if roles else "label",
                            tuple(roles.outcomes) if roles else (),
                            tuple(roles.ids) if roles else (),
                            tuple(st.session_state.get(IGNORE_KEY) or ()))


def banner(d: Diagnosis) -> None:
    """Verdict and headline in an error, warning or success box."""
    text = f"**Verdict: {d.verdict.upper()}.** {d.headline[:1].upper()}{d.headline[1:]}"
    if d.verdict == "fail":
        st.error(text, icon=ICONS["fail"])
    elif d.verdict == "warn":
        st.warning(text, icon=ICONS["warn"])
    else:
        st.success(text, icon=":material/check_circle:")


def key_figures(d: Diagnosis) -> None:
    """Rows used and excluded, workloads in the band, ceiling against the baseline."""
    rows, shares, c = d.meta["rows"], d.label_shares, d.ceiling
    a, b, e, f = st.columns(4)
    a.metric("Labelled rows", f"{rows['labelled']:,}",
             help=f"{rows['unlabelled_excluded']:,} rows without a label (error responses) "
                  "are excluded from the label checks.")
    b.metric("Rows excluded (no label)", f"{rows['unlabelled_excluded']:,}")
    e.metric("Workloads in the 20–80 % band",
             f"{int(shares['in_band'].sum())} of {len(shares)}" if len(shares) else "n/a")
    if c.get("status") == "ok":
        f.metric("Accuracy ceiling (CV)", f"{c['cv_ceiling']:.1%}",
                 delta=f"{100 * (c['cv_ceiling'] - c['baseline']):+.1f} pp vs baseline",
                 help="Best accuracy any model can reach from the chosen features.")
    else:
        f.metric("Accuracy ceiling", "n/a", help=c.get("reason", ""))


def findings(d: Diagnosis) -> None:
    """One expander per finding (worst first) with message, advice and evidence."""
    st.subheader("Findings")
    order = {"fail": 0, "warn": 1, "info": 2}
    items = sorted(d.findings, key=lambda f: order[f.severity])
    if not items:
        st.success("No findings: every check passed or did not apply.",
                   icon=":material/check_circle:")
    for f in items:
        title = f"{f.severity.upper()} · {f.code} — {', '.join(f.columns)}"
        with st.expander(title, expanded=f.severity == "fail", icon=ICONS[f.severity]):
            st.markdown(f.message)
            st.markdown(f"**What to do:** {f.advice}")
            evidence(f.evidence)
    drop_button(d)


def _round(value: Any) -> Any:
    """Floats to 4 significant digits; nested mappings as one short line."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return float(f"{value:.4g}")
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_round(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(_round(v)) for v in value)
    return value


def evidence_tables(evidence: dict[str, Any]) -> tuple[dict[str, Any], list[pd.DataFrame]]:
    """A finding's evidence as facts (scalars) and tables, so nobody reads nested JSON.

    Mappings of plain values keyed alike (e.g. per feature: lift_share, single_accuracy)
    merge into one table; a mapping of mappings (per column: auc, in_features, ...) is a table
    of its own. The first column holds the keys."""
    facts = {k: _round(v) for k, v in evidence.items() if not isinstance(v, dict | list)}
    flat: dict[str, dict] = {}
    tables = []
    for name, value in evidence.items():
        if isinstance(value, list):
            facts[name] = _round(value)
        elif isinstance(value, dict) and value and all(isinstance(v, dict)
                                                       for v in value.values()):
            table = pd.DataFrame.from_dict(value, orient="index").map(_round)
            tables.append(table.rename_axis(name.replace("_", " ")).reset_index())
        elif isinstance(value, dict):
            flat[name] = value
    groups: dict[tuple, dict[str, dict]] = {}
    for name, value in flat.items():
        groups.setdefault(tuple(sorted(map(str, value))), {})[name] = value
    for group in groups.values():
        table = pd.DataFrame({n: {str(k): _round(v) for k, v in m.items()}
                              for n, m in group.items()})
        tables.append(table.rename_axis("").reset_index())
    return facts, tables


def _fact(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def evidence(data: dict[str, Any]) -> None:
    """Evidence as readable tables, with the raw JSON one tab away."""
    facts, tables = evidence_tables(data)
    table_tab, json_tab = st.tabs(["Evidence", "JSON"])
    with table_tab:
        if facts:
            st.caption(" · ".join(f"{k.replace('_', ' ')}: {_fact(v)}"
                                  for k, v in facts.items()))
        for table in tables:
            st.dataframe(table, hide_index=True, width="stretch")
    with json_tab:
        st.json(data, expanded=2)


def drop_button(d: Diagnosis) -> None:
    """Write the feature set without leaked and id columns for the Train page."""
    owner, note = state.get(DROPPED_NOTE) or (None, "")
    if note and owner == id(state.get(state.DATASET)):  # not a note about an older dataset
        st.success(note, icon=":material/check:")
    if st.button("Drop leaked columns from the feature set", key="variance_drop",
                 help="The Train page then uses the features listed below."):
        leaked = d.leaked_columns()
        clean = d.clean_features()
        dropped = [c for c in leaked if c in d.meta["candidates"]]
        state.put(state.FEATURES, clean)
        state.put(DROPPED_NOTE, (id(state.get(state.DATASET)), (
            f"Dropped {', '.join(dropped)}. " if dropped else "Nothing leaked to drop. ")
            + f"The Train page will use: {', '.join(clean) or '(none)'}."))
        st.rerun()
    current = state.get(state.FEATURES)
    st.caption(features_caption(d.meta["features"], "Checked here, as a model will see them,")
               + ("" if current else " (the default: every pre-routing column)"))


def shares_and_ceiling(d: Diagnosis) -> None:
    """Per-workload share bars with the band, beside the accuracy ceiling."""
    left, right = st.columns(2, gap="large")
    with left:
        if len(d.label_shares):
            st.plotly_chart(d.plot("label_shares"), width="stretch")
            st.caption("Share of each workload's labelled requests on which Lambda is the "
                       "better platform; inside the 20–80 % band the label really varies.")
        else:
            st.info("No workload column: per-workload shares are not available.")
    with right:
        c = d.ceiling
        if c.get("status") == "ok":
            st.plotly_chart(d.plot("ceiling"), width="stretch")
            st.caption(f"Each of {c['cells']:,} cells of identical feature values predicts its "
                       f"majority label; {c['rows_in_small_cells']:.0%} of rows sit in cells "
                       f"with fewer than 5 rows. {c['note']}")
        else:
            st.info(f"Accuracy ceiling not available: {c.get('reason', '')}.")


def heatmaps(d: Diagnosis) -> None:
    """One tab per heatmap: label share by workload x payload size, time window, load."""
    st.subheader("Where the label varies")
    if not d.share_grids:
        st.info("Needs a workload column and at least one of payload size, time window or "
                "load pattern.")
        return
    tabs = st.tabs([f"× {c}" for c in d.share_grids])
    for tab, column in zip(tabs, d.share_grids, strict=True):
        with tab:
            st.plotly_chart(d.plot("share_grid", column=column), width="stretch")


def information(d: Diagnosis) -> None:
    """Mutual information / conditional entropy bars per feature."""
    st.subheader("Information per feature")
    if d.information.empty:
        st.info("No features to measure.")
        return
    st.plotly_chart(d.plot("information"), width="stretch")
    st.caption("A bar near 100 % means the label is (almost) a function of that feature "
               "alone: conditional entropy H(label | feature) near 0.")


def sensitivity(d: Diagnosis) -> None:
    """Shares per workload for each latency field and margin: chart and table."""
    st.subheader("Label sensitivity")
    s = d.sensitivity
    if s["status"] != "ok":
        st.info(f"Not applicable: {s['reason']}.")
        return
    table = pd.DataFrame(s["table"])
    st.plotly_chart(d.plot("sensitivity"), width="stretch")
    workloads = workload_order(table["workload"])
    wide = table.pivot_table(index=["latency_field", "margin"], columns="workload",
                             values="lambda_optimal_share").reset_index()
    summary = pd.DataFrame(s["summary"])
    wide = wide.merge(summary, on=["latency_field", "margin"])
    wide = wide[["latency_field", "margin", *workloads,
                 *[c for c in wide.columns if c not in {"latency_field", "margin", *workloads}]]]
    percent = ["margin", *workloads]
    wide[percent] = wide[percent] * 100
    st.dataframe(wide, hide_index=True, width="stretch", column_config={
        c: st.column_config.NumberColumn(c, format="%.0f %%") for c in percent})
    st.caption("Shares when the rows are relabelled with balanced_optimal for each latency "
               "field and margin; `in_band` counts workloads inside 20–80 %.")
    costs = pd.DataFrame(s.get("costs_table") or [])
    if not costs.empty:
        wide = costs.pivot_table(index=["costs", "view", "task_scale"], columns="workload",
                                 values="lambda_optimal_share").reset_index()
        order = [w for w in workloads if w in wide.columns]
        wide[order] = wide[order] * 100
        st.dataframe(wide[["costs", "view", "task_scale", *order]], hide_index=True,
                     width="stretch", column_config={
                         "task_scale": st.column_config.NumberColumn("Fargate task ×",
                                                                     format="%.1f"),
                         **{c: st.column_config.NumberColumn(c, format="%.0f %%")
                            for c in order}})
        st.caption("The same rule (margin 10 %) under the cost profile in both cost views and "
                   "with every Fargate task at half and twice its size: a share that moves "
                   "here depends on how the platforms are sized and billed.")


def checks_table(d: Diagnosis) -> None:
    """Every check once, with its status (skore-style), folded away."""
    with st.expander("Every check and its status"):
        st.multiselect("Ignore checks (they are reported as ignored, and leave the verdict)",
                       list(CODES), key=IGNORE_KEY,
                       help="For a check you have reviewed and accept, e.g. LABEL_NOISE.")
        rows = [{"code": c.code, "check": CODES[c.code], "status": STATUS_TEXT[c.status],
                 "detail": c.detail, "how severity is decided": BY_CODE[c.code].severity}
                for c in d.checks]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
