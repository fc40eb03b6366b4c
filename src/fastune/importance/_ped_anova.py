"""PED-ANOVA: how much each parameter's spread differs between the best trials and the
trials of a region, measured on one-dimensional Parzen estimators (no model to fit).
Optuna 5's default importance evaluator, and fastune's."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import numpy as np

from fastune._validation import check_number, invalid, invalid_type
from fastune.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from fastune.importance._base import (
    BaseImportanceEvaluator,
    named_params,
    no_finite_trial,
    ranked,
)
from fastune.samplers._tpe import _split
from fastune.study import Study, StudyDirection
from fastune.trial import FrozenTrial, TrialState

__all__ = ["PedAnovaImportanceEvaluator"]

# Points of the grid a continuous parameter is binned on.
_GRID_POINTS = 50
# Weight of the wide prior kernel mixed into each estimator.
_PRIOR_WEIGHT = 1.0
# A part of the region (the trials that drew a parameter from one distribution) with
# fewer trials than this is left out of the parameter's importance.
_MIN_REGIME_TRIALS = 2


class PedAnovaImportanceEvaluator(BaseImportanceEvaluator):
    """PED-ANOVA importances (the conditional form of Optuna 5), with Optuna's
    parameters and meaning; the default evaluator of :func:`get_param_importances`.

    The complete trials with a finite value are ranked (with fewer than two, every score
    is 0). The **target set** is the best ``target_quantile`` of them
    (``ceil(target_quantile * n)`` trials; with one value to rank, every trial tied with
    the last too), the **region** the best ``region_quantile`` (all of them at 1.0).
    "Best" means the lowest objective in a study that minimizes, the highest in
    one that maximizes, and the lowest ``target(trial)`` when ``target`` is given
    (negate it to favour high values). For a study with several objectives and no
    ``target``, the trials are taken front by front (non-domination rank) and the front
    that does not fit is cut by hypervolume, as the multi-objective
    :class:`~fastune.samplers.TPESampler` splits them: the scores then say what it took
    to reach the Pareto front, with no preference between the objectives.

    For each parameter, Parzen estimators on a grid (50 points for a continuous
    parameter, on the log scale where it has one; one point per value for a discrete
    one; one per choice for a categorical one; a wide prior kernel of weight 1) give its
    density ``p`` over the target set and ``q`` over the region (``evaluate_on_local``)
    or the uniform density over the grid (not ``evaluate_on_local``). Its importance is
    the Pearson divergence ``sum q (p / q - 1) ** 2`` times ``(size of the target set /
    size of the region) ** 2``: a parameter whose values in the best trials spread like
    those of the region does not matter to reach them.

    Conditional parameters are scored too: without ``params``, every parameter of a
    complete trial is. The region's trials are split by the distribution they drew the
    parameter from; the trials that lack it add nothing, a part with fewer than two
    trials is left out, and each other part's divergence (on its own grid) counts with
    weight ``a ** 2 / b``, ``a`` being its share of the target set and ``b`` its share of
    the region. A parameter that only some trials have, and that is absent from the best
    ones, therefore scores 0.

    Args:
        target_quantile: In (0, 1), the share of trials that counts as the best.
        region_quantile: In (``target_quantile``, 1], the share of trials that makes
            the region the importances are measured in.
        evaluate_on_local: Compare with the region's trials (True: what mattered during
            the search) or with the whole range of each parameter (False; then
            ``region_quantile`` has no effect and a warning says so).

    Raises:
        InvalidParameterError: quantiles outside ``0 < target_quantile <
            region_quantile <= 1``; from :meth:`evaluate`, a study without a complete
            trial, or whose complete trials have no finite value.

    Example:
        >>> import fastune
        >>> def objective(trial):
        ...     x1 = trial.suggest_float("x1", -10, 10)
        ...     return x1 + trial.suggest_float("x2", -10, 10) / 1000
        >>> study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
        >>> study.optimize(objective, n_trials=100)
        >>> evaluator = fastune.importance.PedAnovaImportanceEvaluator()
        >>> importances = fastune.importance.get_param_importances(study, evaluator=evaluator)
        >>> list(importances)
        ['x1', 'x2']
    """

    def __init__(
        self,
        *,
        target_quantile: float = 0.1,
        region_quantile: float = 1.0,
        evaluate_on_local: bool = True,
    ) -> None:
        owner = "PedAnovaImportanceEvaluator"
        check_number(target_quantile, "target_quantile", owner)
        check_number(region_quantile, "region_quantile", owner)
        if not 0.0 < target_quantile < 1.0:
            raise invalid("target_quantile", owner, "a number in (0, 1)", target_quantile)
        if not target_quantile < region_quantile <= 1.0:
            allowed = f"a number in (target_quantile={target_quantile}, 1]"
            raise invalid("region_quantile", owner, allowed, region_quantile)
        if region_quantile != 1.0 and not evaluate_on_local:
            warnings.warn(
                "PedAnovaImportanceEvaluator: region_quantile has no effect when "
                "evaluate_on_local is False",
                UserWarning,
                stacklevel=2,
            )
        self._target_quantile = float(target_quantile)
        self._region_quantile = float(region_quantile)
        self._evaluate_on_local = bool(evaluate_on_local)

    def evaluate(
        self,
        study: Study,
        params: Sequence[str] | None = None,
        *,
        target: Callable[[FrozenTrial], float] | None = None,
    ) -> dict[str, float]:
        owner = "PedAnovaImportanceEvaluator.evaluate"
        if target is not None and not callable(target):
            raise invalid_type("target", owner, "a function of a trial or None", target)
        trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if not trials and not params:
            return {}  # as Optuna's: nothing to explain
        if params is None:  # every parameter of a complete trial, conditional ones included
            names = list(dict.fromkeys(n for t in trials for n in t.distributions))
        else:
            names = named_params(trials, params, owner)
        losses = _losses(study, trials, target)
        finite = np.isfinite(losses).all(axis=1)
        if not finite.any():
            raise no_finite_trial(owner)
        trials = [t for t, keep in zip(trials, finite, strict=True) if keep]
        losses = losses[finite]
        if len(trials) < 2:
            return dict.fromkeys(names, 0.0)
        top = _best(losses, self._target_quantile, study.directions)
        region = _best(losses, self._region_quantile, study.directions)
        scale = (top.sum() / region.sum()) ** 2
        scores = np.array([scale * self._importance(n, trials, top, region) for n in names])
        return ranked(names, scores)

    def _importance(
        self, name: str, trials: list[FrozenTrial], top: np.ndarray, region: np.ndarray
    ) -> float:
        """The importance of ``name`` before the scale: the region's trials are split by
        the distribution they drew ``name`` from (trials without it are left out), and
        each part's divergence counts with weight ``a ** 2 / b``, where ``a`` is its share
        of the best trials and ``b`` its share of the region."""
        regimes: dict[BaseDistribution, list[int]] = {}
        for index in np.flatnonzero(region):
            distribution = trials[index].distributions.get(name)
            if distribution is not None:
                regimes.setdefault(distribution, []).append(int(index))
        n_top, n_region = int(top.sum()), int(region.sum())
        score = 0.0
        for distribution, members in regimes.items():
            best = [i for i in members if top[i]]
            if len(members) < _MIN_REGIME_TRIALS or not best or distribution.single():
                continue
            weight = (len(best) / n_top) ** 2 / (len(members) / n_region)
            p = _estimate(_counts(name, distribution, [trials[i] for i in best]), distribution)
            if self._evaluate_on_local:
                region_counts = _counts(name, distribution, [trials[i] for i in members])
                q = _estimate(region_counts, distribution)
            else:
                q = np.full(len(p), 1.0 / len(p))
            score += weight * float(q @ (p / q - 1.0) ** 2)  # Pearson divergence of p from q
        return score


def _losses(
    study: Study, trials: list[FrozenTrial], target: Callable[[FrozenTrial], float] | None
) -> np.ndarray:
    """One row per trial, lower better in every column: ``target(trial)``, or the
    objective values (negated where maximized)."""
    if target is not None:
        return np.array([float(target(t)) for t in trials]).reshape(len(trials), 1)
    signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in study.directions])
    return np.array([t.values for t in trials], dtype=float).reshape(len(trials), -1) * signs


def _best(losses: np.ndarray, quantile: float, directions: list[StudyDirection]) -> np.ndarray:
    """A mask of the best ``ceil(quantile * n)`` of the ``n`` rows of ``losses``. With one
    column, every row tied with the last of them too; with several, front by front
    (non-domination rank), the front that does not fit cut by hypervolume, as the
    multi-objective TPE sampler splits its trials."""
    n_rows, n_columns = losses.shape
    if quantile == 1.0:
        return np.ones(n_rows, dtype=bool)
    count = math.ceil(quantile * n_rows)
    if n_columns == 1:
        cutoff = np.partition(losses[:, 0], count - 1)[count - 1]
        return losses[:, 0] <= cutoff
    # The sampler's rows start with two columns that order pruned and infeasible trials.
    return _split(np.hstack([np.zeros((n_rows, 2)), losses]), directions, count)


def _counts(name: str, distribution: BaseDistribution, trials: list[FrozenTrial]) -> np.ndarray:
    """How many of the trials fall in each cell of the parameter's grid: one cell per
    choice of a categorical parameter; for a numeric one, ``_GRID_POINTS`` evenly spaced
    points (on the log scale where it has one), fewer where it has fewer values: one per
    value of a stepped range, about one per doubling of a log-scale integer. A value
    halfway between two points goes to the lower one."""
    if isinstance(distribution, CategoricalDistribution):
        indices = [int(distribution.to_internal_repr(t.params[name])) for t in trials]
        return np.bincount(indices, minlength=len(distribution.choices))
    assert isinstance(distribution, (FloatDistribution, IntDistribution))
    size = _GRID_POINTS
    if isinstance(distribution, IntDistribution) and distribution.log:
        size = min(size, math.ceil(math.log2(distribution.high - distribution.low + 1)) + 1)
    elif distribution.step is not None:
        size = min(size, round((distribution.high - distribution.low) / distribution.step) + 1)
    values = np.array([t.params[name] for t in trials], dtype=float)
    low, high = float(distribution.low), float(distribution.high)
    if distribution.log:
        values, low, high = np.log(values), math.log(low), math.log(high)
    cells = np.ceil((values - low) / ((high - low) / (size - 1)) - 0.5).astype(int)
    return np.bincount(np.clip(cells, 0, size - 1), minlength=size)


def _estimate(counts: np.ndarray, distribution: BaseDistribution) -> np.ndarray:
    """A Parzen estimate on the grid cells from the trials' ``counts`` per cell, with a
    wide prior kernel of weight ``_PRIOR_WEIGHT``.

    Categorical: each trial's kernel puts ``1 + w`` on its choice and ``w`` on every
    choice (normalized), ``w`` being the prior weight over one more than the number of
    choices seen; the prior kernel is uniform. Numeric: Gaussian kernels of Scott's
    bandwidth (in cells, at least 0.5 / 1.64, so that nine tenths of a kernel fall in
    its cell), each kernel's mass per cell being its integral over the cell, truncated
    to the grid; the prior kernel is centred with the grid's width."""
    size = len(counts)
    n = int(counts.sum())
    if isinstance(distribution, CategoricalDistribution):
        share = _PRIOR_WEIGHT / (np.count_nonzero(counts) + 1)
        kernels = (counts + n * share) / (1.0 + size * share)
        return (kernels + _PRIOR_WEIGHT / size) / (n + _PRIOR_WEIGHT)
    from scipy.special import ndtr  # on first use: scipy.special is slow to load

    cells = np.flatnonzero(counts)
    weights = counts[cells]
    mean = weights @ cells / n
    spread = math.sqrt(weights @ (cells - mean) ** 2 / max(1, n - 1))
    # The quartiles: the first cell whose cumulative count reaches n // 4, and the first
    # whose cumulative count passes 3 * n // 4.
    cumulative = np.cumsum(weights)
    lower = cells[int(np.searchsorted(cumulative, n // 4, side="left"))]
    upper = cells[min(len(cells) - 1, int(np.searchsorted(cumulative, 3 * n // 4, side="right")))]
    bandwidth = max(1.059 * min((upper - lower) / 1.34, spread) * n**-0.2, 0.5 / 1.64)
    centres = np.append(cells, (size - 1) / 2.0)
    widths = np.append(np.full(len(cells), bandwidth), float(size))
    edges = np.arange(size + 1) - 0.5
    mass = np.diff(ndtr((edges[None, :] - centres[:, None]) / widths[:, None]), axis=1)
    mass /= mass.sum(axis=1, keepdims=True)  # truncated to the grid
    mixture = np.append(weights, _PRIOR_WEIGHT)
    return mixture @ mass / mixture.sum()
