"""The main job: tune a real scikit-learn model on a bundled dataset, show the result."""

from __future__ import annotations

import importlib.util
import time
from typing import TextIO

from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score

import fastune
from fastune.trial import FrozenTrial, Trial, TrialState

__all__ = ["run_demo"]


def _objective(trial: Trial) -> float:
    data = load_breast_cancer()
    model = HistGradientBoostingClassifier(
        learning_rate=trial.suggest_float("learning_rate", 1e-3, 0.5, log=True),
        max_iter=trial.suggest_int("max_iter", 20, 200, step=20),
        max_leaf_nodes=trial.suggest_int("max_leaf_nodes", 4, 64, log=True),
        min_samples_leaf=trial.suggest_int("min_samples_leaf", 2, 50),
        l2_regularization=trial.suggest_float("l2_regularization", 1e-6, 10.0, log=True),
        random_state=0,
    )
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    return float(cross_val_score(model, data.data, data.target, cv=folds).mean())


def _table(trials: list[FrozenTrial], top: int) -> str:
    best = sorted(trials, key=lambda t: -(t.value or 0.0))[:top]
    names = list(best[0].params) if best else []
    header = ["trial", "accuracy", *names]
    rows = [
        [str(t.number), f"{t.value:.4f}"]
        + [
            f"{t.params[n]:.4g}" if isinstance(t.params[n], float) else str(t.params[n])
            for n in names
        ]
        for t in best
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def run_demo(n_trials: int, seed: int, out: TextIO) -> fastune.Study:
    """Tune HistGradientBoostingClassifier on breast cancer (3-fold CV) and report."""
    print(
        f"fastune {fastune.__version__}: tuning HistGradientBoostingClassifier on "
        f"load_breast_cancer, 3-fold CV accuracy, {n_trials} trials.",
        file=out,
    )
    verbosity = fastune.logging.get_verbosity()
    fastune.logging.set_verbosity(fastune.logging.WARNING)
    study = fastune.create_study(
        direction="maximize", sampler=fastune.samplers.RandomSampler(seed=seed)
    )
    start = time.perf_counter()
    try:
        study.optimize(
            _objective,
            n_trials=n_trials,
            show_progress_bar=importlib.util.find_spec("tqdm") is not None,
        )
    finally:
        fastune.logging.set_verbosity(verbosity)
    elapsed = time.perf_counter() - start
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    print(f"\n{len(complete)} trials in {elapsed:.1f} s.", file=out)
    print(f"Best accuracy: {study.best_value:.4f} (trial {study.best_trial.number})", file=out)
    print("Best parameters:", file=out)
    for name, value in study.best_params.items():
        print(f"  {name} = {value!r}", file=out)
    print("\nTop 5 trials:\n" + _table(complete, 5), file=out)
    return study
