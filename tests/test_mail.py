"""Approval notices by e-mail, against a real SMTP server (aiosmtpd on a free port): each step's role gets one
message, the creator and the signers none; a retried activity sends a notice once; a mail server that does not
answer never holds an order up."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from email.policy import default
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from temporalio.testing import ActivityEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner

from activities.inputs import NotifyManagerInput
from activities.orders import OrderActivities
from core import worker as worker_module
from core.models import LedgerEntry, OrderDetails, OrderStatus, Role, Transition
from core.notify.mail import SmtpConfig
from core.service import OrderService
from core.worker import build_worker
from tests.helpers import assert_eventually, free_port
from tests.test_approval_steps import CLERK, DIRECTOR, LARGE, MANAGER, with_policy
from tests.test_replay import patches
from tests.test_workflow import wait_closed, wait_for_status
from workflows import order_approval

SENDER = "orders@desk.example"


@dataclass
class Inbox:
    """What the SMTP server received: each message with the addresses it was sent to."""

    port: int
    received: list[tuple[list[str], Message]] = field(default_factory=list)
    arrived: int = 0  # messages whose data reached the server, answered or not
    answering: threading.Event = field(default_factory=threading.Event)  # cleared: the server holds messages
    hold_from: int = 1  # the first message (by arrival) held while ``answering`` is cleared
    held_too_long: bool = False  # a hold ended by its time limit, not by ``answering``: the race may not have happened

    def __post_init__(self) -> None:
        self.answering.set()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802 (aiosmtpd)
        self.arrived += 1
        if self.arrived >= self.hold_from:  # a slow mail server: the notice activity is still running
            self.held_too_long |= not await asyncio.to_thread(self.answering.wait, 5)
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=default)))  # type: ignore[attr-defined]
        return "250 OK"

    def subjects(self) -> list[tuple[list[str], str]]:
        return [(sorted(to), str(message["Subject"])) for to, message in self.received]


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    box = Inbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def add_users(service: OrderService) -> None:
    users = service.users
    users.add("alice", Role.CLERK, "alice@desk.example")
    users.add("mona", Role.MANAGER, "mona@desk.example")
    users.add("max", Role.MANAGER, "max@desk.example")
    users.add("dan", Role.DIRECTOR, "dan@desk.example")
    users.add("zoe", Role.DIRECTOR)  # no address: no mail
    users.add("old", Role.MANAGER, "old@desk.example")
    users.revoke("old")


async def test_each_step_mails_its_role_once(service: OrderService, inbox: Inbox, tmp_path: Path) -> None:
    add_users(service)
    desk = with_policy(service, tmp_path / "policy.toml", smtp_host="127.0.0.1", smtp_port=inbox.port,
                       smtp_from=SENDER)
    async with build_worker(desk.client, desk.settings):
        order_id = await desk.create_order(LARGE, CLERK)

        async def mailed(count: int) -> None:
            assert len(inbox.received) == count
        await assert_eventually(lambda: mailed(1))
        assert inbox.subjects() == [(["max@desk.example", "mona@desk.example"],
                                     f"{order_id} awaits a manager's signature (1/2)")]
        _, first = inbox.received[0]
        assert first["From"] == SENDER and first["Message-ID"] == f"<{order_id}.step1.notice0@desk.example>"
        body = first.get_payload()
        assert "Máy chủ" in str(body) or "amount:     VND" in str(body)

        await desk.approve(order_id, MANAGER)
        await assert_eventually(lambda: mailed(2))
        assert inbox.subjects()[1] == (["dan@desk.example"],
                                       f"{order_id} awaits a director's signature (2/2)")
        await desk.approve(order_id, DIRECTOR)
        await wait_closed(desk, order_id)
    assert len(inbox.received) == 2


async def sign_while_held(desk: OrderService, inbox: Inbox, held: int) -> str:
    """Create an order; while the mail server holds its ``held``-th message (the notice, then reminders) the manager
    signs; then the server answers. Returns the order's ID once the director's notice of their step arrived."""
    inbox.hold_from = held
    inbox.answering.clear()
    order_id = await desk.create_order(LARGE, CLERK)

    async def arrived() -> None:
        assert inbox.arrived == held
    await assert_eventually(arrived)
    assert await desk.approve(order_id, MANAGER) is OrderStatus.PENDING_APPROVAL
    inbox.answering.set()
    assert not inbox.held_too_long  # the manager signed while the notice was held

    async def mailed_the_director() -> None:
        assert (["dan@desk.example"], f"{order_id} awaits a director's signature (2/2)") in inbox.subjects()
    await assert_eventually(mailed_the_director)
    return order_id


async def test_a_signature_given_while_the_notice_is_sent_notifies_the_next_role(
        service: OrderService, inbox: Inbox, tmp_path: Path) -> None:
    """The manager signs while the mail server has not yet answered the step's notice (the activity still runs): the
    director is notified all the same, and the ledger shows the signature and the director awaited."""
    add_users(service)
    desk = with_policy(service, tmp_path / "policy.toml", smtp_host="127.0.0.1", smtp_port=inbox.port,
                       smtp_from=SENDER)
    async with build_worker(desk.client, desk.settings):
        order_id = await sign_while_held(desk, inbox, held=1)
        assert len(inbox.received) == 2
        stored = desk.ledger.get(order_id)
        assert stored is not None and stored.awaiting_role is Role.DIRECTOR
        assert [step.signature.actor for step in stored.steps if step.signature] == ["mona"]
        await desk.approve(order_id, DIRECTOR)
        await wait_closed(desk, order_id)
    assert len(inbox.received) == 2


async def test_a_signature_given_during_the_last_reminder_of_a_run_notifies_the_next_role(
        service: OrderService, inbox: Inbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run's last reminder (it then continues as new, bounded history) is still being sent when the manager
    signs: the director gets the step's notice before the run continues, not only the next run's reminders."""
    # A run of 2 reminders instead of 50 (the server fires a timer about once a second): the workflow unsandboxed,
    # so that it reads the module's constant as patched here.
    monkeypatch.setattr(order_approval, "REMINDERS_PER_RUN", 2)
    monkeypatch.setattr(worker_module, "SandboxedWorkflowRunner", lambda **_: UnsandboxedWorkflowRunner())
    add_users(service)
    desk = with_policy(service, tmp_path / "policy.toml", smtp_host="127.0.0.1", smtp_port=inbox.port,
                       smtp_from=SENDER, approval_reminder=timedelta(milliseconds=20))
    async with build_worker(desk.client, desk.settings):
        order_id = await sign_while_held(desk, inbox, held=3)  # the notice, then the run's two reminders
        await desk.approve(order_id, DIRECTOR)
        await wait_closed(desk, order_id)


async def test_a_signature_after_the_notice_records_no_patch(service: OrderService, tmp_path: Path) -> None:
    """The signature-during-notice patch is asked only when the race happened: an order signed once its notice
    completed records no marker of it (asked every time, new histories would carry it for nothing)."""
    from workflows.order_approval import SIGNATURE_DURING_NOTICE

    desk = with_policy(service, tmp_path / "policy.toml")
    async with build_worker(desk.client, desk.settings):
        order_id = await desk.create_order(LARGE, CLERK)
        handle = desk.client.get_workflow_handle(order_id)

        async def notified() -> None:
            events = (await handle.fetch_history()).events
            sent = {event.event_id for event in events
                    if event.activity_task_scheduled_event_attributes.activity_type.name == "notify_manager"}
            assert sent & {event.activity_task_completed_event_attributes.scheduled_event_id for event in events}
        await assert_eventually(notified)
        await desk.approve(order_id, MANAGER)
        await desk.approve(order_id, DIRECTOR)
        await wait_closed(desk, order_id)
        recorded = patches(await handle.fetch_history())
    assert recorded and SIGNATURE_DURING_NOTICE not in recorded


def notice(order_id: str, number: int = 0) -> NotifyManagerInput:
    at = datetime(2026, 12, 1, tzinfo=UTC)
    details = OrderDetails(order_id=order_id, item="Máy chủ", quantity=2, status=OrderStatus.PENDING_APPROVAL,
                           created_by="alice", created_at=at, updated_at=at, awaiting_role=Role.MANAGER,
                           history=[Transition(status=OrderStatus.VALIDATING, at=at, actor="alice", seq=0)])
    return NotifyManagerInput(order_id=order_id, ledger=LedgerEntry.of(details), role=Role.MANAGER, step=1, steps=2,
                              notice=number, reminder=number > 0)


async def test_a_retried_notice_is_sent_once(service: OrderService, inbox: Inbox) -> None:
    add_users(service)
    activities = OrderActivities(service.ledger, mail=SmtpConfig(host="127.0.0.1", port=inbox.port, sender=SENDER))
    environment = ActivityEnvironment()

    for _ in range(3):  # the first attempt, and two retries of the same notice
        environment.run(activities.notify_manager, notice("order_retried00"))
    assert len(inbox.received) == 1
    environment.run(activities.notify_manager, notice("order_retried00", number=1))  # the first reminder
    assert [subject for _, subject in inbox.subjects()] == [
        "order_retried00 awaits a manager's signature (1/2)",
        "Reminder: order_retried00 awaits a manager's signature (1/2)"]


async def test_a_mail_server_that_does_not_answer_never_holds_an_order_up(
        service: OrderService, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    add_users(service)
    desk = with_policy(service, tmp_path / "policy.toml", smtp_host="127.0.0.1", smtp_port=free_port(),
                       smtp_from=SENDER)
    async with build_worker(desk.client, desk.settings):
        order_id = await desk.create_order(LARGE, CLERK)
        await wait_for_status(desk, order_id, OrderStatus.PENDING_APPROVAL)
        await desk.approve(order_id, MANAGER)
        await desk.approve(order_id, DIRECTOR)
        await wait_closed(desk, order_id)
    assert desk.ledger.fulfilment_outcome(order_id) == "APPROVED"
    assert any("failed" in record.getMessage() and order_id in record.getMessage() for record in caplog.records)
