"""The base of user-written genetic-algorithm samplers: generations numbered in the
storage, populations and parent sets that every worker of a study reads alike."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any

from fastune._validation import check_int, invalid
from fastune.samplers._base import BaseSampler
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["BaseGASampler"]


class BaseGASampler(BaseSampler, abc.ABC):
    """A base class for genetic-algorithm samplers, with Optuna's names.

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

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Each subclass keeps its generations apart from another's in the same study.
        cls._GENERATION_KEY = f"{cls.__name__}:generation"
        cls._PARENT_CACHE_KEY_PREFIX = f"{cls.__name__}:parent:"

    def __init__(self, population_size: int | None) -> None:
        self.population_size = population_size

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
        size = self._population_size
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
        :meth:`select_parent` chose, asked once per study and kept in its storage."""
        if generation == 0:
            return []
        key = f"{self._get_parent_cache_key_prefix()}{generation}"
        kept = study._storage.get_study_system_attrs(study._study_id).get(key)
        if kept is None:
            parents = self.select_parent(study, generation)
            study._storage.set_study_system_attr(
                study._study_id, key, [t._trial_id for t in parents]
            )
            return parents
        ids = set(kept)
        return [t for t in study.get_trials(deepcopy=False) if t._trial_id in ids]
