"""Improvement evaluators of the terminator, under Optuna's module paths:
``fastune.terminator.improvement.evaluator`` (:class:`RegretBoundEvaluator`,
:class:`BestValueStagnationEvaluator`, :class:`BaseImprovementEvaluator`) and
``fastune.terminator.improvement.emmr`` (:class:`EMMREvaluator`); all of them are also
in ``fastune.terminator``."""
