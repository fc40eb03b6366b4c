"""The conformance suite every pruner must pass, parametrized over all pruners.

Each pruner is built by a factory from ``warmup``: the first step at which it may prune
(its ``n_warmup_steps``, its first rung, or its patience), so that one test checks the
warm-up of all of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

import fastune
from fastune.pruners import (
    AdaptivePruner,
    BasePruner,
    HyperbandPruner,
    MedianPruner,
    PatientPruner,
    PercentilePruner,
    SuccessiveHalvingPruner,
    ThresholdPruner,
    WilcoxonPruner,
)
from fastune.trial import TrialState

PrunerFactory = Callable[[int], BasePruner]

PRUNERS: dict[str, PrunerFactory] = {
    "median": lambda warmup: MedianPruner(n_startup_trials=3, n_warmup_steps=warmup),
    "percentile": lambda warmup: PercentilePruner(25.0, n_startup_trials=3, n_warmup_steps=warmup),
    "successive-halving": lambda warmup: SuccessiveHalvingPruner(
        min_resource=max(warmup, 1), reduction_factor=2
    ),
    "hyperband": lambda warmup: HyperbandPruner(
        min_resource=max(warmup, 1), max_resource=max(warmup, 1) * 9, reduction_factor=3
    ),
    "threshold": lambda warmup: ThresholdPruner(upper=5.0, n_warmup_steps=warmup),
    "patient": lambda warmup: PatientPruner(None, patience=max(warmup - 1, 0)),
    "adaptive": lambda warmup: AdaptivePruner(n_startup_trials=3, n_warmup_steps=warmup),
    # Its warm-up is the number of paired steps: the step numbers count from 0.
    "wilcoxon": lambda warmup: WilcoxonPruner(n_startup_steps=warmup + 1),
}
STEPS = 12


@pytest.fixture(params=sorted(PRUNERS))
def pruner_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def peer_curve(index: int, step: int) -> float:
    """Peers improve with steps; a lower index is better throughout."""
    return 0.1 * index + 1.0 / (step + 1)


def hopeless(step: int) -> float:
    return 10.0 + 0.001 * step  # worse than every peer and getting worse


def champion(step: int) -> float:
    return -1.0 + 1.0 / (step + 1)  # better than every peer at every step, improving


def run_trial(
    study: fastune.Study, curve: Callable[[int], float], steps: range = range(STEPS)
) -> int | None:
    """Report ``curve`` at ``steps`` with a pruning check after each; return the step
    at which the trial was pruned, or None if it ran to the end."""
    trial = study.ask()
    for step in steps:
        trial.report(curve(step), step)
        if trial.should_prune():
            study.tell(trial, state=TrialState.PRUNED)
            return step
    study.tell(trial, curve(steps[-1]))
    return None


def study_with_peers(
    pruner: BasePruner, n_peers: int = 24, steps: range = range(STEPS), sign: float = 1.0
) -> fastune.Study:
    direction = "minimize" if sign > 0 else "maximize"
    study = fastune.create_study(direction=direction, pruner=pruner, study_name="conformance")
    for index in range(n_peers):
        run_trial(study, lambda step, i=index: sign * peer_curve(i, step), steps)
    return study


def test_prunes_a_hopeless_trial(pruner_name: str) -> None:
    study = study_with_peers(PRUNERS[pruner_name](2))
    pruned = [run_trial(study, hopeless) for _ in range(3)]
    assert all(step is not None for step in pruned), pruned


def test_keeps_the_best_trial(pruner_name: str) -> None:
    study = study_with_peers(PRUNERS[pruner_name](2))
    assert run_trial(study, champion) is None


def test_never_prunes_before_warm_up(pruner_name: str) -> None:
    study = study_with_peers(PRUNERS[pruner_name](4))
    pruned = [run_trial(study, hopeless) for _ in range(3)]
    # (Hyperband's later brackets start pruning beyond these 12 steps.)
    assert any(step is not None for step in pruned), pruned
    assert all(step is None or step >= 4 for step in pruned), pruned


def test_same_trials_same_decisions(pruner_name: str) -> None:
    def decisions() -> list[int | None]:
        study = study_with_peers(PRUNERS[pruner_name](2))
        curves = [hopeless, champion, lambda step: peer_curve(7, step) + 0.05]
        return [run_trial(study, curve) for curve in curves]

    assert decisions() == decisions()


def test_works_with_missing_steps(pruner_name: str) -> None:
    if pruner_name == "wilcoxon":
        pytest.skip("WilcoxonPruner pairs steps with the best trial's: too few are common here")
    # Peers report every other step, the trials under test every third one: they share
    # steps 0 and 6 only (the steps that Median and Percentile judge at, as Optuna's).
    study = study_with_peers(PRUNERS[pruner_name](2), steps=range(0, STEPS, 2))
    assert run_trial(study, hopeless, range(0, STEPS + 6, 3)) is not None
    assert run_trial(study, champion, range(0, STEPS + 6, 3)) is None


def test_maximize(pruner_name: str) -> None:
    factory = PRUNERS[pruner_name]
    if pruner_name == "threshold":  # fixed bounds: the maximize form has a lower bound
        factory = lambda warmup: ThresholdPruner(lower=-5.0, n_warmup_steps=warmup)  # noqa: E731
    study = study_with_peers(factory(2), sign=-1.0)
    assert run_trial(study, lambda step: -hopeless(step)) is not None
    assert run_trial(study, lambda step: -champion(step)) is None


def test_nan_is_pruned(pruner_name: str) -> None:
    if pruner_name == "patient":
        pytest.skip("PatientPruner looks only at improvement, as Optuna's: NaN never improves")
    if pruner_name == "wilcoxon":
        pytest.skip("WilcoxonPruner, as Optuna's, does not prune on a non-finite report")
    study = study_with_peers(PRUNERS[pruner_name](0))
    assert run_trial(study, lambda step: math.nan) is not None


def test_private_attributes_that_optuna_era_code_reads() -> None:
    # Optuna 5's values for the same constructions (Optuna's AllenNLP executor and
    # users' configuration dumps read these).
    for pruner in (MedianPruner(5, 10, 2), PercentilePruner(25.0, 5, 10, 2)):
        assert (pruner._n_warmup_steps, pruner._interval_steps) == (10, 2)
    upper = ThresholdPruner(upper=1.0, n_warmup_steps=3)
    assert (upper._lower, upper._upper, upper._n_warmup_steps, upper._interval_steps) == (
        -math.inf,
        1.0,
        3,
        1,
    )
    lower = ThresholdPruner(lower=0.5, interval_steps=4)
    assert (lower._lower, lower._upper, lower._n_warmup_steps, lower._interval_steps) == (
        0.5,
        math.inf,
        0,
        4,
    )
    median = MedianPruner()
    assert PatientPruner(median, 2)._wrapped_pruner is median
    assert PatientPruner(None, 2)._wrapped_pruner is None
    auto = HyperbandPruner()
    assert auto._n_brackets is None  # not known before a trial completes
    for hyperband, n_brackets in ((HyperbandPruner(1, 27, 3), 4), (auto, 3)):
        study = fastune.create_study(pruner=hyperband)
        steps = {step: 1.0 for step in range(9)}  # "auto": max_resource 9
        study.add_trial(fastune.trial.create_trial(value=1.0, intermediate_values=steps))
        run_trial(study, lambda step: 1.0, range(1))
        assert hyperband._n_brackets == n_brackets


def test_a_subclass_may_set_the_schedule_and_call_the_base() -> None:
    class WarmMedian(MedianPruner):  # as a subclass written for Optuna sets it
        def __init__(self) -> None:
            super().__init__(n_startup_trials=0)
            self._n_warmup_steps = 3

    study = fastune.create_study(pruner=WarmMedian())
    steps = {step: 0.0 for step in range(6)}
    study.add_trial(fastune.trial.create_trial(value=0.0, intermediate_values=steps))
    assert run_trial(study, lambda step: 9.0, range(6)) == 3  # after the warm-up

    class Lazy(fastune.pruners.BasePruner):
        def prune(self, study: fastune.Study, trial: fastune.trial.FrozenTrial) -> bool:
            return super().prune(study, trial)  # type: ignore[safe-super]

    with pytest.raises(NotImplementedError):
        Lazy().prune(study, study.trials[0])


def _pruned_objective(trial: fastune.Trial) -> float:
    """The sampler suite's objective, reported as a curve that falls, then rises a
    little (overfitting), pruned when told."""
    from tests.samplers.test_conformance import objective

    final = objective(trial)
    for step in range(6):
        trial.report(final + 1.0 / (min(step, 3) + 1) + 0.01 * max(step - 3, 0), step)
        if trial.should_prune():
            raise fastune.TrialPruned()
    return final


@pytest.mark.parametrize("sampler_name", ["tpe", "gp", "cmaes", "qmc-sobol", "random", "grid"])
def test_pruning_works_with_every_sampler(sampler_name: str) -> None:
    from tests.samplers.test_conformance import GRID, SAMPLERS

    sampler = SAMPLERS[sampler_name](0, GRID)
    study = fastune.create_study(sampler=sampler, pruner=MedianPruner(n_startup_trials=3))
    study.optimize(_pruned_objective, n_trials=25)
    states = [t.state for t in study.trials]
    assert states.count(TrialState.PRUNED) > 0
    assert states.count(TrialState.COMPLETE) >= 3


@pytest.mark.parametrize("backend", ["threads", "processes"])
def test_pruning_with_parallel_workers(pruner_name: str, backend: str) -> None:
    study = fastune.create_study(
        sampler=fastune.samplers.RandomSampler(seed=0), pruner=PRUNERS[pruner_name](1)
    )
    study.optimize(_pruned_objective, n_trials=40, n_jobs=2, backend=backend)
    states = [t.state for t in study.trials]
    assert len(states) == 40 and TrialState.RUNNING not in states
    assert states.count(TrialState.PRUNED) > 0
