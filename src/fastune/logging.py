"""fastune's logger: one line per finished trial, verbosity settable, like Optuna's.

Example:
    >>> import fastune
    >>> fastune.logging.set_verbosity(fastune.logging.WARNING)  # silence trial lines
    >>> fastune.logging.set_verbosity(fastune.logging.INFO)
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from logging import CRITICAL, DEBUG, ERROR, FATAL, INFO, WARN, WARNING
from typing import TextIO

__all__ = [
    "CRITICAL",
    "DEBUG",
    "ERROR",
    "FATAL",
    "INFO",
    "WARN",
    "WARNING",
    "create_default_formatter",
    "disable_default_handler",
    "disable_propagation",
    "enable_default_handler",
    "enable_propagation",
    "get_logger",
    "get_verbosity",
    "set_verbosity",
]

_ROOT_NAME = "fastune"
_lock = threading.Lock()
_default_handler: _StderrHandler | None = None


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to the current ``sys.stderr``, which notebooks and test runners replace;
    while a progress bar is shown, through ``write_line`` (the bar's ``tqdm.write``), so
    that each line prints above the bar instead of through it."""

    def __init__(self) -> None:
        super().__init__()
        self.write_line: Callable[[str], object] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.write_line is None:
            super().emit(record)
            return
        try:
            self.write_line(self.format(record))
        except Exception:
            self.handleError(record)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass  # always the current sys.stderr


def create_default_formatter() -> logging.Formatter:
    """The formatter of fastune's default log handler: ``[I 2026-01-01 12:00:00,000] ...``
    (Optuna's name, so that a handler of the user's can write the same lines)."""
    return logging.Formatter("[%(levelname).1s %(asctime)s] %(message)s")


def _root_logger() -> logging.Logger:
    global _default_handler
    logger = logging.getLogger(_ROOT_NAME)
    with _lock:
        if _default_handler is None:
            _default_handler = _StderrHandler()
            _default_handler.setFormatter(create_default_formatter())
            logger.addHandler(_default_handler)
            logger.setLevel(logging.INFO)
            logger.propagate = False
    return logger


def _write_lines_with(write_line: Callable[[str], object] | None) -> None:
    """Have the default handler write each line with ``write_line``; None: to standard
    error again."""
    _root_logger()
    assert _default_handler is not None  # created by _root_logger
    _default_handler.write_line = write_line


def get_logger(name: str) -> logging.Logger:
    """Return a logger below fastune's root logger (``name`` is a module's ``__name__``).

    Optuna's names mean fastune's: ``get_logger("optuna")`` is fastune's root logger and
    ``"optuna.x"`` its child ``"fastune.x"``, so code written for Optuna (a handler added
    to ``get_logger("optuna")`` to keep the trial lines in a file) gets fastune's lines.
    """
    _root_logger()
    if name == "optuna" or name.startswith("optuna."):
        name = _ROOT_NAME + name[len("optuna") :]
    return logging.getLogger(name)


def get_verbosity() -> int:
    """Return the level of fastune's root logger (such as ``fastune.logging.INFO``)."""
    return _root_logger().getEffectiveLevel()


def set_verbosity(verbosity: int) -> None:
    """Set the level of fastune's root logger: ``WARNING`` hides the per-trial lines."""
    _root_logger().setLevel(verbosity)


def disable_default_handler() -> None:
    """Stop writing fastune's log lines to standard error."""
    if _default_handler is not None:
        _root_logger().removeHandler(_default_handler)


def enable_default_handler() -> None:
    """Write fastune's log lines to standard error (the default)."""
    logger = _root_logger()
    if _default_handler is not None and _default_handler not in logger.handlers:
        logger.addHandler(_default_handler)


def disable_propagation() -> None:
    """Keep fastune's log records away from the root logger's handlers (the default)."""
    _root_logger().propagate = False


def enable_propagation() -> None:
    """Pass fastune's log records on to the root logger's handlers too."""
    _root_logger().propagate = True
