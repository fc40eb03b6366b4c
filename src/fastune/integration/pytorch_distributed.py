"""PyTorch distributed (``pip install fastune[torch]``): one trial shared by the processes
of a distributed training run, with Optuna's name (``TorchDistributedTrial``).

Rank 0 holds the study's trial; every other rank holds a stand-in that receives what rank
0's trial answered. Each call is collective: all ranks make it, in the same order, and all
get the same value, or the same exception.
"""

from __future__ import annotations

import datetime
import pickle
from collections.abc import Callable, Mapping
from typing import Any

from fastune._imports import import_optional

import_optional("torch", "torch")

import torch.distributed as dist  # noqa: E402  (after the check that names the extra)

from fastune.distributions import BaseDistribution  # noqa: E402
from fastune.exceptions import FastuneError, InvalidParameterTypeError  # noqa: E402
from fastune.trial._base import BaseTrial  # noqa: E402

__all__ = ["TorchDistributedTrial"]

_OWNER = "TorchDistributedTrial"

# The gloo groups made beside NCCL default groups, one per default group: a group is made
# collectively, so it is made once and reused by every later trial.
_gloo_groups: dict[Any, Any] = {}


def _default_group() -> Any:
    if not dist.is_available() or not dist.is_initialized():
        raise FastuneError(
            f"{_OWNER}: torch.distributed is not initialized; call "
            "torch.distributed.init_process_group(...) on every rank first, or pass group."
        )
    world = dist.group.WORLD
    if dist.get_backend(world) != "nccl":
        return world
    # The trial's messages are CPU objects: an NCCL group carries only CUDA tensors.
    if world not in _gloo_groups:
        _gloo_groups[world] = dist.new_group(backend="gloo")
    return _gloo_groups[world]


def _sendable(error: BaseException) -> BaseException:
    """``error`` itself if it can be pickled to the other ranks, else a RuntimeError that
    names it (an exception that does not pickle would leave them waiting)."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__} on rank 0: {error}")
    return error


class TorchDistributedTrial(BaseTrial):
    """A trial shared by the ranks of a ``torch.distributed`` process group: pass the
    study's trial on rank 0 and ``None`` on every other rank, and call the same methods
    in the same order on all of them. Rank 0's trial does the work (suggest, report,
    prune); every rank gets its answer, or raises its exception.

    Each call is one broadcast from rank 0 that carries the answer and, after a
    suggestion or an attribute set, the trial's state (number, params, distributions,
    attributes, constraints, start time), so the properties read the same on every rank.
    A suggested value is the one the study records, on every rank (Optuna's sends floats
    as 32-bit tensors, so its ranks train with values a little off the record). An error
    raised by rank 0's trial is raised on every rank, and the ranks stay in step (with
    Optuna's, the error reaches rank 0 only, and the other ranks read rank 0's next
    message as the answer they waited for: a collective mismatch that gloo aborts on).

    A suggestion's range is checked on every rank. The values given to ``report`` and
    ``set_user_attr`` on ranks other than 0 are not used: rank 0's are.

    Args:
        trial: The study's trial on rank 0 (any fastune trial); ``None`` on other ranks.
        group: The process group to use. ``None``: the default group, or, when it is an
            NCCL group (which carries only CUDA tensors), a gloo group beside it, made
            once per default group. A group given must carry CPU objects (gloo), or CUDA
            ones with the current CUDA device set (NCCL).

    Raises:
        FastuneError: ``group`` is ``None`` and ``torch.distributed`` is not initialized.
        InvalidParameterTypeError: ``trial`` is not a trial on rank 0, or not ``None``
            on another rank; raised on every rank, with the same message.

    Example:
        On rank 0 the study runs, and the others run the objective as many times::

            def objective(trial):
                trial = TorchDistributedTrial(trial)  # None on ranks other than 0
                lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
                for epoch in range(epochs):
                    ...  # train a DistributedDataParallel model one epoch
                    trial.report(accuracy, epoch)
                    if trial.should_prune():
                        raise fastune.TrialPruned()
                return accuracy

            if dist.get_rank() == 0:
                study.optimize(objective, n_trials=20)
            else:
                for _ in range(20):
                    with contextlib.suppress(fastune.TrialPruned):
                        objective(None)
    """

    def __init__(self, trial: BaseTrial | None, group: Any = None) -> None:
        self._group = _default_group() if group is None else group
        self._rank = dist.get_rank(self._group)
        self._delegate = trial
        right = isinstance(trial, BaseTrial) if self._rank == 0 else trial is None
        # One gather, so that a wrong argument on any rank is raised on every rank and
        # none is left waiting; rank 0's entry carries the trial's state.
        state = self._snapshot() if right and self._rank == 0 else None
        mine = (None if right else repr(trial), state)
        gathered: list[Any] = [None] * dist.get_world_size(self._group)
        dist.all_gather_object(gathered, mine, group=self._group)
        wrong = [(rank, got) for rank, (got, _) in enumerate(gathered) if got is not None]
        if wrong:
            rank, got = wrong[0]
            raise InvalidParameterTypeError(
                f"The 'trial' parameter of {_OWNER} must be a trial on rank 0 and None on "
                f"the other ranks. Got {got} on rank {rank} instead."
            )
        self._state: dict[str, Any] = gathered[0][1]

    # --- the collective calls ---------------------------------------------------------

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        # The distribution was built and checked on every rank by BaseTrial already.
        return self._collective(lambda delegate: delegate._suggest(name, distribution))

    def report(self, value: float, step: int) -> None:
        """Report ``value`` at ``step`` through rank 0's trial (see :meth:`Trial.report`)."""
        self._collective(lambda delegate: delegate.report(value, step), changes_state=False)

    def should_prune(self) -> bool:
        """Rank 0's trial's answer, on every rank."""
        return bool(self._collective(lambda t: t.should_prune(), changes_state=False))

    def set_user_attr(self, key: str, value: Any) -> None:
        """Set a user attribute through rank 0's trial; every rank then reads it."""
        self._collective(lambda delegate: delegate.set_user_attr(key, value))

    def set_system_attr(self, key: str, value: Any) -> None:
        """Set a system attribute through rank 0's trial; every rank then reads it."""
        self._collective(lambda delegate: delegate.set_system_attr(key, value))

    def _collective(self, call: Callable[[BaseTrial], Any], changes_state: bool = True) -> Any:
        """Run ``call`` on rank 0's trial; every rank gets its value or error (and, when
        it ``changes_state`` (a suggestion, an attribute), the trial's state after it)."""
        if self._rank == 0:
            assert self._delegate is not None
            delegate = self._delegate
            outcome = self._broadcast(self._outcome(lambda: call(delegate), changes_state))
        else:
            outcome = self._broadcast(None)
        return self._settle(outcome)

    def _outcome(self, call: Callable[[], Any], changes_state: bool) -> dict[str, Any]:
        """On rank 0: the call's value or error, and the trial's state after it if the
        call ``changes_state`` (else None: the ranks keep the state they hold)."""
        value, error = None, None
        try:
            value = call()
        except Exception as raised:
            error = _sendable(raised)
        state = self._snapshot() if changes_state else None
        return {"value": value, "error": error, "state": state}

    def _snapshot(self) -> dict[str, Any]:
        """On rank 0: the state of its trial that the properties read."""
        delegate = self._delegate
        return {
            "number": getattr(delegate, "number", None),
            "params": dict(getattr(delegate, "params", {})),
            "distributions": dict(getattr(delegate, "distributions", {})),
            "user_attrs": dict(getattr(delegate, "user_attrs", {})),
            "system_attrs": dict(getattr(delegate, "system_attrs", {})),
            "datetime_start": getattr(delegate, "datetime_start", None),
        }

    def _settle(self, outcome: dict[str, Any]) -> Any:
        if outcome["state"] is not None:
            self._state = outcome["state"]
        if outcome["error"] is not None:
            raise outcome["error"]
        return outcome["value"]

    def _broadcast(self, message: Any) -> Any:
        box = [message]
        dist.broadcast_object_list(box, src=self._global_rank_zero(), group=self._group)
        return box[0]

    def _global_rank_zero(self) -> int:
        # broadcast_object_list names its source by global rank.
        if self._group is dist.group.WORLD:
            return 0
        return int(dist.get_global_rank(self._group, 0))

    # --- the trial's state, as rank 0's trial had it after the last call -----------------

    def _system_attrs_held(self) -> Mapping[str, Any]:
        return self._state["system_attrs"]

    @property
    def number(self) -> int:
        """The trial's number in its study."""
        return int(self._state["number"])

    @property
    def params(self) -> dict[str, Any]:
        """The parameters suggested so far."""
        return dict(self._state["params"])

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        """The distributions of the parameters suggested so far."""
        return dict(self._state["distributions"])

    @property
    def user_attrs(self) -> dict[str, Any]:
        """The user attributes."""
        return dict(self._state["user_attrs"])

    @property
    def system_attrs(self) -> dict[str, Any]:
        """The system attributes."""
        return dict(self._state["system_attrs"])

    @property
    def datetime_start(self) -> datetime.datetime | None:
        """When rank 0's trial started."""
        start: datetime.datetime | None = self._state["datetime_start"]
        return start
