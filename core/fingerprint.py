"""A dataset's fingerprint: which data a model was trained on, checked where it is used.

Why: a model trained on other data than the loaded one must never be used silently (its
decisions there are on data it has not seen). Training stores this fingerprint with each
version; the pages compare it with the loaded dataset's.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd


def dataset_fingerprint(frame: pd.DataFrame) -> str:
    """SHA-256 over column names and row values (order matters); 16 hex digits suffice to
    tell datasets apart in one registry."""
    digest = hashlib.sha256()
    digest.update(json.dumps([str(c) for c in frame.columns]).encode())
    digest.update(str(len(frame)).encode())
    if len(frame):
        hashed = pd.util.hash_pandas_object(frame, index=False)
        digest.update(hashed.to_numpy().tobytes())
    return digest.hexdigest()[:16]
