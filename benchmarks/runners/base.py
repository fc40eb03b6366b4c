"""What every runner returns, and the record it keeps while a study runs."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks.problems import Problem


@dataclass
class RunResult:
    """One study of one method on one problem and seed.

    Attributes:
        values: The value of each trial in the order they ran; None where a trial gave no
            final value (pruned, failed, or a candidate the method never scored in full).
        cost: Compute consumed, in the problem's ``cost_unit`` (evaluations, CV fits, epochs).
        seconds: Wall-clock time of the whole study.
    """

    values: list[float | None] = field(default_factory=list)
    cost: int = 0
    seconds: float = 0.0

    def record(self, value: float | None) -> None:
        """Append one trial's value; non-finite values count as no value."""
        self.values.append(value if value is not None and math.isfinite(value) else None)


@dataclass(frozen=True)
class Method:
    """A way to search a problem: a library with its settings.

    Attributes:
        name: Unique name, e.g. ``"optuna tpe"``.
        library: The library it belongs to, for the versions table.
        run: Runs one study: ``run(problem, budget, seed)``.
        applies_to: Whether the method can search ``problem`` with ``budget`` trials.
    """

    name: str
    library: str
    run: Callable[[Problem, int, int], RunResult]
    applies_to: Callable[[Problem, int], bool] = lambda problem, budget: True
