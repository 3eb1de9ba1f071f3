"""Wakes the followers of the ledger's change feed when it grows.

One look at the feed's head (``max(seq)``, an index lookup) per poll interval for the whole process, however
many streams follow it; each follower then reads only what is new. A change written by any process (a worker,
another ``serve``) is seen within one interval; one written by this process (its embedded worker) at once, since
the ledger ``nudge``s the poller when it commits new changes (``core.ledger.local``).

Where this process's own worker does the writing (a desk on its embedded server), the looks may slow down while
nothing changes, doubling up to ``quiet_interval``, and back to ``interval`` at the next change: a quarter-second
poll was half the idle desk's CPU (``bench.desk_footprint``). A change that no nudge announced was written by another
process (a separate ``order-desk worker``): for ``FOREIGN_HOLD`` seconds after one, the looks stay at ``interval``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

FOREIGN_HOLD = 60.0  # seconds of looks at full speed after a change written by another process


class ChangeFeedWaker:
    def __init__(self, head: Callable[[], Awaitable[int]], interval: float,
                 quiet_interval: float | None = None) -> None:
        self._read_head = head
        self._interval = interval
        self._quiet_interval = max(interval, quiet_interval or interval)
        self._head = 0  # the head as last read; only trusted while the poller runs
        self._grew = asyncio.Event()
        self._nudged = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._followers = 0
        self._poller: asyncio.Task[None] | None = None
        self._nudges = 0  # nudges delivered on the loop: a change without a new one came from another process

    def following(self) -> contextlib.AbstractAsyncContextManager[None]:
        """While a follower is inside, the head is polled.

        A plain context manager, not an async generator: a stream whose client left mid-replay is closed only when
        it is collected, or when ``serve`` stops, and then asyncio closes every async generator left at once, in
        any order; one made by ``asynccontextmanager`` closed before its follower failed "generator didn't stop
        after athrow()" with a traceback in the log."""
        return _Following(self)

    def _enter(self) -> None:
        self._followers += 1
        self._loop = asyncio.get_running_loop()
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll(), name="change-feed-poller")

    def _leave(self) -> None:
        self._followers -= 1

    def nudge(self) -> None:
        """The feed has grown: look now rather than at the next poll. Safe from any thread."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._announce)

    def _announce(self) -> None:
        self._nudges += 1
        self._nudged.set()

    async def wait_past(self, seq: int, timeout: float) -> bool:
        """Until the feed's head is past ``seq`` (True), or ``timeout`` seconds of quiet (False)."""
        try:
            async with asyncio.timeout(timeout):
                while self._head <= seq:
                    await self._grew.wait()
        except TimeoutError:
            return False
        return True

    async def _poll(self) -> None:
        loop = asyncio.get_running_loop()
        wait, nudges, fast_until, first = self._interval, self._nudges, 0.0, True
        while self._followers:
            self._nudged.clear()
            try:
                head = await self._read_head()
            except Exception as err:  # the ledger is down: followers keep their heartbeats, and retry by reading
                log.warning("The change feed cannot be read: %s", str(err).strip().splitlines()[0] if str(err) else err)
            else:
                if head != self._head:
                    if not first and self._nudges == nudges:  # nobody here announced it: another process writes
                        fast_until = loop.time() + FOREIGN_HOLD
                    self._head = head
                    grew, self._grew = self._grew, asyncio.Event()
                    grew.set()
                    wait = self._interval
                elif loop.time() >= fast_until:
                    wait = min(wait * 2, self._quiet_interval)
                first, nudges = False, self._nudges
            try:
                await asyncio.wait_for(self._nudged.wait(), wait)
            except TimeoutError:
                pass
            else:
                wait = self._interval


class _Following(contextlib.AbstractAsyncContextManager[None]):
    def __init__(self, waker: ChangeFeedWaker) -> None:
        self._waker = waker

    async def __aenter__(self) -> None:
        self._waker._enter()

    async def __aexit__(self, *_exc: object) -> None:
        self._waker._leave()
