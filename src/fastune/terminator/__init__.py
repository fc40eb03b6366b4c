"""Stop a study when more trials are unlikely to pay, with Optuna's ``optuna.terminator``
names: a :class:`Terminator` compares the room left for improvement (an improvement
evaluator) with the objective's error (an error evaluator); :class:`TerminatorCallback`
applies it in ``Study.optimize``.

The GP-based evaluators (:class:`RegretBoundEvaluator`, :class:`EMMREvaluator`) use
GPSampler's model (scikit-learn and scipy, imported on first use), no torch. Optuna
deprecated this module in 4.9; fastune keeps it.
"""

from __future__ import annotations

from fastune.terminator.callback import TerminatorCallback
from fastune.terminator.erroreval import (
    BaseErrorEvaluator,
    CrossValidationErrorEvaluator,
    StaticErrorEvaluator,
    report_cross_validation_scores,
)
from fastune.terminator.improvement.emmr import EMMREvaluator
from fastune.terminator.improvement.evaluator import (
    BaseImprovementEvaluator,
    BestValueStagnationEvaluator,
    RegretBoundEvaluator,
)
from fastune.terminator.median_erroreval import MedianErrorEvaluator
from fastune.terminator.terminator import BaseTerminator, Terminator

__all__ = [
    "BaseErrorEvaluator",
    "BaseImprovementEvaluator",
    "BaseTerminator",
    "BestValueStagnationEvaluator",
    "CrossValidationErrorEvaluator",
    "EMMREvaluator",
    "MedianErrorEvaluator",
    "RegretBoundEvaluator",
    "StaticErrorEvaluator",
    "Terminator",
    "TerminatorCallback",
    "report_cross_validation_scores",
]
