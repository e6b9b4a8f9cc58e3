"""Trained pipeline -> versioned, plain-JSON model document for `core.portable.evaluator`.

Why JSON and not a pickle: a pickle ties the deployed function to exact library versions
and pulls in ~700 MB of dependencies (seeds 000 and 004). The document holds the feature
transform spec, the optional scaler and the estimator as numbers. Tree ensembles (tens of
thousands of nodes) are stored as typed little-endian arrays in base64, so the cold start
decodes them in C instead of parsing every number; everything else is plain JSON.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np

from core.errors import UserError
from core.portable.evaluator import FORMAT, FORMAT_VERSION

#: estimator class name -> short model type used in the document.
MODEL_TYPES = {
    "DummyClassifier": "baseline",
    "LogisticRegression": "logreg",
    "RandomForestClassifier": "rf",
    "XGBClassifier": "xgb",
    "LGBMClassifier": "lgbm",
    "MLPClassifier": "mlp",
}


def _f32_list(values: Any) -> list[float]:
    """Values rounded to float32, as XGBoost holds them."""
    return [float(v) for v in np.asarray(values, dtype=np.float32).ravel()]


def _f64_list(values: Any) -> list[float]:
    return [float(v) for v in np.asarray(values, dtype=np.float64).ravel()]


def _check_binary(est: Any) -> None:
    classes = [int(c) for c in np.asarray(getattr(est, "classes_", []))
               if str(c).lstrip("-").isdigit()]
    if classes != [0, 1]:
        raise UserError(f"The model must be a binary classifier with classes [0, 1]; got "
                        f"{list(getattr(est, 'classes_', []))}. Retrain on a 0/1 label.")


# -- estimators ----------------------------------------------------------------------------
def _dummy(est: Any) -> dict[str, Any]:
    prior = np.asarray(est.class_prior_, dtype=float)
    if est.strategy == "prior":
        p = float(prior[1])
    elif est.strategy == "most_frequent":
        p = float(np.argmax(prior) == 1)
    elif est.strategy == "constant":
        p = float(int(est.constant) == 1)
    else:
        raise UserError(f"DummyClassifier(strategy={est.strategy!r}) is random and cannot be "
                        "exported; use strategy 'prior' or 'most_frequent'.")
    return {"kind": "constant", "p": p}


def _logreg(est: Any) -> dict[str, Any]:
    coef = np.asarray(est.coef_, dtype=float)
    if coef.shape[0] != 1:
        raise UserError(f"LogisticRegression has {coef.shape[0]} coefficient rows; a binary "
                        "model has 1. Retrain on a 0/1 label.")
    return {"kind": "linear", "coef": _f64_list(coef[0]),
            "intercept": float(np.asarray(est.intercept_, dtype=float)[0])}


def _mlp(est: Any) -> dict[str, Any]:
    if est.out_activation_ != "logistic":
        raise UserError(f"MLPClassifier output {est.out_activation_!r} is not binary "
                        "logistic; retrain on a 0/1 label.")
    layers = [{"W": [_f64_list(col) for col in np.asarray(w, dtype=float).T],
               "b": _f64_list(b)} for w, b in zip(est.coefs_, est.intercepts_, strict=True)]
    return {"kind": "mlp", "activation": est.activation, "layers": layers}


def _flat_tree(n_nodes: int, is_leaf: Any, left: Any, right: Any) -> tuple[list, list, dict]:
    """Renumber nodes: internal nodes 0..k-1, leaves ~0..~(m-1); returns (internal, leaves,
    old -> new child code)."""
    internal = [i for i in range(n_nodes) if not is_leaf(i)]
    leaves = [i for i in range(n_nodes) if is_leaf(i)]
    code = {old: new for new, old in enumerate(internal)}
    code.update({old: ~new for new, old in enumerate(leaves)})
    return internal, leaves, code


def _packed(values: Any, dtype: str) -> dict[str, str]:
    """A little-endian typed array as base64: decoded in C at load (no number parsing)."""
    data = np.ascontiguousarray(np.asarray(values).astype(dtype, casting="unsafe"))
    return {"dtype": dtype, "b64": base64.b64encode(data.tobytes()).decode("ascii")}


def _pack_trees(trees: list[dict[str, Any]], *, flavor: str, le: bool,
                base: float = 0.0) -> dict[str, Any]:
    """Per-tree node lists (local child codes) -> one set of global arrays.

    `le`: the library splits on x <= t; stored as x < nextafter(t, +inf), which is the same
    test for every double x, so the evaluator has a single comparison.
    """
    cols: dict[str, list] = {k: [] for k in ("feature", "threshold", "left", "right",
                                             "default_left", "missing", "leaf")}
    roots = []
    for tree in trees:
        node0, leaf0 = len(cols["feature"]), len(cols["leaf"])

        def shift(code: int, node0: int = node0, leaf0: int = leaf0) -> int:
            return code + node0 if code >= 0 else ~(~code + leaf0)

        if "leaf" in tree:
            roots.append(~leaf0)
            cols["leaf"].append(tree["leaf"])
            continue
        roots.append(node0)
        cols["feature"] += tree["f"]
        cols["threshold"] += tree["t"]
        cols["left"] += [shift(c) for c in tree["l"]]
        cols["right"] += [shift(c) for c in tree["r"]]
        cols["default_left"] += tree["d"]
        cols["missing"] += tree.get("m", [0] * len(tree["f"]))
        cols["leaf"] += tree["v"]
    real = "<f4" if flavor == "xgboost" else "<f8"
    thresholds = np.asarray(cols["threshold"], dtype=np.float64)
    if le:
        thresholds = np.nextafter(thresholds, np.inf)
    return {"kind": "trees", "flavor": flavor, "split": "lt", "base": float(base),
            "n_trees": len(roots), "n_nodes": len(cols["feature"]),
            "roots": _packed(roots, "<i4"), "feature": _packed(cols["feature"], "<i2"),
            "threshold": _packed(thresholds, real), "left": _packed(cols["left"], "<i4"),
            "right": _packed(cols["right"], "<i4"),
            "default_left": _packed(cols["default_left"], "|u1"),
            "missing": _packed(cols["missing"], "|u1"), "leaf": _packed(cols["leaf"], real)}


def _sklearn_forest(est: Any) -> dict[str, Any]:
    trees = []
    for tree_est in est.estimators_:
        t = tree_est.tree_
        left, right = t.children_left, t.children_right
        value = np.asarray(t.value[:, 0, :], dtype=float)
        total = value.sum(axis=1)
        p1 = value[:, 1] / np.where(total == 0, 1.0, total)
        internal, leaves, code = _flat_tree(t.node_count, lambda i, lf=left: lf[i] == -1,
                                            left, right)
        if not internal:
            trees.append({"leaf": float(p1[0])})
            continue
        missing_left = getattr(t, "missing_go_to_left", np.zeros(t.node_count, dtype=int))
        trees.append({
            "f": [int(t.feature[i]) for i in internal],
            "t": [float(t.threshold[i]) for i in internal],
            "l": [code[int(left[i])] for i in internal],
            "r": [code[int(right[i])] for i in internal],
            "d": [int(missing_left[i]) for i in internal],
            "v": [float(p1[i]) for i in leaves],
        })
    return _pack_trees(trees, flavor="sklearn", le=True)


def _xgb_base_margin(config: dict[str, Any]) -> float:
    raw = str(config["learner"]["learner_model_param"]["base_score"]).strip("[]")
    p = float(raw.split(",")[0])
    return math.log(p / (1.0 - p))


def _xgboost(est: Any) -> dict[str, Any]:
    booster = est.get_booster()
    config = json.loads(booster.save_config())
    objective = config["learner"]["objective"]["name"]
    if objective != "binary:logistic":
        raise UserError(f"XGBoost objective {objective!r} is not supported; the router "
                        "expects 'binary:logistic'.")
    if config["learner"]["gradient_booster"]["name"] != "gbtree":
        raise UserError("Only XGBoost tree boosters (booster='gbtree') can be exported.")
    model = json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["model"]
    raw_trees = model["trees"]
    best = booster.attr("best_iteration")
    if best is not None:
        raw_trees = raw_trees[: int(model["iteration_indptr"][int(best) + 1])]
    trees = []
    for t in raw_trees:
        if any(int(s) != 0 for s in t["split_type"]):
            raise UserError("XGBoost categorical splits cannot be exported; train on the "
                            "one-hot features that core.features produces.")
        left, right = t["left_children"], t["right_children"]
        internal, leaves, code = _flat_tree(len(left), lambda i, lf=left: lf[i] == -1,
                                            left, right)
        cond = t["split_conditions"]
        if not internal:
            trees.append({"leaf": _f32_list([cond[0]])[0]})
            continue
        trees.append({
            "f": [int(t["split_indices"][i]) for i in internal],
            "t": _f32_list([cond[i] for i in internal]),
            "l": [code[left[i]] for i in internal],
            "r": [code[right[i]] for i in internal],
            "d": [int(t["default_left"][i]) for i in internal],
            "v": _f32_list([cond[i] for i in leaves]),
        })
    return _pack_trees(trees, flavor="xgboost", le=False, base=_xgb_base_margin(config))


_LGBM_MISSING = {"NaN": 0, "None": 1, "Zero": 2}  # evaluator codes, see evaluator._Trees


def _lgbm_tree(root: dict[str, Any]) -> dict[str, Any]:
    if "leaf_value" in root:
        return {"leaf": float(root["leaf_value"])}
    nodes: list[dict] = []
    leaves: list[float] = []

    def visit(node: dict[str, Any]) -> int:
        if "leaf_value" in node:
            leaves.append(float(node["leaf_value"]))
            return ~(len(leaves) - 1)
        if node["decision_type"] != "<=":
            raise UserError("LightGBM categorical splits cannot be exported; train on the "
                            "one-hot features that core.features produces.")
        index = len(nodes)
        rec = {"f": int(node["split_feature"]), "t": float(node["threshold"]),
               "d": int(bool(node["default_left"])),
               "m": _LGBM_MISSING[node["missing_type"]]}
        nodes.append(rec)
        rec["l"] = visit(node["left_child"])
        rec["r"] = visit(node["right_child"])
        return index

    visit(root)
    return {key: [n[key] for n in nodes] for key in ("f", "t", "l", "r", "d", "m")} | {
        "v": leaves}


def _lgbm_dump(est: Any) -> dict[str, Any]:
    """The booster's trees up to its best iteration; boosting='rf' (averaged output) refused."""
    booster = est.booster_
    best = booster.best_iteration
    dump = booster.dump_model(num_iteration=best if best and best > 0 else None)
    if dump.get("average_output"):
        raise UserError("LightGBM boosting='rf' (averaged output) cannot be exported; use "
                        "the default 'gbdt'.")
    return dump


def _lightgbm(est: Any) -> dict[str, Any]:
    dump = _lgbm_dump(est)
    if dump.get("num_tree_per_iteration", 1) != 1 or not str(dump["objective"]).startswith(
            "binary"):
        raise UserError(f"LightGBM objective {dump['objective']!r} is not supported; the "
                        "router expects a binary objective.")
    sigmoid = float(str(dump["objective"]).split("sigmoid:")[-1]) if "sigmoid:" in str(
        dump["objective"]) else 1.0
    if sigmoid != 1.0:
        raise UserError(f"LightGBM sigmoid={sigmoid} is not supported; use the default 1.0.")
    trees = [_lgbm_tree(info["tree_structure"]) for info in dump["tree_info"]]
    return _pack_trees(trees, flavor="lightgbm", le=True)


def lightgbm_regressor(est: Any) -> dict[str, Any]:
    """A fitted LightGBM regressor (regression or quantile objective) as packed trees whose
    output is the raw sum of leaves (``"output": "raw"``: no sigmoid), for objective routers."""
    dump = _lgbm_dump(est)
    objective = str(dump["objective"]).split()[0]
    if dump.get("num_tree_per_iteration", 1) != 1 or objective not in ("regression",
                                                                       "quantile"):
        raise UserError(f"LightGBM objective {dump['objective']!r} is not supported for a "
                        "regressor; use 'regression' or 'quantile'.")
    trees = [_lgbm_tree(info["tree_structure"]) for info in dump["tree_info"]]
    return {**_pack_trees(trees, flavor="lightgbm", le=True), "output": "raw"}


_EXPORTERS = {"baseline": _dummy, "logreg": _logreg, "rf": _sklearn_forest,
              "xgb": _xgboost, "lgbm": _lightgbm, "mlp": _mlp}


# -- pipeline ------------------------------------------------------------------------------
def export_pipeline(pipeline: Any, *, metadata: dict[str, Any] | None = None
                    ) -> dict[str, Any]:
    """The portable document for a fitted [features, (scale), model] pipeline.

    Raises UserError for a pipeline shape or estimator the evaluator cannot reproduce.
    """
    steps = dict(getattr(pipeline, "named_steps", {}))
    if "features" not in steps or "model" not in steps or not set(steps) <= {
            "features", "scale", "model"}:
        raise UserError(f"Expected a pipeline with steps features, (scale), model; got "
                        f"{list(steps)}. Train it with core.training.")
    est = steps["model"]
    model_type = MODEL_TYPES.get(type(est).__name__)
    if model_type is None:
        raise UserError(f"Model {type(est).__name__} cannot be exported; supported: "
                        f"{sorted(MODEL_TYPES)}.")
    _check_binary(est)
    scale = None
    if "scale" in steps:
        scaler = steps["scale"]
        width = len(steps["features"].feature_names_out_)
        mean = scaler.mean_ if getattr(scaler, "with_mean", True) else None
        std = scaler.scale_ if getattr(scaler, "with_std", True) else None
        scale = {"mean": _f64_list(mean) if mean is not None else [0.0] * width,
                 "scale": _f64_list(std) if std is not None else [1.0] * width}
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model_type": model_type,
        "features": steps["features"].to_dict(),
        "scale": scale,
        "estimator": _EXPORTERS[model_type](est),
        "metadata": metadata or {},
    }


def dumps(doc: dict[str, Any]) -> str:
    """Compact JSON (no spaces): the zip budget is 1 MB for 300 deep trees."""
    return json.dumps(doc, separators=(",", ":"), allow_nan=False)
