"""A study's record without its trials, as :meth:`BaseStorage.get_all_studies` returns it."""

from __future__ import annotations

from typing import Any

from fastune._study_direction import StudyDirection, only_direction

__all__ = ["FrozenStudy"]


class FrozenStudy:
    """The name, directions and attributes of one study (Optuna's ``FrozenStudy``).

    Records sort by study id, the order in which their studies were created.

    Attributes:
        study_name: The study's name.
        directions: The direction of each objective.
        user_attrs: The attributes set with ``Study.set_user_attr``.
        system_attrs: The attributes fastune keeps for itself.
    """

    def __init__(
        self,
        study_name: str,
        directions: list[StudyDirection],
        user_attrs: dict[str, Any],
        system_attrs: dict[str, Any],
        study_id: int,
    ) -> None:
        self.study_name = study_name
        self.directions = directions
        self.user_attrs = user_attrs
        self.system_attrs = system_attrs
        self._study_id = study_id

    @property
    def direction(self) -> StudyDirection:
        """The direction of a single-objective study.

        Raises:
            RuntimeError: the study has several objectives.
        """
        return only_direction(self.directions)

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
