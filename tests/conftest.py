"""One real Temporal server per test session (our own embedded server, on a free port in a temp
dir); every test gets fresh settings with its own task queue and data dir, so tests never see
each other's workers."""

from __future__ import annotations

import asyncio
import os
import random
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
        api_token=None,  # a developer's own ORDER_DESK_* identities must not leak into the tests
        tokens_file=None,
        roles={},
        actor=None,
        payload_encryption_key=None,
    )


@pytest.fixture
async def service(settings: Settings, temporal_address: str) -> OrderService:
    return await OrderService.connect(settings, temporal_address)


@pytest.fixture
async def worker(service: OrderService) -> AsyncIterator[Worker]:
    """A worker for the test's own task queue, on the test's own settings."""
    async with build_worker(service.client, service.settings) as running:
        yield running


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    from tests.postgres import pg_bin_dir, postgres_server

    if pg_bin_dir() is None and not os.environ.get("CI"):
        pytest.skip("PostgreSQL is not installed here (CI installs it): apt-get install postgresql")
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same ledger tests on SQLite and on a real PostgreSQL server (a fresh database schema each)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    base: str = request.getfixturevalue("postgres_url")
    from sqlalchemy import create_engine, text

    name = f"t{uuid.uuid4().hex[:12]}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as db:
        db.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return base.rsplit("/", 1)[0] + f"/{name}"


SEED_VARIABLE = "ORDER_DESK_TEST_SEED"


@pytest.fixture
def chaos() -> random.Random:
    """The random schedule of a crash test, replayable: a failing test's captured output names its seed, and
    ``ORDER_DESK_TEST_SEED=<seed>`` runs the same schedule again."""
    seed = int(os.environ.get(SEED_VARIABLE) or random.randrange(1 << 30))
    print(f"random schedule: rerun with {SEED_VARIABLE}={seed}")
    return random.Random(seed)
