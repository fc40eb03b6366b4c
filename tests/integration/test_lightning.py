"""fastune.integration.lightning: the pruning callback on one process and under a real
``ddp_spawn`` strategy on two CPU processes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import fastune
from fastune.exceptions import InvalidParameterError
from fastune.pruners import ThresholdPruner
from fastune.trial import TrialState

torch = pytest.importorskip("torch")
lightning = pytest.importorskip("lightning.pytorch")

from fastune.integration.lightning import (  # noqa: E402  (after the skip without lightning)
    PyTorchLightningPruningCallback,
)

# Lightning 2.6 calls a torch pytree API that torch 2.13 deprecates, and advises data
# loader workers that a few hundred in-memory rows do not need: warnings of theirs.
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:`isinstance\\(treespec, LeafSpec\\)` is deprecated:FutureWarning"
    ),
    pytest.mark.filterwarnings("ignore:The '\\w+_dataloader' does not have many workers"),
]


def _data(n: int) -> tuple[Any, Any]:
    generator = torch.Generator().manual_seed(n)
    x = torch.randn(n, 64, generator=generator)
    return x, (x[:, :10].argmax(dim=1))  # a class each, that a small net can learn


TRAIN_X, TRAIN_Y = _data(160)
VALID_X, VALID_Y = _data(80)


def _loader(x: Any, y: Any, batch_size: int = 40) -> Any:
    return torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=batch_size)


def _trainer(callback: Any, max_epochs: int, **kwargs: Any) -> Any:
    return lightning.Trainer(
        max_epochs=max_epochs,
        callbacks=[callback],
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
        logger=False,
        num_sanity_val_steps=0,
        **kwargs,
    )


class Classifier(lightning.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(64, 16), torch.nn.ReLU(), torch.nn.Linear(16, 10)
        )
        self.epochs_run = 0

    def training_step(self, batch: Any, batch_index: int) -> Any:
        return torch.nn.functional.cross_entropy(self.net(batch[0]), batch[1])

    def validation_step(self, batch: Any, batch_index: int) -> None:
        predicted = self.net(batch[0]).argmax(dim=1)
        self.log("val_accuracy", (predicted == batch[1]).float().mean())

    def on_train_epoch_end(self) -> None:
        self.epochs_run += 1

    def configure_optimizers(self) -> Any:
        return torch.optim.Adam(self.parameters(), lr=0.01)


# ddp_spawn pickles the module (and the callback, with its trial) to its processes, which
# import the class by name: it lives at module level.
class RankLoss(lightning.LightningModule):
    """Logs ``losses[epoch] + 1000 * rank`` as val_loss, not synchronized: each rank its
    own value, so the value stored shows which rank reported."""

    def __init__(self, losses: list[float]) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(64, 1)
        self.losses = losses

    def training_step(self, batch: Any, batch_index: int) -> Any:
        return self.layer(batch[0]).pow(2).mean()

    def validation_step(self, batch: Any, batch_index: int) -> None:
        loss = self.losses[self.current_epoch] + 1000.0 * self.global_rank
        self.log("val_loss", loss + 0.0 * self.layer(batch[0]).sum())

    def configure_optimizers(self) -> Any:
        return torch.optim.SGD(self.parameters(), lr=0.01)


def test_lightning_pruning_callback_stops_a_pruned_trial() -> None:
    runs: list[int] = []

    def objective(trial: fastune.Trial) -> float:
        module = Classifier()
        pruning = PyTorchLightningPruningCallback(trial, monitor="val_accuracy")
        trainer = _trainer(pruning, max_epochs=8)
        try:
            trainer.fit(module, _loader(TRAIN_X, TRAIN_Y), _loader(VALID_X, VALID_Y))
        finally:
            runs.append(module.epochs_run)
        pruning.check_pruned()  # does nothing on one process
        return float(trainer.callback_metrics["val_accuracy"])

    study = fastune.create_study(
        direction="maximize", pruner=ThresholdPruner(lower=2.0, n_warmup_steps=2)
    )
    study.optimize(objective, n_trials=1)
    assert study.trials[0].state == TrialState.PRUNED
    assert list(study.trials[0].intermediate_values) == [0, 1, 2]
    assert runs == [2]  # the third epoch's validation pruned it before its epoch end


def _ddp_objective(trial: fastune.Trial) -> float:
    pruning = PyTorchLightningPruningCallback(trial, monitor="val_loss")
    trainer = _trainer(pruning, max_epochs=3, accelerator="cpu", devices=2, strategy="ddp_spawn")
    x, y = TRAIN_X[:16], TRAIN_Y[:16]
    # Rank 1 logs 1010 at epoch 0, over the pruner's threshold: only rank 0 decides.
    module = RankLoss([10.0, 100.0, 1.0])
    trainer.fit(module, _loader(x, y, batch_size=8), _loader(x, y, batch_size=8))
    pruning.check_pruned()
    return 0.0


# On a machine with a GPU, Lightning notes that these CPU processes leave it unused.
@pytest.mark.filterwarnings("ignore:GPU available but not used")
def test_ddp_spawn_rank_zero_decides_and_check_pruned_raises(tmp_path: Path) -> None:
    study = fastune.create_study(
        storage=f"sqlite:///{tmp_path / 'ddp.db'}", pruner=ThresholdPruner(upper=50.0)
    )
    study.optimize(_ddp_objective, n_trials=1)  # a real ddp_spawn: two CPU processes
    [trial] = study.trials
    assert trial.state == TrialState.PRUNED
    # Only rank 0 reported; it pruned at epoch 1, and every rank stopped there.
    assert trial.intermediate_values == {0: 10.0, 1: 100.0}
    assert trial.value == 100.0


def test_ddp_needs_a_storage_the_ranks_share() -> None:
    trial = fastune.create_study().ask()
    pruning = PyTorchLightningPruningCallback(trial, monitor="val_loss")
    trainer = _trainer(pruning, max_epochs=1, accelerator="cpu", devices=2, strategy="ddp_spawn")
    with pytest.raises(InvalidParameterError, match=r"'trial'.*shares.*in memory"):
        pruning.on_fit_start(trainer, RankLoss([0.0]))
    assert pruning.is_ddp_backend


def test_optuna_integration_name_reaches_the_lightning_callback() -> None:
    import fastune as optuna
    from fastune.integration import PyTorchLightningPruningCallback as imported

    assert optuna.integration.PyTorchLightningPruningCallback is PyTorchLightningPruningCallback
    assert imported is PyTorchLightningPruningCallback
