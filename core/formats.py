"""One LaTeX table writer and one JSON sanitiser for every result (the result protocol).

Why one place: the training run, the simulation, the explanation and the report each wrote
LaTeX with their own escaping (one escaped nothing, so a model named `lgbm_v2` broke the
thesis build) and turned numpy values and NaN into JSON in five slightly different ways. A
result object offers `to_dict()` (JSON-safe, via `plain`), `frame()` (its main table) and
`to_latex()` (via `latex_table`); `ResultProtocol` names that contract.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

# -- LaTeX --------------------------------------------------------------------------------------
_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}
_LATEX_PATTERN = re.compile(r"[\\&%$#_{}~^]")


def latex_escape(text: Any) -> str:
    """Every character LaTeX treats specially, escaped."""
    return _LATEX_PATTERN.sub(lambda m: _LATEX_SPECIAL[m.group()], str(text))


def _cell(value: Any, number_format: str) -> str:
    if value is None or (isinstance(value, float | np.floating) and not math.isfinite(value)):
        return "--"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        return number_format.format(float(value))
    return latex_escape(value)


def latex_table(frame: pd.DataFrame, *, caption: str | None = None, index: bool = False,
                number_format: str = "{:,.4g}", label: str | None = None,
                raw: Sequence[str] = ()) -> str:
    """A booktabs table: header and text cells escaped, numbers right-aligned and formatted,
    missing values as `--`; cells of the `raw` columns are LaTeX already (e.g. `$\\pm$`)
    and written as they are. With a caption it is a floating `table` (htbp), else a bare
    `tabular` to \\input into one."""
    data = frame.reset_index() if index else frame
    numeric = [pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c])
               for c in data.columns]
    align = "".join("r" if n else "l" for n in numeric)
    lines = [rf"\begin{{tabular}}{{{align}}}", r"\toprule",
             " & ".join(latex_escape(c) for c in data.columns) + r" \\", r"\midrule"]
    verbatim = [c in raw for c in data.columns]
    for row in data.itertuples(index=False, name=None):
        lines.append(" & ".join(str(v) if keep else _cell(v, number_format)
                                for v, keep in zip(row, verbatim, strict=True)) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    if caption is None:
        return "\n".join(lines) + "\n"
    head = [r"\begin{table}[htbp]", r"\centering", rf"\caption{{{latex_escape(caption)}}}"]
    if label:
        head.append(rf"\label{{{latex_escape(label)}}}")
    return "\n".join([*head, *lines, r"\end{table}"]) + "\n"


# -- JSON ---------------------------------------------------------------------------------------
def plain(value: Any, *, digits: int | None = None) -> Any:
    """A JSON-safe copy: str keys, lists for tuples/sets/arrays, Python numbers for numpy's,
    None for NaN/inf and for pandas' missing values, ISO text for dates, str for paths;
    floats rounded to `digits` when given. Anything else is left as it is."""
    if isinstance(value, dict):
        return {str(k): plain(v, digits=digits) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v, digits=digits) for v in value]
    if isinstance(value, np.ndarray | pd.Series | pd.Index):
        return [plain(v, digits=digits) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return round(value, digits) if digits is not None else value
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def json_default(value: Any) -> Any:
    """`json.dumps(..., default=json_default)`: numpy and pandas values as plain Python, any
    other object as its text (NaN floats are left to json's own handling)."""
    converted = plain(value)
    return converted if converted is not value else str(value)


# -- the protocol -------------------------------------------------------------------------------
@runtime_checkable
class ResultProtocol(Protocol):
    """What every result offers: a JSON-safe dict, its main table, and that table in LaTeX."""

    def to_dict(self) -> dict[str, Any]: ...

    def frame(self) -> pd.DataFrame: ...

    def to_latex(self) -> str: ...

