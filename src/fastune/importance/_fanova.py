"""fANOVA-style importance: the share of the objective's variance that each parameter
explains on its own, read from the trees of a random forest fitted to the trials."""

from __future__ import annotations

from typing import Any

import numpy as np

from fastune.importance._base import ForestImportanceEvaluator, TrialTable

__all__ = ["FanovaImportanceEvaluator", "main_effect_shares"]


def _leaf_boxes(tree: Any, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each leaf's box (lower and upper corners, clipped to the search space) and its
    prediction. scikit-learn numbers a node before its children, so one pass in node
    order hands every child its parent's box cut at the parent's split."""
    left, right = tree.children_left, tree.children_right
    lower = np.tile(low, (tree.node_count, 1))
    upper = np.tile(high, (tree.node_count, 1))
    for node in np.flatnonzero(left >= 0):
        feature, threshold = tree.feature[node], tree.threshold[node]
        for child in (left[node], right[node]):
            lower[child] = lower[node]
            upper[child] = upper[node]
        upper[left[node], feature] = min(threshold, upper[node, feature])
        lower[right[node], feature] = max(threshold, lower[node, feature])
    leaves = left < 0
    return lower[leaves], upper[leaves], tree.value[leaves, 0, 0]


def main_effect_shares(tree: Any, low: np.ndarray, high: np.ndarray) -> np.ndarray | None:
    """The fraction of a fitted tree's variance, over the uniform measure on the box
    ``[low, high]``, that each input's main effect explains; None for a constant tree.

    The tree is piecewise constant on its leaves' boxes. The main effect of input j is
    the tree's prediction averaged over every other input: piecewise constant between
    the split points on j, each piece the sum of the leaves it crosses, each leaf
    weighted by its volume share in the other inputs.
    """
    lower, upper, prediction = _leaf_boxes(tree, low, high)
    width = high - low
    spans = np.where(width > 0, (upper - lower) / np.where(width > 0, width, 1.0), 1.0)
    spans = np.clip(spans, 0.0, None)
    weight = spans.prod(axis=1)
    mean = float(weight @ prediction)
    variance = float(weight @ (prediction - mean) ** 2)
    shares = np.zeros(len(low))
    if variance <= 1e-12 * max(1.0, mean**2):
        return None
    for j in np.flatnonzero(width > 0):
        edges = np.unique(np.concatenate([lower[:, j], upper[:, j]]))
        middles = (edges[:-1] + edges[1:]) / 2
        lengths = np.diff(edges) / width[j]
        crosses = (lower[:, j] <= middles[:, None]) & (middles[:, None] < upper[:, j])
        others = np.divide(weight, spans[:, j], out=np.zeros_like(weight), where=spans[:, j] > 0)
        effect = crosses @ (others * prediction)
        shares[j] = float(lengths @ (effect - mean) ** 2) / variance
    return shares


class FanovaImportanceEvaluator(ForestImportanceEvaluator):
    """Importance as each parameter's share of the objective's variance (fANOVA main
    effects), averaged over the trees of a random forest fitted to the trials.

    The forest learns the objective from the complete trials' parameters (log
    parameters on a log scale, categorical ones by the index of their choice). Each
    tree's prediction is decomposed over the uniform measure on the search space: the
    importance of a parameter is the variance of its main effect over the tree's total
    variance. Interactions are not credited to any parameter, so the raw shares sum to
    at most 1. This was Optuna 4's default evaluator; Optuna 5's, and fastune's, is
    :class:`PedAnovaImportanceEvaluator`.

    Conditional parameters: without ``params``, only the parameters that every complete
    trial has (with the same distribution) are scored, as by Optuna's fANOVA; a
    parameter named in ``params`` is scored over the trials that have every named one.
    A study with several objectives needs ``target``.

    Args:
        n_trees: Trees in the forest.
        max_depth: Depth limit of each tree.
        seed: Seeds the forest; the same seed gives the same importances.

    Example:
        >>> import fastune
        >>> from fastune.importance import FanovaImportanceEvaluator, get_param_importances
        >>> def objective(trial):
        ...     return 10 * trial.suggest_float("x", 0, 1) + trial.suggest_float("y", 0, 1)
        >>> study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
        >>> study.optimize(objective, n_trials=40)
        >>> importances = get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=0))
        >>> list(importances)
        ['x', 'y']
    """

    def _scores(self, forest: Any, table: TrialTable) -> np.ndarray:
        per_tree = [
            main_effect_shares(tree.tree_, table.low, table.high) for tree in forest.estimators_
        ]
        shares = [s for s in per_tree if s is not None]
        return np.mean(shares, axis=0) if shares else np.zeros(len(table.names))
