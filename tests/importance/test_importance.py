"""Parameter importances on studies where the answer is known."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

import fastune
from fastune.distributions import CategoricalDistribution, FloatDistribution
from fastune.importance import (
    BaseImportanceEvaluator,
    FanovaImportanceEvaluator,
    MeanDecreaseImpurityImportanceEvaluator,
    PedAnovaImportanceEvaluator,
    get_param_importances,
)
from fastune.trial import Trial, create_trial

EVALUATORS = [FanovaImportanceEvaluator, MeanDecreaseImpurityImportanceEvaluator]


def _random_study(objective: Callable[[Trial], float], n_trials: int = 120) -> fastune.Study:
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=1))
    study.optimize(objective, n_trials=n_trials)
    return study


def _dominant_x(trial: Trial) -> float:
    x = trial.suggest_float("x", -1, 1)
    y = trial.suggest_float("y", 1e-3, 1, log=True)
    trial.suggest_float("noise", 0, 1)  # the objective ignores it
    return 10 * x**2 + np.log10(y)


@pytest.mark.parametrize("evaluator_class", EVALUATORS)
def test_dominant_param_ranks_first_and_an_ignored_one_last(
    evaluator_class: type[BaseImportanceEvaluator],
) -> None:
    importances = get_param_importances(
        _random_study(_dominant_x),
        evaluator=evaluator_class(seed=0),  # type: ignore[call-arg]
    )
    assert list(importances) == ["x", "y", "noise"]
    assert importances["x"] > 0.6
    assert importances["noise"] < 0.05
    assert sum(importances.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("evaluator_class", EVALUATORS)
def test_same_seed_same_importances(evaluator_class: type[BaseImportanceEvaluator]) -> None:
    study = _random_study(_dominant_x, n_trials=40)
    first = evaluator_class(seed=3).evaluate(study)  # type: ignore[call-arg]
    assert evaluator_class(seed=3).evaluate(study) == first  # type: ignore[call-arg]


def test_fanova_shares_add_up_for_an_additive_objective_only() -> None:
    """Main effects explain all the variance of an additive function, and little of a
    pure interaction: the decomposition itself is right, not only the ranking."""

    def additive(trial: Trial) -> float:
        return 2 * trial.suggest_float("a", 0, 1) + trial.suggest_float("b", 0, 1)

    def interaction(trial: Trial) -> float:
        return (trial.suggest_float("a", 0, 1) - 0.5) * (trial.suggest_float("b", 0, 1) - 0.5)

    evaluator = FanovaImportanceEvaluator(seed=0)
    raw = get_param_importances(_random_study(additive, 200), evaluator=evaluator, normalize=False)
    assert 0.85 < sum(raw.values()) <= 1.0 + 1e-9
    assert raw["a"] / raw["b"] == pytest.approx(4.0, rel=0.35)  # variance ratio 2**2 : 1
    raw = get_param_importances(
        _random_study(interaction, 200), evaluator=evaluator, normalize=False
    )
    assert sum(raw.values()) < 0.3


def test_a_dominant_categorical_param() -> None:
    def objective(trial: Trial) -> float:
        kind = trial.suggest_categorical("kind", ["a", "b", "c", "d"])
        return {"a": 0.0, "b": 5.0, "c": 1.0, "d": 3.0}[kind] + trial.suggest_float("x", 0, 0.1)

    importances = get_param_importances(
        _random_study(objective), evaluator=FanovaImportanceEvaluator(seed=0)
    )
    assert list(importances) == ["kind", "x"] and importances["kind"] > 0.9


def _conditional_study() -> fastune.Study:
    study = fastune.create_study()
    kind = CategoricalDistribution(["linear", "rbf"])
    gamma = FloatDistribution(0, 1)
    rng = np.random.default_rng(0)
    for _ in range(30):
        if rng.random() < 0.5:
            study.add_trial(
                create_trial(params={"kind": "linear"}, distributions={"kind": kind}, value=1.0)
            )
        else:
            g = float(rng.random())
            study.add_trial(
                create_trial(
                    params={"kind": "rbf", "gamma": g},
                    distributions={"kind": kind, "gamma": gamma},
                    value=5 * g,
                )
            )
    return study


def test_conditional_params_use_the_intersection_unless_named() -> None:
    study = _conditional_study()
    evaluator = FanovaImportanceEvaluator(seed=0)
    assert list(get_param_importances(study, evaluator=evaluator)) == ["kind"]
    named = get_param_importances(study, evaluator=evaluator, params=["gamma"])
    assert named == {"gamma": pytest.approx(1.0)}


def test_the_default_evaluator_is_ped_anova_as_in_optuna_5() -> None:
    study = _random_study(_dominant_x, n_trials=60)
    default = get_param_importances(study, normalize=False)
    assert default == PedAnovaImportanceEvaluator().evaluate(study)
    assert default != FanovaImportanceEvaluator(seed=0).evaluate(study)
    # fANOVA stays one argument away.
    fanova = get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=0))
    assert list(fanova) == ["x", "y", "noise"]


def test_the_default_scores_conditional_params_and_forests_do_not() -> None:
    study = _conditional_study()
    assert set(get_param_importances(study)) == {"kind", "gamma"}
    for evaluator_class in EVALUATORS:
        evaluator = evaluator_class(seed=0)  # type: ignore[call-arg]
        assert list(get_param_importances(study, evaluator=evaluator)) == ["kind"]


@pytest.mark.parametrize("evaluator_class", EVALUATORS)
def test_forests_need_a_target_for_several_objectives(
    evaluator_class: type[BaseImportanceEvaluator],
) -> None:
    study = fastune.create_study(directions=["minimize", "minimize"])
    study.optimize(
        lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1) * 10), n_trials=30
    )
    evaluator = evaluator_class(seed=0)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match=r"'target' parameter of .*evaluate must be a function"):
        get_param_importances(study, evaluator=evaluator)
    second = get_param_importances(study, evaluator=evaluator, target=lambda t: t.values[1])
    assert list(second) == ["y", "x"]
    assert set(get_param_importances(study)) == {"x", "y"}  # the default needs none


def test_clear_errors_for_bad_input() -> None:
    assert get_param_importances(fastune.create_study()) == {}  # nothing to score, as Optuna
    study = _random_study(_dominant_x, n_trials=5)
    with pytest.raises(
        ValueError, match=r"'params' parameter .*\['x', 'y', 'noise'\]\)\. Got \['z'\]"
    ):
        get_param_importances(study, params=["z"])
    with pytest.raises(TypeError, match=r"'evaluator' parameter of get_param_importances"):
        get_param_importances(study, evaluator="fanova")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"'n_trees' parameter of FanovaImportanceEvaluator"):
        FanovaImportanceEvaluator(n_trees=0)


def test_a_constant_objective_gives_zero_everywhere_and_equal_normalized_shares() -> None:
    def constant(t: fastune.Trial) -> float:
        return 0.0 * t.suggest_float("x", 0, 1) + 0.0 * t.suggest_float("y", 0, 1) + 1.0

    study = _random_study(constant, n_trials=10)
    for evaluator_class in EVALUATORS:
        evaluator = evaluator_class(seed=0)  # type: ignore[call-arg]
        assert get_param_importances(study, evaluator=evaluator, normalize=False) == {
            "x": 0.0,
            "y": 0.0,
        }
        # nothing tells them apart: equal shares summing to 1, as Optuna (it was all 0)
        assert get_param_importances(study, evaluator=evaluator) == {"x": 0.5, "y": 0.5}


def test_complete_trials_without_a_finite_value_are_a_clear_error() -> None:
    study = fastune.create_study()
    for x in (0.2, 0.4):
        study.add_trial(
            fastune.trial.create_trial(
                value=math.inf,
                params={"x": x},
                distributions={"x": fastune.distributions.FloatDistribution(0, 1)},
            )
        )
    for evaluator_class in EVALUATORS:  # it was an IndexError
        with pytest.raises(ValueError, match="'study'.*complete trial whose value is finite"):
            get_param_importances(study, evaluator=evaluator_class(seed=0))  # type: ignore[call-arg]


def test_an_evaluator_gives_nothing_for_a_study_without_a_complete_trial() -> None:
    # As Optuna's evaluators (it was an error; get_param_importances gave {} already).
    study = fastune.create_study()
    study.enqueue_trial({"x": 0.5})
    study.ask()  # running, not complete
    for evaluator in (*(c(seed=0) for c in EVALUATORS), PedAnovaImportanceEvaluator()):
        assert evaluator.evaluate(study) == {}
