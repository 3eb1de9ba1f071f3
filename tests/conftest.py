"""One real Temporal server per test session (our own embedded server, on a free port in a temp
dir), and a second one for the tests that run on PostgreSQL; every test gets fresh settings with its
own task queue, data dir and ledger, so tests never see each other's workers or orders."""

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


def _embedded_server(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[str]:
    server = EmbeddedServer(Settings(_env_file=None, data_dir=tmp_path_factory.mktemp(name),
                                     embedded_port=free_port(), embedded_ui_port=free_port()))
    address = asyncio.run(server.start())
    try:
        yield address
    finally:
        server.stop()


@pytest.fixture(scope="session")
def temporal_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _embedded_server(tmp_path_factory, "temporal")


@pytest.fixture(scope="session")
def postgres_temporal_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Temporal server of the tests' PostgreSQL runs. A test that creates orders with a fixed idempotency key
    makes the same order IDs in both its runs; on one server the second run would find the first one's orders."""
    yield from _embedded_server(tmp_path_factory, "temporal-postgresql")


@pytest.fixture
def settings(request: pytest.FixtureRequest, temporal_address: str, tmp_path: Path, ledger_url: str) -> Settings:
    """The test's own task queue and data dir, and its ledger on SQLite or PostgreSQL (``ledger_url``), with the
    Temporal server of that ledger: use ``settings.temporal_address``."""
    if not ledger_url.startswith("sqlite"):
        temporal_address = request.getfixturevalue("postgres_temporal_address")
    return Settings(
        _env_file=None,
        temporal_address=temporal_address,
        task_queue=f"test-{uuid.uuid4()}",
        data_dir=tmp_path,
        database_url=ledger_url,
        api_token=None,  # a developer's own ORDER_DESK_* identities must not leak into the tests
        tokens_file=None,
        roles={},
        actor=None,
        payload_encryption_key=None,
    )


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[OrderService]:
    """The test's service, closed afterwards: a full run otherwise ends holding thousands of file descriptors (each
    test's ledger connections, and the Temporal clients its change-feed listeners kept alive)."""
    service = await OrderService.connect(settings, settings.temporal_address)
    try:
        yield service
    finally:
        service.close()


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


LEDGERS = ("sqlite", "postgresql")
TESTS = Path(__file__).parent
# Tests whose subject is not the ledger: HTTP validation, tokens and roles, error codes, the serve process, the
# error paths of a missing worker (each waits out a 5 s or, for a decision, 15 s timeout). They run on SQLite only.
# Every other test that reaches a ledger through ``settings`` (every service and REST test: each order writes the
# ledger as it moves) runs on both; so does a new test module, until someone argues it here.
SQLITE_ONLY = frozenset({
    "api/test_errors.py", "api/test_error_codes.py", "api/test_auth.py", "api/test_serve.py",
    "api/test_serve_recovery.py", "api/test_unknown_query.py", "test_error_paths.py", "test_refusals.py",
    "test_encryption.py",  # payloads Temporal stores; it reads them with a plain client of the default server
    "test_hardening_text.py", "test_hardening_ledger_failures.py",  # they choose their ledgers themselves
    # Bounded history is the workflow's (hundreds of reminders, two minutes a run; a run held at its hand-over): its
    # ledger writes are the ones test_ledger.py and test_ledger_projection.py run on both.
    "test_hardening_history.py", "test_handover_decision.py",
    # Workers and servers killed mid-stream: its subject is Temporal's recovery; the ledger's idempotent writes it
    # leans on are test_ledger.py's and test_ledger_projection.py's, on both.
    "test_crash.py",
})


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each test that takes ``ledger_url`` (directly, or through ``settings``) on SQLite and on PostgreSQL,
    except the modules of ``SQLITE_ONLY``. ``ORDER_DESK_TEST_LEDGERS=sqlite`` narrows a local run to one."""
    if "ledger_url" not in metafunc.fixturenames:
        return
    module = Path(metafunc.definition.path).relative_to(TESTS).as_posix()
    chosen = os.environ.get("ORDER_DESK_TEST_LEDGERS", ",".join(LEDGERS)).split(",")
    ledgers = [name for name in LEDGERS if name in chosen and (name == "sqlite" or module not in SQLITE_ONLY)]
    metafunc.parametrize("ledger_url", ledgers, indirect=True)


@pytest.fixture(scope="session")
def postgres_template(postgres_url: str) -> str:
    """A database with the ledger's migrations applied, copied for each test: a copy is quicker than migrating."""
    from sqlalchemy import create_engine, text

    from core.ledger import Ledger

    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as db:
        db.execute(text("CREATE DATABASE ledger_template"))
    engine.dispose()
    Ledger(postgres_url.rsplit("/", 1)[0] + "/ledger_template").close()
    return "ledger_template"


@pytest.fixture
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The test's ledger: a SQLite file in its tmp dir, or a fresh database on the session's PostgreSQL server,
    dropped afterwards with every connection the test left open."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    base: str = request.getfixturevalue("postgres_url")
    template: str = request.getfixturevalue("postgres_template")
    from sqlalchemy import create_engine, text

    name = f"t{uuid.uuid4().hex[:12]}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as db:
            db.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
        yield base.rsplit("/", 1)[0] + f"/{name}"
        with engine.connect() as db:
            db.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    finally:
        engine.dispose()


SEED_VARIABLE = "ORDER_DESK_TEST_SEED"


@pytest.fixture
def chaos() -> random.Random:
    """The random schedule of a crash test, replayable: a failing test's captured output names its seed, and
    ``ORDER_DESK_TEST_SEED=<seed>`` runs the same schedule again."""
    seed = int(os.environ.get(SEED_VARIABLE) or random.randrange(1 << 30))
    print(f"random schedule: rerun with {SEED_VARIABLE}={seed}")
    return random.Random(seed)
