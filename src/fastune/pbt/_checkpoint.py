"""Where the trained state of each member rests between segments: memory or disk."""

from __future__ import annotations

import abc
import copy
import io
import os
import pickle
import sys
from collections.abc import Mapping
from typing import Any

__all__ = ["BaseCheckpointStore", "DiskCheckpointStore", "MemoryCheckpointStore"]


class BaseCheckpointStore(abc.ABC):
    """Holds one checkpoint per member; exploit copies a donor's over the copier's."""

    @abc.abstractmethod
    def save(self, member: int, state: Any) -> None:
        """Keep ``state`` as ``member``'s checkpoint."""

    @abc.abstractmethod
    def load(self, member: int) -> Any:
        """Return ``member``'s checkpoint (None before its first segment)."""

    def transfer(self, donors: Mapping[int, int]) -> None:
        """Give each member an independent copy of its donor's checkpoint.

        All donors' checkpoints are read before any is replaced, so a member may be a
        donor and a copier in the same round.
        """
        states = {donor: self.load(donor) for donor in set(donors.values())}
        for member, donor in donors.items():
            self.save(member, copy.deepcopy(states[donor]))


class MemoryCheckpointStore(BaseCheckpointStore):
    """Checkpoints as Python objects, one per member; a transfer makes deep copies."""

    def __init__(self) -> None:
        self._states: dict[int, Any] = {}

    def save(self, member: int, state: Any) -> None:
        self._states[member] = state

    def load(self, member: int) -> Any:
        return self._states.get(member)


class DiskCheckpointStore(BaseCheckpointStore):
    """Checkpoints pickled to files in ``directory``: only the states in training are in
    memory, and workers on other machines can read them from a shared directory.

    Torch tensors are written from the CPU: a state that training kept on a GPU reads
    back with its tensors on the CPU, in any process, with or without that GPU (a
    :class:`~fastune.integration.torch.TorchTrainable` moves them to its device).

    Args:
        directory: Where the files go (created at the first save if missing).
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = os.fspath(directory)

    def path(self, member: int) -> str:
        """The file of ``member``'s checkpoint."""
        return os.path.join(self.directory, f"member-{member}.pkl")

    def save(self, member: int, state: Any) -> None:
        os.makedirs(self.directory, exist_ok=True)
        temporary = self.path(member) + ".tmp"
        with open(temporary, "wb") as file:
            _dump(state, file)
        os.replace(temporary, self.path(member))  # a crash never leaves half a file

    def load(self, member: int) -> Any:
        if not os.path.exists(self.path(member)):
            return None
        with open(self.path(member), "rb") as file:
            return pickle.load(file)


def _dump(state: Any, file: io.BufferedWriter) -> None:
    """Pickle ``state`` to ``file``, its torch tensors moved to the CPU (torch is only
    looked at if the process imported it: otherwise the state holds no tensor)."""
    torch = sys.modules.get("torch")
    if torch is None:
        pickle.dump(state, file, protocol=pickle.HIGHEST_PROTOCOL)
    else:
        _CPUPickler(file, torch).dump(state)


class _CPUPickler(pickle.Pickler):
    """A pickler that writes each torch tensor held on a device as its copy on the CPU:
    pickle would write where it lies, which a process without that device cannot load."""

    def __init__(self, file: io.BufferedWriter, torch: Any) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._torch = torch

    def reducer_override(self, obj: Any) -> Any:
        torch = self._torch
        if not isinstance(obj, torch.Tensor) or obj.device.type in ("cpu", "meta"):
            return NotImplemented  # meta tensors hold no values to move
        moved = obj.detach().cpu().requires_grad_(obj.requires_grad)
        if isinstance(obj, torch.nn.Parameter):
            moved = torch.nn.Parameter(moved, requires_grad=obj.requires_grad)
        return moved.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
