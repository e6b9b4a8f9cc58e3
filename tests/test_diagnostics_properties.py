"""Property tests: findings do not depend on row order or column names (roles kept)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from core.diagnostics import CODES, diagnose
from core.schema import ID_COLUMNS, TIME_COLUMN, is_outcome
from tests.diagnostics_data import (
    clean,
    conflicting_records,
    published,
    sorted_by_label,
    trigger,
)

#: The issue-13 tables beside one variant per code. In `sorted_by_label` the row numbers
#: travel with their rows, so its ID_COLUMN fail survives shuffling; the one exception is a
#: file sorted by label without such a column, where only the ingested line numbers carry
#: the order (tests/test_diagnostics_tables.py checks that shuffling the file clears it).
TABLES = {"clean": clean, "published": published, "conflicting_records": conflicting_records,
          "sorted_by_label": sorted_by_label}
VARIANTS = [*TABLES, *CODES]
#: No shrinking: one diagnosis per example is slow, and the failing example is printed.
SETTINGS = settings(max_examples=12, deadline=None, phases=[Phase.explicit, Phase.reuse,
                                                            Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow])


def make(variant: str, n: int, seed: int):
    return TABLES[variant](n, seed) if variant in TABLES else trigger(variant, n, seed)[0]


def signature(diagnosis, names: dict[str, str] | None = None):
    """What must not change: verdict, codes, severities, columns (mapped back), ceiling."""
    back = {v: k for k, v in (names or {}).items()}
    findings = [(f.code, f.severity, tuple(back.get(c, c) for c in f.columns))
                for f in diagnosis.findings]
    ceiling = {k: diagnosis.ceiling.get(k) for k in ("baseline", "ceiling", "cv_ceiling")}
    return diagnosis.verdict, findings, ceiling


@pytest.mark.slow
@SETTINGS
@given(variant=st.sampled_from(VARIANTS), n=st.integers(60, 240), seed=st.integers(0, 50),
       shuffle_seed=st.integers(0, 10_000))
def test_findings_do_not_change_when_rows_are_shuffled(variant, n, seed, shuffle_seed):
    frame = make(variant, n, seed)
    shuffled = frame.sample(frac=1.0, random_state=shuffle_seed).reset_index(drop=True)
    assert signature(diagnose(shuffled)) == signature(diagnose(frame))


@pytest.mark.slow
@SETTINGS
@given(variant=st.sampled_from(VARIANTS), n=st.integers(60, 240), seed=st.integers(0, 50),
       shuffle_seed=st.integers(0, 10_000))
def test_findings_do_not_change_when_columns_are_renamed(variant, n, seed, shuffle_seed):
    frame = make(variant, n, seed)
    rng = np.random.default_rng(shuffle_seed)
    names = {c: f"col_{i}_{rng.integers(1000)}" for i, c in enumerate(frame.columns)}
    names["label"] = "target"
    renamed = frame.rename(columns=names)
    roles = {"label": "target", "group": names["workload_type"],
             "payload": names["payload_size_kb"],
             "outcomes": [names[c] for c in frame.columns if is_outcome(c)],
             "ids": [names[c] for c in frame.columns if c in ID_COLUMNS and c != TIME_COLUMN],
             "time": names.get(TIME_COLUMN)}
    assert signature(diagnose(renamed, **roles), names) == signature(diagnose(frame))


@pytest.mark.parametrize("variant", list(TABLES))
def test_issue_tables_keep_their_findings_shuffled_and_renamed(variant):
    """Every issue-13 table, each time (the hypothesis tests above sample the variants)."""
    frame = make(variant, 200, 3)
    expected = signature(diagnose(frame))
    shuffled = frame.sample(frac=1.0, random_state=5).reset_index(drop=True)
    assert signature(diagnose(shuffled)) == expected
    names = {c: f"c{i}" for i, c in enumerate(frame.columns)}
    roles = {"label": names["label"], "group": names["workload_type"],
             "payload": names["payload_size_kb"],
             "ids": [names[c] for c in frame.columns if c in ID_COLUMNS and c != TIME_COLUMN],
             "time": names.get(TIME_COLUMN)}
    assert signature(diagnose(frame.rename(columns=names), **roles), names) == expected
