"""Keras 3 (``pip install fastune[keras]``), on any backend (TensorFlow, torch, JAX):
a pruning callback, Population Based Training of a Keras model, and a Keras-Tuner-like
search with ``build(trial)``.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from fastune._imports import import_optional

import_optional("keras", "keras")

import keras  # noqa: E402  (after the check that names the extra)

from fastune._validation import check_choice, check_int, invalid, invalid_type  # noqa: E402
from fastune.exceptions import TrialPruned  # noqa: E402
from fastune.trial import FixedTrial, TrialState  # noqa: E402

__all__ = [
    "KerasCheckpoint",
    "KerasPruningCallback",
    "KerasSearch",
    "KerasTrainable",
    "TFKerasPruningCallback",
]


class KerasPruningCallback(keras.callbacks.Callback):
    """Report ``monitor`` to ``trial`` after each epoch; stop training when it is pruned.

    Raises :class:`~fastune.exceptions.TrialPruned` out of ``model.fit``, so that a
    study's ``optimize`` records the trial as pruned.

    Args:
        trial: The trial of the objective.
        monitor: A key of the epoch's logs, such as ``"val_loss"`` or ``"val_accuracy"``.
        interval: Report every this many epochs.

    Example:
        >>> from fastune.integration.keras import KerasPruningCallback
        >>> def objective(trial):  # doctest: +SKIP
        ...     model = build(trial)
        ...     model.fit(x, y, validation_data=(x_val, y_val), epochs=20,
        ...               callbacks=[KerasPruningCallback(trial, monitor="val_loss")])
        ...     return model.evaluate(x_val, y_val)
    """

    def __init__(self, trial: Any, monitor: str = "val_loss", interval: int = 1) -> None:
        super().__init__()
        if not isinstance(monitor, str):
            raise invalid_type("monitor", "KerasPruningCallback", "a str", monitor)
        self.trial = trial
        self.monitor = monitor
        self.interval = int(check_int(interval, "interval", "KerasPruningCallback", low=1) or 1)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if (epoch + 1) % self.interval:
            return
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(
                f"The metric {self.monitor!r} is not in the logs of epoch {epoch}, so trial "
                f"{self.trial.number} reports nothing; logged: {sorted(logs or {})}.",
                stacklevel=2,
            )
            return
        self.trial.report(float(value), epoch)
        if self.trial.should_prune():
            raise TrialPruned(f"Trial {self.trial.number} was pruned at epoch {epoch}.")


#: Optuna's name of the callback for ``tf.keras``, which is Keras 3 from TensorFlow 2.16 on:
#: the same class, so ``optuna.integration.TFKerasPruningCallback`` code runs.
TFKerasPruningCallback = KerasPruningCallback


@dataclasses.dataclass
class KerasCheckpoint:
    """A member's training state at rest, as numpy arrays: what PBT stores and copies.

    Attributes:
        weights: ``model.get_weights()``.
        optimizer_variables: The values of ``model.optimizer.variables`` (iteration
            count, learning rate, moments), in order.
        epoch: Epochs trained.
        seed: The member's seed; epoch ``k`` is trained with a seed drawn from (seed, k).
    """

    weights: list[np.ndarray]
    optimizer_variables: list[np.ndarray]
    epoch: int
    seed: int


class KerasTrainable:
    """Population Based Training of a Keras model: one PBT step is one epoch of ``fit``.

    A step loads the member's weights (``set_weights``) and optimizer variables into a
    model built by ``build(params)``, sets the optimizer's learning rate in place from
    the searched value (``learning_rate``; without it, the one ``build`` gave the
    optimizer: the loaded variables hold the donor's), trains one epoch and scores it by
    ``monitor``. Exploit therefore copies the donor's weights and optimizer state, and
    explore's learning rate is the one the optimizer uses. The model built last is
    reused while the other hyperparameters stay the same (no rebuild, no retracing); any
    other change (a dropout rate, a layer size) builds a new model. An optimizer on a
    learning-rate schedule has no rate to set: ``build(params)`` gives the schedule the
    searched values, a new learning rate builds a new model, and the loaded step count
    carries the schedule on. A ``batch_size`` in the search space is the batch size of
    ``fit``.

    Keras seeds its global random generators and the layers' own (dropout); each epoch
    of each member is seeded from the member's seed, so a run does not depend on the
    order members train in, nor on ``n_jobs``. A copy at exploit trains on with a seed of
    its own (:meth:`reseed`), not its donor's.

    Args:
        build: ``build(params) -> keras.Model``, compiled with its optimizer.
        x: Training inputs (anything ``fit`` takes).
        y: Training targets.
        validation_data: ``(x, y)`` that ``fit`` validates on.
        monitor: The score: a key of ``fit``'s history, such as ``"val_accuracy"``.
        batch_size: The batch size when the search space has none.
        learning_rate: The search-space name set on ``optimizer.learning_rate``
            (None: none); left to ``build`` for an optimizer on a schedule.
        fit_kwargs: More keyword arguments of ``fit`` (``class_weight``, ...).

    Raises:
        InvalidParameterTypeError: ``build`` is not callable.

    Example:
        >>> import keras, numpy as np
        >>> from fastune.integration.keras import KerasTrainable
        >>> from fastune.pbt import PopulationBasedTraining
        >>> def build(params):
        ...     model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1)])
        ...     model.compile(keras.optimizers.SGD(params["learning_rate"]), loss="mse")
        ...     return model
        >>> x, y = np.random.rand(64, 8), np.random.rand(64)
        >>> trainable = KerasTrainable(build, x, y, validation_data=(x, y))
        >>> pbt = PopulationBasedTraining(trainable, {"learning_rate": [0.01, 0.1]},
        ...                               direction="minimize", population_size=4).run()
    """

    def __init__(
        self,
        build: Callable[[dict[str, Any]], Any],
        x: Any,
        y: Any = None,
        *,
        validation_data: Any = None,
        monitor: str = "val_loss",
        batch_size: int = 32,
        learning_rate: str | None = "learning_rate",
        fit_kwargs: dict[str, Any] | None = None,
    ) -> None:
        owner = "KerasTrainable"
        if not callable(build):
            raise invalid_type("build", owner, "a callable build(params) -> keras.Model", build)
        if not isinstance(monitor, str):
            raise invalid_type("monitor", owner, "a str", monitor)
        self.build = build
        self.x = x
        self.y = y
        self.validation_data = validation_data
        self.monitor = monitor
        self.batch_size = int(check_int(batch_size, "batch_size", owner, low=1) or 1)
        self.learning_rate = learning_rate
        self.fit_kwargs = dict(fit_kwargs or {})
        # (key of the params but the learning rate, model, the learning rate build gave)
        self._live: tuple[str, Any, float | None] | None = None

    def __getstate__(self) -> dict[str, Any]:
        # A worker process builds its own model: Keras models do not travel by pickle.
        return {**self.__dict__, "_live": None}

    def init(self, params: dict[str, Any], seed: int) -> KerasCheckpoint:
        """A freshly built model's weights and optimizer variables."""
        keras.utils.set_random_seed(seed)
        model, _ = self._model_for(params, reuse=False)
        return KerasCheckpoint(model.get_weights(), _optimizer_values(model), 0, seed)

    def restore(self, checkpoint: KerasCheckpoint, params: dict[str, Any]) -> Any:
        """A new model built for ``params`` with ``checkpoint`` loaded: the trained
        model of a member, to predict with or to keep training."""
        model = self.build(dict(params))
        self._load(model, checkpoint, params, _settable_learning_rate(model))
        return model

    def step(
        self, params: dict[str, Any], state: KerasCheckpoint
    ) -> tuple[KerasCheckpoint, float, dict[str, float]]:
        """Train one epoch from ``state``; return the new checkpoint, the score and every
        metric of the epoch."""
        seed = _epoch_seed(state.seed, state.epoch)
        model, built_learning_rate = self._model_for(params, reuse=True)
        self._load(model, state, params, built_learning_rate)
        # TensorFlow draws the shuffle when fit builds its dataset, torch and JAX when the
        # epoch starts: both are seeded.
        keras.utils.set_random_seed(seed)
        fit_kwargs = dict(self.fit_kwargs)
        callbacks = [_SeedEpoch(seed)]
        callbacks += list(fit_kwargs.pop("callbacks", None) or [])
        history = model.fit(
            self.x,
            self.y,
            batch_size=int(params.get("batch_size", self.batch_size)),
            epochs=state.epoch + 1,
            initial_epoch=state.epoch,
            validation_data=self.validation_data,
            verbose=0,
            callbacks=callbacks,
            **fit_kwargs,
        ).history
        if self.monitor not in history:
            raise invalid(
                "monitor",
                "KerasTrainable",
                f"a key of fit's history {sorted(history)}",
                self.monitor,
            )
        details = {name: float(values[-1]) for name, values in history.items()}
        checkpoint = KerasCheckpoint(
            model.get_weights(), _optimizer_values(model), state.epoch + 1, state.seed
        )
        return checkpoint, details[self.monitor], details

    def reseed(self, state: KerasCheckpoint, seed: int) -> KerasCheckpoint:
        """``state`` with its epochs drawn from ``seed`` from now on (PBT calls it on a
        copy at exploit, and :func:`~fastune.pbt.replay` where the schedule does)."""
        return dataclasses.replace(state, seed=int(seed))

    def _model_for(self, params: dict[str, Any], *, reuse: bool) -> tuple[Any, float | None]:
        """The model last built when only the learning rate differs, else a new one, and
        the learning rate ``build`` gave its optimizer.

        An optimizer that follows a learning-rate schedule has no rate to set: the
        searched one reaches it only through ``build(params)``, so a change of it builds
        a new model too.
        """
        others = repr(sorted((k, v) for k, v in params.items() if k != self.learning_rate))
        every = repr(sorted(params.items()))
        live = self._live
        # The key of a model on a schedule (no settable rate) holds every param.
        if not (reuse and live is not None and live[0] == (every if live[2] is None else others)):
            built = self.build(dict(params))
            rate = _settable_learning_rate(built)
            live = self._live = (others if rate is not None else every, built, rate)
        _, model, built_learning_rate = live
        if getattr(model, "optimizer", None) is None:
            raise invalid("build", "KerasTrainable", "a function returning a compiled model", model)
        model.optimizer.build(model.trainable_variables)
        return model, built_learning_rate

    def _load(
        self,
        model: Any,
        checkpoint: KerasCheckpoint,
        params: dict[str, Any],
        built_learning_rate: float | None,
    ) -> None:
        model.set_weights(checkpoint.weights)
        optimizer = model.optimizer
        optimizer.build(model.trainable_variables)
        variables = optimizer.variables
        if len(variables) != len(checkpoint.optimizer_variables):
            raise invalid(
                "build",
                "KerasTrainable",
                "a function whose optimizer has the same variables for every member (pass "
                "what changes the optimizer's kind as PopulationBasedTraining(structural=...))",
                f"{len(variables)} optimizer variables for a checkpoint with "
                f"{len(checkpoint.optimizer_variables)}",
            )
        for variable, value in zip(variables, checkpoint.optimizer_variables, strict=True):
            variable.assign(value)
        # The checkpoint's variables hold the donor's learning rate: the searched one wins,
        # else the one build() chose for these params (a name other than learning_rate).
        # An optimizer on a schedule has no rate to set: build(params) gave it the
        # searched values, and its step count (a variable) carries the schedule on.
        if built_learning_rate is None:
            return
        if self.learning_rate is not None and self.learning_rate in params:
            optimizer.learning_rate = float(params[self.learning_rate])
        else:
            optimizer.learning_rate = built_learning_rate


class KerasSearch:
    """A Keras-Tuner-like search: ``build(trial)`` returns a compiled model, and each
    trial trains it with ``fit``, pruned by the study's pruner, scored by its best epoch.

    Args:
        build: ``build(trial) -> keras.Model``, compiled; it asks the trial for its
            hyperparameters (``trial.suggest_float(...)``).
        objective: The metric of ``fit``'s history to optimize, such as
            ``"val_accuracy"``.
        direction: ``"maximize"`` or ``"minimize"``; by default ``"minimize"`` for a loss
            or error metric (a name holding ``loss``, ``error``, ``crossentropy``,
            ``hinge``, ``mean_absolute``, ``mean_squared``, or Keras's short names
            ``mae``, ``mse``, ``rmse``, ``mape``, ``msle``, ``kld``, with or without
            ``val_``), else ``"maximize"``.
        n_trials: Trials of :meth:`search`.
        sampler: A fastune sampler (``AutoSampler`` by default).
        pruner: A fastune pruner (the median pruner by default; ``NopPruner()`` for none).
        keep_models: How many of the best trials keep their weights for
            :meth:`get_best_models`.
        seed: Seed of the sampler and of Keras's generators.

    Attributes:
        study_: The study of the trials; each trial's user attr ``best_epoch`` is the
            epoch of its value.
        best_epoch_: The best trial's best epoch.

    Example:
        >>> from fastune.integration.keras import KerasSearch
        >>> def build(trial):  # doctest: +SKIP
        ...     model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(
        ...         trial.suggest_int("units", 8, 64), activation="relu"),
        ...         keras.layers.Dense(10, activation="softmax")])
        ...     model.compile(keras.optimizers.Adam(trial.suggest_float("lr", 1e-4, 1e-2,
        ...                   log=True)), "sparse_categorical_crossentropy", ["accuracy"])
        ...     return model
        >>> search = KerasSearch(build, objective="val_accuracy", n_trials=20)  # doctest: +SKIP
        >>> search.search(x, y, epochs=10, validation_data=(x_val, y_val))  # doctest: +SKIP
        >>> model = search.get_best_models(1)[0]  # doctest: +SKIP
    """

    def __init__(
        self,
        build: Callable[[Any], Any],
        *,
        objective: str = "val_loss",
        direction: str | None = None,
        n_trials: int = 10,
        sampler: Any = None,
        pruner: Any = None,
        keep_models: int = 3,
        seed: int | None = None,
    ) -> None:
        owner = "KerasSearch"
        if not callable(build):
            raise invalid_type("build", owner, "a callable build(trial) -> keras.Model", build)
        if not isinstance(objective, str):
            raise invalid_type("objective", owner, "a str", objective)
        if direction is None:
            direction = "minimize" if _is_lower_better(objective) else "maximize"
        self.direction = check_choice(direction, "direction", owner, ("maximize", "minimize"))
        self.build = build
        self.objective = objective
        self.n_trials = int(check_int(n_trials, "n_trials", owner, low=1) or 1)
        self.keep_models = int(check_int(keep_models, "keep_models", owner, low=0) or 0)
        self.seed = check_int(seed, "seed", owner, low=0, allow_none=True)
        self.sampler = sampler
        self.pruner = pruner
        self._weights: dict[int, list[np.ndarray]] = {}

    def search(
        self,
        x: Any,
        y: Any = None,
        *,
        epochs: int,
        validation_data: Any = None,
        callbacks: Iterable[Any] = (),
        **fit_kwargs: Any,
    ) -> KerasSearch:
        """Run ``n_trials`` trials, each ``fit(x, y, epochs=epochs, ...)``; return self."""
        import fastune

        epochs = int(check_int(epochs, "epochs", "KerasSearch.search", low=1) or 1)
        sampler = self.sampler
        if sampler is None:
            sampler = fastune.samplers.AutoSampler(seed=self.seed)
        self.study_ = fastune.create_study(
            direction=self.direction, sampler=sampler, pruner=self.pruner
        )
        self._weights = {}

        def objective(trial: Any) -> float:
            if self.seed is not None:
                keras.utils.set_random_seed(self.seed + trial.number)
            model = self.build(trial)
            best = _BestEpoch(self.objective, self.direction)
            pruning = KerasPruningCallback(trial, monitor=self.objective)
            model.fit(
                x,
                y,
                epochs=epochs,
                validation_data=validation_data,
                callbacks=[*callbacks, best, pruning],
                verbose=0,
                **fit_kwargs,
            )
            if not best.seen:
                raise invalid(
                    "objective",
                    "KerasSearch",
                    f"a metric that fit logs {best.logged}",
                    self.objective,
                )
            if best.epoch is None:  # every epoch's value was NaN: the trial fails
                return math.nan
            trial.set_user_attr("best_epoch", best.epoch)
            self._keep(trial.number, best.value, best.weights)
            return best.value

        self.study_.optimize(objective, n_trials=self.n_trials)
        return self

    def _keep(self, number: int, value: float, weights: list[np.ndarray]) -> None:
        """Keep ``weights`` if the trial is among the ``keep_models`` best so far (a trial
        kept earlier that did not complete is dropped first)."""
        self._weights[number] = weights
        values = {
            t.number: float(t.value or 0.0)
            for t in self.study_.get_trials(states=(TrialState.COMPLETE,))
        }
        values[number] = value
        self._weights = {n: w for n, w in self._weights.items() if n in values}
        ranked = sorted(
            self._weights, key=lambda n: values[n], reverse=self.direction == "maximize"
        )
        for dropped in ranked[self.keep_models :]:
            del self._weights[dropped]

    def _best_trials(self, count: int) -> list[Any]:
        completed = self.study_.get_trials(states=(TrialState.COMPLETE,))
        return sorted(
            completed, key=lambda t: float(t.value or 0.0), reverse=self.direction == "maximize"
        )[:count]

    def get_best_hyperparameters(self, num_trials: int = 1) -> list[dict[str, Any]]:
        """The params of the ``num_trials`` best trials, best first."""
        check_int(num_trials, "num_trials", "KerasSearch.get_best_hyperparameters", low=1)
        return [dict(t.params) for t in self._best_trials(num_trials)]

    def get_best_models(self, num_models: int = 1) -> list[Any]:
        """The ``num_models`` best models, best first, each rebuilt from its trial's
        params with the weights of its best epoch.

        Raises:
            InvalidParameterError: more models than ``keep_models`` kept.
        """
        check_int(num_models, "num_models", "KerasSearch.get_best_models", low=1)
        if num_models > self.keep_models:
            raise invalid(
                "num_models",
                "KerasSearch.get_best_models",
                f"at most keep_models={self.keep_models}",
                num_models,
            )
        models = []
        for trial in self._best_trials(num_models):
            model = self.build(FixedTrial(trial.params, number=trial.number))
            model.set_weights(self._weights[trial.number])
            models.append(model)
        return models

    @property
    def best_epoch_(self) -> int:
        """The epoch of the best trial's value."""
        return int(self.study_.best_trial.user_attrs["best_epoch"])


class _BestEpoch(keras.callbacks.Callback):
    """Tracks the best value of ``monitor`` over the epochs, its epoch and its weights."""

    def __init__(self, monitor: str, direction: str) -> None:
        super().__init__()
        self.monitor = monitor
        self.sign = 1.0 if direction == "maximize" else -1.0
        self.value = math.nan
        self.epoch: int | None = None  # None while no epoch had a value (NaN is none)
        self.weights: list[np.ndarray] = []
        self.seen = False  # whether fit logged the monitor at all
        self.logged: list[str] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.logged = sorted(logs or {})
        value = (logs or {}).get(self.monitor)
        if value is None:
            return
        self.seen = True
        if math.isnan(float(value)):
            return
        if self.epoch is None or self.sign * float(value) > self.sign * self.value:
            self.value, self.epoch = float(value), epoch
            self.weights = self.model.get_weights()


# Metrics where lower is better, as Keras names them (also with "val_").
_LOWER_BETTER_PARTS = (
    "loss",
    "error",
    "crossentropy",
    "hinge",
    "mean_absolute",
    "mean_squared",
    "divergence",
    "logcosh",
)
_LOWER_BETTER_NAMES = {"mae", "mse", "rmse", "mape", "msle", "kld", "kl_divergence"}


def _is_lower_better(metric: str) -> bool:
    name = metric.lower().removeprefix("val_")
    return name in _LOWER_BETTER_NAMES or any(part in name for part in _LOWER_BETTER_PARTS)


def _settable_learning_rate(model: Any) -> float | None:
    """The learning rate of a model's optimizer, None if it follows a schedule."""
    rate = getattr(getattr(model, "optimizer", None), "_learning_rate", None)
    return float(np.asarray(rate.numpy())) if isinstance(rate, keras.Variable) else None


class _SeedEpoch(keras.callbacks.Callback):
    """Seed Keras's generators and the model's own (dropout) at the start of the epoch,
    after ``fit`` has looked at a first batch: on the torch and JAX backends the first
    ``fit`` of a model draws one shuffle more than later ones, so seeding only before
    ``fit`` gave a member another order of the data on a reused model than on a new
    one."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.seed = seed

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        keras.utils.set_random_seed(self.seed)
        _reset_seed_generators(self.model, self.seed)


def _reset_seed_generators(model: Any, seed: int) -> None:
    """Give the model's seed generators (dropout and other random layers) states drawn
    from ``seed``: they are not part of the weights, and a reused model would carry on
    from wherever the last member that trained it left them."""
    states = [v for v in model.variables if v.name == "seed_generator_state"]
    draws = np.random.SeedSequence(seed).generate_state(max(len(states), 1)) % (2**31 - 1)
    for variable, draw in zip(states, draws, strict=False):
        variable.assign(np.array([draw, 0]).astype(variable.dtype))


def _optimizer_values(model: Any) -> list[np.ndarray]:
    return [np.asarray(v.numpy()) for v in model.optimizer.variables]


def _epoch_seed(seed: int, epoch: int) -> int:
    """The seed of one epoch of one member: independent of the order members train in."""
    return int(np.random.SeedSequence([seed, epoch]).generate_state(1)[0] % (2**31 - 1))
