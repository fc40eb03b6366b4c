"""Gaussian-process Bayesian optimization: a GP with a joint and an additive Matern 5/2
kernel and the log of expected improvement, maximized by L-BFGS-B from the best of many
candidates."""

from __future__ import annotations

import functools
import threading
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from fastune._pareto import pareto_ranks
from fastune._space import SearchSpace
from fastune._study_direction import StudyDirection
from fastune._validation import check_int, invalid_type
from fastune.distributions import BaseDistribution
from fastune.logging import get_logger
from fastune.samplers._base import BaseSampler
from fastune.samplers._ehvi import expected_improvement_volume, improvement_boxes
from fastune.samplers._random import RandomSampler
from fastune.samplers._search_space import JointSpaces, trials_in_space
from fastune.trial._constraints import constraints_of, keep_constraints_func_values, violation
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["GPSampler"]

_logger = get_logger(__name__)

_N_CANDIDATES = 1024
_N_STARTS = 2
_REFINE_ITERATIONS = 20
_HYPERPARAMETER_ITERATIONS = 30
# Log-normal prior of each length scale: median exp(_PRIOR_LOG_SCALE) * sqrt(d) for a
# numeric column, exp(_PRIOR_LOG_CHOICE_SCALE) for a one-hot column of a categorical.
_PRIOR_LOG_SCALE = -2.5
_PRIOR_LOG_CHOICE_SCALE = 0.0
_PRIOR_LOG_ADDITIVE_SCALE = -3.0  # a numeric column's in the additive kernel, any d
_PRIOR_SPREAD = 1.0
_DETERMINISTIC_NOISE = 1e-6  # the noise variance of deterministic_objective, standardized
_TAKEN = 1e-3  # rows closer than this (in cube units, each way) to a trial's are its
_N_SPARE = 64  # candidates the acquisition ranks first, kept for when the best are taken
_STEP = 1e-4  # finite-difference step of the acquisition gradient, in cube units
# Several objectives: expected hypervolume improvement up to this many (its boxes grow as
# the front's size to the power objectives - 1), from this many quasi-Monte Carlo draws.
_MAX_HYPERVOLUME_OBJECTIVES = 3
_EHVI_SAMPLES = 64


class GPSampler(BaseSampler):
    """Bayesian optimization with a Gaussian process (numpy, scipy and scikit-learn only).

    The model is a GP whose kernel is the sum of a Matern 5/2 kernel over the whole space
    (one length scale per dimension), an additive Matern 5/2 kernel (the mean of one
    one-dimensional kernel per dimension, each with its own length scale; left out of a
    model with one input, where it would equal the first), each with its variance, and a
    noise term. The additive part learns a function that is a sum of one
    function per parameter from every point's projection on each axis, so on separable
    or nearly separable objectives (a sphere, an ellipsoid, Rastrigin) the model finds
    each coordinate's best value far sooner; the likelihood sets how much of the
    variance each part takes. It is fitted over the finished trials (values
    standardized; ints and steps as their bins in the unit cube; categoricals one-hot)
    by maximizing the marginal likelihood times a log-normal prior on each length scale:
    median ``0.08 * sqrt(d)`` in cube units for ``d`` parameters in the joint kernel and
    ``0.05`` in the additive one, one e-fold of spread. The prior keeps a few points from
    stretching the length scales over the whole cube, which makes the GP explore where
    it has no data instead of trusting a smooth guess. A one-hot column's prior median is
    1 instead, so points of one choice inform the others (correlation about 0.3 between
    two choices) until the data says otherwise.

    The next point maximizes the log of the expected improvement over the best value:
    scored on ``1024`` quasi-random and local candidates, then, from the best few, every
    choice of each categorical is tried and the numeric columns are refined by L-BFGS-B.
    With ``constant_liar``, trials still running count as observed at the worst value so
    far, so parallel workers spread out instead of proposing the same point. A pruned
    trial counts as observed at the worst value so far too: it was stopped for trailing,
    and without it the model would not learn from pruning at all.

    Constraints (``Trial.set_constraint``, or ``constraints_func``): each constraint gets
    a GP of its own, fitted on its values (feasible when <= 0), and the acquisition is the
    log of expected improvement over the best *feasible* value plus the log of the
    probability that every constraint holds (constrained expected improvement); while no
    trial is feasible, the probability of feasibility alone.
    Several objectives (two or three, as Optuna's logEHVI): one GP per objective, and the
    acquisition is the log of the expected hypervolume improvement over the front of the
    feasible complete trials (from a reference point a tenth of each objective's range
    beyond its worst value), estimated from 64 quasi-Monte Carlo draws of the GPs'
    predictions, times the probability of feasibility with constraints. With four
    objectives or more the hypervolume's boxes grow too many: the trials are drawn by
    ``independent_sampler``, with a warning.
    Parameters outside the joint space (the parameters every complete trial has), and
    the first ``n_startup_trials`` complete trials, are drawn by ``independent_sampler``.

    Args:
        seed: Seed of the random state.
        independent_sampler: For the start and for parameters outside the joint space;
            random by default.
        n_startup_trials: Trials before the model is used, >= 0 (0 as 1: the model needs
            a complete trial).
        deterministic_objective: The objective has no noise: the noise term is not
            fitted but fixed at ``1e-6`` of the values' variance.
        constant_liar: Count running trials as observed at the worst value so far.
        constraints_func: ``constraints_func(frozen_trial) -> sequence of floats``, kept
            as the trial's constraints when it ends (Optuna's older form).
        warn_independent_sampling: Kept for compatibility; independent sampling of a
            parameter outside the joint space is expected and not warned about.

    Raises:
        InvalidParameterError: ``n_startup_trials < 0``.
        InvalidParameterTypeError: a ``constraints_func`` that is not callable, or an
            ``independent_sampler`` that is not a sampler.

    Example:
        >>> import fastune
        >>> sampler = fastune.samplers.GPSampler(seed=0, n_startup_trials=5)
        >>> study = fastune.create_study(sampler=sampler)
        >>> study.optimize(lambda t: (t.suggest_float("x", -3, 3) - 1) ** 2, n_trials=15)
        >>> study.best_value < 0.1
        True
    """

    _transient: ClassVar[dict[str, Callable[[], Any]]] = {
        "_rng": np.random.default_rng,
        "_lock": threading.Lock,
        "_kernels": dict,
    }

    def __init__(
        self,
        *,
        seed: int | None = None,
        independent_sampler: BaseSampler | None = None,
        n_startup_trials: int = 10,
        deterministic_objective: bool = False,
        constant_liar: bool = True,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
        warn_independent_sampling: bool = True,
    ) -> None:
        owner = "GPSampler"
        if constraints_func is not None and not callable(constraints_func):
            raise invalid_type("constraints_func", owner, "a callable or None", constraints_func)
        self._constraints_func = constraints_func
        self._n_startup_trials = max(
            1, int(check_int(n_startup_trials, "n_startup_trials", owner, low=0) or 0)
        )
        self._seed = check_int(seed, "seed", owner, low=0, allow_none=True)
        self._rng = np.random.default_rng(self._seed)
        if independent_sampler is not None and not isinstance(independent_sampler, BaseSampler):
            raise invalid_type(
                "independent_sampler", owner, "a fastune sampler or None", independent_sampler
            )
        self._independent = independent_sampler or RandomSampler(seed=self._seed)
        self._deterministic = bool(deterministic_objective)
        self._constant_liar = bool(constant_liar)
        self._spaces = JointSpaces(states=(TrialState.COMPLETE,))  # as Optuna's
        self._kernels: dict[tuple[Any, ...], Any] = {}
        self._lock = threading.Lock()
        self._warned_multi_objective = False

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()
        self._independent.reseed_rng()

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return self._spaces.space(study)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return self._independent.sample_independent(study, trial, param_name, param_distribution)

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        n_objectives = len(study.directions)
        if n_objectives > _MAX_HYPERVOLUME_OBJECTIVES:  # left to the independent sampler
            if not self._warned_multi_objective:
                self._warned_multi_objective = True
                _logger.warning(
                    f"GPSampler models up to {_MAX_HYPERVOLUME_OBJECTIVES} objectives; this "
                    f"study has {n_objectives}, so its trials are drawn by the independent "
                    "sampler (random). TPESampler or NSGAIIISampler model more."
                )
            return {}
        states = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
        in_space = trials_in_space(study, trial, search_space, states)
        complete = [t for t in in_space if t.state == TrialState.COMPLETE and t.values]
        names = sorted({name for t in complete for name in constraints_of(t.system_attrs)})
        if len(complete) < self._n_startup_trials:  # n_startup_trials >= 1
            return {}
        # A pruned trial, and with the liar a running one, counts as the worst so far.
        worst = [t for t in in_space if t.state == TrialState.PRUNED]
        running = [t for t in in_space if t.state == TrialState.RUNNING]
        if self._constant_liar:
            worst += running
        space = SearchSpace(search_space)
        rows = np.array([space.encode(t.params) for t in complete + worst])
        signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in study.directions])
        losses = np.column_stack(
            [_finite(column) for column in (np.array([t.values for t in complete]) * signs).T]
        )
        feasible = np.array([violation(t.system_attrs) == 0.0 for t in complete])
        # A pruned (or, with the liar, running) trial: the worst value of each objective.
        losses = np.vstack([losses, np.tile(losses.max(axis=0), (len(worst), 1))])
        key = (study._cache_key, tuple(search_space))
        with self._lock:
            terms: list[Callable[[np.ndarray], Any]] = []
            if n_objectives == 1:
                model = self._fit(space, rows, losses[:, 0], key)
                if feasible.any():
                    best = float(losses[: len(complete), 0][feasible].min())
                    terms.append(lambda r: self._log_ei(space, model, r, best))
            elif feasible.any():
                terms.append(self._log_ehvi(space, rows, losses, feasible, key))
            for name in names:  # constrained EI: times the chance that each one holds
                having = [
                    i for i, t in enumerate(complete) if name in constraints_of(t.system_attrs)
                ]
                values = _finite(
                    np.array([constraints_of(complete[i].system_attrs)[name] for i in having])
                )
                if self._constant_liar and running:  # running trials: the worst value
                    having += list(range(len(rows) - len(running), len(rows)))
                    values = np.concatenate([values, np.full(len(running), values.max())])
                bound = self._fit(space, rows[having], values, (*key, "constraint", name))
                terms.append(functools.partial(self._log_feasible, space, bound))
            # Local candidates start from the best rows (by Pareto rank with several
            # objectives), a complete infeasible one last.
            infeasible = np.concatenate([~feasible, np.zeros(len(worst), dtype=bool)])
            rank = losses[:, 0] if n_objectives == 1 else pareto_ranks(losses).astype(float)
            order = np.argsort(np.where(infeasible, np.inf, rank), kind="stable")
            near = rows[order[: min(8, len(rows))]]
            row = self._maximize(space, lambda r: sum(term(r) for term in terms), near, taken=rows)
        return space.decode(row)

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._independent.before_trial(study, trial)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        keep_constraints_func_values(self._constraints_func, study, trial, state, "GPSampler")
        self._independent.after_trial(study, trial, state, values)

    # -- the model -----------------------------------------------------------------------

    def _fit(self, space: SearchSpace, rows: np.ndarray, losses: np.ndarray, key: Any) -> Any:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.gaussian_process import GaussianProcessRegressor

        features = space.one_hot(rows)
        columns = features.shape[1]
        # With one input the additive kernel would be the joint one again: a second
        # variance along a ridge of equal likelihoods, so it is left out.
        additive = columns > 1
        kept = self._kernels.get(key)  # (columns, rows when last tuned, kernel)
        if kept is None or kept[0] != columns:
            tuned_at, kernel = None, self._new_kernel(columns, additive)
        else:
            _, tuned_at, kernel = kept
        # The kernel's hyperparameters move little from one trial to the next: past 50
        # trials they are re-tuned when the count of rows passes a multiple of 5 (on every
        # 5th trial of a sequential study; at once when many rows came since the last).
        tune = tuned_at is None or len(rows) < 50 or len(rows) // 5 > tuned_at // 5
        optimizer = functools.partial(
            _fit_hyperparameters,
            centres=_prior_centres(space, additive),
            scales=_length_scale_positions(kernel),
        )
        model = GaussianProcessRegressor(
            kernel=kernel,
            normalize_y=True,
            n_restarts_optimizer=0,
            optimizer=optimizer if tune else None,
            random_state=int(self._rng.integers(2**31 - 1)),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(features, losses)
        tuned = len(rows) if tune else tuned_at
        self._kernels[key] = (columns, tuned, model.kernel_)  # the next fit starts here
        return model

    def _new_kernel(self, columns: int, additive: bool) -> Any:
        """Signal variance times a Matern 5/2 kernel over all ``columns`` inputs, plus
        (if ``additive``) a variance times the additive kernel, plus noise."""
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

        from fastune.samplers._additive_kernel import AdditiveMatern

        noise = (
            WhiteKernel(_DETERMINISTIC_NOISE, "fixed")
            if self._deterministic
            else WhiteKernel(1e-6, (1e-9, 1e-1))
        )
        signal = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(
            length_scale=np.full(columns, 0.5), length_scale_bounds=(5e-3, 2e1), nu=2.5
        )
        if additive:
            signal += ConstantKernel(0.5, (1e-4, 1e3)) * AdditiveMatern(
                np.full(columns, 0.2), (5e-3, 2e1)
            )
        return signal + noise

    def _log_ei(self, space: SearchSpace, model: Any, rows: np.ndarray, best: float) -> Any:
        mean, std = _posterior(model, space.one_hot(rows))
        z = (best - mean) / std
        return np.log(std) + _log_h(z)

    def _log_ehvi(
        self,
        space: SearchSpace,
        rows: np.ndarray,
        losses: np.ndarray,
        feasible: np.ndarray,
        key: Any,
    ) -> Callable[[np.ndarray], Any]:
        """The log of expected hypervolume improvement over the feasible complete trials'
        front (one GP per objective, quasi-Monte Carlo over their predictions), from a
        reference point a tenth of each objective's range beyond its worst value."""
        from scipy.stats import qmc

        models = [
            self._fit(space, rows, losses[:, i], (*key, "objective", i))
            for i in range(losses.shape[1])
        ]
        n_complete = len(feasible)
        worst, best = losses.max(axis=0), losses.min(axis=0)
        span = np.where(worst > best, worst - best, 1.0)
        reference = worst + 0.1 * span
        lower, upper = improvement_boxes(losses[:n_complete][feasible], reference)
        normals = qmc.MultivariateNormalQMC(
            np.zeros(len(models)), seed=int(self._rng.integers(2**31 - 1))
        ).random(_EHVI_SAMPLES)
        floor = 1e-12 * float(np.prod(span))  # log(0) where no sample improves

        def acquisition(candidates: np.ndarray) -> Any:
            features = space.one_hot(candidates)
            predictions = [_posterior(model, features) for model in models]
            mean = np.column_stack([p[0] for p in predictions])
            std = np.column_stack([p[1] for p in predictions])
            volume = expected_improvement_volume(mean, std, lower, upper, normals)
            return np.log(volume + floor)

        return acquisition

    def _log_feasible(self, space: SearchSpace, model: Any, rows: np.ndarray) -> Any:
        """The log of the probability that a constraint modelled by ``model`` is <= 0."""
        from scipy.special import log_ndtr

        mean, std = _posterior(model, space.one_hot(rows))
        return log_ndtr(-mean / std)

    def _maximize(
        self,
        space: SearchSpace,
        acquisition: Callable[[np.ndarray], Any],
        near: np.ndarray,
        taken: np.ndarray | None = None,
    ) -> np.ndarray:
        """The row that maximizes ``acquisition``: the best of quasi-random candidates and
        candidates near the rows ``near`` (the best so far), refined by L-BFGS-B on the
        numeric columns and by trying every choice of each categorical column; none of
        the rows ``taken`` (the trials'), when given."""
        d = len(space)
        from scipy.stats import qmc  # imported on first use: scipy.stats is slow to load

        sobol = qmc.Sobol(d, scramble=True, seed=int(self._rng.integers(2**31 - 1)))
        local = near[self._rng.integers(len(near), size=_N_CANDIDATES // 2)]
        local = np.clip(local + self._rng.normal(0.0, 0.05, local.shape), 0.0, 1.0)
        # Each coordinate of a local candidate is also redrawn with chance 1 / d, so that
        # values far from the best points (another bin, another choice) stay in play.
        redraw = self._rng.random(local.shape) < 1.0 / d
        local[redraw] = self._rng.random(int(redraw.sum()))
        candidates = np.vstack([sobol.random(_N_CANDIDATES // 2), local])
        scores = acquisition(candidates)
        order = np.argsort(-scores)
        starts, start_scores = _best_choices(space, acquisition, candidates[order[:_N_STARTS]])
        # The next best candidates too: the answer when the best rows are taken.
        spare = _best_choices(space, acquisition, candidates[order[_N_STARTS:_N_SPARE]])
        rows, row_scores = [starts, spare[0]], [start_scores, spare[1]]
        numeric = ~space.is_categorical()
        if numeric.any():
            refined = _best_choices(space, acquisition, self._refine(acquisition, starts, numeric))
            rows.append(refined[0])
            row_scores.append(refined[1])
        every, every_score = np.vstack(rows), np.concatenate(row_scores)
        if taken is not None and len(taken):
            # A row a trial already had is not proposed again: the best one elsewhere.
            every_score = np.where(_taken(space, every, taken), -np.inf, every_score)
        return every[int(np.argmax(every_score))]

    def _refine(
        self,
        acquisition: Callable[[np.ndarray], Any],
        starts: np.ndarray,
        numeric: np.ndarray,
    ) -> np.ndarray:
        """L-BFGS-B on the numeric columns of every start at once (their objectives are
        independent, so one sum is maximized), with finite-difference gradients computed
        in one batched prediction."""
        from scipy.optimize import minimize

        columns = np.flatnonzero(numeric)
        n_starts, n_columns = len(starts), len(columns)

        def negative(flat: np.ndarray) -> tuple[float, np.ndarray]:
            points = np.repeat(starts, n_columns + 1, axis=0)
            moved = flat.reshape(n_starts, n_columns)
            points[:, columns] = np.repeat(moved, n_columns + 1, axis=0)
            shifts = np.vstack([np.zeros(n_columns), np.eye(n_columns) * _STEP])
            points[:, columns] += np.tile(shifts, (n_starts, 1))
            values = acquisition(np.clip(points, 0.0, 1.0))
            values = values.reshape(n_starts, n_columns + 1)
            gradient = (values[:, 1:] - values[:, :1]) / _STEP
            return -float(values[:, 0].sum()), -gradient.ravel()

        result = minimize(
            negative,
            starts[:, columns].ravel(),
            jac=True,
            method="L-BFGS-B",
            bounds=[(0.0, 1.0)] * (n_starts * n_columns),
            options={"maxiter": _REFINE_ITERATIONS},
        )
        refined = starts.copy()
        refined[:, columns] = np.clip(result.x.reshape(n_starts, n_columns), 0.0, 1.0)
        return refined


def _taken(space: SearchSpace, rows: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """Whether each of ``rows`` is a row of ``taken``: the same bin of every binned column
    (choices, ints, stepped floats), and within ``_TAKEN`` on every continuous one."""
    gaps = np.abs(space.snap(rows)[:, None, :] - taken[None, :, :]).max(axis=2).min(axis=1)
    return gaps < _TAKEN


def _best_choices(
    space: SearchSpace, acquisition: Callable[[np.ndarray], Any], rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``rows`` with each categorical column, one after the other, set to the choice that
    maximizes ``acquisition`` (the others held), and their scores. A choice is a corner
    of its own, which neither local moves nor gradients reach."""
    rows = rows.copy()
    categorical = space.is_categorical()
    for column, bins in enumerate(space.n_bins()):
        if not categorical[column]:
            continue
        choices = space.bin_centres(column)
        variants = np.repeat(rows, bins, axis=0)
        variants[:, column] = np.tile(choices, len(rows))
        scores = np.asarray(acquisition(variants)).reshape(len(rows), bins)
        rows[:, column] = choices[np.argmax(scores, axis=1)]
    return rows, np.asarray(acquisition(rows))


def _prior_centres(space: SearchSpace, additive: bool) -> np.ndarray:
    """The prior median of each model input's log length scale, in the joint kernel
    and then in the additive one where there is one: short for a
    numeric column, so that a few points do not stretch it over the cube (shorter in the
    additive kernel, whose one-dimensional functions each see every point); long for a
    one-hot column, so that points of one choice inform the others (they share the
    numeric structure) until the data says the choices differ."""

    def centres(numeric: float) -> np.ndarray:
        return np.concatenate(
            [
                np.full(bins, _PRIOR_LOG_CHOICE_SCALE) if categorical else np.array([numeric])
                for bins, categorical in zip(space.n_bins(), space.is_categorical(), strict=True)
            ]
        )

    joint = centres(_PRIOR_LOG_SCALE + 0.5 * np.log(len(space)))
    return np.concatenate([joint, centres(_PRIOR_LOG_ADDITIVE_SCALE)]) if additive else joint


def _length_scale_positions(kernel: Any) -> np.ndarray:
    """Where the log length scales sit in ``kernel.theta``: scikit-learn lays out the
    kernel's free hyperparameters in order, each taking ``n_elements`` places."""
    positions: list[int] = []
    at = 0
    for hyperparameter in kernel.hyperparameters:
        if hyperparameter.fixed:
            continue
        if hyperparameter.name.endswith("length_scale"):
            positions += range(at, at + hyperparameter.n_elements)
        at += hyperparameter.n_elements
    return np.array(positions)


def _fit_hyperparameters(
    objective: Any,
    start: np.ndarray,
    bounds: np.ndarray,
    *,
    centres: np.ndarray,
    scales: np.ndarray,
) -> tuple[np.ndarray, float]:
    """Maximize the marginal likelihood times the length scales' prior (log-normal,
    median ``exp(centres)``, on the log length scales at positions ``scales`` of theta),
    from the last fit: a few L-BFGS-B steps suffice."""
    from scipy.optimize import minimize

    def with_prior(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = objective(theta)
        deviation = (theta[scales] - centres) / _PRIOR_SPREAD
        gradient = gradient.copy()
        gradient[scales] += deviation / _PRIOR_SPREAD
        return value + 0.5 * float(deviation @ deviation), gradient

    result = minimize(
        with_prior,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": _HYPERPARAMETER_ITERATIONS},
    )
    return result.x, float(result.fun)


def _finite(values: np.ndarray) -> np.ndarray:
    """``values`` with +inf as the largest finite value and -inf as the smallest (all 0
    when none is finite): a GP cannot be fitted on infinities."""
    finite = np.isfinite(values)
    if finite.all():
        return values
    if not finite.any():
        return np.zeros_like(values, dtype=float)
    return np.clip(np.nan_to_num(values), values[finite].min(), values[finite].max())


def _posterior(model: Any, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and standard deviation of the latent function (noise excluded),
    from the fitted regressor's Cholesky factor: the same numbers as its ``predict``,
    without its per-call overhead, which dominates when the acquisition is optimized."""
    latent = model.kernel_.k1  # the signal part: joint (+ additive), no noise
    cross = latent(features, model.X_train_)
    mean = cross @ model.alpha_
    from scipy.linalg import solve_triangular

    solved = solve_triangular(model.L_, cross.T, lower=True, check_finite=False)
    variance = np.maximum(latent.diag(features) - (solved**2).sum(axis=0), 1e-18)
    offset, scale = target_scaling(model)
    return mean.ravel() * scale + offset, np.sqrt(variance) * scale


def target_scaling(model: Any) -> tuple[float, float]:
    """The mean and standard deviation a fitted regressor took out of its targets
    (``normalize_y``; 0 and 1 without it): predictions are ``offset + scale * latent``."""
    offset = float(np.asarray(model._y_train_mean).ravel()[0])
    scale = float(np.asarray(model._y_train_std).ravel()[0])
    return offset, scale


def _log_h(z: np.ndarray) -> np.ndarray:
    """log(z * Phi(z) + phi(z)), the log of expected improvement for a unit normal,
    computed without underflow for very negative z."""
    z = np.asarray(z, dtype=float)
    result = np.empty_like(z)
    usual = z > -5.0
    zu = z[usual]
    phi = np.exp(-0.5 * zu**2) / np.sqrt(2 * np.pi)
    from scipy.special import log_ndtr  # imported on first use: scipy.special is slow to load

    cdf = np.exp(log_ndtr(zu))
    result[usual] = np.log(np.maximum(zu * cdf + phi, 1e-300))
    # For z -> -inf: z Phi(z) + phi(z) ~ phi(z) / z^2 (Mills ratio), in log form.
    zt = z[~usual]
    result[~usual] = -0.5 * zt**2 - 0.5 * np.log(2 * np.pi) - 2.0 * np.log(-zt)
    return result
