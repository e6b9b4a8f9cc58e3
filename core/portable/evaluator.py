"""Evaluate a portable routing model (JSON) with the Python standard library only.

Why: this one file ships inside the Lambda zip and the SageMaker tarball next to
`model.json`. It must not import numpy, pandas or any ML library, and it must give the
same probability as the trained pipeline's `predict_proba` (within 1e-6). So it rebuilds
the feature transform from its JSON spec and mirrors each library's arithmetic:
sklearn and XGBoost trees see float32 inputs, XGBoost sums leaves in float32, LightGBM
compares doubles and has its own missing-value rules. Everything is compiled once at
load time into flat lists; a prediction does no parsing. Runs on Python 3.9 or newer
(SageMaker containers may be older than the Lambda runtime).
"""

from __future__ import annotations

import binascii
import json
import math
import struct
import sys
from array import array
from operator import mul

FORMAT = "routing-lab-portable-model"
FORMAT_VERSION = 1
#: Veltkamp splitter: c = s * (2**29 + 1); s - (c - s) ... rounds a double to 24 bits.
_SPLIT32 = 536870913.0
#: LightGBM drops dense inputs with |x| <= this (they become 0.0) and its "zero" missing type
#: treats them as missing.
_LGBM_ZERO = 1e-35
_MISSING_DEFAULT, _MISSING_AS_ZERO, _MISSING_ZERO_OR_NAN = 0, 1, 2


class ModelFormatError(ValueError):
    """The JSON is not a portable model this evaluator understands."""


def _sigmoid(z: float) -> float:
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


_STRUCTS: dict[int, struct.Struct] = {}


def _f32_all(values: list[float]) -> list[float]:
    """Round doubles to float32 (as numpy's astype(float32); out of range -> inf)."""
    n = len(values)
    packer = _STRUCTS.get(n)
    if packer is None:
        packer = _STRUCTS[n] = struct.Struct(f"{n}f")
    return list(packer.unpack(packer.pack(*values)))


# -- feature transform ---------------------------------------------------------------------
def _as_text(value: object) -> str | None:
    """pandas astype('string') of one cell: None/NaN are missing, else str()."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def _as_number(value: object) -> float:
    """pd.to_numeric(errors='coerce') of one cell; NaN when not a number."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        try:
            return float(value)
        except OverflowError:
            return math.nan
    if isinstance(value, str) and "_" not in value:
        try:
            return float(value)
        except ValueError:
            return math.nan
    return math.nan


def hour_of_day(value: object) -> float:
    """Fractional UTC hour of an ISO 8601 timestamp or a datetime (naive = UTC); NaN if
    unparseable."""
    from datetime import datetime, timezone  # imported at load by models that use time

    if isinstance(value, datetime):
        ts = value
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):  # Python < 3.11 does not read the Z suffix
            text = text[:-1] + "+00:00"
        try:
            ts = datetime.fromisoformat(text)
        except ValueError:
            return math.nan
    else:
        return math.nan
    if ts.tzinfo is not None:
        ts = ts.astimezone(timezone.utc)  # noqa: UP017 (datetime.UTC needs Python 3.11)
    return ts.hour + ts.minute / 60.0 + ts.second / 3600.0


class _Features:
    """The fitted core.features.FeatureTransform, rebuilt from its to_dict() spec."""

    def __init__(self, spec: dict[str, object]):
        if spec.get("format_version") != 1:
            raise ModelFormatError(f"feature spec version {spec.get('format_version')!r} "
                                   "is not supported; expected 1")
        self.input_features = list(spec["input_features"])
        self.kinds = dict(spec["kinds"])
        self.categories = {k: list(v) for k, v in spec["categories"].items()}
        self.width = len(spec["feature_names_out"])
        steps: list[tuple] = []
        j = 0
        for col in self.input_features:
            kind = self.kinds[col]
            if kind == "categorical":
                levels = self.categories[col]
                steps.append((0, col, {lv: j + k for k, lv in enumerate(levels)}))
                j += len(levels)
            elif kind == "hour":
                steps.append((1, col, j))
                j += 2
            elif kind == "numeric":
                payload = "payload" in col
                steps.append((2, col, (j, float(spec["medians"][col]), payload)))
                j += 2 if payload else 1
            else:
                raise ModelFormatError(f"unknown feature kind {kind!r} for {col!r}")
        if "hour" in self.kinds.values():
            import datetime  # noqa: F401  (load it now, not on the first request)
        if j != self.width:
            raise ModelFormatError(f"feature spec builds {j} columns but names {self.width}")
        self._steps = tuple(steps)

    def row(self, record: dict[str, object]) -> list[float]:
        """One model-matrix row for a request (missing keys count as missing values)."""
        x = [0.0] * self.width
        get = record.get
        for kind, col, arg in self._steps:
            if kind == 0:
                j = arg.get(_as_text(get(col)))
                if j is not None:
                    x[j] = 1.0
            elif kind == 1:
                hour = hour_of_day(get(col))
                if hour != hour:
                    hour = 12.0
                angle = 2 * math.pi * hour / 24.0
                x[arg] = math.sin(angle)
                x[arg + 1] = math.cos(angle)
            else:
                j, median, payload = arg
                v = _as_number(get(col))
                if v != v or v in (math.inf, -math.inf):
                    v = median
                x[j] = v
                if payload:
                    x[j + 1] = math.log1p(v if v > 0.0 else 0.0)
        return x


# -- estimators ----------------------------------------------------------------------------
class _Constant:
    def __init__(self, spec: dict[str, object]):
        self.p = float(spec["p"])

    def __call__(self, x: list[float]) -> float:
        return self.p


class _Linear:
    def __init__(self, spec: dict[str, object]):
        self.coef = [float(c) for c in spec["coef"]]
        self.intercept = float(spec["intercept"])

    def __call__(self, x: list[float]) -> float:
        return _sigmoid(sum(map(mul, self.coef, x)) + self.intercept)


_ACTIVATIONS = {
    "relu": lambda v: v if v > 0.0 else 0.0,
    "tanh": math.tanh,
    "logistic": _sigmoid,
    "identity": lambda v: v,
}


class _MLP:
    """sklearn MLPClassifier forward pass; weights kept per output unit (rows of W^T)."""

    def __init__(self, spec: dict[str, object]):
        if spec["activation"] not in _ACTIVATIONS:
            raise ModelFormatError(f"unknown MLP activation {spec['activation']!r}")
        self.act = _ACTIVATIONS[spec["activation"]]
        self.layers = [([[float(w) for w in unit] for unit in layer["W"]],
                        [float(b) for b in layer["b"]]) for layer in spec["layers"]]

    def __call__(self, x: list[float]) -> float:
        act = self.act
        a = x
        last = len(self.layers) - 1
        for i, (units, bias) in enumerate(self.layers):
            z = [sum(map(mul, w, a)) + b for w, b in zip(units, bias)]  # noqa: B905 (3.9)
            if i == last:
                return _sigmoid(z[0])
            a = [act(v) for v in z]
        raise ModelFormatError("MLP has no layers")


_ARRAY_CODES = {"<i2": "h", "<i4": "i", "<f4": "f", "<f8": "d", "|u1": "B"}


def unpack_array(packed: dict) -> list:
    """A {"dtype", "b64"} packed little-endian array as a list (decoded in C, no parsing)."""
    code = _ARRAY_CODES.get(packed.get("dtype"))
    if code is None:
        raise ModelFormatError(f"unknown packed dtype {packed.get('dtype')!r}")
    values = array(code)
    if values.itemsize != int(packed["dtype"][2:]):
        raise ModelFormatError(f"this platform's {code!r} arrays are not {packed['dtype']}")
    values.frombytes(binascii.a2b_base64(packed["b64"]))
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist()


class _Trees:
    """Tree ensembles as five flat arrays over all trees: feature, threshold, left, right
    (internal nodes) and leaf values; `roots` holds each tree's first node.

    Children >= 0 are internal nodes, < 0 are leaves (~index), so a walk is
    `n = left[n] if x[feature[n]] < threshold[n] else right[n]` until n < 0. Every split
    is `x < t`: the exporter stores a library's `x <= t` as nextafter(t, +inf), exact for
    doubles.
    """

    def __init__(self, spec: dict[str, object]):
        self.flavor = spec["flavor"]
        if self.flavor not in ("sklearn", "xgboost", "lightgbm"):
            raise ModelFormatError(f"unknown tree flavor {self.flavor!r}")
        if spec.get("split") != "lt":
            raise ModelFormatError(f"split {spec.get('split')!r} is not supported; expected 'lt'")
        arrays = {k: unpack_array(spec[k]) for k in
                  ("roots", "feature", "threshold", "left", "right", "default_left",
                   "missing", "leaf")}
        self.roots = arrays["roots"]
        self.feature, self.threshold = arrays["feature"], arrays["threshold"]
        self.left, self.right = arrays["left"], arrays["right"]
        self.default_left, self.missing = arrays["default_left"], arrays["missing"]
        self.leaf = arrays["leaf"]
        if not self.roots:
            raise ModelFormatError("tree model has no trees")
        n_nodes = len(self.feature)
        if not (len(self.threshold) == len(self.left) == len(self.right)
                == len(self.default_left) == len(self.missing) == n_nodes):
            raise ModelFormatError("tree node arrays have different lengths")
        self.base = float(spec.get("base", 0.0))
        if self.flavor == "xgboost":
            self.base = _f32_all([self.base])[0]
        self.any_zero_missing = _MISSING_ZERO_OR_NAN in self.missing
        self.n = len(self.roots)
        #: "raw": a regressor's sum of leaves (objective routers), no sigmoid
        self.raw = spec.get("output") == "raw"
        if self.raw and self.flavor != "lightgbm":
            raise ModelFormatError("raw tree output is only defined for lightgbm trees")

    def _leaves(self, x: list[float]) -> list[float]:
        """Leaf value of each tree (slow path: NaN inputs and missing-value rules)."""
        feat, thr, left, right = self.feature, self.threshold, self.left, self.right
        default, miss, leaf = self.default_left, self.missing, self.leaf
        out = []
        for n in self.roots:
            while n >= 0:
                v = x[feat[n]]
                m = miss[n]
                if v != v and m == _MISSING_AS_ZERO:
                    v = 0.0
                if v != v or (m == _MISSING_ZERO_OR_NAN and -_LGBM_ZERO <= v <= _LGBM_ZERO):
                    n = left[n] if default[n] else right[n]
                else:
                    n = left[n] if v < thr[n] else right[n]
            out.append(leaf[~n])
        return out

    def __call__(self, x: list[float]) -> float:
        flavor = self.flavor
        if flavor == "lightgbm":
            x = [0.0 if -_LGBM_ZERO <= v <= _LGBM_ZERO else v for v in x]
        else:
            x = _f32_all(x)
        total = sum(x)
        # A NaN somewhere (or LightGBM zero-as-missing): take the missing-value rules path.
        leaves = self._leaves(x) if total != total or self.any_zero_missing else None
        feat, thr, left, right, leaf = (self.feature, self.threshold, self.left, self.right,
                                        self.leaf)
        if flavor == "xgboost":
            s = self.base
            if leaves is None:
                for n in self.roots:
                    while n >= 0:
                        n = left[n] if x[feat[n]] < thr[n] else right[n]
                    s += leaf[~n]
                    c = s * _SPLIT32  # keep the running sum in float32, as XGBoost does
                    s = c - (c - s)
            else:
                for value in leaves:
                    s += value
                    c = s * _SPLIT32
                    s = c - (c - s)
            return _f32_all([_sigmoid(s)])[0]
        s = 0.0
        if leaves is None:
            for n in self.roots:
                while n >= 0:
                    n = left[n] if x[feat[n]] < thr[n] else right[n]
                s += leaf[~n]
        else:
            for value in leaves:
                s += value
        if flavor == "sklearn":
            return s / self.n
        if self.raw:
            return s + self.base
        return _sigmoid(s + self.base)


PLATFORMS = ("lambda", "ecs")
TARGETS = ("latency_p50_ms", "latency_p95_ms", "cost_usd")
OBJECTIVE_KINDS = ("min_cost", "min_latency", "weighted", "label_rule")


def decide(objective: dict, pred: dict, workload: object) -> bool:
    """True when an objective router sends the request to Lambda: the stdlib twin of
    core.objective.objectives (same comparisons in the same order; a test keeps them equal).
    ``pred`` maps "{platform}_{target}" to latency (ms) and cost (USD)."""
    kind = objective.get("kind")
    lam_cost, ecs_cost = pred["lambda_cost_usd"], pred["ecs_cost_usd"]
    if kind == "min_cost":
        slo = (objective.get("per_workload") or {}).get(workload, objective.get("p95_ms"))
        slo = math.inf if slo is None else slo
        lam_p95, ecs_p95 = pred["lambda_latency_p95_ms"], pred["ecs_latency_p95_ms"]
        ok_l, ok_e = lam_p95 <= slo, ecs_p95 <= slo
        if ok_l and ok_e:
            return lam_cost < ecs_cost
        if ok_l != ok_e:
            return ok_l
        return lam_p95 < ecs_p95
    if kind == "min_latency":
        budget = objective["budget_per_million_usd"] / 1e6
        key = "latency_" + objective.get("latency", "p50") + "_ms"
        ok_l, ok_e = lam_cost <= budget, ecs_cost <= budget
        if ok_l and ok_e:
            return pred["lambda_" + key] < pred["ecs_" + key]
        if ok_l != ok_e:
            return ok_l
        return lam_cost < ecs_cost
    if kind == "weighted":
        v = objective["value_of_time_usd_per_s"]
        key = "latency_" + objective.get("latency", "p50") + "_ms"
        return (lam_cost + v * pred["lambda_" + key] / 1000.0
                < ecs_cost + v * pred["ecs_" + key] / 1000.0)
    if kind == "label_rule":
        keep = 1.0 - objective.get("margin", 0.10)
        return (pred["lambda_latency_p50_ms"] < keep * pred["ecs_latency_p50_ms"]
                and lam_cost < keep * ecs_cost)
    raise ModelFormatError(f"unknown objective kind {kind!r}")


class _Router:
    """An objective router: latency p50/p95 and cost regressors per platform + an objective.
    It decides rather than estimates a probability (see Model.route)."""

    def __init__(self, spec: dict[str, object]):
        self.cost_unit = float(spec.get("cost_unit", 1.0))
        regressors = spec["regressors"]
        self.models = {}
        for platform in PLATFORMS:
            for target in TARGETS:
                key = platform + "_" + target
                if key not in regressors:
                    raise ModelFormatError(f"router lacks the {key} regressor")
                model = _Trees(regressors[key])
                if not model.raw:
                    raise ModelFormatError(f"router regressor {key} must have raw output")
                self.models[key] = model
        self.objective = dict(spec["objective"])
        if self.objective.get("kind") not in OBJECTIVE_KINDS:
            raise ModelFormatError(f"unknown objective kind {self.objective.get('kind')!r}")

    def predict(self, x: list[float]) -> dict[str, float]:
        out = {}
        for key, model in self.models.items():
            value = model(x)
            out[key] = value * self.cost_unit if key.endswith("cost_usd") else value
        return out

    def __call__(self, x: list[float]) -> float:
        raise ModelFormatError("an objective router decides per request: call Model.route")


_ESTIMATORS = {"constant": _Constant, "linear": _Linear, "mlp": _MLP, "trees": _Trees,
               "router": _Router}


class Model:
    """A loaded portable model: `predict_proba(request) -> P(Lambda is optimal)`."""

    def __init__(self, doc: dict[str, object]):
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise ModelFormatError(f"not a {FORMAT} document")
        if doc.get("format_version") != FORMAT_VERSION:
            raise ModelFormatError(f"format version {doc.get('format_version')!r} is not "
                                   f"supported; this evaluator reads {FORMAT_VERSION}")
        self.model_type = doc.get("model_type", "unknown")
        self.features = _Features(doc["features"])
        scale = doc.get("scale")
        width = self.features.width
        self.mean = [float(m) for m in scale["mean"]] if scale else None
        self.scale = [float(s) for s in scale["scale"]] if scale else None
        if scale and not (len(self.mean) == len(self.scale) == width):
            raise ModelFormatError(f"scaler has {len(self.scale)} columns, features {width}")
        est = doc["estimator"]
        if est.get("kind") not in _ESTIMATORS:
            raise ModelFormatError(f"unknown estimator kind {est.get('kind')!r}")
        self.estimator = _ESTIMATORS[est["kind"]](est)

    @property
    def input_features(self) -> list[str]:
        return self.features.input_features

    def row(self, record: dict[str, object]) -> list[float]:
        """The estimator's input row (after feature transform and scaling)."""
        x = self.features.row(record)
        if self.mean is not None:
            x = [(v - m) / s for v, m, s in zip(x, self.mean, self.scale)]  # noqa: B905
        return x

    @property
    def is_router(self) -> bool:
        """An objective router (per-platform predictors + an objective), not a classifier."""
        return isinstance(self.estimator, _Router)

    def route(self, record: dict[str, object]) -> dict[str, object]:
        """An objective router's decision for one request: platform, lambda_probability (1.0
        or 0.0: it decides, it does not estimate a probability) and details (the objective
        and the predicted latency and cost per platform)."""
        pred = self.estimator.predict(self.row(record))
        lam = decide(self.estimator.objective, pred, _as_text(record.get("workload_type")))
        details = {"objective": self.estimator.objective}
        for platform in PLATFORMS:
            details[platform] = {t: pred[platform + "_" + t] for t in TARGETS}
        return {"platform": "lambda" if lam else "ecs",
                "lambda_probability": 1.0 if lam else 0.0, "details": details}

    def predict_proba(self, record: dict[str, object]) -> float:
        """P(label = 1, i.e. Lambda is optimal) for one request dict (an objective router:
        1.0 when it routes to Lambda, else 0.0)."""
        if self.is_router:
            return self.route(record)["lambda_probability"]
        return self.estimator(self.row(record))


def loads(text: str | bytes) -> Model:
    """Model from JSON text."""
    return Model(json.loads(text))


def load(path: str) -> Model:
    """Model from a JSON file."""
    with open(path, "rb") as fh:
        return loads(fh.read())
