"""Orders per second through the raw temporalio SDK, the app's service and the REST API, on one server.

    .venv/bin/python -m bench.throughput [--orders 500] [--clients 50]

One fresh embedded dev server; each path gets its own task queue (and ledger) on it and runs N orders
with the same number in flight. Every order makes the same trip: start, poll until PENDING_APPROVAL
(backing off from ``--poll`` to ``--poll-max`` seconds, the same way on each path), approve, and wait
for the workflow to complete.

- raw:  a workflow of the app's shape on the bare SDK (``bench._raw_workflow``) and a plain worker in a
        thread of its own; the poll is a describe (``--raw-poll query``: a workflow query), the approval
        a signal.
- app:  ``OrderService.create_order`` / ``status`` (a describe) / ``approve`` (an Update) with the app's
        ``EmbeddedWorker``; the workflow also writes the ledger and upserts search attributes.
- REST: ``order-desk serve`` as a subprocess (its own embedded worker; ``--rest-worker process``: with
        ``--no-worker`` beside an ``order-desk worker`` process; ``bench``: beside the app's worker in
        this process) driven over HTTP by one ``httpx.AsyncClient`` per concurrent client. Its metrics are
        on, as ``serve``'s are by default.
- rest-off: the same with ``ORDER_DESK_METRICS=false`` (not run unless named: ``--paths rest,rest-off``
        prints what the metrics cost, REST with them against REST without; docs/BENCHMARKS.md).

The N orders of each path run in ``--rounds`` interleaved batches (raw, app, REST, then the next round
in another order), so a load that comes and goes on the machine weighs on every path alike. Each path's
report also says what the Temporal server did per order, by the server's own counters (requests, writes,
bytes: ``bench._server_metrics``), the profile of a Go binary that is shipped stripped. Then
``GET /orders/{id}/status`` latency with ``--clients`` concurrent clients, back to back and then paced
(each client one request every ``--status-interval`` seconds). The last line holds the ratios.
Targets (issue 19, which retired app/raw >= 0.9 and REST/raw >= 0.8): the Temporal server's CPU per app order
<= 1.2x raw's, app/raw orders/s >= 0.8, paced status p99 < 20 ms; with ``--paths rest,seed``, serve >= 1.3x the
seed peer's orders/s and the peer's paced status p99 >= 2x serve's.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from bench._cpu import CORES, cpu_seconds, cpu_text
from bench._raw_workflow import (
    PENDING_APPROVAL,
    RAW_ACTIVITIES,
    VALIDATED_HISTORY_LENGTH,
    VALIDATING,
    RawOrder,
    RawOrderWorkflow,
    RawResult,
)
from bench._serve import SeedPeerProcess, ServeProcess, WorkerProcess
from bench._server_metrics import NO_COUNTS, ServerCounts, server_counts
from bench._stats import percentile, summary_ms
from bench._temporal import ThreadedWorker, bench_settings, fresh_server, metrics_url
from core.models import Actor, OrderRequest, OrderStatus
from core.service import OrderService
from core.settings import Settings
from core.temporal_client import connect
from core.worker import EmbeddedWorker

WARM_UP = 10
CLERK = Actor(name="bench-clerk")
MANAGER = Actor(name="bench-manager")
TARGET_APP = 0.8
TARGET_SERVER_CPU = 1.2  # issue 19: the Temporal server's CPU per app order against raw's, in the same run
TARGET_STATUS_P99 = 0.020
TARGET_SEED = 1.3  # issue 19: serve's orders/s against the seed's design
TARGET_SEED_STATUS = 2.0  # issue 19: the seed peer's paced status p99 at least twice serve's
TARGET_METRICS_COST = 0.03  # issue 21: metrics on costs under 3 % of REST throughput
SERVER_COUNTS_SETTLE = 1.5  # seconds: the server publishes its counters about once a second; each batch waits


@dataclass(frozen=True)
class Options:
    orders: int
    clients: int
    poll: float
    poll_max: float
    rounds: int
    rest_worker: str
    raw_poll: str
    status_requests: int
    status_interval: float


@dataclass
class Tally:
    """One path's measurements, summed over its batches."""

    name: str
    orders: int = 0
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    polls: list[float] = field(default_factory=list)  # seconds per status read during the timed batches
    server: ServerCounts = NO_COUNTS  # what the Temporal server counted meanwhile

    @property
    def rate(self) -> float:
        return self.orders / self.seconds


class BenchPath:
    """One way of taking an order through: a context that starts what it needs, and ``flow(n)``."""

    name = ""
    pids: dict[str, int | None] = {}

    def __init__(self, address: str, settings: Settings, options: Options) -> None:
        self.address = address
        self.settings = settings
        self.options = options
        self.polls: list[float] = []
        self.stack = AsyncExitStack()

    async def __aenter__(self) -> BenchPath:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stack.aclose()

    async def start(self) -> None:
        raise NotImplementedError

    async def flow(self, n: int) -> None:
        raise NotImplementedError

    async def wait_pending(self, read: Callable[[], Awaitable[str]]) -> None:
        """Read the status until PENDING_APPROVAL: at once, then after ``poll`` seconds, doubling up to
        ``poll_max``, as a careful client backs off. (A fixed short interval would make the reads, not the
        orders, the main load: with 50 orders in flight an order waits seconds in VALIDATING.)"""
        delay = self.options.poll
        while True:
            started = time.perf_counter()
            status = await read()
            self.polls.append(time.perf_counter() - started)
            if status == PENDING_APPROVAL:
                return
            if status != VALIDATING:
                raise RuntimeError(f"an order went {status} instead of {PENDING_APPROVAL}")
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.options.poll_max)


class RawPath(BenchPath):
    name = "raw SDK"

    async def start(self) -> None:
        self.client = await connect(self.settings, self.address)
        queue = self.settings.task_queue

        def plain_worker(client: Client) -> Worker:
            return Worker(client, task_queue=queue, workflows=[RawOrderWorkflow], activities=RAW_ACTIVITIES)

        worker = ThreadedWorker(self.settings, self.address, plain_worker)
        await asyncio.to_thread(worker.start)
        self.stack.push_async_callback(asyncio.to_thread, worker.stop)

    async def flow(self, n: int) -> None:
        order = RawOrder(order_id=f"raw_{uuid.uuid4().hex[:12]}", item=f"Bench item {n}", quantity=n % 9 + 1,
                         created_by=CLERK.name)
        handle = await self.client.start_workflow(RawOrderWorkflow.run, order, id=order.order_id,
                                                  task_queue=self.settings.task_queue)
        if self.options.raw_poll == "query":
            await self.wait_pending(lambda: handle.query(RawOrderWorkflow.status))
        else:
            await self.wait_pending(lambda: self._described(handle))
        await handle.signal(RawOrderWorkflow.approve)
        await handle.result()

    @staticmethod
    async def _described(handle: WorkflowHandle[RawOrderWorkflow, RawResult]) -> str:
        """The same describe the app's status is, read without search attributes: the history's length."""
        info = (await handle.describe()).raw_description.workflow_execution_info
        return PENDING_APPROVAL if info.history_length >= VALIDATED_HISTORY_LENGTH else VALIDATING


class AppPath(BenchPath):
    name = "app"

    async def start(self) -> None:
        self.service = await OrderService.connect(self.settings, self.address)
        self.stack.callback(self.service.ledger.close)
        worker = EmbeddedWorker(self.settings, self.address)
        await worker.start_async()
        self.stack.push_async_callback(worker.stop_async)

    async def flow(self, n: int) -> None:
        service = self.service
        order_id = await service.create_order(OrderRequest(item=f"Bench item {n}", quantity=n % 9 + 1), CLERK)
        await self.wait_pending(lambda: service.status(order_id))
        status = await service.approve(order_id, MANAGER)
        if status is not OrderStatus.APPROVED:
            raise RuntimeError(f"{order_id} is {status} after approve")
        await service.client.get_workflow_handle(order_id).result()


class RestPath(BenchPath):
    name = "REST"
    env: dict[str, str] = {}  # ORDER_DESK_* of this path's serve (and worker process)
    made: list[str]  # the orders this path made, which its status phase reads

    def __init__(self, address: str, settings: Settings, options: Options) -> None:
        super().__init__(address, settings, options)
        self.made = []

    async def start(self) -> None:
        options = self.options
        serve = ServeProcess(self.settings, self.address, with_worker=options.rest_worker == "serve",
                             log=self.settings.data_dir / "serve.log", env=self.env)
        self.stack.push_async_callback(asyncio.to_thread, serve.stop)
        await serve.start()
        self.pids = {"serve": serve.pid}
        self.base_url = serve.base_url
        if options.rest_worker == "bench":
            worker = EmbeddedWorker(self.settings, self.address)
            await worker.start_async()
            self.stack.push_async_callback(worker.stop_async)
        elif options.rest_worker == "process":
            process = WorkerProcess(self.settings, self.address, self.settings.data_dir / "worker.log")
            process.start()
            self.stack.push_async_callback(asyncio.to_thread, process.stop)
            self.pids["worker"] = process.pid
        self.client = await connect(self.settings, self.address)
        self.pool = await self.stack.enter_async_context(http_clients(serve.base_url, options.clients))

    async def flow(self, n: int) -> None:
        http = await self.pool.get()
        try:
            created = await http.post("/orders", json={"item": f"Bench item {n}", "quantity": n % 9 + 1},
                                      headers={"X-Actor": CLERK.name})
            created.raise_for_status()
            order_id = created.json()["order_id"]
            self.made.append(order_id)
            await self.wait_pending(lambda: self._status(http, order_id))
            approved = await http.post(f"/orders/{order_id}/approve", headers={"X-Actor": MANAGER.name})
            approved.raise_for_status()
            if approved.json()["status"] != OrderStatus.APPROVED:
                raise RuntimeError(f"{order_id} is {approved.json()['status']} after approve")
        finally:
            self.pool.put_nowait(http)
        await self.client.get_workflow_handle(order_id).result()

    @staticmethod
    async def _status(http: httpx.AsyncClient, order_id: str) -> str:
        response = await http.get(f"/orders/{order_id}/status")
        response.raise_for_status()
        return response.json()["status"]

    async def status_load(self, interval: float, pids: dict[str, int | None]) -> StatusLoad:
        """Every client sends ``GET /orders/{id}/status`` for the orders this path made: back to back (a closed
        loop: the next as soon as the last one answered) when ``interval`` is 0, else one every ``interval``
        seconds (an open loop, at a rate the server can keep up with)."""
        ids = itertools.cycle(self.made[-1000:])
        per_client = max(1, self.options.status_requests // self.options.clients)
        latencies: list[float] = []

        async def one_client(number: int) -> None:
            http = await self.pool.get()
            due = time.perf_counter() + interval * number / self.options.clients  # clients spread over a period
            try:
                for _ in range(per_client):
                    if interval:
                        await asyncio.sleep(max(0.0, due - time.perf_counter()))
                        due += interval
                    started = time.perf_counter()
                    response = await http.get(f"/orders/{next(ids)}/status")
                    latencies.append(time.perf_counter() - started)
                    response.raise_for_status()
            finally:
                self.pool.put_nowait(http)

        watched = {**pids, **self.pids}
        before = {name: cpu_seconds(pid) for name, pid in watched.items()}
        started = time.perf_counter()
        await asyncio.gather(*(one_client(number) for number in range(self.options.clients)))
        seconds = time.perf_counter() - started
        cpu = {name: cpu_seconds(pid) - before[name] for name, pid in watched.items()}
        return StatusLoad(interval, latencies, len(latencies) / seconds, {**cpu, "wall": seconds}, self.name)


class SeedPeerPath(RestPath):
    """The seed's design (``bench._seed_peer``): its FastAPI app and its own worker process, driven exactly as REST is.
    Its status is a workflow query, its approve a signal that answers before the workflow has moved."""

    name = "seed peer"

    async def start(self) -> None:
        options = self.options
        api = SeedPeerProcess(self.address, self.settings.task_queue, self.settings.data_dir)
        self.stack.push_async_callback(asyncio.to_thread, api.stop)
        await api.start()
        self.pids = {"seed api": api.pid, "seed worker": api.worker_pid}
        self.client = await connect(self.settings, self.address)
        self.pool = await self.stack.enter_async_context(http_clients(api.base_url, options.clients))

    async def flow(self, n: int) -> None:
        http = await self.pool.get()
        try:
            created = await http.post("/orders", json={"item": f"Bench item {n}", "quantity": n % 9 + 1})
            created.raise_for_status()
            order_id = created.json()["order_id"]
            self.made.append(order_id)
            await self.wait_pending(lambda: self._status(http, order_id))
            (await http.post(f"/orders/{order_id}/approve")).raise_for_status()
        finally:
            self.pool.put_nowait(http)
        await self.client.get_workflow_handle(order_id).result()


class RestWithoutMetricsPath(RestPath):
    """``serve`` measuring nothing: no app metrics, no SDK metrics buffer, no HTTP instrumentation."""

    name = "REST, metrics off"
    env = {"ORDER_DESK_METRICS": "false"}


@dataclass(frozen=True)
class StatusLoad:
    interval: float  # seconds between one client's requests; 0: back to back
    latencies: list[float]
    rate: float  # requests per second served
    cpu: dict[str, float]  # seconds of CPU each process used meanwhile, and the wall-clock seconds
    path: str = "REST"

    def text(self, clients: int) -> str:
        how = "back to back" if not self.interval else f"each every {self.interval * 1000:.0f} ms"
        p99 = percentile(self.latencies, 99)
        return (f"{self.path} GET /orders/{{id}}/status, {clients} concurrent clients {how}, "
                f"{len(self.latencies)} requests: {summary_ms(self.latencies)} at {self.rate:.0f} req/s; target p99 < "
                f"{TARGET_STATUS_P99 * 1000:.0f} ms: {verdict(p99 < TARGET_STATUS_P99)}\n{'':8} "
                f"{cpu_text(self.cpu, len(self.latencies)).replace('ms/order', 'ms/request')}")


@asynccontextmanager
async def http_clients(base_url: str, count: int) -> AsyncIterator[asyncio.Queue[httpx.AsyncClient]]:
    """``count`` clients of one keep-alive connection each, handed out one per order in flight.

    One ``AsyncClient`` per concurrent client, not one shared pool: a pool shared by 50 concurrent requests
    costs httpx ~4 ms of CPU per request here (encode/httpx#3215), which would measure httpx, not the app.
    """
    # A connection idle as long as uvicorn's keep-alive timeout (5 s; a path idles while the others run) can
    # be closed by serve just as a request goes out on it: httpx.ReadError. Dropping it sooner avoids that.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=2.0)
    clients = [httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60.0) for _ in range(count)]
    pool: asyncio.Queue[httpx.AsyncClient] = asyncio.Queue()
    for http in clients:
        pool.put_nowait(http)
    try:
        yield pool
    finally:
        await asyncio.gather(*(http.aclose() for http in clients))


# ---- the run ------------------------------------------------------------------------------------


async def run_orders(path: BenchPath, numbers: range, clients: int) -> float:
    """Seconds to take the orders ``numbers`` through ``path`` with at most ``clients`` in flight."""
    in_flight = asyncio.Semaphore(clients)

    async def one(n: int) -> None:
        async with in_flight:
            await path.flow(n)

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in numbers))
    return time.perf_counter() - started


async def batch(path: BenchPath, tally: Tally, numbers: range, options: Options,
                pids: dict[str, int | None], server: Callable[[], Awaitable[ServerCounts]]) -> None:
    """One timed batch, added to ``tally`` with the CPU each process used and the server's counts meanwhile."""
    watched = {**pids, **path.pids}
    counted = await server()
    before = {name: cpu_seconds(pid) for name, pid in watched.items()}
    path.polls.clear()
    tally.seconds += await run_orders(path, numbers, options.clients)
    for name, pid in watched.items():
        tally.cpu[name] = tally.cpu.get(name, 0.0) + cpu_seconds(pid) - before[name]
    await asyncio.sleep(SERVER_COUNTS_SETTLE)
    tally.server += await server() - counted
    tally.orders += len(numbers)
    tally.polls += path.polls


def batches(orders: int, rounds: int) -> list[range]:
    size = math.ceil(orders / rounds)
    return [range(start, min(start + size, orders)) for start in range(0, orders, size)]


async def main(options: Options, names: list[str]) -> None:
    kinds: dict[str, type[BenchPath]] = {"raw": RawPath, "app": AppPath, "rest": RestPath,
                                         "rest-off": RestWithoutMetricsPath, "seed": SeedPeerPath}
    with tempfile.TemporaryDirectory(prefix="order-desk-bench-") as tmp:
        root = Path(tmp)
        async with fresh_server(root) as server, AsyncExitStack() as stack, httpx.AsyncClient() as http:
            url = metrics_url(server)
            pids: dict[str, int | None] = {"bench": None, "temporal": server.process.pid if server.process else None}
            rest_note = {"serve": "order-desk serve with its own embedded worker",
                         "process": "order-desk serve --no-worker + an order-desk worker process",
                         "bench": "order-desk serve --no-worker + the app's worker in the bench process"}[
                options.rest_worker]
            print(f"{CORES} cores, load {os.getloadavg()[0]:.2f}; fresh dev server {server.address}; "
                  f"{options.orders} orders per path in {options.rounds} interleaved rounds, {options.clients} in "
                  f"flight, status reads backing off from {options.poll * 1000:.0f} to "
                  f"{options.poll_max * 1000:.0f} ms ({options.raw_poll} on the raw path); REST: {rest_note}",
                  flush=True)
            paths: dict[str, BenchPath] = {}
            for name in names:
                (root / name).mkdir()
                path = kinds[name](server.address, bench_settings(root / name, server.address), options)
                paths[name] = await stack.enter_async_context(path)
                # Untimed: the sandbox's first imports, connections, the namespace's caches.
                await run_orders(path, range(10**6, 10**6 + min(WARM_UP, options.orders)), options.clients)
            await asyncio.sleep(SERVER_COUNTS_SETTLE)  # the warm-ups' counts are published before a batch counts
            tallies = {name: Tally(path.name) for name, path in paths.items()}
            for number, numbers in enumerate(batches(options.orders, options.rounds)):
                order = names[number % len(names):] + names[:number % len(names)]
                for name in order:
                    await batch(paths[name], tallies[name], numbers, options, pids, lambda: server_counts(http, url))
                print(f"  ... round {number + 1}: " + ", ".join(
                    f"{tallies[name].name} {tallies[name].rate:.1f}/s" for name in names), flush=True)
            status: list[StatusLoad] = []
            http_paths = [path for name, path in paths.items() if name in ("rest", "seed")]
            for interval in (0.0, options.status_interval):  # the seed peer's reads right after serve's, alike
                for path in http_paths:
                    assert isinstance(path, RestPath)
                    status.append(await path.status_load(interval, pids))
            if "rest-off" in paths:  # the HTTP instrumentation's cost per request, back to back
                off = paths["rest-off"]
                assert isinstance(off, RestPath)
                status.append(await off.status_load(0.0, pids))
    report(tallies, status, options)


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def report(tallies: dict[str, Tally], status: list[StatusLoad], options: Options) -> None:
    for tally in tallies.values():
        print(f"{tally.name:8} {tally.orders} orders in {tally.seconds:6.2f} s = {tally.rate:6.1f} orders/s; "
              f"{len(tally.polls) / tally.orders:.1f} status reads per order: {summary_ms(tally.polls)}")
        print(f"{'':8} {cpu_text({**tally.cpu, 'wall': tally.seconds}, tally.orders)}")
        print(f"{'':8} {tally.server.text(tally.orders)}")
    for load in status:
        print(load.text(options.clients))
    raw = tallies.get("raw")
    ratios = []
    if raw is not None and "app" in tallies:
        ratio = tallies["app"].rate / raw.rate
        ratios.append(f"app/raw = {ratio:.2f} (target >= {TARGET_APP}: {verdict(ratio >= TARGET_APP)})")
        server = tallies["app"].cpu.get("temporal", math.nan) / tallies["app"].orders / (
            raw.cpu.get("temporal", math.nan) / raw.orders)
        ratios.append(f"server CPU per order app/raw = {server:.2f} (target <= {TARGET_SERVER_CPU}: "
                      f"{verdict(server <= TARGET_SERVER_CPU)})")
    if raw is not None and "rest" in tallies:
        ratios.append(f"REST/raw = {tallies['rest'].rate / raw.rate:.2f}")
    if "rest" in tallies and "seed" in tallies:
        ratio = tallies["rest"].rate / tallies["seed"].rate
        ratios.append(f"serve/seed peer = {ratio:.2f} (target >= {TARGET_SEED}: {verdict(ratio >= TARGET_SEED)})")
        paced = {load.path: percentile(load.latencies, 99) for load in status if load.interval}
        if "REST" in paced and SeedPeerPath.name in paced:
            times = paced[SeedPeerPath.name] / paced["REST"]
            ratios.append(f"paced status p99 seed peer/serve = {times:.1f}x (target >= {TARGET_SEED_STATUS:g}x: "
                          f"{verdict(times >= TARGET_SEED_STATUS)})")
    if "rest" in tallies and "rest-off" in tallies:
        with_metrics, without = tallies["rest"], tallies["rest-off"]
        cost = 1 - with_metrics.rate / without.rate
        print(f"metrics cost: REST {with_metrics.rate:.2f} orders/s with them, {without.rate:.2f} without = "
              f"{cost * 100:+.1f} % (target < {TARGET_METRICS_COST * 100:.0f} %: "
              f"{verdict(cost < TARGET_METRICS_COST)}); CPU per order {_cpu_ms(with_metrics):.0f} against "
              f"{_cpu_ms(without):.0f} ms")
    print("  ".join(ratios) if ratios else "ratios: need the raw path and another one")


def _cpu_ms(tally: Tally) -> float:
    return sum(tally.cpu.values()) / tally.orders * 1000


def parse(argv: list[str] | None = None) -> tuple[Options, list[str]]:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=500, help="orders per path (default 500)")
    parser.add_argument("--clients", type=int, default=50, help="orders in flight and HTTP clients (default 50)")
    parser.add_argument("--poll", type=float, default=0.05,
                        help="seconds before the second status read, doubling after each (default 0.05)")
    parser.add_argument("--poll-max", type=float, default=0.5,
                        help="at most this many seconds between status reads (default 0.5)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved batches per path (default 3)")
    parser.add_argument("--rest-worker", choices=("serve", "process", "bench"), default="serve",
                        help="serve: serve's own embedded worker (default); process: serve --no-worker and an "
                             "order-desk worker process; bench: serve --no-worker and the app's worker in this "
                             "process, as the raw and app paths have theirs")
    parser.add_argument("--raw-poll", choices=("describe", "query"), default="describe",
                        help="how the raw path waits for PENDING_APPROVAL: describe, as the app does (default), "
                             "or a workflow query (answered by the worker)")
    parser.add_argument("--status-requests", type=int, default=None,
                        help="GET /orders/{id}/status requests in the latency phase (default 40 per client)")
    parser.add_argument("--status-interval", type=float, default=0.5,
                        help="seconds between one client's requests in the paced latency phase (default 0.5)")
    parser.add_argument("--paths", default="raw,app,rest",
                        help="which paths, comma-separated (default raw,app,rest; rest-off: REST with metrics off)")
    args = parser.parse_args(argv)
    if min(args.orders, args.clients, args.rounds) < 1:
        parser.error("--orders, --clients and --rounds must be at least 1")
    if not all(math.isfinite(value) and value >= 0 for value in (args.poll, args.poll_max, args.status_interval)):
        parser.error("--poll, --poll-max and --status-interval are seconds, 0 or more")
    names = list(dict.fromkeys(path.strip() for path in args.paths.split(",") if path.strip()))
    if not names or set(names) - {"raw", "app", "rest", "rest-off", "seed"}:
        parser.error("--paths takes raw, app, rest, rest-off and seed, comma-separated")
    requests = args.status_requests if args.status_requests is not None else 40 * args.clients
    rounds = min(args.rounds, args.orders)
    return Options(args.orders, args.clients, args.poll, max(args.poll, args.poll_max), rounds, args.rest_worker,
                   args.raw_poll, max(1, requests), args.status_interval), names


if __name__ == "__main__":
    asyncio.run(main(*parse()))
