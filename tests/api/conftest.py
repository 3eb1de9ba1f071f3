"""Fixtures of the REST tests only (the suite's Temporal server, settings, service and worker are in
``tests/conftest.py``). Clients talk to the app through httpx's ASGI transport: no socket, but every request
goes through the whole app, its middleware and its error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from temporalio.worker import Worker

from core.api import create_app
from core.service import OrderService


@pytest.fixture
async def client(service: OrderService, worker: Worker) -> AsyncIterator[httpx.AsyncClient]:
    """The app over the test's service, with a worker on the test's task queue."""
    transport = httpx.ASGITransport(app=create_app(service.settings, service))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as client:
        yield client
