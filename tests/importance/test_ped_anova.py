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
    best ten have each choice five times. An estimate from counts ``c`` (``n`` trials,
    ``m`` choices seen, ``w = 1 / (m + 1)``) is ``((c + n w) / (1 + 2 w) + 1 / 2) / (n +
    1)``: the best two give p = (2/3, 1/3), the twenty (and the best ten) q = (1/2, 1/2).
    The divergence, q (p / q - 1)^2 summed, is 1/9, times (2 / 20)^2."""
    by_rank = ["a", "a", "b", "a", "b", "a", "b", "a", "b", "b"] + ["a", "b"] * 5
    distributions = {"k": CategoricalDistribution(["a", "b"])}
    study = fastune.create_study()
    for rank, choice in enumerate(by_rank):
        study.add_trial(
            create_trial(params={"k": choice}, distributions=distributions, value=float(rank))
        )
    evaluator = PedAnovaImportanceEvaluator(target_quantile=0.1)
    assert evaluator.evaluate(study)["k"] == pytest.approx(0.1**2 / 9)
    # Region: the best half, five of each: q = (1/2, 1/2) again, p as above.
    evaluator = PedAnovaImportanceEvaluator(target_quantile=0.1, region_quantile=0.5)
    assert evaluator.evaluate(study)["k"] == pytest.approx(0.2**2 / 9)
    # Against the uniform shares, the same here.
    evaluator = PedAnovaImportanceEvaluator(target_quantile=0.1, evaluate_on_local=False)
    assert evaluator.evaluate(study)["k"] == pytest.approx(0.1**2 / 9)


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


def _two_objective_study(directions: list[str]) -> fastune.Study:
    """The front is ``y = 0``: (x, 1 - x + 4 y) for x in [0, 1]; ``z`` barely moves
    the first objective. Objectives to maximize are given negated."""
    rng = np.random.default_rng(0)
    distributions = {name: Y for name in "xyz"}
    signs = [1.0 if d == "minimize" else -1.0 for d in directions]
    study = fastune.create_study(directions=directions)
    for x, y, z in rng.uniform(0, 1, (200, 3)):
        values = [x + 0.01 * z, 1 - x + 4 * y]
        study.add_trial(
            create_trial(
                params={"x": x, "y": y, "z": z},
                distributions=distributions,
                values=[s * v for s, v in zip(signs, values, strict=True)],
            )
        )
    return study


def test_several_objectives_rank_what_decides_the_front_first() -> None:
    """Without ``target``, the best trials are the first fronts (it was an error)."""
    study = _two_objective_study(["minimize", "minimize"])
    importances = get_param_importances(study)
    assert list(importances) == ["y", "x", "z"] and importances["y"] > 0.6
    flipped = _two_objective_study(["maximize", "minimize"])
    evaluator = PedAnovaImportanceEvaluator()
    assert evaluator.evaluate(flipped) == pytest.approx(evaluator.evaluate(study))
    # One objective still needs only a target.
    first = evaluator.evaluate(study, target=lambda t: t.values[0])
    assert max(first, key=first.__getitem__) == "x"


def _conditional_study(n: int = 40) -> fastune.Study:
    """``kind`` picks the branch: "rbf" (value g / 10, the only values below 1),
    "linear" (value 1 + c / 10, ``c`` only there) or "none" (value 3, no other
    parameter)."""
    kind = CategoricalDistribution(["rbf", "linear", "none"])
    rng = np.random.default_rng(3)
    study = fastune.create_study()
    for index in range(n):
        branch = kind.choices[index % 3]
        params: dict = {"kind": branch}
        distributions: dict = {"kind": kind}
        if branch == "rbf":
            params["g"], distributions["g"] = float(rng.uniform(0, 1)), Y
            value = params["g"] / 10
        elif branch == "linear":
            params["c"], distributions["c"] = float(rng.uniform(0, 1)), Y
            value = 1 + params["c"] / 10
        else:
            value = 3.0
        study.add_trial(create_trial(params=params, distributions=distributions, value=value))
    return study


def test_conditional_parameters_are_scored_over_the_trials_that_have_them() -> None:
    study = _conditional_study()
    importances = PedAnovaImportanceEvaluator().evaluate(study)
    assert set(importances) == {"kind", "g", "c"}  # not only "kind", which all trials have
    assert importances["g"] > 0.0 and importances["kind"] > 0.0
    assert importances["c"] == 0.0  # no best trial has it
    # g's score is its score among the rbf trials alone, times their share of the study:
    # the best four are rbf trials (a ** 2 = 1, b = 14 / 40).
    rbf = fastune.create_study()
    rbf.add_trials([t for t in study.trials if t.params["kind"] == "rbf"])
    assert len(rbf.trials) == 14
    alone = PedAnovaImportanceEvaluator(target_quantile=3.5 / 14).evaluate(rbf, params=["g"])
    assert importances["g"] == pytest.approx(alone["g"] * 14 / 40)
    named = PedAnovaImportanceEvaluator().evaluate(study, params=["g"])
    assert named == {"g": pytest.approx(importances["g"])}


def test_a_parameter_in_fewer_than_two_region_trials_is_left_out() -> None:
    study = fastune.create_study()
    for i in range(10):
        params = {"x": i / 10} | ({"rare": 0.5} if i == 0 else {})
        distributions = {"x": Y} | ({"rare": Y} if i == 0 else {})
        study.add_trial(create_trial(params=params, distributions=distributions, value=i))
    importances = PedAnovaImportanceEvaluator(target_quantile=0.2).evaluate(study)
    assert importances["rare"] == 0.0 and importances["x"] > 0.0


def test_a_target_must_be_callable() -> None:
    study = _two_objective_study(["minimize", "minimize"])
    with pytest.raises(InvalidParameterTypeError, match="'target'.*function of a trial"):
        PedAnovaImportanceEvaluator().evaluate(study, target=0)  # type: ignore[arg-type]
