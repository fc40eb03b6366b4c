"""What resuming an interrupted PBT run reads: the manifest next to its checkpoint files."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastune._space import SearchSpace

__all__ = ["MANIFEST_NAME", "RUN_KEY", "Manifest"]

#: Study system attribute of a PBT run: ``{"checkpoints": name of the run's subdirectory
#: of checkpoint_dir (None: checkpoints in memory), "population_size": n,
#: "synchronous": bool}``.
RUN_KEY = "pbt:run"
MANIFEST_NAME = "manifest.json"


class Manifest:
    """The file, next to a run's checkpoint files, that says what each file holds.

    It is rewritten whole (to a temporary file, then renamed over the old one, so a
    crash leaves the old or the new one) after every change of a checkpoint file. It
    holds each member as it stands (:class:`~fastune.pbt.Member`: the trial whose end
    state its file holds, the seed that state draws from, the hyperparameters of its next
    segment, ...), the position of the run's random generator, and the members whose
    files are being replaced by a copy of a donor's (their files hold no known state
    until the next rewrite).

    Args:
        directory: The run's checkpoint directory.
        space: The search space; hyperparameters are written in its distributions'
            internal form (numbers), which any choice of a categorical has.
    """

    def __init__(self, directory: str, space: SearchSpace) -> None:
        self.path = os.path.join(directory, MANIFEST_NAME)
        self.space = space

    def write(
        self, members: Sequence[Any], rng_state: Mapping[str, Any], changing: Iterable[int] = ()
    ) -> None:
        """Record ``members`` (dataclasses), the generator's state and the members whose
        files are about to be replaced."""
        entries = []
        for member in members:
            entry = dataclasses.asdict(member)
            entry["params"] = self._encode(member.params)
            entry["checkpoint_params"] = self._encode(member.checkpoint_params)
            entries.append(entry)
        content = {"members": entries, "rng": rng_state, "changing": sorted(changing)}
        temporary = self.path + ".tmp"
        with open(temporary, "w") as file:
            json.dump(content, file)
        os.replace(temporary, self.path)

    def read(self) -> tuple[list[dict[str, Any]], dict[str, Any], list[int]]:
        """The members (as dicts of :class:`~fastune.pbt.Member` fields), the generator's
        state and the members whose files were being replaced."""
        with open(self.path) as file:
            content = json.load(file)
        members = content["members"]
        for entry in members:
            entry["params"] = self._decode(entry["params"])
            entry["checkpoint_params"] = self._decode(entry["checkpoint_params"])
        return members, content["rng"], content["changing"]

    def _encode(self, params: dict[str, Any]) -> dict[str, float]:
        distributions = self.space.distributions
        return {name: distributions[name].to_internal_repr(value) for name, value in params.items()}

    def _decode(self, params: dict[str, float]) -> dict[str, Any]:
        distributions = self.space.distributions
        return {name: distributions[name].to_external_repr(value) for name, value in params.items()}
