"""Importance as a random forest's mean decrease in impurity per parameter."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastune._validation import check_int
from fastune.importance._base import BaseImportanceEvaluator, ranked, trial_table
from fastune.study import Study
from fastune.trial import FrozenTrial

__all__ = ["MeanDecreaseImpurityImportanceEvaluator"]


class MeanDecreaseImpurityImportanceEvaluator(BaseImportanceEvaluator):
    """Importance as the mean decrease in impurity (squared error) that the splits on
    each parameter bring, over the trees of a random forest fitted to the trials.

    Faster than :class:`FanovaImportanceEvaluator`, but it credits a parameter for any
    split on it, interactions included, and favours parameters with many values.

    Args:
        n_trees: Trees in the forest.
        max_depth: Depth limit of each tree.
        seed: Seeds the forest; the same seed gives the same importances.

    Example:
        >>> import fastune
        >>> from fastune.importance import (
        ...     MeanDecreaseImpurityImportanceEvaluator, get_param_importances)
        >>> def objective(trial):
        ...     return 10 * trial.suggest_float("x", 0, 1) + trial.suggest_float("y", 0, 1)
        >>> study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
        >>> study.optimize(objective, n_trials=40)
        >>> evaluator = MeanDecreaseImpurityImportanceEvaluator(seed=0)
        >>> list(get_param_importances(study, evaluator=evaluator))
        ['x', 'y']
    """

    def __init__(self, *, n_trees: int = 64, max_depth: int = 64, seed: int | None = None) -> None:
        owner = "MeanDecreaseImpurityImportanceEvaluator"
        self.n_trees = check_int(n_trees, "n_trees", owner, low=1)
        self.max_depth = check_int(max_depth, "max_depth", owner, low=1)
        self.seed = check_int(seed, "seed", owner, allow_none=True)

    def evaluate(
        self,
        study: Study,
        params: Sequence[str] | None = None,
        *,
        target: Callable[[FrozenTrial], float] | None = None,
    ) -> dict[str, float]:
        from sklearn.ensemble import RandomForestRegressor

        owner = "MeanDecreaseImpurityImportanceEvaluator.evaluate"
        table = trial_table(study, params, target, owner)
        if not table.names or len(set(table.values.tolist())) < 2:
            return dict.fromkeys(table.names, 0.0)
        forest = RandomForestRegressor(
            n_estimators=self.n_trees, max_depth=self.max_depth, random_state=self.seed
        )
        forest.fit(table.features, table.values)
        return ranked(table.names, forest.feature_importances_)
