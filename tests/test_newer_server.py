"""A desk signed in to a server newer than itself: a status, role or field it does not know is a clear error that
says to update the desk, not a pydantic report in the message line (nor a live feed failing unexplained).

The newer server is a stand-in (no newer release exists to run): a real HTTP server on loopback answering what the
next version might, read by the real ``HttpOrderService``."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.errors import ErrorCode
from core.http_service import HttpOrderService
from core.models import OrderFilter
from core.remote.errors import ServerAnswerUnreadable

ORDER = {"order_id": "order_0123456789ab", "item": "Máy in", "quantity": 1, "status": "ON_HOLD",
         "created_at": "2026-12-01T10:00:00Z", "updated_at": "2026-12-01T10:00:00Z", "created_by": "an"}
ANSWERS: dict[str, object] = {
    "/orders": {"data": [ORDER], "count": 1},
    "/orders/order_0123456789ab": {**ORDER, "history": []},
    "/orders/order_0123456789ab/status": {"order_id": ORDER["order_id"], "status": "ON_HOLD"},
    "/me": {"name": "mona", "role": "auditor", "may": [], "four_eyes": True, "mode": "users"},
}
CHANGE = {"seq": 8, "order_id": ORDER["order_id"], "kind": "transition", "status": "ON_HOLD", "order": ORDER}


class NewerServer(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        path = self.path.split("?")[0]
        if path == "/events":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(f"event: ready\nid: 7\ndata: {{}}\n\nevent: order\nid: 8\ndata: {json.dumps(CHANGE)}\n\n"
                             .encode())
            return
        body = json.dumps(ANSWERS[path]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def newer_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), NewerServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_what_a_newer_server_sends_is_a_clear_error_naming_what_and_the_fix(newer_server: str) -> None:
    async def read_everything() -> dict[str, ServerAnswerUnreadable]:
        service = HttpOrderService(newer_server, "token")
        refused: dict[str, ServerAnswerUnreadable] = {}
        calls = {"list": lambda: service.list_orders(OrderFilter.of()),
                 "details": lambda: service.details(ORDER["order_id"]),
                 "status": lambda: service.status(ORDER["order_id"]),
                 "me": service.me,
                 "changes": lambda: service.changes(0, 10)}
        try:
            for name, call in calls.items():
                with pytest.raises(ServerAnswerUnreadable) as caught:
                    await call()
                refused[name] = caught.value
            with pytest.raises(ServerAnswerUnreadable) as caught:
                async for _batch in service.follow_changes(7, quiet=0.2):
                    pass
            refused["follow"] = caught.value
        finally:
            await service.aclose()
        return refused

    refused = asyncio.run(read_everything())
    assert set(refused) == {"list", "details", "status", "me", "changes", "follow"}
    for err in refused.values():
        assert err.code is ErrorCode.HTTP_ERROR
        assert newer_server in str(err) and "update Order Desk" in str(err)
    assert "status 'ON_HOLD'" in str(refused["details"]) and "role 'auditor'" in str(refused["me"])
    assert "pydantic" not in " ".join(map(str, refused.values()))
