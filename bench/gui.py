"""The desk under load, offscreen: is the window still responsive while orders flow, and how fast does the
orders table take a refresh of 10,000 rows?

    .venv/bin/python -m bench.gui [--orders 500] [--in-flight 20] [--rows 10000]

1. The real ``MainWindow`` (embedded worker, polling every second, the All view) on a fresh dev server,
   while another process creates and approves ``--orders`` orders through the service, as other users
   would. A 10 ms timer measures the Qt loop's lag (how late each firing came). Target: p99 < 50 ms.
2. ``service.list_orders(limit=10000)`` on the window's ledger (filled with ``--rows`` orders), timed,
   with the loop lag measured meanwhile: the window must not freeze.
3. ``OrdersModel.apply`` of ``--rows`` orders on the window's own table widget (view and sorting proxy
   attached): a first fill, a refresh where 10% of the rows changed, and one where none did.
   Target: < 50 ms.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication exists

import argparse
import asyncio
import gc
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import qasync
from PySide6.QtCore import QSettings, QSize
from PySide6.QtWidgets import QApplication

from bench._qt_lag import LoopLag
from bench._stats import percentile, summary_ms
from bench._temporal import bench_settings, fresh_server
from bench.ledger import fill
from core.ledger import Ledger
from core.models import OrderStatus, OrderSummary
from core.runtime import DeskRuntime
from core.settings import Settings
from desktop.app import application, desk_window
from desktop.i18n import SOURCE_LANGUAGE, Translations
from desktop.main_window import MainWindow
from desktop.orders_model import OrdersModel
from desktop.orders_table import OrdersTable
from desktop.refresher import LIST_LIMIT
from desktop.views import ALL_VIEW

TARGET_LAG_P99 = 0.050
TARGET_REFRESH = 0.050
BOOT_TIMEOUT = 60.0
CATCH_UP_TIMEOUT = 60.0
LISTINGS = 3
CHANGED_REFRESHES = 3


@dataclass(frozen=True)
class Options:
    orders: int
    in_flight: int
    rows: int
    worker: str


class FullCollections:
    """The pauses of Python's full (generation 2) garbage collections: a stall the loop lag also sees."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started = 0.0

    def __enter__(self) -> FullCollections:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append(time.perf_counter() - self._started)

    def text(self) -> str:
        heap = f"{len(gc.get_objects()):,} objects tracked"
        if not self.pauses:
            return f"no full garbage collection ({heap})"
        return f"{len(self.pauses)} full garbage collections, longest {max(self.pauses) * 1000:.0f} ms ({heap})"


async def until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        await asyncio.sleep(0.05)


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


# ---- 1. the window while orders flow ------------------------------------------------------------


async def open_desk(settings: Settings, state: Path, translations: Translations, embedded: bool) -> MainWindow:
    """The window as the app builds it, on a runtime of its own (which starts the embedded worker, or not)."""
    window = desk_window(settings, QSettings(str(state), QSettings.Format.IniFormat), translations,
                         DeskRuntime(settings, with_worker=embedded), refresh_interval=1.0)
    polls: list[object] = []
    window.controller.refresher.refreshed.connect(lambda *_: polls.append(None))
    window.show()
    window.controller.start()
    controller = window.controller
    await until(lambda: controller.ready and (controller.worker_running or not embedded) and bool(polls), BOOT_TIMEOUT,
                "the desk to start")
    return window


async def worker_process(settings: Settings) -> asyncio.subprocess.Process:
    """``order-desk worker`` beside the desk (``--worker process``): the workflows' work leaves its process."""
    env = {**{name: value for name, value in os.environ.items() if not name.startswith("ORDER_DESK_")},
           "ORDER_DESK_TEMPORAL_ADDRESS": settings.temporal_address, "ORDER_DESK_TASK_QUEUE": settings.task_queue,
           "ORDER_DESK_DATA_DIR": str(settings.data_dir), "ORDER_DESK_APPROVAL_REMINDER": "off"}
    with open(settings.data_dir / "worker.log", "ab") as log:
        return await asyncio.create_subprocess_exec(sys.executable, "-m", "core.cli", "worker", env=env,
                                                    stdout=log, stderr=asyncio.subprocess.STDOUT)


def all_shown_approved(window: MainWindow, expected: int) -> bool:
    model = window.controller.model
    ids = model.order_ids()
    return len(ids) >= expected and all(model.status_of(order_id) is OrderStatus.APPROVED for order_id in ids)


async def orders_flow(window: MainWindow, settings: Settings, address: str, options: Options) -> None:
    window.table.set_view(ALL_VIEW)  # every order stays listed: the busiest table
    await asyncio.sleep(1.5)  # the view's first poll
    lag = LoopLag()
    with FullCollections() as collections:
        lag.start()
        started = time.perf_counter()
        traffic = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench._gui_traffic", address, settings.task_queue, str(settings.data_dir),
            str(options.orders), str(options.in_flight),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await traffic.communicate()
        if traffic.returncode != 0:
            raise RuntimeError(f"the traffic process failed: {err.decode(errors='replace')[-2000:]}")
        shown = min(options.orders, LIST_LIMIT)
        await until(lambda: all_shown_approved(window, shown), CATCH_UP_TIMEOUT,
                    "the table to show every order approved")
        elapsed = time.perf_counter() - started
        samples = lag.stop()
    print(f"{out.decode().strip()}; the table showed them all approved after {elapsed:.1f} s")
    print(f"loop lag while {options.orders} orders flowed ({len(samples)} samples of a 10 ms timer): "
          f"{summary_ms(samples)}; {collections.text()}; target p99 < {TARGET_LAG_P99 * 1000:.0f} ms: "
          f"{verdict(percentile(samples, 99) < TARGET_LAG_P99)}")


# ---- 2. listing 10,000 orders from the ledger ---------------------------------------------------------


async def listing(window: MainWindow, settings: Settings, options: Options) -> None:
    ledger = Ledger(settings.ledger_url)
    await asyncio.to_thread(fill, ledger, options.rows)
    ledger.close()
    service = window.controller.service
    assert service is not None
    durations: list[float] = []
    lag = LoopLag()
    with FullCollections() as collections:
        lag.start()
        for _ in range(LISTINGS):
            started = time.perf_counter()
            listed = await service.list_orders(limit=options.rows)
            durations.append(time.perf_counter() - started)
            if len(listed) < options.rows:
                raise RuntimeError(f"listed {len(listed)} orders, expected at least {options.rows}")
            del listed
        samples = lag.stop()
    print(f"service.list_orders(limit={options.rows}) from the ledger: {statistics.median(durations) * 1000:.0f} ms "
          f"(median of {LISTINGS}); loop lag meanwhile: {summary_ms(samples)}; {collections.text()}; target p99 < "
          f"{TARGET_LAG_P99 * 1000:.0f} ms: {verdict(percentile(samples, 99) < TARGET_LAG_P99)}")


# ---- 3. a 10,000-row refresh of the table --------------------------------------------------------------


def synthetic_orders(count: int, now: datetime) -> list[OrderSummary]:
    chaos = random.Random(3)
    return [OrderSummary(order_id=f"order_{n:012x}", item=f"Bench item {chaos.randrange(1000)} #{n}",
                         quantity=chaos.randint(1, 50), status=OrderStatus.PENDING_APPROVAL,
                         created_by=f"user{n % 40}", created_at=now - timedelta(seconds=30 * n),
                         updated_at=now - timedelta(seconds=30 * n))
            for n in range(count)]


def with_changes(orders: list[OrderSummary], share: float, seed: int, now: datetime) -> list[OrderSummary]:
    """``share`` of the orders decided (a new status and updated_at), picked at random."""
    chaos = random.Random(seed)
    changed = list(orders)
    for number in chaos.sample(range(len(orders)), int(len(orders) * share)):
        status = chaos.choice([OrderStatus.APPROVED, OrderStatus.REJECTED, OrderStatus.CANCELLED])
        changed[number] = orders[number].model_copy(update={"status": status, "updated_at": now})
    return changed


def timed_apply(app: QApplication, model: OrdersModel, orders: list[OrderSummary],
                now: datetime) -> tuple[float, float]:
    """Seconds in ``apply``, then in the event processing (layout, paint) it caused. A collection first, so
    a garbage collection that falls due is not counted as the model's work."""
    gc.collect()
    started = time.perf_counter()
    model.apply(orders, now)
    applied = time.perf_counter()
    app.processEvents()
    return applied - started, time.perf_counter() - applied


def table_refresh(app: QApplication, size: QSize, options: Options) -> None:
    """The window's own table widget, on a model of its own, shown at the window's size. Run once the asyncio
    loop is over, so processing Qt's events here cannot re-enter a running task."""
    model = OrdersModel()
    table = OrdersTable(model)
    table.resize(size)
    table.show()
    app.processEvents()
    now = datetime.now(UTC)
    orders = synthetic_orders(options.rows, now)
    first, first_paint = timed_apply(app, model, orders, now)
    changed = [timed_apply(app, model, with_changes(orders, 0.1, seed, now), now) for seed in range(CHANGED_REFRESHES)]
    same = timed_apply(app, model, with_changes(orders, 0.1, CHANGED_REFRESHES - 1, now), now)
    table.close()
    table.deleteLater()
    changed_apply = statistics.median(seconds for seconds, _ in changed)
    changed_paint = statistics.median(seconds for _, seconds in changed)
    worst = max(first, changed_apply)
    print(f"OrdersModel.apply of {options.rows:,} rows behind the sorting proxy and view: first fill "
          f"{first * 1000:.0f} ms (+ {first_paint * 1000:.0f} ms events); 10% changed {changed_apply * 1000:.0f} ms "
          f"(+ {changed_paint * 1000:.0f} ms events, median of {CHANGED_REFRESHES}); unchanged "
          f"{same[0] * 1000:.0f} ms; target < {TARGET_REFRESH * 1000:.0f} ms: {verdict(worst < TARGET_REFRESH)}")


# ---- the run -----------------------------------------------------------------------------------------


async def run(translations: Translations, options: Options) -> QSize:
    """Phases 1 and 2; returns the size of the window's table, for phase 3."""
    with tempfile.TemporaryDirectory(prefix="order-desk-gui-bench-") as tmp:
        root = Path(tmp)
        async with fresh_server(root / "temporal") as server:
            settings = bench_settings(root / "desk", server.address, actor="bench-desk")
            settings.data_dir.mkdir(parents=True)
            embedded = options.worker == "embedded"
            print(f"offscreen MainWindow on a fresh dev server {server.address}, "
                  f"{'its embedded worker' if embedded else 'an order-desk worker process'} doing the work; "
                  f"{options.orders} orders created and approved by another process, {options.in_flight} in flight; "
                  f"All view, polled every second", flush=True)
            worker = None if embedded else await worker_process(settings)
            window = await open_desk(settings, root / "desk.ini", translations, embedded)
            try:
                await orders_flow(window, settings, server.address, options)
                await listing(window, settings, options)
                return window.table.size()
            finally:
                window.close()
                await window.wait_closed()
                if worker is not None:
                    worker.terminate()
                    await worker.wait()


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.gui", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=500, help="orders other users create and approve (500)")
    parser.add_argument("--in-flight", type=int, default=20, help="of which at most this many at once (20)")
    parser.add_argument("--rows", type=int, default=10_000, help="rows listed and applied to the table (10000)")
    parser.add_argument("--worker", choices=("embedded", "process"), default="embedded",
                        help="embedded: the desk's own worker thread, as the app runs (default); process: an "
                             "order-desk worker process beside it")
    args = parser.parse_args(argv)
    if min(args.orders, args.in_flight, args.rows) < 1:
        parser.error("--orders, --in-flight and --rows must be at least 1")
    return Options(args.orders, args.in_flight, args.rows, args.worker)


def main(argv: list[str] | None = None) -> None:
    options = parse(argv)
    app = application()
    with tempfile.TemporaryDirectory(prefix="order-desk-gui-qsettings-") as qsettings:
        for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(settings_format, QSettings.Scope.UserScope, qsettings)  # never the user's own
        translations = Translations(app)
        translations.apply(SOURCE_LANGUAGE)
        try:
            table_size = qasync.run(run(translations, options))
            table_refresh(app, table_size, options)
        finally:
            translations.release()


if __name__ == "__main__":
    main()
