"""A keyed decision's Update ID, and whether a retry under it changed the reason.

The Update ID is the caller, the action and the ``Idempotency-Key``: Temporal applies an Update once per ID and
answers a repeat with the first outcome, so a retried decision can never take effect twice (a second signature on a
multi-step order included). Temporal does not look at what a repeat carries, though, and a retry that changed the
reason was answered ``200`` while the new reason was recorded nowhere. So once a keyed decision has answered, the
reason the order accepted under that ID is read back from its history: another reason is ``422
idempotency_conflict``, as a create reused with another body is (docs/REST.md). One history read per keyed decision;
unkeyed decisions (the desk's) cost nothing more.
"""

from __future__ import annotations

import hashlib
import json

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.converter import DataConverter
from temporalio.service import RPCError

from core.errors import IdempotencyConflict
from core.models import Decision

PREFIX = "api-"


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
