"""core.formats: the one LaTeX writer escapes everything LaTeX treats specially and every
result offers to_dict / frame / to_latex; the one JSON sanitiser makes numpy and NaN plain."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.formats import ResultProtocol, json_default, latex_escape, latex_table, plain

SPECIALS = "\\&%$#_{}~^"


@given(st.text(max_size=40))
def test_escaped_text_has_no_bare_special_character(text):
    out = latex_escape(text)
    stripped = (out.replace(r"\textbackslash{}", "").replace(r"\textasciitilde{}", "")
                .replace(r"\textasciicircum{}", ""))
    for ch in "&%$#_{}":
        stripped = stripped.replace("\\" + ch, "")
    assert not any(ch in stripped for ch in SPECIALS), out


def test_table_escapes_header_and_cells_and_keeps_raw_tex():
    frame = pd.DataFrame({"model_name": ["lgbm_v2 & co", "50%"], "cost $": [1.5, math.nan],
                          "n": [3, 1200], "note": ["a~b^c", "x"], "tex": [r"$\pm$", "y"]})
    tex = latex_table(frame, caption="Costs #1", raw=("tex",))
    assert r"model\_name & cost \$ & n & note & tex \\" in tex
    assert r"lgbm\_v2 \& co & 1.5 & 3 & a\textasciitilde{}b\textasciicircum{}c & $\pm$ \\" in tex
    assert r"50\% & -- & 1,200 & x & y \\" in tex
    assert r"\begin{tabular}{lrrll}" in tex and r"\caption{Costs \#1}" in tex
    assert tex.count(r"\toprule") == tex.count(r"\bottomrule") == 1


def test_plain_makes_numpy_nan_and_paths_json_safe():
    value = {1: (np.float64(0.5), np.int64(3), float("nan")), "a": np.array([1.0, np.inf]),
             "p": Path("/x"), "t": pd.Timestamp("2026-01-02T03:04:05"), "b": np.bool_(True)}
    out = plain(value)
    assert out == {"1": [0.5, 3, None], "a": [1.0, None], "p": "/x",
                   "t": "2026-01-02T03:04:05", "b": True}
    json.dumps(out, allow_nan=False)
    assert plain(1.23456789, digits=3) == 1.235
    assert json.dumps({"x": np.int64(2), "o": object}, default=json_default).startswith(
        '{"x": 2, "o": "<class')


@pytest.fixture(scope="module")
def results():
    """A small training run, its explanation and a simulation: the protocol's three users."""
    from core import synth
    from core.diagnostics import diagnose
    from core.explain import explain
    from core.simulate.runner import simulate
    from core.training import train_and_compare

    frame = synth.generate("variance", 400, seed=0)
    run = train_and_compare(frame, models=["baseline", "logreg"], cv=0, seed=0)
    expl = explain(run.results["logreg"].pipeline, frame, sample=100)
    sim = simulate({"requests": 1000})
    return {"train": run, "explain": expl, "simulate": sim,
            "diagnose": diagnose(synth.generate("trap", 400, seed=0))}


@pytest.mark.parametrize("name", ["train", "explain", "simulate", "diagnose"])
def test_every_result_follows_the_protocol(results, name):
    result = results[name]
    assert isinstance(result, ResultProtocol)
    doc = result.to_dict()
    # Diagnosis.to_dict is the `diagnose --json` document as issue 13 defines it (NaN kept)
    json.dumps(plain(doc) if name == "diagnose" else doc, allow_nan=False)
    assert isinstance(result.frame(), pd.DataFrame) and not result.frame().empty
    tex = result.to_latex()
    assert r"\toprule" in tex and r"\bottomrule" in tex
    body = tex.split(r"\midrule", 1)[1]
    assert "_" not in body.replace(r"\_", "")  # every underscore escaped


def test_a_training_run_draws_every_figure_it_names(results):
    import plotly.graph_objects as go

    run = results["train"]
    for kind in run.PLOTS:
        fig = run.plot(kind)
        assert isinstance(fig, go.Figure) and fig.layout.title.text, kind
    assert "logreg" not in {t.name for t in run.plot("roc").data}  # display names


def test_a_simulation_draws_every_figure_it_names(results):
    sim = results["simulate"]
    for kind in sim.PLOTS:
        fig = sim.plot(kind)
        assert fig.data and fig.layout.title.text, kind
        assert fig.layout.title.pad.t >= 30  # under the toolbar strip
