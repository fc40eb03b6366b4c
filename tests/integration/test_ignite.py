"""fastune.integration.ignite: the pruning handler in real PyTorch Ignite training on
digits, Optuna's own handler on the same program, and its errors."""

from __future__ import annotations

from typing import Any

import pytest
from sklearn.datasets import load_digits
from tests.integration.peers import LIBRARIES, library_and_integration
from tests.integration.pruning import PruneAtStep

import fastune
from fastune.exceptions import InvalidParameterTypeError
from fastune.trial import TrialState

torch = pytest.importorskip("torch")
ignite = pytest.importorskip("ignite")

from ignite.engine import (  # noqa: E402
    Events,
    create_supervised_evaluator,
    create_supervised_trainer,
)
from ignite.metrics import Accuracy, Loss  # noqa: E402

from fastune.integration.ignite import PyTorchIgnitePruningHandler  # noqa: E402


def _loaders() -> tuple[Any, Any]:
    X, y = load_digits(return_X_y=True)
    data = torch.utils.data.TensorDataset(
        torch.tensor(X / 16.0, dtype=torch.float32), torch.tensor(y)
    )
    train = torch.utils.data.Subset(data, range(1200))
    valid = torch.utils.data.Subset(data, range(1200, len(data)))
    loader = torch.utils.data.DataLoader
    return loader(train, batch_size=64, shuffle=True), loader(valid, batch_size=256)


def _run(trial: Any, handler_class: type, metric: str, epochs: int = 4) -> float:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    loss = torch.nn.CrossEntropyLoss()
    lr = trial.suggest_float("lr", 1e-3, 1e-1, log=True)
    trainer = create_supervised_trainer(model, torch.optim.SGD(model.parameters(), lr=lr), loss)
    evaluator = create_supervised_evaluator(
        model, metrics={"accuracy": Accuracy(), "loss": Loss(loss)}
    )
    evaluator.add_event_handler(Events.COMPLETED, handler_class(trial, metric, trainer))
    train, valid = _loaders()
    accuracies: list[float] = []

    @trainer.on(Events.EPOCH_COMPLETED)
    def validate(engine: Any) -> None:
        evaluator.run(valid)
        accuracies.append(evaluator.state.metrics["accuracy"])

    trainer.run(train, max_epochs=epochs)
    trial.set_user_attr("accuracies", accuracies)
    return float(accuracies[-1])


def test_reports_each_epoch_and_prunes_when_told() -> None:
    study = fastune.create_study(direction="maximize", pruner=PruneAtStep(2))
    study.optimize(lambda t: _run(t, PyTorchIgnitePruningHandler, "accuracy"), n_trials=1)
    trial = study.trials[0]
    assert trial.state == TrialState.PRUNED
    assert sorted(trial.intermediate_values) == [1, 2]  # epochs, from 1
    complete = fastune.create_study(direction="maximize")
    complete.optimize(lambda t: _run(t, PyTorchIgnitePruningHandler, "accuracy"), n_trials=1)
    done = complete.trials[0]
    assert done.state == TrialState.COMPLETE
    assert [done.intermediate_values[e] for e in (1, 2, 3, 4)] == done.user_attrs["accuracies"]


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
@pytest.mark.parametrize("library", LIBRARIES)
def test_the_same_program_runs_on_optunas_handler(library: str) -> None:
    # Optuna's own handler (optuna-integration) with the same program and assertions.
    module, integration = library_and_integration(library)
    handler = integration.PyTorchIgnitePruningHandler
    study = module.create_study(pruner=module.pruners.ThresholdPruner(upper=0.0))
    study.optimize(lambda t: _run(t, handler, "loss"), n_trials=1)
    assert study.trials[0].state.name == "PRUNED"
    assert list(study.trials[0].intermediate_values) == [1]


def test_errors_name_what_is_wrong() -> None:
    with pytest.raises(InvalidParameterTypeError, match="metric"):
        PyTorchIgnitePruningHandler(None, 1, None)  # type: ignore[arg-type]
    study = fastune.create_study()
    with pytest.raises(KeyError, match=r"accuracy.*'f1'"):
        study.optimize(lambda t: _run(t, PyTorchIgnitePruningHandler, "f1"), n_trials=1)
