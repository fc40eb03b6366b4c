"""The two shapes of benchmark problem: evaluate a configuration, or train it epoch by epoch.

Problems know nothing of the libraries that search them; runners adapt to these shapes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

from benchmarks.space import SearchSpace


class Problem(ABC):
    """A named search space with a metric to minimize.

    Attributes:
        name: Unique name, used in results and file names.
        group: ``"bbob"``, ``"model"`` or ``"curve"``; problems of a group share a table.
        space: The parameters to search.
        metric: What the value means, in words (lower is better).
        description: What the problem is, in one line.
        cost_unit: What one unit of ``cost_per_trial`` (or one epoch) is, in words.
    """

    name: str
    group: str
    space: SearchSpace
    metric: str
    description: str
    cost_unit: str


class EvaluationProblem(Problem):
    """A problem whose configurations are scored in one call."""

    #: Units of compute (evaluations, CV fits) that one call of ``evaluate`` consumes.
    cost_per_trial: int = 1

    @abstractmethod
    def evaluate(self, params: dict[str, Any], seed: int) -> float:
        """The metric of ``params`` on the problem's instance for ``seed``."""


class LearningCurveProblem(Problem):
    """A problem trained epoch by epoch; the trial's value is the last epoch's metric."""

    n_epochs: int

    @abstractmethod
    def train(self, params: dict[str, Any]) -> Iterator[float]:
        """Train ``params`` and yield the validation metric after each of ``n_epochs`` epochs."""
