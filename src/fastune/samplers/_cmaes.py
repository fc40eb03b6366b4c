"""CMA-ES on the ``cmaes`` package, over the numeric columns of the unit cube, with
IPOP or BIPOP restarts; categorical parameters go to an independent sampler."""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import threading
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from fastune._imports import import_optional
from fastune._space import SearchSpace
from fastune._study_direction import StudyDirection
from fastune._validation import check_choice, check_int, check_number, invalid, invalid_type
from fastune.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    distribution_to_json,
    value_inside,
)
from fastune.logging import get_logger
from fastune.samplers._base import BaseSampler
from fastune.samplers._random import RandomSampler
from fastune.samplers._search_space import JointSpaces
from fastune.trial._constraints import violation
from fastune.trial._state import TrialState
from fastune.trial._trial import FIXED_PARAMS_KEY

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["CmaEsSampler"]

_logger = get_logger(__name__)

GENERATION_KEY = "cma:generation"
POINT_KEY = "cma:x"
SPACE_KEY = "cma:space"  # a digest of the search space a trial's point belongs to
# How a restarted run began (its first generation, regime, population, step size and
# mean), on each of its trials: a process that joins the study rebuilds the same run.
RESTART_KEY = "cma:restart"
# How far from the unit cube a told point may lie (margin runs draw discrete columns
# without bounds); beyond it the run has diverged.
_RUNAWAY = 1e3


class _Run:
    """One CMA-ES run (between restarts) of one study.

    Attributes:
        optimizer: The ``cmaes`` optimizer.
        start: The study-wide number of the run's first generation.
        generation: The study-wide number of its current generation.
        regime: ``"large"`` or ``"small"`` (BIPOP's regimes).
        restart: How the run began when a restart began it (``RESTART_KEY``), else None.
    """

    def __init__(self, optimizer: Any, regime: str, restart: dict[str, Any] | None) -> None:
        self.optimizer = optimizer
        self.start = int(restart["start"]) if restart is not None else 0
        self.generation = self.start
        self.regime = regime
        self.restart = restart


class CmaEsSampler(BaseSampler):
    """CMA-ES (covariance matrix adaptation) with Optuna's parameters and meaning.

    The numeric parameters of the joint space are optimized in the unit cube (log scales
    and int steps included); each generation of ``popsize`` trials is told to the
    optimizer once all of it is complete: each with the point it evaluated (where
    ``enqueue_trial`` or a retry fixed some of its parameters, the fixed values), a
    trial whose value is infinite ranked past every finite one of its generation. A
    trial with every parameter of the space fixed is not asked for a point and is not
    part of a generation, as in Optuna. With ``restart_strategy``, a run that has
    converged restarts from a random point: IPOP with a population ``inc_popsize``
    times larger each time, BIPOP alternating such large runs with small ones of random
    step size. Categorical parameters, parameters that not every complete trial has,
    and the first ``n_startup_trials`` trials use ``independent_sampler``; several
    objectives are refused.

    The optimizer's state follows from the trials in the storage: a sampler that joins
    or resumes a study replays every finished generation in order (restarted runs begin
    as recorded on their trials) and carries on from the latest one.

    With ``with_margin``, ints (not log-scaled) and stepped floats are searched as the
    discrete values they are (CMA-ES with margin, ``cmaes.CMAwM``): the optimizer keeps
    a minimum chance of moving each of them to a neighbouring value, so that a discrete
    parameter does not freeze once the step size is smaller than its bins. Log-scaled
    ints stay continuous and are rounded, as without the margin. A margin run that has
    converged (``should_stop``) or diverged (points 1000 cube widths out) starts afresh
    from a random point, with IPOP's larger population if asked: left to run on, the
    ``cmaes`` package's margin run can grow its points without bound and fail (Optuna's
    does, after some thousands of trials). BIPOP's small runs were seen to overflow the
    margin run's step size, so ``restart_strategy="bipop"`` with ``with_margin`` restarts
    as ``"ipop"`` (BIPOP's large runs), with a ``UserWarning``.

    Args:
        x0: The starting mean, by parameter name, each inside its parameter's range (the
            centre of the space by default).
        sigma0: The starting step size in the unit cube, > 0 (1/6 by default).
        n_startup_trials: Trials by the independent sampler first, >= 0 (pruned trials
            with a reported value count too with ``consider_pruned_trials``).
        independent_sampler: Random by default; a TPESampler suits categoricals.
        warn_independent_sampling: Log a warning for each parameter that the independent
            sampler draws after the startup trials.
        seed: Seed of the random state.
        restart_strategy: None, ``"ipop"`` or ``"bipop"`` (``"ipop"`` with
            ``with_margin``, above).
        popsize: Population size (CMA-ES's default, ``4 + 3 ln d``, when None); restarts
            grow it.
        inc_popsize: Growth factor of the population at each large restart, >= 2; -1
            (Optuna 5's default, which no longer restarts itself) means 2.
        consider_pruned_trials: Tell pruned trials with their last reported value.
            (A trial that breaks its constraints, ``Trial.set_constraint``, is told as
            worse than every feasible one of its generation.)
        use_separable_cma: Diagonal covariance only (scales to many parameters).
        lr_adapt: Adapt the learning rate (for noisy or multimodal objectives).
        source_trials: Complete trials of a similar earlier task (same parameters, same
            direction): the first run starts from their warm-start distribution
            (WS-CMA-ES, ``cmaes.get_warm_start_mgd``: mean, step size and covariance
            from their best tenth) instead of ``x0`` and ``sigma0``; with ``with_margin``,
            its mean is moved inside the discrete parameters' outermost values.
        with_margin: CMA-ES with margin for the discrete parameters (above); without it
            they are rounded from the continuous search.

    Raises:
        InvalidParameterError: ``sigma0 <= 0``, ``n_startup_trials < 0``, an unknown
            ``restart_strategy``, ``popsize < 2`` or ``inc_popsize < 2``; ``x0``,
            ``sigma0`` or ``use_separable_cma`` with ``source_trials``, or
            ``source_trials`` without a complete trial; ``with_margin`` with
            ``use_separable_cma`` or ``lr_adapt`` (as in Optuna). When the first run
            starts: an ``x0`` without a value inside the range of each parameter of the
            space.
        MissingDependencyError: the ``cmaes`` package is missing (``fastune[cmaes]``).
    """

    _transient: ClassVar[dict[str, Callable[[], Any]]] = {
        "_rng": np.random.default_rng,
        "_lock": threading.Lock,
        "_runs": dict,
        "_restarts": dict,
    }

    def __init__(
        self,
        x0: dict[str, Any] | None = None,
        sigma0: float | None = None,
        n_startup_trials: int = 1,
        independent_sampler: BaseSampler | None = None,
        warn_independent_sampling: bool = True,
        seed: int | None = None,
        *,
        restart_strategy: str | None = None,
        popsize: int | None = None,
        inc_popsize: int = 2,
        consider_pruned_trials: bool = False,
        use_separable_cma: bool = False,
        lr_adapt: bool = False,
        source_trials: list[FrozenTrial] | None = None,
        with_margin: bool = False,
    ) -> None:
        owner = "CmaEsSampler"
        import_optional("cmaes", "cmaes")
        if x0 is not None and not isinstance(x0, dict):
            raise invalid_type("x0", owner, "a dict of parameter name -> value or None", x0)
        self._x0 = x0  # checked against the search space at the first relative sample
        self._sigma0 = check_number(
            sigma0, "sigma0", owner, low=0.0, low_inclusive=False, allow_none=True
        )
        self._n_startup_trials = int(
            check_int(n_startup_trials, "n_startup_trials", owner, low=0) or 0
        )
        if restart_strategy is not None:
            check_choice(restart_strategy, "restart_strategy", owner, (None, "ipop", "bipop"))
        self._popsize = check_int(popsize, "popsize", owner, low=2, allow_none=True)
        if inc_popsize == -1:
            inc_popsize = 2
        self._inc_popsize = int(check_int(inc_popsize, "inc_popsize", owner, low=2) or 2)
        if independent_sampler is not None and not isinstance(independent_sampler, BaseSampler):
            raise invalid_type(
                "independent_sampler", owner, "a fastune sampler or None", independent_sampler
            )
        if use_separable_cma and lr_adapt:
            raise invalid("lr_adapt", owner, "False when use_separable_cma=True", lr_adapt)
        if with_margin:
            clashes = {"use_separable_cma": use_separable_cma, "lr_adapt": lr_adapt}
            for name, clash in clashes.items():
                if clash:
                    allowed = f"False when {name} is given (with_margin cannot be combined)"
                    raise invalid("with_margin", owner, allowed, with_margin)
            if restart_strategy == "bipop":
                # BIPOP's small runs were seen to overflow the margin run's step size in
                # the cmaes package (a flat objective of two binary ints).
                warnings.warn(
                    "CmaEsSampler(with_margin=True) restarts as restart_strategy='ipop': "
                    "BIPOP's small runs overflow the step size of a margin run.",
                    UserWarning,
                    stacklevel=2,
                )
                restart_strategy = "ipop"
        self._restart_strategy = restart_strategy
        if source_trials is not None:
            # The warm start sets the first run's mean, step size and full covariance.
            allowed = "None when source_trials is given (the warm start sets it)"
            for name, value in {"x0": x0, "sigma0": sigma0}.items():
                if value is not None:
                    raise invalid(name, owner, allowed, value)
            if use_separable_cma:
                allowed = "False when source_trials is given (the warm start has a full covariance)"
                raise invalid("use_separable_cma", owner, allowed, use_separable_cma)
            source_trials = [t for t in source_trials if t.state == TrialState.COMPLETE]
            if not source_trials:
                allowed = "a list with at least one complete trial"
                raise invalid("source_trials", owner, allowed, "none complete")
        self._source_trials = source_trials
        self._seed = check_int(seed, "seed", owner, low=0, allow_none=True)
        self._rng = np.random.default_rng(self._seed)
        self._independent = independent_sampler or RandomSampler(seed=self._seed)
        self._warn_independent_sampling = bool(warn_independent_sampling)
        self._consider_pruned = bool(consider_pruned_trials)
        self._separable = bool(use_separable_cma)
        self._lr_adapt = bool(lr_adapt)
        self._with_margin = bool(with_margin)
        self._runs: dict[tuple[Any, ...], _Run] = {}
        self._restarts: dict[tuple[Any, ...], dict[str, int]] = {}
        self._spaces = JointSpaces(states=(TrialState.COMPLETE,))  # as Optuna's
        self._lock = threading.Lock()

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()
        self._independent.reseed_rng()

    # -- the sampler seam ----------------------------------------------------------------

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        self._raise_error_if_multi_objective(study)  # as Optuna's
        return {
            n: d
            for n, d in self._spaces.space(study).items()
            if not isinstance(d, CategoricalDistribution)
        }

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        self._raise_error_if_multi_objective(study)
        if self._warn_independent_sampling and not self._in_startup(study):
            _logger.warning(
                f"Trial {trial.number}: CmaEsSampler draws the parameter '{param_name}' "
                f"with its independent sampler ({type(self._independent).__name__}), "
                "which may slow the search: CMA-ES searches only the numeric parameters "
                "that every trial has. Pass warn_independent_sampling=False to "
                "CmaEsSampler if this is intended."
            )
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

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        self._raise_error_if_multi_objective(study)
        if not search_space or self._in_startup(study):
            return {}
        if set(search_space) <= set(trial.system_attrs.get(FIXED_PARAMS_KEY, {})):
            return {}  # an enqueued or retried trial that will run its own values
        space = SearchSpace(search_space)
        key = (study._cache_key, tuple(search_space.items()))
        token = _space_digest(search_space)
        sign = -1.0 if study.direction == StudyDirection.MAXIMIZE else 1.0
        with self._lock:
            run = self._runs.get(key) or self._first_run(space, sign)
            run = self._catch_up(study, run, key, space, token, sign)
            self._runs[key] = run
            asked = run.optimizer.ask()
            generation = run.generation
        # CMA-ES with margin asks a point on the discrete values and is told the raw point
        # it was drawn as.
        point, told = asked if self._with_margin else (asked, asked)
        storage = study._storage
        storage.set_trial_system_attr(trial._trial_id, GENERATION_KEY, generation)
        storage.set_trial_system_attr(trial._trial_id, POINT_KEY, [float(v) for v in told])
        storage.set_trial_system_attr(trial._trial_id, SPACE_KEY, token)
        if run.restart is not None:
            storage.set_trial_system_attr(trial._trial_id, RESTART_KEY, run.restart)
        return space.decode(point)

    # -- the trials' record --------------------------------------------------------------

    def _told_states(self) -> tuple[TrialState, ...]:
        if self._consider_pruned:
            return (TrialState.COMPLETE, TrialState.PRUNED)
        return (TrialState.COMPLETE,)

    def _in_startup(self, study: Study) -> bool:
        """Whether fewer than ``n_startup_trials`` trials have a value to tell."""
        observed = 0
        for trial in study.get_trials(deepcopy=False, states=self._told_states()):
            observed += _observed_value(trial) is not None
            if observed >= self._n_startup_trials:
                return False  # without counting the rest: this runs for every parameter
        return observed < self._n_startup_trials

    def _finished_generations(
        self, study: Study, space: SearchSpace, token: str, sign: float, since: int
    ) -> dict[int, list[tuple[dict[str, Any] | None, np.ndarray, float, float]]]:
        """The told-able points of each generation from ``since`` on, in trial order:
        (restart record, point, loss, constraint excess)."""
        generations: dict[int, list[tuple[dict[str, Any] | None, np.ndarray, float, float]]]
        generations = {}
        for trial in study.get_trials(deepcopy=False, states=self._told_states()):
            attrs = trial.system_attrs
            generation = attrs.get(GENERATION_KEY)
            if generation is None or generation < since:
                continue
            # Points of another search space (a range changed, a parameter came or went)
            # belong to another run.
            if attrs.get(SPACE_KEY, token) != token:
                continue
            if len(attrs.get(POINT_KEY, ())) != len(space):
                continue
            value = _observed_value(trial)
            point = _evaluated_point(space, trial, np.array(attrs[POINT_KEY]))
            if value is None or math.isnan(value) or point is None:
                continue
            solution = (attrs.get(RESTART_KEY), point, sign * value, violation(attrs))
            generations.setdefault(generation, []).append(solution)
        return generations

    # -- runs and restarts ---------------------------------------------------------------

    def _catch_up(
        self,
        study: Study,
        run: _Run,
        key: tuple[Any, ...],
        space: SearchSpace,
        token: str,
        sign: float,
    ) -> _Run:
        """Tell ``run`` every generation finished since its current one, restarting it
        where it stops; return the run to ask from."""
        generations = self._finished_generations(study, space, token, sign, run.generation)
        restarts = self._restart_strategy is not None or self._with_margin
        while True:
            told = [
                (point, loss, excess)
                for restart, point, loss, excess in generations.get(run.generation, [])
                if restart == run.restart  # another worker's restart is another run
            ][: run.optimizer.population_size]
            if len(told) < run.optimizer.population_size:
                return run
            run.generation += 1
            # The cmaes package's margin run can let its step size run away (its points
            # jump from units to 1e35 in a generation on a flat objective, then it fails):
            # such a run is not told and starts afresh.
            runaway = not all(np.all(np.abs(point) < _RUNAWAY) for point, _, _ in told)
            if not runaway:
                with np.errstate(over="ignore"):
                    run.optimizer.tell(_ranked(told))
            if runaway or (restarts and run.optimizer.should_stop()):
                # The first record of the next generation is the restart that was used.
                recorded = next(
                    (
                        restart
                        for restart, _, _, _ in generations.get(run.generation, [])
                        if restart is not None and restart["start"] == run.generation
                    ),
                    None,
                )
                run = self._restart(key, space, run, recorded)

    def _first_run(self, space: SearchSpace, sign: float) -> _Run:
        dimension = len(space)
        cov = None
        if self._source_trials is not None:
            mean, sigma, cov = self._warm_start(space, sign)
        else:
            if self._x0 is not None:
                _check_x0(space, self._x0)
            mean = space.encode(self._x0) if self._x0 is not None else np.full(dimension, 0.5)
            sigma = self._sigma0 or 1.0 / 6.0
        return _Run(self._optimizer(space, mean, sigma, cov, self._popsize), "large", None)

    def _optimizer(
        self,
        space: SearchSpace,
        mean: np.ndarray,
        sigma: float,
        cov: np.ndarray | None,
        popsize: int | None,
    ) -> Any:
        import cmaes

        dimension = len(space)
        bounds = np.tile([0.0, 1.0], (dimension, 1))
        seed = int(self._rng.integers(2**31 - 1))
        options: dict[str, Any] = {"bounds": bounds, "seed": seed, "population_size": popsize}
        if self._with_margin:
            steps = _steps(space)
            discrete = steps > 0.0
            # A discrete column's values are its bins' centres, half a bin inside the cube.
            bounds[discrete, 0] = steps[discrete] / 2.0
            bounds[discrete, 1] = 1.0 - steps[discrete] / 2.0
            mean = np.clip(mean, bounds[:, 0], bounds[:, 1])
            return cmaes.CMAwM(mean=mean, sigma=sigma, steps=steps, cov=cov, **options)
        # In one dimension the covariance is one number: the full CMA is the separable one
        # (which the cmaes package refuses below two).
        if self._separable and dimension >= 2:
            return cmaes.SepCMA(mean=mean, sigma=sigma, **options)
        return cmaes.CMA(mean=mean, sigma=sigma, cov=cov, lr_adapt=self._lr_adapt, **options)

    def _warm_start(self, space: SearchSpace, sign: float) -> tuple[np.ndarray, float, Any]:
        """Mean, step size and covariance of the first run from ``source_trials``.

        Raises:
            InvalidParameterError: no source trial has every parameter of the space.
        """
        import cmaes

        names = list(space.names)
        solutions = [
            (space.encode(t.params), sign * float(t.value))
            for t in self._source_trials or []
            if t.value is not None and all(name in t.params for name in names)
        ]
        if not solutions:
            allowed = f"complete trials with the parameters {names}"
            raise invalid("source_trials", "CmaEsSampler", allowed, "none with all of them")
        mean, sigma, cov = cmaes.get_warm_start_mgd(solutions)
        return np.clip(mean, 0.0, 1.0), float(sigma), cov

    def _restart(
        self,
        key: tuple[Any, ...],
        space: SearchSpace,
        finished: _Run,
        recorded: dict[str, Any] | None,
    ) -> _Run:
        """The run after ``finished``: as ``recorded`` on the trials when another process
        (or this one before) began it, else a new draw."""
        counts = self._restarts.setdefault(key, {"large": 0, "small_budget": 0, "large_budget": 0})
        spent = finished.optimizer.population_size * (finished.generation - finished.start)
        counts[f"{finished.regime}_budget"] += spent
        restart = recorded or self._draw_restart(space, finished, counts)
        if restart["regime"] == "large":
            counts["large"] += 1
        mean = np.array(restart["mean"], dtype=float)
        optimizer = self._optimizer(space, mean, restart["sigma"], None, restart["popsize"])
        return _Run(optimizer, restart["regime"], restart)

    def _draw_restart(
        self, space: SearchSpace, finished: _Run, counts: dict[str, int]
    ) -> dict[str, Any]:
        """A restart record: a random mean, and IPOP's or BIPOP's population and step."""
        sigma0 = self._sigma0 or 1.0 / 6.0
        restart: dict[str, Any] = {
            "start": finished.generation,
            "regime": "large",
            "popsize": finished.optimizer.population_size,
            "sigma": sigma0,
            "mean": [float(v) for v in self._rng.random(len(space))],
        }
        if self._restart_strategy is None:  # a margin run that stopped: start it afresh
            return restart
        base = self._popsize or 4 + math.floor(3 * math.log(len(space)))
        largest = base * self._inc_popsize ** counts["large"]
        if self._restart_strategy == "ipop" or counts["small_budget"] >= counts["large_budget"]:
            restart["popsize"] = largest * self._inc_popsize
            return restart
        # BIPOP's small regime: a population between the base and the last large one, and
        # a step size between sigma0 and a hundredth of it.
        u = float(self._rng.random())
        restart["regime"] = "small"
        restart["popsize"] = max(base, math.floor(base * (largest / base) ** (u**2)))
        restart["sigma"] = sigma0 * 10 ** (-2 * float(self._rng.random()))
        return restart


def _space_digest(search_space: dict[str, BaseDistribution]) -> str:
    """A short digest of a search space, the same in every process."""
    text = json.dumps([[name, distribution_to_json(d)] for name, d in search_space.items()])
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def _steps(space: SearchSpace) -> np.ndarray:
    """The width of a value's bin in each column of ``space`` where the parameter is
    discrete (an int not on a log scale, a stepped float; two values or more), else 0."""
    bins = np.array(space.n_bins(), dtype=float)
    return np.where(bins >= 2, 1.0 / np.maximum(bins, 1.0), 0.0)


def _check_x0(space: SearchSpace, x0: dict[str, Any]) -> None:
    """Raise unless ``x0`` holds a number inside the range of each parameter of ``space``
    (a mean, which need not be one of the values of an int or a stepped float)."""
    missing = sorted(set(space.names) - set(x0))
    if missing:
        raise invalid("x0", "CmaEsSampler", f"a value for every parameter (missing {missing})", x0)
    outside = []
    for name, distribution in space.distributions.items():
        assert isinstance(distribution, (FloatDistribution, IntDistribution))  # numeric space
        low, high, value = distribution.low, distribution.high, x0[name]
        real = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not (real and low <= value <= high):
            outside.append(f"{name!r} in [{low}, {high}]")
    if outside:
        allowed = f"a value inside the range of every parameter ({', '.join(outside)})"
        raise invalid("x0", "CmaEsSampler", allowed, x0)


def _evaluated_point(
    space: SearchSpace, trial: FrozenTrial, asked: np.ndarray
) -> np.ndarray | None:
    """The point of ``space`` that ``trial`` evaluated: the one it was asked, but in the
    columns of the parameters it held fixed (``enqueue_trial``, a retry), their values;
    None when such a value lies outside the space."""
    fixed = {
        name: trial.params[name]
        for name in trial.system_attrs.get(FIXED_PARAMS_KEY, {})
        if name in space.distributions
        and trial.distributions.get(name) == space.distributions[name]
    }
    if not fixed:
        return asked
    if not all(value_inside(space.distributions[name], v) for name, v in fixed.items()):
        return None
    columns = [space.names.index(name) for name in fixed]
    evaluated = asked.copy()
    evaluated[columns] = space.encode({**space.decode(asked), **fixed})[columns]
    return evaluated


def _ranked(solutions: list[tuple[np.ndarray, float, float]]) -> list[tuple[np.ndarray, float]]:
    """(point, loss) pairs for CMA-ES, which uses only their order, with finite losses:
    a loss of -inf gets one below every finite feasible loss of its generation, +inf one
    above them, and a point that breaks its constraints one above those, larger the more
    it breaks them."""
    finite = [loss for _, loss, excess in solutions if excess == 0.0 and math.isfinite(loss)]
    floor, ceiling = min(finite, default=0.0), max(finite, default=0.0)

    def rank(loss: float, excess: float) -> float:
        if excess > 0.0:
            return ceiling + 2.0 + excess
        if math.isinf(loss):
            return ceiling + 1.0 if loss > 0 else floor - 1.0
        return loss

    return [(point, rank(loss, excess)) for point, loss, excess in solutions]


def _observed_value(trial: FrozenTrial) -> float | None:
    """A complete trial's value, or a pruned one's last reported value (None if none)."""
    if trial.state == TrialState.COMPLETE:
        return trial.value
    if trial.last_step is None:
        return None
    return trial.intermediate_values[trial.last_step]
