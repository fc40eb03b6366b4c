"""Errors of the artifact stores."""

from __future__ import annotations

from fastune.exceptions import FastuneError

__all__ = ["ArtifactNotFound"]


class ArtifactNotFound(FastuneError):
    """No artifact with the given id is in the store."""
