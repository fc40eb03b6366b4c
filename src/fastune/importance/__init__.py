"""Which hyperparameters matter: importance scores learned from a study's trials.

PED-ANOVA, the default (as in Optuna 5), compares Parzen estimates of each parameter
over the best trials and the rest (numpy, and ``scipy.special`` on first use). fANOVA
(Optuna 4's default) and mean decrease impurity fit a random forest (scikit-learn) to
the complete trials, so their first call imports ``sklearn.ensemble``; ``import
fastune`` does neither.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastune._validation import invalid_type
from fastune.importance._base import BaseImportanceEvaluator
from fastune.importance._fanova import FanovaImportanceEvaluator
from fastune.importance._mean_decrease_impurity import MeanDecreaseImpurityImportanceEvaluator
from fastune.importance._ped_anova import PedAnovaImportanceEvaluator
from fastune.study import Study
from fastune.trial import FrozenTrial, TrialState

__all__ = [
    "BaseImportanceEvaluator",
    "FanovaImportanceEvaluator",
    "MeanDecreaseImpurityImportanceEvaluator",
    "PedAnovaImportanceEvaluator",
    "get_param_importances",
]


def get_param_importances(
    study: Study,
    *,
    evaluator: BaseImportanceEvaluator | None = None,
    params: Sequence[str] | None = None,
    target: Callable[[FrozenTrial], float] | None = None,
    normalize: bool = True,
) -> dict[str, float]:
    """Score how much each parameter explains the objective, from the complete trials.

    Conditional parameters: without ``params``, :class:`PedAnovaImportanceEvaluator`
    (the default) scores every parameter of a complete trial, each over the trials that
    have it, as in Optuna 5; the forest evaluators (fANOVA, mean decrease impurity) score
    only the parameters that every complete trial has (with the same distribution), and
    a conditional parameter named in ``params`` over the trials that have it.

    Args:
        study: The study.
        evaluator: How to score; :class:`PedAnovaImportanceEvaluator` by default, as in
            Optuna 5 (Optuna 4's default, fANOVA, is
            ``FanovaImportanceEvaluator(seed=...)``).
        params: The parameters to score.
        target: Scores ``target(trial)`` instead of the objective value. A study with
            several objectives needs it, except with PED-ANOVA, which then scores what
            it took to reach the Pareto front.
        normalize: Scale the scores to sum to 1 (equal shares when all are 0).

    Returns:
        The importance of each parameter, highest first.

    Raises:
        ValueError: several objectives and no ``target`` with a forest evaluator, or an
            unknown name in ``params``. A study without a complete trial gives ``{}``.

    Example:
        >>> import fastune
        >>> def objective(trial):
        ...     return 10 * trial.suggest_float("x", 0, 1) + trial.suggest_float("y", 0, 1)
        >>> study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
        >>> study.optimize(objective, n_trials=40)
        >>> importances = fastune.importance.get_param_importances(study)
        >>> max(importances, key=importances.get)
        'x'
    """
    if evaluator is None:
        evaluator = PedAnovaImportanceEvaluator()
    if not isinstance(evaluator, BaseImportanceEvaluator):
        allowed = "a BaseImportanceEvaluator (such as PedAnovaImportanceEvaluator()) or None"
        raise invalid_type("evaluator", "get_param_importances", allowed, evaluator)
    if not study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        return {}  # nothing to score yet, as Optuna
    scores = evaluator.evaluate(study, params=params, target=target)
    total = sum(scores.values())
    if normalize and total > 0:
        return {name: score / total for name, score in scores.items()}
    if normalize and scores:  # nothing told the parameters apart: equal shares, as Optuna
        return {name: 1.0 / len(scores) for name in scores}
    return scores
