"""fastune.integration.botorch: BoTorchSampler on real BoTorch models (short runs: each
model-based trial fits a GP and searches its acquisition function), what it hands to a
candidates function, each candidates function on its own, Optuna's own sampler on the
same program, and errors."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
from tests.integration.peers import LIBRARIES, library_and_integration

import fastune
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError

pytestmark = pytest.mark.filterwarnings(
    # linear_operator, under BoTorch, uses torch.jit.script, which torch deprecates.
    "ignore:`torch.jit.script` is deprecated:DeprecationWarning"
)

torch = pytest.importorskip("torch")
pytest.importorskip("botorch")

from fastune.integration import botorch as fb  # noqa: E402

BoTorchSampler = fb.BoTorchSampler


def _quadratic(trial: Any) -> float:
    x = trial.suggest_float("x", 0.0, 1.0)
    return (x - 0.3) ** 2


class _Recorder:
    """A candidates function that records its arguments and answers with ``inner``'s."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any) -> Any:
        self.calls.append(args)
        return self.inner(*args)


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
# BoTorch's numerical notes, which Optuna's sampler lets through (fastune's hides them:
# the other tests, fastune only, fail on any warning).
@pytest.mark.filterwarnings("ignore:Optimization failed:RuntimeWarning")
@pytest.mark.filterwarnings("ignore::RuntimeWarning:linear_operator")
@pytest.mark.parametrize("library", LIBRARIES)
def test_the_model_finds_the_minimum_of_a_quadratic(library: str) -> None:
    module, integration = library_and_integration(library)
    sampler = integration.BoTorchSampler(n_startup_trials=5, seed=0)
    study = module.create_study(sampler=sampler)
    study.optimize(_quadratic, n_trials=9)
    random_best = min(t.value for t in study.trials[:5])
    assert study.best_value < random_best
    assert abs(study.best_params["x"] - 0.3) < 0.05


def test_trials_reach_the_candidates_function_as_the_module_says() -> None:
    recorder = _Recorder(fb.logei_candidates_func)

    def objective(trial: fastune.Trial) -> float:
        lr = trial.suggest_float("lr", 1e-4, 1.0, log=True)
        n = trial.suggest_int("n", 1, 4)
        kind = trial.suggest_categorical("kind", ["a", "b", "c"])
        return float(np.log10(lr)) ** 2 + n + (kind != "b")

    sampler = BoTorchSampler(n_startup_trials=4, seed=1, candidates_func=recorder)
    study = fastune.create_study(sampler=sampler)
    study.optimize(objective, n_trials=6)
    assert len(recorder.calls) == 2  # one per trial after the four random ones
    train_x, train_obj, train_con, bounds, pending = recorder.calls[0]
    # Columns: lr, n, then one per choice of kind; every column in [0, 1].
    assert train_x.shape == (4, 5) and train_x.dtype == torch.float64
    assert torch.equal(bounds, torch.tensor([[0.0] * 5, [1.0] * 5], dtype=torch.float64))
    assert ((train_x >= 0) & (train_x <= 1)).all()
    assert train_x[:, 2:].sum(dim=1).tolist() == [1.0] * 4  # one choice set per trial
    for row, trial in zip(train_x, study.trials[:4], strict=True):
        assert row[2 + ["a", "b", "c"].index(trial.params["kind"])] == 1.0
        assert float(row[0]) == pytest.approx((np.log10(trial.params["lr"]) + 4) / 4)
    # Minimized: the function maximizes the negated values.
    assert train_obj[:, 0].tolist() == [-t.value for t in study.trials[:4]]
    assert train_con is None and pending is None
    assert recorder.calls[1][0].shape == (5, 5)


def test_a_fixed_point_decodes_to_parameters() -> None:
    # Columns: x, then kind's three choices; the largest indicator picks the choice.
    def candidates(*_: Any) -> Any:
        return torch.tensor([[0.25, 0.1, 0.2, 0.7]], dtype=torch.float64)

    def objective(trial: fastune.Trial) -> float:
        x = trial.suggest_float("x", -1.0, 1.0)
        return x + ["a", "b", "c"].index(trial.suggest_categorical("kind", ["a", "b", "c"]))

    study = fastune.create_study(
        sampler=BoTorchSampler(n_startup_trials=2, candidates_func=candidates)
    )
    study.optimize(objective, n_trials=3)
    assert study.trials[2].params == {"x": -0.5, "kind": "c"}


def test_constraints_and_several_objectives() -> None:
    recorder = _Recorder(fb.qehvi_candidates_func)

    def objective(trial: fastune.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_float("y", 0.0, 1.0)
        trial.set_constraint("sum", x + y - 1.0)
        return x, (1.0 - x) ** 2 + y

    sampler = BoTorchSampler(n_startup_trials=4, seed=0, candidates_func=recorder)
    study = fastune.create_study(directions=["minimize", "maximize"], sampler=sampler)
    study.optimize(objective, n_trials=6)
    _, train_obj, train_con, _, _ = recorder.calls[0]
    first = study.trials[:4]
    assert train_obj.tolist() == [[-t.values[0], t.values[1]] for t in first]
    assert train_con[:, 0].tolist() == [t.constraints["sum"] for t in first]
    for trial in study.trials[4:]:
        assert 0.0 <= trial.params["x"] <= 1.0 and 0.0 <= trial.params["y"] <= 1.0


def test_the_default_function_follows_optunas_rules() -> None:
    choose = fb._default_candidates_func
    assert choose(1, constrained=False, pending=False) is fb.logei_candidates_func
    assert choose(1, constrained=True, pending=False) is fb.logei_candidates_func
    assert choose(1, constrained=False, pending=True) is fb.qei_candidates_func
    assert choose(2, constrained=False, pending=False) is fb.qehvi_candidates_func
    assert choose(3, constrained=True, pending=True) is fb.qehvi_candidates_func
    assert choose(4, constrained=False, pending=False) is fb.ehvi_candidates_func
    assert choose(4, constrained=True, pending=False) is fb.qparego_candidates_func
    assert choose(4, constrained=False, pending=True) is fb.qparego_candidates_func


def test_running_trials_are_pending_points() -> None:
    recorder = _Recorder(fb.qei_candidates_func)
    sampler = BoTorchSampler(
        n_startup_trials=3, seed=0, consider_running_trials=True, candidates_func=recorder
    )
    study = fastune.create_study(sampler=sampler)
    study.optimize(_quadratic, n_trials=3)
    running = study.ask()
    running_x = running.suggest_float("x", 0.0, 1.0)
    study.ask().suggest_float("x", 0.0, 1.0)
    pending = recorder.calls[-1][4]
    assert pending.tolist() == [[pytest.approx(running_x)]]
    # Without the option, no pending points.
    quiet = _Recorder(fb.logei_candidates_func)
    study = fastune.create_study(
        sampler=BoTorchSampler(n_startup_trials=3, seed=0, candidates_func=quiet)
    )
    study.optimize(_quadratic, n_trials=3)
    study.ask().suggest_float("x", 0.0, 1.0)
    study.ask().suggest_float("x", 0.0, 1.0)
    assert quiet.calls[-1][4] is None


def test_a_seed_gives_the_same_trials() -> None:
    def params(seed: int) -> list[float]:
        study = fastune.create_study(sampler=BoTorchSampler(n_startup_trials=3, seed=seed))
        study.optimize(_quadratic, n_trials=5)
        return [t.params["x"] for t in study.trials]

    first = params(3)
    assert params(3) == first
    assert params(4) != first


def test_the_sampler_pickles_and_keeps_working() -> None:
    sampler = pickle.loads(pickle.dumps(BoTorchSampler(n_startup_trials=2, seed=0)))
    study = fastune.create_study(sampler=sampler)
    study.optimize(_quadratic, n_trials=3)
    assert len(study.trials) == 3


SINGLE = [
    fb.logei_candidates_func,
    fb.qei_candidates_func,
    fb.qnei_candidates_func,
]
MULTI = [
    fb.qehvi_candidates_func,
    fb.qnehvi_candidates_func,
    fb.ehvi_candidates_func,
    fb.qparego_candidates_func,
]


def _data(n_objectives: int, constrained: bool) -> tuple[Any, ...]:
    generator = torch.Generator().manual_seed(0)
    train_x = torch.rand(8, 2, generator=generator, dtype=torch.float64)
    columns = [-((train_x - 0.2 * (k + 1)) ** 2).sum(dim=1) for k in range(n_objectives)]
    train_obj = torch.stack(columns, dim=1)
    train_con = (train_x[:, :1] - 0.8) if constrained else None
    bounds = torch.tensor([[0.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
    return train_x, train_obj, train_con, bounds


@pytest.mark.parametrize("function", SINGLE + MULTI, ids=lambda f: f.__name__)
def test_each_function_returns_one_point_inside_the_bounds(function: Any) -> None:
    n_objectives = 1 if function in SINGLE else 2
    constrained = function is not fb.ehvi_candidates_func
    train_x, train_obj, train_con, bounds = _data(n_objectives, constrained)
    point = function(train_x, train_obj, train_con, bounds, None)
    assert point.shape == (1, 2)
    assert ((point >= 0) & (point <= 1)).all()
    wrong = _data(2 if function in SINGLE else 1, False)
    with pytest.raises(InvalidParameterError, match="'train_obj'"):
        function(wrong[0], wrong[1], None, wrong[3], None)


def test_a_candidates_function_of_the_wrong_shape_is_named() -> None:
    def candidates(*_: Any) -> Any:
        return torch.zeros(1, 3, dtype=torch.float64)

    study = fastune.create_study(
        sampler=BoTorchSampler(n_startup_trials=1, candidates_func=candidates)
    )
    study.optimize(_quadratic, n_trials=1)
    with pytest.raises(InvalidParameterError, match=r"'candidates_func'.*\(1, 1\)"):
        study.optimize(_quadratic, n_trials=1)


def test_bad_arguments_are_named() -> None:
    with pytest.raises(InvalidParameterTypeError, match="'candidates_func'"):
        BoTorchSampler(candidates_func="logei")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="'n_startup_trials'"):
        BoTorchSampler(n_startup_trials=-1)
    with pytest.raises(InvalidParameterError, match="'device'.*'gpu7'"):
        BoTorchSampler(device="gpu7")
    with pytest.raises(InvalidParameterTypeError, match="'independent_sampler'"):
        BoTorchSampler(independent_sampler="random")  # type: ignore[arg-type]


needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@needs_cuda
@pytest.mark.parametrize("function", SINGLE + MULTI, ids=lambda f: f.__name__)
def test_each_function_works_on_cuda_tensors(function: Any) -> None:
    n_objectives = 1 if function in SINGLE else 2
    constrained = function is not fb.ehvi_candidates_func
    on_gpu = [None if t is None else t.cuda() for t in _data(n_objectives, constrained)]
    point = function(*on_gpu, None)
    assert point.device.type == "cuda"
    assert point.shape == (1, 2)
    assert ((point >= 0) & (point <= 1)).all()


@needs_cuda
def test_the_sampler_hands_cuda_tensors_over_and_decodes_their_points() -> None:
    recorder = _Recorder(fb.qnehvi_candidates_func)

    def objective(trial: fastune.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        n = trial.suggest_int("n", 1, 4)
        trial.set_constraint("sum", x + n / 4 - 1.5)
        return x * n, (1.0 - x) ** 2

    sampler = BoTorchSampler(n_startup_trials=4, seed=0, candidates_func=recorder, device="cuda")
    study = fastune.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(objective, n_trials=6)
    assert len(recorder.calls) == 2
    assert {t.device.type for t in recorder.calls[0][:4]} == {"cuda"}
    for trial in study.trials[4:]:
        assert 0.0 <= trial.params["x"] <= 1.0
        assert trial.params["n"] in {1, 2, 3, 4}
