"""Whether a study minimizes or maximizes an objective."""

from __future__ import annotations

import enum
from typing import Any

from fastune._validation import invalid

__all__ = ["StudyDirection", "as_direction", "only_direction"]


class StudyDirection(enum.IntEnum):
    """Direction of one objective.

    Attributes:
        NOT_SET: not decided yet.
        MINIMIZE: smaller values are better.
        MAXIMIZE: larger values are better.
    """

    NOT_SET = 0
    MINIMIZE = 1
    MAXIMIZE = 2


def as_direction(value: Any, name: str, owner: str) -> StudyDirection:
    """Turn ``"minimize"``/``"maximize"`` (any case) or a :class:`StudyDirection` into one.

    Raises:
        InvalidParameterError: any other value.
    """
    if isinstance(value, StudyDirection) and value != StudyDirection.NOT_SET:
        return value
    if isinstance(value, str) and value.lower() in ("minimize", "maximize"):
        return StudyDirection[value.upper()]
    raise invalid(name, owner, "'minimize' or 'maximize' (or a StudyDirection)", value)


def only_direction(directions: list[StudyDirection]) -> StudyDirection:
    """The direction of a study with one objective (``direction`` of a study, a summary or
    a frozen study).

    Raises:
        RuntimeError: several objectives; read ``directions``.
    """
    if len(directions) > 1:
        raise RuntimeError(
            "This study has several objectives; read 'directions' instead of 'direction'."
        )
    return directions[0]
