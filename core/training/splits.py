"""Train/test split and cross-validation folds: stratified, grouped or time-ordered.

Why grouped and time-ordered splits: requests from one load-test run (or one time window)
are near-duplicates; if they straddle train and test, test accuracy flatters the model.
Indices are computed once, in the parent process, so every model sees the same folds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.model_selection import (
    GroupShuffleSplit,
    StratifiedGroupKFold,
    StratifiedKFold,
    TimeSeriesSplit,
    train_test_split,
)

from core.errors import UserError

SPLITS = ("stratified", "group", "time")
TEST_SIZE = 0.2
TIME_COLUMN = "timestamp"


@dataclass
class SplitPlan:
    """Row positions (into the cleaned frame) for the holdout test set and the CV folds."""

    kind: str
    train: np.ndarray
    test: np.ndarray
    folds: list[tuple[np.ndarray, np.ndarray]]  # positions into `train`
    group: str | None = None
    notes: list[str] = field(default_factory=list)

    def describe(self) -> dict:
        return {"split": self.kind, "group": self.group, "train_rows": len(self.train),
                "test_rows": len(self.test), "folds": len(self.folds),
                "notes": list(self.notes)}


def _check_cv(cv: int) -> int:
    if not isinstance(cv, int | np.integer) or cv == 1 or cv < 0 or cv > 20:
        raise UserError(f"cv == {cv!r}, must be 0 (no cross-validation) or between 2 and 20. "
                        "Pass for example --cv 5.")
    return int(cv)


def plan_split(frame: pd.DataFrame, y: np.ndarray, *, split: str = "stratified",
               group: str | None = None, cv: int = 5, seed: int = 0) -> SplitPlan:
    """Holdout test set (20 %) plus `cv` folds on the rest, with one strategy for both."""
    cv = _check_cv(cv)
    if split not in SPLITS:
        raise UserError(f"Unknown split {split!r}; choose one of {list(SPLITS)}.")
    positions = np.arange(len(frame))
    if split == "stratified":
        train, test = train_test_split(positions, test_size=TEST_SIZE, stratify=y,
                                       random_state=seed)
        train, test = np.sort(train), np.sort(test)
        folds = (list(StratifiedKFold(cv, shuffle=True, random_state=seed)
                      .split(train, y[train])) if cv else [])
        return SplitPlan("stratified", train, test, folds)
    if split == "group":
        return _group_plan(frame, y, group=group, cv=cv, seed=seed)
    return _time_plan(frame, cv=cv)


def _group_plan(frame: pd.DataFrame, y: np.ndarray, *, group: str | None, cv: int,
                seed: int) -> SplitPlan:
    if group is None:
        group = "time_window" if "time_window" in frame.columns else None
    if group is None or group not in frame.columns:
        raise UserError(f"Grouped split needs a group column; got {group!r}, columns are "
                        f"{list(frame.columns)[:12]}. Pick one such as time_window or a run id.")
    groups = frame[group].astype("string").fillna("(missing)").to_numpy()
    n_groups = len(np.unique(groups))
    if n_groups < 3:
        raise UserError(f"Grouped split on {group!r} needs at least 3 distinct values; got "
                        f"{n_groups}. Choose another group column or the stratified split.")
    notes: list[str] = []
    train, test = next(GroupShuffleSplit(n_splits=1, test_size=TEST_SIZE, random_state=seed)
                       .split(frame, y, groups))
    train, test = np.sort(train), np.sort(test)
    folds: list[tuple[np.ndarray, np.ndarray]] = []
    if cv:
        train_groups = len(np.unique(groups[train]))
        k = min(cv, train_groups)
        if k < cv:
            notes.append(f"{group!r} has only {train_groups} groups in the training part: "
                         f"{k} folds instead of {cv}.")
        if k >= 2:
            folds = list(StratifiedGroupKFold(k, shuffle=True, random_state=seed)
                         .split(train, y[train], groups[train]))
    if len(np.unique(y[test])) < 2:
        notes.append(f"The held-out {group} groups contain one class only; ROC-AUC is "
                     "undefined on the test set.")
    return SplitPlan("group", train, test, folds, group=group, notes=notes)


def _time_plan(frame: pd.DataFrame, *, cv: int) -> SplitPlan:
    if TIME_COLUMN not in frame.columns:
        raise UserError(f"Time-ordered split needs a {TIME_COLUMN!r} column; the data has "
                        f"{list(frame.columns)[:12]}. Use the stratified or grouped split.")
    ts = pd.to_datetime(frame[TIME_COLUMN], errors="coerce", utc=True, format="mixed")
    if ts.isna().all():
        raise UserError(f"No parseable values in {TIME_COLUMN!r} (first: "
                        f"{frame[TIME_COLUMN].iloc[0]!r}); use ISO-8601 timestamps.")
    order = np.argsort(ts.fillna(ts.min()).to_numpy(), kind="stable")
    cut = round(len(order) * (1 - TEST_SIZE))
    train, test = order[:cut], order[cut:]
    folds = list(TimeSeriesSplit(n_splits=cv).split(train)) if cv else []
    # Positions in `train` are already chronological; keep that order (not sorted by row).
    return SplitPlan("time", train, test, folds,
                     notes=["Test set is the latest 20 % of requests; each fold trains on "
                            "the past and validates on the next block."])
