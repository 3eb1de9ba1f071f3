"""X-Actor as curl sends it: UTF-8 bytes. Starlette decodes header bytes as Latin-1, so a name with accents
arrived mojibaked (``José`` stored as ``JosÃ©``) and a Vietnamese one with U+0085 in it (a 500). The headers here
are raw bytes, as on the wire (httpx refuses a non-ASCII str header value). A name is stored exactly as sent, and
a value that is not a name (not UTF-8, control characters, too long) is a 422 naming X-Actor, never a 500."""

from __future__ import annotations

import logging
import unicodedata

import httpx
import pytest

from core.api import create_app
from core.service import OrderService
from tests.api.team_helpers import live_server
from tests.helpers import assert_eventually

VIETNAMESE = "Nguyễn Văn An"
JOSE = "José"
ORDER = {"item": "Laptop Gaming XYZ", "quantity": 1}


def actor(name: str | bytes) -> dict[bytes, bytes]:
    """The header as curl sends it: the name's UTF-8 bytes (or the very bytes given)."""
    return {b"X-Actor": name if isinstance(name, bytes) else name.encode()}


async def pending_order(client: httpx.AsyncClient, name: str) -> str:
    created = await client.post("/orders", json=ORDER, headers=actor(name))
    assert created.status_code == 201, created.text
    order_id: str = created.json()["order_id"]

    async def is_pending() -> None:
        assert (await client.get(f"/orders/{order_id}/status")).json() == {"status": "PENDING_APPROVAL"}

    await assert_eventually(is_pending)
    return order_id


async def test_a_utf8_x_actor_is_recorded_exactly_as_sent(client: httpx.AsyncClient) -> None:
    by_vietnamese = await pending_order(client, VIETNAMESE)
    by_jose = await client.post("/orders", json=ORDER, headers=actor(JOSE))
    assert by_jose.status_code == 201, by_jose.text

    approved = await client.post(f"/orders/{by_vietnamese}/approve", headers=actor(JOSE))
    assert approved.status_code == 200, approved.text
    details = (await client.get(f"/orders/{by_vietnamese}")).json()
    assert details["created_by"] == VIETNAMESE
    assert details["history"][-1]["actor"] == JOSE
    assert (await client.get(f"/orders/{by_jose.json()['order_id']}")).json()["created_by"] == JOSE

    by_manager = await pending_order(client, "manager")
    approved = await client.post(f"/orders/{by_manager}/approve", headers=actor(VIETNAMESE))
    assert approved.status_code == 200, approved.text
    assert (await client.get(f"/orders/{by_manager}")).json()["history"][-1]["actor"] == VIETNAMESE


async def test_over_a_socket_as_curl_sends_it(service: OrderService, client: httpx.AsyncClient) -> None:
    """Through uvicorn's HTTP parser, not only the ASGI transport: the bytes reach the app as sent."""
    async with live_server(create_app(service.settings, service)) as url, httpx.AsyncClient(timeout=10) as http:
        me = await http.get(f"{url}/me", headers=actor(VIETNAMESE))
        created = await http.post(f"{url}/orders", json=ORDER, headers=actor(VIETNAMESE))
        refused = await http.get(f"{url}/me", headers=actor(b"Jos\xe9"))

    assert me.status_code == 200 and me.json()["name"] == VIETNAMESE, me.text
    assert created.status_code == 201, created.text
    assert (await client.get(f"/orders/{created.json()['order_id']}")).json()["created_by"] == VIETNAMESE
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "X-Actor", refused.text


@pytest.mark.parametrize("name", [
    VIETNAMESE, JOSE, "Nguyễn", "ễ" * 100,  # 100 characters, 300 bytes: the limit counts characters
    unicodedata.normalize("NFD", VIETNAMESE),  # typed on a Mac: stored composed, as every name is
    "  alice  ",
])
async def test_me_answers_the_name_sent(client: httpx.AsyncClient, name: str) -> None:
    response = await client.get("/me", headers=actor(name))

    assert response.status_code == 200, response.text
    assert response.json()["name"] == unicodedata.normalize("NFC", name).strip()


@pytest.mark.parametrize(("sent", "message", "kind"), [
    (b"a\tb", "must not contain control characters (found U+0009)", "control_character"),
    (b"\x7fa", "must not contain control characters (found U+007F)", "control_character"),
    ("a\u0085b".encode(), "must not contain control characters (found U+0085)", "control_character"),
    (b"Jos\xe9", "must be UTF-8 (found byte 0xE9)", "string_unicode"),  # Latin-1 José
    (b"\xff\xfe", "must be UTF-8 (found byte 0xFF)", "string_unicode"),
    (b"x" * 101, "String should have at most 100 characters", "string_too_long"),
    (("ễ" * 101).encode(), "String should have at most 100 characters", "string_too_long"),
    (b"", "String should have at least 1 character", "string_too_short"),
    (" \u00a0 ".encode(), "String should have at least 1 character", "string_too_short"),  # white space only
    ("\u200b\ufeff".encode(), "must contain a visible character", "string_too_short"),  # a name nobody can read
    # The history's name for what Order Desk does itself: a person's decision under it would read as the system's.
    (b"system", "'system' is reserved: it names what Order Desk does itself", "reserved_name"),
    (b" System ", "'System' is reserved: it names what Order Desk does itself", "reserved_name"),
], ids=["tab", "del", "nel", "latin-1", "not-utf8", "101-ascii", "101-vietnamese", "empty", "blank", "invisible",
        "system", "System"])
@pytest.mark.parametrize("route", ["POST /orders", "GET /me"])
async def test_an_invalid_x_actor_is_422_naming_it_never_500(client: httpx.AsyncClient,
                                                             caplog: pytest.LogCaptureFixture, route: str, sent: bytes,
                                                             message: str, kind: str) -> None:
    method, path = route.split()
    with caplog.at_level(logging.WARNING):
        response = await client.request(method, path, json=ORDER if method == "POST" else None, headers=actor(sent))

    assert response.status_code == 422, response.text
    assert response.json() == {
        "detail": f"X-Actor: {message}",
        "code": "invalid_request",
        "errors": [{"location": "header", "field": "X-Actor", "message": message, "type": kind}],
    }
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_the_openapi_schema_declares_the_name_rules(client: httpx.AsyncClient) -> None:
    parameters = (await client.get("/openapi.json")).json()["paths"]["/orders"]["post"]["parameters"]
    header = next(parameter for parameter in parameters if parameter["name"] == "X-Actor")

    assert header["in"] == "header" and not header["required"]
    text = next(schema for schema in header["schema"]["anyOf"] if schema.get("type") == "string")
    assert (text["minLength"], text["maxLength"]) == (1, 100)
    assert "UTF-8" in header["description"]
