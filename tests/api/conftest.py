"""Fixtures of the REST tests only (the suite's Temporal server, settings, service and worker are in
``tests/conftest.py``). Clients talk to the app through httpx's ASGI transport: no socket, but every request
goes through the whole app, its middleware and its error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from temporalio.worker import Worker

from core.api import create_app
from core.service import OrderService
from tests.api.serving import Served, embedded_env, kill, launch
from tests.helpers import free_port


@pytest.fixture
async def client(service: OrderService, worker: Worker) -> AsyncIterator[httpx.AsyncClient]:
    """The app over the test's service, with a worker on the test's task queue."""
    transport = httpx.ASGITransport(app=create_app(service.settings, service))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as client:
        yield client


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """``order-desk serve`` on the embedded default, its data in tmp, every port free."""
    started = launch(tmp_path, embedded_env(tmp_path / "data"), free_port(), tmp_path / "serve.log")
    try:
        yield started
    finally:
        kill(started)
