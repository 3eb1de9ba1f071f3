"""What an ``Idempotency-Key`` promises: a retry under it is the same request, or a 422 ``idempotency_conflict``.

A create: the order ID derives from the caller and the key (``core.service.new_order_id``); a retry that finds the
order with another item, quantity or price is the conflict (``same_order``).

A decision: the Update ID is the caller, the action and the key. Temporal applies an Update once per ID and answers
a repeat with the first outcome, so a retried decision can never take effect twice (a second signature on a
multi-step order included). Temporal does not look at what a repeat carries, though, and a retry that changed the
reason was answered ``200`` while the new reason was recorded nowhere. So once a keyed decision has answered, the
reason the order accepted under that ID is read back from its history (``same_reason``): another reason is the
conflict. One history read per keyed decision; unkeyed decisions (the desk's) cost nothing more. docs/REST.md.
"""

from __future__ import annotations

import hashlib
import json

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.converter import DataConverter
from temporalio.service import RPCError

from core.errors import IdempotencyConflict
from core.models import Decision, OrderDetails, OrderInput, OrderRequest

PREFIX = "api-"


def same_order(order_id: str, known: OrderInput | OrderDetails, request: OrderRequest) -> None:
    """Raises ``IdempotencyConflict`` unless the order a keyed create found (its input, or the ledger's copy) is what
    ``request`` asks for."""
    if (known.item, known.quantity, known.unit_price, known.currency if known.unit_price is not None else None) != (
            request.item, request.quantity, request.unit_price, request.currency):
        raise IdempotencyConflict(f"Idempotency-Key already used for order {order_id} with a different request")


def update_id(action: str, actor: str, key: str | None) -> str | None:
    """The Update ID of a decision sent with an ``Idempotency-Key`` (None without one)."""
    if key is None:
        return None
    return PREFIX + hashlib.sha256(json.dumps([actor, action, key]).encode()).hexdigest()[:32]


async def same_reason(handle: WorkflowHandle, update: str | None, decision: Decision,
                      converter: DataConverter) -> None:
    """Raises ``IdempotencyConflict`` when the Update the order accepted under this keyed ID carried another reason
    than ``decision``. Nothing where it cannot be told: no key, a history already gone (retention), an acceptance in
    a run before a continue-as-new."""
    if update is None or not update.startswith(PREFIX):
        return
    try:
        async for event in handle.fetch_history_events():
            if event.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
                continue
            accepted = event.workflow_execution_update_accepted_event_attributes.accepted_request
            if accepted.meta.update_id == update:
                [sent] = await converter.decode(accepted.input.args.payloads, [Decision])
                if sent.reason != decision.reason:
                    raise IdempotencyConflict(f"Idempotency-Key already used to {decision.action.value} order "
                                              f"{handle.id} with another reason")
                return
    except RPCError:
        return
