"""Write a report's tables (CSV, LaTeX) and figures (PNG, SVG) next to its HTML."""

from __future__ import annotations

import datetime as _dt
import io
import logging
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from core.formats import latex_table
from core.report.builder import build_sections, missing_sections
from core.report.document import Section, render_html

log = logging.getLogger(__name__)


def to_latex(frame: pd.DataFrame, caption: str = "") -> str:
    """A booktabs LaTeX table of a report table (core.formats: one writer, full escaping)."""
    return latex_table(frame, caption=caption or None)


def write_tables(sections: list[Section], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for section in sections:
        for block in section.blocks:
            if block.kind == "table" and block.table is not None:
                csv = out_dir / f"{block.name}.csv"
                block.table.to_csv(csv, index=False)
                tex = out_dir / f"{block.name}.tex"
                tex.write_text(to_latex(block.table, caption=section.title))
                written += [csv, tex]
    return written


def write_figures(sections: list[Section], out_dir: Path) -> tuple[list[Path], str | None]:
    """PNG and SVG through kaleido (it drives Debian's Chromium). Returns files and, when static
    export is unavailable, the reason (the HTML report still has every figure)."""
    import plotly.io as pio

    figures = [(b.name, b.figure) for s in sections for b in s.blocks
               if b.kind == "figure" and b.figure is not None]
    if not figures:
        return [], None
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    try:
        for ext in ("png", "svg"):
            targets = [out_dir / f"{name}.{ext}" for name, _ in figures]
            pio.write_images([f for _, f in figures], targets, width=1000, height=550)
            paths += targets
    except Exception as exc:  # no Chromium for kaleido: keep the HTML and say why
        log.warning("static figure export failed: %s", exc)
        return paths, f"static figure export failed ({type(exc).__name__}: {exc}); " \
                      "install Debian's chromium (make test does) for PNG/SVG"
    return paths, None


def write_report(story: Any, out_dir: str | Path, *, static: bool = True,
                 title: str = "Serverless routing lab: report") -> dict[str, Any]:
    """report.html (self-contained, offline), tables/ (CSV + LaTeX), figures/ (PNG + SVG).

    Returns paths, the missing sections with reasons, and `static_error` when PNG/SVG could
    not be written (the HTML still holds every figure, interactive).
    """

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sections = build_sections(story)
    champion = story.champion.model_id if story.champion else "none"
    meta = {"generated": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "data": story.source or "session data", "champion": champion,
            "seed": story.seed}
    html_path = out / "report.html"
    html_path.write_text(render_html(title, sections, meta=meta), encoding="utf-8")
    tables = write_tables(sections, out / "tables")
    figures, static_error = [], None
    if static:
        figures, static_error = write_figures(sections, out / "figures")
    return {"html": str(html_path), "html_bytes": html_path.stat().st_size,
            "tables": [str(p) for p in tables], "figures": [str(p) for p in figures],
            "static": static, "static_error": static_error,
            "missing": missing_sections(sections),
            "sections": [s.title for s in sections]}


def zip_outputs(out_dir: str | Path) -> bytes:
    """report.html, tables/ and figures/ as one zip (the page's download)."""
    out = Path(out_dir)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(out.rglob("*")):
            if path.is_file() and path.parts[len(out.parts)] in ("report.html", "tables",
                                                                  "figures"):
                zf.write(path, path.relative_to(out).as_posix())
    return buf.getvalue()
