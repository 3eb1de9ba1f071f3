"""The command line on bad input, run as a process: one line on stderr, ``order-desk: <reason>``, never a traceback,
never a database URL's password, and the exit code of ``serve``'s refusals (2 for configuration or usage, 1 for a
failure). And ``ledger rebuild`` past an order whose workflow task fails: it is named, the others are rebuilt."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.service import RPCError, RPCStatusCode

from core.ledger import Ledger
from core.service import OrderService
from core.settings import Settings
from core.worker import build_worker
from tests.helpers import assert_eventually, free_port
from tests.test_workflow import BOB, pending_order, wait_closed
from workflows.order_approval import WORKFLOW_NAME

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "s3cretPW"
UNREACHABLE = f"postgresql+psycopg://desk:{PASSWORD}@127.0.0.1:1/ledger"  # nothing listens on port 1


def order_desk(tmp_path: Path, *args: str, timeout: float = 120, **variables: str) -> subprocess.CompletedProcess[str]:
    """``order-desk ARGS`` in ``tmp_path`` (no .env of the checkout), with the data dir and embedded ports of the
    test: none of the developer's ORDER_DESK_* settings, and no server of theirs in the way."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("ORDER_DESK_")}
    env.update({"PYTHONPATH": str(ROOT), "ORDER_DESK_DATA_DIR": str(tmp_path / "data"),
                "ORDER_DESK_EMBEDDED_PORT": str(free_port()), "ORDER_DESK_EMBEDDED_UI_PORT": str(free_port())})
    env.update(variables)
    return subprocess.run([sys.executable, "-m", "core.cli", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=timeout)


def assert_one_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr and PASSWORD not in result.stderr + result.stdout, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("order-desk: "), result.stderr
    return lines[0]


@pytest.mark.parametrize("port", ["99999", "65536", "0"])
def test_serve_refuses_a_port_out_of_range_before_starting_anything(tmp_path: Path, port: str) -> None:
    result = order_desk(tmp_path, "serve", "--port", port, timeout=30)  # the old code served port 0 for ever

    assert assert_one_line(result, 2) == "order-desk: --port must be between 1 and 65535"
    assert not (tmp_path / "data" / "temporal.db").exists()  # no embedded server was started


@pytest.mark.parametrize("command", [["db", "upgrade"], ["users", "list"], ["users", "add", "ann", "--role", "clerk"],
                                     ["serve"]])
def test_a_database_that_does_not_answer_is_one_line_without_its_password(tmp_path: Path, command: list[str]) -> None:
    result = order_desk(tmp_path, *command, ORDER_DESK_DATABASE_URL=UNREACHABLE)

    line = assert_one_line(result, 1)
    assert line.startswith("order-desk: the ledger database does not answer: "), line
    assert "127.0.0.1" in line and "port 1" in line


@pytest.mark.parametrize("url", ["notaurl", f"postgresql+psycopg://desk:{PASSWORD}@db:notaport/ledger"])
@pytest.mark.parametrize("command", [["db", "upgrade"], ["users", "list"], ["serve"]])
def test_a_database_url_that_cannot_be_parsed_is_a_usage_error(tmp_path: Path, command: list[str], url: str) -> None:
    result = order_desk(tmp_path, *command, ORDER_DESK_DATABASE_URL=url)

    line = assert_one_line(result, 2)
    assert line.startswith("order-desk: ORDER_DESK_DATABASE_URL: cannot be parsed as a database URL"), line


def test_a_database_url_of_an_unknown_database_is_a_usage_error(tmp_path: Path) -> None:
    result = order_desk(tmp_path, "db", "upgrade", ORDER_DESK_DATABASE_URL=f"nosuchdb://desk:{PASSWORD}@db/ledger")

    assert assert_one_line(result, 2) == ("order-desk: ORDER_DESK_DATABASE_URL: names a database SQLAlchemy does not "
                                          "know: nosuchdb")


@pytest.mark.parametrize("command", [["serve"], ["db", "upgrade"], ["users", "add", "ann", "--role", "clerk"],
                                     ["ledger", "rebuild"], ["dev-server"]])
def test_a_data_dir_below_a_file_is_one_line_naming_it(tmp_path: Path, command: list[str]) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a directory\n")

    result = order_desk(tmp_path, *command, ORDER_DESK_DATA_DIR=str(afile / "data"))

    assert assert_one_line(result, 2) == (f"order-desk: ORDER_DESK_DATA_DIR: cannot make the directory {afile}/data: "
                                          f"{afile} is a file, not a directory")
    assert afile.read_text() == "not a directory\n"


def last_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The process's one word to a person, after whatever it logged while starting: no traceback anywhere."""
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    said = [line[line.index("order-desk: "):] for line in result.stderr.splitlines() if "order-desk: " in line]
    assert len(said) == 1, result.stderr
    return said[0]


def test_a_worker_without_temporal_says_so_in_one_line(tmp_path: Path) -> None:
    """Found by a QA pass: serve said it in one line, the worker with a traceback."""
    result = order_desk(tmp_path, "worker", ORDER_DESK_TEMPORAL_ADDRESS="127.0.0.1:1")

    assert last_line(result, 1).startswith("order-desk: Temporal at 127.0.0.1:1 does not answer: ")


@pytest.mark.parametrize("command", [["worker"], ["serve", "--port", "0"]])
def test_a_metrics_port_that_is_taken_is_one_line_naming_it(tmp_path: Path, command: list[str]) -> None:
    """Found by a QA pass: a traceback (OSError), and serve's runtime was started before it."""
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    if command[0] == "serve":
        command = ["serve", "--port", str(free_port())]
    try:
        result = order_desk(tmp_path, *command, ORDER_DESK_METRICS_PORT=str(port),
                            **({"ORDER_DESK_TEMPORAL_ADDRESS": "127.0.0.1:1"} if command[0] == "worker" else {}))
    finally:
        taken.close()

    assert last_line(result, 1) == (f"order-desk: the metrics cannot listen on 127.0.0.1:{port} "
                                    f"(ORDER_DESK_METRICS_HOST:ORDER_DESK_METRICS_PORT): Address already in use")
    assert not (tmp_path / "data" / "temporal.db").exists()  # refused before the embedded server started


@pytest.mark.parametrize("command", [["db", "upgrade"], ["users", "list"], ["serve"]])
def test_a_ledger_a_newer_order_desk_migrated_is_one_line(tmp_path: Path, command: list[str]) -> None:
    """Going back to an older Order Desk after a newer one upgraded the ledger: Alembic's "Can't locate revision"
    traceback before (found by a QA pass)."""
    url = f"sqlite:///{tmp_path / 'data' / 'ledger.db'}"
    ledger = Ledger(url)
    with ledger.engine.begin() as db:
        db.exec_driver_sql("UPDATE alembic_version SET version_num = '0099'")
    ledger.close()

    result = order_desk(tmp_path, *command)

    assert last_line(result, 1).startswith("order-desk: the ledger is at revision 0099, which this Order Desk ")


async def test_ledger_rebuild_names_an_order_whose_workflow_task_fails_and_rebuilds_the_others(
        temporal_address: str, tmp_path: Path) -> None:
    """An order the worker cannot even start (its input is no order): every query of it is refused with "Workflow
    Task in failed state". The rebuild names it, logs why, and rebuilds the orders before and after it."""
    settings = Settings(_env_file=None, temporal_address=temporal_address, task_queue=f"test-{uuid.uuid4()}",
                        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'ledger.db'}", api_token=None,
                        tokens_file=None, roles={}, actor=None, payload_encryption_key=None)
    service = await OrderService.connect(settings, settings.temporal_address)
    try:
        async with build_worker(service.client, settings):
            decided = await pending_order(service)
            await service.approve(decided, BOB, "rebuild me")
            await wait_closed(service, decided)
            broken = f"order_broken{uuid.uuid4().hex[:8]}"
            handle = await service.client.start_workflow(WORKFLOW_NAME, "no order at all", id=broken,
                                                         task_queue=settings.task_queue)
            pending = await pending_order(service)

            async def refused() -> None:  # at once, once its task has failed twice (a query times out before)
                try:
                    await handle.query("details", rpc_timeout=timedelta(seconds=1))
                except RPCError as err:
                    assert err.status is RPCStatusCode.FAILED_PRECONDITION, err
                else:
                    raise AssertionError(f"{broken} answered its query")

            async def all_listed() -> None:
                listed = {e.id async for e in service.client.list_workflows(f"TaskQueue = '{settings.task_queue}'")}
                assert listed == {decided, broken, pending}

            await assert_eventually(refused, timeout=60)
            await assert_eventually(all_listed)

            rebuilt = tmp_path / "rebuilt.db"
            result = await asyncio.to_thread(  # the worker keeps answering the pending order's query meanwhile
                order_desk, tmp_path, "ledger", "rebuild", ORDER_DESK_TEMPORAL_ADDRESS=settings.temporal_address,
                ORDER_DESK_TASK_QUEUE=settings.task_queue, ORDER_DESK_DATA_DIR=str(tmp_path),
                ORDER_DESK_DATABASE_URL=f"sqlite:///{rebuilt}")
    finally:
        service.close()

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "rebuilt the ledger rows of 2 orders" in result.stdout
    assert f"could not read 1 orders (the log says why): {broken}" in result.stdout
    skipped = [line for line in result.stderr.splitlines() if f"Ledger rebuild skipped {broken}: " in line]
    assert len(skipped) == 1 and "Workflow Task in failed state" in skipped[0], result.stderr
    ledger = Ledger(f"sqlite:///{rebuilt}")
    try:
        assert ledger.get(decided) is not None and ledger.get(pending) is not None
        assert ledger.get(broken) is None
    finally:
        ledger.close()
