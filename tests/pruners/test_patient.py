from __future__ import annotations

import pytest
from tests.pruners.test_conformance import run_trial

import fastune
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.pruners import NopPruner, PatientPruner


def test_prunes_after_patience_without_improvement() -> None:
    study = fastune.create_study(pruner=PatientPruner(None, patience=2))
    curve = [5.0, 4.0, 3.0, 3.5, 3.2, 3.1, 3.0]  # best 3.0 at step 2, then no better
    assert run_trial(study, lambda step: curve[step], range(7)) == 5


def test_min_delta_tolerates_a_small_worsening_as_optuna() -> None:
    # Pruned once the best of the last `patience` steps is worse than the best before
    # them by more than min_delta (Optuna's rule; the test read it the other way once).
    worsening = [5.0 + 0.05 * step for step in range(10)]
    strict = fastune.create_study(pruner=PatientPruner(None, patience=2))
    tolerant = fastune.create_study(pruner=PatientPruner(None, patience=2, min_delta=0.2))
    assert run_trial(strict, lambda step: worsening[step], range(10)) == 3
    assert run_trial(tolerant, lambda step: worsening[step], range(10)) == 7
    improving = [5.0 - 0.05 * step for step in range(10)]
    assert run_trial(tolerant, lambda step: improving[step], range(10)) is None


def test_the_wrapped_pruner_has_the_last_word() -> None:
    study = fastune.create_study(pruner=PatientPruner(NopPruner(), patience=1))
    assert run_trial(study, lambda step: 1.0, range(6)) is None


@pytest.mark.parametrize(
    ("args", "error", "fragment"),
    [
        ((None, -1), InvalidParameterError, "patience"),
        ((None, 2, -0.1), InvalidParameterError, "min_delta"),
        (("median", 2), InvalidParameterTypeError, "wrapped_pruner"),
    ],
)
def test_bad_arguments(args: tuple, error: type, fragment: str) -> None:
    with pytest.raises(error, match=fragment):
        PatientPruner(*args)
