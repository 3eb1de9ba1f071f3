"""One real Temporal server per test session (our own embedded server, on a free port in a temp
dir); every test gets fresh settings with its own task queue and data dir, so tests never see
each other's workers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from temporalio.worker import Worker

from core.embedded_server import EmbeddedServer
from core.service import OrderService
from core.settings import Settings
from core.worker import build_worker
from tests.helpers import free_port


@pytest.fixture(scope="session")
def temporal_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("temporal")
    server = EmbeddedServer(Settings(data_dir=data_dir, embedded_port=free_port(), embedded_ui_port=free_port()))
    address = asyncio.run(server.start())
    yield address
    server.stop()


@pytest.fixture
def settings(temporal_address: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        temporal_address=temporal_address,
        task_queue=f"test-{uuid.uuid4()}",
        data_dir=tmp_path,
    )


@pytest.fixture
async def service(settings: Settings, temporal_address: str) -> OrderService:
    return await OrderService.connect(settings, temporal_address)


@pytest.fixture
async def worker(service: OrderService) -> AsyncIterator[Worker]:
    """A worker for the test's own task queue, on the test's own settings."""
    async with build_worker(service.client, service.settings) as running:
        yield running
