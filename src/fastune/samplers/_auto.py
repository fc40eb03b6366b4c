"""The default sampler: picks a sampler for each trial from the space and the budget,
by rules written out in the docstring."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from fastune._validation import check_int
from fastune.distributions import BaseDistribution, CategoricalDistribution
from fastune.samplers._base import BaseSampler
from fastune.samplers._gp import GPSampler
from fastune.samplers._qmc import QMCSampler
from fastune.samplers._tpe import TPESampler
from fastune.trial._constraints import has_constraints
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["AutoSampler"]

CHOICE_KEY = "auto:sampler"


class AutoSampler(BaseSampler):
    """The default of ``create_study``: chooses a sampler for each trial.

    The rules, checked in order for each new trial (``d`` is the number of parameters
    seen so far, ``n`` the number of complete trials):

    1. Fewer than ``n_startup_trials`` (10) finished trials, complete or pruned: **QMC**
       (scrambled Sobol), which covers the space evenly before any model is fitted.
    2. Two objectives on a small numeric space (``d <= max_gp_dimension``, ``n <
       max_gp_trials``, no categorical, not conditional): **GP** by expected hypervolume
       improvement; on ZDT1 at 50 trials it reaches a far larger hypervolume than TPE
       (``python -m benchmarks.multi_objective``). Several objectives otherwise, on a
       space that is not conditional (finished trials all have
       the same parameters): **TPE with one estimator per parameter**
       (``multivariate=False``), which recombines the parameters of different trials of
       the front; on DTLZ2 with three objectives it matches Optuna's TPE
       (``python -m benchmarks.multi_objective``), where the joint model fell short.
    3. A conditional space (one objective or several), a categorical parameter, or
       constraints (``Trial.set_constraint``): **TPE** (multivariate, grouped), which
       handles all three natively.
    4. ``d <= max_gp_dimension`` (10) and ``n < max_gp_trials`` (200): **GP**, the most
       sample-efficient on small numeric spaces, while its cubic cost is small.
    5. Otherwise, with the ``cmaes`` package: **CMA-ES**, which scales to long runs and
       many dimensions; without it: **TPE**.

    The chosen sampler's name is kept in each trial's ``system_attrs["auto:sampler"]``.

    Args:
        seed: Seed of every sampler it uses.
        n_startup_trials: Trials drawn by QMC first.
        max_gp_dimension: Largest space the GP is used for.
        max_gp_trials: Complete trials beyond which the GP is not used.

    Raises:
        InvalidParameterError: a negative count.
    """

    _transient: ClassVar[dict[str, Callable[[], Any]]] = {"_lock": threading.Lock, "_chosen": dict}

    def __init__(
        self,
        *,
        seed: int | None = None,
        n_startup_trials: int = 10,
        max_gp_dimension: int = 10,
        max_gp_trials: int = 200,
    ) -> None:
        owner = "AutoSampler"
        self._seed = check_int(seed, "seed", owner, low=0, allow_none=True)
        self._n_startup_trials = int(
            check_int(n_startup_trials, "n_startup_trials", owner, low=0) or 0
        )
        self._max_gp_dimension = int(
            check_int(max_gp_dimension, "max_gp_dimension", owner, low=0) or 0
        )
        self._max_gp_trials = int(check_int(max_gp_trials, "max_gp_trials", owner, low=0) or 0)
        self._samplers: dict[str, BaseSampler] = {
            "qmc": QMCSampler(seed=self._seed, scramble=True),
            "tpe": TPESampler(seed=self._seed, group=True, n_startup_trials=0),
            "tpe-independent": TPESampler(seed=self._seed, multivariate=False, n_startup_trials=0),
            "gp": GPSampler(seed=self._seed, n_startup_trials=1),
        }
        if importlib.util.find_spec("cmaes") is not None:
            from fastune.samplers._cmaes import CmaEsSampler

            self._samplers["cmaes"] = CmaEsSampler(
                seed=self._seed, n_startup_trials=0, independent_sampler=self._samplers["tpe"]
            )
        self._chosen: dict[int, str] = {}
        self._lock = threading.Lock()

    def reseed_rng(self) -> None:
        for sampler in self._samplers.values():
            sampler.reseed_rng()

    def choose(self, study: Study) -> str:
        """The name of the sampler the rules pick now: qmc, tpe-independent, tpe, gp or
        cmaes."""
        finished = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED))
        names = {name for trial in finished for name in trial.distributions}
        n_complete = sum(t.state == TrialState.COMPLETE for t in finished)
        if len(finished) < self._n_startup_trials:
            return "qmc"
        categorical = any(
            isinstance(d, CategoricalDistribution)
            for t in finished[-1:]
            for d in t.distributions.values()
        )
        conditional = any(set(t.distributions) != names for t in finished)
        constrained = any(has_constraints(t.system_attrs) for t in finished)
        small = len(names) <= self._max_gp_dimension and n_complete < self._max_gp_trials
        if len(study.directions) == 2 and not (conditional or categorical) and small:
            return "gp"
        if len(study.directions) > 1 and not conditional:
            return "tpe-independent"
        if len(study.directions) > 1 or categorical or conditional or constrained:
            return "tpe"
        if small:
            return "gp"
        return "cmaes" if "cmaes" in self._samplers else "tpe"

    def _sampler(self, trial: FrozenTrial) -> BaseSampler:
        with self._lock:
            name = self._chosen.get(trial._trial_id, "tpe")
        return self._samplers[name]

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        name = self.choose(study)
        with self._lock:
            self._chosen[trial._trial_id] = name
        study._storage.set_trial_system_attr(trial._trial_id, CHOICE_KEY, name)
        self._samplers[name].before_trial(study, trial)

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return self._sampler(trial).infer_relative_search_space(study, trial)

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return self._sampler(trial).sample_relative(study, trial, search_space)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        sampler = self._sampler(trial)
        return sampler.sample_independent(study, trial, param_name, param_distribution)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        with self._lock:
            name = self._chosen.pop(trial._trial_id, "tpe")
        self._samplers[name].after_trial(study, trial, state, values)
