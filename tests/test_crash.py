"""Nothing lost, nothing doubled: workers SIGKILLed, the embedded server restarted, mid-stream.

Each test pushes a batch of orders through while something dies at random moments, then proves every
order reached its decided final state with exactly one fulfilment record. The moments come from the
``chaos`` fixture's seed: a failing run prints it, and ``ORDER_DESK_TEST_SEED=<seed>`` replays them.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from core.embedded_server import EmbeddedServer
from core.models import Action, Actor, OrderRequest
from core.service import OrderService
from core.settings import Settings
from core.worker import EmbeddedWorker
from tests.crash_helpers import WorkerProcess, decide_until_done
from tests.helpers import assert_eventually, free_port

ORDERS = 24
MANAGER = Actor(name="mona")


def decision_for(n: int) -> Action:
    return (Action.APPROVE, Action.REJECT, Action.CANCEL)[n % 3]


async def push_batch(service: OrderService) -> dict[str, Action]:
    planned = {}
    for n in range(ORDERS):
        order_id = await service.create_order(OrderRequest(item=f"Crash item {n}", quantity=n + 1),
                                              Actor(name="alice"), idempotency_key=f"crash-{n}")
        planned[order_id] = decision_for(n)
    return planned


async def prove_nothing_lost(service: OrderService, planned: dict[str, Action]) -> None:
    for order_id, action in planned.items():
        assert await service.status(order_id) == action.outcome, order_id
        await service.client.get_workflow_handle(order_id).result()
        expected = 0 if action is Action.CANCEL else 1
        assert service.ledger.fulfilment_count(order_id) == expected, order_id
        decisions = [t for t in (await service.details(order_id)).history if t.status.is_final]
        assert len(decisions) == 1, order_id

    async def ledger_complete() -> None:
        stored = {o.order_id: o.status for o in await service.list_orders(limit=1000)}
        assert stored == {order_id: action.outcome for order_id, action in planned.items()}
    await assert_eventually(ledger_complete)
    assert service.ledger.fulfilment_count() == sum(a is not Action.CANCEL for a in planned.values())


async def test_worker_killed_at_random_moments(settings: Settings, tmp_path: Path,
                                              chaos: random.Random) -> None:
    service = await OrderService.connect(settings, settings.temporal_address)
    worker = WorkerProcess(settings, settings.temporal_address, tmp_path / "worker.log")
    worker.start()
    try:
        planned = await push_batch(service)
        decisions = asyncio.gather(*(decide_until_done(service, order_id, action, MANAGER)
                                     for order_id, action in planned.items()))
        for _ in range(4):  # several rounds: kill -9 at a random moment, restart a little later
            await asyncio.sleep(chaos.uniform(0.2, 1.5))
            worker.kill()
            await asyncio.sleep(chaos.uniform(0.1, 1.0))
            worker.start()
        await asyncio.wait_for(decisions, 180)
        await prove_nothing_lost(service, planned)
    finally:
        worker.stop()
    assert worker.kills == 4


async def test_embedded_server_restarted_mid_stream(tmp_path: Path, chaos: random.Random) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, embedded_port=free_port(), embedded_ui_port=free_port(),
                        approval_reminder=None)
    server = EmbeddedServer(settings)
    address = await server.start()
    connected = settings.model_copy(update={"temporal_address": address})
    worker = EmbeddedWorker(connected, address)
    await worker.start_async()
    try:
        service = await OrderService.connect(connected, address)
        planned = await push_batch(service)
        decisions = asyncio.gather(*(decide_until_done(service, order_id, action, MANAGER)
                                     for order_id, action in planned.items()))
        for _ in range(2):
            await asyncio.sleep(chaos.uniform(0.3, 1.5))
            server.stop()  # SIGTERM; its state lives on in DATA_DIR/temporal.db
            await asyncio.sleep(chaos.uniform(0.1, 0.5))
            await server.start()
        await asyncio.wait_for(decisions, 180)
        await prove_nothing_lost(service, planned)
    finally:
        await worker.stop_async()
        server.stop()


@pytest.mark.parametrize("signal_name", ["SIGKILL"])
async def test_server_killed_hard_and_restarted(tmp_path: Path, signal_name: str) -> None:
    """SIGKILL instead of SIGTERM: SQLite in WAL mode with synchronous=normal must not lose committed orders."""
    import signal

    settings = Settings(_env_file=None, data_dir=tmp_path, embedded_port=free_port(), embedded_ui_port=free_port(),
                        approval_reminder=None)
    server = EmbeddedServer(settings)
    address = await server.start()
    connected = settings.model_copy(update={"temporal_address": address})
    worker = EmbeddedWorker(connected, address)
    await worker.start_async()
    try:
        service = await OrderService.connect(connected, address)
        planned = await push_batch(service)
        decisions = asyncio.gather(*(decide_until_done(service, order_id, action, MANAGER)
                                     for order_id, action in planned.items()))

        async def mid_stream() -> None:  # some orders decided, so the kill lands among work in flight
            assert any([(await service.status(order_id)).is_final for order_id in planned])
        await assert_eventually(mid_stream, timeout=60)
        assert server.process is not None
        server.process.send_signal(getattr(signal, signal_name))
        server.process.wait()
        server.process = None
        await server.start()
        await asyncio.wait_for(decisions, 180)
        await prove_nothing_lost(service, planned)
    finally:
        await worker.stop_async()
        server.stop()
