from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np
import pytest
from tests.pruners.test_conformance import run_trial

import fastune
from fastune.exceptions import InvalidParameterError
from fastune.pruners import HyperbandPruner


def test_brackets_and_their_shares() -> None:
    pruner = HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3)
    study = fastune.create_study(pruner=pruner, study_name="hb")
    # 4 brackets; budgets ceil(4 * 3^(3-b) / (4-b)) = 27, 12, 6, 4.
    assert pruner._budgets == [27, 12, 6, 4]
    counts = Counter(pruner.bracket_of(study, number) for number in range(4900))
    shares = [counts[b] / 4900 for b in range(4)]
    assert shares == pytest.approx([27 / 49, 12 / 49, 6 / 49, 4 / 49], abs=0.03)
    assert pruner.bracket_of(study, 17) == pruner.bracket_of(study, 17)


def test_trials_compete_within_their_bracket_only() -> None:
    pruner = HyperbandPruner(min_resource=1, max_resource=9, reduction_factor=3)
    study = fastune.create_study(pruner=pruner, study_name="brackets")
    for index in range(30):
        run_trial(study, lambda step, i=index: float(i), range(10))
    for trial in study.trials:
        bracket = pruner.bracket_of(study, trial.number)
        rivals = [
            t.number
            for t in study.trials
            if "completed_rung_0" in t.system_attrs
            and pruner.bracket_of(study, t.number) == bracket
        ]
        # The first trial of each bracket meets no rival earlier than itself: it is
        # never pruned, whatever the other brackets hold.
        if trial.number == min(rivals, default=trial.number):
            assert trial.state == fastune.trial.TrialState.COMPLETE


def test_auto_max_resource_from_the_longest_complete_trial() -> None:
    pruner = HyperbandPruner(min_resource=1, reduction_factor=3)
    study = fastune.create_study(pruner=pruner)
    study.add_trial(_complete_with_steps(3))  # two complete before the first check
    study.add_trial(_complete_with_steps(27))
    run_trial(study, lambda step: 1.0, range(3))
    assert len(pruner._pruners) == 4  # log3(27) + 1 (from the first trial's 3 steps: 2)


def test_bracket_count_as_optuna_computes_it() -> None:
    # log(243, 3) is 4.999... in floating point: Optuna counts 5 brackets, so does fastune.
    assert len(HyperbandPruner(1, 243, 3)._pruners) == 5
    assert len(HyperbandPruner(1, 1000, 10)._pruners) == 3
    assert len(HyperbandPruner(1, 100, 3)._pruners) == 5


def test_max_resource_may_be_a_numpy_int_as_min_resource() -> None:
    pruner = HyperbandPruner(min_resource=np.int64(1), max_resource=np.int64(27))
    assert pruner._max_resource == 27
    assert len(pruner._pruners) == 4


def test_the_sampler_learns_from_every_bracket() -> None:
    # As Optuna 5's samplers, which read the whole study (its bracket view filters only
    # get_trials): with one bracket's trials each, a TPE with 10 start-up trials stayed
    # random for 26 of 40 trials.
    seen: list[int] = []

    class Spy(fastune.samplers.RandomSampler):
        def infer_relative_search_space(self, study, trial):  # type: ignore[no-untyped-def]
            seen.append(len(study.get_trials(states=(fastune.trial.TrialState.COMPLETE,))))
            return {}

    pruner = HyperbandPruner(min_resource=1, max_resource=9, reduction_factor=3)
    study = fastune.create_study(sampler=Spy(seed=0), pruner=pruner, study_name="view")
    for index in range(20):
        trial = study.ask()
        trial.suggest_float("x", 0, 1)  # the sampler's relative proposal is drawn here
        for step in range(10):
            trial.report(float(index), step)
            if trial.should_prune():
                study.tell(trial, state=fastune.trial.TrialState.PRUNED)
                break
        else:
            study.tell(trial, float(index))
    assert len({pruner.bracket_of(study, t.number) for t in study.trials}) > 1
    complete = [t.state == fastune.trial.TrialState.COMPLETE for t in study.trials]
    assert seen == [sum(complete[:number]) for number in range(20)]


def _complete_with_steps(n: int) -> fastune.trial.FrozenTrial:
    return fastune.trial.create_trial(value=1.0, intermediate_values={k: 1.0 for k in range(n)})


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"min_resource": 0}, "min_resource"),
        ({"min_resource": 5, "max_resource": 3}, "max_resource"),
        ({"reduction_factor": 1}, "reduction_factor"),
        ({"bootstrap_count": -1}, "bootstrap_count"),
        ({"bootstrap_count": 1}, "bootstrap_count.*max_resource='auto'"),
    ],
)
def test_bad_arguments(kwargs: dict, fragment: str) -> None:
    with pytest.raises(InvalidParameterError, match=fragment):
        HyperbandPruner(**kwargs)


@pytest.mark.parametrize(
    "sampler",
    [
        lambda: fastune.samplers.GridSampler({"x": [0, 1, 2], "y": [0, 1, 2]}, seed=0),
        lambda: fastune.samplers.BruteForceSampler(seed=0),
    ],
)
def test_grid_samplers_enumerate_the_space_once_across_brackets(
    sampler: Callable[[], fastune.samplers.BaseSampler],
) -> None:
    # A grid is the study's, whatever a trial's bracket: each point once, then the study
    # stops (when samplers saw one bracket each, each tried the grid anew: 14 to 21 trials).
    def objective(trial: fastune.Trial) -> float:
        x, y = trial.suggest_int("x", 0, 2), trial.suggest_int("y", 0, 2)
        for step in range(10):
            trial.report(step * (x + y) / 10, step)
            if trial.should_prune():
                raise fastune.TrialPruned()
        return x + y

    pruner = HyperbandPruner(min_resource=1, max_resource=10, reduction_factor=2)
    study = fastune.create_study(sampler=sampler(), pruner=pruner)
    study.optimize(objective, n_trials=30)
    points = [(t.params["x"], t.params["y"]) for t in study.trials]
    assert len(points) == 9 and len(set(points)) == 9
    assert len({pruner.bracket_of(study, t.number) for t in study.trials}) > 1
