"""PED-ANOVA: how much each parameter's spread differs between the best trials and the
trials of a region, measured on one-dimensional Parzen estimators (no model to fit)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import numpy as np

from fastune._validation import check_number, invalid
from fastune.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from fastune.importance._base import BaseImportanceEvaluator, ranked, trial_table
from fastune.study import Study, StudyDirection
from fastune.trial import FrozenTrial

__all__ = ["PedAnovaImportanceEvaluator"]

# Points of the grid a continuous parameter is binned on.
_GRID_POINTS = 50
# Weight of the wide prior kernel mixed into each estimator, and the fewest trials a top
# set takes.
_PRIOR_WEIGHT = 1.0
_MIN_TOP_TRIALS = 2


class PedAnovaImportanceEvaluator(BaseImportanceEvaluator):
    """PED-ANOVA importances, with Optuna's parameters and meaning.

    The complete trials are ranked (by the objective in the study's direction, or by
    ``target``, lower better). The **target set** is the best ``target_quantile`` of
    them (at least two, and every trial tied with the last), the **region** the best
    ``region_quantile`` (all of them at 1.0). For each numeric parameter, Parzen
    estimators on a grid (50 points for a continuous parameter, on the log scale where
    it has one; one point per value for a discrete one; Scott's bandwidth; a wide prior
    kernel of weight 1) give its density ``p`` over the target set and ``q`` over the
    region (``evaluate_on_local``) or the uniform density over its range (not
    ``evaluate_on_local``). For a categorical one, ``q`` is the share of each choice in
    the region with one pseudo-trial per choice (or uniform), and ``p`` the share in the
    target set with one pseudo-trial per choice spread as ``q``. Its importance is the Pearson
    divergence ``sum q (p / q - 1) ** 2`` times ``(size of the target set / size of the
    region) ** 2``: a parameter whose values in the best trials spread like those of
    the region does not matter to reach them.

    Without ``params``, the parameters every complete trial has are scored, as by the
    other evaluators. A study with several objectives needs ``target`` (Optuna 5 would
    rank its trials by Pareto fronts instead).

    Args:
        target_quantile: In (0, 1), the share of trials that counts as the best.
        region_quantile: In (``target_quantile``, 1], the share of trials that makes
            the region the importances are measured in.
        evaluate_on_local: Compare with the region's trials (True: what mattered during
            the search) or with the whole range of each parameter (False; then
            ``region_quantile`` has no effect and a warning says so).

    Raises:
        InvalidParameterError: quantiles outside ``0 < target_quantile <
            region_quantile <= 1``.

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
        table = trial_table(study, params, target, "PedAnovaImportanceEvaluator.evaluate")
        n_trials = len(table.values)
        if not table.names or n_trials < 2:
            return dict.fromkeys(table.names, 0.0)
        losses = table.values
        if target is None and study.direction == StudyDirection.MAXIMIZE:
            losses = -losses
        top = _best(losses, self._target_quantile)
        region = _best(losses, self._region_quantile)
        scale = (len(top) / len(region)) ** 2
        scores = np.array(
            [
                scale * self._divergence(table.features[:, j], distribution, top, region)
                for j, distribution in enumerate(table.distributions)
            ]
        )
        return ranked(table.names, scores)

    def _divergence(
        self,
        column: np.ndarray,
        distribution: BaseDistribution,
        top: np.ndarray,
        region: np.ndarray,
    ) -> float:
        """The Pearson divergence of the column's density over ``top`` from its density
        over ``region`` (or from the uniform one), on the parameter's grid."""
        if distribution.single():
            return 0.0
        cells, size = _grid(column, distribution)
        uniform = np.full(size, 1.0 / size)
        if isinstance(distribution, CategoricalDistribution):
            region_shares = np.bincount(cells[region], minlength=size) / len(region)
            q = region_shares if self._evaluate_on_local else uniform
            # The best trials' shares are shrunk towards the region's: a few trials over
            # many choices do not make a choice look decisive by chance, and best trials
            # that are the whole region (a constant objective) give p = q: no importance.
            p = _shares(cells[top], size, q)
            seen = q > 0  # the best trials are among the region's: p is 0 where q is
            return float(np.sum((p[seen] - q[seen]) ** 2 / q[seen]))
        else:
            q = _density(cells[region], size) if self._evaluate_on_local else uniform
            p = _density(cells[top], size)
        return float(q @ (p / q - 1.0) ** 2)


def _best(losses: np.ndarray, quantile: float) -> np.ndarray:
    """The indices of the best ``quantile`` of ``losses`` (at least ``_MIN_TOP_TRIALS``),
    and of every trial tied with the last of them."""
    count = min(len(losses), max(_MIN_TOP_TRIALS, math.ceil(quantile * len(losses))))
    cutoff = np.partition(losses, count - 1)[count - 1]
    return np.flatnonzero(losses <= cutoff)


def _grid(column: np.ndarray, distribution: BaseDistribution) -> tuple[np.ndarray, int]:
    """The grid cell of each value of a column of the trial table (internal values; log10
    for a log parameter) and the number of cells."""
    if isinstance(distribution, CategoricalDistribution):
        return column.astype(int), len(distribution.choices)
    assert isinstance(distribution, (FloatDistribution, IntDistribution))
    low, high = float(distribution.low), float(distribution.high)
    size = _GRID_POINTS
    if distribution.log:
        low, high = math.log10(low), math.log10(high)
        if isinstance(distribution, IntDistribution):  # about one cell per doubling
            size = min(size, math.ceil(math.log2(distribution.high - distribution.low + 1)) + 1)
    elif distribution.step is not None:
        size = min(size, round((distribution.high - distribution.low) / distribution.step) + 1)
    cells = np.rint((column - low) / (high - low) * (size - 1)).astype(int)
    return np.clip(cells, 0, size - 1), size


def _shares(cells: np.ndarray, size: int, prior: np.ndarray) -> np.ndarray:
    """The share of each choice among the trials' choices, with ``_PRIOR_WEIGHT`` trials'
    worth per choice spread as ``prior`` says."""
    counts = np.bincount(cells, minlength=size).astype(float)
    pseudo = _PRIOR_WEIGHT * size
    return (counts + pseudo * prior) / (len(cells) + pseudo)


def _density(cells: np.ndarray, size: int) -> np.ndarray:
    """A Parzen estimate on ``size`` grid cells from the trials' cells: Gaussian kernels
    of Scott's bandwidth (in cells, at least 0.3) and a wide prior kernel of weight
    ``_PRIOR_WEIGHT``."""
    n = len(cells)
    spread = float(np.std(cells, ddof=1)) if n > 1 else 0.0
    q1, q3 = np.percentile(cells, [25, 75])
    bandwidth = 1.059 * min((q3 - q1) / 1.34, spread) * n**-0.2
    bandwidth = max(bandwidth, 0.5 / 1.64)
    grid = np.arange(size, dtype=float)
    centres = np.append(cells.astype(float), (size - 1) / 2.0)
    widths = np.append(np.full(n, bandwidth), float(size))
    weights = np.append(np.ones(n), _PRIOR_WEIGHT)
    kernels = np.exp(-0.5 * ((grid[None, :] - centres[:, None]) / widths[:, None]) ** 2)
    kernels /= kernels.sum(axis=1, keepdims=True)  # each kernel is a density on the grid
    density = weights @ kernels
    return density / density.sum()
