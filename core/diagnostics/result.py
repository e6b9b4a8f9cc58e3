"""What a diagnosis returns: findings with stable codes, a status for every check, and the
numbers the page and the CLI show (label shares, accuracy ceiling, label sensitivity).

Why objects and not a bare dict: the page filters findings by severity, the CLI prints them,
`to_dict()` is the `diagnose --json` document, and all three must agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

SEVERITIES = ("info", "warn", "fail")
def decisive(value: float, threshold: float, *, scale: float = 1.0, digits: int = 0) -> str:
    """`value * scale` with at least `digits` decimals, and more when fewer would land on the
    threshold or on its wrong side: what is shown compares with the threshold as the value
    does (a check never fails showing "40" against a limit of 40)."""
    above = value > threshold
    limit = threshold * scale
    for d in range(digits, digits + 7):
        shown = round(value * scale, d) + 0.0  # + 0.0: -0.0 prints as "0.0", not "-0.0"
        if (shown > limit) == above and (shown != limit or value == threshold):
            return f"{shown:.{d}f}"
    return f"{value * scale:.{digits + 7}f}"


def percent_vs(value: float, threshold: float) -> str:
    """A share as a percentage with the digits that decide it against a threshold: "40.3 %"
    beside a 40 % limit; whole percent when that already shows the side."""
    return f"{decisive(value, threshold, scale=100)} %"


SUMMARY_COLUMNS = ("code", "severity", "columns", "message", "advice")


@dataclass(frozen=True)
class Finding:
    """One problem found in the data, with the numbers behind it and what to do."""

    code: str
    severity: str
    columns: tuple[str, ...]
    message: str
    evidence: dict[str, Any]
    advice: str = ""  # empty: the check's advice in core.diagnostics.catalog

    def to_dict(self) -> dict[str, Any]:
        """The DESIGN.md finding fields, plus `advice`."""
        return {"code": self.code, "severity": self.severity, "columns": list(self.columns),
                "message": self.message, "evidence": self.evidence, "advice": self.advice}


@dataclass(frozen=True)
class CheckResult:
    """Every check appears once: issue, tip (info finding), passed, not applicable (why), or
    ignored (the caller asked to skip it)."""

    code: str
    status: str
    detail: str = ""
    title: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Code, title, status and the explanation or the reason it did not apply."""
        return {"code": self.code, "title": self.title, "status": self.status,
                "detail": self.detail}


@dataclass
class Diagnosis:
    """The result of `core.diagnostics.diagnose`."""

    findings: list[Finding]
    checks: list[CheckResult]
    label_shares: pd.DataFrame
    information: pd.DataFrame
    ceiling: dict[str, Any]
    sensitivity: dict[str, Any]
    #: column -> long frame (workload, level, rows, lambda_optimal_share) for heatmaps
    share_grids: dict[str, pd.DataFrame] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        """`fail` if any finding fails, else `warn` if any warns, else `ok` (info never counts)."""
        severities = {f.severity for f in self.findings}
        return "fail" if "fail" in severities else "warn" if "warn" in severities else "ok"

    #: What `plot` draws: the share bars, a share heatmap per column of `share_grids`
    #: (`column=`), the information bars, the accuracy ceiling and the label sensitivity.
    PLOTS = ("label_shares", "share_grid", "information", "ceiling", "sensitivity")

    def plot(self, kind: str = "label_shares", *, column: str | None = None) -> Any:
        """A plotly figure of this diagnosis, one of PLOTS (the band is the diagnosis's)."""
        from core import figures
        from core.diagnostics import figures as diag_figures

        figures.check_kind(kind, self.PLOTS, "Diagnosis")
        band = tuple(self.meta.get("band", (0.2, 0.8)))
        if kind == "label_shares":
            return figures.label_shares(self.label_shares, band)
        if kind == "share_grid":
            column = column or next(iter(self.share_grids))
            return diag_figures.share_heatmap(self.share_grids[column], column)
        if kind == "information":
            return diag_figures.information_bars(self.information)
        if kind == "ceiling":
            return diag_figures.ceiling_bars(self.ceiling)
        return diag_figures.sensitivity_lines(pd.DataFrame(self.sensitivity["table"]), band)

    @property
    def headline(self) -> str:
        """One sentence for the banner: band count, ceiling, the codes that matter."""
        parts = []
        shares = self.label_shares
        if len(shares):
            parts.append(f"{int(shares['in_band'].sum())} of {len(shares)} workloads have a "
                         "Lambda-optimal share inside the 20–80 % band")
        if self.ceiling.get("status") == "ok":
            parts.append(f"accuracy ceiling {self.ceiling['cv_ceiling']:.1%} (cross-validated) "
                         f"vs majority baseline {self.ceiling['baseline']:.1%}")
        serious = [f.code for f in self.findings if f.severity in ("fail", "warn")]
        parts.append("problems: " + ", ".join(serious) if serious else "no problems found")
        return "; ".join(parts) + "."

    def leaked_columns(self) -> list[str]:
        """Columns that must not be features: outcome leaks and per-row ids."""
        out: list[str] = []
        for f in self.findings:
            if f.code in ("OUTCOME_LEAKAGE", "ID_COLUMN"):
                out += [c for c in f.columns if c not in out]
        return out

    def clean_features(self) -> list[str]:
        """The diagnosed feature set without leaked or id columns (what Train should use)."""
        leaked = set(self.leaked_columns())
        return [c for c in self.meta.get("features", []) if c not in leaked]

    def findings_for(self, code: str) -> list[Finding]:
        """Findings with one code (empty when the check passed)."""
        return [f for f in self.findings if f.code == code]

    def summary_frame(self) -> pd.DataFrame:
        """One row per finding, fixed columns even when empty, worst first."""
        order = {s: i for i, s in enumerate(reversed(SEVERITIES))}
        rows = [{"code": f.code, "severity": f.severity, "columns": ", ".join(f.columns),
                 "message": f.message, "advice": f.advice}
                for f in sorted(self.findings, key=lambda f: order[f.severity])]
        return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))

    def frame(self) -> pd.DataFrame:
        """The main table (the result protocol, core.formats): the findings, worst first."""
        return self.summary_frame()

    def to_latex(self) -> str:
        """The findings as a booktabs table (core.formats' one writer, full escaping)."""
        from core.formats import latex_table

        return latex_table(self.summary_frame())

    def to_dict(self) -> dict[str, Any]:
        """The `diagnose --json` document (DESIGN.md fields first, then the extras)."""
        return {
            "verdict": self.verdict,
            "findings": [f.to_dict() for f in self.findings],
            "headline": self.headline,
            "checks": [c.to_dict() for c in self.checks],
            "label_shares": records(self.label_shares),
            "information": records(self.information),
            "ceiling": self.ceiling,
            "sensitivity": self.sensitivity,
            "share_grids": {c: records(g) for c, g in self.share_grids.items()},
            **self.meta,
        }


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Plain-JSON rows (numpy scalars -> Python)."""
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]
