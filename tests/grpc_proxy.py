"""A real gRPC proxy in front of the session's Temporal server (``grpc_proxy.mjs``, on Node's built-in http2). It
refuses chosen services with a real gRPC status: the dev server has no authorizer to configure, so this is how a
test meets what Temporal Cloud answers, ``PERMISSION_DENIED`` for the operator service. It can also add latency,
as any network between a client and a real cluster does."""

from __future__ import annotations

import os
import selectors
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from temporalio.service import RPCStatusCode

OPERATOR_SERVICE = "/temporal.api.operatorservice.v1.OperatorService/"
SCRIPT = Path(__file__).with_name("grpc_proxy.mjs")


@contextmanager
def grpc_proxy(upstream: str, refuse_with: RPCStatusCode = RPCStatusCode.OK, *prefixes: str, latency: float = 0.0,
               timeout: float = 10.0) -> Iterator[str]:
    """Yield the proxy's ``host:port``; calls whose path starts with one of ``prefixes`` get ``refuse_with``, the
    others reach ``upstream`` ``latency`` seconds after they were sent."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            raise RuntimeError("node is needed for the gRPC proxy of the tests")
        pytest.skip("node is not installed here (the machine image and CI have it)")
    command = [node, str(SCRIPT), upstream, str(round(latency * 1000)), str(int(refuse_with)), *prefixes]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        with selectors.DefaultSelector() as waiting:  # epoll: select() fails on a descriptor numbered 1024 or more
            waiting.register(process.stdout, selectors.EVENT_READ)
            ready = waiting.select(timeout)
        line = process.stdout.readline() if ready else ""
        if not line.startswith("listening "):
            raise RuntimeError(f"the gRPC proxy did not start: {line}{process.stdout.read() if ready else ''}")
        yield f"127.0.0.1:{line.split()[1]}"
    finally:
        process.kill()
        process.wait()
