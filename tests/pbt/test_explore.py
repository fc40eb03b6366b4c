from __future__ import annotations

import numpy as np
import pytest

from fastune._space import SearchSpace
from fastune.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from fastune.exceptions import InvalidParameterError
from fastune.pbt import PB2, ExploreContext, Perturb, Segment

SPACE = SearchSpace(
    {
        "lr": FloatDistribution(1e-4, 1e-1, log=True),
        "units": IntDistribution(8, 64, step=8),
        "shift": FloatDistribution(-1.0, 1.0),
        "act": CategoricalDistribution(["relu", "tanh", "gelu"]),
    }
)
DONOR = {"lr": 1e-2, "units": 32, "shift": 0.0, "act": "tanh"}


def _context(population: list[dict], history: list[Segment] | None = None) -> ExploreContext:
    return ExploreContext(SPACE, np.random.default_rng(0), 3, population, history or [])


def test_perturb_moves_each_value_by_a_factor_and_stays_inside() -> None:
    explore = Perturb((0.8, 1.2), resample_probability=0.0, adapt_to_diversity=False)
    context = _context([DONOR])
    for _ in range(100):
        new = explore.explore(dict(DONOR), context)
        assert new["lr"] == pytest.approx(8e-3) or new["lr"] == pytest.approx(1.2e-2)
        assert new["units"] in (24, 40)  # an int moves by at least one step
        assert new["shift"] in (pytest.approx(-0.4), pytest.approx(0.4))  # shift across 0
        assert new["act"] in ("relu", "gelu")  # a neighbouring choice


def test_perturb_clips_at_the_bounds() -> None:
    explore = Perturb((2.0,), resample_probability=0.0, adapt_to_diversity=False)
    edge = {"lr": 0.09, "units": 64, "shift": 0.9, "act": "gelu"}
    new = explore.explore(edge, _context([edge]))
    assert new == {"lr": 0.1, "units": 64, "shift": 1.0, "act": "tanh"}


def test_resample_draws_fresh_values() -> None:
    explore = Perturb(resample_probability=1.0, adapt_to_diversity=False)
    context = _context([DONOR])
    lrs = [explore.explore(dict(DONOR), context)["lr"] for _ in range(300)]
    assert min(lrs) < 1e-3 and max(lrs) > 5e-2


def test_collapsed_population_explores_more() -> None:
    explore = Perturb()
    collapsed = _context([dict(DONOR) for _ in range(8)])
    spread = _context(SPACE.sample(np.random.default_rng(0), 8))
    assert explore.exploration_multiplier(collapsed) == 3.0
    assert explore.exploration_multiplier(spread) == 1.0


def test_parameters_with_one_value_do_not_read_as_a_collapse() -> None:
    pinned = SearchSpace(
        {
            "lr": FloatDistribution(0.0, 1.0),
            "fixed": FloatDistribution(0.5, 0.5),
            "only": CategoricalDistribution(["relu"]),
        }
    )
    evenly = [{"lr": (k + 0.5) / 8, "fixed": 0.5, "only": "relu"} for k in range(8)]
    context = ExploreContext(pinned, np.random.default_rng(0), 3, evenly, [])
    assert context.diversity() == pytest.approx(1.0, abs=0.1)  # it was a third of that
    assert Perturb().exploration_multiplier(context) == 1.0


def test_pb2_prefers_the_params_that_improved_the_score() -> None:
    rng = np.random.default_rng(0)
    history = []
    for number, params in enumerate(SPACE.sample(rng, 40)):
        gain = float(np.log10(params["lr"]))  # larger learning rates improve more
        history.append(Segment(number % 8, number // 8, params, 0.0, gain, number))
    explore = PB2(fallback=Perturb(resample_probability=0.0, adapt_to_diversity=False))
    context = _context(SPACE.sample(rng, 8), history)
    picks = [explore.explore(dict(DONOR), context)["lr"] for _ in range(5)]
    assert np.median(picks) > 3e-2  # near the top of [1e-4, 1e-1]


def test_pb2_uses_its_fallback_before_enough_observations() -> None:
    fallback = Perturb(resample_probability=0.0, adapt_to_diversity=False)
    new = PB2(min_observations=10, fallback=fallback).explore(dict(DONOR), _context([DONOR]))
    assert new["lr"] in (pytest.approx(8e-3), pytest.approx(1.2e-2))


@pytest.mark.parametrize("factors", [(), (0.8, -1.0), (0.0,)])
def test_bad_perturbation_factors(factors: tuple) -> None:
    with pytest.raises(InvalidParameterError, match="'perturbation_factors'"):
        Perturb(factors)


def test_bad_resample_probability() -> None:
    with pytest.raises(InvalidParameterError, match="'resample_probability'"):
        Perturb(resample_probability=1.5)


def test_perturb_moves_a_stepped_float_by_at_least_one_step() -> None:
    space = SearchSpace({"f": FloatDistribution(0.0, 1.0, step=0.1)})
    explore = Perturb((0.8, 1.2), resample_probability=0.0, adapt_to_diversity=False)
    context = ExploreContext(space, np.random.default_rng(0), 1, [], [])
    for start, moved in [
        (0.1, {0.0, 0.2}),
        (0.2, {0.1, 0.3}),
        (1.0, {0.8, 1.0}),
    ]:  # at the top, x1.2 stays
        seen = {explore.explore({"f": start}, context)["f"] for _ in range(40)}
        assert seen == moved  # was {start} for 0.1 and 0.2: both factors rounded back


def test_pb2_min_observations_must_be_an_int() -> None:
    from fastune.exceptions import InvalidParameterTypeError

    with pytest.raises(InvalidParameterTypeError, match="'min_observations'.*an int >= 2.*2.5"):
        PB2(min_observations=2.5)  # type: ignore[arg-type]  # was truncated to 2
