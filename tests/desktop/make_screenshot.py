"""Makes ``docs/screenshot.png`` (or, with ``vi``, ``docs/screenshot-vi.png``): the real window, booted on the
embedded default with a temp data dir, in that language.

Needs an X server; on a headless Linux box (see docs/DESKTOP.md for the apt packages):

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python -m tests.desktop.make_screenshot
    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python -m tests.desktop.make_screenshot vi
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
from core.settings import Settings
from desktop.app import application, desk_window
from desktop.i18n import Translations
from desktop.main_window import MainWindow
from desktop.views import ALL_VIEW
from tests.helpers import free_port

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCENES = {
    "en": {
        "output": DOCS / "screenshot.png",
        "orders": [
            ("Laptop Dell XPS 15", 2, "minh", None),
            ("Bàn làm việc đứng (standing desk)", 4, "linh", None),
            ("Monitor LG 27UL850 27\"", 6, "minh", OrderStatus.APPROVED),
            ("Ergonomic office chair", 10, "an", OrderStatus.REJECTED),
            ("USB-C docking station", 8, "linh", OrderStatus.CANCELLED),
            ("Projector Epson EB-992F", 1250, "an", None),
        ],
        "reason": "over budget this quarter",
        "cancel_reason": "ordered twice",
        "typing": ("Wireless keyboard", 3),
    },
    "vi": {
        "output": DOCS / "screenshot-vi.png",
        "orders": [
            ("Laptop Dell XPS 15", 2, "minh", None),
            ("Bàn làm việc đứng", 4, "linh", None),
            ("Màn hình LG 27 inch", 6, "minh", OrderStatus.APPROVED),
            ("Ghế công thái học", 10, "an", OrderStatus.REJECTED),
            ("Bộ chia cổng USB-C", 8, "linh", OrderStatus.CANCELLED),
            ("Giấy in A4 (thùng)", 1250, "an", None),
        ],
        "reason": "vượt ngân sách quý này",
        "cancel_reason": "đặt trùng",
        "typing": ("Bàn phím không dây", 3),
    },
}


async def until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        await asyncio.sleep(0.1)


async def shoot(window: MainWindow, scene: dict) -> None:
    window.show()
    window.controller.start()
    await until(lambda: window.controller.ready and window.controller.worker_running)
    service = window.controller.service
    assert service is not None
    manager = Actor(name="hoa")
    created = []
    for item, quantity, creator, outcome in scene["orders"]:
        order_id = await service.create_order(OrderRequest(item=item, quantity=quantity), Actor(name=creator))
        created.append((order_id, outcome))
        await asyncio.sleep(0.3)  # distinct creation times, so the Age column tells them apart
    for order_id, _outcome in created:
        await until(lambda order_id=order_id: window.controller.model.status_of(order_id) is not None)
    for order_id, outcome in created:
        if outcome is OrderStatus.APPROVED:
            await service.approve(order_id, manager)
        elif outcome is OrderStatus.REJECTED:
            await service.reject(order_id, manager, scene["reason"])
        elif outcome is OrderStatus.CANCELLED:
            await service.cancel(order_id, Actor(name="linh"), scene["cancel_reason"])
    window.table.set_view(ALL_VIEW)
    model = window.controller.model
    await until(lambda: all(model.status_of(order_id) in (outcome or OrderStatus.PENDING_APPROVAL,)
                            for order_id, outcome in created))
    rejected = next(order_id for order_id, outcome in created if outcome is OrderStatus.REJECTED)
    window.table.select_order(rejected)
    await until(lambda: len(window.detail.history_rows()) >= 3)
    item, quantity = scene["typing"]
    window.form.item_edit.setText(item)
    window.form.quantity_edit.setValue(quantity)
    window.raise_()
    await asyncio.sleep(1.0)  # let the last paint reach the X server
    geometry = window.frameGeometry()
    shot = window.screen().grabWindow(0, geometry.x(), geometry.y(), geometry.width(), geometry.height())
    output: Path = scene["output"]
    output.parent.mkdir(parents=True, exist_ok=True)
    if not shot.save(str(output)):
        raise OSError(f"could not write {output}")
    print(f"wrote {output} ({shot.width()}x{shot.height()})")
    window.close()
    await window.wait_closed()


def main(argv: list[str]) -> int:
    language = argv[0] if argv else "en"
    if language not in SCENES:
        print(f"usage: make_screenshot [{'|'.join(SCENES)}]", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="order-desk-shot-") as temp:
        settings = Settings(_env_file=None, temporal_address="", data_dir=Path(temp), embedded_port=free_port(),
                            embedded_ui_port=free_port(), actor="hoa", language=language)
        app = application()
        window = desk_window(settings, QSettings(str(Path(temp) / "desk.ini"), QSettings.Format.IniFormat),
                             Translations(app))
        window.resize(1320, 760)
        qasync.run(shoot(window, SCENES[language]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
