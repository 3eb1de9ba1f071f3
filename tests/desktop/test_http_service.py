"""``HttpOrderService`` against a real team server: every call of ``OrderServiceProtocol`` over the REST API, and
each refusal back as the typed error the local service raises, rebuilt from the body's ``code``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from core.api.errors import SERVICE_STATUS
from core.errors import (
    ErrorCode,
    ExportsBusy,
    Forbidden,
    IdempotencyConflict,
    InvalidTransition,
    OrderDeskError,
    OrderNotFound,
    TemporalUnavailable,
)
from core.http_service import HttpOrderService
from core.models import Action, BulkOutcome, OrderChange, OrderFilter, OrderRequest, OrderStatus
from core.remote.connection import BadServerUrl, server_url
from core.remote.errors import ServerUnreachable, SignInRequired, error_of
from desktop.sign_in_text import sign_in_error
from tests.desktop.conftest import AN
from tests.desktop.team_server import TeamServer
from tests.helpers import free_port

Aio = Callable[..., Any]
KINDS = {ErrorCode.ORDER_NOT_FOUND: OrderNotFound, ErrorCode.INVALID_TRANSITION: InvalidTransition,
         ErrorCode.IDEMPOTENCY_CONFLICT: IdempotencyConflict, ErrorCode.TEMPORAL_UNAVAILABLE: TemporalUnavailable,
         ErrorCode.NO_WORKER: TemporalUnavailable, ErrorCode.EXPORTS_BUSY: ExportsBusy,
         ErrorCode.UNAUTHORIZED: SignInRequired, ErrorCode.TOKEN_REVOKED: SignInRequired}


@pytest.mark.parametrize("code", sorted({*SERVICE_STATUS, ErrorCode.UNAUTHORIZED, ErrorCode.TOKEN_REVOKED}))
def test_each_code_the_server_sends_comes_back_as_the_services_typed_error(code: ErrorCode) -> None:
    status = SERVICE_STATUS.get(code, 401)
    body = {"detail": "in English", "code": code.value, "status": "CANCELLED"}
    err = error_of(httpx.Response(status, json=body), order_id="order_0123456789ab")
    assert err.code == code and type(err) is KINDS.get(code, Forbidden if status == 403 else OrderDeskError)
    if isinstance(err, InvalidTransition | Forbidden):
        assert err.current_status is OrderStatus.CANCELLED


def test_an_answer_that_is_not_the_servers_is_an_http_error() -> None:
    err = error_of(httpx.Response(502, text="<html>Bad Gateway</html>"))
    assert err.code == ErrorCode.HTTP_ERROR and "502" in str(err)


@pytest.mark.parametrize(("typed", "exact"), [
    ("orders.example.com", "https://orders.example.com"),
    ("https://orders.example.com:8000/", "https://orders.example.com:8000"),
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ("http://localhost:8000", "http://localhost:8000"),
])
def test_a_server_address_is_made_exact(typed: str, exact: str) -> None:
    assert server_url(typed) == exact


@pytest.mark.parametrize("typed", ["", "http://orders.example.com", "ftp://x", "https://u:p@x", "https://x/?a=1"])
def test_an_address_that_would_leak_the_token_or_names_no_server_is_refused(typed: str) -> None:
    with pytest.raises(BadServerUrl):
        server_url(typed)


async def pending(service: HttpOrderService, order_id: str) -> None:
    for _ in range(200):
        if await service.status(order_id) is OrderStatus.PENDING_APPROVAL:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{order_id} never became pending")


async def the_protocol_over_http(team: TeamServer) -> dict[str, Any]:
    clerk = HttpOrderService(team.url, team.tokens[AN])
    manager = HttpOrderService(team.url, team.tokens["mona"])
    seen: dict[str, Any] = {}
    try:
        head = await manager.last_change()
        followed: list[OrderChange] = []

        async def follow() -> None:
            async for batch in manager.follow_changes(head, quiet=0.2):
                followed.extend(batch)

        follower = asyncio.create_task(follow())
        ids = [await clerk.create_order(OrderRequest(item=f"Máy số {n}", quantity=n + 1)) for n in range(3)]
        for order_id in ids:
            await pending(clerk, order_id)
        seen["summary"] = await clerk.summary(ids[0])
        try:
            await clerk.decide(ids[0], Action.APPROVE)
        except Forbidden as err:
            seen["forbidden"] = (err.code, err.current_status)
        seen["approved"] = await manager.decide(ids[0], Action.APPROVE, reason="ngân sách ổn")
        try:
            await manager.decide(ids[0], Action.CANCEL)
        except InvalidTransition as err:
            seen["invalid"] = err.current_status
        try:
            await manager.details("order_ffffffffffff")
        except OrderNotFound as err:
            seen["not_found"] = err.order_id
        landed: list[BulkOutcome] = []
        seen["bulk"] = await manager.decide_many([ids[1], ids[2], "order_ffffffffffff"], Action.REJECT,
                                                 reason="trùng", concurrency=2, progress=landed.append)
        seen["landed"] = landed
        seen["details"] = await manager.details(ids[0])
        seen["listed"] = await manager.list_orders(OrderFilter.of(OrderStatus.APPROVED, OrderStatus.REJECTED,
                                                                  q="MÁY SỐ"), limit=10)
        seen["paged"] = await manager.list_orders(OrderFilter.of(q="máy số"), limit=2, offset=1)
        seen["count"] = await manager.count_orders(OrderFilter.of(OrderStatus.REJECTED))
        seen["csv"] = "".join([chunk async for chunk in manager.export_csv(OrderFilter.of(q="máy số"), chunk=1)])
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {team.tokens['mona']}"}) as http:
            seen["rest_csv"] = (await http.get(f"{team.url}/orders.csv", params={"q": "máy số"})).text
        seen["ids"] = ids
        seen["changes"] = await manager.changes(head, 100)
        seen["healthy"] = await manager.healthy()
        seen["stuck"] = await manager.stuck_orders()
        for _ in range(100):
            if len(followed) >= len(seen["changes"]):
                break
            await asyncio.sleep(0.05)
        follower.cancel()
        seen["followed"] = followed
    finally:
        await clerk.aclose()
        await manager.aclose()
    return seen


def test_the_client_serves_the_protocol_and_raises_the_services_errors(aio: Aio, team: TeamServer) -> None:
    seen = aio(the_protocol_over_http(team), timeout=60_000)
    ids = seen["ids"]
    assert (seen["summary"].item, seen["summary"].created_by) == ("Máy số 0", AN)
    assert seen["forbidden"] == (ErrorCode.MANAGER_ONLY, OrderStatus.PENDING_APPROVAL)
    assert seen["approved"] is OrderStatus.APPROVED and seen["invalid"] is OrderStatus.APPROVED
    assert seen["not_found"] == "order_ffffffffffff"
    assert [(outcome.order_id, outcome.ok, outcome.code) for outcome in seen["bulk"]] == [
        (ids[1], True, None), (ids[2], True, None), ("order_ffffffffffff", False, ErrorCode.ORDER_NOT_FOUND)]
    assert seen["landed"] == seen["bulk"]  # each chunk's outcomes reported as it landed
    assert [(step.status, step.actor, step.reason) for step in seen["details"].history][-1] == (
        OrderStatus.APPROVED, "mona", "ngân sách ổn")
    assert [order.order_id for order in seen["listed"]] == ids[::-1]  # two statuses, the search folded
    assert [order.order_id for order in seen["paged"]] == [ids[1], ids[0]]
    assert seen["count"] == 2
    assert seen["csv"] == seen["rest_csv"] and seen["csv"].startswith("\ufefforder_id,")
    # the bulk's two rejections run side by side: the feed holds both, in either order, among the other writes
    assert {change.order_id for change in seen["changes"] if change.status is OrderStatus.REJECTED} == {
        ids[1], ids[2]}
    assert [change.seq for change in seen["followed"]] == [change.seq for change in seen["changes"]]
    assert seen["healthy"] and seen["stuck"] == []


def test_a_refused_token_and_a_silent_server_are_told_apart(aio: Aio, team: TeamServer) -> None:
    async def attempt(url: str, token: str) -> OrderDeskError:
        service = HttpOrderService(url, token)
        try:
            await service.me()
        except OrderDeskError as err:
            return err
        finally:
            await service.aclose()
        raise AssertionError("signed in")

    wrong = aio(attempt(team.url, "odt_not-a-token"))
    silent = aio(attempt(f"http://127.0.0.1:{free_port()}", "odt_whatever"))
    assert isinstance(wrong, SignInRequired) and wrong.code == ErrorCode.UNAUTHORIZED
    assert isinstance(silent, ServerUnreachable) and not silent.untrusted and "does not answer" in str(silent)
    # https:// to a server that speaks plain HTTP: said so, not "[SSL: WRONG_VERSION_NUMBER] wrong version number"
    scheme = aio(attempt(team.url.replace("http://", "https://"), "odt_whatever"))
    assert isinstance(scheme, ServerUnreachable) and scheme.plain_http and "WRONG_VERSION" not in str(scheme)
    assert sign_in_error(scheme).startswith("The server answers in plain http://, not https://.")
