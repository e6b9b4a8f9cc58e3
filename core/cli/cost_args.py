"""`--costs` and `--cost-view`: the cost profile and view that define the label's objective.

Spelled once here so label, diagnose, train, simulate and report read them the same way.
"""

from __future__ import annotations

import argparse

from core.cost_profile import DEFAULT_PROFILE, PRESETS, VIEWS, CostProfile, get_profile

COSTS_HELP = (f"cost profile: a preset ({', '.join(PRESETS)}) or a JSON profile file "
              f"(default: {DEFAULT_PROFILE} where a cost is missing; given costs kept)")


def add_costs(parser: argparse.ArgumentParser) -> None:
    """--costs PRESET|FILE and --cost-view marginal|fleet."""
    parser.add_argument("--costs", metavar="PRESET|FILE", default=None, help=COSTS_HELP)
    parser.add_argument("--cost-view", choices=VIEWS, default=None,
                        help="marginal: a request's own processing time (the thesis); fleet: "
                             "plus idle task time and billed Lambda init (default: marginal)")


def profile_from(args: argparse.Namespace) -> CostProfile | None:
    """The profile the user asked for (validated: a bad one is exit 2), or None."""
    return None if args.costs is None else get_profile(args.costs)


def cost_kwargs(args: argparse.Namespace) -> dict:
    """``costs``/``view`` keyword arguments for core.labels (empty when not asked for, so a
    given label or given costs stay as they are)."""
    out: dict = {}
    if args.costs is not None:
        out["costs"] = get_profile(args.costs)
    if args.cost_view not in (None, "marginal"):
        out["view"] = args.cost_view
    return out
