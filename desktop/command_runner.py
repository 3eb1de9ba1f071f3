"""The one shape of every call the desk makes on a person's behalf, after qasync's ``aiohttp_fetch`` example:
mark the command busy, await the call as a task on the Qt loop, turn a failure into a message for the window,
and clear busy in ``finally``. Written once here instead of once per command.

Busy is marked before ``run`` returns, so a second click in the same moment already sees it. Every call runs
as a task this runner keeps, so closing the desk can cancel whatever is still under way.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import TypeVar

from core.embedded_server import EmbeddedServerError
from core.errors import OrderDeskError
from core.remote.connection import BadServerUrl
from desktop.boot_messages import TeamLedger
from desktop.reports import Message

log = logging.getLogger(__name__)

T = TypeVar("T")
# Failures a person can act on, reported without a traceback in the log; anything else is a bug worth one.
EXPECTED = (OrderDeskError, OSError, TeamLedger, EmbeddedServerError, BadServerUrl)


def _nothing(*_: object) -> None:
    return None


class CommandRunner:
    def __init__(self, busy_changed: Callable[[str, bool], None], report: Callable[[Message], None]) -> None:
        self._busy_changed = busy_changed
        self._report = report
        self._busy: Counter[str] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()

    def busy(self, command: str) -> bool:
        return self._busy[command] > 0

    def run(self, command: str, what: str, call: Awaitable[T], failed: Callable[[Exception], Message | None],
            done: Callable[[T], None] = _nothing, after: Callable[[], None] = _nothing) -> None:
        """Run ``call`` as ``command`` (also the source of its messages). On failure, ``failed`` words the error
        (None: it was reported elsewhere) and ``what`` names the call in the log. Busy is cleared, then
        ``after`` runs whatever happened, then ``done`` gets the result if there is one."""
        self._mark(command, +1)
        task = asyncio.ensure_future(self._attempt(command, what, call, failed, done, after))
        self._tasks.add(task)
        task.add_done_callback(lambda _: self._finished(task, command, call))

    async def _attempt(self, command: str, what: str, call: Awaitable[T], failed: Callable[[Exception], Message | None],
                       done: Callable[[T], None], after: Callable[[], None]) -> None:
        try:
            result = await call
        except Exception as err:
            log.warning("%s failed: %s", what, err, exc_info=not isinstance(err, EXPECTED))
            message = failed(err)
            if message is not None:
                self._report(message)
            return
        finally:
            self._mark(command, -1)
            after()
        done(result)

    def _finished(self, task: asyncio.Task[None], command: str, call: Awaitable[object]) -> None:
        self._tasks.discard(task)
        if inspect.iscoroutine(call) and inspect.getcoroutinestate(call) == inspect.CORO_CREATED:
            call.close()  # cancelled before it began (closing): never awaited, so never marked idle either
            self._mark(command, -1)

    async def cancel_all(self) -> None:
        """Cancel every call under way (but the one asking) and wait until each has finished."""
        current = asyncio.current_task()
        for task in [task for task in self._tasks if task is not current]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _mark(self, command: str, step: int) -> None:
        was = self.busy(command)
        self._busy[command] += step
        if self.busy(command) != was:
            self._busy_changed(command, not was)
