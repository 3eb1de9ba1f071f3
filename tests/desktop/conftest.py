"""Desktop tests: offscreen Qt, a qasync loop, and the session's real Temporal server.

The rest of the suite runs on pytest-asyncio's session loop, and a temporalio Client is bound to
the loop that made it. These tests are plain (sync) functions instead: during each one a qasync
``QEventLoop`` is *the* running asyncio loop, driven by Qt, so ``qtbot.waitUntil`` / ``waitSignal``
spin it while the window's async slots, the service calls and the polling all run on it. Outside
a desktop test no loop is marked running, so pytest-asyncio's own loop runs untouched — the two
share one pytest process in either order.
"""

from __future__ import annotations

import os
import threading

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any QApplication exists

import asyncio
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import keyring
import pytest
import qasync
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordDeleteError
from pydantic import SecretStr
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from core.runtime import DeskRuntime
from core.service import OrderService
from core.settings import Settings
from desktop.app import desk_window
from desktop.i18n import SOURCE_LANGUAGE, Translations
from desktop.main_window import MainWindow
from tests.desktop.helpers import BOOT_TIMEOUT, CALL_TIMEOUT, WEB_UI, close_window, run_until_done, settle_orders
from tests.desktop.team_server import TeamServer, start_team_server, stop_team_server

T = TypeVar("T")
AN = "Nguyễn Văn An"


@pytest.fixture(scope="session")
def qt_isolated(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> QApplication:
    """Even a default-constructed QSettings writes under a temp dir, never to the user's settings."""
    QCoreApplication.setOrganizationName("OrderDeskTests")
    QCoreApplication.setApplicationName("order-desk-tests")
    settings_dir = str(tmp_path_factory.mktemp("qsettings"))
    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, settings_dir)
        QSettings.setPath(settings_format, QSettings.Scope.SystemScope, settings_dir)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    return qapp


@pytest.fixture(scope="session")
def _qasync_loop(qt_isolated: QApplication) -> Iterator[qasync.QEventLoop]:
    loop = qasync.QEventLoop(qt_isolated, already_running=True)
    asyncio.events._set_running_loop(None)  # marked running only inside a desktop test
    yield loop
    loop.stop()
    loop.close()


@pytest.fixture(scope="session")
def translations(qt_isolated: QApplication) -> Translations:
    """The application's one translator owner; English (and an English locale) unless a test switches."""
    owner = Translations(qt_isolated)
    owner.apply(SOURCE_LANGUAGE)
    return owner


@pytest.fixture(autouse=True)
def english(translations: Translations) -> Iterator[Translations]:
    """Every desktop test starts and ends in English, whatever language a test switched to."""
    translations.apply(SOURCE_LANGUAGE)
    yield translations
    translations.apply(SOURCE_LANGUAGE)


@pytest.fixture(autouse=True)
def qloop(_qasync_loop: qasync.QEventLoop) -> Iterator[qasync.QEventLoop]:
    """The qasync loop as the running asyncio loop for each desktop test; Qt event processing drives it."""
    asyncio.events._set_running_loop(_qasync_loop)
    try:
        yield _qasync_loop
    finally:
        asyncio.events._set_running_loop(None)


@pytest.fixture
def aio(qloop: qasync.QEventLoop, qtbot: QtBot) -> Callable[..., T]:
    """``aio(coroutine)``: run it on the Qt loop while Qt keeps processing events; return its result."""

    return lambda awaitable, timeout=CALL_TIMEOUT: run_until_done(qtbot, awaitable, timeout)


@pytest.fixture
def desk_settings(temporal_address: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        temporal_address=temporal_address,
        task_queue=f"desk-{uuid.uuid4()}",
        data_dir=tmp_path,
        actor="desk-tester",
        temporal_ui_url=WEB_UI,
        language="en",
    )


@pytest.fixture
def store(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def other(aio: Callable[..., OrderService], desk_settings: Settings, temporal_address: str) -> OrderService:
    """Another desk or the REST API: its own client, the same task queue."""
    return aio(OrderService.connect(desk_settings, temporal_address))


@pytest.fixture
def open_window(qloop: qasync.QEventLoop, qtbot: QtBot, desk_settings: Settings, store: QSettings,
                translations: Translations) -> Iterator[Callable[..., MainWindow]]:
    """Open windows on a fresh runtime (with its embedded worker unless ``with_worker=False``); every one still
    open is closed (worker stopped) afterwards."""
    windows: list[MainWindow] = []

    def open_(settings: Settings | None = None, *, wait_ready: bool = True, refresh_interval: float = 30.0,
              state: QSettings | None = None, with_worker: bool = True, follow: bool = True) -> MainWindow:
        settings = settings or desk_settings
        window = desk_window(settings, state or store, translations, DeskRuntime(settings, with_worker=with_worker),
                             refresh_interval=refresh_interval, follow=follow)
        with_worker = with_worker and not window.controller.signed_in  # a team server runs its own
        windows.append(window)
        window.show()
        window.controller.start()
        if wait_ready:
            qtbot.waitUntil(lambda: window.controller.ready and (window.controller.worker_running or not with_worker),
                            timeout=BOOT_TIMEOUT)
            qtbot.waitUntil(lambda: window.status.refreshed_at is not None, timeout=CALL_TIMEOUT)
        return window

    yield open_
    ready = next((window for window in windows
                  if window.controller.ready and window.controller.worker_running), None)
    if ready is not None and ready.controller.runtime.service is not None:
        run_until_done(qtbot, settle_orders(ready.controller.runtime.service))
    for window in windows:
        close_window(qtbot, window)


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps passwords in a dict: a real implementation of ``keyring``'s interface (what
    the OS keyrings implement), so the desk's own code runs unchanged."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}
        self.writers: list[str] = []  # the thread of each write and delete: a keyring may block; the Qt thread must not

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.writers.append(threading.current_thread().name)
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.writers.append(threading.current_thread().name)
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every desktop test has a keyring of its own, empty: never the machine's."""
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(before)


@pytest.fixture
def no_keyring(memory_keyring: MemoryKeyring) -> None:
    """A machine without any keyring (a headless Linux without a Secret Service)."""
    keyring.set_keyring(fail.Keyring())


@pytest.fixture(scope="module")
def team(temporal_address: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TeamServer]:
    """One team server for a module's signed-in desks, with a clerk (An) and a manager (mona)."""
    server = start_team_server(temporal_address, tmp_path_factory.mktemp("team"), {AN: "clerk", "mona": "manager"})
    try:
        yield server
    finally:
        stop_team_server(server, "mona")


@pytest.fixture
def signed_in_settings(desk_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Settings]:
    """Settings of a desk with a data directory of its own, signed in to ``url`` with ``token`` when given."""

    def settings_(url: str | None = None, token: str | None = None, **more: object) -> Settings:
        return desk_settings.model_copy(update={
            "data_dir": tmp_path_factory.mktemp("desk"), "server_url": url,
            "server_token": SecretStr(token) if token else None, **more})

    return settings_
