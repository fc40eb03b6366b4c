"""PED-ANOVA importances: known answers, direction and target, local against global."""

from __future__ import annotations

import numpy as np
import pytest

import fastune
from fastune.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.importance import PedAnovaImportanceEvaluator, get_param_importances
from fastune.trial import Trial, create_trial

Y = FloatDistribution(0, 1)


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
    assert importances["noise"] < 0.1 and importances["n"] < 0.1
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
    """``a`` was only ever tried in [0, 0.1] of its range [0, 1]; ``b`` spans its range;
    neither matters: ``c`` decides the value."""
    rng = np.random.default_rng(0)
    distributions = {name: FloatDistribution(0, 1) for name in "abc"}
    columns = rng.uniform(0, 0.1, n), rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    return [
        create_trial(
            params={"a": float(a), "b": float(b), "c": float(c)},
            distributions=distributions,
            value=float(c),
        )
        for a, b, c in zip(*columns, strict=True)
    ]


def test_local_importance_ignores_where_the_search_never_went() -> None:
    study = fastune.create_study()
    study.add_trials(_concentrated_trials(300))
    local = PedAnovaImportanceEvaluator().evaluate(study)
    spread = PedAnovaImportanceEvaluator(evaluate_on_local=False).evaluate(study)
    assert local["a"] < local["c"] / 5  # the best trials spread like all trials in a
    assert spread["a"] > 10 * spread["b"]  # against its whole range, a is packed in a tenth
    assert spread["a"] > 4 * local["a"]


def test_a_log_parameter_scores_as_its_logarithm() -> None:
    rng = np.random.default_rng(1)
    exponents = rng.uniform(-5, 0, 80)
    log_scale = fastune.create_study()
    linear = fastune.create_study()
    for e, y in zip(exponents, rng.uniform(0, 1, 80), strict=True):
        value = abs(e + 4) + 0.1 * y
        log_scale.add_trial(
            create_trial(
                params={"lr": 10.0**e, "y": y},
                distributions={"lr": FloatDistribution(1e-5, 1, log=True), "y": Y},
                value=value,
            )
        )
        linear.add_trial(
            create_trial(
                params={"lr": e, "y": y},
                distributions={"lr": FloatDistribution(-5, 0), "y": Y},
                value=value,
            )
        )
    evaluator = PedAnovaImportanceEvaluator()
    assert evaluator.evaluate(log_scale) == pytest.approx(evaluator.evaluate(linear))


def test_categorical_shares_by_hand() -> None:
    """20 trials, ``k`` is "a" in ten; the two best (target_quantile 0.1) have "a", the
    best ten have each choice five times. Region shares: q = (10/20, 10/20); the best
    trials' shares shrunk towards q by a pseudo-trial per choice: p = ((2 + 1) / 4, 1 / 4);
    the divergence, q (p / q - 1)^2 summed, is 0.25, times (2 / 20)^2."""
    by_rank = ["a", "a", "b", "a", "b", "a", "b", "a", "b", "b"] + ["a", "b"] * 5
    distributions = {"k": CategoricalDistribution(["a", "b"])}
    study = fastune.create_study()
    for rank, choice in enumerate(by_rank):
        study.add_trial(
            create_trial(params={"k": choice}, distributions=distributions, value=float(rank))
        )
    evaluator = PedAnovaImportanceEvaluator(target_quantile=0.1)
    assert evaluator.evaluate(study)["k"] == pytest.approx(0.25 * 0.1**2)
    # Region: the best half, five of each: q = (5/10, 5/10), p as above.
    evaluator = PedAnovaImportanceEvaluator(target_quantile=0.1, region_quantile=0.5)
    assert evaluator.evaluate(study)["k"] == pytest.approx(0.25 * 0.2**2)
    # Against the uniform shares, the same here.
    evaluator = PedAnovaImportanceEvaluator(target_quantile=0.1, evaluate_on_local=False)
    assert evaluator.evaluate(study)["k"] == pytest.approx(0.25 * 0.1**2)


def test_tied_values_count_together() -> None:
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
    study.optimize(lambda t: float(t.suggest_float("x", 0, 1) > 2), n_trials=50)  # all 0
    assert PedAnovaImportanceEvaluator().evaluate(study) == {"x": 0.0}


def test_a_constant_objective_gives_a_categorical_no_importance() -> None:
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
    study.optimize(
        lambda t: (
            1.0
            + 0 * t.suggest_float("x", 0, 1)
            + 0 * len(t.suggest_categorical("c", ["a", "bb", "ccc"]))
        ),
        n_trials=40,
    )
    # The best trials are the whole region: their shares are the region's (the shrinkage
    # once pulled them towards uniform shares and gave c all the importance).
    assert PedAnovaImportanceEvaluator().evaluate(study) == {"x": 0.0, "c": 0.0}


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
    assert PedAnovaImportanceEvaluator().evaluate(study) == {"a": 0.0, "b": 0.0, "c": 0.0}


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
    study = fastune.create_study(
        directions=["minimize", "minimize"], sampler=fastune.samplers.RandomSampler(seed=0)
    )
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=20)
    with pytest.raises(InvalidParameterError, match="'target'"):
        PedAnovaImportanceEvaluator().evaluate(study)
    importances = PedAnovaImportanceEvaluator().evaluate(study, target=lambda t: t.values[1])
    assert list(importances) == ["y", "x"]
