"""A known drift to try the monitor on: the reference with one workload's payloads scaled.

The Monitor page offers it as a demo and the tests plant the same change, so what the page
shows is what the tests check."""

from __future__ import annotations

import pandas as pd

from core.errors import UserError


def planted_shift(reference: pd.DataFrame, workload: str, factor: float) -> pd.DataFrame:
    """A copy of `reference` with every `workload` row's payload_size_kb multiplied by
    `factor`."""
    missing = [c for c in ("workload_type", "payload_size_kb") if c not in reference.columns]
    if missing:
        raise UserError(f"the data has no {' and no '.join(missing)} column to shift; upload "
                        "a current file instead.")
    current = reference.copy()
    rows = current["workload_type"].astype("string") == workload
    current.loc[rows, "payload_size_kb"] = current.loc[rows, "payload_size_kb"] * factor
    return current
