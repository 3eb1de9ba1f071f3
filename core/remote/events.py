"""``GET /events`` read with httpx-sse: the change feed of a team server as ``OrderChange`` batches.

A stream starts with ``event: ready`` (where it starts), then one ``event: order`` per change, ids only growing.
``follow`` reads one stream and ends when the server ends it; its caller reconnects with the last ``seq`` it
saw (``Last-Event-ID``) and misses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
from httpx_sse import aconnect_sse

from core.models import OrderChange
from core.remote.errors import error_of, reading, unreachable

# A quiet stream still gets a heartbeat every 15 s (the server's default): this long without a byte, it is dead.
STREAM_TIMEOUT = httpx.Timeout(15.0, connect=5.0, read=90.0)
_END = object()


@contextlib.asynccontextmanager
async def _stream(client: httpx.AsyncClient, after: int | None) -> AsyncIterator[AsyncIterator[tuple[str, str, str]]]:
    """The stream's events as (event, id, data); raises the typed error of a refusal (401 and all)."""
    headers = {"Accept": "text/event-stream"}
    if after is not None:
        headers["Last-Event-ID"] = str(after)
    url = str(client.base_url)
    try:
        async with aconnect_sse(client, "GET", "/events", headers=headers, timeout=STREAM_TIMEOUT) as source:
            if source.response.status_code != 200:
                await source.response.aread()
                raise error_of(source.response)

            async def events() -> AsyncIterator[tuple[str, str, str]]:
                try:
                    async for event in source.aiter_sse():
                        yield event.event, event.id, event.data
                except httpx.TransportError as err:
                    raise unreachable(url, err) from err

            yield events()
    except httpx.TransportError as err:
        raise unreachable(url, err) from err


async def head(client: httpx.AsyncClient) -> int:
    """The feed's newest ``seq`` now: what the stream's ``ready`` says when asked for no particular place."""
    async with _stream(client, None) as events:
        async for event, event_id, _data in events:
            if event == "ready":
                return int(event_id)
    raise ConnectionError("the /events stream ended before it said where it starts")


async def changes(client: httpx.AsyncClient, after: int, limit: int) -> list[OrderChange]:
    """The changes after ``after`` up to the head as it is now, at most ``limit``."""
    newest = await head(client)
    found: list[OrderChange] = []
    if newest <= after or limit <= 0:
        return found
    async with _stream(client, after) as events:
        async for event, _event_id, data in events:
            if event == "order":
                with reading(str(client.base_url)):
                    found.append(OrderChange.model_validate_json(data))
                if found[-1].seq >= newest or len(found) >= limit:
                    break
    return found


async def follow(client: httpx.AsyncClient, after: int | None, quiet: float) -> AsyncIterator[list[OrderChange]]:
    """Every change after ``after`` (None: from now on) as it arrives, several at once when they come together; an
    empty batch after ``quiet`` seconds without one. Ends when the server ends the stream (it stops, the user was
    revoked); raises the typed error when the stream is refused or cut off."""
    queue: asyncio.Queue[object] = asyncio.Queue()

    async def read() -> None:
        try:
            async with _stream(client, after) as events:
                async for event, _event_id, data in events:
                    if event == "order":
                        with reading(str(client.base_url)):
                            queue.put_nowait(OrderChange.model_validate_json(data))
        except Exception as err:
            queue.put_nowait(err)
        else:
            queue.put_nowait(_END)

    reader = asyncio.create_task(read(), name="events-reader")
    try:
        while True:
            try:
                async with asyncio.timeout(quiet):
                    first = await queue.get()
            except TimeoutError:
                yield []
                continue
            batch: list[OrderChange] = []
            item = first
            while isinstance(item, OrderChange):
                batch.append(item)
                item = queue.get_nowait() if not queue.empty() else None
            if batch:
                yield batch
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
