"""A study over DistributedDataParallel training: two processes train each trial's model
together (each on half of every batch), on the CPU with the gloo backend, and share the
trial through ``TorchDistributedTrial``. Rank 0 runs the study (its storage, sampler and
pruner); rank 1 runs the objective as many times, and gets every suggestion, report and
pruning decision from rank 0.

    python examples/pytorch_distributed_digits.py            # about 15 seconds
    python examples/pytorch_distributed_digits.py --quick    # a smoke test

With ``torchrun --nproc-per-node N`` instead of the processes started here, the same
``objective`` runs unchanged: only ``main`` differs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from sklearn.datasets import load_digits
from torch.nn.parallel import DistributedDataParallel

import fastune
from fastune.integration import TorchDistributedTrial

WORLD_SIZE = 2


def objective(single_trial: fastune.Trial | None, epochs: int) -> float:
    trial = TorchDistributedTrial(single_trial)  # None on rank 1
    rank = dist.get_rank()
    lr = trial.suggest_float("lr", 1e-3, 0.3, log=True)
    hidden = trial.suggest_int("hidden", 16, 128, log=True)
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X / 16.0, dtype=torch.float32)
    y = torch.tensor(y)
    torch.manual_seed(trial.number)  # the same initial weights on both ranks
    model = DistributedDataParallel(
        torch.nn.Sequential(
            torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10)
        )
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    accuracy = 0.0
    for epoch in range(epochs):
        for start in range(0, 1400, 100):  # each rank takes every other row of a batch
            rows = slice(start + rank, start + 100, WORLD_SIZE)
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(X[rows]), y[rows]).backward()
            optimizer.step()  # DDP averaged the gradients of both ranks
        with torch.no_grad():
            rows = slice(1400 + rank, len(X), WORLD_SIZE)
            correct = (model(X[rows]).argmax(dim=1) == y[rows]).sum().float()
        dist.all_reduce(correct)  # both ranks' halves of the validation part
        accuracy = float(correct) / (len(X) - 1400)
        trial.report(accuracy, epoch)
        if trial.should_prune():  # the same answer on both ranks
            raise fastune.TrialPruned()
    return accuracy


def run(rank: int, rendezvous: str, n_trials: int, epochs: int) -> None:
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=rendezvous, rank=rank, world_size=WORLD_SIZE)
    try:
        if rank == 0:
            fastune.logging.set_verbosity(fastune.logging.WARNING)
            study = fastune.create_study(
                direction="maximize",
                sampler=fastune.samplers.TPESampler(seed=0),
                pruner=fastune.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1),
            )
            study.optimize(lambda trial: objective(trial, epochs), n_trials=n_trials)
            states = [t.state.name for t in study.trials]
            print(
                f"{n_trials} trials: {states.count('COMPLETE')} complete, "
                f"{states.count('PRUNED')} pruned"
            )
            print(f"best validation accuracy {study.best_value:.3f} with {study.best_params}")
        else:
            for _ in range(n_trials):
                with contextlib.suppress(fastune.TrialPruned):
                    objective(None, epochs)
    finally:
        dist.destroy_process_group()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small budget")
    quick = parser.parse_args().quick
    n_trials, epochs = (4, 2) if quick else (20, 8)
    with tempfile.TemporaryDirectory() as directory:
        rendezvous = f"file://{os.path.join(directory, 'rendezvous')}"
        mp.spawn(run, args=(rendezvous, n_trials, epochs), nprocs=WORLD_SIZE)


if __name__ == "__main__":
    main()
