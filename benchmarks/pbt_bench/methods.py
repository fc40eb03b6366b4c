"""The searches, each run on one problem and seed, reporting every evaluation with its compute.

See ``COMPUTE_ACCOUNTING`` for how compute is counted.
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.model_selection import RandomizedSearchCV, cross_validate

from benchmarks.pbt_bench.problems import N_FOLDS, PROBLEMS, SCORING, Problem, load

COMPUTE_ACCOUNTING = """
Compute is counted in training units x folds, the same way for every method: a unit is
one epoch (one pass over a fold's training rows) for SGD and MLP, and one boosting
iteration for HistGradientBoosting. A peer candidate costs the units its estimator
actually ran on each fold (``n_iter_``, which early stopping on the training loss can
cut short); a PBT step costs the units it added on each fold (one epoch in
``partial_fit`` mode, ``ceil(max_iter / (generations * steps_per_generation))`` trees in
``grow`` mode). Refitting the final pick on all tuning rows is not counted for anyone.
"""


@dataclasses.dataclass(frozen=True)
class Method:
    """A search and its settings.

    Attributes:
        name: Name in the report.
        library: "fastune", "optuna" or "scikit-learn".
        trials: Candidates of a peer search, each trained to the full budget.
        population_size, generations, explore: PBTSearchCV's settings (PBT only).
    """

    name: str
    library: str
    trials: int = 0
    population_size: int = 0
    generations: int = 0
    explore: str = "perturb"

    def nominal_compute(self, problem: Problem) -> int:
        """Units x folds the method is set up to spend (peers may stop epochs early)."""
        if self.library != "fastune":
            return self.trials * problem.budget * N_FOLDS
        steps, per_step = pbt_step_units(problem, self.generations)
        return self.population_size * self.generations * steps * per_step * N_FOLDS


@dataclasses.dataclass
class Run:
    """One search on one problem and seed.

    Attributes:
        events: ``(compute so far, mean CV score or None)`` per evaluation, in order.
        test_score: Held-out accuracy of the final pick, refitted on all tuning rows.
        pick_units: Units the final pick trained per fold (PBT's pick may come from an
            earlier generation, so it can be shorter than the full budget).
    """

    problem: str
    method: str
    seed: int
    events: list[tuple[int, float | None]]
    test_score: float | None
    seconds: float
    best_params: dict[str, Any]
    pick_units: float

    def as_json(self) -> dict[str, Any]:
        record = dataclasses.asdict(self)
        record["events"] = [list(event) for event in self.events]
        record["best_params"] = {key: _jsonable(v) for key, v in self.best_params.items()}
        return record


def pbt_step_units(problem: Problem, generations: int) -> tuple[int, int]:
    """PBTSearchCV's ``steps_per_generation`` for the problem, and the units each step adds.

    A member trains as long as one peer candidate, split into ``generations`` parts:
    ``budget / generations`` one-epoch steps for ``partial_fit`` estimators; one step per
    generation for HGB, whose ``max_iter`` PBTSearchCV itself spreads over the steps.
    """
    if hasattr(problem.estimator, "partial_fit"):
        return max(1, round(problem.budget / generations)), 1
    return 1, math.ceil(problem.budget / generations)


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _units_run(estimator: Any, X: Any, y: Any) -> float:
    """A "scorer" that reads the units a fitted estimator trained (epochs or iterations)."""
    return float(estimator.n_iter_)


_SCORERS = {"score": SCORING, "units": _units_run}


def _peer_compute(units: np.ndarray, budget: int) -> int:
    # A failed fit has no n_iter_; count it as the full budget.
    return int(np.where(np.isfinite(units), units, budget).sum())


def run_random_search(problem: Problem, method: Method, seed: int) -> Run:
    data = load(problem.dataset)
    search = RandomizedSearchCV(
        problem.make_estimator(seed),
        {param.name: param.scipy_distribution() for param in problem.space},
        n_iter=method.trials,
        scoring=_SCORERS,
        refit="score",
        cv=data.splits,
        n_jobs=1,
        random_state=seed,
        error_score=np.nan,
    )
    start = time.perf_counter()
    search.fit(data.X, data.y)
    seconds = time.perf_counter() - start
    results = search.cv_results_
    units = np.array([results[f"split{k}_test_units"] for k in range(N_FOLDS)]).T
    events, compute = [], 0
    for mean_score, candidate_units in zip(results["mean_test_score"], units, strict=True):
        compute += _peer_compute(candidate_units, problem.budget)
        events.append((compute, _finite(mean_score)))
    test_score = float(search.best_estimator_.score(data.X_test, data.y_test))
    pick_units = float(np.mean(units[search.best_index_]))
    best = dict(search.best_params_)
    return Run(problem.name, method.name, seed, events, test_score, seconds, best, pick_units)


def run_tpe(problem: Problem, method: Method, seed: int) -> Run:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    data = load(problem.dataset)
    estimator = problem.make_estimator(seed)
    events: list[tuple[int, float | None]] = []
    compute = 0

    def objective(trial: optuna.Trial) -> float:
        nonlocal compute
        params = {param.name: param.suggest(trial) for param in problem.space}
        scores = cross_validate(
            clone(estimator).set_params(**params),
            data.X,
            data.y,
            cv=data.splits,
            scoring=_SCORERS,
            error_score=np.nan,
        )
        compute += _peer_compute(scores["test_units"], problem.budget)
        trial.set_user_attr("units", float(np.mean(scores["test_units"])))
        value = float(np.mean(scores["test_score"]))
        events.append((compute, _finite(value)))
        return value

    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.NopPruner(),
    )
    start = time.perf_counter()
    study.optimize(objective, n_trials=method.trials)
    seconds = time.perf_counter() - start
    best = {param.name: param.suggest(study.best_trial) for param in problem.space}
    final = clone(estimator).set_params(**best).fit(data.X, data.y)
    test_score = float(final.score(data.X_test, data.y_test))
    pick_units = study.best_trial.user_attrs["units"]
    return Run(problem.name, method.name, seed, events, test_score, seconds, best, pick_units)


def run_pbt(problem: Problem, method: Method, seed: int) -> Run:
    from fastune import PBTSearchCV

    data = load(problem.dataset)
    steps, per_step = pbt_step_units(problem, method.generations)
    search = PBTSearchCV(
        problem.make_estimator(seed),
        {param.name: param.scipy_distribution() for param in problem.space},
        population_size=method.population_size,
        generations=method.generations,
        steps_per_generation=steps,
        explore=method.explore,
        cv=data.splits,
        scoring=SCORING,
        refit=True,
        n_jobs=1,
        random_state=seed,
    )
    start = time.perf_counter()
    search.fit(data.X, data.y)
    seconds = time.perf_counter() - start
    expected = "partial_fit" if hasattr(problem.estimator, "partial_fit") else "grow"
    if search.training_ != expected:  # the compute accounting above assumes this mode
        raise RuntimeError(f"PBTSearchCV trained {problem.name} in {search.training_!r} mode")
    events, compute = [], 0
    for mean_score in search.cv_results_["mean_test_score"]:
        compute += steps * per_step * N_FOLDS
        events.append((compute, _finite(mean_score)))
    test_score = float(search.best_estimator_.score(data.X_test, data.y_test))
    generation = int(search.cv_results_["generation"][search.best_index_])
    pick_units = float((generation + 1) * steps * per_step)
    best = dict(search.best_params_)
    return Run(problem.name, method.name, seed, events, test_score, seconds, best, pick_units)


RUNNERS = {"fastune": run_pbt, "optuna": run_tpe, "scikit-learn": run_random_search}


def run(problem_name: str, method: Method, seed: int) -> dict[str, Any]:
    """Run ``method`` on a problem with one seed; return the run as a JSON-ready dict."""
    problem = PROBLEMS[problem_name]
    with warnings.catch_warnings():
        # Short budgets and diverging configurations are part of the landscape.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", FitFailedWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return RUNNERS[method.library](problem, method, seed).as_json()
