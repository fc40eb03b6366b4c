"""Retries with growing pauses around an artifact store (Optuna's ``Backoff``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import BinaryIO, TypeVar

from fastune._validation import check_int, check_number, invalid
from fastune.artifacts._store import ArtifactStore
from fastune.artifacts.exceptions import ArtifactNotFound
from fastune.logging import get_logger

__all__ = ["Backoff"]

_logger = get_logger(__name__)
_T = TypeVar("_T")


class Backoff:
    """An artifact store that retries a failed read, write or removal of ``backend``
    (a network store that drops a request now and then), pausing
    ``min(min_delay * multiplier ** k, max_delay)`` seconds before retry ``k``. A missing
    artifact (:class:`~fastune.artifacts.exceptions.ArtifactNotFound`) is not retried.

    Args:
        backend: The store to retry.
        max_retries: Attempts in all, >= 1.
        multiplier: Growth of the pause, > 0.
        min_delay: The first pause in seconds, > 0.
        max_delay: The longest pause, > ``min_delay``.

    Example:
        >>> import tempfile
        >>> from fastune.artifacts import Backoff, FileSystemArtifactStore
        >>> store = Backoff(FileSystemArtifactStore(tempfile.mkdtemp()), max_retries=3)
    """

    def __init__(
        self,
        backend: ArtifactStore,
        *,
        max_retries: int = 10,
        multiplier: float = 2,
        min_delay: float = 0.1,
        max_delay: float = 30,
    ) -> None:
        owner = "Backoff"
        self._backend = backend
        self._max_retries = int(check_int(max_retries, "max_retries", owner, low=1) or 1)
        self._multiplier = float(
            check_number(multiplier, "multiplier", owner, low=0.0, low_inclusive=False) or 1.0
        )
        self._min_delay = float(
            check_number(min_delay, "min_delay", owner, low=0.0, low_inclusive=False) or 0.1
        )
        self._max_delay = float(check_number(max_delay, "max_delay", owner) or 0.0)
        if self._max_delay <= self._min_delay:
            raise invalid("max_delay", owner, f"> min_delay ({min_delay})", max_delay)

    def open_reader(self, artifact_id: str) -> BinaryIO:
        return self._retried(lambda: self._backend.open_reader(artifact_id), artifact_id)

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        start = content_body.tell() if content_body.seekable() else None

        def attempt() -> None:
            if start is not None:  # a failed attempt may have read part of it
                content_body.seek(start)
            self._backend.write(artifact_id, content_body)

        self._retried(attempt, artifact_id)

    def remove(self, artifact_id: str) -> None:
        self._retried(lambda: self._backend.remove(artifact_id), artifact_id)

    def _retried(self, call: Callable[[], _T], artifact_id: str) -> _T:
        for attempt in range(self._max_retries):
            try:
                return call()
            except ArtifactNotFound:
                raise
            except Exception as error:
                if attempt == self._max_retries - 1:
                    raise
                pause = min(self._min_delay * self._multiplier**attempt, self._max_delay)
                _logger.warning(
                    f"Artifact {artifact_id!r}: attempt {attempt + 1} failed ({error!r}); "
                    f"trying again in {pause:g} s."
                )
                time.sleep(pause)
        raise AssertionError("unreachable: the last attempt returns or raises")
