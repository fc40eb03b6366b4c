"""fastune.integration.catboost: the pruning callback in real CatBoost training, one or
several evaluation sets, Optuna's own callback on the same program, and its errors."""

from __future__ import annotations

from typing import Any

import pytest
from sklearn.datasets import load_breast_cancer
from tests.integration.peers import LIBRARIES, library_and_integration
from tests.integration.pruning import PruneAtStep

import fastune
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.trial import TrialState

catboost = pytest.importorskip("catboost")

from fastune.integration.catboost import CatBoostPruningCallback  # noqa: E402

X, Y = load_breast_cancer(return_X_y=True)


def _fit(callback: Any, eval_set: Any, iterations: int = 8) -> Any:
    model = catboost.CatBoostClassifier(
        iterations=iterations,
        depth=2,
        verbose=0,
        eval_metric="AUC",
        random_seed=0,
        allow_writing_files=False,  # no catboost_info directory in the working tree
    )
    model.fit(X[:400], Y[:400], eval_set=eval_set, callbacks=[callback])
    return model


def test_reports_each_iteration_and_prunes_when_told() -> None:
    study = fastune.create_study(pruner=PruneAtStep(3))
    models: list[Any] = []

    def objective(trial: fastune.Trial) -> float:
        pruning = CatBoostPruningCallback(trial, "Logloss")
        models.append(_fit(pruning, [(X[400:], Y[400:])]))
        pruning.check_pruned()
        return 0.0

    study.optimize(objective, n_trials=1)
    trial = study.trials[0]
    assert trial.state == TrialState.PRUNED
    assert sorted(trial.intermediate_values) == [0, 1, 2, 3]  # stopped after step 3
    # The reports are CatBoost's own validation log loss after each iteration.
    history = models[0].get_evals_result()["validation"]["Logloss"]
    assert [trial.intermediate_values[k] for k in range(4)] == pytest.approx(history[:4])


def test_a_complete_run_and_the_chosen_evaluation_set() -> None:
    study = fastune.create_study(direction="maximize")

    def objective(trial: fastune.Trial) -> float:
        pruning = CatBoostPruningCallback(trial, "AUC", eval_set_index=1)
        model = _fit(pruning, [(X[400:480], Y[400:480]), (X[480:], Y[480:])], iterations=5)
        pruning.check_pruned()
        return float(model.get_evals_result()["validation_1"]["AUC"][-1])

    study.optimize(objective, n_trials=1)
    trial = study.trials[0]
    assert trial.state == TrialState.COMPLETE and sorted(trial.intermediate_values) == [
        0,
        1,
        2,
        3,
        4,
    ]
    assert trial.intermediate_values[4] == trial.value


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
@pytest.mark.parametrize("library", LIBRARIES)
def test_the_same_program_runs_on_optunas_callback(library: str) -> None:
    # Optuna's own callback (optuna-integration) with the same program and assertions.
    module, integration = library_and_integration(library)
    callback_class = integration.CatBoostPruningCallback
    study = module.create_study(pruner=module.pruners.ThresholdPruner(upper=0.0))

    def objective(trial: Any) -> float:
        pruning = callback_class(trial, "Logloss")
        _fit(pruning, [(X[400:], Y[400:])])
        pruning.check_pruned()
        return 0.0

    study.optimize(objective, n_trials=1)
    assert study.trials[0].state.name == "PRUNED"
    assert list(study.trials[0].intermediate_values) == [0]


def test_errors_name_what_is_wrong() -> None:
    with pytest.raises(InvalidParameterTypeError, match="metric"):
        CatBoostPruningCallback(None, 1)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="eval_set_index"):
        CatBoostPruningCallback(None, "AUC", eval_set_index=-1)
    study = fastune.create_study()

    def objective(trial: fastune.Trial) -> float:
        _fit(CatBoostPruningCallback(trial, "RMSE"), [(X[400:], Y[400:])])
        return 0.0

    # CatBoost lets no exception leave a callback: it raises its own, with the message.
    with pytest.raises(catboost.CatBoostError, match=r"'metric' parameter.*validation: AUC"):
        study.optimize(objective, n_trials=1)
