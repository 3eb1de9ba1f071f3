"""``HttpOrderService``: the order service of a team server, over its REST API (docs/REST.md).

It serves ``OrderServiceProtocol`` as the local ``OrderService`` does, so a desk signed in to a server works as a
desk on the embedded default: the same calls, the same models (``core.models``) and the same typed errors
(``core.errors``), rebuilt from each error body's ``code`` by ``core.remote.errors``. The server decides who acts
(the token's user): every ``actor`` argument is ignored. A refused token raises ``SignInRequired``; no answer at
all raises ``ServerUnreachable``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import httpx
from pydantic import BaseModel

from core import bulk
from core.csv_export import CSV_HEAD
from core.errors import ErrorCode
from core.models import (
    ALL_ORDERS,
    Action,
    Actor,
    BulkOutcome,
    OrderChange,
    OrderDetails,
    OrderFilter,
    OrderRequest,
    OrderStatus,
    OrderSummary,
    Permission,
    Role,
    StuckOrder,
)
from core.money import plain
from core.remote import events
from core.remote.connection import new_client, server_url
from core.remote.errors import error_of, reading, unreachable

log = logging.getLogger(__name__)

PAGE = 1000  # GET /orders answers at most this many at once
BULK_CHUNK = 8  # orders per bulk request: outcomes show as each chunk lands, at most this many in flight
STUCK_THRESHOLD = 2  # /healthz lists the orders whose ledger write failed at least this many times in a row


class Me(BaseModel):
    """``GET /me``: who the token says the caller is and what they may do."""

    name: str
    role: Role | None = None
    may: list[Permission]
    four_eyes: bool
    mode: Literal["open", "shared_token", "users"]
    currency: str | None = None  # the server's default currency; None from a server older than the field


class HttpOrderService:
    def __init__(self, url: str, token: str, ca: Path | None = None) -> None:
        self.url = server_url(url)
        self._http = new_client(self.url, token, ca)
        self._workflow_urls: dict[str, str | None] = {}

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(self, method: str, path: str, order_id: str | None = None, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.TransportError as err:
            raise unreachable(self.url, err) from err
        if response.is_error:
            raise error_of(response, order_id)
        return response

    # ---- who -----------------------------------------------------------------------------------

    async def me(self) -> Me:
        """Who this token signs in as; ``SignInRequired`` when the server refuses it."""
        response = await self._request("GET", "/me")
        with reading(self.url):
            return Me.model_validate(response.json())

    # ---- commands ------------------------------------------------------------------------------

    async def create_order(self, request: OrderRequest, actor: Actor | None = None,
                           idempotency_key: str | None = None) -> str:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        response = await self._request("POST", "/orders", json=request.model_dump(mode="json"), headers=headers)
        with reading(self.url):
            return str(response.json()["order_id"])

    async def decide(self, order_id: str, action: Action, actor: Actor | None = None, reason: str | None = None,
                     request_id: str | None = None) -> OrderStatus:
        headers = {"Idempotency-Key": request_id} if request_id else {}
        body = {"json": {"reason": reason}} if reason else {}
        response = await self._request("POST", f"/orders/{order_id}/{action.value}", order_id, headers=headers,
                                        **body)
        with reading(self.url):
            return OrderStatus(response.json()["status"])

    async def decide_many(self, order_ids: Sequence[str], action: Action, actor: Actor | None = None,
                          reason: str | None = None, concurrency: int = BULK_CHUNK,
                          progress: Callable[[BulkOutcome], None] | None = None,
                          request_id: str | None = None) -> list[BulkOutcome]:
        """``POST /orders/bulk/{action}`` in chunks of ``concurrency`` orders, one after the other, so each chunk's
        outcomes are reported as it lands and no more than that many decisions are in flight. After a chunk that
        no worker took at all, the rest are not sent (``no_worker`` at once, as the service does within a request):
        each chunk would wait the server's 15 s for the same answer."""
        distinct = list(dict.fromkeys(order_ids))
        headers = {"Idempotency-Key": request_id} if request_id else {}
        outcomes: list[BulkOutcome] = []
        size = max(1, concurrency)
        for start in range(0, len(distinct), size):
            chunk = distinct[start:start + size]
            if outcomes and all(outcome.code == ErrorCode.NO_WORKER for outcome in outcomes[-size:]):
                because = f"the server's worker took none of the {action.value} decisions sent before it"
                answers = [bulk.not_sent(order_id, because) for order_id in chunk]
            else:
                body: dict[str, Any] = {"order_ids": chunk}
                if reason:
                    body["reason"] = reason
                response = await self._request("POST", f"/orders/bulk/{action.value}", json=body, headers=headers)
                with reading(self.url):
                    answers = [BulkOutcome.model_validate(result) for result in response.json()["data"]]
            for outcome in answers:
                outcomes.append(outcome)
                if progress is not None:
                    progress(outcome)
        return outcomes

    # ---- reads ---------------------------------------------------------------------------------

    async def status(self, order_id: str) -> OrderStatus:
        response = await self._request("GET", f"/orders/{order_id}/status", order_id)
        with reading(self.url):
            return OrderStatus(response.json()["status"])

    async def details(self, order_id: str) -> OrderDetails:
        response = await self._request("GET", f"/orders/{order_id}", order_id)
        with reading(self.url):
            body = response.json()
            self._workflow_urls[order_id] = body.pop("workflow_url", None)
            return OrderDetails.model_validate(body)

    async def summary(self, order_id: str) -> OrderSummary:
        details = await self.details(order_id)
        return OrderSummary.model_validate(details.model_dump(include=set(OrderSummary.model_fields)))

    def workflow_url(self, order_id: str) -> str | None:
        """Where the server said this order's workflow is in the Temporal Web UI, once its details were read."""
        return self._workflow_urls.get(order_id)

    async def list_orders(self, where: OrderFilter = ALL_ORDERS, limit: int = 200, offset: int = 0
                          ) -> list[OrderSummary]:
        if _matches_nothing(where):
            return []
        found: list[OrderSummary] = []
        while len(found) < limit:
            page = min(PAGE, limit - len(found))
            params = [*_filter(where), ("limit", str(page)), ("offset", str(offset + len(found)))]
            response = await self._request("GET", "/orders", params=params)
            with reading(self.url):
                data = response.json()["data"]
                found += [OrderSummary.model_validate(order) for order in data]
            if len(data) < page:
                break
        return found

    async def count_orders(self, where: OrderFilter = ALL_ORDERS) -> int:
        if _matches_nothing(where):
            return 0
        params = [*_filter(where), ("limit", "1")]
        response = await self._request("GET", "/orders", params=params)
        with reading(self.url):
            return int(response.json()["count"])

    async def export_csv(self, where: OrderFilter = ALL_ORDERS, chunk: int = 1000) -> AsyncIterator[str]:
        """``GET /orders.csv`` as it streams, in pieces that end where a CSV record ends (as the local export's
        do), so a reader may count the records of each piece."""
        if _matches_nothing(where):
            yield CSV_HEAD
            return
        try:
            async with self._http.stream("GET", "/orders.csv", params=_filter(where)) as response:
                if response.is_error:
                    await response.aread()
                    raise error_of(response)
                pending = ""
                async for text in response.aiter_text():
                    pending += text
                    cut = _last_record_end(pending)
                    if cut:
                        yield pending[:cut]
                        pending = pending[cut:]
                if pending:
                    yield pending
        except httpx.TransportError as err:
            raise unreachable(self.url, err) from err

    async def changes(self, after: int = 0, limit: int = 100) -> list[OrderChange]:
        return await self._feed(events.changes(self._http, after, limit))

    async def last_change(self) -> int:
        return await self._feed(events.head(self._http))

    async def _feed(self, call: Any) -> Any:
        try:
            return await call
        except httpx.TransportError as err:
            raise unreachable(self.url, err) from err

    def follow_changes(self, after: int | None = None, quiet: float = 1.0) -> AsyncIterator[list[OrderChange]]:
        """``GET /events`` from ``after`` (``Last-Event-ID``). Unlike the local feed it ends when the server ends
        the stream (``serve`` stopping, the user revoked) and raises when it is cut off: follow again from the
        last ``seq`` seen, and nothing is missed."""
        return events.follow(self._http, after, quiet)

    async def healthy(self) -> bool:
        try:
            response = await self._http.get("/healthz")
        except httpx.TransportError:
            return False
        return response.status_code == 200

    async def stuck_orders(self) -> list[StuckOrder]:
        """The orders ``/healthz`` names as stuck on the ledger. It gives their IDs only: the attempts are the
        least it promises and the times are when it was asked."""
        try:
            response = await self._http.get("/healthz")
        except httpx.TransportError as err:
            raise unreachable(self.url, err) from err
        now = datetime.now(UTC)
        with reading(self.url):
            return [StuckOrder(order_id=order_id, attempts=STUCK_THRESHOLD, error="", first_failed_at=now,
                               last_failed_at=now) for order_id in response.json().get("stuck_orders") or []]


def _filter(where: OrderFilter) -> list[tuple[str, str]]:
    """An ``OrderFilter`` as the query of ``GET /orders`` (``status`` and ``awaiting_role`` repeated for several).

    A ``reviewer`` can only be the caller here (the server knows who the token is): it is sent as
    ``needs_review_by=me``, which also keeps to the roles the caller may sign and applies four-eyes as the server
    applies it. No role at all (``awaiting_roles`` empty: a clerk's review) matches nothing, as on the ledger; the
    query cannot say so, so the calls answer it without asking (``_matches_nothing``)."""
    params = [("status", status.value) for status in sorted(where.statuses or ())]
    for name in ("q", "created_by", "currency"):
        value = getattr(where, name)
        if value:
            params.append((name, value))
    for name in ("since", "until"):
        moment: datetime | None = getattr(where, name)
        if moment is not None:
            params.append((name, moment.isoformat()))
    for name in ("min_amount", "max_amount"):
        amount = getattr(where, name)
        if amount is not None:
            params.append((name, plain(amount)))
    if where.awaiting_roles:
        params += [("awaiting_role", role.value) for role in sorted(where.awaiting_roles, key=lambda r: r.rank)]
    if where.reviewer is not None:
        params.append(("needs_review_by", "me"))
    return params


def _matches_nothing(where: OrderFilter) -> bool:
    """Pending orders awaiting none of no roles: what a person who signs nothing has to review."""
    return where.awaiting_roles is not None and not where.awaiting_roles


def _last_record_end(text: str) -> int:
    """Where the last complete CSV record of ``text`` ends (after its CRLF), 0 if none: a line break inside a
    quoted cell is not a record's end."""
    at = len(text)
    while (at := text.rfind("\r\n", 0, at)) >= 0:
        if text.count('"', 0, at) % 2 == 0:
            return at + 2
    return 0
