"""core.report: sections from results, the offline HTML, CSV/LaTeX tables, PNG/SVG figures,
missing sections with reasons, and the one-command story (library and CLI)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from core import synth
from core.cli.dispatch import main
from core.cli.progress import ProgressBar
from core.pipeline import Story, from_frame, run_story
from core.registry import Registry
from core.report import exports
from core.report.builder import SECTIONS, build_sections
from core.report.document import Section, render_html

QUICK = ("baseline", "logreg")


@pytest.fixture(scope="module")
def demo_frame() -> pd.DataFrame:
    return synth.generate("variance", rows=800, seed=0)


@pytest.fixture(scope="module")
def full_story(demo_frame, tmp_path_factory):
    """One whole story on small demo data (two quick models, 2,000 simulated requests)."""
    out = tmp_path_factory.mktemp("report")
    registry = Registry(tmp_path_factory.mktemp("models"))
    events: list[tuple[float, str]] = []
    story, files = run_story(out, story=from_frame(demo_frame, "demo: variance"),
                             models=QUICK, cv=2, requests=2_000, registry=registry,
                             static=False, on_progress=lambda f, m: events.append((f, m)))
    story.progress_events = events  # for the progress test
    return story, files, out, registry


def test_empty_story_names_every_missing_section_with_its_reason(tmp_path):
    files = exports.write_report(Story(), tmp_path, static=False)
    assert list(files["missing"]) == list(SECTIONS)
    html = (tmp_path / "report.html").read_text()
    for title in SECTIONS:
        assert title in html
    assert "no dataset was loaded" in html and "Train &amp; compare page" in html


@pytest.mark.slow
def test_report_without_model_keeps_data_and_diagnostics(demo_frame, tmp_path):
    story, files = run_story(tmp_path, story=from_frame(demo_frame, "demo"),
                             steps=("diagnose", "explain", "deploy"), static=False)
    missing = files["missing"]
    assert "Data" not in missing and "Diagnostics: label variance and leakage" not in missing
    assert "Train & compare" in missing["Model comparison"]
    assert "Needs a trained model" in missing["SHAP: why the champion routes as it does"]
    assert "Deployment: the Lambda function" in missing
    assert story.diagnosis is not None


@pytest.mark.slow
def test_story_fills_every_section(full_story):
    story, files, out, _ = full_story
    assert files["missing"] == {}, files["missing"]
    assert story.champion is not None and story.champion.kind == "logreg"
    assert all(row["match"] for row in story.deployment["scenarios"])
    assert (out / "deploy" / "function.zip").stat().st_size < 100_000
    names = {p.split("/")[-1] for p in files["tables"]}
    for name in ("models_comparison", "simulation_comparison", "shap_importance",
                 "deployment_scenarios", "diagnostics_findings", "simulation_calibration",
                 "simulation_cost_breakdown", "provenance_cost_profile"):
        assert {f"{name}.csv", f"{name}.tex"} <= names
    # the simulation is calibrated on the demo data and scored against its label rule
    assert story.simulation.calibration is not None
    assert story.simulation.objective["rule"] == "balanced_optimal"


@pytest.mark.slow
def test_html_is_self_contained_and_works_offline(full_story):
    _, files, _, _ = full_story
    html = Path(files["html"]).read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html), "no external scripts (offline)"
    assert "src=\"https://cdn.plot.ly" not in html  # plotly.js itself names a topojson URL
    assert html.count("Plotly.newPlot") >= 6
    assert html.count("plotly.js v") <= 2, "plotly.js inlined once"
    assert "McNemar" in html
    assert "calibrated on the data" in html and "Labels: balanced_optimal" in html


@pytest.mark.slow
def test_zip_holds_html_tables_and_figures_only(full_story):
    _, _, out, _ = full_story
    with zipfile.ZipFile(io.BytesIO(exports.zip_outputs(out))) as zf:
        names = zf.namelist()
    assert "report.html" in names and any(n.startswith("tables/") for n in names)
    assert not any(n.startswith("deploy/") for n in names)


def test_latex_escapes_specials_and_csv_round_trips(tmp_path):
    frame = pd.DataFrame({"workload_type": ["lightweight_api"], "share_%": [0.5]})
    sec = Section("Cost & time_s").table("My table", frame)
    paths = exports.write_tables([sec], tmp_path)
    tex = (tmp_path / "my_table.tex").read_text()
    assert r"lightweight\_api" in tex and r"share\_\%" in tex and r"Cost \& time\_s" in tex
    assert r"\toprule" in tex
    assert pd.read_csv(tmp_path / "my_table.csv").equals(frame)
    assert len(paths) == 2


def test_static_export_failure_keeps_html_and_says_why(monkeypatch, tmp_path):
    import plotly.io as pio

    def broken(*_a, **_k):
        raise RuntimeError("no chromium")

    monkeypatch.setattr(pio, "write_images", broken)
    sec = Section("S").figure("f", go.Figure(go.Bar(x=[1], y=[2])))
    files, reason = exports.write_figures([sec], tmp_path)
    assert files == [] and "no chromium" in reason and "chromium" in reason
    assert "Plotly.newPlot" in render_html("t", [sec], meta={})


@pytest.mark.slow
def test_static_export_writes_png_and_svg(tmp_path):
    sec = Section("S").figure("bars", go.Figure(go.Bar(x=[1, 2], y=[2, 1])))
    written, reason = exports.write_figures([sec], tmp_path)
    assert reason is None and len(written) == 2
    assert (tmp_path / "bars.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (tmp_path / "bars.svg").read_text()[:500]


def test_sections_follow_the_fixed_order(demo_frame):
    sections = build_sections(from_frame(demo_frame, "demo"))
    assert [s.title for s in sections] == [*SECTIONS, "How this report was made"]
    assert sections[0].missing is None


@pytest.mark.slow
def test_cli_report_json_with_a_registry_model(full_story, demo_frame, tmp_path, capsys):
    story, _, _, registry = full_story
    data = tmp_path / "requests.csv"
    demo_frame.to_csv(data, index=False)
    code = main(["report", "--out", str(tmp_path / "out"), "--data", str(data), "--model",
                 story.champion.model_id, "--registry", str(registry.root), "--requests",
                 "1000", "--no-static", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    doc = json.loads(captured.out)
    assert list(doc["missing"]) == ["Model comparison"]  # --model: no comparison was run
    assert doc["champion"] == story.champion.model_id
    assert doc["zip_bytes"] > 0 and doc["verdict"] in ("ok", "warn", "fail")
    assert "100%" in captured.err and "report written" in captured.err  # the progress bar


def test_cli_report_bad_input_exits_2_with_one_line(tmp_path, capsys):
    code = main(["report", "--out", str(tmp_path), "--data", str(tmp_path / "nope.csv")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "nope.csv" in err


def test_cli_report_unknown_model_exits_2_before_any_work(tmp_path, capsys):
    code = main(["report", "--out", str(tmp_path / "out"), "--model", "champion",
                 "--registry", str(tmp_path / "models")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "champion" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_story_progress_only_moves_forward_and_ends_at_one(full_story):
    events = full_story[0].progress_events
    fractions = [f for f, _ in events]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("train" in m for _, m in events) and any("simulate" in m for _, m in events)


def test_progress_bar_redraws_one_line_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    bar = ProgressBar(stream, width=10)
    bar(0.5, "training")
    bar(1.0, "done")
    text = stream.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n")
    assert "[#####.....]  50%" in text and "[##########] 100%" in text


@pytest.mark.parametrize(("args", "expected"), [
    (["--models", "rf,svm"], "Unknown model 'svm'"),
    (["--cv", "1"], "argument --cv: use 0 (no cross-validation) or 2 to 100 folds; got 1"),
    (["--requests", "0"], "argument --requests: must be at least 1"),
    (["--scheduler", "local"], "--scheduler runs the Monte-Carlo seeds: add --seeds N"),
    (["--seeds", "3", "--scheduler", "tcp://127.0.0.1:9"], "No Dask scheduler answers"),
])
def test_cli_report_bad_settings_exit_2_at_once(tmp_path, capsys, args, expected):
    code = main(["report", "--out", str(tmp_path / "out"), *args])
    err = capsys.readouterr().err.strip()
    assert code == 2 and expected in err and len(err.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_an_unexpected_step_failure_becomes_a_named_reason(demo_frame, tmp_path, monkeypatch,
                                                            capsys):
    from core import pipeline as story_mod

    def broken(_story):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(story_mod, "diagnose", broken)
    _, files = run_story(tmp_path, story=from_frame(demo_frame, "demo"), steps=("diagnose",),
                         static=False)
    reason = files["missing"]["Diagnostics: label variance and leakage"]
    assert "diagnose failed (RuntimeError: disk on fire)" in reason
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.slow
def test_seeds_add_an_interval_table_to_the_simulation(full_story, tmp_path):
    story, _, _, registry = full_story
    from dataclasses import replace

    again = replace(story, simulation=None, simulation_seeds=None, missing={})
    run_story(tmp_path, story=again, steps=("simulate",), requests=1_000,
              registry=registry, static=False, seeds=3, scheduler="local")
    seeds = again.simulation_seeds
    assert seeds["scheduler"] == {"address": "local", "workers": 1} and len(seeds["seeds"]) == 3
    table = pd.read_csv(tmp_path / "tables" / "simulation_intervals.csv")
    row = table.query("strategy == 'hybrid' and figure == 'cost_usd'").iloc[0]
    assert row["ci95_low"] <= row["mean"] <= row["ci95_high"]
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Over 3 seeds (1 Dask worker(s) at local)" in html
