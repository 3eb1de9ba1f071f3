"""How much the embedded server's SQLite pragmas buy: the same order flow on a persistent SQLite file,
with and without ``journal_mode=wal`` + ``synchronous=normal``.

    .venv/bin/python -m bench.sqlite_pragmas [N]
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from core.embedded_server import EmbeddedServer, find_binary, temporal_answers
from core.models import Action, Actor, OrderRequest
from core.service import OrderService
from core.settings import Settings
from core.worker import build_worker
from tests.crash_helpers import decide_until_done
from tests.helpers import free_port

IN_FLIGHT = 20


async def one_order(service: OrderService, n: int, in_flight: asyncio.Semaphore) -> None:
    async with in_flight:
        await _order_flow(service, n)


async def _order_flow(service: OrderService, n: int) -> None:
    order_id = await service.create_order(OrderRequest(item=f"Bench {n}", quantity=1), Actor(name="alice"))
    await decide_until_done(service, order_id, Action.APPROVE, Actor(name="mona"))
    await service.client.get_workflow_handle(order_id).result()


async def measure(pragmas: bool, orders: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp), embedded_port=free_port(),
                            embedded_ui_port=free_port(), approval_reminder=None, task_queue=str(uuid.uuid4()))
        command = EmbeddedServer(settings).command(find_binary())
        if not pragmas:
            while "--sqlite-pragma" in command:
                at = command.index("--sqlite-pragma")
                del command[at:at + 2]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        address = f"127.0.0.1:{settings.embedded_port}"
        try:
            while not await temporal_answers(address, "default"):
                await asyncio.sleep(0.2)
            settings = settings.model_copy(update={"temporal_address": address})
            service = await OrderService.connect(settings, address)
            async with build_worker(service.client, settings):
                started = time.perf_counter()
                in_flight = asyncio.Semaphore(IN_FLIGHT)
                await asyncio.gather(*(one_order(service, n, in_flight) for n in range(orders)))
                elapsed = time.perf_counter() - started
            wal = Path(f"{settings.temporal_db}-wal").exists()
        finally:
            server.terminate()
            server.wait()
    rate = orders / elapsed
    print(f"pragmas={'wal+normal' if pragmas else 'default   '}  -wal file: {wal!s:5}  {rate:6.1f} orders/s")
    return rate


async def main(orders: int) -> None:
    plain = await measure(False, orders)
    tuned = await measure(True, orders)
    print(f"wal+normal / default = {tuned / plain:.2f}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
