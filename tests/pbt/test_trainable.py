"""What PBT accepts as a trainable, and what it makes of a step's return."""

from __future__ import annotations

from typing import Any

import pytest

from fastune.exceptions import InvalidParameterTypeError
from fastune.pbt import PopulationBasedTraining


def _run(step: Any, generations: int = 1) -> PopulationBasedTraining:
    return PopulationBasedTraining(
        step, {"lr": [0.1, 0.5]}, population_size=2, generations=generations, random_state=0
    ).run()


@pytest.mark.parametrize(
    ("returned", "fragment"),
    [
        (1.0, "it returned 1.0"),
        ((None,), r"it returned \(None,\)"),
        ((None, None), "its score is None"),
        ((None, 1.0, [1, 2]), r"its details are \[1, 2\]"),
    ],
)
def test_a_step_returning_another_shape_says_what_is_expected(
    returned: object, fragment: str
) -> None:
    with pytest.raises(
        TypeError, match=rf"\(state, score\) or \(state, score, details\).*{fragment}"
    ):
        _run(lambda params, state: returned)


def test_a_trainable_class_is_refused_for_its_instance() -> None:
    class Counter:
        def init(self, params: dict[str, Any], seed: int) -> int:
            return 0

        def step(self, params: dict[str, Any], state: int) -> tuple[int, float]:
            return state + 1, float(state)

    with pytest.raises(
        InvalidParameterTypeError, match=r"'trainable'.*Counter\(\.\.\.\)\), not the class"
    ):
        _run(Counter)
    assert len(_run(Counter()).study_.trials) == 2


def test_what_a_step_changes_in_its_params_stays_out_of_the_record() -> None:
    def step(params: dict[str, Any], state: Any) -> tuple[Any, float]:
        params["lr"] = 99  # e.g. a step that pops what it has used
        return state, 1.0

    pbt = _run(step, generations=2)
    assert {t.params["lr"] for t in pbt.study_.trials} <= {0.1, 0.5}
