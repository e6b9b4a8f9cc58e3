"""core.figures: each figure the pages and the report share is built once, owned by its
result (`.plot(kind=...)`), and every chart's title starts below plotly's toolbar strip."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from core import figures

ROOT = Path(__file__).resolve().parents[1]
SHARED = ("label_shares", "latency_cdf", "roc", "shap_importance", "handler_latency")


def _title_clears_toolbar(fig: go.Figure) -> bool:
    title = fig.layout.title
    return (title.yref == "container" and title.yanchor == "top"
            and title.pad.t >= figures.TOOLBAR_PX and fig.layout.margin.t > title.pad.t)


def test_share_bars_take_either_share_table_and_colour_by_band():
    for column in ("workload", "workload_type"):
        shares = pd.DataFrame({column: ["heavy_processing", "lightweight_api"], "rows": [5, 9],
                               "lambda_optimal_share": [0.5, 0.05], "in_band": [True, False]})
        fig = figures.label_shares(shares)
        assert [t.marker.color for t in fig.data] == [figures.IN_BAND, figures.OUT_OF_BAND]
        assert list(fig.layout.xaxis.categoryarray) == ["lightweight_api", "heavy_processing"]
        assert fig.layout.shapes[0].y0 == 0.2 and _title_clears_toolbar(fig)


def test_results_own_their_figures():
    from core.diagnostics.result import Diagnosis
    from core.simulate.results import SimulationResult

    cdf = pd.DataFrame({"strategy": ["lambda", "lambda", "hybrid", "hybrid"],
                        "quantile": [0.0, 1.0, 0.0, 1.0], "latency_ms": [10, 90, 8, 70]})
    sim = SimulationResult(scenario={}, strategies={}, timeseries=pd.DataFrame(), cdf=cdf)
    fig = sim.plot("cdf")
    assert [t.name for t in fig.data] == ["Lambda-only", "Hybrid (router)"]
    assert fig.layout.xaxis.type == "log" and _title_clears_toolbar(fig)
    shares = pd.DataFrame({"workload": ["lightweight_api"], "rows": [3],
                           "lambda_optimal_share": [0.5], "in_band": [True]})
    diagnosis = Diagnosis(findings=[], checks=[], label_shares=shares,
                          information=pd.DataFrame(), ceiling={}, sensitivity={})
    assert diagnosis.plot("label_shares").data[0].y[0] == 0.5
    with pytest.raises(ValueError, match="choose one of"):
        sim.plot("pie")


def test_handler_latency_is_horizontal_and_marks_the_first_call():
    rows = pd.DataFrame({"scenario": ["a", "b"], "invoke_ms": [9.0, 0.04],
                         "match": [True, False]})
    fig = figures.handler_latency(rows)
    assert fig.data[0].orientation == "h" and fig.data[0].y[0] == "a (first call)"


def test_each_shared_figure_is_defined_once():
    """A reader finds where a shared chart is made with one grep: no other module defines a
    builder of the same concept."""
    names = {"label_shares", "share_bars", "label_share_bars", "latency_cdf", "roc",
             "roc_curves", "importance_bar", "shap_importance", "invoke_latency",
             "scenario_latency", "handler_latency"}
    defined: dict[str, list[str]] = {}
    for folder in ("core", "ui", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef) and node.name in names:
                    returns = ast.unparse(node.returns) if node.returns else ""
                    if "Figure" in returns:
                        defined.setdefault(node.name, []).append(
                            str(path.relative_to(ROOT)))
    assert {n: p for n, p in defined.items() if p != ["core/figures.py"]} == {}
    assert set(SHARED) <= set(defined)


def test_a_diagnosis_draws_every_figure_it_names():
    from core import synth
    from core.diagnostics import diagnose

    d = diagnose(synth.generate("variance", 600, seed=0))
    for kind in d.PLOTS:
        fig = d.plot(kind)
        assert fig.data and fig.layout.title.text, kind
        assert _title_clears_toolbar(fig), kind
    column = next(iter(d.share_grids))
    assert column in d.plot("share_grid", column=column).layout.title.text
