"""Storage URLs as they may be shown: never with their password."""

from __future__ import annotations

import re

__all__ = ["redact"]

_PASSWORD = re.compile(r"(?<=://)([^:/@]+):([^@]*)@")


def redact(url: str) -> str:
    """``url`` with the password of ``user:password@`` replaced by ``***``."""
    return _PASSWORD.sub(r"\1:***@", url)
