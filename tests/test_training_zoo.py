"""Model zoo: every kind is a [features, (scale), model] pipeline with P(lambda) in column 1."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.errors import UserError
from core.features import FeatureTransform
from core.training import DEFAULT_MODELS, make_pipeline


def _frame(n: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    work = rng.choice(["lightweight_api", "heavy_processing"], n)
    payload = rng.uniform(1, 100, n)
    label = ((payload > 50) ^ (work == "heavy_processing")).astype(int)
    return pd.DataFrame({"workload_type": work, "payload_size_kb": payload, "label": label})


@pytest.mark.parametrize("kind", DEFAULT_MODELS)
def test_every_kind_fits_and_returns_probabilities(kind):
    frame = _frame()
    pipe = make_pipeline(kind, ["workload_type", "payload_size_kb"], seed=0)
    names = [name for name, _ in pipe.steps]
    assert names[0] == "features" and names[-1] == "model"
    assert ("scale" in names) == (kind in ("logreg", "mlp"))
    assert isinstance(pipe.named_steps["features"], FeatureTransform)
    pipe.fit(frame, frame["label"])
    proba = pipe.predict_proba(frame)
    assert proba.shape == (len(frame), 2)
    assert list(pipe.classes_) == [0, 1]
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)


def test_unknown_kind_names_the_choices():
    with pytest.raises(UserError, match="choose from"):
        make_pipeline("svm", ["workload_type"])


def test_same_seed_same_predictions():
    frame = _frame()
    a = make_pipeline("rf", ["workload_type", "payload_size_kb"], seed=3).fit(frame, frame.label)
    b = make_pipeline("rf", ["workload_type", "payload_size_kb"], seed=3).fit(frame, frame.label)
    np.testing.assert_array_equal(a.predict_proba(frame), b.predict_proba(frame))
