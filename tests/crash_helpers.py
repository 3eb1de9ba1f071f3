"""Processes for the crash tests: real `order-desk worker` subprocesses that can be SIGKILLed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from core.errors import TemporalUnavailable
from core.models import Action, Actor, OrderStatus
from core.service import OrderService
from core.settings import Settings


def app_env(settings: Settings, address: str) -> dict[str, str]:
    return {
        **os.environ,
        "ORDER_DESK_TEMPORAL_ADDRESS": address,
        "ORDER_DESK_TASK_QUEUE": settings.task_queue,
        "ORDER_DESK_DATA_DIR": str(settings.data_dir),
        "ORDER_DESK_DATABASE_URL": settings.ledger_url,
        "ORDER_DESK_APPROVAL_REMINDER": "off",
    }


class WorkerProcess:
    """`order-desk worker` as a separate process, killed with SIGKILL and restarted at will."""

    def __init__(self, settings: Settings, address: str, log: Path) -> None:
        self.env = app_env(settings, address)
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "core.cli", "worker"], env=self.env,
                                            stdout=log, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.kills += 1

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


async def decide_until_done(service: OrderService, order_id: str, action: Action, actor: Actor,
                            timeout: float = 120.0) -> OrderStatus:
    """What a careful client does: wait for PENDING_APPROVAL, then send the decision, retrying with the
    same request ID (the Update ID) while no worker answers, so a retry is never a second decision."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    request_id = f"{order_id}-{action.value}"
    while loop.time() < deadline:
        try:
            if await service.status(order_id) is OrderStatus.PENDING_APPROVAL:
                return await service.decide(order_id, action, actor, request_id=request_id)
            if (status := await service.status(order_id)).is_final:
                return status
        except TemporalUnavailable:
            pass
        await asyncio.sleep(0.2)
    raise TimeoutError(f"{order_id} never reached a decision")
