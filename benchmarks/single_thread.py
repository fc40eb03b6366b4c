"""Imported first by the benchmark entry points: one thread per BLAS/OpenMP pool.

The benchmarks run one study per core in parallel, so the numeric libraries must not
spread each study over every core as well. The limits take effect only if they are set
before numpy (or torch) is imported, hence a module of its own, imported before them.
"""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
