from __future__ import annotations

import pytest

from fastune.exceptions import InvalidParameterTypeError
from fastune.storages import get_storage
from fastune.storages._url import redact


def test_redact_hides_only_the_password() -> None:
    assert (
        redact("postgresql://me:s3cr:et@db.local:5432/x") == "postgresql://me:***@db.local:5432/x"
    )
    assert redact("postgresql://me@db.local/x") == "postgresql://me@db.local/x"
    assert redact("sqlite:///tmp/a.db") == "sqlite:///tmp/a.db"


def test_errors_never_show_the_password() -> None:
    with pytest.raises(InvalidParameterTypeError) as error:
        get_storage("mysql://root:hunter2@localhost/db")
    assert "hunter2" not in str(error.value) and "root:***@" in str(error.value)
