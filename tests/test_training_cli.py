"""`python -m core train` and `predict`: JSON fields per DESIGN.md, exit codes, round trip."""

from __future__ import annotations

import json

import pytest

from core import synth
from core.cli.dispatch import main
from core.registry import Registry


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path / "models"))
    path = tmp_path / "variance.csv"
    synth.generate("variance", 400, seed=0).to_csv(path, index=False)
    return path


def _json(capsys, argv):
    code = main(argv)
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 else None), out.err


@pytest.mark.slow
def test_train_json_then_predict_in_row_order(data, capsys):
    code, doc, _ = _json(capsys, ["train", str(data), "--models", "logreg,lgbm", "--cv", "2",
                                  "--promote", "--json"])
    assert code == 0
    assert set(doc["models"]) == {"baseline", "logreg", "lgbm"}
    for m in doc["models"].values():
        assert {"accuracy", "precision", "recall", "f1", "roc_auc", "train_test_gap", "fit_s",
                "predict_ms", "importances", "model_id"} <= set(m)
    assert doc["champion"] == doc["model_ids"][doc["best"]]
    assert Registry().resolve("champion") == doc["champion"]
    code, pred, _ = _json(capsys, ["predict", "champion", "--data", str(data), "--json"])
    assert code == 0 and len(pred["predictions"]) == 400
    first = pred["predictions"][0]
    assert set(first) == {"platform", "lambda_probability", "ecs_probability"}
    assert first["lambda_probability"] + first["ecs_probability"] == pytest.approx(1.0)
    assert first["platform"] == ("lambda" if first["lambda_probability"] >= 0.5 else "ecs")


def test_train_human_output_and_bad_input_exit_2(data, capsys):
    assert main(["train", str(data), "--models", "logreg", "--cv", "0", "--no-save"]) == 0
    out = capsys.readouterr()
    assert "success checks" in out.out and "logreg" in out.err
    assert main(["train", str(data), "--models", "svm"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: argument --models: Unknown model") and err.count("\n") == 1


def test_predict_unknown_model_exit_2(data, capsys):
    # reading never creates a registry: a missing one is named, then an unknown model is
    assert main(["predict", "rf-20260101T000000-abcdef", "--data", str(data)]) == 2
    assert "does not exist; train a model first" in capsys.readouterr().err
    from core.registry import Registry

    Registry()  # an empty registry at $ROUTING_LAB_MODELS
    assert main(["predict", "rf-20260101T000000-abcdef", "--data", str(data)]) == 2
    assert "not in the registry" in capsys.readouterr().err
