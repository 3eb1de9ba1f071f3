"""Record one history per workflow path into tests/histories/ for the replay test.

Run it after a deliberate, compatible change to the workflow (``python -m tests.record_histories``);
the replay test then proves that every recorded path still replays, so a change that breaks
determinism for orders already in flight fails CI.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from core.embedded_server import EmbeddedServer
from core.models import Action, Actor, Decision, OrderRequest, OrderStatus, Role
from core.service import OrderService
from core.settings import Settings
from core.worker import build_worker
from tests.helpers import free_port
from tests.test_policy import EXAMPLE
from workflows.order_approval import REMINDERS_PER_RUN

HISTORIES = Path(__file__).parent / "histories"
CLERK = Actor(name="alice")
MANAGER = Actor(name="mona")
SIGNING_MANAGER = Actor(name="mona", role=Role.MANAGER)
DIRECTOR = Actor(name="dan", role=Role.DIRECTOR)
# The policy of the approval-steps paths (docs/APPROVALS.md's example); "POLICY" in a path's settings names it.
POLICY = EXAMPLE  # docs/APPROVALS.md's example, as tests/test_policy.py holds it
SMALL = OrderRequest(item="Chuột không dây", quantity=2, unit_price="250000")
LARGE = OrderRequest(item="Máy chủ", quantity=2, unit_price="40000000")


async def _pending(service: OrderService, item: str = "Laptop Gaming XYZ", actor: Actor = CLERK,
                   request: OrderRequest | None = None) -> str:
    order_id = await service.create_order(request or OrderRequest(item=item, quantity=1), actor)
    while await service.status(order_id) != OrderStatus.PENDING_APPROVAL:
        await asyncio.sleep(0.1)
    return order_id


async def approved(service: OrderService) -> str:
    order_id = await _pending(service)
    await service.approve(order_id, MANAGER, "ok")
    return order_id


async def rejected(service: OrderService) -> str:
    order_id = await _pending(service)
    await service.reject(order_id, MANAGER, "over budget")
    return order_id


async def cancelled_pending(service: OrderService) -> str:
    order_id = await _pending(service)
    await service.cancel(order_id, CLERK)
    return order_id


async def cancelled_validating(service: OrderService) -> str:
    order_id = await service.create_order(OrderRequest(item="Slow item", quantity=1), CLERK)
    await asyncio.sleep(0.5)
    await service.cancel(order_id, CLERK)
    return order_id


async def invalid_order(service: OrderService) -> str:
    order_id = await service.create_order(OrderRequest(item="Plutonium rods", quantity=1), CLERK)
    return order_id


async def signal_approved(service: OrderService) -> str:
    order_id = await _pending(service)
    await service.client.get_workflow_handle(order_id).signal("approve")
    return order_id


async def reminded_then_approved(service: OrderService) -> str:
    order_id = await _pending(service)
    while not any(t.kind == "reminder" for t in (await service.details(order_id)).history):
        await asyncio.sleep(0.2)
    await service.approve(order_id, MANAGER)
    return order_id


async def expired(service: OrderService) -> str:
    return await _pending(service)


async def continued_then_approved(service: OrderService) -> str:
    """Reminded until it continues as a new run (bounded history), then approved in the new run."""
    order_id = await _pending(service)
    while len([run async for run in service.client.list_workflows(f"WorkflowId = '{order_id}'")]) < 2:
        await asyncio.sleep(0.2)
    await service.approve(order_id, MANAGER)
    return order_id


async def team_signals_refused(service: OrderService) -> str:
    """An order of a team server: a forged manager signal and a payload-less one are refused, the Update decides."""
    order_id = await _pending(service, actor=Actor(name="alice", role=Role.CLERK))
    handle = service.client.get_workflow_handle(order_id)
    await handle.signal("approve", Decision(action=Action.APPROVE, actor=Actor(name="mallory", role=Role.MANAGER)))
    await handle.signal("reject")
    await service.approve(order_id, Actor(name="mona", role=Role.MANAGER))
    return order_id


async def auto_approved(service: OrderService) -> str:
    """Within the lowest tier: approved at once by the system."""
    return await service.create_order(SMALL, CLERK)


async def two_steps_approved(service: OrderService) -> str:
    """Above the highest limit: a manager signs, then a director; the second signature approves."""
    order_id = await _pending(service, request=LARGE)
    await service.approve(order_id, SIGNING_MANAGER, "within budget")
    await service.approve(order_id, DIRECTOR, "ok")
    return order_id


async def rejected_at_step_two(service: OrderService) -> str:
    order_id = await _pending(service, request=LARGE)
    await service.approve(order_id, SIGNING_MANAGER)
    await service.reject(order_id, DIRECTOR, "not this quarter")
    return order_id


async def director_signs_a_manager_step(service: OrderService) -> str:
    """One step, a manager's, signed by a director (a higher role)."""
    order_id = await _pending(service, request=OrderRequest(item="Máy chiếu", quantity=1, unit_price="12000000"))
    await service.approve(order_id, DIRECTOR)
    return order_id


async def two_steps_reminded(service: OrderService) -> str:
    """Each step reminded (its own timers), the second step then signed."""
    order_id = await _pending(service, request=LARGE)

    async def reminders() -> int:
        return (await service.details(order_id)).reminders

    while await reminders() < 1:
        await asyncio.sleep(0.2)
    await service.approve(order_id, SIGNING_MANAGER)
    while await reminders() < 2:
        await asyncio.sleep(0.2)
    await service.approve(order_id, DIRECTOR)
    return order_id


async def signals_sign_two_steps(service: OrderService) -> str:
    """The open demo: each of the seed's approve signals signs the step awaited."""
    order_id = await _pending(service, request=LARGE)
    handle = service.client.get_workflow_handle(order_id)
    await handle.signal("approve")
    while len([s for s in (await service.details(order_id)).steps if s.signature]) < 1:
        await asyncio.sleep(0.1)
    await handle.signal("approve")
    return order_id


async def _signed_while_mailed(service: OrderService, held: int) -> str:
    """The manager signs while the mail server holds the order's ``held``-th message (its notice, then reminders);
    then the director's notice is awaited (there is none before the signature-during-notice patch) and they sign."""
    from aiosmtpd.controller import Controller

    from tests.test_mail import Inbox

    service.users.add("mona", Role.MANAGER, "mona@desk.example")
    service.users.add("dan", Role.DIRECTOR, "dan@desk.example")
    inbox = Inbox(port=service.settings.smtp_port, hold_from=held)
    inbox.answering.clear()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        order_id = await service.create_order(LARGE, CLERK)
        while inbox.arrived < held:
            await asyncio.sleep(0.05)
        await service.approve(order_id, SIGNING_MANAGER)
        inbox.answering.set()
        director = f"{order_id} awaits a director's signature (2/2)"
        for _ in range(60):
            if any(subject == director for _, subject in inbox.subjects()):
                break
            await asyncio.sleep(0.05)
        await service.approve(order_id, DIRECTOR)
        await service.client.get_workflow_handle(order_id).result()
    finally:
        controller.stop()
    return order_id


async def signed_during_notice(service: OrderService) -> str:
    """The manager signs while the first step's notice is still being sent."""
    return await _signed_while_mailed(service, held=1)


async def signed_during_last_reminder(service: OrderService) -> str:
    """The manager signs while the run's last reminder is still being sent (the run then continues as new)."""
    return await _signed_while_mailed(service, held=REMINDERS_PER_RUN + 1)


MAIL = {"smtp_host": "127.0.0.1", "smtp_port": free_port(), "smtp_from": "orders@desk.example"}
PATHS: dict[str, tuple[dict, Callable[[OrderService], Awaitable[str]]]] = {
    "approved": ({}, approved),
    "rejected": ({}, rejected),
    "cancelled_pending": ({}, cancelled_pending),
    "cancelled_validating": ({"simulate_validation_failures": 3}, cancelled_validating),
    "invalid_order": ({"blocked_items": ["plutonium"]}, invalid_order),
    "transient_failure_then_approved": ({"simulate_validation_failures": 1}, approved),
    "signal_approved": ({}, signal_approved),
    "reminded_then_approved": ({"approval_reminder": 1}, reminded_then_approved),
    "expired": ({"approval_reminder": 1, "approval_deadline": 2.5}, expired),
    "continued_then_approved": ({"approval_reminder": 0.02}, continued_then_approved),
    "team_signals_refused": ({"team": True}, team_signals_refused),
    "auto_approved": ({"approval_policy": "POLICY"}, auto_approved),
    "two_steps_approved": ({"approval_policy": "POLICY"}, two_steps_approved),
    "rejected_at_step_two": ({"approval_policy": "POLICY"}, rejected_at_step_two),
    "director_signs_a_manager_step": ({"approval_policy": "POLICY"}, director_signs_a_manager_step),
    "two_steps_reminded": ({"approval_policy": "POLICY", "approval_reminder": 1}, two_steps_reminded),
    "signals_sign_two_steps": ({"approval_policy": "POLICY"}, signals_sign_two_steps),
    # Last: they add users (with addresses) to the ledger the paths share.
    "signed_during_notice": ({**MAIL, "approval_policy": "POLICY"}, signed_during_notice),
    "signed_during_last_reminder": ({**MAIL, "approval_policy": "POLICY", "approval_reminder": 0.02},
                                    signed_during_last_reminder),
}


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Settings(_env_file=None, data_dir=Path(tmp), embedded_port=free_port(), embedded_ui_port=free_port())
        server = EmbeddedServer(base)
        address = await server.start()
        policy = Path(tmp) / "policy.toml"
        policy.write_text(POLICY, encoding="utf-8")
        chosen = set(sys.argv[1:]) or set(PATHS)  # `python -m tests.record_histories auto_approved ...`: only those
        try:
            for name, (overrides, path) in PATHS.items():
                if name not in chosen:
                    continue
                overrides = {key: policy if value == "POLICY" else value for key, value in overrides.items()}
                settings = Settings(_env_file=None, **{**base.model_dump(), **overrides,
                                                       "task_queue": f"record-{uuid.uuid4()}"})
                service = await OrderService.connect(settings, address)
                async with build_worker(service.client, settings):
                    order_id = await path(service)
                    handle = service.client.get_workflow_handle(order_id)
                    await handle.result()
                    runs = [run async for run in service.client.list_workflows(f"WorkflowId = '{order_id}'")]
                    # Every run of the order, oldest first: a run that continued as new is a path of its own.
                    histories = [await service.client.get_workflow_handle(order_id, run_id=run.run_id).fetch_history()
                                 for run in sorted(runs, key=lambda run: run.start_time)]
                HISTORIES.mkdir(exist_ok=True)
                for number, history in enumerate(histories, start=1):
                    stem = name if number == len(histories) else f"{name}.run{number}"
                    (HISTORIES / f"{stem}.json").write_text(history.to_json())
                    print(f"recorded {stem}: {len(history.events)} events")
        finally:
            server.stop()


if __name__ == "__main__":
    asyncio.run(main())
