"""fastune.integration.skorch: the pruning callback in real skorch training."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.datasets import load_digits
from tests.integration.pruning import PruneAtStep

import fastune
from fastune.trial import TrialState

torch = pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")

from fastune.integration.skorch import SkorchPruningCallback  # noqa: E402

X, Y = load_digits(return_X_y=True)
X, Y = (X[:300] / 16.0).astype(np.float32), Y[:300].astype(np.int64)


def _net(callback: Any, epochs: int = 6) -> Any:
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(64, 16), torch.nn.ReLU(), torch.nn.Linear(16, 10))
    return skorch.NeuralNetClassifier(
        module,
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=epochs,
        lr=0.1,
        callbacks=[callback],
        verbose=0,
    )


def test_reports_each_epoch_and_prunes_when_told() -> None:
    study = fastune.create_study(pruner=PruneAtStep(2))
    nets: list[Any] = []

    def objective(trial: fastune.Trial) -> float:
        nets.append(_net(SkorchPruningCallback(trial, "valid_loss")))
        nets[-1].fit(X, Y)
        return 0.0

    study.optimize(objective, n_trials=1)
    trial = study.trials[0]
    assert trial.state == TrialState.PRUNED
    assert sorted(trial.intermediate_values) == [0, 1, 2]
    losses = nets[0].history[:, "valid_loss"]
    assert [trial.intermediate_values[i] for i in range(3)] == pytest.approx(losses[:3])


def test_a_full_run_and_an_unknown_column() -> None:
    study = fastune.create_study(direction="maximize")
    trial = study.ask()
    net = _net(SkorchPruningCallback(trial, "valid_acc")).fit(X, Y)
    reported = study.trials[0].intermediate_values
    assert [reported[i] for i in range(6)] == pytest.approx(net.history[:, "valid_acc"])
    with pytest.raises(KeyError, match="'monitor'.*valid_loss.*'val_accuracy'"):
        _net(SkorchPruningCallback(study.ask(), "val_accuracy")).fit(X, Y)


def test_reached_under_optunas_name() -> None:
    import fastune as optuna

    assert optuna.integration.SkorchPruningCallback is SkorchPruningCallback
