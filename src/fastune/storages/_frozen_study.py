"""A study's record without its trials, as :meth:`BaseStorage.get_all_studies` returns it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastune._study_direction import StudyDirection, only_direction
from fastune._validation import invalid

__all__ = ["FrozenStudy"]


class FrozenStudy:
    """The name, directions and attributes of one study (Optuna's ``FrozenStudy``).

    Records sort by study id, the order in which their studies were created.

    Built as Optuna's: ``FrozenStudy(name, direction, user_attrs, system_attrs,
    study_id)`` for one objective, or with ``direction=None, directions=[...]``.

    Attributes:
        study_name: The study's name.
        directions: The direction of each objective.
        user_attrs: The attributes set with ``Study.set_user_attr``.
        system_attrs: The attributes fastune keeps for itself.
    """

    def __init__(
        self,
        study_name: str,
        direction: StudyDirection | None,
        user_attrs: dict[str, Any],
        system_attrs: dict[str, Any],
        study_id: int,
        *,
        directions: Sequence[StudyDirection] | None = None,
    ) -> None:
        # Optuna's signature: one direction, or ``directions=`` for several objectives.
        if (direction is None) == (directions is None):
            raise invalid(
                "direction",
                "FrozenStudy",
                "a StudyDirection, or None with directions= given (exactly one of them)",
                direction,
            )
        self.study_name = study_name
        self._directions = [direction] if direction is not None else list(directions or ())
        self.user_attrs = user_attrs
        self.system_attrs = system_attrs
        self._study_id = study_id

    @property
    def directions(self) -> list[StudyDirection]:
        """The direction of each objective."""
        return self._directions

    @property
    def direction(self) -> StudyDirection:
        """The direction of a single-objective study.

        Raises:
            RuntimeError: the study has several objectives.
        """
        return only_direction(self._directions)

    def __repr__(self) -> str:
        return f"FrozenStudy(study_name={self.study_name!r}, study_id={self._study_id})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FrozenStudy):
            return NotImplemented
        return vars(self) == vars(other)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, FrozenStudy):
            return NotImplemented
        return self._study_id < other._study_id

    def __le__(self, other: object) -> bool:
        if not isinstance(other, FrozenStudy):
            return NotImplemented
        return self._study_id <= other._study_id
