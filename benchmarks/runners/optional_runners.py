"""Peers that are optional: Hyperopt's TPE and Ray Tune. Each is skipped, with the reason
printed, when its package is not importable; neither is ever installed by the suite.
"""

from __future__ import annotations

import importlib.util
import math
import time
from typing import Any

import numpy as np

from benchmarks.problems import EvaluationProblem, Problem
from benchmarks.runners.base import Method, RunResult
from benchmarks.space import CategoricalParam, FloatParam, IntParam, SearchSpace

RAY_TUNE_REASON = (
    "Ray Tune's PopulationBasedTraining is compared on the learning-curve tasks by the PBT "
    "work; this suite has no Ray runner yet"
)


def _hyperopt_space(space: SearchSpace) -> dict[str, Any]:
    from hyperopt import hp

    expressions: dict[str, Any] = {}
    for param in space:
        if isinstance(param, CategoricalParam):
            expressions[param.name] = hp.choice(param.name, list(param.choices))
        elif isinstance(param, FloatParam) and param.log:
            expressions[param.name] = hp.loguniform(
                param.name, math.log(param.low), math.log(param.high)
            )
        elif isinstance(param, FloatParam):
            expressions[param.name] = hp.uniform(param.name, param.low, param.high)
        elif param.log:
            expressions[param.name] = hp.qloguniform(
                param.name, math.log(param.low), math.log(param.high), 1
            )
        else:
            expressions[param.name] = hp.quniform(param.name, param.low, param.high, 1)
    return expressions


def _as_declared(space: SearchSpace, sampled: dict[str, Any]) -> dict[str, Any]:
    """Hyperopt's q-distributions give floats: turn them into in-range ints."""
    params = dict(sampled)
    for param in space:
        if isinstance(param, IntParam):
            params[param.name] = int(min(max(round(params[param.name]), param.low), param.high))
    return params


def run_hyperopt_tpe(problem: Problem, budget: int, seed: int) -> RunResult:
    """Hyperopt's ``fmin`` with ``tpe.suggest`` for ``budget`` evaluations."""
    from hyperopt import STATUS_FAIL, STATUS_OK, Trials, fmin, tpe

    assert isinstance(problem, EvaluationProblem)  # guaranteed by applies_to
    result = RunResult()

    def objective(sampled: dict[str, Any]) -> dict[str, Any]:
        value = problem.evaluate(_as_declared(problem.space, sampled), seed)
        result.cost += problem.cost_per_trial
        result.record(value)
        status = STATUS_OK if math.isfinite(value) else STATUS_FAIL
        return {"loss": value, "status": status}

    start = time.perf_counter()
    fmin(
        objective,
        _hyperopt_space(problem.space),
        algo=tpe.suggest,
        max_evals=budget,
        trials=Trials(),
        rstate=np.random.default_rng(seed),
        show_progressbar=False,
    )
    result.seconds = time.perf_counter() - start
    return result


def _is_evaluation_problem(problem: Problem, budget: int) -> bool:
    return isinstance(problem, EvaluationProblem)


def optional_methods() -> list[Method]:
    """The optional peers' methods (whether or not they are installed)."""
    return [Method("hyperopt tpe", "hyperopt", run_hyperopt_tpe, _is_evaluation_problem)]


def optional_unavailable() -> dict[str, str]:
    """Why an optional peer does not run here, by method name."""
    reasons: dict[str, str] = {}
    if importlib.util.find_spec("hyperopt") is None:
        reasons["hyperopt tpe"] = "hyperopt is not importable (optional peer, not installed)"
    if importlib.util.find_spec("ray") is None:
        reasons["ray tune pbt"] = "ray is not importable (optional peer, not installed)"
    else:
        reasons["ray tune pbt"] = RAY_TUNE_REASON
    return reasons
