"""PyTorch (``pip install fastune[torch]``): Population Based Training of a torch model,
and pruning in a plain training loop.

:class:`TorchTrainable` turns a model factory, an optimizer factory and an epoch function
into a :class:`fastune.pbt.Trainable`: fastune owns the loop, the checkpoints and the
weight transfer at exploit.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import os
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from fastune._imports import import_optional

import_optional("torch", "torch")

import torch  # noqa: E402  (after the check that names the extra)

from fastune._validation import invalid, invalid_type  # noqa: E402
from fastune.exceptions import TrialPruned  # noqa: E402

__all__ = [
    "TorchCheckpoint",
    "TorchMember",
    "TorchTrainable",
    "report_epoch",
    "select_device",
    "set_optimizer_params",
]

# A param-group key, or a (key, position) pair for one entry of a tuple such as Adam's betas.
OptimizerKey = str | tuple[str, int]


def select_device(device: str | torch.device | None = None) -> torch.device:
    """The device to train on: ``device`` if given, else CUDA when present, else the CPU.

    Args:
        device: ``None`` (choose), or a device such as ``"cpu"``, ``"cuda"``, ``"cuda:1"``.

    Raises:
        InvalidParameterError: not a device name, or CUDA asked for where there is none.

    Example:
        >>> from fastune.integration.torch import select_device
        >>> select_device("cpu")
        device(type='cpu')
    """
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    allowed = "None, 'cpu', 'cuda', 'cuda:N' or a torch.device"
    try:
        chosen = torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise invalid("device", "select_device", allowed, device) from error
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise invalid("device", "select_device", f"{allowed} this machine has (no CUDA)", device)
    if chosen.type == "cuda":
        count = torch.cuda.device_count()
        if chosen.index is not None and chosen.index >= count:
            raise invalid("device", "select_device", f"{allowed} with N < {count}", device)
        return chosen
    if chosen.type == "meta":  # holds no values: nothing can be trained on it
        raise invalid("device", "select_device", allowed, device)
    try:  # a device this torch build or machine lacks (mps, xpu) fails here
        torch.empty(0, device=chosen)
    except (RuntimeError, AssertionError) as error:
        reason = str(error).strip().splitlines()[0][:120]
        raise invalid(
            "device", "select_device", f"a device this machine has ({reason})", device
        ) from error
    return chosen


def report_epoch(trial: Any, value: float, epoch: int) -> None:
    """Report ``value`` at ``epoch`` and stop the trial if the study's pruner says so.

    The pruning hook of a plain torch loop: call it once per epoch after validation.

    Raises:
        TrialPruned: the pruner stops the trial.

    Example:
        >>> import fastune
        >>> from fastune.integration.torch import report_epoch
        >>> def objective(trial):
        ...     lr = trial.suggest_float("lr", 1e-3, 1.0, log=True)
        ...     for epoch in range(10):
        ...         accuracy = 1.0 - 0.5 / (1 + lr * epoch)  # train an epoch here
        ...         report_epoch(trial, accuracy, epoch)
        ...     return accuracy
        >>> study = fastune.create_study(direction="maximize")
        >>> study.optimize(objective, n_trials=5)
    """
    trial.report(float(value), epoch)
    if trial.should_prune():
        raise TrialPruned(f"Trial {trial.number} was pruned at epoch {epoch}.")


@dataclasses.dataclass
class TorchCheckpoint:
    """A member's training state at rest: what PBT stores, copies at exploit and pickles.

    Attributes:
        model_state: The model's ``state_dict()``.
        optimizer_state: The optimizer's ``state_dict()`` (momentum buffers, Adam moments).
        epoch: Epochs trained.
        seed: The member's seed; epoch ``k`` is trained with a seed drawn from (seed, k).
        extra: The member's own state kept across epochs (``TorchMember.extra``).
    """

    model_state: dict[str, Any]
    optimizer_state: dict[str, Any]
    epoch: int
    seed: int
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the checkpoint with ``torch.save``."""
        torch.save(
            {
                "model_state": self.model_state,
                "optimizer_state": self.optimizer_state,
                "epoch": self.epoch,
                "seed": self.seed,
                "extra": self.extra,
            },
            path,
        )

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], map_location: str | torch.device = "cpu"
    ) -> TorchCheckpoint:
        """Read a checkpoint written by :meth:`save` (tensors and plain containers only)."""
        return cls(**torch.load(path, map_location=map_location, weights_only=True))


@dataclasses.dataclass
class TorchMember:
    """A member while it trains: what the epoch and evaluation functions receive.

    Attributes:
        model: The model, on ``device``, its weights loaded.
        optimizer: The optimizer, its state loaded and its hyperparameters set from
            ``params``.
        params: The member's hyperparameters for this epoch.
        device: Where the model is.
        epoch: Epochs trained before this one.
        extra: State of the user's own, kept in the checkpoint (plain values and tensors).
    """

    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    params: dict[str, Any]
    device: torch.device
    epoch: int
    extra: dict[str, Any]


class TorchTrainable:
    """Population Based Training of a torch model: give the parts, fastune runs the loop.

    One PBT step is one epoch. Each step rebuilds the model and the optimizer from the
    factories with the member's current hyperparameters, loads the member's
    checkpoint into them, gives the optimizer's param groups back the hyperparameters
    the factory set (``lr``, ``weight_decay``, ``momentum``, ..., group by group:
    loading would bring back the checkpoint's), sets a searched value named as an
    optimizer hyperparameter in every group when the factory does not read it (it
    builds the optimizer once more with another value to see), trains one epoch and
    scores it, and
    returns a new :class:`TorchCheckpoint`. Exploit therefore copies the donor's model
    *and* optimizer state, and explore's new learning rate, whatever its name in the
    search space, is the one the optimizer uses, per-group settings (no weight decay on
    biases, layer-wise rates) kept. Hyperparameters the factories read (a dropout
    rate) take effect through the rebuild; others (a batch size) are read by
    ``train_epoch`` from ``member.params``, or set by the ``apply_params`` hook or
    ``optimizer_params``.

    A copy at exploit trains on with random numbers of its own (:meth:`reseed`), not
    with its donor's: two members with the same hyperparameters do not become clones.

    Checkpoints rest on the CPU between epochs (``keep_on_device=False``), so the GPU
    holds one member at a time. They are kept in memory by
    :class:`~fastune.pbt.PopulationBasedTraining`, or on disk with its
    ``checkpoint_dir=`` (tensors are written by torch's own serializer, from the CPU even
    with ``keep_on_device=True``: a process without the GPU can read them).

    Args:
        model: ``model(params) -> torch.nn.Module``.
        optimizer: ``optimizer(model, params) -> torch.optim.Optimizer``.
        train_epoch: ``train_epoch(member)`` trains ``member.model`` one epoch; without
            ``evaluate`` it returns the score.
        evaluate: ``evaluate(member) -> score`` or ``(score, details)``, run in eval
            mode without gradients; details are kept in the segment trial's user attrs.
        device: Where to train; by default CUDA when present, else the CPU.
        keep_on_device: Keep checkpoints on the device (fast, but GPU memory then holds
            every member); those written to ``checkpoint_dir`` are on the CPU all the
            same.
        optimizer_params: Search-space name -> param-group key, such as
            ``{"learning_rate": "lr", "beta1": ("betas", 0)}``: those values are set in
            every param group after loading, for an optimizer factory that does not
            read them from ``params``. None (the default): the factory's values, and
            searched names that are keys of the optimizer's ``defaults`` and that the
            factory ignores, in every group.
        apply_params: ``apply_params(member)``, called after the checkpoint is loaded
            and before the epoch, for hyperparameters set in place.

    Raises:
        InvalidParameterError: a bad ``device`` or ``optimizer_params``.
        InvalidParameterTypeError: a factory or function that is not callable.

    Example:
        >>> import torch
        >>> from fastune.integration.torch import TorchTrainable
        >>> from fastune.pbt import PopulationBasedTraining
        >>> x, y = torch.randn(64, 4), torch.randn(64, 1)
        >>> def train_epoch(member):
        ...     member.optimizer.zero_grad()
        ...     torch.nn.functional.mse_loss(member.model(x), y).backward()
        ...     member.optimizer.step()
        >>> def evaluate(member):
        ...     return -torch.nn.functional.mse_loss(member.model(x), y).item()
        >>> trainable = TorchTrainable(
        ...     lambda params: torch.nn.Linear(4, 1),
        ...     lambda model, params: torch.optim.SGD(model.parameters(), lr=params["lr"]),
        ...     train_epoch, evaluate, device="cpu")
        >>> pbt = PopulationBasedTraining(trainable, {"lr": [0.01, 0.1]}, population_size=4,
        ...                               generations=3, random_state=0).run()
        >>> len(pbt.segments_)
        12
    """

    def __init__(
        self,
        model: Callable[[dict[str, Any]], torch.nn.Module],
        optimizer: Callable[[torch.nn.Module, dict[str, Any]], torch.optim.Optimizer],
        train_epoch: Callable[[TorchMember], Any],
        evaluate: Callable[[TorchMember], Any] | None = None,
        *,
        device: str | torch.device | None = None,
        keep_on_device: bool = False,
        optimizer_params: Mapping[str, OptimizerKey] | None = None,
        apply_params: Callable[[TorchMember], None] | None = None,
    ) -> None:
        owner = "TorchTrainable"
        required: dict[str, object] = {
            "model": model,
            "optimizer": optimizer,
            "train_epoch": train_epoch,
        }
        for name, function in required.items():
            if not callable(function):
                raise invalid_type(name, owner, "a callable", function)
        optional: dict[str, object] = {"evaluate": evaluate, "apply_params": apply_params}
        for name, function in optional.items():
            if function is not None and not callable(function):
                raise invalid_type(name, owner, "a callable or None", function)
        self.model = model
        self.optimizer = optimizer
        self.train_epoch = train_epoch
        self.evaluate = evaluate
        self.device = select_device(device)
        self.keep_on_device = bool(keep_on_device)
        self.optimizer_params = _check_optimizer_params(optimizer_params)
        self.apply_params = apply_params
        # Whether the optimizer factory reads a searched name, once settled, and the first
        # value of a name that the factory seemed to ignore (see _factory_reads).
        self._reads: dict[str, bool] = {}
        self._ignored_at: dict[str, float] = {}

    def init(self, params: dict[str, Any], seed: int) -> TorchCheckpoint:
        """A fresh model and optimizer, initialized from ``seed``."""
        with _seeded(seed, self.device):
            model = self.model(dict(params)).to(self.device)
            optimizer = self.optimizer(model, dict(params))
        return TorchCheckpoint(
            self._rest(model.state_dict()), self._rest(optimizer.state_dict()), 0, seed
        )

    def restore(self, checkpoint: TorchCheckpoint, params: dict[str, Any]) -> TorchMember:
        """Build the model and optimizer for ``params`` on the device, load ``checkpoint``
        into them and set the optimizer's hyperparameters.

        The model is in eval mode (dropout off, batch norm on its running statistics),
        ready to predict, as for the best checkpoint of a run; call
        ``member.model.train()`` to train it further (:meth:`step` does).
        """
        if not isinstance(checkpoint, TorchCheckpoint):
            raise invalid_type(
                "checkpoint",
                "TorchTrainable.restore",
                "a TorchCheckpoint from TorchTrainable.init or step",
                checkpoint,
            )
        model = self.model(dict(params)).to(self.device)
        model.load_state_dict(checkpoint.model_state)
        model.eval()
        optimizer = self.optimizer(model, dict(params))
        built = [
            {key: value for key, value in group.items() if key != "params"}
            for group in optimizer.param_groups
        ]
        # The optimizer trains its loaded state in place, and loading keeps tensors already
        # on the device: a copy keeps the checkpoint intact. Loading also brings back the
        # checkpoint's hyperparameters (a donor's learning rate): the factory's, made from
        # this member's params, are put back after it.
        optimizer.load_state_dict(copy.deepcopy(checkpoint.optimizer_state))
        for group, values in zip(optimizer.param_groups, built, strict=True):
            group.update(values)
        if self.optimizer_params is not None:
            set_optimizer_params(optimizer, params, self.optimizer_params)
        else:  # searched names of optimizer hyperparameters that the factory ignores
            ignored = [
                name
                for name in sorted(set(params) & set(optimizer.defaults))
                if not self._factory_reads(model, params, name, built)
            ]
            set_optimizer_params(optimizer, params, {name: name for name in ignored})
        member = TorchMember(
            model=model,
            optimizer=optimizer,
            params=dict(params),
            device=self.device,
            epoch=checkpoint.epoch,
            extra=copy.deepcopy(checkpoint.extra),
        )
        if self.apply_params is not None:
            self.apply_params(member)
        return member

    def step(
        self, params: dict[str, Any], state: TorchCheckpoint
    ) -> tuple[TorchCheckpoint, float, dict[str, Any]]:
        """Train one epoch from ``state`` with ``params``; return the new checkpoint, the
        score and the details."""
        with _seeded(_epoch_seed(state.seed, state.epoch), self.device):
            member = self.restore(state, params)
            member.model.train()
            returned = self.train_epoch(member)
            if self.evaluate is not None:
                member.model.eval()
                with torch.no_grad():
                    returned = self.evaluate(member)
        source = "train_epoch" if self.evaluate is None else "evaluate"
        score, details = _score_and_details(returned, source)
        checkpoint = TorchCheckpoint(
            self._rest(member.model.state_dict()),
            self._rest(member.optimizer.state_dict()),
            state.epoch + 1,
            state.seed,
            member.extra,
        )
        return checkpoint, score, details

    def _factory_reads(
        self, model: Any, params: dict[str, Any], name: str, built: list[dict[str, Any]]
    ) -> bool:
        """Whether the optimizer factory uses ``params[name]``: it builds the optimizer
        again with another value and sees whether any group changed.

        A change settles "reads" for the run. "Ignores" is settled only once two different
        values gave it: a factory that maps the value and the probe to the same rate (a
        cap on the learning rate) would otherwise lose its per-group rates for good.
        """
        known = self._reads
        if name in known:
            return known[name]
        value = params[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            known[name] = True  # no other value to try: taken as read
            return True
        probe = _probe_value(value)
        if probe is None:  # an infinite value: nothing to compare with, taken as read
            return True
        try:
            groups = self.optimizer(model, dict(params, **{name: probe})).param_groups
        except (ValueError, TypeError):
            # The probe reached the optimizer, which refused it: the factory reads it.
            known[name] = True
            return True
        if any(g[name] != b.get(name) for g, b in zip(groups, built, strict=True)):
            known[name] = True
            return True
        first = self._ignored_at.setdefault(name, value)
        if first != value:
            known[name] = False
        return False

    def reseed(self, state: TorchCheckpoint, seed: int) -> TorchCheckpoint:
        """``state`` with its epochs drawn from ``seed`` from now on (PBT calls it on a
        copy at exploit, and :func:`~fastune.pbt.replay` where the schedule does)."""
        return dataclasses.replace(state, seed=int(seed))

    def _rest(self, state: Any) -> Any:
        """``state`` where it rests between epochs: on the CPU unless kept on the device."""
        return state if self.keep_on_device else _to_device(state, torch.device("cpu"))


def set_optimizer_params(
    optimizer: torch.optim.Optimizer,
    params: Mapping[str, Any],
    keys: Mapping[str, OptimizerKey] | None = None,
) -> None:
    """Set hyperparameters in every param group of ``optimizer``, in place.

    Args:
        optimizer: The optimizer.
        params: Values by search-space name.
        keys: Search-space name -> param-group key (or ``(key, position)`` in a tuple);
            by default every name in ``params`` that is a key of ``optimizer.defaults``.

    Raises:
        InvalidParameterError: a mapped key the optimizer does not have.
    """
    if keys is None:
        keys = {name: name for name in params if name in optimizer.defaults}
    for name, key in keys.items():
        if name not in params:
            continue
        group_key, position = (key, None) if isinstance(key, str) else key
        if group_key not in optimizer.defaults:
            raise invalid(
                "optimizer_params",
                "TorchTrainable",
                f"a mapping to keys of {type(optimizer).__name__}'s param groups "
                f"({sorted(optimizer.defaults)})",
                {name: key},
            )
        for group in optimizer.param_groups:
            if position is None:
                group[group_key] = _like(group[group_key], params[name])
            else:
                values = list(group[group_key])
                values[position] = _like(values[position], params[name])
                group[group_key] = tuple(values)


def _probe_value(value: float) -> float | None:
    """A value other than ``value`` for the optimizer factory to be built with, in the
    ranges optimizers accept (it shrinks towards 0.25, which stays inside [0, 1] for a
    momentum or a beta); None for an infinite value, which has no other."""
    probe = value * 0.5 + 0.125
    if probe == value:  # 0.25 is its own probe
        probe = value * 0.5
    return None if probe == value else probe


def _like(current: Any, value: Any) -> Any:
    """``value`` as a float where the optimizer held a float (not a numpy scalar)."""
    return float(value) if isinstance(current, float) else value


def _check_optimizer_params(
    optimizer_params: Mapping[str, OptimizerKey] | None,
) -> dict[str, OptimizerKey] | None:
    if optimizer_params is None:
        return None
    allowed = "None or a mapping of name -> param-group key or (key, position)"
    if not isinstance(optimizer_params, Mapping):
        raise invalid_type("optimizer_params", "TorchTrainable", allowed, optimizer_params)
    for key in optimizer_params.values():
        pair = isinstance(key, tuple) and len(key) == 2
        if not (isinstance(key, str) or (pair and isinstance(key[0], str))):
            raise invalid("optimizer_params", "TorchTrainable", allowed, dict(optimizer_params))
        if pair and (not isinstance(key[1], int) or isinstance(key[1], bool)):
            raise invalid("optimizer_params", "TorchTrainable", allowed, dict(optimizer_params))
    return dict(optimizer_params)


def _score_and_details(returned: Any, source: str) -> tuple[float, dict[str, Any]]:
    """The score and details out of what ``source`` (the function that scores) returned."""
    if isinstance(returned, tuple) and len(returned) == 2 and isinstance(returned[1], Mapping):
        score, details = returned
        return _as_float(score), dict(details)
    try:
        return _as_float(returned), {}
    except (TypeError, ValueError) as error:
        raise invalid(
            source,
            "TorchTrainable",
            "a function returning the score, or (score, details) with details a dict"
            + (" when no evaluate function is given" if source == "train_epoch" else ""),
            f"a function that returned {returned!r}",
        ) from error


def _as_float(value: Any) -> float:
    return float(value.detach()) if isinstance(value, torch.Tensor) else float(value)


def _to_device(state: Any, device: torch.device) -> Any:
    """``state`` with every tensor in it on ``device`` (nested dicts, lists, tuples)."""
    if isinstance(state, torch.Tensor):
        return state.to(device)
    if isinstance(state, dict):
        return {key: _to_device(value, device) for key, value in state.items()}
    if isinstance(state, (list, tuple)):
        return type(state)(_to_device(value, device) for value in state)
    return state


def _epoch_seed(seed: int, epoch: int) -> int:
    """The seed of one epoch of one member: independent of the order members train in."""
    return int(np.random.SeedSequence([seed, epoch]).generate_state(1)[0])


@contextlib.contextmanager
def _seeded(seed: int, device: torch.device) -> Iterator[None]:
    """Seed torch's random generators for the block, then give back their former state."""
    cuda_devices = []
    if device.type == "cuda":
        cuda_devices = [device.index if device.index is not None else torch.cuda.current_device()]
    with torch.random.fork_rng(devices=cuda_devices):
        torch.manual_seed(seed)
        yield
