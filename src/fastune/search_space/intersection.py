"""The search space trials share, as Optuna's ``optuna.search_space.intersection`` gives
it: for samplers written against Optuna that model the parameters every trial has."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from fastune._validation import invalid
from fastune.distributions import BaseDistribution
from fastune.samplers._search_space import SpaceTracker
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["IntersectionSearchSpace", "intersection_search_space"]


def intersection_search_space(
    trials: Iterable[FrozenTrial], include_pruned: bool = False
) -> dict[str, BaseDistribution]:
    """The parameters every complete trial (and pruned one, with ``include_pruned``) has,
    each with the one distribution they all used, by name in alphabetical order. A
    parameter whose distribution changed between trials is left out.

    Example:
        >>> import fastune
        >>> from fastune.search_space import intersection_search_space
        >>> study = fastune.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
        >>> list(intersection_search_space(study.trials))
        ['x']
    """
    tracker = _tracker(include_pruned)
    tracker.update(list(trials))
    return dict(sorted(tracker.space().items()))


class IntersectionSearchSpace:
    """:func:`intersection_search_space` of one study, kept up to date between calls:
    each call reads only the trials that finished since the one before.

    Args:
        include_pruned: Count pruned trials too.
    """

    def __init__(self, include_pruned: bool = False) -> None:
        self._tracker = _tracker(include_pruned)
        self._study: tuple[Any, ...] | None = None

    def calculate(self, study: Study, use_cache: bool = False) -> dict[str, BaseDistribution]:
        """The study's intersection search space now. ``use_cache`` is Optuna's argument
        for its storage's trial cache: either way the trials that finished since the last
        call are read (Optuna's multivariate TPE calls this with ``use_cache=True``).

        Raises:
            InvalidParameterError: ``study`` is not the study of the first call.
        """
        identity = study._cache_key  # the store and the study: load_study gives the same
        if self._study is None:
            self._study = identity
        elif self._study != identity:
            raise invalid(
                "study",
                "IntersectionSearchSpace.calculate",
                "the study of the first call (one instance serves one study)",
                study.study_name,
            )
        del use_cache  # the tracker reads only the trials it has not seen
        self._tracker.update(study.get_trials(deepcopy=False))
        return dict(sorted(self._tracker.space().items()))


def _tracker(include_pruned: bool) -> SpaceTracker:
    """The samplers' own intersection, over complete (and pruned) trials."""
    states = (TrialState.COMPLETE, TrialState.PRUNED) if include_pruned else (TrialState.COMPLETE,)
    return SpaceTracker(group=False, states=states)
