"""Quasi-Monte Carlo sampling: Sobol or Halton points spread evenly over the space."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from fastune._space import SearchSpace
from fastune._validation import check_choice, check_int, invalid_type
from fastune.distributions import BaseDistribution
from fastune.samplers._base import BaseSampler
from fastune.samplers._random import RandomSampler
from fastune.samplers._search_space import JointSpaces
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["QMCSampler"]

FIRST_TRIAL_KEY = "qmc:first_trial"  # the number of the study's first relative trial
SCRAMBLE_SEED_KEY = "qmc:scramble_seed"  # the scrambling of samplers without a seed


class QMCSampler(BaseSampler):
    """Proposes the points of a low-discrepancy sequence (``scipy.stats.qmc``) in turn.

    The joint space is the one the complete trials share; the first trial (and any
    parameter outside the joint space) is drawn by ``independent_sampler``. The trial
    numbered ``k`` after the study's first trial with a joint space gets point ``k`` of
    the sequence: trial numbers are unique in a study, so workers in other processes
    (with samplers of their own) never take the same point. The count goes on when the
    joint space changes (a conditional parameter that some trials lack) instead of
    starting over, which gave the parameters values they had had already: coordinate
    ``j`` of an unscrambled point does not depend on the dimension.

    Args:
        qmc_type: ``"sobol"`` or ``"halton"``.
        scramble: Randomize the sequence (seeded by ``seed``), which avoids its corners;
            off by default, as in Optuna (the default sampler's QMC start scrambles).
        seed: Seed of the scrambling and of the independent sampler. Without one, the
            scrambling comes from the study (its name and its first trial's start) and
            is kept in the study's system attributes (``"qmc:scramble_seed"``), so that
            every worker on the study's storage follows that one sequence.
        independent_sampler: For parameters outside the joint space; random by default.
        warn_asynchronous_seeding, warn_independent_sampling: Kept for compatibility:
            unseeded workers share one scrambling (above), and parameters outside the
            joint space are expected; neither is warned about.

    Raises:
        InvalidParameterError: an unknown ``qmc_type``.
        InvalidParameterTypeError: an ``independent_sampler`` that is not a sampler.

    Example:
        >>> import fastune
        >>> study = fastune.create_study(sampler=fastune.samplers.QMCSampler(seed=0))
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=8)
    """

    _transient: ClassVar[dict[str, Callable[[], Any]]] = {"_lock": threading.Lock}

    def __init__(
        self,
        *,
        qmc_type: str = "sobol",
        scramble: bool = False,
        seed: int | None = None,
        independent_sampler: BaseSampler | None = None,
        warn_asynchronous_seeding: bool = True,
        warn_independent_sampling: bool = True,
    ) -> None:
        owner = "QMCSampler"
        self._qmc_type = check_choice(qmc_type, "qmc_type", owner, ("sobol", "halton"))
        self._scramble = bool(scramble)
        self._seed = check_int(seed, "seed", owner, low=0, allow_none=True)
        if independent_sampler is not None and not isinstance(independent_sampler, BaseSampler):
            raise invalid_type(
                "independent_sampler", owner, "a fastune sampler or None", independent_sampler
            )
        self._independent = independent_sampler or RandomSampler(seed=self._seed)
        # The scrambling of a seeded sampler (an unseeded one takes the study's).
        self._scramble_seed = int(np.random.default_rng(self._seed).integers(2**31 - 1))
        self._spaces = JointSpaces(states=(TrialState.COMPLETE,))  # as Optuna's
        self._lock = threading.Lock()

    def reseed_rng(self) -> None:
        self._independent.reseed_rng()

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        space = self._spaces.space(study)
        if space:
            return space
        # No complete trial yet: the parameters that the other running trials hold (a
        # batch of asked trials, workers that started together), as Optuna 5's; the
        # first of them took its values from the independent sampler.
        running: dict[str, BaseDistribution] = {}
        for other in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            if other.number != trial.number:
                running.update(other.distributions)
        return running

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        # Point k of the sequence goes to the k-th trial number since the first relative
        # trial: trial numbers are handed out atomically by the storage, so workers in
        # other processes never take the same point (a shared counter read and written
        # back gave two of them one point).
        first = self._study_attr(study, FIRST_TRIAL_KEY, lambda: _first_relative(study, trial))
        scramble_seed = self._scramble_seed
        if self._scramble and self._seed is None:
            scramble_seed = self._study_attr(study, SCRAMBLE_SEED_KEY, lambda: _study_seed(study))
        index = max(trial.number - first, 0)
        space = SearchSpace(search_space)
        engine = self._engine(len(space), scramble_seed)
        if index:
            engine.fast_forward(index)
        return space.decode(engine.random(1)[0])

    def _study_attr(self, study: Study, key: str, propose: Callable[[], int]) -> int:
        """The study's system attribute ``key``, set to ``propose()`` if it has none. The
        proposal is computed from the study, so that workers in other processes that
        find the attribute missing at the same moment write the same value (a read and
        a write are not one step for the storage)."""
        storage = study._storage
        with self._lock:
            value = storage.get_study_system_attrs(study._study_id).get(key)
            if value is None:
                value = propose()
                storage.set_study_system_attr(study._study_id, key, value)
        return int(value)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return self._independent.sample_independent(study, trial, param_name, param_distribution)

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._independent.before_trial(study, trial)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        self._independent.after_trial(study, trial, state, values)

    def _engine(self, dimension: int, scramble_seed: int) -> Any:
        from scipy.stats import qmc  # on first use: scipy.stats is slow to load

        if self._qmc_type == "halton":
            return qmc.Halton(dimension, scramble=self._scramble, seed=scramble_seed)
        return qmc.Sobol(dimension, scramble=self._scramble, seed=scramble_seed)


def _first_relative(study: Study, trial: FrozenTrial) -> int:
    """The study's first relative trial, as every worker sees it: the one after the
    lowest-numbered trial holding parameters (that trial drew them independently and
    so gave the joint space), or ``trial`` itself if it comes first."""
    holders = [
        other.number
        for other in study.get_trials(deepcopy=False)
        if other.distributions and other.number != trial.number
    ]
    return min(trial.number, min(holders) + 1) if holders else trial.number


def _study_seed(study: Study) -> int:
    """A scrambling seed of the study's own, alike in every worker: from its name and
    when its first trial started."""
    starts = [t.datetime_start for t in study.get_trials(deepcopy=False) if t.datetime_start]
    text = f"{study.study_name}|{min(starts).isoformat() if starts else ''}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") % (2**31 - 1)
