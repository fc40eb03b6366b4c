from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

import fastune
from fastune.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    IntUniformDistribution,
    LogUniformDistribution,
    UniformDistribution,
    as_distribution,
    check_distribution_compatibility,
    check_same_distribution,
    distribution_to_json,
    json_to_distribution,
)
from fastune.exceptions import FastuneError, InvalidParameterError, InvalidParameterTypeError


class TestFloatDistribution:
    def test_contains_respects_bounds_and_step(self) -> None:
        d = FloatDistribution(0.0, 1.0, step=0.25)
        assert d._contains(0.75)
        assert not d._contains(0.8)
        assert not d._contains(1.25)

    def test_single(self) -> None:
        assert FloatDistribution(2.0, 2.0).single()
        assert FloatDistribution(0.5, 0.5, step=0.1).single()
        assert not FloatDistribution(0.0, 1.0).single()

    @pytest.mark.parametrize("step", [0.01, 0.1, 0.25, 0.7])
    def test_two_values_one_step_apart_are_not_single(self, step: float) -> None:
        # 0.3 - 0.2 < 0.1 in floats: such ranges were taken as one value, and every
        # sampler then proposed only their low end.
        for k in range(60):
            distribution = FloatDistribution(k * step, k * step + step, step=step)
            assert not distribution.single(), distribution

    def test_both_values_of_such_a_range_are_proposed(self) -> None:
        study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
        study.optimize(lambda t: t.suggest_float("x", 0.2, 0.3, step=0.1), n_trials=20)
        assert {t.params["x"] for t in study.trials} == {0.2, 0.3}

    @pytest.mark.parametrize(
        ("kwargs", "fragment"),
        [
            ({"low": 2.0, "high": 1.0}, "'low' parameter of FloatDistribution must be <= high"),
            ({"low": 0.0, "high": 1.0, "log": True}, "> 0 when log=True"),
            ({"low": 1e-3, "high": 1.0, "log": True, "step": 0.1}, "None when log=True"),
            ({"low": 0.0, "high": 1.0, "step": 0.0}, "'step' parameter"),
            ({"low": 0.0, "high": float("inf")}, "finite"),
        ],
    )
    def test_bad_input_names_parameter_and_value(self, kwargs: dict, fragment: str) -> None:
        with pytest.raises(InvalidParameterError, match="Got") as info:
            FloatDistribution(**kwargs)
        assert fragment in str(info.value)
        assert isinstance(info.value, (FastuneError, ValueError))

    @pytest.mark.parametrize(
        ("low", "high", "step", "top"),
        [(0.0, 1.0, 0.3, 0.9), (0.1, 1.0, 0.2, 0.9), (-1.0, 0.55, 0.5, 0.5)],
    )
    def test_a_step_that_does_not_divide_the_range_lowers_high(
        self, low: float, high: float, step: float, top: float
    ) -> None:
        # As Optuna: the grid keeps low and step and ends at its last point below high.
        with pytest.warns(UserWarning, match=f"step={step}.*lowered to {top}"):
            distribution = FloatDistribution(low, high, step=step)
        assert (distribution.low, distribution.high, distribution.step) == (low, top, step)
        assert distribution._contains(top) and not distribution._contains(high)

    def test_a_step_that_divides_the_range_keeps_high_without_a_warning(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert FloatDistribution(0.2, 0.3, step=0.1).high == 0.3
            assert FloatDistribution(0.0, 1.0, step=0.1).high == 1.0

    def test_non_number_bound_is_type_error(self) -> None:
        with pytest.raises(InvalidParameterTypeError, match="'low'"):
            FloatDistribution("0", 1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("distribution", "value", "fragment"),
    [
        (FloatDistribution(1e-3, 1.0, log=True), 0.0, "> 0"),
        (FloatDistribution(1e-3, 1.0, log=True), -1.0, "> 0"),
        (FloatDistribution(0.0, 1.0), float("nan"), "not NaN"),
        (IntDistribution(1, 10, log=True), 0, "> 0"),
    ],
)
def test_a_value_no_scale_holds_has_no_internal_form(
    distribution: BaseDistribution, value: float, fragment: str
) -> None:
    # As Optuna's: outside the range is allowed (an enqueued value is used as given, with
    # a warning), but not a value the scale cannot hold.
    with pytest.raises(InvalidParameterError, match=f"'value'.*{fragment}"):
        distribution.to_internal_repr(value)
    assert distribution.to_internal_repr(2) == 2.0


class TestIntDistribution:
    def test_repr_roundtrip(self) -> None:
        d = IntDistribution(1, 9, step=2)
        assert d.to_external_repr(d.to_internal_repr(5)) == 5
        assert isinstance(d.to_external_repr(5.0), int)
        assert d._contains(7.0)
        assert not d._contains(6.0)

    @pytest.mark.parametrize(
        ("args", "kwargs", "error"),
        [
            ((5, 1), {}, InvalidParameterError),
            ((0, 10), {"log": True}, InvalidParameterError),
            ((1, 10), {"log": True, "step": 3}, InvalidParameterError),
            ((0, 10), {"step": 0}, InvalidParameterError),
            ((0.5, 10), {}, InvalidParameterTypeError),
        ],
    )
    def test_bad_input(self, args: tuple, kwargs: dict, error: type[Exception]) -> None:
        with pytest.raises(error, match="IntDistribution must be"):
            IntDistribution(*args, **kwargs)

    @pytest.mark.parametrize(
        ("low", "high", "step", "top"), [(0, 10, 3, 9), (50, 1000, 100, 950), (1, 10, 2, 9)]
    )
    def test_a_step_that_does_not_divide_the_range_lowers_high(
        self, low: int, high: int, step: int, top: int
    ) -> None:
        with pytest.warns(UserWarning, match=f"step={step}.*lowered to {top}"):
            distribution = IntDistribution(low, high, step=step)
        assert (distribution.high, type(distribution.high)) == (top, int)
        assert distribution._contains(top) and not distribution._contains(high)


class TestCategoricalDistribution:
    def test_internal_repr_is_index_and_keeps_types_apart(self) -> None:
        d = CategoricalDistribution([1, True, "a", None, 1.5])
        assert d.to_internal_repr(True) == 1.0
        assert d.to_internal_repr(1) == 0.0
        assert d.to_external_repr(3.0) is None

    def test_unknown_choice_is_rejected(self) -> None:
        with pytest.raises(InvalidParameterError, match="one of 'a', 'b'"):
            CategoricalDistribution(["a", "b"]).to_internal_repr("c")

    def test_empty_choices(self) -> None:
        with pytest.raises(InvalidParameterError, match="non-empty"):
            CategoricalDistribution([])

    def test_unhashable_choices_are_accepted_with_a_warning(self) -> None:
        with pytest.warns(UserWarning, match=r"\[\[1, 2\], \[3\], {.a.: 1}\] are not hashable"):
            distribution = CategoricalDistribution([[1, 2], [3], {"a": 1}])
        assert distribution.to_internal_repr([3]) == 1
        assert distribution.to_internal_repr({"a": 1}) == 2
        assert distribution.to_external_repr(0) == [1, 2]
        with pytest.warns(UserWarning, match="not hashable"):
            twin = CategoricalDistribution([[1, 2], [3], {"a": 1}])
        assert twin == distribution and hash(twin) == hash(distribution)
        with pytest.warns(UserWarning, match="not hashable"):
            assert json_to_distribution(distribution_to_json(distribution)) == distribution

    def test_string_is_not_a_sequence_of_choices(self) -> None:
        with pytest.raises(InvalidParameterTypeError, match="'choices'"):
            CategoricalDistribution("abc")

    def test_equality_distinguishes_types(self) -> None:
        assert CategoricalDistribution([1, 2]) == CategoricalDistribution((1, 2))
        assert CategoricalDistribution([1, 2]) != CategoricalDistribution([1.0, 2.0])


def test_same_distribution_check_names_the_parameter() -> None:
    check_same_distribution("x", FloatDistribution(0, 1), FloatDistribution(0, 1))
    with pytest.raises(InvalidParameterError, match="'x'"):
        check_same_distribution("x", FloatDistribution(0, 1), FloatDistribution(0, 2))


def test_compatibility_allows_other_ranges_not_other_classes_or_choices() -> None:
    check_distribution_compatibility(FloatDistribution(0, 1), FloatDistribution(0, 2))
    with pytest.raises(InvalidParameterError, match="class"):
        check_distribution_compatibility(FloatDistribution(0, 1), IntDistribution(0, 1))
    with pytest.raises(InvalidParameterError, match="choices"):
        check_distribution_compatibility(
            CategoricalDistribution(["a"]), CategoricalDistribution(["a", "b"])
        )
    for kind in (FloatDistribution, IntDistribution):  # as Optuna: log must stay the same
        with pytest.raises(InvalidParameterError, match="log setting"):
            check_distribution_compatibility(kind(1, 10), kind(1, 10, log=True))


@pytest.mark.parametrize(
    "distribution",
    [
        FloatDistribution(1e-3, 1.0, log=True),
        FloatDistribution(0.0, 1.0, step=0.25),
        IntDistribution(1, 64, log=True),
        CategoricalDistribution(["a", None, 2, 1.5, True]),
    ],
)
def test_json_round_trip(distribution: BaseDistribution) -> None:
    assert json_to_distribution(distribution_to_json(distribution)) == distribution


def test_json_of_unknown_distribution() -> None:
    with pytest.raises(InvalidParameterError, match="'json_str'"):
        json_to_distribution('{"name": "Normal", "attributes": {}}')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"type": "float", "low": 0.5, "high": 2}', FloatDistribution(0.5, 2.0)),
        ('{"type": "float", "low": 1, "high": 9, "log": true}', FloatDistribution(1, 9, log=True)),
        (
            '{"type": "float", "low": 0, "high": 1, "step": 0.25}',
            FloatDistribution(0, 1, step=0.25),
        ),
        ('{"type": "int", "low": 1, "high": 9}', IntDistribution(1, 9)),
        ('{"type": "int", "low": 0, "high": 8, "step": 2}', IntDistribution(0, 8, step=2)),
        ('{"type": "categorical", "choices": ["a", 1]}', CategoricalDistribution(["a", 1])),
    ],
)
def test_optunas_short_json_form(text: str, expected: BaseDistribution) -> None:
    # The form Optuna's command line takes for a search space, as Optuna reads it.
    assert json_to_distribution(text) == expected


@pytest.mark.parametrize(
    "text",
    ['{"type": "normal", "low": 0, "high": 1}', '{"type": "int", "low": 0, "high": 1, "q": 1}'],
)
def test_a_short_form_of_another_type_or_key_is_refused(text: str) -> None:
    with pytest.raises(InvalidParameterError, match="'json_str'.*short form"):
        json_to_distribution(text)


class TestAsDistribution:
    def test_list_and_array_are_categorical(self) -> None:
        assert as_distribution(["a", "b"]) == CategoricalDistribution(["a", "b"])
        assert as_distribution(np.array([1, 2])) == CategoricalDistribution([1, 2])

    def test_range_is_int_with_step(self) -> None:
        assert as_distribution(range(2, 11, 2)) == IntDistribution(2, 10, step=2)

    def test_scipy_uniform(self) -> None:
        assert as_distribution(stats.uniform(0.1, 10)) == FloatDistribution(0.1, 10.1)

    def test_scipy_loguniform(self) -> None:
        expected = FloatDistribution(1e-3, 1.0, log=True)
        assert as_distribution(stats.loguniform(1e-3, 1.0)) == expected
        assert as_distribution(stats.reciprocal(1e-3, 1.0)) == expected

    def test_scipy_randint_excludes_high(self) -> None:
        assert as_distribution(stats.randint(1, 10)) == IntDistribution(1, 9)

    def test_distribution_passes_through(self) -> None:
        d = FloatDistribution(0, 1)
        assert as_distribution(d) is d

    def test_unbounded_scipy_distribution_is_rejected(self) -> None:
        with pytest.raises(InvalidParameterTypeError, match="'alpha'.*loguniform"):
            as_distribution(stats.norm(0, 1), name="alpha")

    def test_optuna_distributions_become_fastunes(self) -> None:
        # A search space written in a module that still imports optuna.
        optuna = pytest.importorskip("optuna")
        spaces = optuna.distributions
        converted = {
            spaces.FloatDistribution(1e-3, 1.0, log=True): FloatDistribution(1e-3, 1.0, log=True),
            spaces.FloatDistribution(0.0, 1.0, step=0.25): FloatDistribution(0.0, 1.0, step=0.25),
            spaces.IntDistribution(2, 10, step=2): IntDistribution(2, 10, step=2),
            spaces.IntDistribution(1, 64, log=True): IntDistribution(1, 64, log=True),
            spaces.CategoricalDistribution(["a", None, 3]): CategoricalDistribution(["a", None, 3]),
        }
        for given, expected in converted.items():
            result = as_distribution(given)
            assert type(result) is type(expected) and result == expected
            # the same as through the JSON both libraries write
            assert result == json_to_distribution(spaces.distribution_to_json(given))
        with pytest.warns(FutureWarning):
            old = spaces.IntUniformDistribution(0, 8, step=2)
        assert as_distribution(old) == IntDistribution(0, 8, step=2)

    def test_other_optuna_objects_are_rejected(self) -> None:
        optuna = pytest.importorskip("optuna")
        with pytest.raises(InvalidParameterTypeError, match="'alpha'.*Optuna.*TPESampler"):
            as_distribution(optuna.samplers.TPESampler(), name="alpha")


def test_optunas_json_names_from_before_version_3_are_read() -> None:
    old = {
        '{"name": "UniformDistribution", "attributes": {"low": 0.0, "high": 1.0}}': (
            FloatDistribution(0.0, 1.0)
        ),
        '{"name": "LogUniformDistribution", "attributes": {"low": 0.1, "high": 1.0}}': (
            FloatDistribution(0.1, 1.0, log=True)
        ),
        '{"name": "DiscreteUniformDistribution", "attributes": {"low": 0, "high": 1, "q": 0.5}}': (
            FloatDistribution(0.0, 1.0, step=0.5)
        ),
        '{"name": "IntUniformDistribution", "attributes": {"low": 0, "high": 8, "step": 2}}': (
            IntDistribution(0, 8, step=2)
        ),
        '{"name": "IntLogUniformDistribution", "attributes": {"low": 1, "high": 8}}': (
            IntDistribution(1, 8, log=True)
        ),
    }
    for text, expected in old.items():
        assert json_to_distribution(text) == expected


def test_the_old_names_give_todays_distributions_with_a_warning() -> None:
    with pytest.warns(FutureWarning, match="FloatDistribution"):
        dist = UniformDistribution(0.0, 2.0)
    assert type(dist) is FloatDistribution and dist == FloatDistribution(0.0, 2.0)
    with pytest.warns(FutureWarning, match="IntDistribution"):
        assert IntUniformDistribution(0, 9, 3) == IntDistribution(0, 9, step=3)
    with pytest.warns(FutureWarning):
        assert LogUniformDistribution(1e-3, 1.0) == FloatDistribution(1e-3, 1.0, log=True)


def test_categorical_values_equal_to_a_choice_are_taken_as_optuna_does() -> None:
    # numpy scalars and equal numbers (np.int64(32) for 32, 1 for 1.0) find their
    # choice; a choice of the very type comes first (1 and True both choices).
    assert CategoricalDistribution([16, 32]).to_internal_repr(np.int64(32)) == 1.0
    assert CategoricalDistribution(["a", "b"]).to_internal_repr(np.str_("b")) == 1.0
    assert CategoricalDistribution([1.0, 2.0]).to_internal_repr(2) == 1.0
    assert CategoricalDistribution([1, True]).to_internal_repr(True) == 1.0
    assert CategoricalDistribution([1, True]).to_internal_repr(1) == 0.0
    with pytest.raises(InvalidParameterError, match="one of 16, 32"):
        CategoricalDistribution([16, 32]).to_internal_repr(np.int64(8))


def test_categorical_nan_choices_compare_and_hash_equal() -> None:
    first, second = CategoricalDistribution([math.nan, 1.0]), CategoricalDistribution([np.nan, 1.0])
    assert first == second and hash(first) == hash(second)
    assert first.to_internal_repr(float("nan")) == 0.0
    assert first != CategoricalDistribution([0.0, 1.0])
