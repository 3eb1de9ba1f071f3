"""One desk per data directory, between real processes: a second ``order-desk`` start brings the first window to
the front and exits 0, and a lock left by a desk that was killed does not block the next start."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.single_instance import LOCK_NAME, SingleInstance, bring_to_front
from tests.api.serving import ORDER_DESK, clean_env
from tests.desktop.helpers import BOOT_TIMEOUT, CALL_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]


def desk_env(data_dir: Path, temporal_address: str) -> dict[str, str]:
    """``order-desk`` offscreen on ``data_dir``, on the session's server (were it to start, it starts no server)."""
    return clean_env(QT_QPA_PLATFORM="offscreen", ORDER_DESK_DATA_DIR=str(data_dir),
                     ORDER_DESK_TEMPORAL_ADDRESS=temporal_address, ORDER_DESK_TASK_QUEUE=f"single-{uuid.uuid4()}",
                     ORDER_DESK_LANGUAGE="en")


def second_start(qtbot: QtBot, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``order-desk`` again while this process's Qt loop keeps answering; return how it ended."""
    process = subprocess.Popen([str(ORDER_DESK)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        qtbot.waitUntil(lambda: process.poll() is not None, timeout=CALL_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
    out, err = process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_a_second_start_brings_the_first_window_to_the_front_and_exits_0(
        qtbot: QtBot, open_window: Callable[..., MainWindow], tmp_path: Path, temporal_address: str) -> None:
    window = open_window()
    instance = SingleInstance(tmp_path)
    assert instance.claim()
    instance.showRequested.connect(lambda: bring_to_front(window))  # as run_gui wires it
    try:
        window.showMinimized()
        elsewhere = QMainWindow()
        elsewhere.show()
        elsewhere.activateWindow()
        qtbot.waitUntil(lambda: window.isMinimized() and not window.isActiveWindow())

        second = second_start(qtbot, desk_env(tmp_path, temporal_address))

        assert second.returncode == 0, second.stderr
        assert "brought its window to the front" in second.stderr
        qtbot.waitUntil(lambda: not window.isMinimized() and window.isActiveWindow())
        elsewhere.close()
    finally:
        instance.release()


def test_a_lock_left_by_a_killed_desk_does_not_block_the_next_start(qtbot: QtBot, tmp_path: Path,
                                                                   temporal_address: str) -> None:
    holder_code = textwrap.dedent(f"""
        from pathlib import Path
        from PySide6.QtCore import QCoreApplication
        from desktop.single_instance import SingleInstance
        app = QCoreApplication([])
        instance = SingleInstance(Path({str(tmp_path)!r}))
        assert instance.claim()
        print("claimed", flush=True)
        app.exec()
    """)
    holder = subprocess.Popen([sys.executable, "-c", holder_code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "claimed"
    assert not SingleInstance(tmp_path).claim()  # held while its owner lives

    holder.send_signal(signal.SIGKILL)  # a crash: no unlock, the lock file and the socket file stay behind
    holder.wait()
    assert (tmp_path / LOCK_NAME).exists()

    instance = SingleInstance(tmp_path)
    try:
        assert instance.claim()
        asked: list[bool] = []
        instance.showRequested.connect(lambda: asked.append(True))
        second = second_start(qtbot, desk_env(tmp_path, temporal_address))  # reaches us, not the dead socket
        assert second.returncode == 0, second.stderr
        assert asked == [True]
    finally:
        instance.release()


def test_two_real_desks_on_one_data_directory(qtbot: QtBot, tmp_path: Path, temporal_address: str) -> None:
    env = desk_env(tmp_path, temporal_address)
    log = tmp_path / "first.log"
    with open(log, "wb") as out:
        first = subprocess.Popen([str(ORDER_DESK)], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        def ready() -> bool:
            assert first.poll() is None, log.read_text()
            return "Ready: Temporal at" in log.read_text()

        qtbot.waitUntil(ready, timeout=BOOT_TIMEOUT)

        second = subprocess.run([str(ORDER_DESK)], env=env, capture_output=True, text=True, timeout=30)

        assert second.returncode == 0, second.stderr
        assert "bringing this window to the front" in log.read_text()
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0, log.read_text()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert "Traceback" not in log.read_text()
    instance = SingleInstance(tmp_path)
    assert instance.claim()  # the first let go of it on closing
    instance.release()
