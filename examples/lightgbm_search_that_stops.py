"""LightGBM on scikit-learn's breast cancer data, each trial cross-validated: a search
that stops itself once more trials are unlikely to beat the best by more than the
cross-validation noise (fastune.terminator's default rule).

    python examples/lightgbm_search_that_stops.py            # stops well within a minute
    python examples/lightgbm_search_that_stops.py --quick    # a smoke test
"""

from __future__ import annotations

import argparse

import lightgbm as lgb
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold

import fastune
from fastune.terminator import TerminatorCallback, report_cross_validation_scores

features, labels = load_breast_cancer(return_X_y=True)
folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(features, labels))


def objective(trial: fastune.Trial) -> float:
    params = {
        "objective": "binary",
        "metric": "binary_logloss",
        "verbose": -1,
        "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
        "num_leaves": trial.suggest_int("num_leaves", 2, 64, log=True),
        "min_child_samples": trial.suggest_int("min_child_samples", 2, 100, log=True),
        "lambda_l2": trial.suggest_float("lambda_l2", 1e-8, 10.0, log=True),
    }
    scores = []
    for train, valid in folds:
        booster = lgb.train(params, lgb.Dataset(features[train], labels[train]), 100)
        scores.append(log_loss(labels[valid], booster.predict(features[valid])))
    report_cross_validation_scores(trial, scores)  # the terminator's error bar
    return float(np.mean(scores))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small budget")
    budget = 25 if parser.parse_args().quick else 200
    fastune.logging.set_verbosity(fastune.logging.WARNING)
    study = fastune.create_study(sampler=fastune.samplers.TPESampler(seed=0))
    terminator = fastune.terminator.Terminator(min_n_trials=min(20, budget - 5))
    study.optimize(objective, n_trials=budget, callbacks=[TerminatorCallback(terminator)])
    print(
        f"ran {len(study.trials)} of {budget} trials: "
        f"best CV log loss {study.best_value:.4f} with {study.best_params}"
    )


if __name__ == "__main__":
    main()
