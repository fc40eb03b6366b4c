"""The server side of a remote storage, whatever carries the calls: each call, in the
codec's bytes, run on the storage, and its result (or the error it raised) answered."""

from __future__ import annotations

from typing import Any

from fastune.storages._base import BaseStorage
from fastune.storages._remote._codec import decode, encode, error_to
from fastune.trial._frozen import FrozenTrial
from fastune.trial._state import TrialState

__all__ = ["Dispatcher"]

# The proxy's own calls, which save the client round trips: each answers a storage
# method's result with the trial (or trials) the client would read next.
_OWN_CALLS = frozenset({"trials_not_in", "create_and_get", "pop_and_get", "set_state_and_get"})
# The storage methods a client may call (creating a trial, setting its state and reading
# a study's trials go through the calls above).
METHODS = _OWN_CALLS | frozenset(
    {
        "create_new_study",
        "delete_study",
        "get_study_id_from_name",
        "get_study_name_from_id",
        "get_study_directions",
        "get_all_study_names",
        "set_study_user_attr",
        "set_study_system_attr",
        "get_study_user_attrs",
        "get_study_system_attrs",
        "get_all_studies",
        "set_trial_param",
        "set_trial_intermediate_value",
        "set_trial_user_attr",
        "set_trial_system_attr",
        "get_trial",
        "get_n_trials",
        "get_trial_number_from_id",
        "get_trial_params",
        "get_trial_param",
        "get_trial_user_attrs",
        "get_trial_system_attrs",
        "get_best_trial",
        "get_trial_id_from_study_id_trial_number",
    }
)


class Dispatcher:
    """Answers each call with the storage's result, or with the error it raised."""

    def __init__(self, storage: BaseStorage) -> None:
        self.storage = storage

    def call(self, request: bytes, context: Any = None) -> bytes:
        """Run the call ``request`` holds (``context``: gRPC's, unused)."""
        try:
            call = decode(request)
            method = call["method"]
            if method not in METHODS:
                raise ValueError(f"{method!r} is not a storage method the proxy serves.")
            owner = self if method in _OWN_CALLS else self.storage
            result = getattr(owner, method)(*call["args"], **call["kwargs"])
            return encode({"ok": result})
        except Exception as error:  # the client raises it: the server goes on
            return encode({"error": error_to(error)})

    def trials_not_in(self, study_id: int, ranges: list[list[int]]) -> list[Any]:
        """How many trials a study has, and those whose ids lie in none of the ``[first,
        last]`` ranges (the finished trials a client holds already)."""
        trials = self.storage.get_all_trials(study_id, deepcopy=False)
        fresh = [t for t in trials if not any(a <= t._trial_id <= b for a, b in ranges)]
        return [len(trials), fresh]

    def create_and_get(self, study_id: int, template_trial: FrozenTrial | None) -> list[Any]:
        """``create_new_trial``: the new trial's id and its record."""
        trial_id = self.storage.create_new_trial(study_id, template_trial)
        return [trial_id, self.storage.get_trial(trial_id)]

    def pop_and_get(self, study_id: int) -> list[Any]:
        """``pop_waiting_trial_id``: the id of the trial started and its record (or two
        Nones)."""
        trial_id = self.storage.pop_waiting_trial_id(study_id)
        return [trial_id, None if trial_id is None else self.storage.get_trial(trial_id)]

    def set_state_and_get(
        self, trial_id: int, state: TrialState, values: list[float] | None
    ) -> list[Any]:
        """``set_trial_state_values``: its result and the trial's record after it."""
        done = self.storage.set_trial_state_values(trial_id, state, values)
        return [done, self.storage.get_trial(trial_id)]
