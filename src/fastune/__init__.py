"""fastune: hyperparameter optimization with Optuna's define-by-run API.

Code written for Optuna's core API runs after ``import fastune as optuna``.

Example:
    >>> import fastune
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", -10, 10)
    ...     return (x - 2) ** 2
    >>> study = fastune.create_study()
    >>> study.optimize(objective, n_trials=20)
    >>> sorted(study.best_params)
    ['x']
"""

from typing import Any

from fastune import (
    artifacts,
    distributions,
    exceptions,
    logging,
    pruners,
    samplers,
    search_space,
    storages,
    study,
    trial,
)
from fastune.exceptions import TrialPruned
from fastune.study import (
    Study,
    copy_study,
    create_study,
    delete_study,
    get_all_study_names,
    get_all_study_summaries,
    load_study,
)
from fastune.trial import Trial, create_trial
from fastune.version import __version__

__all__ = [
    "FastuneSearchCV",
    "PBTSearchCV",
    "Study",
    "Trial",
    "TrialPruned",
    "__version__",
    "artifacts",
    "copy_study",
    "create_study",
    "create_trial",
    "delete_study",
    "distributions",
    "exceptions",
    "get_all_study_names",
    "get_all_study_summaries",
    "load_study",
    "logging",
    "pruners",
    "samplers",
    "search_space",
    "storages",
    "study",
    "trial",
]


def __getattr__(name: str) -> Any:
    # The scikit-learn estimators import scikit-learn's model selection, which takes time:
    # load them on first use.
    if name in ("PBTSearchCV", "FastuneSearchCV"):
        from fastune import sklearn

        return getattr(sklearn, name)
    # As in Optuna, fastune.importance, fastune.visualization and fastune.integration are
    # reachable from the top-level module, and so is fastune.terminator (so that
    # `import fastune as optuna` reaches optuna.terminator); loaded on first use (the plots
    # need matplotlib, an extra; the integrations load their libraries on first use).
    if name in ("importance", "visualization", "integration", "terminator"):
        import importlib

        return importlib.import_module(f"fastune.{name}")
    raise AttributeError(f"module 'fastune' has no attribute {name!r}")
