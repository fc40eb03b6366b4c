"""Pure statistics on runs: best CV score at a given compute, medians over seeds, the
compute a method needs to reach a target, and the per-problem summary of the report.

Scores are maximized. A seed with no score yet counts as worse than any score.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any, NamedTuple

# Scores equal up to float noise (a mean of three fold accuracies) count as reached.
TOLERANCE = 1e-9

Events = Sequence[Sequence[Any]]


class Spread(NamedTuple):
    """Median and quartiles over seeds; None where the value is missing."""

    median: float | None
    lower_quartile: float | None
    upper_quartile: float | None


def best_at(events: Events, compute: float) -> float | None:
    """Best score among the evaluations finished within ``compute``."""
    scores = [score for spent, score in events if spent <= compute and score is not None]
    return max(scores) if scores else None


def _quantile(ordered: Sequence[float], fraction: float) -> float:
    position = fraction * (len(ordered) - 1)
    below, above = ordered[math.floor(position)], ordered[math.ceil(position)]
    if math.isinf(below):
        return below
    return below + (above - below) * (position - math.floor(position))


def spread(values: Sequence[float | None]) -> Spread:
    """Median and interquartile range, a missing value counting as -infinity."""
    if not values:
        return Spread(None, None, None)
    ordered = sorted(-math.inf if value is None else value for value in values)
    quantiles = (_quantile(ordered, fraction) for fraction in (0.5, 0.25, 0.75))
    return Spread(*(None if math.isinf(q) else q for q in quantiles))


def median_curve(runs: Sequence[Events], grid: Sequence[float]) -> list[Spread]:
    """Median (and quartiles) over runs of the best score within each compute of ``grid``."""
    return [spread([best_at(events, compute) for events in runs]) for compute in grid]


def compute_to_reach(runs: Sequence[Events], target: float) -> int | None:
    """The least compute at which the median best score over runs reaches ``target``."""
    points = sorted({int(spent) for events in runs for spent, _ in events})
    for compute in points:
        median = spread([best_at(events, compute) for events in runs]).median
        if median is not None and median >= target - TOLERANCE:
            return compute
    return None


def total_compute(events: Events) -> int:
    return int(events[-1][0]) if events else 0


def _method_summary(
    runs: list[dict[str, Any]], nominal: int, checkpoints: list[int]
) -> dict[str, Any]:
    events = [run["events"] for run in runs]
    test_scores = [run["test_score"] for run in runs]
    return {
        "seeds": [run["seed"] for run in runs],
        "nominal_compute": nominal,
        "median_compute": statistics.median(total_compute(e) for e in events),
        "final_best": [best_at(e, math.inf) for e in events],
        "final": spread([best_at(e, math.inf) for e in events])._asdict(),
        "at_checkpoint": {
            str(c): spread([best_at(e, c) for e in events])._asdict()
            for c in checkpoints
            if c <= nominal
        },
        "test": spread(test_scores)._asdict(),
        "median_pick_units": statistics.median(run["pick_units"] for run in runs),
        "median_seconds": statistics.median(run["seconds"] for run in runs),
    }


def summarize_problem(
    runs: list[dict[str, Any]], methods: list[dict[str, Any]], nominal: dict[str, int]
) -> dict[str, Any]:
    """Everything the report says about one problem, from its runs.

    Args:
        runs: The problem's runs (dicts of ``Run.as_json``).
        methods: The plan's methods (``name`` and ``library``), the reference PBT first.
        nominal: Compute each method is set up to spend on this problem.
    """
    checkpoints = sorted(set(nominal.values()))
    by_method = {m["name"]: [r for r in runs if r["method"] == m["name"]] for m in methods}
    summary = {
        name: _method_summary(method_runs, nominal[name], checkpoints)
        for name, method_runs in by_method.items()
        if method_runs
    }
    peers = [m["name"] for m in methods if m["library"] != "fastune" and m["name"] in summary]
    targets = {peer: summary[peer]["final"]["median"] for peer in peers}
    reach = {
        peer: {
            name: compute_to_reach([r["events"] for r in by_method[name]], target)
            for name in summary
        }
        for peer, target in targets.items()
        if target is not None
    }
    verdicts = {
        m["name"]: _verdict(m["name"], summary, reach, peers)
        for m in methods
        if m["library"] == "fastune" and m["name"] in summary
    }
    return {
        "checkpoints": checkpoints,
        "methods": summary,
        "targets": targets,
        "compute_to_reach": reach,
        "verdicts": verdicts,
    }


def _verdict(
    pbt: str, summary: dict[str, Any], reach: dict[str, dict[str, int | None]], peers: list[str]
) -> dict[str, Any]:
    """Whether ``pbt`` meets the target against every peer.

    ``holds`` rests on the held-out accuracy of each method's pick (refitted, scored on
    clean rows the search never saw): ``pbt``'s median is at least the peer's, with at most
    half the peer's median compute. ``holds_cv`` is the same target on the best CV score,
    the secondary figure (biased towards PBT, which picks over more noisy evaluations): it
    reaches the peer's median final score with at most half the peer's compute, and at its
    own budget its median best score is above the peer's median at that same compute."""
    budget = summary[pbt]["nominal_compute"]
    own = summary[pbt]["at_checkpoint"][str(budget)]["median"]
    own_test = summary[pbt]["test"]["median"]
    rows = {}
    for peer in peers:
        needed = reach.get(peer, {}).get(pbt)
        peer_compute = summary[peer]["median_compute"]
        peer_at_budget = summary[peer]["at_checkpoint"].get(str(budget), {}).get("median")
        peer_test = summary[peer]["test"]["median"]
        ratio = None if needed is None else peer_compute / needed
        rows[peer] = {
            "compute_to_reach": needed,
            "peer_compute": peer_compute,
            "ratio": ratio,
            "reaches_with_half": ratio is not None and ratio >= 2.0,
            "peer_at_pbt_budget": peer_at_budget,
            "pbt_at_pbt_budget": own,
            "higher_at_equal_compute": (
                own is not None and (peer_at_budget is None or own > peer_at_budget + TOLERANCE)
            ),
            "held_out_at_least": (
                own_test is not None
                and (peer_test is None or own_test >= peer_test - TOLERANCE)
                and 2 * summary[pbt]["median_compute"] <= peer_compute
            ),
        }
    holds_cv = bool(rows) and all(
        row["reaches_with_half"] and row["higher_at_equal_compute"] for row in rows.values()
    )
    holds = bool(rows) and all(row["held_out_at_least"] for row in rows.values())
    return {"peers": rows, "holds": holds, "holds_cv": holds_cv}
