"""A storage served over gRPC to many workers (Optuna's ``GrpcStorageProxy`` and
``run_grpc_proxy_server``)."""

from __future__ import annotations

from fastune.storages._grpc._client import GrpcStorageProxy
from fastune.storages._grpc._server import run_grpc_proxy_server

__all__ = ["GrpcStorageProxy", "run_grpc_proxy_server"]
