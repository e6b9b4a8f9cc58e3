"""Drift monitoring after deployment: current traffic (a request table or the function's own
logs) against the reference a model was trained on."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from core.drift.demo import planted_shift
from core.drift.logs import is_function_log, parse_function_log, read_function_log
from core.drift.monitor import DriftReport, Thresholds, compare
from core.errors import UserError

__all__ = [
    "DriftReport",
    "Thresholds",
    "compare",
    "is_function_log",
    "parse_function_log",
    "planted_shift",
    "read_function_log",
    "read_table",
    "read_upload",
]


def read_table(path: str | Path) -> pd.DataFrame:
    """A request table (any format core.io reads) or the function's exported JSON logs."""
    p = Path(path)
    if not p.exists():
        raise UserError(f"{path}: no such file or folder.")
    if p.is_file() and p.stat().st_size == 0:
        raise UserError(f"{path}: the file is empty; give a request table or the function's "
                        "exported logs.")
    if p.is_file() and is_function_log(p):
        return read_function_log(p)
    if p.is_dir():  # a CloudWatch export to S3: nested folders of 000000.gz files
        logs = [f for f in sorted(p.rglob("*")) if f.is_file() and is_function_log(f)]
        if logs:
            return pd.concat([read_function_log(f) for f in logs], ignore_index=True)
    from core.io import read_paths

    result = read_paths([p], need_latency=False)
    if result.frame.empty:
        raise UserError(f"{path}: no requests could be read ({len(result.rejected)} rows "
                        "rejected); check the file format.")
    return result.frame


def read_upload(name: str, data: bytes) -> pd.DataFrame:
    """read_table for an uploaded file given as bytes (the Monitor page)."""
    if not data:
        raise UserError(f"{name}: the file is empty; give a request table or the function's "
                        "exported logs.")
    if is_function_log(data):
        return parse_function_log(name, data)
    from core.io import read_uploads

    result = read_uploads([(name, data)], need_latency=False)
    if result.frame.empty:
        raise UserError(f"{name}: no requests could be read ({len(result.rejected)} rows "
                        "rejected); check the file format.")
    return result.frame
