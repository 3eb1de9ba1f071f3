"""Helpers of the team tests: the app under a real uvicorn on a free port (an SSE stream needs a real socket:
httpx's ASGI transport waits for the whole body), and a small reader of ``text/event-stream``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import uvicorn
from fastapi import FastAPI

from core.models import OrderChange
from tests.helpers import free_port


@contextlib.asynccontextmanager
async def live_server(app: FastAPI) -> AsyncIterator[str]:
    """``app`` served by uvicorn on 127.0.0.1 in this event loop; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning",
                                           timeout_graceful_shutdown=1))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not task.done(), "uvicorn did not start"
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass
class Event:
    event: str | None = None
    id: str | None = None
    data: str | None = None
    comment: str | None = None
    retry: int | None = None

    def change(self) -> OrderChange:
        assert self.event == "order" and self.data is not None, self
        return OrderChange.model_validate_json(self.data)


async def events_of(response: httpx.Response) -> AsyncIterator[Event]:
    """The events of an SSE response as they arrive (comments too, as events with only ``comment``)."""
    event = Event()
    async for line in response.aiter_lines():
        if line == "":
            if event != Event():
                yield event
            event = Event()
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "":
            event.comment = value
        elif field == "data":
            event.data = value if event.data is None else f"{event.data}\n{value}"
        elif field in ("event", "id"):
            setattr(event, field, value)
        elif field == "retry":
            event.retry = int(value)


class EventReader:
    """An open ``/events`` stream: ``next()`` waits for the next event (heartbeats skipped unless asked)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._events = events_of(response)

    async def next(self, *, heartbeats: bool = False, timeout: float = 15.0) -> Event:
        async with asyncio.timeout(timeout):
            async for event in self._events:
                if heartbeats or event.comment is None:
                    return event
        raise AssertionError("the stream ended")

    async def changes(self, count: int) -> list[OrderChange]:
        return [(await self.next()).change() for _ in range(count)]


@contextlib.asynccontextmanager
async def open_events(client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None
                      ) -> AsyncIterator[EventReader]:
    async with client.stream("GET", f"{url}/events", headers=headers) as response:
        assert response.status_code == 200, (await response.aread()).decode()
        assert response.headers["content-type"].startswith("text/event-stream")
        yield EventReader(response)
