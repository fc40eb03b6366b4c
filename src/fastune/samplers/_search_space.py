"""The joint search spaces that relative samplers read from past trials.

Both are updated incrementally: each finished trial is looked at once, in number order,
so that asking for the space costs nothing however long the study is.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from fastune.distributions import BaseDistribution
from fastune.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from fastune.study import Study

__all__ = ["FinishedTrials", "JointSpaces", "SpaceTracker", "trials_in_space"]

_USED = (TrialState.COMPLETE, TrialState.PRUNED)


def trials_in_space(
    study: Study,
    trial: FrozenTrial,
    search_space: dict[str, BaseDistribution],
    states: tuple[TrialState, ...],
) -> list[FrozenTrial]:
    """The trials in ``states``, but ``trial``, that have every parameter of
    ``search_space`` with its distribution: the rows a model-based sampler learns from."""
    return [
        t
        for t in study.get_trials(deepcopy=False, states=states)
        if t._trial_id != trial._trial_id
        and all(t.distributions.get(n) == d for n, d in search_space.items())
    ]


class FinishedTrials:
    """Hands out each finished trial of a study once. Trials still running or waiting
    are kept aside and looked at again on each call, so a trial that never finishes (an
    abandoned ask) holds nothing up."""

    def __init__(self) -> None:
        self.upto = 0  # trials below this position have been seen
        self.pending: list[int] = []  # positions seen unfinished

    def new(self, trials: list[FrozenTrial]) -> list[FrozenTrial]:
        """The trials (ordered by number, as storages return them) that finished since
        the last call."""
        fresh, waiting = [], []
        for position in [*self.pending, *range(self.upto, len(trials))]:
            # A list taken by another thread may be older (shorter) than the last one.
            if position < len(trials) and trials[position].state.is_finished():
                fresh.append(trials[position])
            else:
                waiting.append(position)
        self.upto = max(self.upto, len(trials))
        self.pending = waiting
        return fresh

    def unfinished(self, trials: list[FrozenTrial]) -> list[FrozenTrial]:
        """The trials seen unfinished at the last call."""
        return [trials[position] for position in self.pending if position < len(trials)]


class SpaceTracker:
    """Follows one study's trials and keeps its joint space up to date.

    Without ``group``, the space is the intersection: the parameters every trial in
    ``states`` (complete and pruned by default) has, with the same distribution. With
    ``group``, it is split into disjoint groups such that every trial holds each group
    whole or not at all: the pieces of a conditional space that can be modelled jointly.
    """

    def __init__(self, group: bool, states: tuple[TrialState, ...] = _USED) -> None:
        self.group = group
        self._states = states
        self._feed = FinishedTrials()
        self._intersection: dict[str, BaseDistribution] | None = None
        self._groups: list[dict[str, BaseDistribution]] = []

    def update(self, trials: list[FrozenTrial]) -> None:
        """Take in the trials that finished since the last call."""
        for trial in self._feed.new(trials):
            if trial.state in self._states:
                self._add(trial.distributions)

    def _add(self, distributions: dict[str, BaseDistribution]) -> None:
        if self._intersection is None:
            self._intersection = dict(distributions)
        else:
            self._intersection = {
                name: d for name, d in self._intersection.items() if distributions.get(name) == d
            }
        names = set(distributions)
        groups: list[dict[str, BaseDistribution]] = []
        for group in self._groups:
            inside = {n: d for n, d in group.items() if n in names}
            outside = {n: d for n, d in group.items() if n not in names}
            groups += [g for g in (inside, outside) if g]
            names -= set(group)
        if names:
            groups.append({n: distributions[n] for n in distributions if n in names})
        self._groups = groups

    def space(self) -> dict[str, BaseDistribution]:
        """The joint space: the intersection, or the union of the groups."""
        if self.group:
            return {n: d for group in self._groups for n, d in group.items()}
        return dict(self._intersection or {})

    def groups(self) -> list[dict[str, BaseDistribution]]:
        """The groups (with ``group``), or the intersection as the one group."""
        return [dict(g) for g in self._groups] if self.group else [self.space()]


class JointSpaces:
    """The joint space of every study a sampler serves, each kept up to date by its own
    :class:`SpaceTracker` over the trials in ``states``; safe across threads, and pickled
    empty (it is rebuilt)."""

    def __init__(self, group: bool = False, states: tuple[TrialState, ...] = _USED) -> None:
        self.group = group
        self.states = states
        self._trackers: dict[tuple[Any, ...], SpaceTracker] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"group": self.group, "states": self.states}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["group"], state["states"])  # type: ignore[misc]

    def _tracker(self, study: Study) -> SpaceTracker:
        tracker = self._trackers.setdefault(study._cache_key, SpaceTracker(self.group, self.states))
        tracker.update(study.get_trials(deepcopy=False))
        return tracker

    def space(self, study: Study) -> dict[str, BaseDistribution]:
        """The study's joint space now, without single-valued parameters."""
        with self._lock:
            space = self._tracker(study).space()
        return {name: d for name, d in space.items() if not d.single()}

    def groups(self, study: Study) -> list[dict[str, BaseDistribution]]:
        """The study's groups now (or its joint space as one group)."""
        with self._lock:
            return self._tracker(study).groups()
