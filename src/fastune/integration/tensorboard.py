"""TensorBoard (``pip install fastune[tensorboard]``): each complete trial written as a
run of TensorBoard's HParams dashboard, with Optuna's name (``TensorBoardCallback``)."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

from fastune import logging
from fastune._imports import import_optional
from fastune._validation import invalid_type
from fastune.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["TensorBoardCallback"]

_logger = logging.get_logger(__name__)

# On import, as Optuna's: reaching the name without them says which extra installs them.
_tf: Any = import_optional("tensorflow", "tensorboard")
_hp: Any = import_optional("tensorboard.plugins.hparams.api", "tensorboard")


class TensorBoardCallback:
    """After each complete trial, write it to ``dirname`` as a run (``trial-<number>``)
    of TensorBoard's HParams dashboard: its parameters as hyperparameters and its value
    as the scalar ``metric_name`` (at step: the trial number). The dashboard's
    configuration (each parameter's domain, from its distribution) is written to
    ``dirname`` with the first complete trial, from the complete trials then. Open it
    with ``tensorboard --logdir <dirname>``.

    Args:
        dirname: The log directory.
        metric_name: The name of the value (``"accuracy"``, ``"roc_auc"``...).

    Raises:
        InvalidParameterTypeError: ``dirname`` or ``metric_name`` is not a string.
        MissingDependencyError: TensorFlow or TensorBoard is not installed (on import of
            this module).

    Example:
        >>> import fastune
        >>> from fastune.integration.tensorboard import TensorBoardCallback
        >>> callback = TensorBoardCallback("logs/", metric_name="loss")
        >>> study = fastune.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=3,
        ...                callbacks=[callback])  # doctest: +SKIP
    """

    def __init__(self, dirname: str, metric_name: str) -> None:
        for name, value in (("dirname", dirname), ("metric_name", metric_name)):
            if not isinstance(value, (str, os.PathLike)):
                raise invalid_type(name, "TensorBoardCallback", "a string", value)
        self._dirname = os.fspath(dirname)
        self._metric_name = metric_name
        self._hparams: dict[str, Any] = {}  # parameter name -> its HParam
        self._lock = threading.Lock()

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        if trial.state != TrialState.COMPLETE:
            return
        # Read first: with several objectives it raises (as Optuna's), before any write.
        score = trial.value if trial.value is not None else float("nan")
        with self._lock:
            if not self._hparams:  # the first complete trial
                self._write_config(study)
            self._add(trial.distributions)
            values = {}
            for name, value in trial.params.items():
                hparam = self._hparams[name]
                discrete = isinstance(hparam.domain, _hp.Discrete)
                values[hparam] = hparam.domain.dtype(value) if discrete else value
            run = f"trial-{trial.number}"
            with _tf.summary.create_file_writer(os.path.join(self._dirname, run)).as_default():
                _hp.hparams(values, trial_id=run)
                _tf.summary.scalar(self._metric_name, score, step=trial.number)

    def _write_config(self, study: Study) -> None:
        """The dashboard's configuration, from the complete trials' parameters."""
        for trial in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
            self._add(trial.distributions)
        with _tf.summary.create_file_writer(self._dirname).as_default():
            _hp.hparams_config(
                hparams=list(self._hparams.values()),
                metrics=[_hp.Metric(self._metric_name)],
            )

    def _add(self, distributions: dict[str, BaseDistribution]) -> None:
        """An HParam for each parameter not seen yet, its domain from its distribution."""
        for name, distribution in distributions.items():
            if name in self._hparams:
                continue
            if isinstance(distribution, FloatDistribution):
                domain = _hp.RealInterval(float(distribution.low), float(distribution.high))
            elif isinstance(distribution, IntDistribution):
                domain = _hp.IntInterval(int(distribution.low), int(distribution.high))
            else:
                assert isinstance(distribution, CategoricalDistribution)
                domain = _hp.Discrete(_discrete_choices(distribution.choices))
            self._hparams[name] = _hp.HParam(name, domain)


def _discrete_choices(choices: tuple[Any, ...]) -> list[Any]:
    """The choices as TensorBoard takes them: all of one of its types (bool, int, float
    or str), else all as strings."""
    kind = type(choices[0])
    if kind in (bool, int, float, str) and all(type(choice) is kind for choice in choices):
        return list(choices)
    _logger.warning(
        f"TensorBoard takes categorical choices of one type (bool, int, float or str); "
        f"{choices!r} are written as strings."
    )
    return [str(choice) for choice in choices]
