"""Import matplotlib on first use, with the extra to install when it is missing."""

from __future__ import annotations

from typing import Any

from fastune._imports import import_optional

__all__ = ["pyplot"]


def pyplot() -> Any:
    """Return ``matplotlib.pyplot`` (``pip install fastune[viz]`` when missing)."""
    import_optional("matplotlib", "viz")
    return import_optional("matplotlib.pyplot", "viz")
