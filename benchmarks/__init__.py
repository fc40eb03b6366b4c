"""fastune's benchmark suite: quality, convergence speed, compute, overhead and scaling.

Run it with ``python -m benchmarks --suite quick|full``; see ``benchmarks/cli.py``.
"""
