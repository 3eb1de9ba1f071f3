"""Makes ``docs/screenshot.png``: the real window, booted on the embedded default with a temp data dir.

Needs an X server; on a headless Linux box (see docs/DESKTOP.md for the apt packages):

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python -m tests.desktop.make_screenshot
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import qasync
from PySide6.QtCore import QSettings

from core.models import Actor, OrderRequest, OrderStatus
from core.runtime import DeskRuntime
from core.settings import Settings
from desktop.app import application
from desktop.main_window import MainWindow
from desktop.views import ALL_VIEW
from tests.helpers import free_port

OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"
ORDERS = [
    ("Laptop Dell XPS 15", 2, "minh", None),
    ("Bàn làm việc đứng (standing desk)", 4, "linh", None),
    ("Monitor LG 27UL850 27\"", 6, "minh", OrderStatus.APPROVED),
    ("Ergonomic office chair", 10, "an", OrderStatus.REJECTED),
    ("USB-C docking station", 8, "linh", OrderStatus.CANCELLED),
    ("Projector Epson EB-992F", 1, "an", None),
]


async def until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        await asyncio.sleep(0.1)


async def shoot(window: MainWindow) -> None:
    window.show()
    window.start()
    await until(lambda: window.ready and window.worker_running)
    service = window.service
    assert service is not None
    manager = Actor(name="hoa")
    created = []
    for item, quantity, creator, outcome in ORDERS:
        order_id = await service.create_order(OrderRequest(item=item, quantity=quantity), Actor(name=creator))
        created.append((order_id, outcome))
        await asyncio.sleep(0.3)  # distinct creation times, so the Age column tells them apart
    for order_id, _outcome in created:
        await until(lambda order_id=order_id: window.model.status_of(order_id) is not None)
    for order_id, outcome in created:
        if outcome is OrderStatus.APPROVED:
            await service.approve(order_id, manager)
        elif outcome is OrderStatus.REJECTED:
            await service.reject(order_id, manager, "over budget this quarter")
        elif outcome is OrderStatus.CANCELLED:
            await service.cancel(order_id, Actor(name="linh"), "ordered twice")
    window.table.set_view(ALL_VIEW)
    await until(lambda: all(window.model.status_of(order_id) in (outcome or OrderStatus.PENDING_APPROVAL,)
                            for order_id, outcome in created))
    rejected = next(order_id for order_id, outcome in created if outcome is OrderStatus.REJECTED)
    window.table.select_order(rejected)
    await until(lambda: len(window.detail.history_rows()) >= 3)
    window.form.item_edit.setText("Wireless keyboard")
    window.form.quantity_spin.setValue(3)
    window.raise_()
    await asyncio.sleep(1.0)  # let the last paint reach the X server
    geometry = window.frameGeometry()
    shot = window.screen().grabWindow(0, geometry.x(), geometry.y(), geometry.width(), geometry.height())
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    if not shot.save(str(OUTPUT)):
        raise OSError(f"could not write {OUTPUT}")
    print(f"wrote {OUTPUT} ({shot.width()}x{shot.height()})")
    window.close()
    await window.wait_closed()


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="order-desk-shot-") as temp:
        settings = Settings(_env_file=None, temporal_address="", data_dir=Path(temp),
                            embedded_port=free_port(), embedded_ui_port=free_port(), actor="hoa")
        application()
        window = MainWindow(settings, DeskRuntime(settings), QSettings(str(Path(temp) / "desk.ini"),
                                                                         QSettings.Format.IniFormat))
        window.resize(1320, 760)
        qasync.run(shoot(window))
    return 0


if __name__ == "__main__":
    sys.exit(main())
