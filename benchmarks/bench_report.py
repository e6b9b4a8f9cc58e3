"""Report writing: one offline HTML with plotly.js inlined once vs each figure as its own
self-contained HTML (plotly's `fig.write_html()` default, the naive way to stay offline).

Both are measured in the same run on the same sections (a whole story on the demo data with
two quick models and 5,000 simulated requests): bytes written and seconds to render. Also
times the static export (PNG + SVG through kaleido and Chromium) per figure.

Run: .venv/bin/python benchmarks/bench_report.py [--static]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import synth  # noqa: E402
from core.pipeline import from_frame, run_story  # noqa: E402
from core.registry import Registry  # noqa: E402
from core.report.builder import build_sections  # noqa: E402
from core.report.document import render_html  # noqa: E402
from core.report.exports import write_figures  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--static", action="store_true", help="also time PNG/SVG export")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-report-"))
    story, _ = run_story(tmp / "story", story=from_frame(synth.generate("variance", 2000),
                                                         "demo"),
                         models=("baseline", "logreg"), cv=2, requests=5_000,
                         registry=Registry(tmp / "models"), static=False)
    print(f"story steps (s): {story.timings_s}")
    sections = build_sections(story)
    figures = [b.figure for s in sections for b in s.blocks if b.kind == "figure"]

    started = time.perf_counter()
    html = render_html("bench", sections, meta={})
    ours_s = time.perf_counter() - started
    ours_bytes = len(html.encode())

    started = time.perf_counter()
    naive_bytes = 0
    for i, fig in enumerate(figures):
        path = tmp / f"figure_{i}.html"
        fig.write_html(path)  # include_plotlyjs=True: each file carries plotly.js
        naive_bytes += path.stat().st_size
    naive_s = time.perf_counter() - started

    print(f"{len(figures)} figures, {sum(b.kind == 'table' for s in sections for b in s.blocks)}"
          " tables")
    print(f"one report.html (plotly.js once): {ours_bytes / 1e6:6.2f} MB in {ours_s:.2f} s")
    print(f"per-figure offline HTML (ref):    {naive_bytes / 1e6:6.2f} MB in {naive_s:.2f} s")
    print(f"ratio bytes ours/ref = {ours_bytes / naive_bytes:.3f}; "
          f"time ours/ref = {ours_s / naive_s:.3f}")
    if args.static:
        started = time.perf_counter()
        files, error = write_figures(sections, tmp / "figures")
        spent = time.perf_counter() - started
        print(f"static export: {len(files)} files in {spent:.1f} s "
              f"({spent / max(len(figures), 1):.2f} s per figure, PNG + SVG)"
              + (f"; failed: {error}" if error else ""))


if __name__ == "__main__":
    main()
