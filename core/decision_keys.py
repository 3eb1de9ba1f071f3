"""A keyed decision's Update ID, and whether its ``Idempotency-Key`` was already used with another reason.

Temporal deduplicates Updates by ID and answers a repeat with the first outcome without looking at what it carries.
An ID made of the caller, the action and the key alone therefore answered ``200`` to a retry that changed the
reason, and recorded nothing of the new one. So the reason is part of the ID too: the same request again is the
same Update; another reason is another Update, which the order refuses as a second decision. That refusal is then
told apart from a plain second decision by the order's own history: an accepted Update with the same key and
another reason means the key was reused with a different request, which is ``422 idempotency_conflict`` as it is
for a create (docs/REST.md). A decision without a reason keeps the ID it always had.
"""

from __future__ import annotations

import hashlib
import json

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.service import RPCError

PREFIX = "api-"


def update_id(action: str, actor: str, key: str | None, reason: str | None) -> str | None:
    """The Update ID of a decision sent with an ``Idempotency-Key`` (None without one)."""
    if key is None:
        return None
    keyed = PREFIX + hashlib.sha256(json.dumps([actor, action, key]).encode()).hexdigest()[:32]
    return keyed if reason is None else f"{keyed}-{hashlib.sha256(reason.encode()).hexdigest()[:16]}"


def _request_of(update: str) -> tuple[str, str]:
    """An Update ID as (the key's part, the order's part): ``api-<key>[-<reason>][:<order of a bulk request>]``."""
    head, _, order = update.partition(":")
    return head[:len(PREFIX) + 32], order


async def used_otherwise(handle: WorkflowHandle, update: str | None) -> bool:
    """Whether the order accepted an Update with this one's key, action and caller but another reason. Read only
    after a refusal, so a plain keyed decision costs nothing more."""
    if update is None or not update.startswith(PREFIX):
        return False
    request = _request_of(update)
    try:
        async for event in handle.fetch_history_events():
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
                accepted = event.workflow_execution_update_accepted_event_attributes.accepted_request.meta.update_id
                if accepted != update and _request_of(accepted) == request:
                    return True
    except RPCError:  # the history is gone (retention) or out of reach: the refusal stands as it was
        return False
    return False
