"""Exceptions raised by fastune.

Every error fastune raises on purpose derives from :class:`FastuneError`. Errors about
bad arguments also derive from the built-in class Python users expect to catch::

    FastuneError
    ├── TrialPruned                 control flow: raised in an objective to prune its trial
    ├── InvalidParameterError       (also ValueError) an argument outside what is allowed
    │   └── UnknownKeyError         (also KeyError) a metric name that is not logged
    ├── InvalidParameterTypeError   (also TypeError) an argument of the wrong type
    ├── DuplicatedStudyError        a study of that name exists already
    ├── StudyNotFoundError          (also KeyError) no study of that name or id
    ├── TrialNotFoundError          (also KeyError, ValueError) no trial of that number or id
    ├── UpdateFinishedTrialError    (also RuntimeError, ValueError) a finished trial cannot
    │                               change
    ├── MissingDependencyError      (also ImportError) an optional extra is not installed
    └── StorageInternalError        the storage failed in a way the caller cannot fix

``OptunaError`` is another name for ``FastuneError``, and ``ExperimentalWarning`` marks
features whose interface may still change, so that code written for Optuna catches and
filters the same things. Where Optuna raises ``ValueError`` and fastune a more precise
error, the fastune error also derives from ``ValueError``.
"""

from __future__ import annotations

__all__ = [
    "DuplicatedStudyError",
    "ExperimentalWarning",
    "FastuneError",
    "InvalidParameterError",
    "InvalidParameterTypeError",
    "MissingDependencyError",
    "OptunaError",
    "StorageInternalError",
    "StudyNotFoundError",
    "TrialNotFoundError",
    "TrialPruned",
    "UnknownKeyError",
    "UpdateFinishedTrialError",
]


class FastuneError(Exception):
    """Root of every exception fastune raises on purpose."""


OptunaError = FastuneError


class ExperimentalWarning(Warning):
    """A feature whose interface may still change."""


class TrialPruned(FastuneError):
    """Raised inside an objective to stop its trial early; the trial is marked PRUNED.

    Example:
        >>> import fastune
        >>> def objective(trial):
        ...     raise fastune.TrialPruned()
    """


class InvalidParameterError(FastuneError, ValueError):
    """An argument has a value outside what is allowed."""


class UnknownKeyError(InvalidParameterError, KeyError):
    """A name to look up (a metric of a pruning callback) that is not among those there:
    also a ``KeyError``, as Optuna's callbacks raise there."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable.
        return str(self.args[0]) if self.args else ""


class InvalidParameterTypeError(FastuneError, TypeError, ValueError):
    """An argument has a type that is not allowed (a ``TypeError``, and a ``ValueError``
    as Optuna raises for most such arguments)."""


class DuplicatedStudyError(FastuneError):
    """A study with the requested name already exists in the storage."""


class StudyNotFoundError(FastuneError, KeyError):
    """No study with the requested name or id exists in the storage."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable.
        return str(self.args[0]) if self.args else ""


class TrialNotFoundError(FastuneError, KeyError, ValueError):
    """No trial with the requested number or id exists."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UpdateFinishedTrialError(FastuneError, RuntimeError, ValueError):
    """A trial that has already finished cannot be told, reported to or changed."""


class MissingDependencyError(FastuneError, ImportError):
    """A feature needs an optional extra that is not installed."""


class StorageInternalError(FastuneError):
    """The storage failed in a way that the caller cannot fix."""


class CLIUsageError(FastuneError):
    """The command line was used wrongly (Optuna's name; kept for code that catches it)."""
