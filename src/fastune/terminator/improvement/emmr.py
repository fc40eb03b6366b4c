"""The expected minimum model regret (EMMR) criterion of Ishibashi et al. (2023): how much
the last trial changed the GP's belief about the best value."""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from fastune._space import SearchSpace
from fastune._study_direction import StudyDirection
from fastune._validation import check_int, check_number
from fastune.logging import get_logger
from fastune.samplers._gp import target_scaling
from fastune.terminator._surrogate import Surrogate, complete_rows
from fastune.terminator.improvement.evaluator import BaseImprovementEvaluator

if TYPE_CHECKING:
    from fastune.trial import FrozenTrial

__all__ = ["EMMREvaluator"]

_logger = get_logger(__name__)

# Returned while the criterion cannot be computed: large, so that no error bar is above
# it, with room left for arithmetic on it.
_UNKNOWN = sys.float_info.max * 0.1


class EMMREvaluator(BaseImprovementEvaluator):
    """An upper bound on how much the expected minimum simple regret moved with the last
    complete trial (Ishibashi et al., 2023, "A stopping criterion for Bayesian
    optimization by the gap of expected minimum simple regrets"). It goes to zero as new
    trials stop changing what the model believes the best value is; pair it with
    :class:`MedianErrorEvaluator` in a :class:`Terminator`.

    With ``t`` complete trials, their values standardized (mean 0, standard deviation 1,
    negated when minimizing), a GP (GPSampler's model) is fitted to all ``t``; a second GP
    with the same kernel is conditioned on the first ``t - 1`` (the same prior, as the
    paper's KL term needs). With ``m`` and ``m'`` the best observed points of the two, the
    criterion is the sum of

    * the drop of the posterior mean at the best point, ``mu_{t-1}(m') - mu_t(m)``;
    * ``v * (phi(g) + g * Phi(g))``, with ``v`` the posterior standard deviation of
      ``f(m) - f(m')`` under the ``t`` model and ``g = (mu_t(m) - mu_{t-1}(m')) / v``;
    * ``kappa * sqrt(KL / 2)``: the regret bound of the ``t - 1`` model over its trials
      (as in :class:`RegretBoundEvaluator`, at confidence ``delta``) times the
      Kullback-Leibler divergence between the two posteriors, which one noisy
      observation at the last trial's point gives in closed form.

    The value is in units of the objective's standard deviation over the trials.

    Args:
        deterministic_objective: The objective has no noise (the GP's noise is fixed
            near zero instead of fitted).
        delta: Confidence parameter of the regret bound, in (0, 1].
        min_n_trials: Complete trials needed before the criterion is computed (a very
            large value is returned before), >= 2.
        seed: Seed of the random candidates the regret bound is maximized over.

    Raises:
        InvalidParameterError: an argument outside what is allowed.

    Example:
        >>> import fastune
        >>> from fastune.terminator import EMMREvaluator, MedianErrorEvaluator, Terminator
        >>> fastune.logging.set_verbosity(fastune.logging.WARNING)
        >>> emmr = EMMREvaluator(seed=0)
        >>> terminator = Terminator(emmr, MedianErrorEvaluator(emmr), min_n_trials=30)
        >>> study = fastune.create_study(sampler=fastune.samplers.TPESampler(seed=0))
        >>> for _ in range(200):
        ...     trial = study.ask()
        ...     x = trial.suggest_float("x", -5.0, 5.0)
        ...     _ = study.tell(trial, x**2)
        ...     if terminator.should_terminate(study):
        ...         break
        >>> len(study.trials) < 200
        True
    """

    def __init__(
        self,
        deterministic_objective: bool = False,
        delta: float = 0.1,
        min_n_trials: int = 2,
        seed: int | None = None,
    ) -> None:
        owner = "EMMREvaluator"
        self._delta = float(
            check_number(delta, "delta", owner, low=0.0, high=1.0, low_inclusive=False) or 0.0
        )
        self.min_n_trials = int(check_int(min_n_trials, "min_n_trials", owner, low=2) or 2)
        self._surrogate = Surrogate(
            check_int(seed, "seed", owner, low=0, allow_none=True), bool(deterministic_objective)
        )
        self._warned_no_space = False

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        space, rows, gains = complete_rows(trials, study_direction)
        if len(gains) < self.min_n_trials:
            return _UNKNOWN
        if len(space) == 0:
            if not self._warned_no_space:
                self._warned_no_space = True
                _logger.warning(
                    "EMMREvaluator: the complete trials share no parameter, so it cannot "
                    "model them; the study will not be terminated by it."
                )
            return _UNKNOWN
        scores = (gains - gains.mean()) / max(float(gains.std()), sys.float_info.min)
        now = self._surrogate.fit(space, rows, scores, "emmr")
        before = _same_prior(now, rows[:-1], scores[:-1])
        best_now = int(np.argmax(scores))
        best_before = int(np.argmax(scores[:-1]))

        pair = rows[[best_now, best_before]]
        mean_now, _ = self._surrogate.posterior(space, now, pair[:1])
        mean_before, _ = self._surrogate.posterior(space, before, pair[1:])
        drop = float(mean_before[0] - mean_now[0])
        covariance = self._surrogate.covariance(space, now, pair)
        spread = math.sqrt(max(1e-10, covariance[0, 0] - 2.0 * covariance[0, 1] + covariance[1, 1]))
        gap = -drop / spread
        from scipy.stats import norm

        expected_gap = spread * (float(norm.pdf(gap)) + gap * float(norm.cdf(gap)))
        kappa = self._surrogate.regret_bound(space, before, rows[:-1], self._delta)
        divergence = _last_point_divergence(self._surrogate, space, now, before, rows, scores)
        criterion = drop + expected_gap + kappa * math.sqrt(0.5 * divergence)
        return min(sys.float_info.max * 0.5, criterion)


def _same_prior(model: Any, rows: np.ndarray, scores: np.ndarray) -> Any:
    """A GP with ``model``'s fitted kernel and target scaling (neither re-fitted)
    conditioned on its first ``len(rows)`` points."""
    from sklearn.gaussian_process import GaussianProcessRegressor

    fitted = GaussianProcessRegressor(kernel=model.kernel_, optimizer=None, normalize_y=False)
    offset, scale = target_scaling(model)
    fitted.fit(model.X_train_[: len(rows)], (scores - offset) / scale)
    fitted._y_train_mean, fitted._y_train_std = offset, scale  # read back by _posterior
    return fitted


def _last_point_divergence(
    surrogate: Surrogate,
    space: SearchSpace,
    now: Any,
    before: Any,
    rows: np.ndarray,
    scores: np.ndarray,
) -> float:
    """KL divergence between the GP posteriors after and before the last observation:
    with ``s2`` the earlier posterior variance at the last point, ``r`` its residual and
    ``n2`` the noise variance, ``(log(1 + s2 / n2) - s2 / (s2 + n2) + s2 r^2 / (s2 + n2)^2)
    / 2``."""
    mean, std = surrogate.posterior(space, before, rows[-1:])
    _, scale = target_scaling(now)
    # The fitted noise plus the jitter scikit-learn adds to the diagonal.
    noise = (float(now.kernel_.k2.noise_level) + float(now.alpha)) * scale**2
    variance = float(std[0]) ** 2
    residual = float(scores[-1] - mean[0])
    return 0.5 * (
        math.log1p(variance / noise)
        - variance / (variance + noise)
        + variance * residual**2 / (variance + noise) ** 2
    )
