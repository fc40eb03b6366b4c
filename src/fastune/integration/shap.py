"""SHAP (``pip install fastune[shap]``): parameter importance as mean absolute Shapley
values, with Optuna's name (``ShapleyImportanceEvaluator``)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from fastune._imports import import_optional
from fastune.importance._base import ForestImportanceEvaluator, TrialTable

__all__ = ["ShapleyImportanceEvaluator"]

with warnings.catch_warnings():
    # SHAP's import builds its plots' colour maps with a matplotlib call that matplotlib
    # 3.10 marks for deprecation: a note on SHAP's code, not on the user's.
    warnings.simplefilter("ignore", PendingDeprecationWarning)
    # On import, as Optuna's: reaching the name without SHAP says which extra installs it.
    _shap: Any = import_optional("shap", "shap")


class ShapleyImportanceEvaluator(ForestImportanceEvaluator):
    """Importance as each parameter's mean absolute SHAP value: a random forest is fitted
    to the complete trials (as for
    :class:`~fastune.importance.MeanDecreaseImpurityImportanceEvaluator`), SHAP's
    ``TreeExplainer`` splits each trial's prediction into one share per parameter, and a
    parameter scores the mean size of its shares, in the objective's units.

    Unlike the impurity decrease, a parameter is not credited for splits that do not move
    the predictions, and the scores add up to how far the predictions stray from their
    mean. It scores the same parameters as the other evaluators (conditional ones only
    when named in ``params``) and needs ``target`` for several objectives.

    Args:
        n_trees: Trees in the forest.
        max_depth: Depth limit of each tree.
        seed: Seeds the forest; the same seed gives the same importances.

    Raises:
        MissingDependencyError: SHAP is not installed (on import of this module).

    Example:
        >>> import fastune
        >>> from fastune.importance import get_param_importances
        >>> from fastune.integration.shap import ShapleyImportanceEvaluator  # doctest: +SKIP
        >>> def objective(trial):
        ...     return 10 * trial.suggest_float("x", 0, 1) + trial.suggest_float("y", 0, 1)
        >>> study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
        >>> study.optimize(objective, n_trials=40)
        >>> evaluator = ShapleyImportanceEvaluator(seed=0)  # doctest: +SKIP
        >>> list(get_param_importances(study, evaluator=evaluator))  # doctest: +SKIP
        ['x', 'y']
    """

    def _scores(self, forest: Any, table: TrialTable) -> np.ndarray:
        shares = np.asarray(_shap.TreeExplainer(forest).shap_values(table.features))
        return np.abs(shares).mean(axis=0)
