"""The names under which the experiment trackers' callbacks (MLflow, Weights & Biases) log
a trial's values, as Optuna's: one name per objective, or one name numbered for several."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastune._validation import invalid, invalid_type


def check_metric_name(metric_name: Any, owner: str) -> str | Sequence[str]:
    """``metric_name`` if it is a string or a sequence of strings."""
    names = [metric_name] if isinstance(metric_name, str) else metric_name
    if not isinstance(names, Sequence) or not all(isinstance(n, str) for n in names):
        raise invalid_type("metric_name", owner, "a string or a sequence of strings", metric_name)
    return metric_name


def metrics_by_name(
    metric_name: str | Sequence[str], values: Sequence[float], owner: str
) -> dict[str, float]:
    """A trial's values by metric name: ``{name: value}`` for one objective; for several,
    ``<name>_0``, ``<name>_1``, ... from one name, or the names given, one per objective.

    Raises:
        InvalidParameterError: several names given, but not one per objective.
    """
    if isinstance(metric_name, str):
        if len(values) == 1:
            return {metric_name: values[0]}
        return {f"{metric_name}_{i}": value for i, value in enumerate(values)}
    if len(metric_name) != len(values):
        raise invalid(
            "metric_name",
            owner,
            f"one name per objective ({len(values)}), or a single name",
            list(metric_name),
        )
    return dict(zip(metric_name, values, strict=True))
