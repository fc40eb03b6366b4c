"""Every method of the suite by name, and why any of them cannot run on this machine."""

from __future__ import annotations

from benchmarks.runners.base import Method, RunResult
from benchmarks.runners.fastune_runner import fastune_methods
from benchmarks.runners.optional_runners import optional_methods, optional_unavailable
from benchmarks.runners.optuna_runner import optuna_methods, optuna_unavailable
from benchmarks.runners.sklearn_runner import sklearn_methods

__all__ = ["METHODS", "Method", "RunResult", "unavailable_methods"]

METHODS: dict[str, Method] = {
    method.name: method
    for method in [*fastune_methods(), *optuna_methods(), *sklearn_methods(), *optional_methods()]
}


def unavailable_methods() -> dict[str, str]:
    """Methods (and peers) that cannot run here, with the reason, by name."""
    return {**optuna_unavailable(), **optional_unavailable()}
