"""Queue a trial again after its worker died."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastune._validation import check_int
from fastune.trial._frozen import FrozenTrial
from fastune.trial._state import TrialState
from fastune.trial._trial import FIXED_PARAMS_KEY

if TYPE_CHECKING:
    from fastune.study import Study

__all__ = ["RetryFailedTrialCallback", "RetryHeartbeatStaleTrialCallback"]

FAILED_TRIAL_KEY = "failed_trial"
RETRY_HISTORY_KEY = "retry_history"


class RetryFailedTrialCallback:
    """A storage's ``failed_trial_callback`` that queues a dead worker's trial again, with
    the same parameters (Optuna's name and meaning).

    The new trial is WAITING with the failed trial's parameters (``params`` and
    ``distributions`` are set before it runs, as in Optuna), user attributes and, if
    ``inherit_intermediate_values``, reports. It keeps the number of the first trial it
    retries in ``system_attrs["failed_trial"]`` and the numbers of all earlier attempts
    in ``system_attrs["retry_history"]``.

    Args:
        max_retry: Attempts after the first; None retries forever.
        inherit_intermediate_values: Start the retry with the failed trial's reports.

    Example:
        >>> import fastune
        >>> storage = fastune.storages.SQLiteStorage(
        ...     "/tmp/retry-example.db", heartbeat_interval=60,
        ...     failed_trial_callback=fastune.storages.RetryFailedTrialCallback(max_retry=2))
    """

    def __init__(self, max_retry: int | None = None, inherit_intermediate_values: bool = False):
        self._max_retry = check_int(
            max_retry, "max_retry", "RetryFailedTrialCallback", low=0, allow_none=True
        )
        self._inherit = bool(inherit_intermediate_values)

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        history = [*trial.system_attrs.get(RETRY_HISTORY_KEY, []), trial.number]
        if self._max_retry is not None and len(history) > self._max_retry:
            return
        study.add_trial(
            FrozenTrial(
                number=-1,
                state=TrialState.WAITING,
                value=None,
                datetime_start=None,
                datetime_complete=None,
                params=dict(trial.params),
                distributions=dict(trial.distributions),
                user_attrs=dict(trial.user_attrs),
                system_attrs={
                    FIXED_PARAMS_KEY: dict(trial.params),
                    FAILED_TRIAL_KEY: trial.system_attrs.get(FAILED_TRIAL_KEY, trial.number),
                    RETRY_HISTORY_KEY: history,
                },
                intermediate_values=dict(trial.intermediate_values) if self._inherit else {},
                trial_id=-1,
            )
        )

    @staticmethod
    def retried_trial_number(trial: FrozenTrial) -> int | None:
        """The number of the first trial that ``trial`` retries, or None."""
        number = trial.system_attrs.get(FAILED_TRIAL_KEY)
        return None if number is None else int(number)

    @staticmethod
    def retry_history(trial: FrozenTrial) -> list[int]:
        """The numbers of the attempts before ``trial``, oldest first."""
        return [int(n) for n in trial.system_attrs.get(RETRY_HISTORY_KEY, [])]


#: Optuna 5's name for the same callback (``RDBStorage(heartbeat_stale_trial_callback=...)``).
RetryHeartbeatStaleTrialCallback = RetryFailedTrialCallback
