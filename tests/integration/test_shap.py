"""fastune.integration.shap: ShapleyImportanceEvaluator with real SHAP, and Optuna's own
evaluator on the same study program."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from tests.integration.peers import LIBRARIES, library_and_integration

import fastune
from fastune.importance import get_param_importances

pytest.importorskip("shap")

pytestmark = pytest.mark.filterwarnings(
    # SHAP's import calls a matplotlib function that matplotlib marks for deprecation
    # (fastune's module hides it; Optuna's does not).
    "ignore::PendingDeprecationWarning"
)

from fastune.integration.shap import ShapleyImportanceEvaluator  # noqa: E402


def _objective(trial: Any) -> float:
    x = trial.suggest_float("x", 0.0, 1.0)
    y = trial.suggest_float("y", 0.0, 1.0)
    lr = trial.suggest_float("lr", 1e-3, 1.0, log=True)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    return 10 * x + 0.1 * y + 3 * (kind == "b") + 0 * lr


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("library", LIBRARIES)
def test_the_parameters_rank_by_their_effect(library: str) -> None:
    module, integration = library_and_integration(library)
    study = module.create_study(sampler=module.samplers.RandomSampler(seed=0))
    study.optimize(_objective, n_trials=80)
    evaluator = integration.ShapleyImportanceEvaluator(seed=0)
    importances = module.importance.get_param_importances(
        study, evaluator=evaluator, normalize=False
    )
    assert list(importances)[:2] == ["x", "kind"]
    # x spreads 10 * U(0, 1): its shares average about 10 * E|x - 1/2| = 2.5.
    assert importances["x"] == pytest.approx(2.5, rel=0.2)
    assert importances["y"] < 0.1 * importances["kind"]


def test_the_shares_add_up_to_each_prediction() -> None:
    # SHAP's property: a trial's shares sum to its prediction less the mean prediction,
    # so the scores (mean absolute shares) are at least the mean absolute deviation.
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=1))
    study.optimize(_objective, n_trials=60)
    scores = ShapleyImportanceEvaluator(seed=0).evaluate(study)
    values = np.array([t.value for t in study.trials])
    assert sum(scores.values()) >= 0.9 * np.abs(values - values.mean()).mean()
    assert list(scores) == sorted(scores, key=scores.__getitem__, reverse=True)


def test_a_seed_gives_the_same_scores_and_params_picks_columns() -> None:
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=2))
    study.optimize(_objective, n_trials=40)
    first = ShapleyImportanceEvaluator(seed=3).evaluate(study)
    assert ShapleyImportanceEvaluator(seed=3).evaluate(study) == first
    assert set(ShapleyImportanceEvaluator(seed=3).evaluate(study, params=["y", "x"])) == {
        "x",
        "y",
    }
    normalized = get_param_importances(study, evaluator=ShapleyImportanceEvaluator(seed=3))
    assert sum(normalized.values()) == pytest.approx(1.0)
