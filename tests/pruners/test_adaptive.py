from __future__ import annotations

import math
import pickle
from collections.abc import Callable

import numpy as np
import pytest
from tests.pruners.test_conformance import run_trial

import fastune
from fastune.exceptions import InvalidParameterError
from fastune.pruners import AdaptivePruner, MedianPruner

STEPS = range(30)


def saturating(final: float, rate: float = 0.3, scale: float = 1.0) -> Callable[[int], float]:
    """A curve that falls from ``scale + final`` towards ``final``, fast at first."""
    return lambda step: final + scale / (1.0 + rate * step)


def exponential(final: float, rate: float = 0.3, scale: float = 1.0) -> Callable[[int], float]:
    """A curve that falls from ``scale + final`` towards ``final`` and is flat within a
    dozen steps: it realizes much less of its early slope than a 1 / step curve."""
    return lambda step: final + scale * math.exp(-rate * step)


def study_of_peers(
    pruner: fastune.pruners.BasePruner,
    noise: float = 0.0,
    curve: Callable[[float], Callable[[int], float]] = saturating,
) -> fastune.Study:
    """Twelve complete peers (finals 0.0 .. 0.55, ``curve`` shapes), then ``pruner`` for
    the next trials. With ``noise``, each peer's reports alternate by that much above and
    below its curve, half of them up when the other half are down."""
    study = fastune.create_study(pruner=fastune.pruners.NopPruner())
    for index in range(12):
        base = curve(0.05 * index)
        run_trial(study, lambda step, b=base, i=index: b(step) + noise * (-1) ** (step + i), STEPS)
    study.pruner = pruner
    return study


def test_a_late_bloomer_survives() -> None:
    # Behind the top quarter at the first check, but falling so fast that even a fading
    # slope carries it below the best: it goes on and ends the best.
    study = study_of_peers(AdaptivePruner(n_warmup_steps=3))
    assert run_trial(study, saturating(-0.3, scale=2.0), STEPS) is None
    assert study.best_value < 0.0  # it did become the best


def test_a_slow_starter_that_speeds_up_survives() -> None:
    # Almost flat at the first check (its slope alone cannot reach the best), but each
    # step gains more than the one before: it is kept until its rate shows, and wins.
    def slow_start(step: int) -> float:
        return -0.05 + 1.5 / (1.0 + math.exp((step - 5) / 1.2))

    study = study_of_peers(AdaptivePruner(n_warmup_steps=3))
    assert run_trial(study, slow_start, STEPS) is None
    assert study.best_value < 0.0


def test_a_flat_loser_is_pruned_at_the_first_check() -> None:
    study = study_of_peers(AdaptivePruner(n_warmup_steps=3))
    assert run_trial(study, lambda step: 1.4, STEPS) == 3


def test_one_lucky_report_does_not_carry_a_trial() -> None:
    # Flat at 1.0 but for one report of 0.2 at the first check: kept there, pruned at
    # the next check, since a trial is judged by its latest report, not its best.
    study = study_of_peers(AdaptivePruner(n_warmup_steps=3))
    assert run_trial(study, lambda step: 0.2 if step == 3 else 1.0, STEPS) == 4


def test_a_curve_that_turns_up_is_pruned_while_still_among_the_top() -> None:
    # Falls to 0.15 by step 6, better than every peer there, then overfits: it climbs
    # 0.03 a step and would end at 0.84. Its best so far stays in the top quarter; its
    # course does not, and it is stopped soon after it turns.
    def overfits(step: int) -> float:
        return 0.15 + (0.1 * (6 - step) if step < 6 else 0.03 * (step - 6))

    study = study_of_peers(AdaptivePruner(n_warmup_steps=3))
    step = run_trial(study, overfits, STEPS)
    assert step is not None and 6 < step <= 12
    peers_at_step = sorted(t.intermediate_values[step] for t in study.trials[:12])
    assert overfits(step) < peers_at_step[3]  # still within the top quarter when stopped


def test_it_stops_a_mediocre_trial_that_the_median_rule_keeps() -> None:
    # Better than the median of the peers throughout, never near the top quarter: kept
    # while its early slope could carry it to the best, pruned once the curve flattens.
    mediocre = saturating(0.22)
    assert run_trial(study_of_peers(MedianPruner(n_warmup_steps=3)), mediocre, STEPS) is None
    step = run_trial(study_of_peers(AdaptivePruner(n_warmup_steps=3)), mediocre, STEPS)
    assert step is not None and step < 20


def test_near_the_top_but_not_better_is_stopped_after_the_first_third() -> None:
    # Inside the top quarter all along, but heading for 0.12 where the best ended at
    # 0.10: the bar keeps it through the first third of the run only; with the bar for
    # the whole run (top_until=1) it is completed.
    close = saturating(0.02)
    step = run_trial(study_of_peers(AdaptivePruner(n_warmup_steps=3)), close, STEPS)
    assert step is not None and 29 / 3 < step < 15
    assert run_trial(study_of_peers(AdaptivePruner(top_until=1.0)), close, STEPS) is None


def test_a_trial_as_long_as_a_complete_run_is_never_pruned() -> None:
    # A flat loser checked first at the last step of the complete runs (a warm-up that
    # long): stopping it there would save no step and throw its whole run away.
    study = study_of_peers(AdaptivePruner(n_warmup_steps=STEPS[-1]))
    assert run_trial(study, lambda step: 1.4, STEPS) is None
    assert study.trials[-1].value == 1.4
    # One step earlier it is pruned, as at the first check of a shorter warm-up.
    study = study_of_peers(AdaptivePruner(n_warmup_steps=STEPS[-2]))
    assert run_trial(study, lambda step: 1.4, STEPS) == STEPS[-2]


def test_the_projection_is_paced_by_how_the_complete_curves_went_on() -> None:
    # Behind the top quarter at the first check and falling steeply. Among peers whose
    # curves went on falling like 1 / step, that slope could carry it to the best and it
    # is kept; among peers that flattened within a dozen steps, the same start shows it
    # cannot get there, and it is pruned at once.
    steep = saturating(-0.3, scale=2.0)
    assert run_trial(study_of_peers(AdaptivePruner()), steep, STEPS) is None
    hopeless = exponential(0.2, scale=2.0)
    study = study_of_peers(AdaptivePruner(), curve=exponential)
    assert run_trial(study, hopeless, STEPS) == 3


def test_among_curves_that_kept_falling_a_steep_learner_behind_is_kept() -> None:
    # Peers that kept falling steadily to the end (a slow exponential, like boosting at a
    # small learning rate) realized about twice what the 1 / step rule projected from the
    # first check. A steeper learner, behind the top quarter there, is projected at that
    # pace and kept, and it ends the best (with the pace capped at 1 it was cut at step 3).
    steps = range(60)
    study = fastune.create_study(pruner=fastune.pruners.NopPruner())
    for index in range(12):
        run_trial(study, exponential(0.05 * index, rate=0.03), steps)
    study.pruner = AdaptivePruner()
    assert run_trial(study, exponential(-0.1, rate=0.12, scale=2.0), steps) is None
    assert study.best_value < 0.0


def test_a_noisy_curve_that_keeps_falling_is_completed() -> None:
    # Behind the top quarter, its reports jumping 0.12 from one step to the next: five of
    # them show no clear slope, but its trend since a third of the way does, and that
    # trend ends below the best. It is completed and does end the best. The same noise
    # about a curve that stopped falling at step 10 is pruned once the flat part
    # outweighs the fall in its trend.
    curve = saturating(-0.1, scale=1.5)

    def falling(step: int) -> float:
        return curve(step) + 0.06 * (-1) ** step

    def stalled(step: int) -> float:
        return curve(min(step, 10)) + 0.06 * (-1) ** step

    study = study_of_peers(AdaptivePruner())
    assert run_trial(study, falling, STEPS) is None
    assert study.best_value < 0.0
    step = run_trial(study_of_peers(AdaptivePruner()), stalled, STEPS)
    assert step is not None and step < 25


def test_an_infinite_report_past_the_first_third_is_pruned() -> None:
    # Near the top, then a diverged run reports inf: the trend cannot keep it.
    study = study_of_peers(AdaptivePruner())
    near = saturating(0.0)
    assert run_trial(study, lambda step: near(step) if step < 11 else math.inf, STEPS) == 11


def test_noise_widens_the_bar() -> None:
    # A trial a little behind the top quarter: pruned when the curves are smooth, kept
    # when they are as noisy as the gap (the bar applies to the whole run here).
    behind = saturating(0.15)
    pruner = AdaptivePruner(n_warmup_steps=6, window=6, top_until=1.0)
    assert run_trial(study_of_peers(pruner), behind, STEPS) is not None
    assert run_trial(study_of_peers(pruner, noise=0.1), behind, STEPS) is None


def test_a_pruner_that_has_seen_the_study_decides_as_a_new_one() -> None:
    # The pruner keeps what it worked out about finished trials; a trial finished since,
    # or one checked at another step, must not get an answer worked out for another.
    pruner = AdaptivePruner()
    study = study_of_peers(pruner)
    for final in (0.4, -0.2, 0.3):  # each one changes the bar or the target for the next
        run_trial(study, saturating(final, scale=2.0), STEPS)
    trial = study.ask()
    for step in STEPS:
        trial.report(saturating(0.12)(step), step)
        frozen = study._storage.get_trial(trial._trial_id)
        assert pruner.prune(study, frozen) == AdaptivePruner().prune(study, frozen)
    assert len(pickle.dumps(pruner)) == len(pickle.dumps(AdaptivePruner()))  # not carried


def test_a_pruner_moved_to_another_study_of_the_same_id_forgets_the_first() -> None:
    # Two in-memory studies share id 0 and trial numbers: the second's finished trials
    # are other trials, known by their values and start times, not by their numbers.
    pruner = AdaptivePruner()
    run_trial(study_of_peers(pruner, curve=exponential), saturating(0.12), STEPS)
    study = study_of_peers(pruner)
    assert study._study_id == 0
    trial = study.ask()
    for step in STEPS:
        trial.report(saturating(0.12)(step), step)
        frozen = study._storage.get_trial(trial._trial_id)
        assert pruner.prune(study, frozen) == AdaptivePruner().prune(study, frozen)


def test_a_pruner_checked_from_threads_and_pickled_decides_as_a_new_one() -> None:
    # The kept facts are shared by checks in threads (n_jobs with threads) under a lock,
    # which a pickled copy makes anew. (The race the lock closes, two threads adding rows
    # at once, did not show through prune() in 60 scratch runs: this checks the outcome.)
    import sys
    import threading

    pruner = AdaptivePruner()
    study = study_of_peers(pruner)
    for final in np.linspace(0.0, 1.0, 60):
        run_trial(study, saturating(float(final)), STEPS)
    frozen = []
    for offset in np.linspace(0.05, 0.6, 8):
        trial = study.ask()
        for step in STEPS:
            trial.report(saturating(float(offset))(step), step)
        frozen.append(study._storage.get_trial(trial._trial_id))
    expected = [AdaptivePruner().prune(study, one) for one in frozen]
    results: dict[int, bool] = {}
    errors: list[BaseException] = []

    def check(index: int) -> None:
        try:
            results[index] = pruner.prune(study, frozen[index])
        except BaseException as error:  # reported below, in the test thread
            errors.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-7)  # switch threads often, inside the shared part
    try:
        threads = [threading.Thread(target=check, args=(i,)) for i in range(len(frozen))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors
    assert [results[i] for i in range(len(frozen))] == expected
    copy = pickle.loads(pickle.dumps(pruner))  # the lock is made anew
    assert copy.prune(study, frozen[0]) == expected[0]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"top_fraction": 0.0}, "top_fraction"),
        ({"top_fraction": 1.0}, "top_fraction"),
        ({"top_until": 0.0}, "top_until"),
        ({"top_until": 1.5}, "top_until"),
        ({"noise_tolerance": -1.0}, "noise_tolerance"),
        ({"window": 1}, "window"),
        ({"n_min_trials": 0}, "n_min_trials"),
        ({"interval_steps": 0}, "interval_steps"),
    ],
)
def test_bad_arguments(kwargs: dict, fragment: str) -> None:
    with pytest.raises(InvalidParameterError, match=fragment):
        AdaptivePruner(**kwargs)
