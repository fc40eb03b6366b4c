"""The base of genetic-algorithm samplers (NSGA-II, NSGA-III and the user's own):
generations numbered in the storage, populations and parent sets that every worker of a
study reads alike."""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from fastune._validation import check_int, invalid
from fastune.samplers._base import BaseSampler
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["BaseGASampler"]


class BaseGASampler(BaseSampler, abc.ABC):
    """A base class for genetic-algorithm samplers, with Optuna's names; the base of
    :class:`NSGAIISampler` and :class:`NSGAIIISampler`.

    A subclass says how a generation's parents are chosen (:meth:`select_parent`) and
    how a child is bred (the usual sampler methods); this class keeps the bookkeeping in
    the storage, so that several workers on one study agree on it:

    * :meth:`get_trial_generation`: a new trial joins the latest generation until
      ``population_size`` of its trials are complete, then starts the next one; the
      number is kept in the trial's system attribute ``"<ClassName>:generation"``.
    * :meth:`get_population`: the complete trials of a generation.
    * :meth:`get_parent_population`: the parents of a generation, chosen once by
      :meth:`select_parent` and kept (as trial ids) in the study's system attribute
      ``"<ClassName>:parent:<generation>"``; generation 0 has none.

    Args:
        population_size: Trials per generation, >= 1 (None: the subclass sets
            :attr:`population_size` before the first trial).

    Raises:
        InvalidParameterError: ``population_size < 1`` (Optuna takes any number); a
            generation asked for while :attr:`population_size` is None.
        InvalidParameterTypeError: ``population_size`` not an int.

    Example:
        >>> import fastune
        >>> class Elitist(fastune.samplers.BaseGASampler):
        ...     def select_parent(self, study, generation):
        ...         previous = self.get_population(study, generation - 1)
        ...         return sorted(previous, key=lambda t: t.value)[:2]
        ...
        ...     def before_trial(self, study, trial):
        ...         self.get_trial_generation(study, trial)
        ...
        ...     def infer_relative_search_space(self, study, trial):
        ...         return {}
        ...
        ...     def sample_relative(self, study, trial, search_space):
        ...         return {}
        ...
        ...     def sample_independent(self, study, trial, name, distribution):
        ...         parents = self.get_parent_population(
        ...             study, self.get_trial_generation(study, trial))
        ...         if parents:  # a parent's value, else a random one
        ...             return parents[trial.number % len(parents)].params[name]
        ...         return fastune.samplers.RandomSampler().sample_independent(
        ...             study, trial, name, distribution)
        >>> study = fastune.create_study(sampler=Elitist(population_size=4))
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=8)
        >>> [t.system_attrs["Elitist:generation"] for t in study.trials]
        [0, 0, 0, 0, 1, 1, 1, 1]
    """

    _GENERATION_KEY = "BaseGASampler:generation"
    _PARENT_CACHE_KEY_PREFIX = "BaseGASampler:parent:"

    _transient: ClassVar[dict[str, Callable[[], Any]]] = {"_parent_ids": dict}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Each subclass keeps its generations apart from another's in the same study.
        cls._GENERATION_KEY = f"{cls.__name__}:generation"
        cls._PARENT_CACHE_KEY_PREFIX = f"{cls.__name__}:parent:"

    def __init__(self, population_size: int | None) -> None:
        self.population_size = population_size
        # (study, generation) -> the ids of its parents as read from or written to the
        # storage, where a record, once made, stays: read once, not at every trial.
        self._parent_ids: dict[tuple[tuple[Any, ...], int], list[int]] = {}

    @property
    def population_size(self) -> int | None:
        """Trials per generation."""
        return self._population_size

    @population_size.setter
    def population_size(self, value: int | None) -> None:
        owner = type(self).__name__
        self._population_size = check_int(value, "population_size", owner, low=1, allow_none=True)

    @classmethod
    def _get_generation_key(cls) -> str:
        return cls._GENERATION_KEY

    @classmethod
    def _get_parent_cache_key_prefix(cls) -> str:
        return cls._PARENT_CACHE_KEY_PREFIX

    @abc.abstractmethod
    def select_parent(self, study: Study, generation: int) -> list[FrozenTrial]:
        """Choose the parents that breed ``generation`` (>= 1), for example from
        :meth:`get_population` of the generation before and its own parents."""

    def get_trial_generation(self, study: Study, trial: FrozenTrial) -> int:
        """The generation ``trial`` belongs to, worked out and stored on its first call."""
        key = self._get_generation_key()
        if key in trial.system_attrs:
            return int(trial.system_attrs[key])
        size = self.population_size
        if size is None:
            owner = type(self).__name__
            raise invalid("population_size", owner, "an int >= 1 before the first trial", None)
        complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        numbered = [t.system_attrs[key] for t in complete if key in t.system_attrs]
        latest = max(numbered, default=0)
        generation = latest + 1 if numbered.count(latest) >= size else latest
        study._storage.set_trial_system_attr(trial._trial_id, key, generation)
        return generation

    def get_population(self, study: Study, generation: int) -> list[FrozenTrial]:
        """The complete trials of ``generation``."""
        key = self._get_generation_key()
        complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        return [t for t in complete if t.system_attrs.get(key) == generation]

    def get_parent_population(self, study: Study, generation: int) -> list[FrozenTrial]:
        """The parents of ``generation``: none for generation 0; otherwise those
        :meth:`select_parent` chose, asked once per study and kept in its storage (in the
        order chosen). The first worker to record a choice wins: one that chose at the
        same time takes the recorded parents instead of its own."""
        if generation == 0:
            return []
        ids = self._parent_ids_of(study, generation)
        by_id = {t._trial_id: t for t in study.get_trials(deepcopy=False)}
        return [by_id[i] for i in ids if i in by_id]

    def _parent_key(self, generation: int) -> str:
        """The study system attribute that holds the parents of ``generation``."""
        return f"{self._get_parent_cache_key_prefix()}{generation}"

    def _parent_ids_of(self, study: Study, generation: int) -> list[int]:
        """The trial ids of the parents of ``generation`` (>= 1): known already, recorded
        in the study, or chosen now and recorded."""
        known = (study._cache_key, generation)
        ids = self._parent_ids.get(known)
        if ids is None:
            ids = self._recorded_parent_ids(study, generation)
        if ids is None:
            ids = self._choose_and_record_parents(study, generation)
        self._parent_ids[known] = ids
        return ids

    def _recorded_parent_ids(self, study: Study, generation: int) -> list[int] | None:
        """The ids of the parents of ``generation`` recorded in the study; None if none."""
        recorded = study._storage.get_study_system_attrs(study._study_id)
        return recorded.get(self._parent_key(generation))

    def _choose_and_record_parents(self, study: Study, generation: int) -> list[int]:
        """Ask :meth:`select_parent` and record its choice, unless another worker recorded
        one meanwhile (choosing can take a while): then that one is returned."""
        chosen = [t._trial_id for t in self.select_parent(study, generation)]
        recorded = self._recorded_parent_ids(study, generation)
        if recorded is not None:
            return recorded
        study._storage.set_study_system_attr(study._study_id, self._parent_key(generation), chosen)
        return chosen
