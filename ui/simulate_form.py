"""Scenario builder widgets for the Simulate page: widgets in, a scenario dict out.

Every widget has a key `sim.<section>.<field>`, so a loaded scenario JSON can set them all
(`apply_scenario`) and the builder reads them back (`scenario_form`). Validation stays in
core.simulate.scenario.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.errors import UserError
from core.simulate.scenario import DEFAULTS, FARGATE_VCPUS, RUNTIMES, TRAFFIC_DEFAULTS

PREFIX = "sim."
PAGE_REQUESTS = 50_000
KINDS = ("poisson", "diurnal", "ramp", "burst", "thesis", "trace")
TRACE_KEY = PREFIX + "trace_timestamps"
LOADED_KEY = PREFIX + "loaded"
ROUTER_LABELS = {"rule": "Payload threshold rule", "model": "Registry model",
                 "oracle": "Hindsight oracle", "random": "Random",
                 "lambda": "All to Lambda", "ecs": "All to ECS"}


def _key(path: str) -> str:
    return PREFIX + path


def _default(path: str) -> Any:
    section, _, field = path.partition(".")
    if not field:
        return PAGE_REQUESTS if section == "requests" else DEFAULTS[section]
    if section == "traffic" and field not in DEFAULTS["traffic"]:
        for extra in TRAFFIC_DEFAULTS.values():
            if field in extra:
                return extra[field]
    return DEFAULTS[section][field]


def _init(path: str, value: Any = None) -> str:
    key = _key(path)
    if key not in st.session_state:
        st.session_state[key] = _default(path) if value is None else value
    return key


def _coerce(path: str, value: Any) -> Any:
    """Match the widget's number type (a JSON 600 into a float widget becomes 600.0)."""
    try:
        default = _default(path)
    except KeyError:
        return value
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(default, int) and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _fits(path: str, value: Any) -> bool:
    """A widget can show it (e.g. memory "profile" has no number widget: the JSON keeps it)."""
    try:
        default = _default(path)
    except KeyError:
        return True
    return not (isinstance(default, int | float) and isinstance(value, str))


def apply_scenario(raw: dict[str, Any]) -> None:
    """Put a validated scenario's values into the widgets (before they are drawn); keep the
    whole scenario so keys the builder has no widget for (service_time, payload sizes, a
    trace) still apply."""
    st.session_state[LOADED_KEY] = raw
    st.session_state[_key("lambda.per_workload")] = \
        raw.get("lambda", {}).get("memory_mb") == "profile"
    for section in ("traffic", "lambda", "fargate", "router"):
        for field, value in raw.get(section, {}).items():
            path = f"{section}.{field}"
            if isinstance(value, bool | int | float | str) and _fits(path, value):
                st.session_state[_key(path)] = _coerce(path, value)
    if raw.get("traffic", {}).get("timestamps"):
        st.session_state[TRACE_KEY] = raw["traffic"]["timestamps"]
    for key in ("requests", "seed", "region", "prices"):
        if isinstance(raw.get(key), int | str):
            st.session_state[_key(key)] = raw[key]
    if isinstance(raw.get("mix"), dict) and "from_data" not in raw["mix"]:
        st.session_state[_key("mix.source")] = "Preset"
        for name, weight in raw["mix"].items():
            st.session_state[_key(f"mix.{name}")] = float(weight)


def _trace(dataset) -> list[float] | None:
    """Timestamps to replay: the loaded dataset's, or an uploaded log's."""
    from core import io
    from core.simulate.scenario import trace_from_frame

    sources = ["Upload a log"] + (["Loaded dataset"] if dataset is not None else [])
    source = st.radio("Replay timestamps of", sources, horizontal=True,
                      key=_init("trace.source", sources[-1]))
    if source == "Loaded dataset":
        return trace_from_frame(dataset)
    upload = st.file_uploader("Load-test log (CSV, JSON, JSONL, Parquet)", key=_key("trace.file"),
                              type=["csv", "json", "jsonl", "parquet", "gz"])
    if upload is not None:
        frame = io.read_uploads([(upload.name, upload.getvalue())]).frame
        st.session_state[TRACE_KEY] = trace_from_frame(frame)
    times = st.session_state.get(TRACE_KEY)
    if times:
        st.caption(f"{len(times):,} arrivals over {times[-1]:,.0f} s.")
    return times


def _traffic(dataset) -> dict[str, Any]:
    kind = st.selectbox("Traffic", KINDS, key=_init("traffic.kind"),
                        help="thesis = the Artillery phases: low 5 rps, medium 15, ramp 5→25, "
                             "burst 5/30/5, repeated")
    out: dict[str, Any] = {"kind": kind}
    if kind == "trace":
        out["timestamps"] = _trace(dataset)
    c1, c2 = st.columns(2)
    if kind not in ("thesis", "trace"):
        out["rate_per_s"] = c1.number_input("Base rate (requests/s)", min_value=0.001,
                                            key=_init("traffic.rate_per_s"))
    out["start_hour"] = c2.number_input("Clock start (hour of day)", 0.0, 24.0,
                                        key=_init("traffic.start_hour"))
    fields = {"diurnal": [("amplitude", "Amplitude (0-0.99)"), ("peak_hour", "Peak hour")],
              "ramp": [("to_rate_per_s", "Ramp to (requests/s)"), ("ramp_s", "Ramp length (s)")],
              "burst": [("burst_rate_per_s", "Burst rate (requests/s)"),
                        ("period_s", "Period (s)"), ("burst_start_s", "Burst starts at (s)"),
                        ("burst_s", "Burst length (s)")],
              "thesis": [("phase_s", "Phase length (s)")]}.get(kind, [])
    cols = st.columns(max(len(fields), 1))
    for col, (field, label) in zip(cols, fields, strict=False):
        out[field] = col.number_input(label, key=_init(f"traffic.{field}"))
    if kind not in ("poisson", "trace"):
        from core.simulate.scenario import load_scenario
        from core.simulate.traffic import rate_curve
        from ui.simulate_charts import rate_preview

        try:
            t_s, rate = rate_curve(load_scenario({"traffic": out}).section("traffic"))
        except UserError as exc:
            st.caption(f"No preview: {exc}")
        else:
            st.plotly_chart(rate_preview(t_s, rate), key=_key("traffic.preview"))
    return out


def _mix(dataset) -> tuple[dict[str, float], dict | None]:
    sources = ("Preset", "Loaded dataset") if dataset is not None else ("Preset",)
    source = st.radio("Request mix from", sources, horizontal=True, key=_init("mix.source",
                                                                          sources[-1]))
    if source == "Loaded dataset":
        from core.simulate.scenario import mix_from_frame

        weights, payloads = mix_from_frame(dataset)
        st.caption("Workload shares and payload sizes as observed in the loaded data: "
                   + ", ".join(f"{k} {v:.0%}" for k, v in weights.items()))
        return weights, payloads
    cols = st.columns(len(DEFAULTS["mix"]))
    weights = {name: col.number_input(name.replace("_", " "), min_value=0.0, step=0.05,
                                      key=_init(f"mix.{name}", float(w)))
               for col, (name, w) in zip(cols, DEFAULTS["mix"].items(), strict=True)}
    return weights, None


def _lambda() -> dict[str, Any]:
    per_workload = st.checkbox("Each workload gets its own memory (as the thesis configured: "
                               "128/256/512/512 MB)", key=_init("lambda.per_workload", False))
    c = st.columns(4)
    out = {
        "memory_mb": "profile" if per_workload else c[0].number_input(
            "Memory (MB)", 128, 10_240, step=64, key=_init("lambda.memory_mb")),
        "architecture": c[1].selectbox("Architecture", ("x86", "arm"),
                                       key=_init("lambda.architecture")),
        "keep_alive_s": c[2].number_input("Keep-alive (s)", 0.0, key=_init("lambda.keep_alive_s")),
        "keep_alive_dist": c[3].selectbox("Keep-alive distribution",
                                          ("constant", "uniform", "exponential"),
                                          key=_init("lambda.keep_alive_dist")),
    }
    c = st.columns(4)
    out["concurrency_limit"] = c[0].number_input("Concurrency limit", 1, 1_000_000,
                                                 key=_init("lambda.concurrency_limit"))
    out["provisioned"] = c[1].number_input("Provisioned concurrency", 0, 1_000_000,
                                           key=_init("lambda.provisioned"))
    out["runtime"] = c[2].selectbox("Runtime", tuple(RUNTIMES), key=_init("lambda.runtime"))
    out["package_mb"] = c[3].number_input("Package (MB)", 0.0, 250.0,
                                          key=_init("lambda.package_mb"))
    out["on_throttle"] = st.radio("Throttled requests", ("error", "retry"), horizontal=True,
                                  key=_init("lambda.on_throttle"))
    if out["keep_alive_dist"] == "uniform":
        out["keep_alive_min_s"] = st.number_input("Keep-alive minimum (s)", 0.0,
                                                  key=_init("lambda.keep_alive_min_s"))
    return out


def _fargate() -> dict[str, Any]:
    c = st.columns(4)
    out = {
        "vcpu": c[0].selectbox("vCPU per task", tuple(float(v) for v in FARGATE_VCPUS),
                               format_func="{:g}".format, key=_init("fargate.vcpu")),
        "memory_gb": c[1].number_input("Memory per task (GB)", 0.5, 120.0,
                                       key=_init("fargate.memory_gb")),
        "min_tasks": c[2].number_input("Min tasks", 0, 5000, key=_init("fargate.min_tasks")),
        "max_tasks": c[3].number_input("Max tasks", 1, 5000, key=_init("fargate.max_tasks")),
    }
    c = st.columns(4)
    out["per_task_concurrency"] = c[0].number_input("Requests per task", 1, 10_000,
                                                    key=_init("fargate.per_task_concurrency"))
    out["start_delay_s"] = c[1].number_input("Task start delay (s)", 0.0, 3600.0,
                                             key=_init("fargate.start_delay_s"))
    out["target_utilization"] = c[2].number_input("Target utilisation", 0.05, 1.0,
                                                  key=_init("fargate.target_utilization"))
    out["scale_in_cooldown_s"] = c[3].number_input("Scale-in cool-down (s)", 0.0,
                                                   key=_init("fargate.scale_in_cooldown_s"))
    out["alb"] = st.checkbox("Application Load Balancer cost", key=_init("fargate.alb"))
    return out


def _router(models: list[str]) -> dict[str, Any]:
    kinds = [k for k in ROUTER_LABELS if k != "model" or models]
    key = _init("router.kind")
    if st.session_state[key] not in kinds:
        st.session_state[key] = "rule"
    c = st.columns(3)
    kind = c[0].selectbox("Hybrid router", kinds, format_func=ROUTER_LABELS.get, key=key,
                          help="Registry models appear once one is trained (Train page).")
    out: dict[str, Any] = {"kind": kind}
    if kind == "model":
        mkey = _init("router.model_id", models[0])
        if st.session_state[mkey] not in models:
            st.session_state[mkey] = models[0]
        out["model_id"] = c[1].selectbox("Model", models, key=mkey)
        out["placement"] = c[2].radio("Router runs", ("in_process", "lambda_call"),
                                      key=_init("router.placement"), horizontal=True,
                                      format_func=lambda p: {"in_process": "in process",
                                                             "lambda_call": "own Lambda call"}[p],
                                      help="In process: adds its evaluation time, no bill. Own "
                                           "Lambda call: billed per request (512 MB).")
        c[2].caption("Decides from batch library predictions; each run also scores 1,000 "
                     "sampled requests through the portable evaluator (as deployed).")
    elif kind == "rule":
        out["threshold_kb"] = c[1].number_input("Payload threshold (KB)", 0.0,
                                                key=_init("router.threshold_kb"))
        out["lambda_when"] = c[2].selectbox("Lambda gets payloads that are",
                                            ("small", "large"), key=_init("router.lambda_when"))
    elif kind == "random":
        out["p_lambda"] = c[1].number_input("P(Lambda)", 0.0, 1.0, key=_init("router.p_lambda"))
    return out


#: The long-horizon field (drawn by the page below the form): while it holds a duration, the
#: request count is not used.
HORIZON_KEY = "sim.horizon"


def scenario_form(dataset, models: list[str]) -> dict[str, Any]:
    """Draw the builder; returns the scenario dict (not yet validated)."""
    c = st.columns(4)
    spec: dict[str, Any] = {
        "requests": c[0].number_input(
            "Requests", 100, 5_000_000, step=10_000, key=_init("requests"),
            disabled=bool(str(st.session_state.get(HORIZON_KEY) or "").strip()),
            help="Requests per strategy. Not used while a duration is set below (the "
                 "traffic then runs for that long)."),
        "seed": c[1].number_input("Seed", 0, 2**31 - 1, key=_init("seed")),
        "prices": c[2].selectbox("Prices", ("aws-2026", "thesis"), key=_init("prices")),
        "region": c[3].selectbox("Region", ("eu-west-1", "us-east-1"), key=_init("region")),
    }
    tabs = st.tabs(["Traffic", "Request mix", "Lambda", "Fargate", "Router"])
    with tabs[0]:
        spec["traffic"] = _traffic(dataset)
    with tabs[1]:
        spec["mix"], payloads = _mix(dataset)
        if payloads:
            spec["payload_kb"] = payloads
    with tabs[2]:
        spec["lambda"] = _lambda()
    with tabs[3]:
        spec["fargate"] = _fargate()
    with tabs[4]:
        spec["router"] = _router(models)
    return _with_loaded(spec)


def _with_loaded(spec: dict[str, Any]) -> dict[str, Any]:
    """The form's values over a loaded scenario (keys without widgets survive)."""
    loaded = st.session_state.get(LOADED_KEY) or {}
    out = {k: v for k, v in loaded.items() if k not in ("mix",) or "mix" not in spec}
    for key, value in spec.items():
        base = loaded.get(key)
        same_kind = key != "traffic" or (isinstance(base, dict)
                                         and base.get("kind") == value.get("kind"))
        if isinstance(value, dict) and isinstance(base, dict) and same_kind and key != "mix":
            out[key] = {**base, **value}
        else:
            out[key] = value
    if out.get("traffic", {}).get("kind") == "trace" and out["traffic"].get("file"):
        out["traffic"].pop("file")  # the page replays timestamps, never a server-side path
    return out
