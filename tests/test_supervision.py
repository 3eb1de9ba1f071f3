"""The runtime watches Temporal while a face runs: our embedded server is restarted on its data when it dies or
hangs (with backoff while it cannot start), one we reused is waited for, and the worker follows. Real servers,
really killed; no mock of Temporal."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client

from core.api import create_app
from core.embedded_server import EmbeddedServer
from core.errors import ErrorCode, TemporalUnavailable
from core.models import Action, Actor, OrderRequest, OrderStatus
from core.runtime import DeskRuntime, RuntimeEvent, RuntimeState
from core.service import OrderService
from core.settings import Settings
from tests.helpers import assert_eventually, free_port
from tests.test_embedded_server import alive
from tests.test_workflow import wait_for_status

ALICE, BOB = Actor(name="alice"), Actor(name="bob")
OUTAGE = 30.0  # seconds a test allows for noticing and recovering, on a busy 2-core machine


class Watched:
    """A runtime on the embedded default in its own data dir, and every event its watch reported."""

    def __init__(self, settings: Settings) -> None:
        self.runtime = DeskRuntime(settings)
        self.events: list[RuntimeEvent] = []
        self.runtime.listen(self.events.append)

    @property
    def states(self) -> list[RuntimeState]:
        return [event.state for event in self.events]

    @property
    def service(self) -> OrderService:
        assert self.runtime.service is not None
        return self.runtime.service

    async def wait_for(self, state: RuntimeState, count: int = 1) -> None:
        async def seen() -> None:
            assert self.states.count(state) >= count, self.events

        await assert_eventually(seen, timeout=OUTAGE)

    async def pending_order(self) -> str:
        order_id = await self.service.create_order(OrderRequest(item="Survives the crash", quantity=2), ALICE)
        await wait_for_status(self.service, order_id, OrderStatus.PENDING_APPROVAL)
        return order_id

    async def decided_after(self, order_id: str) -> None:
        """Approved now, fulfilled and in the ledger: the new worker runs the activities."""
        assert await self.service.decide(order_id, Action.APPROVE, BOB) is OrderStatus.APPROVED

        async def in_ledger() -> None:
            stored = self.service.ledger.get(order_id)
            assert stored is not None and stored.status is OrderStatus.APPROVED

        await assert_eventually(in_ledger, timeout=OUTAGE)


def embedded(data_dir: Path) -> Settings:
    return Settings(_env_file=None, temporal_address="", data_dir=data_dir, embedded_port=free_port(),
                    embedded_ui_port=free_port(), task_queue=f"supervised-{uuid.uuid4()}", roles={}, actor=None,
                    api_token=None, tokens_file=None, payload_encryption_key=None)


@pytest.fixture
async def watched(tmp_path: Path) -> AsyncIterator[Watched]:
    started = Watched(embedded(tmp_path))
    await started.runtime.start()
    try:
        yield started
    finally:
        await started.runtime.stop()


def kill_server(watched: Watched) -> int:
    """SIGKILL the embedded server, as a crash or the OOM killer would; reap it; return its pid."""
    return sigkill(watched.runtime.server)  # type: ignore[arg-type]


def sigkill(server: EmbeddedServer) -> int:
    process = server.process
    assert process is not None
    process.send_signal(signal.SIGKILL)
    process.wait()
    return process.pid


@contextlib.asynccontextmanager
async def reusing(settings: Settings) -> AsyncIterator[tuple[EmbeddedServer, Watched]]:
    """A server someone else started on the data directory, and a runtime that reused it; both stopped after."""
    theirs = EmbeddedServer(settings)
    await theirs.start()
    watched = Watched(settings)
    try:
        await watched.runtime.start()
        assert watched.runtime.server.reused  # type: ignore[union-attr]
        yield theirs, watched
    finally:
        await watched.runtime.stop()
        theirs.stop()


def worker_running(watched: Watched) -> bool:
    return watched.runtime.worker is not None and watched.runtime.worker.running


async def test_a_killed_server_that_cannot_start_again_at_once_is_retried_with_backoff(watched: Watched) -> None:
    order_id = await watched.pending_order()
    old_worker = watched.runtime.worker._thread  # type: ignore[union-attr]
    ui_port = watched.runtime.settings.embedded_ui_port
    kill_server(watched)
    squatter = socket.create_server(("127.0.0.1", ui_port))  # a port it needs, taken before it can start again
    try:
        await watched.wait_for(RuntimeState.FAILED, count=2)
        assert not worker_running(watched), "the worker must not claim to run while its server is gone"
        assert watched.runtime.state is not None and not watched.runtime.state.up
    finally:
        squatter.close()
    await watched.wait_for(RuntimeState.RESTARTED)

    failed = [event for event in watched.events if event.state is RuntimeState.FAILED]
    assert [event.retry_in for event in failed[:2]] == [0.5, 1.0]
    assert all(f"can't set UI port {ui_port}" in event.error for event in failed)
    assert watched.states[0] is RuntimeState.RESTARTING and watched.states[-1] is RuntimeState.RESTARTED
    assert "exited with code -9" in watched.events[0].error
    assert worker_running(watched) and watched.runtime.worker._thread is not old_worker  # type: ignore[union-attr]
    await watched.decided_after(order_id)


async def test_a_hung_server_is_killed_and_restarted_on_its_data(watched: Watched) -> None:
    order_id = await watched.pending_order()
    process = watched.runtime.server.process  # type: ignore[union-attr]
    assert process is not None
    os.kill(process.pid, signal.SIGSTOP)  # alive, but answers nothing
    try:
        await watched.wait_for(RuntimeState.RESTARTED)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.poll() is not None and not alive(process.pid)
    assert watched.events[0].state is RuntimeState.RESTARTING and "health checks" in watched.events[0].error
    assert watched.runtime.server.process.pid != process.pid  # type: ignore[union-attr]
    assert watched.runtime.server.settings.temporal_db.exists()  # type: ignore[union-attr]
    await watched.decided_after(order_id)


async def test_stopping_during_an_outage_ends_the_retries_and_leaves_nothing_running(watched: Watched) -> None:
    settings = watched.runtime.settings
    kill_server(watched)
    with socket.create_server(("127.0.0.1", settings.embedded_ui_port)):
        await watched.wait_for(RuntimeState.FAILED)
        await watched.runtime.stop()
        seen = len(watched.events)
    assert watched.runtime.state is None and watched.runtime.server.process is None  # type: ignore[union-attr]
    assert not worker_running(watched)
    with socket.create_server(("127.0.0.1", settings.embedded_port)):  # nobody restarted it after the stop
        assert len(watched.events) == seen


async def test_a_reused_server_is_waited_for_not_restarted(tmp_path: Path) -> None:
    settings = embedded(tmp_path)
    again = EmbeddedServer(settings)
    try:
        async with reusing(settings) as (theirs, watched):
            order_id = await watched.pending_order()
            sigkill(theirs)

            await watched.wait_for(RuntimeState.TEMPORAL_STOPPED)
            assert not worker_running(watched)
            assert watched.runtime.server.process is None  # type: ignore[union-attr]  # it started none of its own
            assert RuntimeState.RESTARTING not in watched.states

            await again.start()  # whoever owns it starts it again
            await watched.wait_for(RuntimeState.RESTARTED)
            assert watched.states == [RuntimeState.TEMPORAL_STOPPED, RuntimeState.RESTARTED]
            assert worker_running(watched)
            await watched.decided_after(order_id)
    finally:
        again.stop()


async def test_a_reused_server_replaced_by_another_data_directorys_is_not_taken_for_it(tmp_path: Path) -> None:
    """The server we reused dies and another data directory's takes its port: no worker of ours may poll it (it
    would write that server's orders to our ledger), and nothing is sent there (its workers would write ours to
    theirs); the watch says why, and waits."""
    settings = embedded(tmp_path / "ours")
    squatter = EmbeddedServer(settings.model_copy(update={"data_dir": tmp_path / "elsewhere"}))
    try:
        async with reusing(settings) as (theirs, watched):
            sigkill(theirs)
            await watched.wait_for(RuntimeState.TEMPORAL_STOPPED)
            await squatter.start()
            await watched.wait_for(RuntimeState.FAILED)
            failed = next(event for event in watched.events if event.state is RuntimeState.FAILED)
            assert str(settings.data_dir) in failed.error and RuntimeState.RESTARTED not in watched.states
            assert not worker_running(watched)
            with pytest.raises(TemporalUnavailable) as refused:  # not created there, where its workers would run it
                await watched.service.create_order(OrderRequest(item="Not for them", quantity=1), ALICE)
            assert refused.value.code is ErrorCode.TEMPORAL_UNAVAILABLE and str(settings.data_dir) in str(refused.value)
            theirs_client = await Client.connect(squatter.address)
            assert (await theirs_client.count_workflows(f"TaskQueue = '{settings.task_queue}'")).count == 0
            app = create_app(settings, watched.service)  # serve's probes say so too: no traffic is sent its way
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as api:
                health, ready = await api.get("/healthz"), await api.get("/readyz")
            assert (health.status_code, health.json()["code"], ready.status_code) == (503, "temporal_unavailable", 503)
            assert str(settings.data_dir) in health.json()["detail"] and ready.json()["not_ready"] == ["temporal"]
    finally:
        squatter.stop()


async def test_a_worker_stopped_by_a_person_stays_stopped_after_a_restart(watched: Watched) -> None:
    await watched.runtime.stop_worker()
    kill_server(watched)
    await watched.wait_for(RuntimeState.RESTARTED)
    assert not worker_running(watched) and not watched.runtime.worker_wanted
