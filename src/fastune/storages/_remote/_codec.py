"""The wire format of the gRPC storage proxy: JSON, with the storage's own types tagged.

Every JSON object on the wire has exactly one key, its tag: ``{"dict": {...}}`` for a
dictionary (a user attribute is any JSON, so a bare object could be mistaken for a tag),
``{"trial": ...}``, ``{"state": "COMPLETE"}`` and so on. JSON and not pickle: a proxy
server may face a network, and reading JSON runs no code of the sender's choosing.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

from fastune import exceptions
from fastune._study_direction import StudyDirection
from fastune.distributions import BaseDistribution, distribution_to_json, json_to_distribution
from fastune.storages._frozen_study import FrozenStudy
from fastune.trial._frozen import FrozenTrial
from fastune.trial._state import TrialState

__all__ = ["decode", "encode", "error_from", "error_to"]

# Errors a storage raises that the client raises again as themselves; any other is
# raised as a StorageInternalError that names it.
_ERRORS: dict[str, type[Exception]] = {
    error.__name__: error
    for error in (
        KeyError,
        ValueError,
        TypeError,
        RuntimeError,
        exceptions.InvalidParameterError,
        exceptions.InvalidParameterTypeError,
        exceptions.DuplicatedStudyError,
        exceptions.StudyNotFoundError,
        exceptions.TrialNotFoundError,
        exceptions.UpdateFinishedTrialError,
        exceptions.StorageInternalError,
    )
}


def encode(value: Any) -> bytes:
    """``value`` as bytes on the wire.

    Raises:
        TypeError: a value the wire format cannot carry.
    """
    return json.dumps(_tagged(value), separators=(",", ":")).encode()


def decode(data: bytes) -> Any:
    """The value ``data`` carries (from :func:`encode`)."""
    return _untagged(json.loads(data))


def error_to(error: Exception) -> dict[str, str]:
    """What the client is told of ``error``, raised by the proxied storage."""
    return {"type": type(error).__name__, "message": str(error.args[0] if error.args else "")}


def error_from(told: dict[str, str]) -> Exception:
    """The error to raise for one the server told of (from :func:`error_to`)."""
    kind = _ERRORS.get(told["type"])
    if kind is None:
        return exceptions.StorageInternalError(
            f"The storage behind the gRPC proxy raised {told['type']}: {told['message']}"
        )
    return kind(told["message"])


def _tagged(value: Any) -> Any:
    if isinstance(value, TrialState):  # before int: the enums are ints too
        return {"state": value.name}
    if isinstance(value, StudyDirection):
        return {"direction": value.name}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_tagged(item) for item in value]
    if isinstance(value, dict):
        return {"dict": {_key(key): _tagged(item) for key, item in value.items()}}
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, BaseDistribution):
        return {"distribution": distribution_to_json(value)}
    if isinstance(value, FrozenTrial):
        return {"trial": _tagged(_trial_fields(value))}
    if isinstance(value, FrozenStudy):
        fields = [value.study_name, value.directions, value.user_attrs, value.system_attrs]
        return {"study": _tagged([*fields, value._study_id])}
    if hasattr(value, "item") and not hasattr(value, "__len__"):  # a numpy scalar
        return _tagged(value.item())
    raise TypeError(f"A value of type {type(value).__name__} cannot be sent to the proxy.")


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"A dictionary key of type {type(key).__name__} cannot be sent.")
    return key


def _trial_fields(trial: FrozenTrial) -> dict[str, Any]:
    return {
        "number": trial.number,
        "state": trial.state,
        "values": trial.values,
        "datetime_start": trial.datetime_start,
        "datetime_complete": trial.datetime_complete,
        "params": trial.params,
        "distributions": trial.distributions,
        "user_attrs": trial.user_attrs,
        "system_attrs": trial.system_attrs,
        # JSON keys are strings: the steps go as pairs.
        "intermediate_values": list(trial.intermediate_values.items()),
        "trial_id": trial._trial_id,
    }


def _trial(fields: dict[str, Any]) -> FrozenTrial:
    fields["intermediate_values"] = {
        int(step): value for step, value in fields["intermediate_values"]
    }
    return FrozenTrial(value=None, **fields)


def _study(
    name: str,
    directions: list[StudyDirection],
    user_attrs: dict[str, Any],
    system_attrs: dict[str, Any],
    study_id: int,
) -> FrozenStudy:
    return FrozenStudy(name, None, user_attrs, system_attrs, study_id, directions=directions)


_TAGS: dict[str, Callable[[Any], Any]] = {
    "dict": lambda body: {key: _untagged(item) for key, item in body.items()},
    "state": lambda body: TrialState[body],
    "direction": lambda body: StudyDirection[body],
    "datetime": datetime.datetime.fromisoformat,
    "distribution": json_to_distribution,
    "trial": lambda body: _trial(_untagged(body)),
    "study": lambda body: _study(*_untagged(body)),
}


def _untagged(value: Any) -> Any:
    if isinstance(value, list):
        return [_untagged(item) for item in value]
    if isinstance(value, dict):
        ((tag, body),) = value.items()
        return _TAGS[tag](body)
    return value
