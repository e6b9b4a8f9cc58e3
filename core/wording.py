"""Sentences from numbers: one formatter, so a sentence and the table beside it never disagree.

Why a module: the tour, the report, the CLI and the Simulate page each used to phrase a
saving themselves, and one of them printed a saving as "+20.6 % cost". Every sentence about a
comparison comes from here, and tests check its sign against the table.
"""

from __future__ import annotations

import math
from typing import Any


def saving_phrase(savings_pct: float | None, savings_usd: float | None = None) -> str:
    """"saves 20.6 % of the cost (0.0040 USD)" or "costs 20.6 % more (0.0040 USD)"."""
    if savings_pct is None:
        return "no cost comparison (the baseline cost is zero)"
    usd = "" if savings_usd is None else f" ({abs(savings_usd):.4f} USD)"
    if savings_pct > 0:
        return f"saves {savings_pct:.1f} % of the cost{usd}"
    if savings_pct < 0:
        return f"costs {-savings_pct:.1f} % more{usd}"
    return "costs the same"


def latency_phrase(change_pct: float | None) -> str:
    """"mean latency 3.2 % lower" / "… higher" / "unchanged"."""
    if change_pct is None:
        return "mean latency not comparable"
    if change_pct < 0:
        return f"mean latency {-change_pct:.1f} % lower"
    if change_pct > 0:
        return f"mean latency {change_pct:.1f} % higher"
    return "mean latency unchanged"


def roi_phrase(roi: float | None) -> str:
    """A router's return on its own cost; a negative one is a loss, said so."""
    if roi is None:
        return "router cost nothing extra"
    if roi < 0:
        return f"the router loses {-roi:.1f}× its own cost"
    return f"the router returns {roi:.1f}× its own cost"


def versus_sentence(label: str, vs: dict[str, Any]) -> str:
    """"Hybrid vs Lambda-only: saves …; mean latency …." from a `vs_*` block of a result."""
    return (f"Hybrid vs {label}: {saving_phrase(vs.get('savings_pct'), vs.get('savings_usd'))}"
            f"; {latency_phrase(vs.get('latency_change_pct'))}.")


def versus_sentences(hybrid: dict[str, Any]) -> list[str]:
    """The hybrid against each baseline present, in the table's order."""
    return [versus_sentence(label, hybrid[f"vs_{base}"])
            for base, label in (("lambda", "Lambda-only"), ("ecs", "ECS-only"))
            if hybrid.get(f"vs_{base}")]


def metric_delta(savings_pct: float | None) -> tuple[str, str]:
    """(value, delta colour) for a saving shown as a metric: a loss is red, never green."""
    if savings_pct is None:
        return "–", "off"
    return f"{savings_pct:+.1f} %", "normal"


#: Routing accuracy and test accuracy further apart than this (points) get an explanation.
ACCURACY_GAP = 0.03


def accuracy_note(test_accuracy: float | None, routing_accuracy: float | None, *,
                  same_data: bool | None, same_objective: bool) -> str | None:
    """Why a router's routing accuracy in a replay differs from its test accuracy (None when
    they agree within ACCURACY_GAP, or when either is unknown)."""
    if test_accuracy is None or routing_accuracy is None:
        return None
    gap = routing_accuracy - test_accuracy
    if abs(gap) <= ACCURACY_GAP:
        return None
    reasons = []
    if not same_objective:
        reasons.append("the replay scores it against another label rule or cost profile than "
                       "the one it was trained on")
    if same_data is False:
        reasons.append("it was trained on other data than the replayed file")
    if not reasons:
        reasons.append("the replayed requests differ from its test rows (it also replays its "
                       "training rows, and the file's cells are resampled)")
    direction = "above" if gap > 0 else "below"
    return (f"Routing accuracy {routing_accuracy:.1%} is {abs(gap) * 100:.1f} points {direction} "
            f"the model's test accuracy {test_accuracy:.1%}: " + "; ".join(reasons) + ".")


def significance_sentences(sig: dict[str, Any], names: dict[str, str]) -> list[str]:
    """The significance tests in words (report, CLI, Train page and tour say it the same
    way): is the champion better than the runner-up and the majority baseline, or is the
    difference noise? `names` maps model kinds to the names shown."""
    if not sig:
        return []
    best = names.get(sig.get("best"), sig.get("best"))
    lines = [f"Champion: {best} (ranked by {sig.get('ranked_by')})."]
    second = sig.get("runner_up")
    if second:
        p = second["mcnemar"]["p_value"]
        t = (second.get("corrected_t_test") or {}).get("p_value")
        verdict = "significant" if p < 0.05 else "not significant: the two are tied"
        t_text = "" if t is None or not math.isfinite(t) else \
            f"; corrected resampled t-test over CV folds p = {t:.3g}"
        lines.append(f"Against the runner-up {names.get(second['model'], second['model'])}: "
                     f"{second['accuracy_difference'] * 100:+.1f} accuracy points, McNemar "
                     f"p = {p:.3g} ({verdict}){t_text}.")
    base = sig.get("baseline")
    if base:
        lines.append(f"Against the majority baseline ({base['baseline_accuracy']:.3f}): "
                     f"{base['beats_baseline_by'] * 100:+.1f} accuracy points, McNemar p = "
                     f"{base['mcnemar']['p_value']:.3g} "
                     f"({'significant' if base['significant'] else 'not significant'}).")
    return lines


def on_cluster(scheduler: dict) -> str:
    """Where a run's work ran, from its `scheduler` {address, workers} (train's CLI line and
    the Train page's status)."""
    return f"on the Dask cluster at {scheduler['address']} ({scheduler['workers']} workers)"


def long_horizon_sentence(long: dict) -> str:
    """What a long-horizon run covered (the CLI line and the Simulate page's caption):
    requests, span, chunks, peak memory and how the quantiles were made."""
    hours = long["horizon_s"] / 3600
    span = f"{hours / 24:,.2f} days" if hours >= 48 else f"{hours:,.1f} h"
    chunks = long["chunks"]
    return (f"{long['requests']:,} requests over {span} in {chunks:,} "
            f"chunk{'s' * (chunks != 1)} (the Lambda pool and Fargate fleet carried across "
            f"them); peak memory {long['peak_rss_mb']:,.0f} MB; quantiles from a "
            f"{long['quantiles']}.")
