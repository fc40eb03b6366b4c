from __future__ import annotations

import fastune
from fastune.trial import TrialState


def test_nop_pruner_never_prunes() -> None:
    def objective(trial: fastune.Trial) -> float:
        for step in range(10):
            trial.report(1000.0 - trial.number, step)
            if trial.should_prune():
                raise fastune.TrialPruned()
        return float(trial.number)

    study = fastune.create_study(pruner=fastune.pruners.NopPruner())
    study.optimize(objective, n_trials=5)
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
