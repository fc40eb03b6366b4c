from __future__ import annotations

import numpy as np
import pytest
from tests.pruners.test_conformance import run_trial

import fastune
from fastune.exceptions import InvalidParameterError
from fastune.pruners import SuccessiveHalvingPruner


def test_only_the_best_fraction_is_promoted_at_each_rung() -> None:
    pruner = SuccessiveHalvingPruner(min_resource=1, reduction_factor=2)
    study = fastune.create_study(pruner=pruner)
    # Rungs at steps 1, 2, 4, 8. Trials arrive from best to worst, constant curves.
    outcomes = [run_trial(study, lambda step, v=v: v, range(9)) for v in (1.0, 2.0, 0.5, 3.0)]
    # 1st: alone at every rung, the best: runs to the end. 2nd: of 2 values at rung 0
    # only the best (1 // 2 - 1 -> index 0) goes on. 3rd: better than both, goes on.
    # 4th: worst of 4, the best 2 go on: pruned at rung 0 (step 1).
    assert outcomes == [None, 1, None, 1]
    third = study.trials[2]  # its rung values, under Optuna's keys
    assert [third.system_attrs[f"completed_rung_{r}"] for r in range(4)] == [0.5] * 4


def test_auto_min_resource_waits_for_a_complete_trial() -> None:
    study = fastune.create_study(pruner=SuccessiveHalvingPruner())
    assert run_trial(study, lambda step: 5.0, range(300)) is None  # nothing to size rungs
    # min_resource = 299 // 100 = 2: rungs at 2, 8, 32, 128. The second trial is alone
    # at each rung, the third meets it at step 2 and is worse.
    assert run_trial(study, lambda step: 4.0, range(300)) is None
    assert run_trial(study, lambda step: 9.0, range(300)) == 2


def test_auto_min_resource_from_the_longest_complete_trial_and_numpy_ints() -> None:
    pruner = SuccessiveHalvingPruner()
    study = fastune.create_study(pruner=pruner)
    for steps in (99, 999):  # both complete before the first check
        study.add_trial(
            fastune.trial.create_trial(
                value=1.0, intermediate_values={k: 1.0 for k in range(steps + 1)}
            )
        )
    run_trial(study, lambda step: 1.0, range(12))
    assert pruner._min_resource == 9  # 999 // 100, as Optuna 5 (the first trial's: 1)
    assert SuccessiveHalvingPruner(min_resource=np.int64(2))._min_resource == 2


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"min_resource": 0}, "min_resource"),
        ({"min_resource": "soon"}, "min_resource"),
        ({"reduction_factor": 1}, "reduction_factor"),
        ({"min_early_stopping_rate": -1}, "min_early_stopping_rate"),
        ({"bootstrap_count": 2}, "bootstrap_count"),  # with min_resource='auto'
    ],
)
def test_bad_arguments(kwargs: dict, fragment: str) -> None:
    with pytest.raises(InvalidParameterError, match=fragment):
        SuccessiveHalvingPruner(**kwargs)
