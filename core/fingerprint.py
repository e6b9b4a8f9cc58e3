"""A dataset's fingerprint: which data a model was trained on, checked where it is used.

Why: a model trained on other data than the loaded one must never be used silently (its
decisions there are on data it has not seen). Training stores this fingerprint with each
version; the pages compare it with the loaded dataset's.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd

#: Columns the label rule derives: a relabelled table is still the same requests (whether its
#: label is the model's is the objective's question, stored with the model beside this).
DERIVED = ("label", "optimal_platform")


def dataset_fingerprint(frame: pd.DataFrame) -> str:
    """SHA-256 over column names and row values of the requests (order matters; derived
    label columns left out); 16 hex digits suffice to tell datasets apart in one registry."""
    frame = frame.drop(columns=[c for c in DERIVED if c in frame.columns])
    digest = hashlib.sha256()
    digest.update(json.dumps([str(c) for c in frame.columns]).encode())
    digest.update(str(len(frame)).encode())
    if len(frame):
        hashed = pd.util.hash_pandas_object(frame, index=False)
        digest.update(hashed.to_numpy().tobytes())
    return digest.hexdigest()[:16]
