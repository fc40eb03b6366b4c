from __future__ import annotations

import pytest

from fastune.exceptions import InvalidParameterError
from fastune.storages._frozen_study import FrozenStudy
from fastune.study import StudyDirection

MIN, MAX = StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE


def test_built_with_optunas_arguments() -> None:
    # Optuna's FrozenStudy(study_name, direction, user_attrs, system_attrs, study_id, *,
    # directions=None), which storages written for Optuna call.
    one = FrozenStudy(
        study_name="a", direction=MAX, user_attrs={"u": 1}, system_attrs={}, study_id=2
    )
    assert (one.direction, one.directions, one.user_attrs, one._study_id) == (
        MAX,
        [MAX],
        {"u": 1},
        2,
    )
    two = FrozenStudy("b", None, {}, {"s": 1}, 3, directions=(MIN, MAX))
    assert two.directions == [MIN, MAX] and two.system_attrs == {"s": 1}
    with pytest.raises(RuntimeError, match="several objectives"):
        _ = two.direction
    assert one == FrozenStudy("a", None, {"u": 1}, {}, 2, directions=[MAX]) and one < two


@pytest.mark.parametrize(("direction", "directions"), [(None, None), (MIN, [MIN])])
def test_exactly_one_of_direction_and_directions(
    direction: StudyDirection | None, directions: list[StudyDirection] | None
) -> None:
    with pytest.raises(InvalidParameterError, match="'direction' parameter of FrozenStudy"):
        FrozenStudy("a", direction, {}, {}, 0, directions=directions)
