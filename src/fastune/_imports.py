"""Import optional dependencies only when a feature needs them."""

from __future__ import annotations

import importlib
from types import ModuleType

from fastune.exceptions import MissingDependencyError

__all__ = ["import_optional"]


def import_optional(module: str, extra: str) -> ModuleType:
    """Import ``module`` or say which fastune extra installs it.

    Raises:
        MissingDependencyError: the module is not installed.
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise MissingDependencyError(
            f"This feature needs {module!r}, which is not installed. "
            f"Install it with: pip install 'fastune[{extra}]'"
        ) from error
