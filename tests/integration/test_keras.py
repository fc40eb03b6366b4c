"""fastune.integration.keras on real Keras 3 training (a slice of digits, tiny models).

The module runs on the backend Keras picks (TensorFlow here); one test runs its core
tests again in a subprocess with ``KERAS_BACKEND=torch``, since Keras chooses its
backend once, at import.
"""

from __future__ import annotations

import copy
import importlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.datasets import load_digits

import fastune
from fastune.exceptions import (
    InvalidParameterError,
    InvalidParameterTypeError,
    MissingDependencyError,
)
from fastune.pbt import MemoryCheckpointStore, PopulationBasedTraining
from fastune.pruners import ThresholdPruner
from fastune.trial import TrialState

keras = pytest.importorskip("keras")

# Keras 3.15 on the torch backend reads variables with np.array(variable), whose
# __array__ lacks numpy 2's copy keyword: numpy's warning about Keras, not about fastune.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)

from fastune.integration.keras import (  # noqa: E402  (after the skip without keras)
    KerasCheckpoint,
    KerasPruningCallback,
    KerasSearch,
    KerasTrainable,
)

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
_features, _labels = load_digits(return_X_y=True)
X = (_features[:300] / 16.0).astype("float32")
Y = _labels[:300]
X_TRAIN, Y_TRAIN, X_VALID, Y_VALID = X[:200], Y[:200], X[200:], Y[200:]


def _build(params: dict[str, Any]) -> Any:
    model = keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dropout(params.get("dropout", 0.0)),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    optimizer = params.get("optimizer", "adam")
    model.compile(
        optimizer=keras.optimizers.get(
            {"class_name": optimizer, "config": {"learning_rate": params["learning_rate"]}}
        ),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _trainable(**options: Any) -> KerasTrainable:
    return KerasTrainable(
        _build,
        X_TRAIN,
        Y_TRAIN,
        validation_data=(X_VALID, Y_VALID),
        monitor="val_accuracy",
        **options,
    )


class EpochStarts(keras.callbacks.Callback):  # type: ignore[misc]
    """Records, at the start of each epoch, the weights and optimizer variables by path."""

    def __init__(self) -> None:
        super().__init__()
        self.starts: list[tuple[int, list[np.ndarray], dict[str, np.ndarray]]] = []

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        variables = {v.path: np.asarray(v.numpy()) for v in self.model.optimizer.variables}
        self.starts.append((epoch, self.model.get_weights(), variables))


class RecordingStore(MemoryCheckpointStore):
    """Keeps, for each transfer, copies of the copiers' and donors' checkpoints after it."""

    def __init__(self) -> None:
        super().__init__()
        self.transfers: list[list[tuple[Any, Any]]] = []

    def transfer(self, donors: Any) -> None:
        super().transfer(donors)
        self.transfers.append(
            [(copy.deepcopy(self.load(c)), copy.deepcopy(self.load(d))) for c, d in donors.items()]
        )


def _arrays_equal(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def _learning_rate(variables: dict[str, np.ndarray]) -> float:
    """The learning rate among an optimizer's variables (paths such as adam_3/learning_rate)."""
    [value] = [value for path, value in variables.items() if path.endswith("/learning_rate")]
    return float(value)


def test_runs_on_the_backend_asked_for() -> None:
    assert keras.backend.backend() == os.environ.get("KERAS_BACKEND", "tensorflow")


def test_exploit_copies_the_donors_weights_and_optimizer_variables() -> None:
    spy = EpochStarts()
    pbt = PopulationBasedTraining(
        _trainable(fit_kwargs={"callbacks": [spy]}),
        {"learning_rate": loguniform(1e-3, 1e-1)},
        population_size=2,
        generations=2,
        steps_per_generation=2,
        quantile_fraction=0.5,
        random_state=0,
    )
    pbt.checkpoints = store = RecordingStore()
    pbt.run()

    [[(copied, donor)]] = store.transfers
    assert copied.epoch == donor.epoch == 2
    assert _arrays_equal(copied.weights, donor.weights)
    assert _arrays_equal(copied.optimizer_variables, donor.optimizer_variables)
    assert int(donor.optimizer_variables[0]) > 0  # the iteration count
    assert any(np.abs(v).sum() > 0 for v in donor.optimizer_variables[2:])  # Adam moments
    # Both members' third epoch starts from the donor's weights and optimizer state (the
    # learning rate aside: the copy trains with its explored one).
    third_epoch = [start for start in spy.starts if start[0] == 2]
    assert len(third_epoch) == 2
    names = [path for path in third_epoch[0][2] if not path.endswith("learning_rate")]
    donor_variables = dict(zip(third_epoch[0][2], donor.optimizer_variables, strict=True))
    for _, weights, variables in third_epoch:
        assert _arrays_equal(weights, donor.weights)
        assert all(np.array_equal(variables[name], donor_variables[name]) for name in names)


def test_a_step_trains_with_the_searched_learning_rate() -> None:
    spy = EpochStarts()
    # One batch per epoch: the update is exactly one SGD step at the learning rate.
    trainable = _trainable(batch_size=200, fit_kwargs={"callbacks": [spy]})
    params = {"learning_rate": 0.01, "optimizer": "sgd"}
    state, _, _ = trainable.step(params, trainable.init(params, seed=0))
    after, _, _ = trainable.step({**params, "learning_rate": 0.5}, state)  # as after explore
    assert _learning_rate(spy.starts[-1][2]) == pytest.approx(0.5)

    def one_epoch_by_hand(learning_rate: float) -> list[np.ndarray]:
        model = _build({"learning_rate": learning_rate, "optimizer": "sgd"})
        model.set_weights(state.weights)
        model.fit(X_TRAIN, Y_TRAIN, batch_size=200, epochs=1, verbose=0, shuffle=False)
        return model.get_weights()

    for trained, expected in zip(after.weights, one_epoch_by_hand(0.5), strict=True):
        np.testing.assert_allclose(trained, expected, rtol=1e-5, atol=1e-6)
    assert not np.allclose(after.weights[0], one_epoch_by_hand(0.01)[0])


def test_pbt_explore_reaches_the_optimizer_of_every_segment() -> None:
    spy = EpochStarts()
    pbt = PopulationBasedTraining(
        _trainable(fit_kwargs={"callbacks": [spy]}),
        {"learning_rate": loguniform(1e-3, 1e-1)},
        population_size=4,
        generations=3,
        random_state=1,
    ).run()
    used = [_learning_rate(variables) for _, _, variables in spy.starts]
    searched = [trial.params["learning_rate"] for trial in pbt.study_.trials]
    assert used == pytest.approx(searched)
    assert set(searched[4:]) - set(searched[:4])  # explore made new values
    assert pbt.best_trial_.value > 0.5  # it learns


def test_restore_rebuilds_a_trained_model_and_the_run_repeats() -> None:
    space = {"learning_rate": loguniform(1e-3, 1e-1), "dropout": [0.0, 0.2]}
    runs = [
        PopulationBasedTraining(
            _trainable(), space, population_size=2, generations=2, random_state=2
        ).run()
        for _ in range(2)
    ]
    assert [t.value for t in runs[0].study_.trials] == [t.value for t in runs[1].study_.trials]
    member = runs[0].members_[0]
    checkpoint = runs[0].checkpoints.load(member.index)
    assert isinstance(checkpoint, KerasCheckpoint)
    model = _trainable().restore(checkpoint, member.params)
    accuracy = model.evaluate(X_VALID, Y_VALID, verbose=0)[1]
    assert accuracy == pytest.approx(member.score, abs=1e-6)


def _backend_has_a_gpu() -> bool:
    backend = keras.backend.backend()
    if backend == "torch":
        import torch

        return bool(torch.cuda.is_available())
    if backend == "jax":
        import jax

        return bool(jax.default_backend() == "gpu")
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def _on_a_gpu(variable: Any) -> bool:
    """Whether a Keras variable's value lives on a GPU (torch, JAX or TensorFlow)."""
    value = variable.value
    where = value.devices() if hasattr(value, "devices") else value.device
    return any(word in str(where).lower() for word in ("cuda", "gpu"))


@pytest.mark.skipif(not _backend_has_a_gpu(), reason="needs a GPU the Keras backend can use")
def test_training_runs_on_the_gpu_and_checkpoints_rest_as_numpy() -> None:
    placements: list[bool] = []

    class Where(keras.callbacks.Callback):  # type: ignore[misc]
        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            placements.append(all(_on_a_gpu(v) for v in self.model.trainable_variables))

    trainable = _trainable(fit_kwargs={"callbacks": [Where()]})
    state, score, _ = trainable.step(
        {"learning_rate": 0.01}, trainable.init({"learning_rate": 0.01}, seed=0)
    )
    assert placements and all(placements)
    assert all(isinstance(weight, np.ndarray) for weight in state.weights)
    restored = trainable.restore(state, {"learning_rate": 0.01})
    accuracy = float(np.mean(restored.predict(X_VALID, verbose=0).argmax(axis=1) == Y_VALID))
    assert accuracy == pytest.approx(score, abs=1 / len(Y_VALID))


def test_a_pruned_keras_trial_stops_training() -> None:
    epochs_run: list[int] = []

    class CountEpochs(keras.callbacks.Callback):  # type: ignore[misc]
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            epochs_run.append(epoch)

    def objective(trial: fastune.Trial) -> float:
        model = _build({"learning_rate": trial.suggest_float("learning_rate", 1e-3, 1e-2)})
        history = model.fit(
            X_TRAIN,
            Y_TRAIN,
            validation_data=(X_VALID, Y_VALID),
            epochs=10,
            verbose=0,
            callbacks=[CountEpochs(), KerasPruningCallback(trial, monitor="val_accuracy")],
        )
        return float(history.history["val_accuracy"][-1])

    # No accuracy reaches 2: the trial is pruned at its first check, after epoch 2.
    study = fastune.create_study(
        direction="maximize", pruner=ThresholdPruner(lower=2.0, n_warmup_steps=2)
    )
    study.optimize(objective, n_trials=1)
    assert study.trials[0].state == TrialState.PRUNED
    assert epochs_run == [0, 1, 2]
    assert list(study.trials[0].intermediate_values) == [0, 1, 2]


def test_keras_search_returns_best_models_and_best_epoch() -> None:
    def build(trial: Any) -> Any:
        return _build(
            {
                "learning_rate": trial.suggest_float("learning_rate", 3e-3, 3e-2, log=True),
                "dropout": trial.suggest_categorical("dropout", [0.0, 0.2]),
            }
        )

    search = KerasSearch(build, objective="val_accuracy", n_trials=3, keep_models=2, seed=0)
    assert search.direction == "maximize"
    search.search(X_TRAIN, Y_TRAIN, epochs=4, validation_data=(X_VALID, Y_VALID))
    best = search.study_.best_trial
    assert 0 <= search.best_epoch_ < 4
    assert search.get_best_hyperparameters()[0] == best.params
    models = search.get_best_models(2)
    assert len(models) == 2
    # The model comes back with the weights of its best epoch: it scores the trial's value.
    accuracy = models[0].evaluate(X_VALID, Y_VALID, verbose=0)[1]
    assert accuracy == pytest.approx(best.value, abs=1e-6)
    with pytest.raises(InvalidParameterError, match=r"'num_models'.*keep_models=2.*Got 3"):
        search.get_best_models(3)


def test_keras_search_minimizes_error_metrics_and_survives_a_nan_trial() -> None:
    for metric in ("val_mae", "mse", "val_rmse", "val_mape", "val_mean_squared_error"):
        assert KerasSearch(_build, objective=metric).direction == "minimize", metric
    assert KerasSearch(_build, objective="val_auc").direction == "maximize"

    def build(trial: Any) -> Any:
        model = _build({"learning_rate": trial.suggest_float("learning_rate", 3e-3, 3e-2)})
        if trial.number == 0:  # a diverged trial: its loss is NaN at every epoch
            model = keras.Sequential([keras.Input((64,)), model, keras.layers.Rescaling(np.nan)])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return model

    search = KerasSearch(build, objective="val_loss", n_trials=3, keep_models=2, seed=0)
    search.search(X_TRAIN, Y_TRAIN, epochs=2, validation_data=(X_VALID, Y_VALID))
    states = [t.state for t in search.study_.trials]
    assert states == [TrialState.FAIL, TrialState.COMPLETE, TrialState.COMPLETE]
    assert len(search.get_best_models(2)) == 2  # it was a KeyError at the next trial
    with pytest.raises(InvalidParameterError, match=r"'num_models'.*Got 0"):
        search.get_best_models(0)


def test_a_reused_model_trains_each_member_as_a_fresh_one_would() -> None:
    # The last-built model is reused across members; its dropout's random state is not
    # in the weights, so it is reset from each epoch's seed.
    params = {"learning_rate": 0.01, "dropout": 0.5}
    alone = _trainable()
    state = alone.init(params, seed=1)
    _, score_alone, _ = alone.step(params, state)
    shared = _trainable()
    other = shared.init(params, seed=2)
    shared.step(params, other)  # another member trains the same model first
    _, score_after, _ = shared.step(params, state)
    assert score_after == score_alone


def test_the_learning_rate_build_reads_wins_over_the_loaded_one() -> None:
    seen: list[float] = []

    class LearningRate(keras.callbacks.Callback):  # type: ignore[misc]
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            seen.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))

    def build(params: dict[str, Any]) -> Any:  # the space calls it "lr"
        return _build({"learning_rate": params["lr"]})

    trainable = KerasTrainable(
        build,
        X_TRAIN,
        Y_TRAIN,
        validation_data=(X_VALID, Y_VALID),
        fit_kwargs={"callbacks": [LearningRate()]},
    )
    state = trainable.init({"lr": 0.1}, seed=0)
    state, _, _ = trainable.step({"lr": 0.1}, state)
    trainable.step({"lr": 0.001}, state)  # as a copy after explore
    assert seen == pytest.approx([0.1, 0.001])  # it trained with the donor's 0.1


def test_an_optimizer_on_a_learning_rate_schedule_takes_the_searched_rate() -> None:
    # Its learning rate cannot be set: build(params) gives the schedule the searched
    # rate, and the loaded step count carries the schedule on.
    seen: list[float] = []

    class LearningRate(keras.callbacks.Callback):  # type: ignore[misc]
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            seen.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))

    def build(params: dict[str, Any]) -> Any:
        model = _build({"learning_rate": 0.01})
        halving = keras.optimizers.schedules.ExponentialDecay(
            params["learning_rate"], decay_steps=1, decay_rate=0.5
        )
        model.compile(keras.optimizers.SGD(halving), loss="sparse_categorical_crossentropy")
        return model

    trainable = KerasTrainable(
        build,
        X_TRAIN,
        Y_TRAIN,
        validation_data=(X_VALID, Y_VALID),
        batch_size=200,  # one batch, one step of the schedule, per epoch
        fit_kwargs={"callbacks": [LearningRate()]},
    )
    state = trainable.init({"learning_rate": 0.01}, seed=0)
    state, _, _ = trainable.step({"learning_rate": 0.01}, state)
    state, _, _ = trainable.step({"learning_rate": 0.1}, state)  # as after explore
    assert seen == pytest.approx([0.01, 0.1 * 0.5])
    model = trainable.restore(state, {"learning_rate": 0.1})
    assert float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)) == pytest.approx(
        0.1 * 0.25
    )


def test_optuna_integration_names_reach_the_keras_callback() -> None:
    import fastune as optuna
    from fastune.integration import TFKerasPruningCallback

    assert optuna.integration.KerasPruningCallback is KerasPruningCallback
    assert optuna.integration.TFKerasPruningCallback is KerasPruningCallback
    assert TFKerasPruningCallback is KerasPruningCallback


def test_bad_arguments_name_the_parameter() -> None:
    assert KerasSearch(_build, objective="val_loss").direction == "minimize"
    with pytest.raises(InvalidParameterError, match=r"'direction' parameter of KerasSearch"):
        KerasSearch(_build, direction="up")
    with pytest.raises(InvalidParameterTypeError, match=r"'build' parameter of KerasTrainable"):
        KerasTrainable("model", X_TRAIN, Y_TRAIN)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"'interval'.*Got 0"):
        KerasPruningCallback(None, interval=0)
    trainable = KerasTrainable(
        _build, X_TRAIN, Y_TRAIN, validation_data=(X_VALID, Y_VALID), monitor="val_acc"
    )
    params = {"learning_rate": 0.01}
    with pytest.raises(InvalidParameterError, match=r"'monitor'.*'val_accuracy'.*Got 'val_acc'"):
        trainable.step(params, trainable.init(params, seed=0))


def test_missing_keras_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keras", None)
    monkeypatch.delitem(sys.modules, "fastune.integration.keras")
    with pytest.raises(MissingDependencyError, match=r"pip install 'fastune\[keras\]'"):
        importlib.import_module("fastune.integration.keras")


@pytest.mark.skipif(
    os.environ.get("KERAS_BACKEND") == "torch", reason="this is the run on the torch backend"
)
def test_the_core_tests_pass_on_the_torch_backend() -> None:
    pytest.importorskip("torch")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(Path(__file__)),
            "-k",
            "backend_asked_for or exploit or searched_learning_rate or pruned"
            " or reused or schedule",
        ],
        cwd=REPOSITORY_ROOT,
        env={**os.environ, "KERAS_BACKEND": "torch"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    assert "6 passed" in completed.stdout
