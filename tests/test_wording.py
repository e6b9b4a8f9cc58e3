"""Sentences agree with the numbers they describe (one formatter for tour, report, CLI)."""

import pytest

from core.wording import metric_delta, roi_phrase, saving_phrase, versus_sentences


@pytest.mark.parametrize("pct, word", [(20.6, "saves 20.6 %"), (-20.6, "costs 20.6 % more"),
                                       (0.0, "costs the same")])
def test_saving_sign_matches_the_number(pct, word):
    assert saving_phrase(pct, -0.004 if pct < 0 else 0.004).startswith(word)
    assert "-" not in saving_phrase(pct, -0.004)  # the word carries the sign, not a minus


def test_a_negative_roi_is_a_loss():
    assert "loses" in roi_phrase(-2.0) and "returns" in roi_phrase(3.0)
    assert metric_delta(-5.0)[0].startswith("-")


def test_versus_sentences_follow_the_table():
    hybrid = {"vs_lambda": {"savings_pct": -51.6, "savings_usd": -0.1, "latency_change_pct": 2.0},
              "vs_ecs": {"savings_pct": 20.6, "savings_usd": 0.2, "latency_change_pct": -3.0}}
    lam, ecs = versus_sentences(hybrid)
    assert lam.startswith("Hybrid vs Lambda-only: costs 51.6 % more")
    assert "latency 2.0 % higher" in lam
    assert ecs.startswith("Hybrid vs ECS-only: saves 20.6 %") and "3.0 % lower" in ecs


def test_accuracy_note_explains_a_gap_and_stays_quiet_otherwise():
    from core.wording import accuracy_note

    assert accuracy_note(0.81, 0.82, same_data=True, same_objective=True) is None
    assert accuracy_note(None, 0.82, same_data=True, same_objective=True) is None
    note = accuracy_note(0.81, 0.885, same_data=True, same_objective=False)
    assert note.startswith("Routing accuracy 88.5% is 7.5 points above")
    assert "another label rule" in note
    assert "other data" in accuracy_note(0.9, 0.6, same_data=False, same_objective=True)


def test_long_horizon_sentence_counts_chunks_and_picks_the_unit():
    from core.wording import long_horizon_sentence

    base = {"requests": 36_024, "peak_rss_mb": 541.2, "quantiles": "histogram"}
    one = long_horizon_sentence({**base, "horizon_s": 7200, "chunks": 1})
    assert one.startswith("36,024 requests over 2.0 h in 1 chunk (") and "541 MB" in one
    month = long_horizon_sentence({**base, "horizon_s": 30 * 86_400, "chunks": 2593})
    assert "over 30.00 days in 2,593 chunks (" in month
