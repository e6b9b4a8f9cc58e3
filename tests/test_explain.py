"""core.explain: additivity per model, one-hot aggregation, what-if, unseen rows, sampling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from sklearn.pipeline import Pipeline

from core.errors import UserError
from core.explain import (
    clear_cache,
    explain,
    explain_request,
    explain_row,
    figures,
    filter_rows,
    whatif_fields,
    whatif_request,
)
from core.features import FeatureTransform
from core.training import make_pipeline
from tests.explain_data import FEATURES, trap_frame, variance_frame

KINDS = ["baseline", "logreg", "rf", "xgb", "lgbm", "mlp"]


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return variance_frame()


@pytest.fixture(scope="module")
def models(frame) -> dict:
    return {k: make_pipeline(k, FEATURES, seed=0).fit(frame, frame["label"]) for k in KINDS}


@pytest.mark.parametrize("kind, output", [("rf", "probability"), ("xgb", "log-odds"),
                                          ("lgbm", "log-odds")])
def test_tree_models_are_additive_within_1e_4(models, frame, kind, output):
    expl = explain(models[kind], frame)
    assert expl.output == output
    assert "exact TreeSHAP" in expl.method
    assert expl.additivity_error < 1e-4
    recomputed = expl.base_value + expl.shap.sum(axis=1).to_numpy() - expl.margin
    assert np.abs(recomputed).max() == pytest.approx(expl.additivity_error)


@pytest.mark.parametrize("kind", ["logreg", "mlp", "baseline"])
def test_non_tree_models_are_additive(models, frame, kind):
    expl = explain(models[kind], frame)
    assert expl.additivity_error < 1e-9


def test_one_hot_parts_are_summed_to_their_feature(models, frame):
    import xgboost

    pipe = models["xgb"]
    expl = explain(pipe, frame)
    assert expl.features == FEATURES
    matrix = pipe[:-1].transform(frame)
    contribs = pipe[-1].get_booster().predict(xgboost.DMatrix(matrix), pred_contribs=True)
    sources = np.array(pipe.named_steps["features"].source_feature_)
    assert (sources == "workload_type").sum() == 4  # four one-hot parts ...
    expected = contribs[:, :-1][:, sources == "workload_type"].sum(axis=1)
    np.testing.assert_allclose(expl.shap["workload_type"], expected, atol=1e-6)  # ... one value
    long = expl.frame()
    assert list(long.columns) == ["row", "feature", "value", "shap"]
    assert set(long["feature"]) == set(FEATURES) and len(long) == len(frame) * len(FEATURES)


@pytest.mark.parametrize("kind", KINDS)
def test_what_if_explanation_matches_the_models_prediction(models, frame, kind):
    request = {"workload_type": "lightweight_api", "payload_size_kb": 250,
               "time_window": "midday", "load_pattern": "burst_load"}
    req = explain_request(models[kind], request, background=frame)
    expected = models[kind].predict_proba(pd.DataFrame([request]))[0, 1]
    assert req.probability == pytest.approx(expected, abs=1e-12)
    assert req.explained_probability == pytest.approx(expected, abs=1e-5)
    assert req.platform == ("lambda" if expected >= 0.5 else "ecs")
    steps = req.waterfall()
    assert steps["kind"].tolist() == ["base", *["feature"] * 4, "total"]
    assert steps["end"].iloc[-1] == pytest.approx(req.output_value)


@pytest.mark.parametrize("kind", ["rf", "xgb", "mlp"])
def test_unseen_categories_and_missing_values_are_explained(models, frame, kind):
    odd = frame.head(20).copy()
    odd["payload_size_kb"] = odd["payload_size_kb"].astype(object)
    odd.loc[odd.index[0], "workload_type"] = "video_transcoding"   # never seen in training
    odd.loc[odd.index[1], "payload_size_kb"] = None
    odd.loc[odd.index[2], "time_window"] = None
    expl = explain(models[kind], odd)
    assert np.isfinite(expl.shap.to_numpy()).all()
    notes = " ".join(expl.notes)
    assert "never saw" in notes and "missing" in notes
    req = explain_request(models[kind], odd.iloc[0], background=frame)
    assert req.explained_probability == pytest.approx(req.probability, abs=1e-5)


def test_large_data_is_sampled_and_says_so(models):
    big = variance_frame(rows=3000, seed=1)
    expl = explain(models["xgb"], big, sample=500, seed=3)
    assert expl.sampled and expl.rows_explained == 500 and expl.rows_total == 3000
    assert "Sampled 500 of 3,000 rows" in expl.sampling_note()
    again = explain(models["xgb"], big, sample=500, seed=3)
    assert again is expl  # cached per model and data hash
    assert not explain(models["xgb"], big.head(100)).sampled


def test_cache_distinguishes_models_and_data(models, frame):
    clear_cache()
    a = explain(models["rf"], frame, model_id="rf-1")
    assert explain(models["rf"], frame, model_id="rf-1") is a
    assert explain(models["rf"], frame.head(50), model_id="rf-1") is not a
    assert explain(models["xgb"], frame) is not a


def test_multiclass_models_explain_class_one():
    from lightgbm import LGBMClassifier
    from sklearn.ensemble import RandomForestClassifier
    from xgboost import XGBClassifier

    frame = variance_frame(rows=300)
    y = (frame["label"] + (frame["load_pattern"] == "burst_load")).to_numpy()  # 0, 1, 2
    for est in (XGBClassifier(n_estimators=20, n_jobs=1),
                LGBMClassifier(n_estimators=20, verbose=-1, n_jobs=1),
                RandomForestClassifier(n_estimators=20, random_state=0)):
        pipe = Pipeline([("features", FeatureTransform(FEATURES)), ("model", est)]).fit(frame, y)
        expl = explain(pipe, frame)
        assert expl.additivity_error < 1e-4, type(est).__name__
        req = explain_request(pipe, frame.iloc[0])
        assert req.probability == pytest.approx(pipe.predict_proba(frame.head(1))[0, 1])


def test_sampled_feature_orders_stay_additive(models, frame):
    expl = explain(models["mlp"], frame, max_permutations=4, seed=1)
    assert any(n.startswith("sampled: 4 of 24") for n in expl.notes)
    assert expl.additivity_error < 1e-9


def test_trap_data_is_dominated_by_workload_type_in_words():
    trap = trap_frame()
    pipe = make_pipeline("xgb", FEATURES).fit(trap, trap["label"])
    verdict = explain(pipe, trap).dominance()
    assert verdict["dominant"] and verdict["share"] > 0.9
    assert verdict["message"].startswith("workload_type")
    assert "payload_size_kb" in verdict["features"]  # its leaked proxy


def test_strongest_interaction_finds_the_interacting_feature(models, frame):
    expl = explain(models["xgb"], frame)
    assert expl.strongest_interaction("payload_size_kb") == "load_pattern"


def test_segments_and_comparison_frames(models, frame):
    expl = explain(models["lgbm"], frame)
    seg = expl.segments()
    assert list(seg.columns) == ["segment", "feature", "rows", "mean_abs_shap", "mean_shap"]
    assert seg.groupby("segment")["rows"].first().sum() == len(frame)
    both = figures.compare_frame({"lgbm": expl, "rf": explain(models["rf"], frame)})
    assert both.groupby("model")["share"].sum().round(6).tolist() == [1.0, 1.0]
    with pytest.raises(UserError, match="Pick one of those"):
        expl.segments("platform")


def test_figures_are_plotly(models, frame):
    expl = explain(models["rf"], frame)
    req = explain_row(models["rf"], frame, 5)
    figs = [expl.plot("importance"), expl.plot("beeswarm"),
            expl.plot("dependence", feature="payload_size_kb"),
            expl.plot("dependence", feature="time_window"),
            req.plot(), expl.plot("segments"),
            figures.compare({"a": expl, "b": expl})]
    assert all(isinstance(f, go.Figure) and f.data for f in figs)


def test_bad_requests_say_what_to_do(models, frame):
    with pytest.raises(UserError, match="lacks \\['load_pattern'\\]"):
        explain_request(models["rf"], {f: "x" for f in FEATURES[:3]})
    bad = {"workload_type": "lightweight_api", "payload_size_kb": -3, "time_window": "midday",
           "load_pattern": "low_load"}
    with pytest.raises(UserError, match="payload_size_kb must be a number"):
        explain_request(models["rf"], bad)
    with pytest.raises(UserError, match="load a dataset"):
        explain_request(models["mlp"], {**bad, "payload_size_kb": 3})
    with pytest.raises(UserError, match="outside the data"):
        explain_row(models["rf"], frame, len(frame))
    with pytest.raises(UserError, match="lacks feature columns"):
        explain(models["rf"], frame.drop(columns="time_window"))
    with pytest.raises(UserError, match="sample must be >= 1"):
        explain(models["rf"], frame, sample=0)


def test_variance_data_is_not_called_a_trap(models, frame):
    assert "trap" not in explain(models["xgb"], frame).dominance()["message"]


def test_whatif_form_fields_build_a_request_the_model_accepts(frame):
    data = frame.assign(timestamp=pd.date_range("2026-01-01", periods=len(frame), freq="7min",
                                                tz="UTC").astype(str))
    pipe = make_pipeline("rf", [*FEATURES, "timestamp"]).fit(data, data["label"])
    fields = {f.name: f for f in whatif_fields(pipe, data)}
    assert fields["workload_type"].kind == "categorical"
    assert set(fields["workload_type"].options) == set(data["workload_type"])
    assert fields["timestamp"].kind == "hour" and 0 <= fields["timestamp"].default <= 23
    request = whatif_request(list(fields.values()), {"timestamp": 9, "payload_size_kb": 42.0})
    assert request["timestamp"].endswith("T09:00:00Z") and request["payload_size_kb"] == 42.0
    req = explain_request(pipe, request)
    assert req.explained_probability == pytest.approx(req.probability, abs=1e-9)
    with pytest.raises(UserError, match="hour of day must be 0 to 23"):
        whatif_request(list(fields.values()), {"timestamp": 24})


def test_filter_rows_picks_matching_positions(frame):
    rows = filter_rows(frame, {"workload_type": "lightweight_api", "load_pattern": None})
    assert rows == list(np.flatnonzero(frame["workload_type"] == "lightweight_api"))
    with pytest.raises(UserError, match="not a column"):
        filter_rows(frame, {"nope": 1})


def test_time_budget_stops_early_and_stays_additive(models, frame):
    expl = explain(models["mlp"], frame, time_budget_s=0.0, seed=2)
    assert any(n.startswith("sampled: 2 of 24") for n in expl.notes)
    assert expl.additivity_error < 1e-9


@pytest.mark.parametrize("kind", ["rf", "lgbm", "logreg"])
def test_synth_trap_preset_reads_as_a_workload_lookup(kind):
    from core import synth

    trap = synth.generate("trap", 800, seed=0)
    trap = trap[trap["label"].notna()]
    pipe = make_pipeline(kind, None).fit(trap, trap["label"].astype(int))
    verdict = explain(pipe, trap).dominance()
    assert verdict["dominant"] and "workload_type" in verdict["features"]
    assert verdict["message"].startswith("workload_type dominates") and "trap" in verdict["message"]


def test_dependence_on_timestamp_plots_hour_of_day():
    """Thousands of distinct timestamps once became thousands of tick labels and froze the
    browser; the plot uses the hour of day the model sees instead."""
    from core.training import make_pipeline
    from tests.explain_data import variance_frame

    frame = variance_frame(300)
    frame["timestamp"] = pd.date_range("2025-11-22", periods=len(frame), freq="7min").astype(
        str)
    pipe = make_pipeline("rf", [*FEATURES, "timestamp"], seed=0).fit(frame, frame["label"])
    expl = explain(pipe, frame)
    fig = figures.dependence(expl, "timestamp", color_by="timestamp")
    xs = np.concatenate([np.asarray(t.x, dtype=float) for t in fig.data])
    assert np.nanmin(xs) >= 0 and np.nanmax(xs) < 24
    assert fig.layout.xaxis.ticktext is None
    assert "hour of day" in fig.layout.xaxis.title.text
