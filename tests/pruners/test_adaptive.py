from __future__ import annotations

import pytest
from tests.pruners.test_conformance import run_trial

import fastune
from fastune.exceptions import InvalidParameterError
from fastune.pruners import AdaptivePruner, MedianPruner

STEPS = range(30)


def saturating(final: float, rate: float = 0.3) -> object:
    """A curve that falls from 1 + final towards final, fast at first."""
    return lambda step: final + (1.0 / (1.0 + rate * step))


def study_of_peers(pruner: fastune.pruners.BasePruner, noise: float = 0.0) -> fastune.Study:
    """Twelve complete peers (finals 0.0 .. 0.55), then ``pruner`` for the next trials.
    With ``noise``, each peer's reports alternate by that much above and below its curve,
    half of them up when the other half are down."""
    study = fastune.create_study(pruner=fastune.pruners.NopPruner())
    for index in range(12):
        base = saturating(0.05 * index)
        run_trial(study, lambda step, b=base, i=index: b(step) + noise * (-1) ** (step + i), STEPS)
    study.pruner = pruner
    return study


def test_a_late_bloomer_survives() -> None:
    # Far behind at the first check, but falling steadily: it ends below the best.
    def late(step: int) -> float:
        return 1.7 - 0.1 * step

    study = study_of_peers(AdaptivePruner(n_warmup_steps=3))
    assert run_trial(study, late, STEPS) is None
    assert study.best_value < 0.0  # it did become the best


def test_a_flat_loser_is_pruned_at_the_first_check() -> None:
    study = study_of_peers(AdaptivePruner(n_warmup_steps=3))
    assert run_trial(study, lambda step: 1.4, STEPS) == 3


def test_it_stops_a_mediocre_trial_that_the_median_rule_keeps() -> None:
    # Better than the median of the peers throughout, never near the top quarter: kept
    # while its early slope could carry it to the best, pruned once the curve flattens.
    mediocre = saturating(0.22)
    assert run_trial(study_of_peers(MedianPruner(n_warmup_steps=3)), mediocre, STEPS) is None
    step = run_trial(study_of_peers(AdaptivePruner(n_warmup_steps=3)), mediocre, STEPS)
    assert step is not None and step < 20


def test_noise_widens_the_bar() -> None:
    # A trial a little behind the top quarter: pruned when the curves are smooth, kept
    # when they are as noisy as the gap.
    behind = saturating(0.15)
    pruner = AdaptivePruner(n_warmup_steps=6, window=6)
    assert run_trial(study_of_peers(pruner), behind, STEPS) is not None
    assert run_trial(study_of_peers(pruner, noise=0.1), behind, STEPS) is None


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"top_fraction": 0.0}, "top_fraction"),
        ({"top_fraction": 1.0}, "top_fraction"),
        ({"noise_tolerance": -1.0}, "noise_tolerance"),
        ({"window": 1}, "window"),
        ({"n_min_trials": 0}, "n_min_trials"),
        ({"interval_steps": 0}, "interval_steps"),
    ],
)
def test_bad_arguments(kwargs: dict, fragment: str) -> None:
    with pytest.raises(InvalidParameterError, match=fragment):
        AdaptivePruner(**kwargs)
