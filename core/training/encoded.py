"""The cleaned rows encoded once, shared with the model processes as one memory-mapped file.

Why: every model's pipeline starts with the same FeatureTransform fitted on the same training
rows. Fitting it once here and encoding every row to one float matrix spares each worker the
pickled frame and the re-encoding (timestamps parsed again) in every fit, predict and
permutation. The workers memory-map one .npy file written once per run.

Results stay identical to fitting the whole pipeline per model: the transform works row by
row, so the encoded rows are the rows the pipeline would have seen. Only a cross-validation
fold's own transform could differ (a category level absent from that fold's training rows, or
a missing number imputed with that fold's median); then `encode` returns None and the run
ships the frame as before.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.features import FeatureTransform


@dataclass
class Encoded:
    """The transform fitted on the training rows and every cleaned row through it."""

    transform: FeatureTransform
    x: np.ndarray                     # (rows, encoded columns) float64, all cleaned rows
    groups: dict[str, list[int]]      # input feature -> its encoded columns
    probe: pd.DataFrame               # one raw test row: single-request latency, whole pipeline
    transform_ms: float               # encoding the test rows (part of a batch prediction)


def encode(frame: pd.DataFrame, features: Sequence[str], *, allow_outcomes: bool,
           train: np.ndarray, test: np.ndarray,
           fit_sets: Sequence[np.ndarray] = ()) -> Encoded | None:
    """Encode `frame` with a transform fitted on its `train` rows, or None when a model
    fitted on one of `fit_sets` (row positions whose own transform a fold would fit) would
    see other numbers, or when the transform refuses the data (each model then reports it)."""
    transform = FeatureTransform(features=list(features), allow_outcomes=allow_outcomes)
    try:
        transform.fit(frame.iloc[train])
        x = transform.transform(frame)
    except Exception:  # the per-model path reports the same error for each model
        return None
    groups: dict[str, list[int]] = {}
    for j, source in enumerate(transform.source_feature_):
        groups.setdefault(source, []).append(j)
    imputed = [c for c, kind in transform.kinds_.items() if kind == "numeric"
               and not np.isfinite(pd.to_numeric(frame[c], errors="coerce")
                                   .to_numpy(dtype=float)).all()]
    for rows in fit_sets:
        if not _same_transform(transform, frame, x, groups, imputed, rows):
            return None
    start = time.perf_counter()
    transform.transform(frame.iloc[test])
    transform_ms = (time.perf_counter() - start) * 1000
    return Encoded(transform, x, groups, frame.iloc[test[:1]].reset_index(drop=True),
                   transform_ms)


def _same_transform(transform: FeatureTransform, frame: pd.DataFrame, x: np.ndarray,
                    groups: dict[str, list[int]], imputed: list[str], rows: np.ndarray
                    ) -> bool:
    """Would a transform fitted on `rows` equal `transform`? Its categories are a subset,
    equal when every level occurs in `rows`; its medians matter only for the `imputed`
    columns (those with a missing value)."""
    for col, kind in transform.kinds_.items():
        if kind == "categorical" and not x[np.ix_(rows, groups[col])].any(axis=0).all():
            return False
    for col in imputed:
        median = pd.to_numeric(frame[col].iloc[rows], errors="coerce").median()
        if (0.0 if pd.isna(median) else float(median)) != transform.medians_[col]:
            return False
    return True


#: Temporary folders are named PREFIX + owner pid + "-": a run killed before its cleanup
#: (SIGKILL, power loss) leaves one behind, which the next run removes.
PREFIX = "routing-lab-train-"


@contextlib.contextmanager
def shared_file(x: np.ndarray) -> Iterator[str]:
    """`x` saved as one .npy file for the workers to memory-map; removed afterwards."""
    remove_stale(tempfile.gettempdir())
    folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
    try:
        path = os.path.join(folder, "x.npy")
        np.save(path, np.ascontiguousarray(x))
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_stale(root: str) -> list[str]:
    """Remove the training folders in `root` whose owner process has ended; returns them."""
    removed = []
    with contextlib.suppress(OSError), os.scandir(root) as entries:
        for entry in entries:
            owner = entry.name[len(PREFIX):].split("-", 1)[0]
            if (entry.name.startswith(PREFIX) and owner.isdigit() and entry.is_dir()
                    and not _alive(int(owner))):
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(entry.path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def load(path: str) -> np.ndarray:
    """The shared matrix, memory-mapped read-only (rows are copied when indexed)."""
    return np.load(path, mmap_mode="r")
