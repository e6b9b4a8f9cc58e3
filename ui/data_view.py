"""Sections of the Data page: load (upload or demo), summary, column profile, rejected rows,
roles, labelling, charts and downloads. Every number comes from core; this module lays it out.
"""

from __future__ import annotations

import json
import logging
import math
import re
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from core import figures, labels, profile
from core import io as core_io
from core.errors import UserError
from core.label_values import (
    ACCEPTED,
    has_labels,
    label_columns,
    read_labelled,
    rule_words,
)
from core.schema import LABEL, OPTIMAL_PLATFORM, Roles, default_roles, feature_title
from ui import cost_profile_view, state
from ui import data_figures as figs
from ui.common import DEMO_DATASETS, guarded, load_demo

_LOG = logging.getLogger(__name__)
MIB = 1024**2
#: Scatter charts draw at most this many points; everything else uses every row.
MAX_POINTS = 20_000
UPLOAD_KEY = "data_uploads"
_SEEN = "data_upload_seen"          # fingerprint of the upload last ingested
_ERROR = "data_load_error"          # message of the last failed load, shown until the next
_LABEL_NOTE = "data_label_note"     # why the loaded data could not be labelled, if so
_LABELLING = "data_labelling"  # (load token, margin, latency field, (profile, view)) applied
_LOADS = "data_loads"               # (ingest report last seen, number of loads so far)
_GIVEN = "data_label_given"         # (ingest report, True) when the loaded data had labels
_STAMP = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")


# -- loading --------------------------------------------------------------------------------
def upload_limit_mb(requested_mb: int) -> tuple[int, str | None]:
    """The limit the uploader can enforce, and a note when Streamlit's server caps it lower."""
    server_mb = int(st.get_option("server.maxUploadSize"))
    if requested_mb <= server_mb:
        return requested_mb, None
    return server_mb, (
        f"Your limit is {requested_mb:,} MB, but this server accepts at most {server_mb:,} MB "
        "per file (Streamlit's server.maxUploadSize), so larger files are refused before they "
        f"arrive. To allow them, restart with `--server.maxUploadSize {requested_mb}`.")


def _store(frame: pd.DataFrame, name: str, report: core_io.IngestResult) -> None:
    """Make a freshly ingested dataset the session's (dropping results of the previous one)."""
    note = None
    given = has_labels(frame)  # a given label is used as given, never replaced silently
    try:
        frame = _quiet(labels.ensure_labels, frame)
    except UserError as exc:
        note = f"Loaded without labels: {exc}"
    st.session_state[_GIVEN] = (report, given)
    state.clear_derived()
    state.put(state.DATASET, frame)
    state.put(state.DATASET_NAME, name)
    state.put(state.INGEST_REPORT, report)
    st.session_state[_LABEL_NOTE] = note
    st.session_state.pop(_ERROR, None)


def _ingest(files: list, limit_mb: int) -> None:
    """Read uploads through core.io; on a UserError keep the previous dataset and say why."""
    try:
        result = read_labelled(core_io.read_uploads, [(f.name, f.getvalue()) for f in files],
                               max_bytes=limit_mb * MIB)
    except UserError as exc:
        st.session_state[_ERROR] = str(exc)
        return
    except Exception as exc:  # a reader bug must not cost the user the session's data
        _LOG.exception("ingesting uploads failed")
        st.session_state[_ERROR] = (
            f"Could not read {', '.join(f.name for f in files)}: internal error "
            f"({type(exc).__name__}: {exc}). Please report it with the file; try exporting the "
            "data as CSV meanwhile.")
        return
    name = files[0].name if len(files) == 1 else f"{len(files)} files ({files[0].name}, …)"
    _store(result.frame, name, result)
    st.rerun()  # render the page afresh around the new dataset


def _load_demo(name: str) -> None:
    try:
        load_demo(name)
    except UserError as exc:
        st.session_state[_ERROR] = str(exc)
        return
    st.session_state[_LABEL_NOTE] = None
    st.session_state.pop(_ERROR, None)
    st.rerun()


def loader() -> None:
    """Upload several files (size limit configurable) or pick a bundled demo dataset.

    Open while nothing is loaded; folded away (one click to open) once data is there."""
    loaded = state.get(state.DATASET_NAME)
    box = st.expander("Load other data" if loaded else "Load data", expanded=not loaded,
                      icon=":material/upload_file:")
    left, right = box.columns([3, 2], gap="large")
    with left:
        st.subheader("Upload load-test logs")
        requested = st.number_input(
            "Size limit per upload (MB)", min_value=1, max_value=1_000_000,
            value=core_io.MAX_UPLOAD_BYTES // MIB, step=50, key="data_limit_mb",
            help="core.io refuses larger uploads with a clear message.")
        limit_mb, note = upload_limit_mb(int(requested))
        if note:
            st.info(note, icon=":material/info:")
        files = st.file_uploader(
            "Artillery JSONL (also .gz), CSV, JSON or Parquet; several files at once",
            accept_multiple_files=True, key=UPLOAD_KEY, max_upload_size=limit_mb)
        if files:
            fingerprint = tuple((f.file_id, f.name, f.size) for f in files)
            if fingerprint != st.session_state.get(_SEEN):
                st.session_state[_SEEN] = fingerprint
                with st.spinner(f"Reading {len(files)} file(s)…"):
                    _ingest(files, int(requested))
        elif st.session_state.pop(_SEEN, None) is not None:  # the user removed the files
            st.session_state.pop(_ERROR, None)
    with right:
        st.subheader("…or start from a demo")
        for name, text in DEMO_DATASETS.items():
            if st.button(f"Load demo: {name}", key=f"data_demo_{name}", help=text,
                         icon=":material/dataset:"):
                _load_demo(name)
            st.caption(text)
    if st.session_state.get(_ERROR):
        kept = state.get(state.DATASET_NAME)
        st.error(st.session_state[_ERROR] + (f"\n\nNothing was lost: still working on "
                                              f"**{kept}**." if kept else ""),
                 icon=":material/error:")


# -- what was loaded ------------------------------------------------------------------------
def summary(frame: pd.DataFrame) -> None:
    """Headline metrics, ingestion warnings and the labelling note."""
    report = state.get(state.INGEST_REPORT)
    facts = report.summary() if report is not None else {}
    over = profile.overview(frame)
    st.subheader(f"Dataset: {state.get(state.DATASET_NAME, 'unnamed')}")
    share = over["lambda_optimal_share"]
    row = st.container(horizontal=True, gap="large")  # wraps two or three a line on a phone
    row.metric("Rows", f"{over['rows']:,}")
    row.metric("Columns", over["columns"])
    row.metric("Files", facts.get("files") or "–")
    row.metric("Rejected rows", f"{facts.get('rows_rejected', 0):,}")
    row.metric("HTTP errors", f"{facts.get('error_rows', 0):,}")
    row.metric("Lambda-optimal share", "–" if share is None else f"{share:.0%}",
               help=f"Share of the {over['labelled_rows']:,} labelled rows on which Lambda "
                    "is the better platform; error rows have no label.")
    if report is not None and not report.rejected.empty:
        st.warning(rejected_banner(report.rejected), icon=":material/playlist_remove:")
    for warning in [*facts.get("warnings", []), *frame.attrs.get("label_warnings", [])]:
        st.warning(warning, icon=":material/warning:")
    if st.session_state.get(_LABEL_NOTE):
        st.warning(st.session_state[_LABEL_NOTE], icon=":material/warning:")


def tables(frame: pd.DataFrame, roles: Roles) -> None:
    """Column profile, rejected-row report and a preview, in tabs."""
    report = state.get(state.INGEST_REPORT)
    rejected = report.rejected if report is not None else pd.DataFrame()
    tab_cols, tab_rej, tab_rows = st.tabs(
        ["Columns and types", f"Rejected rows ({len(rejected):,})", "First rows"])
    with tab_cols:
        table = readable_profile(profile.profile_columns(frame, roles))
        st.dataframe(table, hide_index=True, width="stretch",
                     height=min(36 * (len(table) + 1) + 2, 640),
                     column_config={
                         "column": st.column_config.TextColumn(pinned=True),
                         "missing_share": st.column_config.ProgressColumn(
                             "missing share", format="percent", min_value=0.0, max_value=1.0),
                         "example": st.column_config.TextColumn(width="medium")})
    with tab_rej:
        rejected_report(rejected)
    with tab_rows:
        st.dataframe(frame.head(200), hide_index=True)


def short_value(text: str) -> str:
    """A profile cell as people read it: numbers to 4 significant digits (never 1.02e+04 for
    10200), timestamps to the second; anything else unchanged (core.profile keeps up to 6
    digits and microseconds)."""
    if _STAMP.match(text):
        return text[:19].replace("T", " ")
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number) or text.lower() in ("true", "false"):
        return text
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    if 1e-3 <= abs(number) < 1e6:
        return f"{float(f'{number:.4g}'):.10g}"
    return f"{number:.3g}"


def readable_profile(table: pd.DataFrame) -> pd.DataFrame:
    """The column profile with min, max and example shortened for the screen."""
    out = table.copy()
    for col in ("min", "max", "example"):
        if col in out.columns:
            out[col] = out[col].astype(str).map(short_value)
    return out


def rejected_banner(rejected: pd.DataFrame) -> str:
    """One sentence: how many rows were left out, the commonest reasons, where to see them."""
    reasons = rejected["reason"].astype(str).value_counts() if "reason" in rejected else None
    top = ("" if reasons is None or reasons.empty else
           " (" + "; ".join(f"{n:,} × {r}" for r, n in reasons.head(2).items())
           + ("; …" if len(reasons) > 2 else "") + ")")
    return (f"**{len(rejected):,} row(s) were rejected** and are not in the dataset{top}. "
            "Open the **Rejected rows** tab below to see them or download them as CSV.")


def rejected_report(rejected: pd.DataFrame) -> None:
    """Counts per reason and the rejected rows themselves (CSV), never silently dropped."""
    if rejected.empty:
        st.success("No rows were rejected.", icon=":material/check_circle:")
        return
    by_reason = (rejected["reason"].value_counts().rename_axis("reason")
                 .reset_index(name="rows"))
    left, right = st.columns([2, 3])
    left.dataframe(by_reason, hide_index=True)
    left.download_button("Download rejected rows (CSV)",
                         data=rejected.to_csv(index=False).encode(),
                         file_name="rejected_rows.csv", mime="text/csv",
                         icon=":material/download:", on_click="ignore")
    right.dataframe(rejected.head(100), hide_index=True)


# -- roles and labels -----------------------------------------------------------------------
def _token() -> int:
    """A number that changes with every load (here or on another page), so the widgets of the
    previous dataset reset. Holding the report itself makes the `is` test exact."""
    report = state.get(state.INGEST_REPORT)
    seen, count = st.session_state.get(_LOADS, (None, 0))
    if report is not seen:
        st.session_state[_LOADS] = (report, count + 1)
        return count + 1
    return count


def roles_editor(frame: pd.DataFrame) -> Roles:
    """Pick features, outcome, label and group; warn loudly when an outcome becomes a feature."""
    base = state.get(state.ROLES) or default_roles(frame)
    columns = [str(c) for c in frame.columns]
    token = _token()
    label = _label_choice(frame, base.label, token)
    choices = [c for c in columns if c != label]
    preset = state.get(state.FEATURES)  # the Variance page may have dropped leaked columns
    features_key = f"roles_features_{token}"
    features = st.multiselect(
        "Features (known before routing)", choices,
        default=[c for c in (base.features if preset is None else preset) if c in choices],
        key=features_key, on_change=_features_chosen, args=(features_key,),
        format_func=feature_title,
        help="Your choice becomes the feature set of the Variance and Train pages.")
    st.caption(features_caption(features))
    outcomes = st.multiselect(
        "Outcomes (measured after routing; never features by default)", choices,
        default=[c for c in base.outcomes if c in choices], key=f"roles_outcomes_{token}")
    groups = [None, *profile.group_candidates(frame)]
    group = st.selectbox("Group (kept together in group splits)", groups,
                         index=groups.index(base.group) if base.group in groups else 0,
                         format_func=lambda g: "none" if g is None else g,
                         key=f"roles_group_{token}")
    roles = Roles(features=features, label=label, outcomes=outcomes, group=group,
                  ids=[c for c in base.ids if c in columns])
    leaked = roles.outcome_features()
    if leaked:
        st.warning(
            f"Outcome column(s) {', '.join(leaked)} are features. They are measured after the "
            "request ran, so they leak the label: a model will look near-perfect here and fail "
            "on new requests. Remove them unless you are demonstrating the leak.",
            icon=":material/warning:")
    state.put(state.ROLES, roles)
    return roles


def label_definition() -> tuple[float, str | None]:
    """Margin and latency field the Labelling section last applied (defaults before it ran):
    the rest of the app scores against the same label."""
    applied = st.session_state.get(_LABELLING)
    if applied and len(applied) >= 3:
        return float(applied[1]), applied[2]
    return 0.10, None


def labels_given() -> bool:
    """True when the loaded data carried its own label (then it is used as given)."""
    seen = st.session_state.get(_GIVEN)
    return bool(seen and seen[0] is state.get(state.INGEST_REPORT) and seen[1])


def rule_text(frame: pd.DataFrame) -> str:
    """The labelling rule behind computed labels, with its margin, latency field and costs
    (the defaults where the frame does not say)."""
    defaults = {"rule": "balanced_optimal", "margin": 0.10,
                "costs": cost_profile_view.AS_GIVEN, "view": state.get(state.COST_VIEW,
                                                                       "marginal")}
    # the cost widgets' values are current at the start of a run; the frame's rule may be
    # one relabel behind (the Labelling column runs after this one)
    return rule_words({**defaults, **(frame.attrs.get("label_rule") or {}),
                       **cost_profile_view.chosen()})


def _label_choice(frame: pd.DataFrame, current: str, token: int) -> str:
    """Only label-like columns are offered (binary label values, lambda/ecs words, `label`,
    `optimal_*`), never outcomes; with none, say that labels are computed and how."""
    given = labels_given()
    options = label_columns(frame)
    if not given:  # computed: optimal_platform is the same label in words
        options = [c for c in options if c != OPTIMAL_PLATFORM]
    if not options:
        why = st.session_state.get(_LABEL_NOTE) or "no row could be labelled"
        st.info(f"No label column in the data (a label holds {ACCEPTED}). Labels are "
                f"computed with {rule_text(frame)}; here they could not be: {why}",
                icon=":material/info:")
        return current if current in frame.columns else LABEL
    label = st.selectbox("Label (what the model predicts)", options,
                         index=options.index(current) if current in options else 0,
                         key=f"roles_label_{token}",
                         help=f"Columns holding {ACCEPTED}; outcomes are never offered.")
    if label == LABEL and not given:
        st.caption(f"The data has no label column: `label` is computed with "
                   f"{rule_text(frame)}; change it under Labelling.")
    else:
        st.caption(f"`{label}` is used as given: {ACCEPTED}.")
    return label


def features_caption(features: list[str], lead: str = "The model will see") -> str:
    """Every feature the model will see, in full, derived ones with their source (the Data,
    Variance and Train pages show the same sentence)."""
    if not features:
        return f"{lead} no features: choose at least one."
    return (f"{lead} {len(features)} feature{'s' if len(features) != 1 else ''}: "
            + ", ".join(feature_title(c) for c in features) + ".")


def _features_chosen(key: str) -> None:
    """A feature set the user picked here is the one the Variance and Train pages start from."""
    state.put(state.FEATURES, list(st.session_state[key]))


def labelling(frame: pd.DataFrame) -> str | None:
    """Margin and latency field of balanced_optimal; relabels through core.labels on change.

    Returns the latency field the charts should use (None when the data has none). A label
    given in the data (or another label column chosen under roles) is used as given: this
    section says so, and only replaces it when the user asks."""
    fields = profile.latency_fields(frame)
    roles = state.get(state.ROLES)
    chosen = roles.label if roles is not None else LABEL
    if chosen != LABEL or labels_given():
        _given_labels(frame, chosen, fields)
        return fields[0] if fields else None
    if not fields:
        st.info("No latency column (execution_time_ms or latency_ms) with values: the data "
                "cannot be labelled here.", icon=":material/info:")
        return None
    token = _token()
    costs, view = cost_profile_view.editor()
    cost_key = (json.dumps(costs.to_dict(), sort_keys=True) if costs is not None else None,
                view)
    applied = st.session_state.get(_LABELLING)
    _, margin_now, field_now, cost_now = applied if applied and applied[0] == token else (
        token, 0.10, fields[0], (None, "marginal"))
    margin = st.slider("Margin (Lambda must beat ECS's median by this share)", 0.0, 0.5,
                       value=float(margin_now), step=0.01, format="%.2f",
                       key=f"label_margin_{token}")
    field = st.radio("Latency field", fields, index=fields.index(field_now)
                     if field_now in fields else 0, horizontal=True,
                     key=f"label_field_{token}",
                     help="execution_time_ms is server-side (the thesis's choice); latency_ms "
                          "is what the client saw. They give very different labels.")
    if (margin, field, cost_key) != (margin_now, field_now, cost_now):
        relabelled = guarded(_quiet, labels.balanced_optimal, frame, margin=margin,
                             latency_col=field, costs=costs, view=view)
        if relabelled is not None:
            _replace_labels(relabelled)
            st.session_state[_LABELLING] = (token, margin, field, cost_key)
            frame = relabelled
    st.caption(f"Labels: balanced_optimal, margin {margin:.0%}, latency field `{field}`, "
               f"costs {costs.name if costs is not None else cost_profile_view.AS_GIVEN}, "
               f"{view} view (error rows stay unlabelled).")
    shares = _label_shares(frame)
    if shares is None:
        st.info("Label share: no labelled rows with a workload_type.", icon=":material/info:")
    else:
        st.plotly_chart(figures.label_shares(shares), width="stretch")
    if len(fields) > 1:
        with st.expander("How the labels move with the latency field"):
            moved = guarded(profile.label_shares_by_field, frame, margin=margin)
            if moved is not None and not moved.empty:
                st.dataframe(moved, hide_index=True, column_config={
                    f: st.column_config.NumberColumn(f, format="percent") for f in fields})
    return field


def _given_labels(frame: pd.DataFrame, chosen: str, fields: list[str]) -> None:
    """The label comes with the data: say so, show its shares, offer to compute instead."""
    values = frame[chosen] if chosen in frame.columns else pd.Series(dtype=float)
    st.info(f"Labels are given in the data (column `{chosen}`, {int(values.notna().sum()):,} "
            f"labelled rows) and are used as given: {ACCEPTED}.", icon=":material/label:")
    cost_profile_view.editor()  # still prices the simulator's objective; labels stay given
    st.caption("The cost profile prices the simulator's objective here; it does not change "
               "given labels.")
    if chosen == LABEL:
        shares = _label_shares(frame)
        if shares is not None:
            st.plotly_chart(figures.label_shares(shares), width="stretch")
    if chosen == LABEL and fields and st.button(
            "Compute labels with balanced_optimal instead", key="label_compute",
            icon=":material/calculate:",
            help="Replaces the given labels with computed ones (margin 10 %, latency field "
                 f"{fields[0]}); reload the file to get the given labels back."):
        relabelled = guarded(_quiet, labels.balanced_optimal, frame, latency_col=fields[0])
        if relabelled is not None:
            st.session_state[_GIVEN] = (state.get(state.INGEST_REPORT), False)
            _replace_labels(relabelled)
            st.rerun()


def _quiet(fn: Callable[..., pd.DataFrame], *args, **kwargs) -> pd.DataFrame:
    """Run a labelling call without Python warnings: the page shows the frame's
    `label_warnings` instead of logging them on the server."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args, **kwargs)


def _needs_label(frame: pd.DataFrame) -> bool:
    return "label" not in frame.columns or frame["label"].isna().all()


def _replace_labels(frame: pd.DataFrame) -> None:
    """New labels invalidate diagnosis and training results, not the chosen roles."""
    keep = {k: state.get(k) for k in (state.ROLES, state.FEATURES)}
    state.clear_derived()
    for key, value in keep.items():
        if value is not None:
            state.put(key, value)
    state.put(state.DATASET, frame)


# -- charts and downloads -------------------------------------------------------------------
def _chart(draw: Callable[[], object], needs: tuple[str, ...], frame: pd.DataFrame,
           what: str) -> None:
    missing = [c for c in needs if c not in frame.columns]
    if missing:
        st.info(f"{what}: needs column(s) {', '.join(missing)}, which this data lacks.",
                icon=":material/info:")
        return
    st.plotly_chart(draw(), width="stretch")


def charts(frame: pd.DataFrame, latency: str | None) -> None:
    """Latency and cold-start charts, two per row; big data is sampled (and the page says so)."""
    sample = profile.plot_sample(frame, MAX_POINTS)
    if len(sample) < len(frame):
        st.caption(f"Scatter charts show a random sample of {len(sample):,} of "
                   f"{len(frame):,} rows (seed 0); boxes, shares, tables and downloads use "
                   "all rows.")
    top = st.columns(2)
    low = st.columns(2)
    if latency is None:
        top[0].info("Latency charts need a latency column.", icon=":material/info:")
    else:
        with top[0]:
            stats = profile.box_stats(frame, latency)
            if stats.empty:
                st.info("Latency by workload: needs workload_type and platform columns.",
                        icon=":material/info:")
            else:
                st.plotly_chart(figs.latency_box(stats, latency), width="stretch")
        with top[1]:
            _chart(lambda: figs.latency_vs_payload(sample, latency),
                   figs.NEEDS["latency_vs_payload"], sample, "Latency vs payload")
        with low[0]:
            _chart(lambda: figs.latency_over_time(sample, latency),
                   figs.NEEDS["latency_over_time"], sample, "Latency over time")
    with low[1]:
        cold = profile.cold_start_share(frame)
        if cold.empty:
            st.info("Cold-start share: no Lambda rows with a cold_start field.",
                    icon=":material/info:")
        else:
            st.plotly_chart(figs.cold_start_bars(cold), width="stretch")


def _label_shares(frame: pd.DataFrame) -> pd.DataFrame | None:
    if "workload_type" not in frame.columns or _needs_label(frame):
        return None
    shares = guarded(labels.label_shares, frame)
    if shares is None or shares.empty:
        return None
    if "workload_type" not in shares.columns:
        shares = shares.rename_axis("workload_type").reset_index()
    return shares


def _export(frame: pd.DataFrame, suffix: str) -> Callable[[], bytes]:
    """Deferred export through core.io.write_table (runs only when the user clicks)."""
    def make() -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"requests{suffix}"
            core_io.write_table(frame, path)
            return path.read_bytes()
    return make


def downloads(frame: pd.DataFrame) -> None:
    """The canonical table as CSV and Parquet."""
    row = st.container(horizontal=True, vertical_alignment="center")
    row.download_button("Download CSV", data=_export(frame, ".csv"),
                        file_name="requests.csv", mime="text/csv",
                        icon=":material/download:", on_click="ignore")
    row.download_button("Download Parquet", data=_export(frame, ".parquet"),
                        file_name="requests.parquet", mime="application/vnd.apache.parquet",
                        icon=":material/download:", on_click="ignore")
    row.caption("The canonical request table with labels, as the other pages use it.")
