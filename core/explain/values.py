"""Helpers both the SHAP results and their figures use (so the figures need not import the
result module, and the results can draw their own figures)."""

from __future__ import annotations

import numpy as np
import pandas as pd

WORKLOAD = "workload_type"


def encode(values: pd.Series) -> np.ndarray:
    """Numbers for colouring and correlating: numerics as floats, categories as sorted codes."""
    numeric = pd.to_numeric(values, errors="coerce")
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return numeric.to_numpy(dtype=float, na_value=np.nan)
    text = values.astype("string")
    levels = sorted(text.dropna().unique().tolist())
    codes = {level: i for i, level in enumerate(levels)}
    return np.array([codes.get(v, np.nan) if v is not pd.NA else np.nan for v in text],
                    dtype=float)
