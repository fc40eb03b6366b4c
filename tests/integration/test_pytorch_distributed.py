"""fastune.integration.pytorch_distributed: a trial shared by the ranks of real gloo
process groups (worker processes started here), in DistributedDataParallel training on
digits; Optuna's own TorchDistributedTrial on the same program; errors raised on every
rank."""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.integration.peers import LIBRARIES, library_and_integration

import fastune
from fastune.exceptions import InvalidParameterTypeError

torch = pytest.importorskip("torch")
dist = pytest.importorskip("torch.distributed")

if not dist.is_available():  # pragma: no cover - torch builds without distributed
    pytest.skip("torch.distributed is not available", allow_module_level=True)

N_TRIALS = 4
EPOCHS = 3


def _run_ranks(
    program: Callable[..., Any],
    directory: Path,
    *args: Any,
    world_size: int = 2,
    backend: str = "gloo",
) -> list[Any]:
    """Run ``program(rank, directory, *args)`` on ``world_size`` spawned processes joined
    in one group of ``backend``; return what each rank returned. A rank still running after two
    minutes fails the test (a collective call that left a rank waiting)."""
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(
            target=_rank_main,
            args=(program, rank, world_size, backend, directory, args),
            daemon=True,
        )
        for rank in range(world_size)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    hung = [rank for rank, process in enumerate(processes) if process.is_alive()]
    for process in processes:
        process.kill()
    assert not hung, f"ranks {hung} were still waiting after two minutes"
    results = []
    for rank in range(world_size):
        kind, value = pickle.loads((directory / f"rank{rank}.pkl").read_bytes())
        assert kind == "ok", f"rank {rank} failed:\n{value}"
        results.append(value)
    return results


def _rank_main(
    program: Callable[..., Any],
    rank: int,
    world_size: int,
    backend: str,
    directory: Path,
    args: tuple,
) -> None:
    torch.set_num_threads(1)
    if backend == "nccl":
        torch.cuda.set_device(rank)
    dist.init_process_group(
        backend, init_method=f"file://{directory}/rendezvous", rank=rank, world_size=world_size
    )
    try:
        result: tuple[str, Any] = ("ok", program(rank, directory, *args))
    except BaseException:
        result = ("error", traceback.format_exc())
    finally:
        dist.destroy_process_group()
    (directory / f"rank{rank}.pkl").write_bytes(pickle.dumps(result))


# --- DistributedDataParallel training, each library's trial class ---------------------


class _PruneOddTrials:
    """Prunes the odd-numbered trials once they have reported step 1."""

    def prune(self, study: Any, trial: Any) -> bool:
        return trial.number % 2 == 1 and (trial.last_step or 0) >= 1


def _train(rank: int, directory: Path, library: str) -> dict[str, Any]:
    from sklearn.datasets import load_digits

    module, integration = library_and_integration(library)
    pruner = type("Pruner", (_PruneOddTrials, module.pruners.BasePruner), {})()
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X / 16.0, dtype=torch.float32)
    y = torch.tensor(y)
    shard = slice(rank, 1400, 2)  # each rank trains on its half of the training part
    seen: list[dict[str, Any]] = []

    def objective(single_trial: Any) -> float:
        trial = integration.TorchDistributedTrial(single_trial)
        lr = trial.suggest_float("lr", 1e-2, 3e-1, log=True)
        hidden = trial.suggest_int("hidden", 8, 32)
        optimizer_name = trial.suggest_categorical("optimizer", ["SGD", "Adam"])
        torch.manual_seed(trial.number)
        model = torch.nn.parallel.DistributedDataParallel(
            torch.nn.Sequential(
                torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10)
            )
        )
        optimizer = getattr(torch.optim, optimizer_name)(model.parameters(), lr=lr)
        record: dict[str, Any] = {
            "number": trial.number,
            "suggested": {"lr": lr, "hidden": hidden, "optimizer": optimizer_name},
            "pruned_at": None,
            "accuracy": [],
        }
        seen.append(record)
        for epoch in range(EPOCHS):
            for start in range(0, 700, 50):
                batch = slice(shard.start + 2 * start, shard.start + 2 * (start + 50), 2)
                optimizer.zero_grad()
                torch.nn.functional.cross_entropy(model(X[batch]), y[batch]).backward()
                optimizer.step()
            with torch.no_grad():  # the validation part split between the ranks, summed
                part = slice(1400 + rank, len(X), 2)
                correct = (model(X[part]).argmax(1) == y[part]).sum().float()
            dist.all_reduce(correct)
            accuracy = float(correct) / (len(X) - 1400)
            record["accuracy"].append(accuracy)
            trial.report(accuracy, epoch)
            if trial.should_prune():
                record["pruned_at"] = epoch
                raise module.TrialPruned()
        trial.set_user_attr("epochs", EPOCHS)
        record.update(
            params=trial.params,
            user_attrs=trial.user_attrs,
            weights=[p.detach().clone() for p in model.parameters()],
        )
        return accuracy

    if rank == 0:
        study = module.create_study(direction="maximize", pruner=pruner)
        study.optimize(objective, n_trials=N_TRIALS)
        trials = [(t.number, t.state.name, t.params, t.value) for t in study.trials]
    else:
        for _ in range(N_TRIALS):
            with contextlib.suppress(module.TrialPruned):
                objective(None)
        trials = []
    return {"seen": seen, "trials": trials}


_runs: dict[str, list[Any]] = {}


@pytest.fixture
def training_run(tmp_path: Path) -> Callable[[str], list[Any]]:
    """The two ranks' results of the training program, run once per library."""

    def run(library: str) -> list[Any]:
        if library not in _runs:
            library_and_integration(library)  # skips when optuna-integration is missing
            _runs[library] = _run_ranks(_train, tmp_path, library)
        return _runs[library]

    return run


def _close(params: dict[str, Any], others: dict[str, Any]) -> bool:
    """The same parameters, floats within 32-bit precision (Optuna's other ranks get
    floats as 32-bit tensors)."""
    return params.keys() == others.keys() and all(
        value == pytest.approx(others[name], rel=1e-6)
        if isinstance(value, float)
        else value == others[name]
        for name, value in params.items()
    )


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
@pytest.mark.parametrize("library", LIBRARIES)
def test_ranks_share_each_trial_in_ddp_training(
    library: str, training_run: Callable[[str], list[Any]]
) -> None:
    rank0, rank1 = training_run(library)
    assert [t[1] for t in rank0["trials"]] == ["COMPLETE", "PRUNED", "COMPLETE", "PRUNED"]
    # Both ranks went through the same trials and stopped the pruned ones at the same
    # epoch: should_prune answered alike on each.
    for ours, theirs in zip(rank0["seen"], rank1["seen"], strict=True):
        assert ours["number"] == theirs["number"]
        assert ours["pruned_at"] == theirs["pruned_at"]
        assert ours["accuracy"] == theirs["accuracy"]  # summed over the ranks
        if ours["pruned_at"] is None:
            assert _close(ours["params"], theirs["params"])
            assert theirs["user_attrs"] == {"epochs": EPOCHS}
            for mine, other in zip(ours["weights"], theirs["weights"], strict=True):
                assert torch.equal(mine, other)  # DDP kept the replicas alike
    assert [r["pruned_at"] for r in rank1["seen"]] == [None, 1, None, 1]
    for number, _, params, value in rank0["trials"]:
        record = rank1["seen"][number]
        assert record["accuracy"][-1] == value or record["pruned_at"] is not None
        if record["pruned_at"] is None:
            assert _close(record["params"], params)
    assert len({t[2]["lr"] for t in rank0["trials"]}) == N_TRIALS


def test_every_rank_trains_with_the_values_the_study_records(
    training_run: Callable[[str], list[Any]],
) -> None:
    # Optuna's sends a suggested float as a 32-bit tensor, on rank 0 too: its model
    # trains with a learning rate a little off the one the study records.
    rank0, rank1 = training_run("fastune")
    for number, _, params, _ in rank0["trials"]:
        assert rank0["seen"][number]["suggested"] == params
        assert rank1["seen"][number]["suggested"] == params
        assert isinstance(rank1["seen"][number]["suggested"]["hidden"], int)


# --- errors -------------------------------------------------------------------------


def _errors(rank: int, directory: Path) -> dict[str, Any]:
    from fastune.integration import TorchDistributedTrial

    study = fastune.create_study()
    caught: dict[str, Any] = {}
    single = study.ask() if rank == 0 else None
    trial = TorchDistributedTrial(single)
    x = trial.suggest_float("x", 0.0, 1.0)
    try:  # rank 0's trial refuses a second distribution for "x"
        trial.suggest_float("x", 0.0, 2.0)
    except Exception as error:
        caught["redefined"] = (type(error).__name__, str(error))
    try:  # rank 0's value is refused by rank 0's trial; the others pass a fine value
        trial.report("high" if rank == 0 else 0.5, 0)
    except Exception as error:
        caught["report"] = (type(error).__name__, str(error))
    caught["after"] = (x, trial.suggest_int("n", 1, 9), trial.params)
    try:  # rank 1 wrongly passes a trial
        TorchDistributedTrial(single if rank == 0 else study.ask())
    except InvalidParameterTypeError as error:
        caught["rank1_trial"] = str(error)
    try:  # rank 0 wrongly passes None
        TorchDistributedTrial(None)
    except InvalidParameterTypeError as error:
        caught["rank0_none"] = str(error)
    return caught


def test_an_error_on_rank_0_is_raised_on_every_rank(tmp_path: Path) -> None:
    rank0, rank1 = _run_ranks(_errors, tmp_path)
    assert rank0["redefined"] == rank1["redefined"]
    assert rank0["redefined"][0] == "InvalidParameterError"
    assert "'x'" in rank0["redefined"][1]
    assert rank0["report"] == rank1["report"]
    assert rank0["report"][0] == "InvalidParameterTypeError"
    assert "'high'" in rank0["report"][1]
    # The group went on after the errors: the next calls agree.
    assert rank0["after"] == rank1["after"]
    assert set(rank0["after"][2]) == {"x", "n"}
    # A wrong trial argument on either rank is raised on both, with the same message.
    assert rank0["rank1_trial"] == rank1["rank1_trial"]
    assert "on rank 1 instead" in rank0["rank1_trial"]
    assert rank0["rank0_none"] == rank1["rank0_none"]
    assert "Got None on rank 0 instead" in rank0["rank0_none"]


def _subgroup(rank: int, directory: Path) -> Any:
    from fastune.integration import TorchDistributedTrial

    group = dist.new_group([1, 2])  # made by every rank, used by ranks 1 and 2
    if rank == 0:
        return None
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=rank))
    trial = TorchDistributedTrial(study.ask() if rank == 1 else None, group=group)
    return trial.suggest_float("x", 0.0, 1.0), trial.number


def test_a_group_whose_rank_0_is_another_process(tmp_path: Path) -> None:
    _, first, second = _run_ranks(_subgroup, tmp_path, world_size=3)
    assert first == second  # global rank 1 (rank 0 of the group) answered both


def test_without_an_initialized_group_the_error_says_what_to_do() -> None:
    from fastune.integration import TorchDistributedTrial

    study = fastune.create_study()
    with pytest.raises(fastune.exceptions.FastuneError, match="init_process_group"):
        TorchDistributedTrial(study.ask())


def _on_nccl(rank: int, directory: Path) -> Any:
    from fastune.integration import TorchDistributedTrial
    from fastune.integration.pytorch_distributed import _gloo_groups

    def objective(single: Any, group: Any = None) -> float:
        trial = TorchDistributedTrial(single, group=group)
        x = trial.suggest_float("x", 0.0, 1.0)
        total = torch.tensor([x], device="cuda", dtype=torch.float64)
        dist.all_reduce(total)  # the training's own collectives stay on NCCL
        trial.report(float(total), 0)
        return float(total)

    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=2)  # the default group: a gloo group beside it
    study.optimize(lambda single: objective(single, group=dist.group.WORLD), n_trials=1)
    beside = dist.get_backend(_gloo_groups[dist.group.WORLD])
    return beside, [(t.params["x"], t.value, t.intermediate_values) for t in study.trials]


@pytest.mark.skipif(
    not torch.cuda.is_available() or not dist.is_nccl_available(),
    reason="needs a CUDA GPU and NCCL",
)
def test_an_nccl_group_carries_the_trial_by_gloo_or_on_the_gpu(tmp_path: Path) -> None:
    ((beside, trials),) = _run_ranks(_on_nccl, tmp_path, world_size=1, backend="nccl")
    assert beside == "gloo"
    assert len(trials) == 3
    for x, value, intermediate in trials:
        assert value == x and intermediate == {0: x}
