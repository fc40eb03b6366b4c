"""BruteForceSampler: every combination of a finite define-by-run space, once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from fastune._study_view import every_trial
from fastune._validation import check_int, invalid
from fastune.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    equal_value,
    grid_point,
)
from fastune.samplers._base import BaseSampler
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["BruteForceSampler"]

# A failed trial counts as tried too, as in Optuna: its point is not drawn again.
_VISITED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
#: The names of a trial's parameters in the order it suggested them.
ORDER_KEY = "brute_force:order"


class BruteForceSampler(BaseSampler):
    """Try every combination of parameter values once (Optuna's name and meaning), in a
    random order, then stop the study.

    The space may be conditional (define-by-run): the parameters a trial suggests may
    depend on the values it got before. Each parameter is drawn among the values whose
    branch is not yet fully tried (by finished trials: complete, pruned or failed, as a
    point that failed is not drawn again in Optuna; and by running ones unless
    ``avoid_premature_stop``), those no trial has taken yet first. When the last branch
    is tried, the study stops (``optimize`` with no ``n_trials`` ends there).

    Every parameter must have finitely many values: a categorical, an int, or a float with
    a ``step``.

    Args:
        seed: Seed of the random order.
        avoid_premature_stop: As Optuna's: False (the default) counts a point that
            another trial is running as tried, so parallel workers do not repeat it and
            the study stops once every point is finished or running (a running trial
            that then fails leaves its point untried); True counts only finished trials:
            a strict search, which may repeat a running point.

    Raises:
        InvalidParameterError: (when suggested) a float parameter without a step.

    Example:
        >>> import fastune
        >>> def objective(trial):
        ...     kind = trial.suggest_categorical("kind", ["int", "float"])
        ...     if kind == "int":
        ...         return trial.suggest_int("a", 1, 3)
        ...     return trial.suggest_float("x", 0.0, 1.0, step=0.5)
        >>> study = fastune.create_study(sampler=fastune.samplers.BruteForceSampler(seed=0))
        >>> study.optimize(objective)
        >>> len(study.trials)
        6
    """

    _transient: ClassVar[dict[str, Callable[[], Any]]] = {"_rng": np.random.default_rng}

    def __init__(self, seed: int | None = None, avoid_premature_stop: bool = False) -> None:
        self._seed = check_int(seed, "seed", "BruteForceSampler", low=0, allow_none=True)
        self._rng = np.random.default_rng(self._seed)
        self._avoid_premature_stop = bool(avoid_premature_stop)
        # The states of the trials whose points count as tried.
        self._tried = _VISITED if self._avoid_premature_stop else (*_VISITED, TrialState.RUNNING)

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        size = _size(param_name, param_distribution)
        # This trial's own record holds its parameters in the order it suggested them.
        order = [name for name in trial.params if not trial.distributions[name].single()]
        prefix = [(name, trial.params[name]) for name in order]
        others = [
            t
            for t in every_trial(study, (*_VISITED, TrialState.RUNNING))
            if t._trial_id != trial._trial_id and _starts_with(t, prefix)
        ]
        # Per value: how many trials took it, and whether its branch is fully tried.
        taken = np.zeros(size, dtype=int)
        done = np.zeros(size, dtype=bool)
        for index, branch in _by_value(others, param_name, param_distribution).items():
            taken[index] = len(branch)
            visited = [t for t in branch if t.state in self._tried]
            done[index] = bool(visited) and _exhausted(visited, len(prefix) + 1)
        open_values = np.flatnonzero(~done) if not done.all() else np.arange(size)
        fewest = open_values[taken[open_values] == taken[open_values].min()]
        # Other samplers' records keep parameters by name (SQL storages): the order is kept.
        study._storage.set_trial_system_attr(trial._trial_id, ORDER_KEY, [*order, param_name])
        return _value(param_distribution, int(self._rng.choice(fewest)))

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        visited = [t for t in every_trial(study, self._tried) if t._trial_id != trial._trial_id]
        if state in _VISITED:
            visited.append(trial)
        if visited and _exhausted(visited, 0):
            study.stop()


def _order(trial: FrozenTrial) -> list[str]:
    """The names of the trial's parameters with more than one value, in the order it
    suggested them (as recorded; else as its record lists them)."""
    recorded = trial.system_attrs.get(ORDER_KEY)
    if recorded is not None and len(recorded) == sum(
        not d.single() for d in trial.distributions.values()
    ):
        return list(recorded)
    return [name for name, d in trial.distributions.items() if not d.single()]


def _starts_with(trial: FrozenTrial, prefix: list[tuple[str, Any]]) -> bool:
    """Whether ``trial`` took the same values for the parameters of ``prefix``."""
    return all(
        name in trial.params and equal_value(trial.params[name], value) for name, value in prefix
    )


def _by_value(
    trials: list[FrozenTrial], name: str, distribution: BaseDistribution
) -> dict[int, list[FrozenTrial]]:
    """The trials that took parameter ``name``, by the index of their value."""
    groups: dict[int, list[FrozenTrial]] = {}
    for trial in trials:
        if name in trial.params:
            index = _index(distribution, trial.params[name])
            if index is not None:
                groups.setdefault(index, []).append(trial)
    return groups


def _exhausted(trials: list[FrozenTrial], depth: int) -> bool:
    """Whether the branch these finished trials share (their first ``depth`` parameters)
    is fully tried: one of them ends there, or the next parameter's every value leads to
    a branch fully tried."""
    orders = [_order(t) for t in trials]
    if any(len(order) <= depth for order in orders):
        return True  # a trial ended at this branch: it is a leaf
    name = orders[0][depth]
    distribution = trials[0].distributions[name]
    groups = _by_value(trials, name, distribution)
    if len(groups) < _size(name, distribution):
        return False
    return all(_exhausted(branch, depth + 1) for branch in groups.values())


def _size(name: str, distribution: BaseDistribution) -> int:
    """How many values the parameter has."""
    if isinstance(distribution, CategoricalDistribution):
        return len(distribution.choices)
    if isinstance(distribution, IntDistribution):
        return (distribution.high - distribution.low) // distribution.step + 1
    if isinstance(distribution, FloatDistribution) and distribution.step is not None:
        return round((distribution.high - distribution.low) / distribution.step) + 1
    raise invalid(
        "distribution",
        "BruteForceSampler",
        f"finitely many values: give float parameter {name!r} a step",
        distribution,
    )


def _value(distribution: BaseDistribution, index: int) -> Any:
    """The parameter's ``index``-th value, as the objective gets it."""
    if isinstance(distribution, CategoricalDistribution):
        return distribution.choices[index]
    if isinstance(distribution, IntDistribution):
        return distribution.low + index * distribution.step
    low, high, step = _float_grid(distribution)
    return min(grid_point(low, step, index), high)  # 0.3, not 0.30000000000000004


def _index(distribution: BaseDistribution, value: Any) -> int | None:
    """Which of the parameter's values ``value`` is (floats to the nearest step); None
    for a value the distribution does not have."""
    try:
        if isinstance(distribution, CategoricalDistribution):
            return int(distribution.to_internal_repr(value))
        if isinstance(distribution, IntDistribution):
            return (int(value) - distribution.low) // distribution.step
        low, _, step = _float_grid(distribution)
        return round((float(value) - low) / step)
    except (TypeError, ValueError):
        return None


def _float_grid(distribution: BaseDistribution) -> tuple[float, float, float]:
    """Low, high and step of a float parameter with a step (as :func:`_size` checked)."""
    assert isinstance(distribution, FloatDistribution)
    assert distribution.step is not None
    return distribution.low, distribution.high, distribution.step
