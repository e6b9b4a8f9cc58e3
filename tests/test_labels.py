"""balanced_optimal on hand-worked examples, and on the real logs."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import UserError
from core.io import read_paths
from core.labels import RULES, balanced_optimal, ensure_labels, label_shares
from tests.conftest import ROOT


def unpaired() -> pd.DataFrame:
    """Workload w: Lambda medians lat 200 / cost 2; ECS medians lat 250 / cost 3."""
    return pd.DataFrame({
        "platform": ["lambda", "lambda", "lambda", "ecs", "ecs", "ecs", "lambda", "unknown",
                     "lambda"],
        "workload_type": ["w"] * 8 + ["solo"],
        "execution_time_ms": [100, 200, 300, 150, 250, 400, 1, 1, 50],
        "cost_usd": [1, 2, 3, 2, 3, 4, 0.1, 0.1, 1],
        "http_status": [200, 200, 200, 200, 200, 200, 500, 500, 200],
    })


def test_unpaired_hand_worked_margin_10():
    with pytest.warns(UserWarning, match="'solo' has usable rows on \\['lambda'\\] only"):
        out = balanced_optimal(unpaired(), margin=0.10)
    # keep = 0.9. Lambda rows vs ECS medians * 0.9 = (225 ms, 2.7):
    #   (100, 1) -> both lower -> 1;  (200, 2) -> 1;  (300, 3) -> 0
    # ECS rows: Lambda medians (200, 2) vs the row * 0.9:
    #   (150, 2) -> (135, 1.8): 200 < 135 false -> 0
    #   (250, 3) -> (225, 2.7): true, true -> 1
    #   (400, 4) -> (360, 3.6): true, true -> 1
    # error row, unknown platform, and the one-platform workload -> NA
    assert out["label"].dtype == "Int64"
    assert out["label"].tolist() == [1, 1, 0, 0, 1, 1, pd.NA, pd.NA, pd.NA]
    assert out["optimal_platform"].tolist() == ["lambda", "lambda", "ecs", "ecs", "lambda",
                                                "lambda", pd.NA, pd.NA, pd.NA]
    assert out.attrs["label_warnings"]


def test_labelling_leaves_the_callers_frame_as_it_was():
    """The result shares the input's columns (copy-on-write, no deep copy of a million-row
    log); writing into either must never show in the other."""
    given = unpaired()
    before = given.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = balanced_optimal(given)
    assert "label" not in given.columns and "optimal_platform" not in given.columns
    out.loc[0, "execution_time_ms"] = -1.0
    out["cost_usd"] *= 10
    pd.testing.assert_frame_equal(given, before)
    given.loc[1, "execution_time_ms"] = -2.0
    assert out.loc[1, "execution_time_ms"] == 200


def test_unpaired_margin_change():
    with pytest.warns(UserWarning):
        out = balanced_optimal(unpaired(), margin=0.25)
    # keep = 0.75. Lambda rows vs (187.5, 2.25): (100,1) 1; (200,2) 0; (300,3) 0
    # ECS rows, medians (200, 2) vs row * 0.75: (112.5,1.5) 0; (187.5,2.25) 0; (300,3) 1
    assert out["label"].tolist()[:6] == [1, 0, 0, 0, 0, 1]


def test_error_rows_flagged_by_is_error_too():
    frame = unpaired().iloc[:6].assign(is_error=[False, True, False, False, False, False])
    out = balanced_optimal(frame)
    # row 1 leaves the Lambda medians: Lambda (100, 300) -> median (200, 2) unchanged
    assert out["label"].tolist() == [1, pd.NA, 0, 0, 1, 1]


def test_paired_rows_compare_per_row():
    frame = pd.DataFrame({
        "workload_type": ["w"] * 4,
        "lambda_latency_ms": [80, 95, 50, np.nan],
        "ecs_latency_ms": [100, 100, 100, 100],
        "lambda_cost_usd": [1.0, 1.0, 1.9, 1.0],
        "ecs_cost_usd": [2.0, 2.0, 2.0, 2.0],
    })
    out = balanced_optimal(frame)
    # 80 < 90 and 1 < 1.8 -> 1; 95 < 90 false -> 0; 1.9 < 1.8 false -> 0; NaN -> NA
    assert out["label"].tolist() == [1, 0, 0, pd.NA]


def test_latency_field_default_and_choice():
    frame = unpaired().iloc[:6].assign(latency_ms=[900, 900, 900, 100, 100, 100])
    assert balanced_optimal(frame)["label"].tolist() == [1, 1, 0, 0, 1, 1]
    # by client latency Lambda (900) is never 10 % faster than ECS (100) -> all 0
    assert balanced_optimal(frame, latency_col="latency_ms")["label"].tolist() == [0] * 6
    with pytest.raises(UserError, match="latency field must be one of"):
        balanced_optimal(frame, latency_col="cpu_percent")


@pytest.mark.parametrize("margin", [-0.1, 0.6, "ten", None])
def test_bad_margin(margin):
    with pytest.raises(UserError, match=r"margin must be a number between 0 and 0\.5"):
        balanced_optimal(unpaired(), margin=margin)


def test_missing_columns_and_cost_filled():
    with pytest.raises(UserError, match="needs a 'platform' column"):
        balanced_optimal(pd.DataFrame({"workload_type": ["w"], "latency_ms": [1.0]}))
    frame = unpaired().iloc[:6].drop(columns="cost_usd")
    out = balanced_optimal(frame)  # cost from default prices: labels exist, no crash
    assert out["label"].notna().all()
    assert "cost_usd" not in out.columns


def test_ensure_labels_and_shares():
    labelled = pd.DataFrame({"workload_type": ["a", "a", "b", "b", "b"],
                             "label": pd.array([1, 0, 1, 1, pd.NA], dtype="Int64")})
    assert ensure_labels(labelled) is labelled
    shares = label_shares(labelled).set_index("workload_type")
    assert shares.loc["a", "lambda_optimal_share"] == 0.5 and shares.loc["a", "in_band"]
    assert shares.loc["b", "rows"] == 3 and shares.loc["b", "labelled"] == 2
    assert not shares.loc["b", "in_band"]
    assert RULES["balanced_optimal"] is balanced_optimal
    fresh = ensure_labels(unpaired().iloc[:6])
    assert fresh["label"].notna().all()


@pytest.mark.slow
def test_real_logs_label_shares_move_with_latency_field(artillery_dir):
    frame = read_paths([artillery_dir]).frame
    server = label_shares(balanced_optimal(frame)).set_index("workload_type")
    client = label_shares(balanced_optimal(frame, latency_col="latency_ms")) \
        .set_index("workload_type")
    assert set(server.index) >= {"lightweight_api", "heavy_processing"}
    errors = (frame["http_status"] >= 400).sum()
    assert server["labelled"].sum() == len(frame) - errors
    gap = (server["lambda_optimal_share"] - client["lambda_optimal_share"]).abs()
    assert gap.max() > 0.2  # the latency field changes the labels a lot


rows = st.lists(st.tuples(st.sampled_from(["lambda", "ecs"]), st.sampled_from(["a", "b"]),
                          st.floats(1, 1e4), st.floats(1e-7, 1e-3)), min_size=1, max_size=40)


def _frame(data) -> pd.DataFrame:
    return pd.DataFrame(data, columns=["platform", "workload_type", "latency_ms", "cost_usd"])


def _labels(frame: pd.DataFrame, **kw) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return balanced_optimal(frame, **kw)["label"].to_numpy(dtype=float, na_value=np.nan)


@settings(max_examples=30, deadline=None)
@given(rows, st.floats(0, 0.5), st.floats(0, 0.5))
def test_property_larger_margin_never_adds_lambda_labels(data, m1, m2):
    frame = _frame(data)
    low, high = _labels(frame, margin=min(m1, m2)), _labels(frame, margin=max(m1, m2))
    assert np.array_equal(np.isnan(low), np.isnan(high))
    ok = ~np.isnan(low)
    assert (high[ok] <= low[ok]).all()


@settings(max_examples=30, deadline=None)
@given(rows, st.randoms(use_true_random=False), st.integers(-20, 20))
def test_property_row_order_and_price_scale_do_not_matter(data, rnd, power):
    frame = _frame(data)
    base = _labels(frame)
    order = list(range(len(frame)))
    rnd.shuffle(order)
    shuffled = _labels(frame.iloc[order].reset_index(drop=True))
    np.testing.assert_array_equal(shuffled, base[order])
    # scaling every price by one factor keeps every comparison (a power of two: exact floats)
    scaled = _labels(frame.assign(cost_usd=frame["cost_usd"] * 2.0**power))
    np.testing.assert_array_equal(scaled, base)


def test_shipped_demo_labels_survive_ingest_and_relabel():
    """data/variance.csv read back through core.io and relabelled gives the shipped labels."""
    frame = read_paths([ROOT / "data" / "variance.csv"]).frame
    relabelled = balanced_optimal(frame)
    pd.testing.assert_series_equal(relabelled["label"], frame["label"])
