"""The sampler seam: proposes parameter values from the trials so far."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fastune._transient import Transient
from fastune.distributions import BaseDistribution
from fastune.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial, TrialState

__all__ = ["BaseSampler"]


class BaseSampler(Transient, abc.ABC):
    """Proposes parameters for a trial.

    A sampler proposes in two ways. *Relative* sampling proposes values for a whole
    search space at once (the space that :meth:`infer_relative_search_space` reads from
    past trials), which lets a model capture how parameters interact. *Independent*
    sampling proposes one parameter at a time, for parameters outside that space (such
    as one seen for the first time, or one that exists only in some trials).

    Samplers receive frozen trials and must not change them. They keep their random
    state in a ``numpy.random.Generator`` seeded from ``seed`` and pickle without it.
    """

    def __str__(self) -> str:
        """The class name, as Optuna prints a sampler (``TPESampler``)."""
        return type(self).__name__

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        """Return the space that :meth:`sample_relative` proposes for (empty by default)."""
        return {}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        """Propose values (user-facing) for ``search_space`` (none by default)."""
        return {}

    @abc.abstractmethod
    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        """Propose a user-facing value of one parameter inside ``param_distribution``."""

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        """Called when a trial starts, before any parameter is suggested."""

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        """Called when a trial finishes, before its state is stored."""

    def reseed_rng(self) -> None:
        """Give the sampler a fresh random state (used when a sampler is copied to workers)."""

    def _raise_error_if_multi_objective(self, study: Study) -> None:
        """Raise ``ValueError`` if ``study`` has several objectives (Optuna's name, which
        samplers written for Optuna call)."""
        if len(study.directions) > 1:
            raise InvalidParameterError(
                f"{type(self).__name__} cannot be used for a study with several objectives "
                f"({len(study.directions)}); NSGAIISampler, TPESampler or RandomSampler can."
            )
