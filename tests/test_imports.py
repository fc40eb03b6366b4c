"""``import fastune`` must not import any optional dependency."""

from __future__ import annotations

import subprocess
import sys

OPTIONAL = (
    "torch",
    "keras",
    "tensorflow",
    "matplotlib",
    "dask",
    "distributed",
    "psycopg",
    "psycopg2",
    "pandas",
    "tqdm",
    "optuna",
    "cocoex",
    "lightning",
    "pytorch_lightning",
    "skorch",
    "openpyxl",
    "cmaes",
)


def test_import_fastune_imports_no_optional_dependency() -> None:
    code = (
        "import sys, fastune, fastune.samplers, fastune.pruners, fastune.storages\n"
        f"print(','.join(m for m in {OPTIONAL!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_public_names_resolve() -> None:
    import fastune

    for name in fastune.__all__:
        assert hasattr(fastune, name), name


def test_import_fastune_leaves_slow_scipy_modules_for_first_use() -> None:
    # Each costs 0.1-0.3 s to import, paid by every worker process and CLI call.
    slow = ("scipy.special", "scipy.stats", "scipy.optimize", "scipy.linalg", "sklearn")
    code = f"import sys, fastune\nprint(','.join(m for m in {slow!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
