"""The main job: tune a real scikit-learn model on a bundled dataset, show the result."""

from __future__ import annotations

import importlib.util
import time
from typing import TextIO

from scipy.stats import loguniform, uniform
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

import fastune
from fastune.trial import FrozenTrial, Trial, TrialState

__all__ = ["run_demo", "run_pbt_demo", "write_demo_report"]

_N_JOBS = 2  # worker processes of the demo study


def _objective(trial: Trial) -> float:
    """3-fold CV accuracy, reported after each fold so that the pruner can stop a trial
    whose first folds already trail the others'."""
    X, y = load_breast_cancer(return_X_y=True)
    model = HistGradientBoostingClassifier(
        learning_rate=trial.suggest_float("learning_rate", 1e-3, 0.5, log=True),
        max_iter=trial.suggest_int("max_iter", 20, 200, step=20),
        max_leaf_nodes=trial.suggest_int("max_leaf_nodes", 4, 64, log=True),
        min_samples_leaf=trial.suggest_int("min_samples_leaf", 2, 50),
        l2_regularization=trial.suggest_float("l2_regularization", 1e-6, 10.0, log=True),
        random_state=0,
    )
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    scores = []
    for fold, (train, test) in enumerate(folds.split(X, y)):
        scores.append(float(model.fit(X[train], y[train]).score(X[test], y[test])))
        trial.report(sum(scores) / len(scores), fold)
        if trial.should_prune():
            raise fastune.TrialPruned()
    return sum(scores) / len(scores)


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
        f"load_breast_cancer, 3-fold CV accuracy, {n_trials} trials in {_N_JOBS} worker "
        "processes, the median pruner stopping trials that trail after a fold.",
        file=out,
    )
    verbosity = fastune.logging.get_verbosity()
    fastune.logging.set_verbosity(fastune.logging.WARNING)
    study = fastune.create_study(
        direction="maximize", sampler=fastune.samplers.AutoSampler(seed=seed)
    )
    start = time.perf_counter()
    try:
        study.optimize(
            _objective,
            n_trials=n_trials,
            n_jobs=_N_JOBS,
            show_progress_bar=importlib.util.find_spec("tqdm") is not None,
        )
    finally:
        fastune.logging.set_verbosity(verbosity)
    elapsed = time.perf_counter() - start
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    pruned = study.get_trials(states=(TrialState.PRUNED,))
    print(
        f"\n{len(complete)} trials complete and {len(pruned)} pruned in {elapsed:.1f} s.",
        file=out,
    )
    print(f"Best accuracy: {study.best_value:.4f} (trial {study.best_trial.number})", file=out)
    print("Best parameters:", file=out)
    for name, value in study.best_params.items():
        print(f"  {name} = {value!r}", file=out)
    print("\nTop 5 trials:\n" + _table(complete, 5), file=out)
    return study


def write_demo_report(study: fastune.Study, path: str, out: TextIO) -> None:
    """Write the study's HTML report (every plot, the best trials, the importances)."""
    if importlib.util.find_spec("matplotlib") is None:
        print("(pip install 'fastune[viz]' for the study report)", file=out)
        return
    import matplotlib

    from fastune.visualization import write_report

    matplotlib.use("Agg")
    write_report(study, path)
    print(f"\nStudy report (plots, best trials, importances) written to {path}", file=out)


def run_pbt_demo(seed: int, out: TextIO, plot_path: str | None) -> fastune.PBTSearchCV:
    """Tune SGDClassifier on digits with PBTSearchCV and report (and plot) the result."""
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    print(
        "\nPopulation Based Training: SGDClassifier on load_digits, 3-fold CV, "
        "a population of 8 trained for 8 generations (one epoch each).",
        file=out,
    )
    search = fastune.PBTSearchCV(
        SGDClassifier(penalty="elasticnet", random_state=seed),
        {"alpha": loguniform(1e-6, 1e-1), "l1_ratio": uniform(0.0, 1.0)},
        population_size=8,
        generations=8,
        cv=3,
        random_state=seed,
    )
    start = time.perf_counter()
    search.fit(X, y)
    elapsed = time.perf_counter() - start
    copies = sum(
        1
        for row, parent in enumerate(search.cv_results_["parent"])
        if parent >= 0 and search.cv_results_["member"][parent] != search.cv_results_["member"][row]
    )
    print(
        f"{len(search.cv_results_['params'])} segments in {elapsed:.1f} s, {copies} exploits.",
        file=out,
    )
    print(
        f"Best CV accuracy: {search.best_score_:.4f} at generation "
        f"{search.cv_results_['generation'][search.best_index_]}",
        file=out,
    )
    print("Schedule of the best member (generation: params):", file=out)
    for entry in search.best_schedule_:
        params = ", ".join(f"{k}={v:.3g}" for k, v in entry["params"].items())
        print(f"  {entry['generation']}: {params}", file=out)
    if plot_path is not None:
        if importlib.util.find_spec("matplotlib") is None:
            print("(pip install 'fastune[viz]' to plot the population)", file=out)
        else:
            import matplotlib

            matplotlib.use("Agg")
            search.visualize(save=plot_path)
            print(f"Population plot written to {plot_path}", file=out)
    return search
