"""Deploy page pieces: build artifacts, the local test console, the deploy form, history.

UI only: building, invoking, comparing and deploying are calls into core.deploy.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from core import figures
from core.deploy import aws, history, sam
from core.deploy.invoke import invoke_zip
from core.deploy.lambda_pkg import build_from_pipeline
from core.deploy.sagemaker import build_from_pipeline as build_tarball
from core.deploy.scenarios import SCENARIOS, compare_with_library, scenario_events
from core.registry import LoadedModel, Registry
from core.schema import LOAD_PATTERNS, TIME_WINDOWS, WORKLOADS
from ui import state
from ui.common import guarded

QUICK_MODEL = ("xgb",)


def registry() -> Registry:
    """The session's registry (default: $ROUTING_LAB_MODELS or models/)."""
    return Registry(state.get(state.REGISTRY_DIR))


@st.cache_resource(show_spinner="Loading model…", max_entries=8)
def load_model(root: str, model_id: str) -> LoadedModel:
    """A verified model version (ids are immutable, so caching is safe)."""
    return Registry(root).load(model_id)


def quick_train(reg: Registry) -> None:
    """Train one XGBoost on the session data (or the variance demo) so the page is demo-able."""
    from core.training import train_and_compare
    from ui.common import load_demo

    if state.get(state.DATASET) is None:
        load_demo("variance")
    frame = state.get(state.DATASET)
    with st.spinner("Training a quick XGBoost (2-fold CV)…"):
        run = train_and_compare(frame, models=QUICK_MODEL, cv=2, seed=0, registry=reg)
    if not any(r.model_id for r in run.results.values()):
        st.error("Quick training saved no model; open the Train & compare page for details.")
        return
    st.rerun()


def empty_state(reg: Registry) -> None:
    """No model yet: say to train first, link the Train page, offer a quick demo model."""
    st.info("No trained model in the registry yet. Train and compare models first, then come "
            "back to package the one you choose. Or train a quick XGBoost here (on the loaded "
            "data, else on the bundled variance demo).", icon=":material/info:")
    st.page_link("pages/train.py", label="Train & compare", icon=":material/model_training:")
    if st.button("Train a quick demo model", type="primary", icon=":material/bolt:",
                 key="deploy_quick_train"):
        guarded(quick_train, reg)


@st.cache_resource(show_spinner="Building function.zip, template and model.tar.gz…",
                   max_entries=16)
def build(root: str, model_id: str) -> dict[str, Any]:
    """Build all three artifacts for one version into a temp folder (kept for the process)."""
    loaded = load_model(root, model_id)
    out = Path(tempfile.mkdtemp(prefix=f"routing-lab-build-{model_id}-"))
    lam = build_from_pipeline(loaded.pipeline, out, model_id=model_id,
                              registry_metadata=loaded.metadata)
    tar = build_tarball(loaded.pipeline, out, model_id=model_id,
                        registry_metadata=loaded.metadata)
    return {"lambda": lam.to_dict(), "sagemaker": tar, "dir": str(out)}


def artifacts(built: dict[str, Any]) -> None:
    """Zip size against Lambda's limits, its contents, and the three downloads."""
    lam, tar = built["lambda"], built["sagemaker"]
    c1, c2, c3 = st.columns(3)
    c1.metric("function.zip", f"{lam['zip_bytes'] / 1024:.1f} KiB",
              help="Lambda allows 50 MB zipped / 250 MB unzipped; the thesis's pickle + "
                   "pandas + scikit-learn package was over 700 MB.")
    unzipped = sum(f["bytes"] for f in lam["files"])
    c2.metric("Unzipped", f"{unzipped / 1024:.1f} KiB",
              help="Standard library only: no numpy, no pickle.")
    c3.metric("model.tar.gz (SageMaker)", f"{tar['tarball_bytes'] / 1024:.1f} KiB")
    st.dataframe(pd.DataFrame(lam["files"]), hide_index=True, width="stretch",
                 column_config={"bytes": st.column_config.NumberColumn("bytes", format="%d"),
                                "compressed_bytes": st.column_config.NumberColumn(
                                    "zipped bytes", format="%d")})
    st.caption("The .pyc files are the two modules' precompiled bytecode, so a cold start "
               "skips compiling them; Lambda's Python 3.11 runtime loads them directly.")
    d1, d2, d3 = st.columns(3)
    d1.download_button("function.zip", Path(lam["path"]).read_bytes(), "function.zip",
                       "application/zip", icon=":material/download:", key="dl_zip")
    d2.download_button("template.yaml", Path(lam["template"]).read_text(), "template.yaml",
                       "text/yaml", icon=":material/download:", key="dl_template")
    d3.download_button("model.tar.gz", Path(tar["path"]).read_bytes(), "model.tar.gz",
                       "application/gzip", icon=":material/download:", key="dl_tarball")


def _request_form(loaded: LoadedModel) -> dict[str, Any] | None:
    spec = loaded.pipeline.named_steps["features"]
    cats = getattr(spec, "categories_", {})
    with st.form("deploy_request"):
        c1, c2 = st.columns(2)
        workload = c1.selectbox("workload_type", cats.get("workload_type") or list(WORKLOADS))
        payload = c2.number_input("payload_size_kb", min_value=0.0, value=5.0, step=1.0)
        c3, c4, c5 = st.columns(3)
        window = c3.selectbox("time_window", cats.get("time_window") or list(TIME_WINDOWS))
        pattern = c4.selectbox("load_pattern", cats.get("load_pattern") or list(LOAD_PATTERNS))
        stamp = c5.text_input("timestamp (ISO 8601, optional)", "2025-11-23T12:00:00Z")
        raw = st.text_area("…or a raw event (JSON; overrides the fields above)", "",
                           help="Try an API Gateway event: {\"requestContext\": {}, "
                                "\"body\": \"{\\\"workload_type\\\": 1}\"}")
        if not st.form_submit_button("Send request", icon=":material/send:"):
            return None
    if raw.strip():
        try:
            return {"event": json.loads(raw)}
        except ValueError as exc:
            st.error(f"The raw event is not valid JSON ({exc}); fix it or clear the box.")
            return None
    event = {"workload_type": workload, "payload_size_kb": payload, "time_window": window,
             "load_pattern": pattern}
    if stamp.strip():
        event["timestamp"] = stamp.strip()
    return {"event": event}


def _timings(result: dict[str, Any]) -> None:
    c1, c2, c3 = st.columns(3)
    c1.metric("Cold init", f"{result['init_ms']:.1f} ms",
              help="Import of the handler + model load in a clean interpreter (python -I -S).")
    calls = result["invoke_ms"]
    if len(calls) > 1:
        c2.metric("Handler (warm)", f"{min(calls):.3f} ms",
                  help="Fastest of the invocations after init.")
    else:
        c2.metric("Handler (first call)", f"{calls[0]:.3f} ms",
                  help="One call right after init, so it includes one-time work; run the six "
                       "scenarios for the warm figure.")
    c3.metric("Whole process", f"{result['process_ms']:.0f} ms",
              help="Interpreter start + init + requests, as seen from the dashboard.")
    extra = result.get("third_party_modules")
    if extra:
        st.error(f"The handler imported non-stdlib modules {extra}: it would fail on Lambda.")


def response_body(response: dict[str, Any]) -> dict[str, Any]:
    """The handler's body as a dict (an API Gateway response carries it as a JSON string)."""
    body = response.get("body")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return {"message": body}
    return body if isinstance(body, dict) else {}


def response_rows(body: dict[str, Any]) -> pd.DataFrame:
    """request_context and model_info as one two-column table (field, value)."""
    rows = [{"part": part.replace("_", " "), "field": k, "value": _plain(v)}
            for part in ("request_context", "model_info")
            for k, v in (body.get(part) or {}).items()]
    return pd.DataFrame(rows, columns=["part", "field", "value"])


def _plain(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return value if isinstance(value, str) else json.dumps(value)


def show_response(response: dict[str, Any]) -> None:
    """What the function answered, readable first; the raw JSON one click away."""
    status = response.get("statusCode")
    body = response_body(response)
    if status != 200:
        st.warning(f"HTTP {status}: the function refused the request, as it should for bad "
                   f"input. Field `{body.get('field', '?')}`: {body.get('message', body)}",
                   icon=":material/block:")
    else:
        pred, metrics = body.get("prediction") or {}, body.get("metrics") or {}
        if body.get("fallback"):
            st.warning(f"The function answered with its fallback route: {body.get('error')}",
                       icon=":material/warning:")
        c1, c2, c3, c4 = st.columns(4)
        c1.metric("Route", str(pred.get("platform", "?")).upper())
        prob = pred.get("lambda_probability")
        c2.metric("P(Lambda optimal)", "–" if prob is None else f"{prob:.3f}")
        conf = pred.get("confidence")
        c3.metric("Confidence", "–" if conf is None else f"{conf:.1%}",
                  help="Probability of the chosen platform.")
        took = metrics.get("inference_time_ms")
        c4.metric("Inference", "–" if took is None else f"{took:.3f} ms",
                  help="Model evaluation inside the handler (from the response's metrics).")
        rows = response_rows(body)
        if not rows.empty:
            st.dataframe(rows, hide_index=True, width="stretch")
    with st.expander("Raw response (JSON)"):
        st.json(response, expanded=3)


def console(built: dict[str, Any], loaded: LoadedModel) -> None:
    """Send one request, or the thesis's six scenarios, through the zip in a clean interpreter."""
    zip_path = built["lambda"]["path"]
    asked = _request_form(loaded)
    if asked is not None:
        result = guarded(invoke_zip, zip_path, [asked["event"]])
        if result is not None:
            state.put("deploy_last_invoke", {**result, "zip": zip_path})
    if st.button("Run the six thesis scenarios", icon=":material/checklist:",
                 key="deploy_scenarios"):
        result = guarded(invoke_zip, zip_path, scenario_events())
        if result is not None:
            rows = compare_with_library(loaded.pipeline, scenario_events(),
                                        result["responses"],
                                        names=[s["name"] for s in SCENARIOS],
                                        invoke_ms=result["invoke_ms"])
            state.put("deploy_last_scenarios", {"result": result, "rows": rows,
                                                "zip": zip_path})
    last = state.get("deploy_last_invoke")
    if last is not None and last.get("zip") == zip_path:  # not a result of another model
        st.subheader("Last response")
        show_response(last["responses"][0])
        _timings(last)
        with st.expander("Log line written by the handler"):
            st.code("\n".join(last["logs"]), language="json")
    scen = state.get("deploy_last_scenarios")
    if scen is not None and scen.get("zip") == zip_path:
        rows = pd.DataFrame(scen["rows"])
        st.subheader("Six scenarios: function vs library model")
        ok = bool(rows["match"].all())
        (st.success if ok else st.error)(
            f"{int(rows['match'].sum())} of {len(rows)} scenarios match the library model "
            f"within 1e-6" + ("." if ok else " — the deployed function disagrees; rebuild."))
        _timings(scen["result"])
        number = st.column_config.NumberColumn
        st.dataframe(rows[["scenario", "match", "platform", "lambda_probability",
                           "library_probability", "abs_diff", "invoke_ms", "status"]],
                     hide_index=True, width="stretch", column_config={
                         "scenario": st.column_config.TextColumn(pinned=True),
                         "match": st.column_config.CheckboxColumn(
                             "match", help="Function and library agree within 1e-6."),
                         "lambda_probability": number("P(Lambda) function", format="%.4f"),
                         "library_probability": number("P(Lambda) library", format="%.4f"),
                         "abs_diff": number("|difference|", format="%.1e"),
                         "invoke_ms": number("handler ms", format="%.3f"),
                         "status": number("HTTP status", format="%d")})
        st.plotly_chart(figures.handler_latency(rows), width="stretch")
        st.caption("Each bar is one call of the handler in the same clean interpreter (green: "
                   "matches the library model, red: it does not). The "
                   "first call also pays one-time work (lazy imports, first model walk), so "
                   "it is usually the slowest; the others are the warm cost.")


def deploy_form(built: dict[str, Any], model_id: str, root: str) -> None:
    """Region, role, function name; a dry run unless the user ticks the confirmation."""
    with st.form("deploy_aws"):
        c1, c2 = st.columns(2)
        function_name = c1.text_input("Function name", "routing-lab-router")
        region = c2.text_input("Region", "eu-west-1")
        role = st.text_input("Execution role ARN (needed for a new function)", "",
                             placeholder="arn:aws:iam::123456789012:role/routing-lab-router")
        action = st.radio("Action", ["deploy", "promote", "rollback"], horizontal=True,
                          help="deploy: new version on a 10 % canary of the `live` alias; "
                               "promote: all traffic to the canary; rollback: drop it.")
        with st.expander("Advanced"):
            endpoint = st.text_input("Endpoint URL (e.g. a local moto server)", "")
        confirm = st.checkbox("Really call AWS with my credentials (otherwise: dry run)",
                              key="deploy_confirm")
        if not st.form_submit_button("Deploy" if confirm else "Show the plan (dry run)",
                                     icon=":material/rocket_launch:"):
            return
    common = {"function_name": function_name.strip(), "region": region.strip(),
              "confirm": confirm, "endpoint_url": endpoint.strip() or None}
    if action == "deploy":
        plan = guarded(aws.deploy, built["lambda"]["path"], role=role.strip() or None,
                       **common)
    else:
        plan = guarded(getattr(aws, action), **common)
    if plan is None:
        return
    history.record({**plan.to_dict(), "model_id": model_id if action == "deploy" else None},
                   root)
    if plan.dry_run:
        st.info("Dry run: nothing was sent to AWS. These are the calls a confirmed run "
                "makes, in order.", icon=":material/visibility:")
    else:
        st.success(f"{action}: status {plan.status}, version {plan.version}, canary "
                   f"weights {plan.routing or 'none'}.")
    st.dataframe(pd.DataFrame([{"#": i + 1, "call": f"lambda.{c['operation']}",
                                "when": c.get("when", ""), "params": json.dumps(c["params"])}
                               for i, c in enumerate(plan.calls)]),
                 hide_index=True, width="stretch")
    command = sam.deploy_command(function_name=common["function_name"] or "router",
                                 region=common["region"] or "eu-west-1")
    st.caption(f"Or deploy with SAM (canary and alarms included): `{command}`")


def history_table(root: str) -> None:
    """Past deploys, promotions and rollbacks (dry runs too), newest first."""
    rows = history.read(root)
    if not rows:
        st.caption("No deployments yet. Dry runs and real deployments are listed here.")
        return
    frame = pd.DataFrame([{"at": r.get("at"), "action": r.get("action"),
                           "mode": "dry run" if r.get("dry_run") else "live",
                           "function": r.get("function_name"), "region": r.get("region"),
                           "model_id": r.get("model_id"), "status": r.get("status"),
                           "version": _version_cell(r),
                           "canary": json.dumps(r["routing"]) if r.get("routing") else "—"}
                          for r in rows])
    st.dataframe(frame, hide_index=True, width="stretch")


def _version_cell(row: dict[str, Any]) -> str:
    """Text (one type per column): the published version, or why there is none."""
    if row.get("version") is not None:
        return str(row["version"])
    return "none (dry run)" if row.get("dry_run") else "—"
