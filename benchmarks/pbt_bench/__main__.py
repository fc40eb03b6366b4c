"""Entry point of ``python -m benchmarks.pbt_bench``: one thread per BLAS/OpenMP pool, then
the CLI. The limits must be set before numpy is imported; workers inherit them.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from benchmarks.pbt_bench.cli import main  # noqa: E402  (after the thread limits on purpose)

if __name__ == "__main__":
    raise SystemExit(main())
