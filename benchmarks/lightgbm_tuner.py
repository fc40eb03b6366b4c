"""LightGBM's stepwise tuner, fastune's (``fastune.integration.lightgbm``) beside
Optuna's (``optuna_integration.lightgbm``, which ``optuna.integration.lightgbm`` became in
Optuna 4.9), on the same data.

Problems, each from scikit-learn's bundled data: breast cancer (binary, log loss), wine
and digits (multiclass, log loss), diabetes (regression, l2). For each seed: a split of
60 % train, 20 % validation, 20 % test (stratified for the classifications), the same
for both libraries; ``LightGBMTuner`` with ``--rounds`` boosting rounds and early
stopping after 20 rounds without progress, ``optuna_seed`` the seed. Recorded: the best
validation score, the best booster's score on the test part (same metric), the wall time
of ``run()``, and the time outside LightGBM's training (the tuner's own work per trial:
wall time less the trials' training times, which both tuners record per trial).

``python -m benchmarks.lightgbm_tuner`` writes ``lightgbm_tuner.json`` and ``.md`` to
``benchmarks/results/`` (or ``--output-dir``).
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks.report import table
from benchmarks.side import SideRun, run_side_benchmark, side_report_header

# problem -> (scikit-learn loader, LightGBM objective, metric, classification)
PROBLEMS: dict[str, tuple[str, str, str, bool]] = {
    "breast_cancer": ("load_breast_cancer", "binary", "binary_logloss", True),
    "wine": ("load_wine", "multiclass", "multi_logloss", True),
    "digits": ("load_digits", "multiclass", "multi_logloss", True),
    "diabetes": ("load_diabetes", "regression", "l2", False),
}
# library -> the module that stands in for lightgbm with the tuner
LIBRARIES = {
    "fastune": "fastune.integration.lightgbm",
    "optuna": "optuna_integration.lightgbm",  # optuna.integration's, moved in Optuna 4.9
}
ELAPSED_KEY = "lightgbm_tuner:elapsed_secs"  # both tuners' per-trial training time


def _split(problem: str, seed: int) -> tuple[np.ndarray, ...]:
    """Train, validation and test parts (features, then labels) of a problem."""
    import sklearn.datasets
    from sklearn.model_selection import train_test_split

    loader, _, _, classification = PROBLEMS[problem]
    X, y = getattr(sklearn.datasets, loader)(return_X_y=True)
    kept = y if classification else None
    X_fit, X_test, y_fit, y_test = train_test_split(
        X, y, test_size=0.2, random_state=seed, stratify=kept
    )
    kept = y_fit if classification else None
    X_train, X_valid, y_train, y_valid = train_test_split(
        X_fit, y_fit, test_size=0.25, random_state=seed, stratify=kept
    )
    return X_train, X_valid, X_test, y_train, y_valid, y_test


def _test_score(booster: Any, metric: str, X: np.ndarray, y: np.ndarray) -> float:
    """The tuned metric of ``booster`` on a held-out part."""
    predicted = booster.predict(X, num_iteration=booster.best_iteration or None)
    if metric == "l2":
        return float(np.mean((predicted - y) ** 2))
    p = np.clip(predicted, 1e-15, 1 - 1e-15)
    if metric == "binary_logloss":
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    return float(-np.mean(np.log(p[np.arange(len(y)), y.astype(int)])))


def tune(library: str, problem: str, seed: int, rounds: int) -> dict[str, Any]:
    """One tuner run; its record."""
    lgb = importlib.import_module(LIBRARIES[library])
    X_train, X_valid, X_test, y_train, y_valid, y_test = _split(problem, seed)
    _, objective, metric, _ = PROBLEMS[problem]
    params: dict[str, Any] = {"objective": objective, "metric": metric, "verbosity": -1}
    if objective == "multiclass":
        params["num_class"] = len(np.unique(y_train))
    train = lgb.Dataset(X_train, y_train)
    valid = lgb.Dataset(X_valid, y_valid, reference=train)
    tuner = lgb.LightGBMTuner(
        params,
        train,
        num_boost_round=rounds,
        valid_sets=[valid],
        callbacks=[lgb.early_stopping(20, verbose=False)],
        show_progress_bar=False,
        optuna_seed=seed,
    )
    start = time.perf_counter()
    tuner.run()
    seconds = time.perf_counter() - start
    trials = tuner.study.trials
    training = sum(t.system_attrs.get(ELAPSED_KEY, 0.0) for t in trials)
    record = {
        "library": library,
        "problem": problem,
        "seed": seed,
        "best_valid": float(tuner.best_score),
        "test": _test_score(tuner.get_best_booster(), metric, X_test, y_test),
        "seconds": seconds,
        "tuner_ms_per_trial": 1e3 * (seconds - training) / len(trials),
        "n_trials": len(trials),
    }
    print(f"{library} {problem} seed {seed}: {record}", file=sys.stderr)
    return record


def measure(problems: Sequence[str], seeds: Sequence[int], rounds: int) -> list[dict[str, Any]]:
    return [
        tune(library, problem, seed, rounds)
        for problem in problems
        for seed in seeds
        for library in LIBRARIES
    ]


def build_report(results: dict[str, Any]) -> str:
    records = results["records"]
    seeds = sorted({r["seed"] for r in records})
    lines = [
        *side_report_header("LightGBM's stepwise tuner", results),
        f"* {len(seeds)} seeds ({seeds[0]}-{seeds[-1]}), {results['rounds']} boosting rounds "
        "with early stopping (20), the same splits for both libraries (60 % train, 20 % "
        "validation, 20 % test). Medians over seeds; lower is better for every metric "
        "(log loss, l2). Tuner ms per trial: wall time less the trials' LightGBM training, "
        "per trial.",
        "",
    ]
    rows = []
    for problem in dict.fromkeys(r["problem"] for r in records):
        for library in LIBRARIES:
            mine = [r for r in records if (r["problem"], r["library"]) == (problem, library)]
            if not mine:
                continue
            rows.append(
                [
                    problem,
                    library,
                    f"{statistics.median(r['best_valid'] for r in mine):.4g}",
                    f"{statistics.median(r['test'] for r in mine):.4g}",
                    f"{statistics.median(r['seconds'] for r in mine):.1f}",
                    f"{statistics.median(r['tuner_ms_per_trial'] for r in mine):.2f}",
                    f"{statistics.median(r['n_trials'] for r in mine):g}",
                ]
            )
    lines += table(
        [
            "problem",
            "library",
            "best validation score",
            "test score of the best booster",
            "seconds",
            "tuner ms per trial",
            "trials",
        ],
        rows,
    )
    return "\n".join(lines) + "\n"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--problems", default=",".join(PROBLEMS))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=300)


def _run_benchmark(options: argparse.Namespace) -> SideRun:
    problems = options.problems.split(",")
    records = measure(problems, range(options.seeds), options.rounds)
    return "lightgbm_tuner", {"rounds": options.rounds, "records": records}, build_report


def main(argv: Sequence[str] | None = None) -> int:
    return run_side_benchmark("lightgbm_tuner", __doc__, _arguments, _run_benchmark, argv)


if __name__ == "__main__":
    raise SystemExit(main())
