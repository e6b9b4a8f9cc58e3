"""Diagnoses kept in this process, keyed by the data's fingerprint, its label and the arguments.

Why: the Variance page diagnoses the loaded data, and training the same data and features
right after (the Train page, same server process) diagnosed it again: 2-4 s on 88k rows.
`diagnose` records each result here; `core.diagnostics.cached_diagnose` returns a recorded one
made with the same arguments (a full diagnosis stands in for a fast one) or diagnoses and
records.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

import pandas as pd

from core.fingerprint import dataset_fingerprint

MAX_ENTRIES = 8
_LOCK = threading.Lock()
_ENTRIES: OrderedDict[tuple, Any] = OrderedDict()


def key(frame: pd.DataFrame, **args: Any) -> tuple | None:
    """What makes two diagnoses equal: the requests (dataset fingerprint), the label values
    (the fingerprint leaves derived labels out) and every argument but `fast`. None when the
    data can not be hashed (cells holding lists): such data is not cached."""
    label = args["label"]
    digest = hashlib.sha256()
    try:
        if label in frame.columns:
            digest.update(pd.util.hash_pandas_object(frame[label], index=False).to_numpy()
                          .tobytes())
        fingerprint = dataset_fingerprint(frame)
    except TypeError:
        return None
    features = args.get("features")
    return (fingerprint, label, digest.hexdigest()[:16],
            None if features is None else tuple(features), args.get("seed", 0),
            tuple(args.get("outcomes") or ()), tuple(args.get("ids") or ()),
            args.get("group", "workload_type"), args.get("payload", "payload_size_kb"),
            args.get("time", "timestamp"), tuple(sorted(args.get("ignore") or ())))


def remember(base: tuple | None, fast: bool, diagnosis: Any) -> None:
    """Keep `diagnosis` under `base` (from `key`); the oldest entries go first."""
    if base is None:
        return
    with _LOCK:
        _ENTRIES[(*base, bool(fast))] = diagnosis
        _ENTRIES.move_to_end((*base, bool(fast)))
        while len(_ENTRIES) > MAX_ENTRIES:
            _ENTRIES.popitem(last=False)


def lookup(base: tuple | None, fast: bool) -> Any | None:
    """A recorded diagnosis for `base`: the same mode, or a full one for a fast request."""
    if base is None:
        return None
    with _LOCK:
        for mode in (bool(fast), False) if fast else (False,):
            found = _ENTRIES.get((*base, mode))
            if found is not None:
                _ENTRIES.move_to_end((*base, mode))
                return found
    return None


def clear() -> None:
    """Forget every recorded diagnosis."""
    with _LOCK:
        _ENTRIES.clear()
