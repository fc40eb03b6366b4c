"""Entry point of ``python -m benchmarks``: one thread per BLAS/OpenMP pool, then the CLI.

The suite runs one study per core in parallel, so the numeric libraries must not spread
each study over every core as well. The limits must be set before numpy is imported.
"""

from __future__ import annotations

import benchmarks.single_thread  # noqa: F401  (first: before numpy loads)

# isort: split
from benchmarks.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
