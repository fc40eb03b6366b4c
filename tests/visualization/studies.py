"""Small studies built trial by trial, for the plot tests."""

from __future__ import annotations

import datetime
from typing import Any

import fastune
from fastune.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from fastune.trial import TrialState, create_trial

LR = FloatDistribution(1e-4, 1.0, log=True)
UNITS = IntDistribution(1, 8)
KIND = CategoricalDistribution(["linear", "rbf", "poly"])
GAMMA = FloatDistribution(0.0, 1.0)
X = FloatDistribution(0.0, 1.0)


def add(
    study: fastune.Study,
    params: dict[str, Any],
    value: float | list[float] | None,
    *,
    state: TrialState = TrialState.COMPLETE,
    intermediate: dict[int, float] | None = None,
    start: float | None = None,
    end: float | None = None,
) -> None:
    """Add one trial; ``start``/``end`` are seconds after a fixed moment."""
    distributions: dict[str, BaseDistribution] = {
        "lr": LR,
        "units": UNITS,
        "kind": KIND,
        "gamma": GAMMA,
        "x": X,
    }
    trial = create_trial(
        state=state,
        value=value if isinstance(value, float) else None,
        values=value if isinstance(value, list) else None,
        params=params,
        distributions={name: distributions[name] for name in params},
        intermediate_values=intermediate,
    )
    origin = datetime.datetime(2024, 1, 1, 12, 0, 0)
    if start is not None:
        trial.datetime_start = origin + datetime.timedelta(seconds=start)
    if end is not None:
        trial.datetime_complete = origin + datetime.timedelta(seconds=end)
    study.add_trial(trial)


def empty() -> fastune.Study:
    return fastune.create_study(study_name="empty")


def one_trial() -> fastune.Study:
    study = fastune.create_study(study_name="one")
    add(study, {"lr": 0.01, "units": 3}, 0.5)
    return study


def pruned() -> fastune.Study:
    """Two complete trials with learning curves, one pruned at step 1."""
    study = fastune.create_study(study_name="pruned")
    add(study, {"lr": 0.1, "units": 2}, 0.3, intermediate={0: 0.9, 1: 0.5, 2: 0.3})
    add(
        study,
        {"lr": 0.001, "units": 5},
        None,
        state=TrialState.PRUNED,
        intermediate={0: 1.2, 1: 1.1},
    )
    add(study, {"lr": 0.01, "units": 4}, 0.2, intermediate={0: 0.8, 1: 0.4, 2: 0.2})
    return study


def conditional() -> fastune.Study:
    """'kind' in every trial; 'gamma' only where kind is rbf."""
    study = fastune.create_study(study_name="conditional")
    add(study, {"kind": "linear"}, 3.0)
    add(study, {"kind": "rbf", "gamma": 0.2}, 1.0)
    add(study, {"kind": "rbf", "gamma": 0.8}, 2.0)
    add(study, {"kind": "poly"}, 2.5)
    return study


def categorical() -> fastune.Study:
    study = fastune.create_study(study_name="categorical", direction="maximize")
    for index, (kind, units) in enumerate(
        [("linear", 1), ("rbf", 4), ("poly", 2), ("rbf", 8), ("linear", 6)]
    ):
        add(study, {"kind": kind, "units": units}, float(index % 3))
    return study


def multi_objective() -> fastune.Study:
    study = fastune.create_study(study_name="multi", directions=["minimize", "maximize"])
    for x, values in [(0.1, [1.0, 1.0]), (0.5, [2.0, 3.0]), (0.7, [3.0, 2.0]), (0.9, [0.5, 0.5])]:
        add(study, {"x": x, "lr": x / 10}, values)
    return study


STUDIES = {
    "empty": empty,
    "one-trial": one_trial,
    "pruned": pruned,
    "conditional": conditional,
    "categorical": categorical,
    "multi-objective": multi_objective,
}
