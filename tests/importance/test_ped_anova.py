"""PED-ANOVA importances: known answers, direction and target, local against global."""

from __future__ import annotations

import numpy as np
import pytest

import fastune
from fastune.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.importance import PedAnovaImportanceEvaluator, get_param_importances
from fastune.trial import Trial, create_trial


def _objective(trial: Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    lr = trial.suggest_float("lr", 1e-5, 1.0, log=True)
    n = trial.suggest_int("n", 1, 8)
    kind = trial.suggest_categorical("kind", ["a", "b", "c"])
    trial.suggest_float("noise", 0, 1)  # the objective ignores it
    return abs(x) + 3 * abs(np.log10(lr) + 2) + 0.5 * (kind != "b") + 1e-3 * n


def _study(direction: str = "minimize", n_trials: int = 300) -> fastune.Study:
    sign = 1.0 if direction == "minimize" else -1.0
    study = fastune.create_study(
        direction=direction, sampler=fastune.samplers.RandomSampler(seed=0)
    )
    study.optimize(lambda t: sign * _objective(t), n_trials=n_trials)
    return study


def test_the_parameters_that_decide_the_best_trials_rank_first() -> None:
    importances = get_param_importances(_study(), evaluator=PedAnovaImportanceEvaluator())
    assert set(list(importances)[:2]) == {"lr", "x"}
    assert importances["kind"] > importances["n"]
    assert importances["noise"] < 0.05 and importances["n"] < 0.05
    assert sum(importances.values()) == pytest.approx(1.0)


def test_a_maximized_objective_scores_as_its_negation_minimized() -> None:
    evaluator = PedAnovaImportanceEvaluator()
    minimized = evaluator.evaluate(_study("minimize", 100))
    maximized = evaluator.evaluate(_study("maximize", 100))
    assert maximized == pytest.approx(minimized)
    # A target is minimized: the negated objective of the maximized study scores the
    # same, the objective itself (its worst trials as the "best") does not.
    study = _study("maximize", 100)
    assert evaluator.evaluate(study, target=lambda t: -t.value) == pytest.approx(minimized)
    assert evaluator.evaluate(study, target=lambda t: t.value) != pytest.approx(minimized)


def _concentrated_trials(n: int) -> list[fastune.trial.FrozenTrial]:
    """``a`` was only ever tried in [0, 0.1] of its range [0, 1] and does not matter; ``b``
    spans its range and decides the value."""
    rng = np.random.default_rng(0)
    distributions = {"a": FloatDistribution(0, 1), "b": FloatDistribution(0, 1)}
    return [
        create_trial(
            params={"a": float(a), "b": float(b)}, distributions=distributions, value=float(b)
        )
        for a, b in zip(rng.uniform(0, 0.1, n), rng.uniform(0, 1, n), strict=True)
    ]


def test_local_importance_ignores_where_the_search_never_went() -> None:
    study = fastune.create_study()
    study.add_trials(_concentrated_trials(200))
    local = PedAnovaImportanceEvaluator().evaluate(study)
    spread = PedAnovaImportanceEvaluator(evaluate_on_local=False).evaluate(study)
    assert local["a"] < local["b"] / 5  # the best trials spread like all trials in a
    assert spread["a"] > spread["b"]  # against its whole range, a is packed in a tenth


def test_region_quantile_narrows_the_comparison() -> None:
    study = _study(n_trials=300)
    whole = PedAnovaImportanceEvaluator().evaluate(study)
    inside = PedAnovaImportanceEvaluator(target_quantile=0.05, region_quantile=0.2).evaluate(study)
    assert whole != pytest.approx(inside)
    assert all(value >= 0.0 for value in inside.values())


def test_discrete_and_single_valued_parameters() -> None:
    distributions = {
        "n": IntDistribution(1, 1000, log=True),
        "k": IntDistribution(0, 3),
        "c": CategoricalDistribution(["only"]),
    }
    study = fastune.create_study()
    for i in range(40):
        params = {"n": 2 ** (i % 10), "k": i % 4, "c": "only"}
        study.add_trial(
            create_trial(params=params, distributions=distributions, value=float(i % 4))
        )
    importances = PedAnovaImportanceEvaluator().evaluate(study)
    assert importances["c"] == 0.0
    assert importances["k"] > importances["n"]


def test_too_few_trials_score_zero() -> None:
    study = fastune.create_study()
    study.add_trials(_concentrated_trials(1))
    assert PedAnovaImportanceEvaluator().evaluate(study) == {"a": 0.0, "b": 0.0}


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"target_quantile": 0.0}, "'target_quantile'.*in \\(0, 1\\)"),
        ({"target_quantile": 1.0}, "'target_quantile'"),
        ({"target_quantile": 0.5, "region_quantile": 0.4}, "'region_quantile'.*0.5"),
        ({"region_quantile": 1.5}, "'region_quantile'"),
    ],
)
def test_bad_quantiles(kwargs: dict, fragment: str) -> None:
    with pytest.raises(InvalidParameterError, match=fragment):
        PedAnovaImportanceEvaluator(**kwargs)
    with pytest.raises(InvalidParameterTypeError, match="'target_quantile'.*Got 'high'"):
        PedAnovaImportanceEvaluator(target_quantile="high")  # type: ignore[arg-type]


def test_a_region_without_local_evaluation_warns() -> None:
    with pytest.warns(UserWarning, match="region_quantile has no effect"):
        PedAnovaImportanceEvaluator(region_quantile=0.5, evaluate_on_local=False)


def test_several_objectives_need_a_target() -> None:
    study = fastune.create_study(directions=["minimize", "minimize"])
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=20)
    with pytest.raises(InvalidParameterError, match="'target'"):
        PedAnovaImportanceEvaluator().evaluate(study)
    importances = PedAnovaImportanceEvaluator().evaluate(study, target=lambda t: t.values[1])
    assert list(importances) == ["y", "x"]
