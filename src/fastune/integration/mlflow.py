"""MLflow (``pip install fastune[mlflow]``): each trial recorded as an MLflow run, with
Optuna's name (``MLflowCallback``)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from fastune._imports import import_optional
from fastune.integration._metric_names import check_metric_name, metrics_by_name
from fastune.study._optimize import needs_threads

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial, Trial

__all__ = ["MLflowCallback"]

# On import, as Optuna's: reaching the name without MLflow says which extra installs it.
_mlflow: Any = import_optional("mlflow", "mlflow")

#: The trial system attribute that holds the id of the run ``track_in_mlflow`` opened.
RUN_ID_KEY = "mlflow_run_id"


class MLflowCallback:
    """After each trial, record it as an MLflow run in the experiment named after the
    study: its values as metrics, its parameters as params, and as tags its number,
    start and end, state, the study's direction(s), each parameter's distribution
    (``<name>_distribution``) and its user attributes.

    Give it to ``study.optimize(callbacks=[...])``. With :meth:`track_in_mlflow`, the
    objective runs inside the trial's run, so that what it logs (curves, artifacts) and
    what the callback logs land in one run.

    Args:
        tracking_uri: The tracking server or store (``"sqlite:///mlflow.db"``,
            ``"http://host:5000"``); None keeps MLflow's current one.
        metric_name: The metric name of the value; for several objectives, one name per
            objective, or one name that becomes ``<name>_0``, ``<name>_1``, ...
        create_experiment: Use (and make if missing) the experiment named after the
            study; False logs to MLflow's active experiment.
        mlflow_kwargs: Arguments of ``mlflow.start_run``: ``experiment_id``,
            ``run_name`` (default: the trial number), ``nested``, ``tags``.
        tag_study_user_attrs: Also tag each run with the study's user attributes.
        tag_trial_user_attrs: Tag each run with the trial's user attributes.

    Raises:
        InvalidParameterTypeError: ``metric_name`` is neither a string nor a sequence of
            strings.
        InvalidParameterError: during the study, as many names as objectives are not
            given.
        MissingDependencyError: MLflow is not installed (on import of this module).

    Example:
        >>> import fastune
        >>> from fastune.integration.mlflow import MLflowCallback
        >>> callback = MLflowCallback(tracking_uri="sqlite:///mlflow.db", metric_name="loss")
        >>> study = fastune.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=3,
        ...                callbacks=[callback])  # doctest: +SKIP
    """

    def __init__(
        self,
        tracking_uri: str | None = None,
        metric_name: str | Sequence[str] = "value",
        create_experiment: bool = True,
        mlflow_kwargs: dict[str, Any] | None = None,
        tag_study_user_attrs: bool = False,
        tag_trial_user_attrs: bool = True,
    ) -> None:
        self._tracking_uri = tracking_uri
        self._metric_name = check_metric_name(metric_name, "MLflowCallback")
        self._create_experiment = create_experiment
        self._mlflow_kwargs = dict(mlflow_kwargs or {})
        self._tag_study_user_attrs = tag_study_user_attrs
        self._tag_trial_user_attrs = tag_trial_user_attrs
        self._lock = threading.Lock()  # MLflow's active run is per process

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        with self._lock:
            self._use_experiment(study)
            with _mlflow.start_run(
                run_id=trial.system_attrs.get(RUN_ID_KEY),
                experiment_id=self._mlflow_kwargs.get("experiment_id"),
                tags=self._mlflow_kwargs.get("tags"),
                **self._run_naming(trial.number),
            ):
                if trial.values is not None:
                    _mlflow.log_metrics(
                        metrics_by_name(self._metric_name, trial.values, "MLflowCallback")
                    )
                _mlflow.log_params(trial.params)
                _mlflow.set_tags(self._tags(study, trial))

    def track_in_mlflow(self) -> Callable[[Callable[[Trial], Any]], Callable[[Trial], Any]]:
        """A decorator of the objective: it runs inside the MLflow run of its trial, which
        the callback then completes (the same run, not a second one)."""

        def decorator(func: Callable[[Trial], Any]) -> Callable[[Trial], Any]:
            @functools.wraps(func)
            def objective(trial: Trial) -> Any:
                with self._lock:
                    self._use_experiment(trial.study)
                    with _mlflow.start_run(**self._run_naming(trial.number)) as run:
                        trial.set_system_attr(RUN_ID_KEY, run.info.run_id)
                        return func(trial)

            return needs_threads(objective, "track_in_mlflow opens the trial's run here")

        return decorator

    def _run_naming(self, number: int) -> dict[str, Any]:
        """The name of a trial's run (its number by default) and whether it is nested."""
        options = self._mlflow_kwargs
        return {
            "run_name": options.get("run_name", str(number)),
            "nested": bool(options.get("nested")),
        }

    def _use_experiment(self, study: Study) -> None:
        if self._tracking_uri is not None:
            _mlflow.set_tracking_uri(self._tracking_uri)
        if self._create_experiment:
            _mlflow.set_experiment(study.study_name)

    def _tags(self, study: Study, trial: FrozenTrial) -> dict[str, str]:
        directions = [d.name for d in study.directions]
        tags: dict[str, Any] = {
            "number": trial.number,
            "datetime_start": trial.datetime_start,
            "datetime_complete": trial.datetime_complete,
            "direction": directions[0] if len(directions) == 1 else directions,
        }
        if trial.state.is_finished():
            tags["state"] = trial.state.name
        tags.update({f"{k}_distribution": v for k, v in trial.distributions.items()})
        if self._tag_trial_user_attrs:
            tags.update(trial.user_attrs)
        if self._tag_study_user_attrs:
            tags.update(study.user_attrs)
        return {key: _tag_value(value) for key, value in tags.items()}


def _tag_value(value: Any) -> str:
    # MLflow refuses longer tag values than its limit (8000 characters in MLflow 3):
    # longer ones are cut, marked with "...", as Optuna cuts them.
    limit = int(_mlflow.utils.validation.MAX_TAG_VAL_LENGTH)
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
