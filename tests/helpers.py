"""Small helpers shared by the tests: free ports, polling assertions, a worker on a fresh queue."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def assert_eventually(check: Callable[[], Awaitable[T]], timeout: float = 15.0, interval: float = 0.1) -> T:
    """Poll ``check`` until it stops raising AssertionError; re-raise the last one after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        await asyncio.sleep(interval)
