"""Other users, in a process of their own: N orders created and approved through the service while a desk
window watches. Prints ``traffic: N orders in S s``.

    python -m bench._gui_traffic ADDRESS TASK_QUEUE DATA_DIR ORDERS IN_FLIGHT
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from bench._temporal import bench_settings
from core.models import Actor, OrderRequest, OrderStatus
from core.service import OrderService

CLERK = Actor(name="bench-clerk")
MANAGER = Actor(name="bench-manager")
POLL = 0.1


async def one_order(service: OrderService, n: int) -> None:
    order_id = await service.create_order(OrderRequest(item=f"Desk bench {n}", quantity=n % 9 + 1), CLERK)
    while (status := await service.status(order_id)) is OrderStatus.VALIDATING:
        await asyncio.sleep(POLL)
    if status is not OrderStatus.PENDING_APPROVAL:
        raise RuntimeError(f"{order_id} went {status}")
    await service.approve(order_id, MANAGER)


async def main(address: str, task_queue: str, data_dir: Path, orders: int, in_flight: int) -> None:
    settings = bench_settings(data_dir, address, task_queue=task_queue)
    service = await OrderService.connect(settings, address)
    limit = asyncio.Semaphore(in_flight)

    async def limited(n: int) -> None:
        async with limit:
            await one_order(service, n)

    started = time.perf_counter()
    await asyncio.gather(*(limited(n) for n in range(orders)))
    print(f"traffic: {orders} orders in {time.perf_counter() - started:.1f} s", flush=True)
    service.ledger.close()


if __name__ == "__main__":
    address, queue, directory, count, flight = sys.argv[1:6]
    asyncio.run(main(address, queue, Path(directory), int(count), int(flight)))
