"""Make the repository's ``benchmarks`` package importable from these tests.

pytest puts this folder, not the repository root, on ``sys.path`` (tests have no
``__init__.py``), and ``benchmarks`` is not an installed package.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]

if str(REPOSITORY_ROOT) not in sys.path:
    sys.path.insert(0, str(REPOSITORY_ROOT))
