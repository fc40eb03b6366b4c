"""The gRPC proxy's wire format: every type a storage takes or returns comes back equal,
user data that looks like a tag stays data, and errors cross as themselves."""

from __future__ import annotations

import datetime
import math

import numpy as np
import pytest

from fastune.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from fastune.exceptions import (
    DuplicatedStudyError,
    StorageInternalError,
    StudyNotFoundError,
    UpdateFinishedTrialError,
)
from fastune.storages._frozen_study import FrozenStudy
from fastune.storages._remote._codec import decode, encode, error_from, error_to
from fastune.study import StudyDirection
from fastune.trial import FrozenTrial, TrialState


def _trial() -> FrozenTrial:
    return FrozenTrial(
        number=4,
        state=TrialState.COMPLETE,
        value=None,
        values=[0.25, -math.inf],
        datetime_start=datetime.datetime(2026, 1, 2, 3, 4, 5, 6),
        datetime_complete=datetime.datetime(2026, 1, 2, 3, 4, 7),
        params={"lr": 0.01, "layers": 3, "act": None, "kind": "relu"},
        distributions={
            "lr": FloatDistribution(1e-4, 1.0, log=True),
            "layers": IntDistribution(1, 8, step=1),
            "act": CategoricalDistribution([None, "tanh"]),
            "kind": CategoricalDistribution(["relu", "gelu"]),
        },
        # User data shaped like the wire's tags must stay data.
        user_attrs={"dict": {"state": "COMPLETE"}, "list": [1, {"trial": 2}]},
        system_attrs={"fixed": {"a": [1.5, "b"]}},
        intermediate_values={0: 1.0, 3: math.nan, 10: 0.5},
        trial_id=17,
    )


def test_a_trial_comes_back_equal() -> None:
    trial = _trial()
    back = decode(encode(trial))
    assert isinstance(back, FrozenTrial)
    for field in ("number", "state", "values", "datetime_start", "datetime_complete"):
        assert getattr(back, field) == getattr(trial, field), field
    assert back.params == trial.params and back.distributions == trial.distributions
    assert back.user_attrs == trial.user_attrs and back.system_attrs == trial.system_attrs
    assert list(back.intermediate_values) == [0, 3, 10]
    assert math.isnan(back.intermediate_values[3]) and back.intermediate_values[10] == 0.5
    assert back._trial_id == 17


def test_calls_and_answers_keep_their_types() -> None:
    study = FrozenStudy("s", None, {"k": [1]}, {}, 3, directions=[StudyDirection.MAXIMIZE])
    value = {
        "states": (TrialState.WAITING, TrialState.PRUNED),
        "directions": [StudyDirection.MINIMIZE],
        "study": study,
        "distribution": FloatDistribution(0.0, 1.0, step=0.25),
        "nothing": None,
        "flag": True,
    }
    back = decode(encode(value))
    assert back == {**value, "states": list(value["states"])}
    assert back["states"][0] is TrialState.WAITING  # not the int the enum also is
    assert back["study"]._study_id == 3


def test_numpy_scalars_go_as_numbers_and_other_objects_are_refused() -> None:
    assert decode(encode([np.float64(0.5), np.int64(3)])) == [0.5, 3]
    with pytest.raises(TypeError, match="object"):
        encode(object())
    with pytest.raises(TypeError, match="key of type int"):
        encode({1: "a"})


@pytest.mark.parametrize(
    "error", [DuplicatedStudyError("taken"), StudyNotFoundError("gone"), KeyError("k")]
)
def test_a_storage_error_is_raised_again_as_itself(error: Exception) -> None:
    again = error_from(decode(encode(error_to(error))))
    assert type(again) is type(error)
    assert str(again) == str(error)


def test_an_unexpected_error_becomes_a_storage_error_that_names_it() -> None:
    again = error_from(error_to(OSError("disk full")))
    assert isinstance(again, StorageInternalError)
    assert "OSError" in str(again) and "disk full" in str(again)
    assert isinstance(error_from(error_to(UpdateFinishedTrialError("done"))), RuntimeError)
