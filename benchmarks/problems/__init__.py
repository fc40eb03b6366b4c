"""Every problem of the suite, by name; see the modules for what each group measures."""

from __future__ import annotations

from benchmarks.problems.base import EvaluationProblem, LearningCurveProblem, Problem
from benchmarks.problems.bbob import bbob_problems
from benchmarks.problems.boosting_curves import boosting_curve_problems
from benchmarks.problems.learning_curves import learning_curve_problems
from benchmarks.problems.model_tuning import ModelTuningProblem, model_tuning_problems

__all__ = [
    "PROBLEMS",
    "EvaluationProblem",
    "LearningCurveProblem",
    "ModelTuningProblem",
    "Problem",
]

PROBLEMS: dict[str, Problem] = {
    problem.name: problem
    for problem in [
        *bbob_problems(),
        *model_tuning_problems(),
        *learning_curve_problems(),
        *boosting_curve_problems(),
    ]
}
