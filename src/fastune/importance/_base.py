"""The seam of the importance evaluators, and the table of trials they learn from."""

from __future__ import annotations

import abc
import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from fastune._validation import check_int, invalid, invalid_type
from fastune.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    covering_distribution,
)
from fastune.exceptions import InvalidParameterError
from fastune.study import Study
from fastune.trial import FrozenTrial, TrialState

__all__ = [
    "BaseImportanceEvaluator",
    "ForestImportanceEvaluator",
    "TrialTable",
    "check_target",
    "named_params",
    "no_finite_trial",
    "ranked",
    "trial_table",
]


def check_target(study: Study, target: Callable[[FrozenTrial], float] | None, owner: str) -> None:
    """Refuse a study with several objectives when no ``target`` picks one of them."""
    if target is None and len(study.directions) > 1:
        allowed = (
            f"a function of a trial returning one float for a study with "
            f"{len(study.directions)} objectives (for example target=lambda t: t.values[0])"
        )
        raise invalid("target", owner, allowed, None)
    if target is not None and not callable(target):
        raise invalid_type("target", owner, "a function of a trial or None", target)


class BaseImportanceEvaluator(abc.ABC):
    """Scores how much each parameter explains the objective over a study's trials."""

    @abc.abstractmethod
    def evaluate(
        self,
        study: Study,
        params: Sequence[str] | None = None,
        *,
        target: Callable[[FrozenTrial], float] | None = None,
    ) -> dict[str, float]:
        """Return each parameter's importance (not normalized), highest first.

        Args:
            study: The study whose complete trials are used.
            params: The parameters to score (by default those every complete trial has).
            target: Scores ``target(trial)`` instead of the objective value; needed for
                a study with several objectives.
        """


class ForestImportanceEvaluator(BaseImportanceEvaluator):
    """An evaluator that reads its scores from a random forest fitted to the trials.

    Args:
        n_trees: Trees in the forest.
        max_depth: Depth limit of each tree.
        seed: Seeds the forest; the same seed gives the same importances.
    """

    def __init__(self, *, n_trees: int = 64, max_depth: int = 64, seed: int | None = None) -> None:
        owner = type(self).__name__
        self.n_trees = check_int(n_trees, "n_trees", owner, low=1)
        self.max_depth = check_int(max_depth, "max_depth", owner, low=1)
        self.seed = check_int(seed, "seed", owner, allow_none=True)

    def evaluate(
        self,
        study: Study,
        params: Sequence[str] | None = None,
        *,
        target: Callable[[FrozenTrial], float] | None = None,
    ) -> dict[str, float]:
        from sklearn.ensemble import RandomForestRegressor

        table = trial_table(study, params, target, f"{type(self).__name__}.evaluate")
        if not table.names or len(set(table.values.tolist())) < 2:  # nothing to explain
            return dict.fromkeys(table.names, 0.0)
        forest = RandomForestRegressor(
            n_estimators=self.n_trees, max_depth=self.max_depth, random_state=self.seed
        )
        forest.fit(table.features, table.values)
        return ranked(table.names, self._scores(forest, table))

    @abc.abstractmethod
    def _scores(self, forest: Any, table: TrialTable) -> np.ndarray:
        """Each parameter's score (one per column of ``table``) from the fitted forest."""


class TrialTable(NamedTuple):
    """The complete trials as a matrix: one row per trial, one column per parameter
    (its internal value: the log10 of a log parameter, a choice's index for a
    categorical one), the objective, each column's range and the distribution it was
    read with."""

    names: list[str]
    features: np.ndarray
    values: np.ndarray
    low: np.ndarray
    high: np.ndarray
    distributions: list[BaseDistribution]


def _intersection(trials: Sequence[FrozenTrial]) -> list[str]:
    """The parameters every trial has, with the same distribution in all of them."""
    if not trials:
        return []
    first = trials[0].distributions
    return [
        name
        for name, distribution in first.items()
        if all(t.distributions.get(name) == distribution for t in trials[1:])
    ]


def _column(
    trials: Sequence[FrozenTrial], name: str, distribution: BaseDistribution
) -> tuple[np.ndarray, float, float]:
    """One parameter's column and its range, on the scale the forest learns on."""
    internal = np.array([distribution.to_internal_repr(t.params[name]) for t in trials])
    if isinstance(distribution, CategoricalDistribution):
        return internal, -0.5, len(distribution.choices) - 0.5
    low, high = float(distribution.low), float(distribution.high)  # type: ignore[attr-defined]
    if distribution.log:  # type: ignore[attr-defined]
        return np.log10(internal), math.log10(low), math.log10(high)
    return internal, low, high


def _value(trial: FrozenTrial, target: Callable[[FrozenTrial], float] | None) -> float:
    if target is not None:
        return float(target(trial))
    return float(trial.values[0]) if trial.values else math.nan


def named_params(trials: Sequence[FrozenTrial], params: Sequence[str], owner: str) -> list[str]:
    """The names in ``params`` (each once, in their order), every one a parameter of at
    least one of ``trials``.

    Raises:
        TypeError: ``params`` is a single string.
        ValueError: a name that no trial has.
    """
    if isinstance(params, str):
        raise invalid_type("params", owner, "a list of parameter names or None", params)
    known = list(dict.fromkeys(n for t in trials for n in t.params))
    unknown = [n for n in params if n not in known]
    if unknown:
        allowed = f"a list of parameter names of the complete trials ({known})"
        raise invalid("params", owner, allowed, list(params))
    return list(dict.fromkeys(params))


def no_finite_trial(owner: str) -> InvalidParameterError:
    """The error for a study whose complete trials all have an infinite or NaN value."""
    allowed = "a study with a complete trial whose value is finite"
    return invalid("study", owner, allowed, "a study whose complete trials are not")


def trial_table(
    study: Study,
    params: Sequence[str] | None,
    target: Callable[[FrozenTrial], float] | None,
    owner: str,
) -> TrialTable:
    """Build the :class:`TrialTable` of ``study``'s complete trials with a finite value.

    Without ``params``, the columns are the parameters every complete trial has (a
    conditional parameter is left out); with ``params``, the rows are the trials that
    have all of them.

    Without a complete trial, the table is empty (the evaluators then give ``{}``, as
    Optuna's).

    Raises:
        ValueError: several objectives and no ``target``; an unknown name in
            ``params``; complete trials without a finite value.
    """
    check_target(study, target, owner)
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not trials and not params:
        empty = np.zeros(0)
        return TrialTable([], np.zeros((0, 0)), empty, empty, empty, [])
    if params is None:
        names = _intersection(trials)
    else:
        names = named_params(trials, params, owner)
        trials = [t for t in trials if all(n in t.params for n in names)]
    values = np.array([_value(t, target) for t in trials], dtype=float)
    keep = np.isfinite(values)
    trials = [t for t, k in zip(trials, keep, strict=True) if k]
    if not trials:
        raise no_finite_trial(owner)
    # Where a named parameter's distribution changed, one that holds all its values.
    distributions = [covering_distribution([t.distributions[n] for t in trials]) for n in names]
    columns = [_column(trials, n, d) for n, d in zip(names, distributions, strict=True)]
    features = np.array([c[0] for c in columns]).T.reshape(len(trials), len(names))
    low = np.array([c[1] for c in columns])
    high = np.array([c[2] for c in columns])
    return TrialTable(names, features, values[keep], low, high, distributions)


def ranked(names: Sequence[str], scores: np.ndarray) -> dict[str, float]:
    """Scores by name, highest first (ties in the order of ``names``)."""
    order = np.argsort(-np.asarray(scores), kind="stable")
    return {names[i]: float(scores[i]) for i in order}
