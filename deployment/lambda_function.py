"""AWS Lambda handler `lambda_function.lambda_handler`: should this request run on Lambda or ECS?

Ships in function.zip next to `evaluator.py`, `model.json` and `metadata.json`, and uses the
Python standard library only (no numpy, no pickle), so the zip is small and cold starts are
short. Request and response follow the thesis's format (seeds/000). Accepts a direct
invocation (the request is the event) and an API Gateway proxy event (JSON body as a
string). A bad request gets 400 naming the field; an internal error gets the fallback route
with "fallback": true. Every request writes one JSON log line.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time

import evaluator

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_PAYLOAD_KB = 1e9  # 1 TB: anything larger is a unit mistake, not a request
DEFAULT_REQUIRED = ("workload_type", "payload_size_kb")
CONTEXT_FIELDS = ("workload_type", "payload_size_kb", "time_window", "load_pattern")
OPTIONAL_FIELDS = ("timestamp",)


def _load() -> tuple[evaluator.Model | None, dict, str | None]:
    """Model and metadata, loaded once per container; a failure is kept, not raised, so
    every request can still get the fallback route."""
    meta: dict = {}
    try:
        with open(os.path.join(HERE, "metadata.json"), encoding="utf-8") as fh:
            meta = json.load(fh)
        return evaluator.load(os.path.join(HERE, "model.json")), meta, None
    except Exception as exc:  # any failure -> fallback mode
        return None, meta, f"{type(exc).__name__}: {exc}"


MODEL, META, LOAD_ERROR = _load()
#: The trained model's decision threshold (core.decision), so the function decides as
#: `core predict` and the simulator do.
THRESHOLD = float(META.get("decision_threshold", 0.5))


class BadRequest(Exception):
    """A client error: which field, and what is wrong with it."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _show(value: object) -> str:
    """A short JSON-ish rendering of a bad value for the error message."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_proxy(event: object) -> bool:
    """An API Gateway proxy event (its response body must be a JSON string)."""
    return isinstance(event, dict) and (
        any(k in event for k in ("requestContext", "httpMethod", "routeKey"))
        or isinstance(event.get("body"), str))


def _parse(event: object) -> dict:
    """The request fields, from a direct invocation or an API Gateway body."""
    if not isinstance(event, dict):
        raise BadRequest("event", f"the request must be a JSON object; got {_show(event)}")
    if not _is_proxy(event):
        return event
    body = event.get("body")
    if body is None or body == "":
        raise BadRequest("body", "the request body is empty; send a JSON object such as "
                                 '{"workload_type": "lightweight_api", "payload_size_kb": 5}')
    if not isinstance(body, str):
        raise BadRequest("body", f"body must be a JSON string; got {_show(body)}")
    try:
        if event.get("isBase64Encoded"):
            import base64  # rare: only binary-typed API Gateway bodies

            body = base64.b64decode(body, validate=True).decode("utf-8")
        request = json.loads(body)
    except Exception:
        raise BadRequest("body", "the request body is not valid JSON") from None
    if not isinstance(request, dict):
        raise BadRequest("body", f"the request body must be a JSON object; got {_show(request)}")
    return request


def _validate(request: dict) -> dict:
    """Checked request fields the model reads (400 on the first bad one)."""
    if MODEL is not None:
        inputs = list(MODEL.input_features)
        kinds = MODEL.features.kinds
        categories = MODEL.features.categories
    else:
        inputs, kinds, categories = list(DEFAULT_REQUIRED), {
            "workload_type": "categorical", "payload_size_kb": "numeric"}, {}
    clean: dict = {}
    for field in inputs:
        kind = kinds.get(field)
        if field not in request or request[field] is None:
            if field in OPTIONAL_FIELDS or kind == "hour":
                continue
            raise BadRequest(field, f"missing required field '{field}'; the model reads "
                                    f"{inputs}")
        value = request[field]
        if kind == "categorical":
            if not isinstance(value, str) or not value:
                raise BadRequest(field, f"'{field}' must be a non-empty string; got "
                                        f"{_show(value)}")
            known = categories.get(field)
            if field == "workload_type" and known and value not in known:
                raise BadRequest(field, f"unknown workload_type {_show(value)}; the model "
                                        f"knows {known}")
        elif kind == "hour":
            hour = evaluator.hour_of_day(value) if isinstance(value, str) else math.nan
            if hour != hour:  # NaN: not a parseable time
                raise BadRequest(field, f"'{field}' must be an ISO 8601 time such as "
                                        f"2025-11-23T12:00:00Z; got {_show(value)}")
        else:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise BadRequest(field, f"'{field}' must be a number; got {_show(value)}")
            try:
                number = float(value)
            except OverflowError:
                number = math.inf
            if not math.isfinite(number):
                raise BadRequest(field, f"'{field}' must be a finite number; got "
                                        f"{_show(value)}")
            if "payload" in field and not 0 <= number <= MAX_PAYLOAD_KB:
                raise BadRequest(field, f"'{field}' must be between 0 and {MAX_PAYLOAD_KB:g} "
                                        f"KB; got {_show(value)}")
            value = number
        clean[field] = value
    return clean


def _cost_usd(duration_ms: float, context: object) -> float:
    """Lambda price of this invocation: request fee + GB-seconds, billed per started ms."""
    pricing = META.get("pricing", {})
    memory_mb = float(getattr(context, "memory_limit_in_mb", None)
                      or os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE") or 512)
    billed_s = math.ceil(max(duration_ms, 1e-9)) / 1000.0
    return round(pricing.get("request_usd", 2e-7)
                 + pricing.get("gb_second_usd", 0.0000166667) * memory_mb / 1024.0 * billed_s,
                 12)


def _model_info() -> dict:
    return {"model_type": META.get("model_type"), "model_id": META.get("model_id"),
            "test_accuracy": META.get("test_accuracy"),
            "training_date": META.get("training_date"),
            "format_version": META.get("format_version")}


def _now() -> str:
    """UTC ISO time with microseconds (time, not datetime: a faster cold start)."""
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + \
        f".{int(now % 1 * 1e6):06d}Z"


def _respond(status: int, body: dict, proxy: bool) -> dict:
    if proxy:
        return {"statusCode": status, "headers": {"Content-Type": "application/json"},
                "body": json.dumps(body)}
    return {"statusCode": status, "body": body}


def _log(record: dict) -> None:
    sys.stdout.write(json.dumps(record, default=str) + "\n")


def lambda_handler(event: object, context: object = None) -> dict:
    """Route one request. Never raises: 200, 400, or 200 with the fallback route."""
    try:
        return _handle(event, context)
    except Exception as exc:  # last line of defence: still answer with a route
        error = f"{type(exc).__name__}: {exc}"
        _log({"level": "ERROR", "event": "route", "status": 200, "fallback": True,
              "error": error})
        body = {"prediction": {"platform": "lambda", "confidence": None,
                               "lambda_probability": None, "ecs_probability": None},
                "metrics": {"inference_time_ms": None, "inference_cost_usd": None,
                            "timestamp": _now()},
                "request_context": {}, "model_info": {}, "fallback": True,
                "error": f"internal error, used the fallback route: {error}"}
        return _respond(200, body, _is_proxy(event))


def _handle(event: object, context: object) -> dict:
    started = time.perf_counter()
    request_id = getattr(context, "aws_request_id", None)
    log = {"level": "INFO", "event": "route", "request_id": request_id}
    proxy = _is_proxy(event)
    try:
        clean = _validate(_parse(event))
    except BadRequest as bad:
        log.update(level="WARN", status=400, field=bad.field, error=bad.message,
                   duration_ms=round((time.perf_counter() - started) * 1000, 4))
        _log(log)
        return _respond(400, {"error": "bad_request", "field": bad.field,
                              "message": bad.message}, proxy)
    except Exception as exc:  # a bug in parsing must not become a 500
        clean, error = {}, f"{type(exc).__name__}: {exc}"
    else:
        error = LOAD_ERROR
    context_fields = {k: clean.get(k) for k in CONTEXT_FIELDS if k in clean} | {
        k: v for k, v in clean.items() if k not in CONTEXT_FIELDS}
    t0 = time.perf_counter()
    p, details = None, None
    if error is None:
        try:
            if MODEL.is_router:  # an objective router: it decides and says why
                routed = MODEL.route(clean)
                p, details = routed["lambda_probability"], routed["details"]
            else:
                p = MODEL.predict_proba(clean)
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"probability {p!r} out of range")
        except Exception as exc:
            p, error = None, f"{type(exc).__name__}: {exc}"
    inference_ms = (time.perf_counter() - t0) * 1000.0
    if p is None:
        platform = META.get("fallback_platform") or "lambda"
        prediction = {"platform": platform, "confidence": None, "lambda_probability": None,
                      "ecs_probability": None}
    else:
        platform = "lambda" if p >= THRESHOLD else "ecs"
        prediction = {"platform": platform, "confidence": max(p, 1.0 - p),
                      "lambda_probability": p, "ecs_probability": 1.0 - p}
        if details is not None:
            prediction["details"] = details
    body = {
        "prediction": prediction,
        "metrics": {"inference_time_ms": round(inference_ms, 4),
                    "inference_cost_usd": _cost_usd(inference_ms, context),
                    "timestamp": _now()},
        "request_context": context_fields,
        "model_info": _model_info(),
    }
    if error is not None:
        body["fallback"] = True
        body["error"] = f"internal error, used the fallback route: {error}"
        log.update(level="ERROR", fallback=True, error=error)
    # The request's model inputs go into the log line too: `core drift` reads them back from
    # the exported CloudWatch logs to compare live traffic with the training data.
    log.update(status=200, platform=platform, lambda_probability=p,
               inference_time_ms=round(inference_ms, 4),
               duration_ms=round((time.perf_counter() - started) * 1000, 4),
               time=body["metrics"]["timestamp"], request=context_fields)
    _log(log)
    return _respond(200, body, proxy)
