"""``GET /events``: every order change, pushed as Server-Sent Events (FastAPI's ``fastapi.sse``).

The stream follows the ledger's change feed (``OrderService.follow_changes``), so it carries what any process
wrote: this ``serve``, another one, every worker. Each order event's ``id`` is the change's ``seq``; a client
that reconnects with ``Last-Event-ID`` gets every change after it, across a restart of ``serve``. A heartbeat
comment keeps proxies from closing a quiet stream. A revoked user's stream ends within a second or two, and so
does every stream when ``serve`` stops.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from core.api.auth import Authenticator
from core.api.deps import CallerDep, OrderServiceDep
from core.api.errors import error_responses
from core.api.schemas import EventsReady

router = APIRouter(tags=["events"])

RETRY_MS = 2000  # how soon a browser's EventSource reconnects after the stream drops
RECHECK_SECONDS = 1.0  # how often a stream asks again whether its caller may still read

LastEventId = Annotated[int | None, Header(
    alias="Last-Event-ID", ge=0, le=2**63 - 1,
    description="the `id` of the last event received: the stream resumes after it, missing nothing")]


_STREAM = {"description": "`text/event-stream`: `event: ready` (`data`: `EventsReady`), then `event: order` per "
                          "change (`id`: its seq, `data`: an `OrderChange`), and `: heartbeat` comments"}


def _as_json(responses: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """Error bodies are JSON: FastAPI would document them under the route's `text/event-stream`."""
    schema = {"$ref": "#/components/schemas/ErrorBody"}
    return {status: {**{key: value for key, value in response.items() if key != "model"},
                     "content": {"application/json": {"schema": schema}}} for status, response in responses.items()}


@router.get("/events", operation_id="events", summary="Every order change, as Server-Sent Events",
            response_class=EventSourceResponse, responses={200: _STREAM, **_as_json(error_responses(401, 422, 503))})
async def events(request: Request, caller: CallerDep, service: OrderServiceDep,
                 last_event_id: LastEventId = None) -> AsyncIterator[ServerSentEvent]:
    """First an `event: ready` whose `id` and `data.after` say where the stream starts (now, or after
    `Last-Event-ID`), then one `event: order` per change (`data`: an `OrderChange`), and `: heartbeat` comments
    when nothing happens. Read `docs/REST.md` for the whole contract."""
    authenticator: Authenticator = request.app.state.authenticator
    head = await service.last_change()
    # An id beyond the feed's head is from a ledger since replaced: resend that ledger's whole feed.
    after = head if last_event_id is None else last_event_id if last_event_id <= head else 0
    yield ServerSentEvent(event="ready", id=str(after), data=EventsReady(after=after), retry=RETRY_MS)
    heartbeat = service.settings.events_heartbeat
    last_sent = checked = time.monotonic()
    async with aclosing(service.follow_changes(after, quiet=min(RECHECK_SECONDS, heartbeat))) as batches:
        async for batch in batches:
            for change in batch:
                yield ServerSentEvent(event="order", id=str(change.seq), data=change)
            now = time.monotonic()
            if batch:
                last_sent = now
            elif now - last_sent >= heartbeat:
                yield ServerSentEvent(comment="heartbeat")
                last_sent = now
            if getattr(request.app.state, "closing", False):  # serve is stopping (core.serve.ClosingServer)
                return
            if now - checked >= RECHECK_SECONDS:
                if not await authenticator.still_valid(caller, service.users):
                    return
                checked = now
