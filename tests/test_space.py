from __future__ import annotations

import numpy as np
import pytest

from fastune._space import SearchSpace
from fastune.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

SPACE = SearchSpace(
    {
        "lr": FloatDistribution(1e-4, 1.0, log=True),
        "units": IntDistribution(1, 512, log=True),
        "depth": IntDistribution(0, 10, step=2),
        "q": FloatDistribution(0.0, 1.0, step=0.1),
        "act": CategoricalDistribution(["relu", "tanh", "gelu"]),
        "x": FloatDistribution(-1.0, 1.0),
    }
)


def test_decode_of_any_point_is_valid_and_round_trips() -> None:
    rng = np.random.default_rng(0)
    for row in rng.random((200, len(SPACE))):
        params = SPACE.decode(row)
        for name, distribution in SPACE.distributions.items():
            assert distribution._contains(distribution.to_internal_repr(params[name]))
        again = SPACE.decode(SPACE.encode(params))
        assert again.keys() == params.keys()
        assert again["act"] == params["act"]
        for name in ("lr", "units", "depth", "q", "x"):
            assert again[name] == pytest.approx(params[name], rel=1e-9)


def test_log_columns_are_uniform_in_log_space() -> None:
    params = SPACE.sample(np.random.default_rng(1), 4000)
    lrs = np.log10([p["lr"] for p in params])
    assert abs(np.median(lrs) - (-2.0)) < 0.15  # the middle of [1e-4, 1] on a log scale


def test_every_bin_gets_its_share() -> None:
    params = SPACE.sample(np.random.default_rng(2), 3000)
    counts = np.unique([p["depth"] for p in params], return_counts=True)
    assert counts[0].tolist() == [0, 2, 4, 6, 8, 10]
    assert counts[1].min() > 400
    assert SPACE.is_categorical().tolist() == [False, False, False, False, True, False]


def test_points_outside_the_cube_are_clipped() -> None:
    params = SPACE.decode(np.full(len(SPACE), 7.0))
    assert params == {"lr": 1.0, "units": 512, "depth": 10, "q": 1.0, "act": "gelu", "x": 1.0}


def test_one_hot_spreads_each_categorical_and_comes_back() -> None:
    params = {"lr": 1e-2, "units": 64, "depth": 4, "q": 0.5, "act": "tanh", "x": 0.25}
    row = SPACE.encode(params)
    features = SPACE.one_hot(row[None, :])
    choices = SPACE.distributions["act"].choices
    assert features.shape == (1, len(SPACE) - 1 + len(choices))
    act = SPACE.names.index("act")
    indicators = features[0, act : act + len(choices)]
    assert indicators.tolist() == [float(c == "tanh") for c in choices]
    assert SPACE.decode(SPACE.from_one_hot(features)[0]) == SPACE.decode(row)
    # Any indicators decode: the largest one picks the choice.
    features[0, act : act + len(choices)] = np.linspace(0.1, 0.9, len(choices))
    assert SPACE.decode(SPACE.from_one_hot(features)[0])["act"] == choices[-1]


def test_snap_moves_binned_columns_to_the_centre_of_their_bin() -> None:
    space = SearchSpace(
        {
            "x": FloatDistribution(0.0, 1.0),
            "n": IntDistribution(0, 3),
            "c": CategoricalDistribution(["a", "b"]),
        }
    )
    rows = np.random.default_rng(0).random((50, 3))
    snapped = space.snap(rows)
    assert np.array_equal(snapped[:, 0], rows[:, 0])  # continuous: as it was
    for row, snap in zip(rows, snapped, strict=True):
        # The same parameters, at the row encode gives them.
        assert space.decode(snap) == space.decode(row)
        assert np.allclose(space.encode(space.decode(row)), snap)
