"""Latency a person feels: approve -> confirmed, and create -> PENDING_APPROVAL, with 50 orders in flight.

    .venv/bin/python -m bench.latency [--orders 150] [--in-flight 50] [--rate 5] [--rounds 3]

One fresh dev server; three paths in interleaved rounds (raw, service, REST, then the next round in another order).
Orders arrive at ``--rate`` a second and each waits ``--in-flight / --rate`` seconds for its decision, so about
``--in-flight`` orders are always open (started, validating or pending) while the machine keeps up: the load of a
desk team, not a flood that measures a queue. Each order: start, read the status until PENDING_APPROVAL (backing off
from 50 to 500 ms, as ``bench.throughput`` does), wait for its turn, decide, wait for the workflow to complete.

- raw:     ``bench._raw_workflow`` on the bare SDK; the decision is a Workflow Update (``decide``) whose handler
           only sets a flag: the SDK's own Update round trip, the floor for the others.
- service: ``OrderService.approve`` (an Update with its validator: the order's rules), the app's own worker.
- REST:    ``POST /orders/{id}/approve`` to ``order-desk serve`` (its own embedded worker).

For each: approve -> confirmed (from sending the decision to its answer, APPROVED), p50/p99. For the service and
REST also create -> PENDING_APPROVAL: from sending the create to the change reaching a follower of the change feed
(``OrderService.follow_changes`` in this process, ``GET /events`` for REST), which is where a desk learns of it.
Targets (issue 19): approve p99 < 50 ms, and within 1.3x the raw Update's p99 of the same run. Never a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import tempfile
import time
import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
from httpx_sse import aconnect_sse

from bench._raw_workflow import RawOrder, RawOrderWorkflow
from bench._stats import percentile, summary_ms
from bench._temporal import bench_settings, fresh_server
from bench.throughput import CLERK, MANAGER, WARM_UP, AppPath, BenchPath, Options, RawPath, RestPath, batches
from core.models import OrderRequest, OrderStatus

TARGET_P99 = 0.050
TARGET_OF_RAW = 1.3


class Timings:
    def __init__(self) -> None:
        self.approve: list[float] = []
        self.pending: list[float] = []
        self.created: dict[str, float] = {}  # order -> when its create was sent
        self.seen_pending: dict[str, float] = {}

    def saw_pending(self, order_id: str) -> None:
        self.seen_pending.setdefault(order_id, time.perf_counter())

    def settle(self) -> None:
        """Pair each create with its PENDING_APPROVAL on the feed."""
        for order_id, sent in list(self.created.items()):
            if order_id in self.seen_pending:
                self.pending.append(self.seen_pending.pop(order_id) - sent)
                del self.created[order_id]


class RawLatency(RawPath):
    name = "raw SDK Update"
    timings: Timings

    async def start(self) -> None:
        self.timings = Timings()
        await super().start()

    async def flow(self, n: int, due: float = 0.0) -> None:  # type: ignore[override]
        order = RawOrder(order_id=f"raw_{uuid.uuid4().hex[:12]}", item=f"Bench item {n}", quantity=n % 9 + 1,
                         created_by=CLERK.name)
        handle = await self.client.start_workflow(RawOrderWorkflow.run, order, id=order.order_id,
                                                  task_queue=self.settings.task_queue)
        await self.wait_pending(lambda: self._described(handle))
        await _turn(due)
        sent = time.perf_counter()
        status = await handle.execute_update(RawOrderWorkflow.decide)
        self.timings.approve.append(time.perf_counter() - sent)
        if status != OrderStatus.APPROVED:
            raise RuntimeError(f"{order.order_id} is {status} after the Update")
        await handle.result()


class ServiceLatency(AppPath):
    name = "service"
    timings: Timings

    async def start(self) -> None:
        await super().start()
        self.timings = Timings()
        self.stack.push_async_callback(_cancelled, asyncio.create_task(self._follow()))

    async def _follow(self) -> None:
        async for batch in self.service.follow_changes(quiet=5.0):
            for change in batch:
                if change.status is OrderStatus.PENDING_APPROVAL and change.kind == "transition":
                    self.timings.saw_pending(change.order_id)

    async def flow(self, n: int, due: float = 0.0) -> None:  # type: ignore[override]
        service = self.service
        sent = time.perf_counter()
        order_id = await service.create_order(OrderRequest(item=f"Bench item {n}", quantity=n % 9 + 1), CLERK)
        self.timings.created[order_id] = sent
        await self.wait_pending(lambda: service.status(order_id))
        await _turn(due)
        sent = time.perf_counter()
        status = await service.approve(order_id, MANAGER)
        self.timings.approve.append(time.perf_counter() - sent)
        if status is not OrderStatus.APPROVED:
            raise RuntimeError(f"{order_id} is {status} after approve")
        await service.client.get_workflow_handle(order_id).result()


class RestLatency(RestPath):
    name = "REST"
    timings: Timings

    async def start(self) -> None:
        await super().start()
        self.timings = Timings()
        self.events = await self.stack.enter_async_context(
            httpx.AsyncClient(base_url=self.base_url, timeout=httpx.Timeout(30.0, read=None)))
        ready = asyncio.Event()
        self.stack.push_async_callback(_cancelled, asyncio.create_task(self._follow(ready)))
        await asyncio.wait_for(ready.wait(), 30)

    async def _follow(self, ready: asyncio.Event) -> None:
        async with aconnect_sse(self.events, "GET", "/events") as source:
            async for event in source.aiter_sse():
                if event.event == "ready":
                    ready.set()
                elif event.event == "order":
                    change = json.loads(event.data)
                    if change["status"] == "PENDING_APPROVAL" and change["kind"] == "transition":
                        self.timings.saw_pending(change["order_id"])

    async def flow(self, n: int, due: float = 0.0) -> None:  # type: ignore[override]
        http = await self.pool.get()
        try:
            sent = time.perf_counter()
            created = await http.post("/orders", json={"item": f"Bench item {n}", "quantity": n % 9 + 1},
                                      headers={"X-Actor": CLERK.name})
            created.raise_for_status()
            order_id = created.json()["order_id"]
            self.timings.created[order_id] = sent
            await self.wait_pending(lambda: self._status(http, order_id))
            await _turn(due)
            sent = time.perf_counter()
            approved = await http.post(f"/orders/{order_id}/approve", headers={"X-Actor": MANAGER.name})
            self.timings.approve.append(time.perf_counter() - sent)
            approved.raise_for_status()
            if approved.json()["status"] != OrderStatus.APPROVED:
                raise RuntimeError(f"{order_id} is {approved.json()['status']} after approve")
        finally:
            self.pool.put_nowait(http)
        await self.client.get_workflow_handle(order_id).result()


async def _cancelled(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):  # a follower's end is not the benchmark's concern
        await task


async def run_orders(path: BenchPath, numbers: range, rate: float, dwell: float) -> None:
    """Start order ``n`` every ``1 / rate`` seconds; each is decided ``dwell`` seconds after it started."""
    started = time.perf_counter()

    async def one(index: int, n: int) -> None:
        await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
        await path.flow(n, time.perf_counter() + dwell)  # type: ignore[call-arg]

    await asyncio.gather(*(one(index, n) for index, n in enumerate(numbers)))


async def _turn(due: float) -> None:
    await asyncio.sleep(max(0.0, due - time.perf_counter()))


async def main(options: LatencyOptions) -> None:
    kinds: dict[str, type[BenchPath]] = {"raw": RawLatency, "service": ServiceLatency, "rest": RestLatency}
    with tempfile.TemporaryDirectory(prefix="order-desk-latency-") as tmp:
        root = Path(tmp)
        async with fresh_server(root) as server, AsyncExitStack() as stack:
            print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; fresh dev server {server.address}; "
                  f"{options.orders} orders per path in {options.rounds} interleaved rounds, {options.rate:g}/s, "
                  f"each decided {options.in_flight / options.rate:g} s after it started (~{options.in_flight} open)",
                  flush=True)
            paths: dict[str, BenchPath] = {}
            for name, kind in kinds.items():
                (root / name).mkdir()
                path = kind(server.address, bench_settings(root / name, server.address), options)
                paths[name] = await stack.enter_async_context(path)
                await run_orders(path, range(10**6, 10**6 + WARM_UP), options.rate, 0.5)
            for path in paths.values():
                timings: Timings = path.timings  # type: ignore[attr-defined]
                timings.settle()
                timings.approve.clear()
                timings.pending.clear()
            names = list(paths)
            for number, numbers in enumerate(batches(options.orders, options.rounds)):
                for name in names[number % len(names):] + names[:number % len(names)]:
                    await run_orders(paths[name], numbers, options.rate, options.in_flight / options.rate)
            await asyncio.sleep(1.0)  # the last changes reach the followers
            for path in paths.values():
                path.timings.settle()  # type: ignore[attr-defined]
    report(paths)


def report(paths: dict[str, BenchPath]) -> None:
    raw = paths["raw"].timings.approve  # type: ignore[attr-defined]
    raw_p99 = percentile(raw, 99)
    for name, path in paths.items():
        timings: Timings = path.timings  # type: ignore[attr-defined]
        line = f"{path.name:15} approve -> confirmed: {summary_ms(timings.approve)}"
        if name != "raw":
            p99 = percentile(timings.approve, 99)
            line += (f"; p99 < {TARGET_P99 * 1000:.0f} ms: {'met' if p99 < TARGET_P99 else 'MISSED'}; "
                     f"{p99 / raw_p99:.2f}x the raw Update's p99 (target <= {TARGET_OF_RAW}: "
                     f"{'met' if p99 <= TARGET_OF_RAW * raw_p99 else 'MISSED'})")
        print(line)
        if name != "raw":
            print(f"{'':15} create -> PENDING_APPROVAL on the change feed: {summary_ms(timings.pending)} "
                  f"({len(timings.pending)} orders)")


@dataclass(frozen=True)
class LatencyOptions(Options):
    rate: float = 5.0
    in_flight: int = 50


def parse(argv: list[str] | None = None) -> LatencyOptions:
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=150, help="orders per path (default 150)")
    parser.add_argument("--in-flight", type=int, default=50, help="orders open at once (default 50)")
    parser.add_argument("--rate", type=float, default=5.0, help="orders started per second (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved batches per path (default 3)")
    args = parser.parse_args(argv)
    if min(args.orders, args.in_flight, args.rounds) < 1 or not args.rate > 0:
        parser.error("--orders, --in-flight and --rounds must be at least 1, --rate above 0")
    return LatencyOptions(args.orders, args.in_flight, 0.05, 0.5, min(args.rounds, args.orders), "serve", "describe",
                          1, 0.5, args.rate, args.in_flight)


if __name__ == "__main__":
    asyncio.run(main(parse()))
