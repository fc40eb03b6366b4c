"""Quasi-Monte Carlo sampling: Sobol or Halton points spread evenly over the space."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from fastune._space import SearchSpace
from fastune._validation import check_choice, check_int, invalid_type
from fastune.distributions import BaseDistribution
from fastune.samplers._base import BaseSampler
from fastune.samplers._random import RandomSampler
from fastune.samplers._search_space import JointSpaces

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["QMCSampler"]

FIRST_TRIAL_KEY = "qmc:first_trial"  # the number of the first trial of a space


class QMCSampler(BaseSampler):
    """Proposes the points of a low-discrepancy sequence (``scipy.stats.qmc``) in turn.

    The joint space is the one the finished trials share; the first trial (and any
    parameter outside the joint space) is drawn by ``independent_sampler``. The trial
    numbered ``k`` after the first trial of the joint space gets point ``k`` of the
    sequence: trial numbers are unique in a study, so workers in other processes (with
    samplers of their own) never take the same point.

    Args:
        qmc_type: ``"sobol"`` or ``"halton"``.
        scramble: Randomize the sequence (seeded by ``seed``), which avoids its corners;
            off by default, as in Optuna (the default sampler's QMC start scrambles).
        seed: Seed of the scrambling and of the independent sampler.
        independent_sampler: For parameters outside the joint space; random by default.
        warn_asynchronous_seeding, warn_independent_sampling: Kept for compatibility:
            unseeded scrambling and parameters outside the joint space are expected and
            not warned about.

    Raises:
        InvalidParameterError: an unknown ``qmc_type``.

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
        # Without a seed, the scrambling must still agree across trials of one sampler.
        self._scramble_seed = int(np.random.default_rng(self._seed).integers(2**31 - 1))
        self._spaces = JointSpaces()
        self._lock = threading.Lock()

    def reseed_rng(self) -> None:
        self._independent.reseed_rng()

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return self._spaces.space(study)

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        # Point k of the sequence goes to the k-th trial number since the first trial of
        # this space: trial numbers are handed out atomically by the storage, so workers
        # in other processes never take the same point (a shared counter read and written
        # back gave two of them one point).
        with self._lock:
            key = f"{FIRST_TRIAL_KEY}:{','.join(sorted(search_space))}"
            first = study._storage.get_study_system_attrs(study._study_id).get(key)
            if first is None:
                first = trial.number
                study._storage.set_study_system_attr(study._study_id, key, first)
        index = max(trial.number - int(first), 0)
        space = SearchSpace(search_space)
        engine = self._engine(len(space))
        if index:
            engine.fast_forward(index)
        return space.decode(engine.random(1)[0])

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return self._independent.sample_independent(study, trial, param_name, param_distribution)

    def _engine(self, dimension: int) -> Any:
        from scipy.stats import qmc  # on first use: scipy.stats is slow to load

        if self._qmc_type == "halton":
            return qmc.Halton(dimension, scramble=self._scramble, seed=self._scramble_seed)
        return qmc.Sobol(dimension, scramble=self._scramble, seed=self._scramble_seed)
