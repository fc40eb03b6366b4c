"""fastune.integration.torch: PBT of real torch models on a slice of digits, the pruning
hook of a plain loop and skorch nets in PBTSearchCV (the Lightning pruning callback is
tested in test_lightning.py)."""

from __future__ import annotations

import copy
import importlib
import math
import pickle
import sys
from typing import Any

import cloudpickle
import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.datasets import load_digits

import fastune
from fastune.exceptions import (
    InvalidParameterError,
    InvalidParameterTypeError,
    MissingDependencyError,
)
from fastune.pbt import (
    DiskCheckpointStore,
    MemoryCheckpointStore,
    PopulationBasedTraining,
    replay,
)
from fastune.pruners import ThresholdPruner
from fastune.trial import TrialState

torch = pytest.importorskip("torch")

from fastune.integration.torch import (  # noqa: E402  (after the skip without torch)
    TorchCheckpoint,
    TorchMember,
    TorchTrainable,
    report_epoch,
    select_device,
    set_optimizer_params,
)

# Worker processes cannot import a test module by name: ship its functions by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def _digits(n: int = 240) -> tuple[Any, Any, Any, Any]:
    features, labels = load_digits(return_X_y=True)
    x = torch.tensor(features[:n] / 16.0, dtype=torch.float32)
    y = torch.tensor(labels[:n], dtype=torch.int64)
    half = n * 2 // 3
    return x[:half], y[:half], x[half:], y[half:]


TRAIN_X, TRAIN_Y, VALID_X, VALID_Y = _digits()


def _model(params: dict[str, Any]) -> Any:
    return torch.nn.Sequential(
        torch.nn.Linear(64, 16),
        torch.nn.ReLU(),
        torch.nn.Dropout(params.get("dropout", 0.0)),
        torch.nn.Linear(16, 10),
    )


def _adam(model: Any, params: dict[str, Any]) -> Any:
    return torch.optim.Adam(model.parameters(), lr=params["lr"])


def _train_epoch(member: TorchMember) -> None:
    batch_size = member.params.get("batch_size", 40)
    for batch in torch.randperm(len(TRAIN_Y)).split(batch_size):
        member.optimizer.zero_grad()
        x, y = TRAIN_X[batch].to(member.device), TRAIN_Y[batch].to(member.device)
        torch.nn.functional.cross_entropy(member.model(x), y).backward()
        member.optimizer.step()


def _accuracy(member: TorchMember) -> float:
    predicted = member.model(VALID_X.to(member.device)).argmax(dim=1).cpu()
    return float((predicted == VALID_Y).float().mean())


def _tensors_equal(a: Any, b: Any) -> bool:
    """Nested state dicts hold equal tensors and equal plain values."""
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and torch.equal(a, b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_tensors_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_tensors_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


class RecordingStore(MemoryCheckpointStore):
    """Keeps, for each transfer, the donors' and copiers' checkpoints right after it."""

    def __init__(self) -> None:
        super().__init__()
        self.transfers: list[dict[int, tuple[Any, Any]]] = []

    def transfer(self, donors: Any) -> None:
        super().transfer(donors)
        self.transfers.append(
            {
                copier: (copy.deepcopy(self.load(copier)), copy.deepcopy(self.load(donor)))
                for copier, donor in donors.items()
            }
        )


# -- exploit and explore -----------------------------------------------------------------


def test_exploit_copies_the_donors_weights_and_optimizer_state() -> None:
    starts: list[tuple[int, dict[str, Any], dict[str, Any]]] = []

    def train_epoch(member: TorchMember) -> None:
        starts.append(
            (
                member.epoch,
                {k: v.clone() for k, v in member.model.state_dict().items()},
                copy.deepcopy(member.optimizer.state_dict()),
            )
        )
        _train_epoch(member)

    trainable = TorchTrainable(_model, _adam, train_epoch, _accuracy, device="cpu")
    pbt = PopulationBasedTraining(
        trainable,
        {"lr": loguniform(1e-4, 1e-1)},
        population_size=2,
        generations=2,
        steps_per_generation=2,
        quantile_fraction=0.5,
        random_state=0,
    )
    pbt.checkpoints = store = RecordingStore()
    pbt.run()

    assert len(store.transfers) == 1
    [(copied_state, donor)] = store.transfers[0].values()
    assert copied_state.epoch == donor.epoch == 2
    assert _tensors_equal(copied_state.model_state, donor.model_state)
    assert _tensors_equal(copied_state.optimizer_state, donor.optimizer_state)
    assert donor.optimizer_state["state"][0]["exp_avg"].abs().sum() > 0  # Adam has moments
    # Independent copies: training the copy must not move the donor.
    copied, donated = copied_state.model_state["0.weight"], donor.model_state["0.weight"]
    assert copied.data_ptr() != donated.data_ptr()
    # Both members' next segment really starts from the donor's weights and moments.
    second_generation = [start for start in starts if start[0] == 2]
    assert len(second_generation) == 2
    for _, weights, optimizer_state in second_generation:
        assert _tensors_equal(weights, donor.model_state)
        assert _tensors_equal(optimizer_state["state"], donor.optimizer_state["state"])


def test_a_step_trains_with_the_searched_learning_rate_not_the_checkpoints() -> None:
    seen: dict[str, Any] = {}

    def train_epoch(member: TorchMember) -> float:
        layer = member.model[0]
        before = layer.weight.detach().clone()
        member.optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(member.model(TRAIN_X), TRAIN_Y)
        loss.backward()
        gradient = layer.weight.grad.detach().clone()
        member.optimizer.step()
        seen.update(
            lr=member.optimizer.param_groups[0]["lr"],
            moved=layer.weight.detach() - before,
            gradient=gradient,
        )
        return -loss.item()

    def sgd(model: Any, params: dict[str, Any]) -> Any:
        return torch.optim.SGD(model.parameters(), lr=params["lr"])

    trainable = TorchTrainable(_model, sgd, train_epoch, device="cpu")
    state = trainable.init({"lr": 0.01}, seed=0)
    state, _, _ = trainable.step({"lr": 0.01}, state)
    assert state.optimizer_state["param_groups"][0]["lr"] == 0.01

    state, _, _ = trainable.step({"lr": 0.5}, state)  # as after explore
    assert seen["lr"] == 0.5
    torch.testing.assert_close(seen["moved"], -0.5 * seen["gradient"])
    assert state.optimizer_state["param_groups"][0]["lr"] == 0.5


def test_pbt_explore_reaches_the_optimizer_of_every_segment() -> None:
    used: list[tuple[float, float, float]] = []

    def train_epoch(member: TorchMember) -> None:
        group = member.optimizer.param_groups[0]
        used.append((member.params["lr"], group["lr"], group["weight_decay"]))
        _train_epoch(member)

    def adamw(model: Any, params: dict[str, Any]) -> Any:
        return torch.optim.AdamW(model.parameters(), lr=0.5, weight_decay=0.5)

    space = {"lr": loguniform(1e-4, 1e-1), "weight_decay": loguniform(1e-5, 1e-2)}
    trainable = TorchTrainable(_model, adamw, train_epoch, _accuracy, device="cpu")
    pbt = PopulationBasedTraining(
        trainable, space, population_size=4, generations=4, random_state=1
    ).run()

    assert len(used) == 16
    trial_params = [trial.params for trial in pbt.study_.trials]
    assert [(lr, wd) for _, lr, wd in used] == [(p["lr"], p["weight_decay"]) for p in trial_params]
    assert all(searched == in_optimizer for searched, in_optimizer, _ in used)
    first_generation = {p["lr"] for p in trial_params[:4]}
    assert {lr for _, lr, _ in used} - first_generation  # explore made new values


def test_the_factorys_per_group_values_win_over_the_checkpoints() -> None:
    # The search space calls it learning_rate (not an optimizer key); the factory sets
    # layer-wise rates and no weight decay on biases: each epoch trains with exactly
    # what the factory made of this member's params, not the donor's loaded values.
    used: list[tuple[float, list[float], list[float]]] = []

    def sgd(model: Any, params: dict[str, Any]) -> Any:
        rate = params["learning_rate"]
        weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
        biases = [p for name, p in model.named_parameters() if name.endswith("bias")]
        return torch.optim.SGD(
            [{"params": weights, "lr": rate}, {"params": biases, "lr": 2 * rate}],
            lr=rate,
            weight_decay=0.01,
        )

    def train_epoch(member: TorchMember) -> None:
        groups = member.optimizer.param_groups
        used.append(
            (
                member.params["learning_rate"],
                [g["lr"] for g in groups],
                [g["weight_decay"] for g in groups],
            )
        )
        _train_epoch(member)

    trainable = TorchTrainable(_model, sgd, train_epoch, _accuracy, device="cpu")
    PopulationBasedTraining(
        trainable,
        {"learning_rate": loguniform(1e-3, 1e-1)},
        population_size=4,
        generations=4,
        random_state=0,
    ).run()
    assert len({rate for rate, _, _ in used}) > 4  # explore made new rates
    for rate, rates, decays in used:
        assert rates == pytest.approx([rate, 2 * rate])
        assert decays == [0.01, 0.01]


def test_a_group_set_to_the_optimizers_default_keeps_it() -> None:
    # No weight decay on biases: 0.0 is also Adam's default, and the searched value
    # must not reach that group (it did, when groups equal to the default were filled).
    used: list[list[float]] = []

    def adam(model: Any, params: dict[str, Any]) -> Any:
        weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
        biases = [p for name, p in model.named_parameters() if name.endswith("bias")]
        groups = [
            {"params": weights, "weight_decay": params["weight_decay"]},
            {"params": biases, "weight_decay": 0.0},
        ]
        return torch.optim.Adam(groups, lr=1e-3)

    def train_epoch(member: TorchMember) -> None:
        used.append([g["weight_decay"] for g in member.optimizer.param_groups])
        _train_epoch(member)

    trainable = TorchTrainable(_model, adam, train_epoch, _accuracy, device="cpu")
    state = trainable.init({"weight_decay": 0.1}, seed=0)
    trainable.step({"weight_decay": 0.1}, state)
    assert used == [[0.1, 0.0]]


def _layer_wise_sgd(cap: float = math.inf) -> Any:
    """An optimizer factory that gives the head ten times the body's rate (the rate
    capped at ``cap``)."""

    def sgd(model: Any, params: dict[str, Any]) -> Any:
        rate = min(params["lr"], cap)
        return torch.optim.SGD(
            [
                {"params": model[0].parameters(), "lr": rate},
                {"params": model[3].parameters(), "lr": 10 * rate},
            ],
            lr=rate,
        )

    return sgd


def _group_rates(factory: Any, rates: list[float]) -> list[list[float]]:
    """The group rates each of one step per learning rate trained with, in order."""
    used: list[list[float]] = []

    def train_epoch(member: TorchMember) -> float:
        used.append([group["lr"] for group in member.optimizer.param_groups])
        return 0.0

    trainable = TorchTrainable(_model, factory, train_epoch, device="cpu")
    for rate in rates:
        trainable.step({"lr": rate}, trainable.init({"lr": rate}, seed=0))
    return used


def test_the_probe_of_a_factory_that_reads_a_rate_of_0_25_sees_it_read() -> None:
    # The probe was value * 0.5 + 0.125, which is 0.25 itself: the factory seemed to
    # ignore lr, and from then on every group got the searched rate, for every member.
    used = _group_rates(_layer_wise_sgd(), [0.25, 0.1])
    assert used == [pytest.approx([0.25, 2.5]), pytest.approx([0.1, 1.0])]


def test_a_factory_that_seems_to_ignore_a_rate_once_is_probed_again() -> None:
    # Capped at 0.5, the rates 0.9 and its probe build the same groups: that one value
    # says nothing of the next member's, whose head must keep ten times its rate.
    used = _group_rates(_layer_wise_sgd(cap=0.5), [0.9, 0.1])
    assert used[1] == pytest.approx([0.1, 1.0])


def test_a_factory_that_ignores_a_rate_gets_it_in_every_group() -> None:
    used = _group_rates(
        lambda model, params: torch.optim.SGD(model.parameters(), lr=0.5), [0.25, 0.1, 0.03]
    )
    assert used == [[0.25], [0.1], [0.03]]


def test_a_copy_trains_on_with_random_numbers_of_its_own() -> None:
    # One learning rate: explore cannot tell a copy from its donor, only the seed can.
    trainable = TorchTrainable(_model, _adam, _train_epoch, _accuracy, device="cpu")
    pbt = PopulationBasedTraining(
        trainable,
        {"lr": [0.01], "dropout": [0.5]},
        population_size=4,
        generations=5,
        random_state=0,
    ).run()
    states = [pbt.checkpoints.load(member.index).model_state for member in pbt.members_]
    clones = [
        (a, b) for a in range(4) for b in range(a + 1, 4) if _tensors_equal(states[a], states[b])
    ]
    assert clones == []  # with the donor's seed, copies trained as clones of their donor
    assert len({member.seed for member in pbt.members_}) == 4
    for trial in pbt.study_.trials:  # the new seeds are recorded and replayed
        _, scores = replay(trainable, pbt.schedule(trial.number))
        assert scores[-1] == trial.value


def test_optimizer_params_map_names_and_tuple_entries() -> None:
    model = _model({})
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1, betas=(0.9, 0.999))
    set_optimizer_params(
        optimizer,
        {"learning_rate": 0.02, "beta1": 0.8, "batch_size": 16},
        {"learning_rate": "lr", "beta1": ("betas", 0)},
    )
    assert optimizer.param_groups[0]["lr"] == 0.02
    assert optimizer.param_groups[0]["betas"] == (0.8, 0.999)
    with pytest.raises(InvalidParameterError, match=r"'optimizer_params'.*\['amsgrad'"):
        set_optimizer_params(optimizer, {"m": 0.9}, {"m": "momentum"})


def test_apply_params_hook_runs_after_the_checkpoint_is_loaded() -> None:
    rates: list[float] = []

    def set_dropout(member: TorchMember) -> None:
        member.model[2].p = member.params["dropout"]

    def train_epoch(member: TorchMember) -> float:
        rates.append(member.model[2].p)
        return 0.0

    trainable = TorchTrainable(
        lambda params: _model({}), _adam, train_epoch, apply_params=set_dropout, device="cpu"
    )
    state = trainable.init({"lr": 0.01, "dropout": 0.1}, seed=0)
    trainable.step({"lr": 0.01, "dropout": 0.3}, state)
    assert rates == [0.3]


# -- reproducibility, disk, devices --------------------------------------------------------


def _run_pbt(
    device: str = "cpu", keep_on_device: bool = False, **options: Any
) -> PopulationBasedTraining:
    trainable = TorchTrainable(
        _model, _adam, _train_epoch, _accuracy, device=device, keep_on_device=keep_on_device
    )
    space = {"lr": loguniform(1e-3, 1e-1), "dropout": [0.0, 0.2], "batch_size": [20, 40]}
    return PopulationBasedTraining(
        trainable, space, population_size=4, generations=3, random_state=3, **options
    ).run()


def test_same_seed_same_run_in_processes_and_on_disk(tmp_path: Any) -> None:
    reference = _run_pbt()
    scores = [trial.value for trial in reference.study_.trials]
    assert max(scores) > 0.5  # it learns
    assert [t.value for t in _run_pbt(n_jobs=2).study_.trials] == scores
    on_disk = _run_pbt(checkpoint_dir=str(tmp_path))
    assert [t.value for t in on_disk.study_.trials] == scores
    assert len(list(tmp_path.glob("*/member-*.pkl"))) == 4
    loaded = on_disk.checkpoints.load(0)
    expected = reference.checkpoints.load(0)
    assert isinstance(loaded, TorchCheckpoint)
    assert _tensors_equal(loaded.model_state, expected.model_state)


class OnDevice(torch.Tensor):
    """A tensor that says it lies on CUDA, its values held on the CPU: a device-kept
    checkpoint's tensor on a machine without a GPU. It can only be detached and copied
    to the CPU, and pickle would write it as lying on CUDA."""

    values: Any

    @staticmethod
    def __new__(cls, values: Any) -> Any:
        return torch.Tensor._make_wrapper_subclass(
            cls, values.shape, dtype=values.dtype, device="cuda"
        )

    def __init__(self, values: Any) -> None:
        self.values = values

    @classmethod
    def __torch_dispatch__(cls, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        if func is torch.ops.aten.detach.default:
            return OnDevice(args[0].values)
        if func is torch.ops.aten._to_copy.default and kwargs.get("device") == torch.device("cpu"):
            return args[0].values.clone()
        raise RuntimeError(f"{func} is not supported on this stand-in device")


def test_checkpoints_written_to_disk_hold_cpu_tensors(tmp_path: Any) -> None:
    trainable = TorchTrainable(_model, _adam, _train_epoch, _accuracy, device="cpu")
    state, _, _ = trainable.step({"lr": 0.01}, trainable.init({"lr": 0.01}, seed=0))
    weight = state.model_state["0.weight"]
    kept = copy.copy(state)  # as keep_on_device=True leaves it after a step on a GPU
    kept.model_state = {**state.model_state, "0.weight": OnDevice(weight)}
    assert kept.model_state["0.weight"].device.type == "cuda"
    store = DiskCheckpointStore(tmp_path)
    store.save(0, kept)
    with open(tmp_path / "member-0.pkl", "rb") as file:
        loaded = pickle.load(file)  # what any process, GPU or not, reads
    assert type(loaded.model_state["0.weight"]) is torch.Tensor
    assert loaded.model_state["0.weight"].device.type == "cpu"
    assert _tensors_equal(loaded.model_state, state.model_state)
    assert _tensors_equal(store.load(0).optimizer_state, state.optimizer_state)
    member = trainable.restore(store.load(0), {"lr": 0.01})  # trains on, on the CPU
    assert torch.equal(member.model[0].weight.detach(), weight)


def test_restore_gives_the_model_in_eval_mode_ready_to_predict() -> None:
    trainable = TorchTrainable(_model, _adam, _train_epoch, _accuracy, device="cpu")
    params = {"lr": 0.01, "dropout": 0.5}
    state, score, _ = trainable.step(params, trainable.init(params, seed=0))
    member = trainable.restore(state, params)
    assert not member.model.training
    with torch.no_grad():  # dropout off: the same predictions twice, and the step's score
        assert torch.equal(member.model(VALID_X), member.model(VALID_X))
        assert _accuracy(member) == score
    modes: list[bool] = []

    def train_epoch(member: TorchMember) -> None:
        modes.append(member.model.training)
        _train_epoch(member)

    TorchTrainable(_model, _adam, train_epoch, _accuracy, device="cpu").step(params, state)
    assert modes == [True]  # a step still trains in train mode


def test_checkpoint_save_and_load_with_torch(tmp_path: Any) -> None:
    trainable = TorchTrainable(_model, _adam, _train_epoch, _accuracy, device="cpu")
    state, score, _ = trainable.step({"lr": 0.01}, trainable.init({"lr": 0.01}, seed=0))
    state.extra["best"] = torch.tensor(score)
    state.save(tmp_path / "best.pt")
    loaded = TorchCheckpoint.load(tmp_path / "best.pt")
    assert (loaded.epoch, loaded.seed) == (1, 0)
    assert _tensors_equal(loaded.optimizer_state, state.optimizer_state)
    member = trainable.restore(loaded, {"lr": 0.01})
    member.model.eval()
    with torch.no_grad():
        assert _accuracy(member) == score


def test_device_is_cuda_when_present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert select_device() == torch.device("cuda")
    assert select_device("cuda:1") == torch.device("cuda:1")
    with pytest.raises(InvalidParameterError, match=r"'device'.*N < 2.*Got 'cuda:2'"):
        select_device("cuda:2")
    assert select_device("cpu") == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert select_device() == torch.device("cpu")
    with pytest.raises(InvalidParameterError, match=r"'device'.*no CUDA.*Got 'cuda'"):
        select_device("cuda")
    with pytest.raises(InvalidParameterError, match=r"'device' parameter.*Got 'gpu7'"):
        select_device("gpu7")
    # devices this build lacks fail here, not at the first step; meta holds no values
    for missing in ("meta",) if torch.xpu.is_available() else ("xpu", "meta"):
        with pytest.raises(InvalidParameterError, match=f"'device' parameter.*Got '{missing}'"):
            select_device(missing)


needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@needs_cuda
def test_training_runs_on_the_gpu_and_rests_on_the_cpu() -> None:
    devices: list[str] = []

    def train_epoch(member: TorchMember) -> None:
        devices.append(next(member.model.parameters()).device.type)
        _train_epoch(member)

    trainable = TorchTrainable(_model, _adam, train_epoch, _accuracy)
    assert trainable.device.type == "cuda"
    state, _, _ = trainable.step({"lr": 0.01}, trainable.init({"lr": 0.01}, seed=0))
    assert devices == ["cuda"]
    assert state.model_state["0.weight"].device.type == "cpu"
    assert state.optimizer_state["state"][0]["exp_avg"].device.type == "cpu"
    kept = TorchTrainable(_model, _adam, _train_epoch, _accuracy, keep_on_device=True)
    state, _, _ = kept.step({"lr": 0.01}, kept.init({"lr": 0.01}, seed=0))
    assert state.model_state["0.weight"].device.type == "cuda"


# Reused worker processes that start CUDA grow by its context; loky reads that as a leak,
# restarts the worker and warns (the run goes on). An error here, the warning stalls joblib.
@pytest.mark.filterwarnings("ignore:A worker stopped while some jobs:UserWarning")
@needs_cuda
def test_pbt_on_the_gpu_repeats_in_processes_and_with_checkpoints_kept_there() -> None:
    reference = _run_pbt(device="cuda")
    scores = [trial.value for trial in reference.study_.trials]
    assert max(scores) > 0.5  # it learns
    assert reference.checkpoints.load(0).model_state["0.weight"].device.type == "cpu"
    # Worker processes start CUDA of their own; checkpoints kept on the GPU (exploit then
    # copies GPU tensors) train the same way as checkpoints at rest on the CPU.
    assert [t.value for t in _run_pbt(device="cuda", n_jobs=2).study_.trials] == scores
    kept = _run_pbt(device="cuda", keep_on_device=True)
    assert [t.value for t in kept.study_.trials] == scores
    assert kept.checkpoints.load(0).model_state["0.weight"].device.type == "cuda"


@needs_cuda
def test_a_checkpoint_trained_on_the_gpu_goes_on_training_on_the_cpu(tmp_path: Any) -> None:
    on_gpu = TorchTrainable(_model, _adam, _train_epoch, _accuracy, keep_on_device=True)
    state, score, _ = on_gpu.step({"lr": 0.01}, on_gpu.init({"lr": 0.01}, seed=0))
    assert state.optimizer_state["state"][0]["exp_avg"].device.type == "cuda"
    state.save(tmp_path / "best.pt")
    loaded = TorchCheckpoint.load(tmp_path / "best.pt")
    assert loaded.model_state["0.weight"].device.type == "cpu"
    on_cpu = TorchTrainable(_model, _adam, _train_epoch, _accuracy, device="cpu")
    member = on_cpu.restore(loaded, {"lr": 0.01})
    member.model.eval()
    with torch.no_grad():
        # The same weights; float sums on another device may flip one close prediction.
        assert abs(_accuracy(member) - score) <= 1 / len(VALID_Y)
    # The GPU checkpoint itself (not read back from disk) also trains on, on the CPU.
    state, _, _ = on_cpu.step({"lr": 0.01}, state)
    assert state.epoch == 2
    assert state.optimizer_state["state"][0]["exp_avg"].device.type == "cpu"


# -- bad input ---------------------------------------------------------------------------


def test_bad_arguments_name_the_parameter() -> None:
    with pytest.raises(InvalidParameterTypeError, match=r"'model' parameter of TorchTrainable"):
        TorchTrainable("net", _adam, _train_epoch)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"'optimizer_params'.*Got \{'lr': 3\}"):
        TorchTrainable(_model, _adam, _train_epoch, optimizer_params={"lr": 3})  # type: ignore[dict-item]
    trainable = TorchTrainable(_model, _adam, _train_epoch, device="cpu")
    state = trainable.init({"lr": 0.01}, seed=0)
    with pytest.raises(InvalidParameterError, match=r"'train_epoch'.*returned None"):
        trainable.step({"lr": 0.01}, state)
    pair = TorchTrainable(_model, _adam, lambda member: (0.3, 0.9), device="cpu")
    with pytest.raises(InvalidParameterError, match=r"'train_epoch'.*details a dict.*0\.9\)"):
        pair.step({"lr": 0.01}, state)  # (loss, accuracy) is not (score, details)
    with pytest.raises(InvalidParameterTypeError, match=r"'checkpoint'.*TorchCheckpoint"):
        trainable.restore({"weights": []}, {"lr": 0.01})  # type: ignore[arg-type]


def test_missing_torch_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.delitem(sys.modules, "fastune.integration.torch")
    with pytest.raises(MissingDependencyError, match=r"pip install 'fastune\[torch\]'"):
        importlib.import_module("fastune.integration.torch")


# -- pruning -----------------------------------------------------------------------------


def test_a_pruned_torch_trial_stops_training() -> None:
    epochs_run: list[int] = []

    def objective(trial: fastune.Trial) -> float:
        params = {"lr": trial.suggest_float("lr", 1e-3, 1e-2)}
        model, epochs = _model(params), 0
        optimizer = _adam(model, params)
        member = TorchMember(model, optimizer, params, torch.device("cpu"), 0, {})
        try:
            for epoch in range(10):
                epochs += 1
                _train_epoch(member)
                with torch.no_grad():
                    report_epoch(trial, _accuracy(member), epoch)
        finally:
            epochs_run.append(epochs)
        return _accuracy(member)

    # No accuracy reaches 2: every trial is pruned at its first check, after epoch 3.
    study = fastune.create_study(
        direction="maximize", pruner=ThresholdPruner(lower=2.0, n_warmup_steps=3)
    )
    study.optimize(objective, n_trials=2)
    assert epochs_run == [4, 4]
    assert all(trial.state == TrialState.PRUNED for trial in study.trials)
    assert list(study.trials[0].intermediate_values) == [0, 1, 2, 3]


# -- skorch ------------------------------------------------------------------------------


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=needs_cuda)])
def test_skorch_net_in_pbt_search_cv_trains_by_partial_fit(device: str) -> None:
    skorch = pytest.importorskip("skorch")
    features, labels = load_digits(return_X_y=True)
    x, y = (features[:300] / 16.0).astype(np.float32), labels[:300].astype(np.int64)
    torch.manual_seed(0)  # the module's initial weights
    net = skorch.NeuralNetClassifier(
        torch.nn.Sequential(torch.nn.Linear(64, 16), torch.nn.ReLU(), torch.nn.Linear(16, 10)),
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.SGD,
        optimizer__momentum=0.9,
        lr=0.1,
        max_epochs=1,
        batch_size=16,
        train_split=None,
        verbose=0,
        device=device,
    )
    search = fastune.PBTSearchCV(
        net,
        {"lr": loguniform(0.01, 0.3)},
        population_size=4,
        generations=3,
        cv=2,
        random_state=0,
        refit=True,
    ).fit(x, y)
    assert search.best_score_ > 0.5
    epochs = search.cv_results_["generation"]
    assert sorted(set(epochs)) == [0, 1, 2]
    # The refit net trained through the best schedule, one epoch per step, and the
    # explored learning rates reached its optimizer.
    best = search.best_estimator_
    assert len(best.history) == sum(entry["steps"] for entry in search.best_schedule_)
    assert best.optimizer_.param_groups[0]["lr"] == search.best_schedule_[-1]["params"]["lr"]
    assert {p.device.type for p in best.module_.parameters()} == {device}
