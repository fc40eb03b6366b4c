"""The genetic samplers' crossovers and mutations: each one's own rule on constructed
parents, and their use by NSGAIISampler on a mixed search space."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import fastune
from fastune.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from fastune.exceptions import InvalidParameterError
from fastune.samplers import NSGAIIISampler, NSGAIISampler
from fastune.samplers.nsgaii import (
    BaseCrossover,
    BLXAlphaCrossover,
    PolynomialMutation,
    SBXCrossover,
    SPXCrossover,
    UNDXCrossover,
    UniformCrossover,
    VSBXCrossover,
)

TWO_OBJECTIVES = fastune.create_study(directions=["minimize", "minimize"])
ONE_OBJECTIVE = fastune.create_study()
BOUNDS = np.tile([0.0, 1.0], (2, 1))
CROSSOVERS = [
    UniformCrossover,
    BLXAlphaCrossover,
    SBXCrossover,
    VSBXCrossover,
    SPXCrossover,
    UNDXCrossover,
]


def _children(crossover: BaseCrossover, parents: np.ndarray, n: int = 2000) -> np.ndarray:
    rng = np.random.RandomState(0)
    return np.array([crossover.crossover(parents, rng, TWO_OBJECTIVES, BOUNDS) for _ in range(n)])


def test_uniform_takes_each_value_from_the_first_or_the_second_parent() -> None:
    parents = np.array([[0.1, 0.2], [0.7, 0.9]])
    assert (_children(UniformCrossover(0.0), parents, 50) == parents[0]).all()
    assert (_children(UniformCrossover(1.0), parents, 50) == parents[1]).all()
    mixed = _children(UniformCrossover(0.5), parents)
    assert 0.4 < (mixed[:, 0] == 0.7).mean() < 0.6


def test_blx_alpha_draws_from_the_widened_span_of_the_parents() -> None:
    parents = np.array([[0.4, 0.5], [0.6, 0.5]])
    inside = _children(BLXAlphaCrossover(alpha=0.0), parents)
    assert inside[:, 0].min() >= 0.4 and inside[:, 0].max() <= 0.6
    assert (inside[:, 1] == 0.5).all()  # equal parents: no span
    wide = _children(BLXAlphaCrossover(alpha=0.5), parents)
    assert wide[:, 0].min() == pytest.approx(0.3, abs=0.005)
    assert wide[:, 0].max() == pytest.approx(0.7, abs=0.005)


@pytest.mark.parametrize("crossover_class", [SBXCrossover, VSBXCrossover])
def test_binary_crossovers_stay_near_the_parents_for_a_large_index(
    crossover_class: type[BaseCrossover],
) -> None:
    parents = np.array([[0.2, 0.3], [0.8, 0.35]])
    near = _children(crossover_class(eta=1e6), parents, 200)  # type: ignore[call-arg]
    distance = np.abs(near[:, None, :] - parents[None, :, :]).min(axis=1)
    assert distance.max() < 1e-3  # each value is (almost) one parent's
    spread = _children(crossover_class(eta=0.0), parents)  # type: ignore[call-arg]
    assert np.abs(spread[:, None, :] - parents[None, :, :]).min(axis=1).max() > 0.05


def test_sbx_never_breeds_past_the_bounds() -> None:
    parents = np.array([[0.01, 0.95], [0.2, 0.999]])
    children = _children(SBXCrossover(eta=0.0, use_child_gene_prob=1.0), parents)
    assert children.min() >= 0.0 and children.max() <= 1.0
    assert children[:, 0].min() < 0.005  # it does reach towards the bound


def test_sbx_default_index_depends_on_the_number_of_objectives() -> None:
    parents = np.array([[0.3, 0.3], [0.7, 0.7]])
    rng = np.random.RandomState(0)
    crossover = SBXCrossover(use_child_gene_prob=1.0)
    one = np.array([crossover.crossover(parents, rng, ONE_OBJECTIVE, BOUNDS) for _ in range(2000)])
    two = _children(crossover, parents)

    def moved(children: np.ndarray) -> float:  # from the nearest parent, on average
        return float(np.abs(children[:, None, :] - parents[None, :, :]).min(axis=1).mean())

    # eta 2 (one objective) spreads children further than eta 20 (several).
    assert moved(one) > 2.0 * moved(two)


def test_spx_with_no_enlargement_stays_in_the_parents_simplex() -> None:
    parents = np.array([[0.1, 0.1], [0.9, 0.2], [0.3, 0.8]])
    children = _children(SPXCrossover(epsilon=1.0), parents)
    # Barycentric coordinates of each child in the triangle: all >= 0.
    corners = np.column_stack([parents[1] - parents[0], parents[2] - parents[0]])
    weights = np.linalg.solve(corners, (children - parents[0]).T).T
    assert weights.min() > -1e-9 and weights.sum(axis=1).max() < 1 + 1e-9
    assert np.allclose(children.mean(axis=0), parents.mean(axis=0), atol=0.02)
    enlarged = _children(SPXCrossover(), parents)
    assert np.ptp(enlarged[:, 0]) > 1.5 * np.ptp(children[:, 0])


def test_undx_spreads_along_the_parents_line_and_across_it_by_the_third() -> None:
    on_line = np.array([[0.2, 0.2], [0.6, 0.6], [0.8, 0.8]])
    children = _children(UNDXCrossover(sigma_xi=0.5), on_line)
    assert np.allclose(children[:, 0], children[:, 1])  # third parent on the line
    assert np.allclose(children.mean(axis=0), [0.4, 0.4], atol=0.02)
    # Along the line the spread is sigma_xi times the parents' distance.
    along = (children - [0.4, 0.4]) @ (np.array([1.0, 1.0]) / np.sqrt(2))
    assert np.std(along) == pytest.approx(0.5 * np.sqrt(2) * 0.4, rel=0.05)
    off_line = np.array([[0.2, 0.2], [0.6, 0.6], [0.2, 0.6]])
    across = (_children(UNDXCrossover(), off_line) - [0.4, 0.4]) @ (
        np.array([1.0, -1.0]) / np.sqrt(2)
    )
    distance = 0.4 / np.sqrt(2)  # of the third parent from the line
    assert np.std(across) == pytest.approx(distance * 0.35 / np.sqrt(2), rel=0.05)


def test_polynomial_mutation_stays_inside_and_steps_less_for_a_larger_index() -> None:
    rng = np.random.RandomState(0)
    bounds = np.array([0.0, 1.0])
    small = [
        PolynomialMutation(100.0).mutation(0.5, rng, ONE_OBJECTIVE, bounds) for _ in range(500)
    ]
    large = [PolynomialMutation(1.0).mutation(0.5, rng, ONE_OBJECTIVE, bounds) for _ in range(500)]
    edge = [PolynomialMutation(1.0).mutation(0.0, rng, ONE_OBJECTIVE, bounds) for _ in range(500)]
    assert min(small + large + edge) >= 0.0 and max(small + large + edge) <= 1.0
    assert np.std(small) < 0.5 * np.std(large)
    assert np.mean(edge) > 0.05  # from the lower bound, only up


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (lambda: BLXAlphaCrossover(alpha=-0.1), "alpha"),
        (lambda: SBXCrossover(eta=-1.0), "eta"),
        (lambda: SBXCrossover(uniform_crossover_prob=1.5), "uniform_crossover_prob"),
        (lambda: VSBXCrossover(use_child_gene_prob=0.0), "use_child_gene_prob"),
        (lambda: SPXCrossover(epsilon=0.0), "epsilon"),
        (lambda: UNDXCrossover(sigma_xi=0.0), "sigma_xi"),
        (lambda: UNDXCrossover(sigma_eta=-1.0), "sigma_eta"),
        (lambda: PolynomialMutation(eta=-1.0), "eta"),
        (lambda: UniformCrossover(1.5), "swapping_prob"),
    ],
)
def test_bad_arguments_name_the_parameter(build: Any, name: str) -> None:
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of"):
        build()


# -- in the sampler ---------------------------------------------------------------------

SPACE = {
    "x": FloatDistribution(-1.0, 1.0),
    "lr": FloatDistribution(1e-4, 1.0, log=True),
    "units": IntDistribution(1, 64, log=True),
    "step": FloatDistribution(0.0, 1.0, step=0.25),
    "kind": CategoricalDistribution(["a", "b", "c"]),
}


def _objective(trial: fastune.Trial) -> tuple[float, float]:
    params = {name: trial._suggest(name, dist) for name, dist in SPACE.items()}
    spread = params["x"] ** 2 + np.log10(params["lr"]) ** 2 / 16 + params["step"]
    return spread + (params["kind"] == "b"), (1 - params["x"]) ** 2 + params["units"] / 64


def _params(sampler: NSGAIISampler, n_trials: int = 40) -> list[dict[str, Any]]:
    study = fastune.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(_objective, n_trials=n_trials)
    return [t.params for t in study.trials]


@pytest.mark.parametrize("sampler_class", [NSGAIISampler, NSGAIIISampler])
@pytest.mark.parametrize("crossover_class", CROSSOVERS[1:])
def test_every_crossover_breeds_valid_seeded_children(
    sampler_class: type[NSGAIISampler], crossover_class: type[BaseCrossover]
) -> None:
    def sampler() -> NSGAIISampler:
        return sampler_class(
            population_size=8, seed=3, crossover=crossover_class(), crossover_prob=1.0
        )

    trials = _params(sampler())
    assert trials == _params(sampler())
    for params in trials:
        for name, value in params.items():
            assert SPACE[name]._contains(SPACE[name].to_internal_repr(value)), (name, value)
    # Children's floats are bred, not copied: most are values no earlier trial had.
    earlier = {p["x"] for p in trials[:8]}
    assert sum(p["x"] not in earlier for p in trials[8:]) > 16


class _Recording(BaseCrossover):
    """The midpoint of its first two parents; keeps what it was given."""

    n_parents = 3

    def __init__(self) -> None:
        self.calls: list[tuple[np.ndarray, Any, np.ndarray]] = []

    def crossover(self, parents_params: Any, rng: Any, study: Any, bounds: Any) -> np.ndarray:
        self.calls.append((parents_params, rng, bounds))
        return parents_params[:2].mean(axis=0)


def test_a_users_crossover_gets_the_parents_rows_in_the_unit_cube() -> None:
    crossover = _Recording()
    sampler = NSGAIISampler(
        population_size=6, seed=0, crossover=crossover, crossover_prob=1.0, mutation_prob=0.0
    )
    study = fastune.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(_objective, n_trials=18)
    assert len(crossover.calls) == 12  # one per child of generations 1 and 2
    for index, (parents, rng, bounds) in enumerate(crossover.calls):
        assert parents.shape == (3, 4)  # three parents, the four numeric params
        if index < 6:  # generation 1: its parents, random trials, differ in every value
            assert len({tuple(row) for row in parents}) == 3
        assert ((parents >= 0) & (parents <= 1)).all()
        assert isinstance(rng, np.random.RandomState)
        assert (bounds == np.tile([0.0, 1.0], (4, 1))).all()
    # A child's "x" is the midpoint of two parents' (x in [-1, 1] maps to (x + 1) / 2).
    parents, _, _ = crossover.calls[0]
    assert study.trials[6].params["x"] == pytest.approx(parents[:2, 0].mean() * 2 - 1)


class _Outside(BaseCrossover):
    n_parents = 2

    def crossover(self, parents_params: Any, rng: Any, study: Any, bounds: Any) -> np.ndarray:
        return np.full(parents_params.shape[1], 2.0)


class _WrongShape(_Outside):
    def crossover(self, parents_params: Any, rng: Any, study: Any, bounds: Any) -> np.ndarray:
        return np.zeros(1)


def test_children_outside_the_cube_are_clipped_after_many_tries_and_bad_rows_refused() -> None:
    sampler = NSGAIISampler(population_size=4, seed=0, crossover=_Outside(), crossover_prob=1.0)
    children = _params(sampler, 8)[4:]
    sampler_space = {name: d for name, d in SPACE.items() if name != "kind"}
    for child in children:  # every numeric value at its upper bound, unless mutated
        at_top = [child[name] == d.high for name, d in sampler_space.items()]
        assert sum(at_top) >= 3
    bad = NSGAIISampler(population_size=4, seed=0, crossover=_WrongShape(), crossover_prob=1.0)
    with pytest.raises(InvalidParameterError, match="'crossover' parameter.*4 finite values"):
        _params(bad, 8)


def test_polynomial_mutation_moves_numeric_values_near_their_parent() -> None:
    sampler = NSGAIISampler(
        population_size=6,
        seed=1,
        crossover_prob=0.0,  # children copy one parent, then every value is mutated
        mutation_prob=1.0,
        mutation=PolynomialMutation(eta=200.0),
    )
    trials = _params(sampler, 12)
    parents_x = [p["x"] for p in trials[:6]]
    for child in trials[6:]:
        gap = min(abs(child["x"] - x) for x in parents_x)
        assert 0.0 < gap < 0.1  # moved, a little (x spans 2)
