"""A team server for the signed-in desks: ``order-desk serve`` as a subprocess (its own worker) on the session's
Temporal server, a task queue and a SQLite ledger of its own, users added with ``order-desk users add``. Before it
stops, every order it left undecided is cancelled and its workflow waited for, so no workflow is left on the
shared Temporal server without a worker."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from core.http_service import HttpOrderService
from core.models import Action
from core.service import OrderService
from core.settings import Settings
from tests.api.serving import ORDER_DESK, START_TIMEOUT, Served, clean_env, kill
from tests.helpers import free_port


@dataclass
class TeamServer:
    served: Served
    env: dict[str, str]
    settings: Settings
    ca: Path | None = None
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.served.url

    def users(self, *args: str) -> str:
        """``order-desk users ARGS`` on this server's store; what it prints on stdout (a token, for add/rotate)."""
        done = subprocess.run([str(ORDER_DESK), "users", *args], env=self.env, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def add(self, name: str, role: str) -> str:
        self.tokens[name] = self.users("add", name, "--role", role)
        return self.tokens[name]


def start_team_server(temporal_address: str, directory: Path, users: dict[str, str],
                      tls: tuple[Path, Path] | None = None, policy: Path | None = None) -> TeamServer:
    """``serve`` with ``users`` ({name: role}) already added; HTTPS with ``tls`` (certificate, key); the approval
    policy file ``policy`` (``ORDER_DESK_APPROVAL_POLICY``) when given."""
    directory.mkdir(parents=True, exist_ok=True)
    settings = Settings(_env_file=None, temporal_address=temporal_address, task_queue=f"team-{uuid.uuid4()}",
                        data_dir=directory, approval_reminder=None, approval_policy=policy)
    env = clean_env(ORDER_DESK_TEMPORAL_ADDRESS=temporal_address, ORDER_DESK_TASK_QUEUE=settings.task_queue,
                    ORDER_DESK_DATA_DIR=str(directory), ORDER_DESK_APPROVAL_REMINDER="off",
                    **({"ORDER_DESK_APPROVAL_POLICY": str(policy)} if policy is not None else {}))
    port = free_port()
    server = TeamServer(Served(None, "", directory / "serve.log"), env, settings)  # type: ignore[arg-type]
    for name, role in users.items():
        server.add(name, role)
    command = [str(ORDER_DESK), "serve", "--port", str(port)]
    if tls is not None:
        command += ["--ssl-certfile", str(tls[0]), "--ssl-keyfile", str(tls[1])]
        server.ca = tls[0]
    with open(server.served.log, "ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    scheme = "https" if tls else "http"
    server.served = Served(process, f"{scheme}://{'localhost' if tls else '127.0.0.1'}:{port}", server.served.log)
    deadline = time.monotonic() + START_TIMEOUT
    verify = ssl.create_default_context(cafile=str(tls[0])) if tls else True
    while True:
        assert process.poll() is None, server.served.output()
        try:
            if httpx.get(f"{server.url}/healthz", verify=verify, timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"serve did not answer: {server.served.output()[-2000:]}"
        time.sleep(0.2)


async def settle(server: TeamServer, manager: str) -> None:
    """Cancel what is undecided (as ``manager``), then wait for every order's workflow to finish."""
    remote = HttpOrderService(server.url, server.tokens[manager], server.ca)
    try:
        orders = await remote.list_orders(limit=1000)
        await remote.decide_many([order.order_id for order in orders if not order.status.is_final], Action.CANCEL)
    finally:
        await remote.aclose()
    local = await OrderService.connect(server.settings, server.settings.temporal_address)
    try:
        await asyncio.gather(*(local.client.get_workflow_handle(order.order_id).result() for order in orders))
    finally:
        local.ledger.close()


def stop_team_server(server: TeamServer, manager: str, run: Callable[[Coroutine[Any, Any, None]], None] = asyncio.run
                     ) -> None:
    """``run``: how to run a coroutine here (a desktop test's own loop is marked running while it lasts)."""
    try:
        run(asyncio.wait_for(settle(server, manager), 60))
    finally:
        kill(server.served)
