"""A report as data: sections of blocks (text, table, figure), rendered to one HTML file.

Why a tiny document model: the page previews the same sections that the CLI writes, and the
exporters walk the same blocks to write tables and figures to files.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio


@dataclass
class Block:
    kind: str  # "text" | "table" | "figure"
    name: str = ""
    text: str = ""
    table: pd.DataFrame | None = None
    figure: go.Figure | None = None


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    missing: str | None = None  # why this section could not be produced

    def text(self, text: str) -> Section:
        self.blocks.append(Block("text", text=text))
        return self

    def table(self, name: str, frame: pd.DataFrame) -> Section:
        self.blocks.append(Block("table", name=slug(name), table=frame))
        return self

    def figure(self, name: str, fig: go.Figure) -> Section:
        self.blocks.append(Block("figure", name=slug(name), figure=fig))
        return self


def slug(name: str) -> str:
    """File-system-safe name for exported tables and figures."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "item"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;
margin:2rem auto;padding:0 1rem;color:#1f2933}
h1{margin-bottom:.2rem} h2{border-bottom:2px solid #e4e7eb;padding-bottom:.3rem;margin-top:2.2rem}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}
th,td{border:1px solid #d9dee3;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f5f7fa} .num{text-align:right;white-space:nowrap}
.wide{overflow-x:auto}
.missing{background:#fff4e5;border-left:4px solid #f0a020;padding:.6rem 1rem}
.meta{color:#616e7c;font-size:.9rem}
"""


def _format_table(frame: pd.DataFrame) -> str:
    """An HTML table: numbers right-aligned with 4 significant digits, text left-aligned."""
    numeric = {c: pd.api.types.is_numeric_dtype(frame[c])
               and not pd.api.types.is_bool_dtype(frame[c]) for c in frame.columns}

    def cell(value: Any, col: Any) -> str:
        if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value)
                             and pd.isna(value)):
            text = ""
        elif numeric[col] and isinstance(value, float):
            text = f"{value:.4g}"
        else:
            text = str(value)
        return f"<td class='num'>{html.escape(text)}</td>" if numeric[col] else \
            f"<td>{html.escape(text)}</td>"

    head = "".join(f"<th class='num'>{html.escape(str(c))}</th>" if numeric[c] else
                   f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(cell(v, c) for c, v in zip(frame.columns, row, strict=True))
                   + "</tr>" for row in frame.itertuples(index=False, name=None))
    return (f"<div class='wide'><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody>"
            "</table></div>")


def render_html(title: str, sections: list[Section], *, meta: dict[str, Any]) -> str:
    """One HTML string; plotly.js is inlined once so the file works offline."""
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
             f"</title><style>{_CSS}</style>",
             "</head><body>", f"<h1>{html.escape(title)}</h1>",
             "<p class='meta'>" + " · ".join(f"{html.escape(str(k))}: {html.escape(str(v))}"
                                             for k, v in meta.items()) + "</p>"]
    first_figure = True
    for section in sections:
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        if section.missing:
            parts.append(f"<p class='missing'>Missing: {html.escape(section.missing)}</p>")
        for block in section.blocks:
            if block.kind == "text":
                parts.append(f"<p>{html.escape(block.text)}</p>")
            elif block.kind == "table" and block.table is not None:
                parts.append(_format_table(block.table))
            elif block.kind == "figure" and block.figure is not None:
                parts.append(pio.to_html(block.figure, full_html=False,
                                         include_plotlyjs=first_figure))
                first_figure = False
    parts.append("</body></html>")
    return "\n".join(parts)
