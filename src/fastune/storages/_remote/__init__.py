"""Storages whose calls are run by a storage elsewhere: the gRPC proxy (Optuna's
``GrpcStorageProxy`` and ``run_grpc_proxy_server``); the Dask scheduler's storage of
``fastune.integration.DaskStorage`` uses the same calls."""

from __future__ import annotations

from fastune.storages._remote._grpc import GrpcStorageProxy, run_grpc_proxy_server

__all__ = ["GrpcStorageProxy", "run_grpc_proxy_server"]
