"""The one shape of every command: busy at once, a failure turned into a message, busy cleared before the
result is used, and nothing left busy by a command cancelled on closing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from desktop.command_runner import CommandRunner
from desktop.reports import Message, Severity

Aio = Callable[..., Any]


class Seen:
    def __init__(self) -> None:
        self.events: list[tuple[str, ...]] = []
        self.runner = CommandRunner(lambda command, busy: self.events.append(("busy", command, str(busy))),
                                    lambda message: self.events.append(("message", message.text)))


async def answer(value: str) -> str:
    await asyncio.sleep(0)
    return value


async def fail() -> str:
    await asyncio.sleep(0)
    raise OSError("disk full")


def test_a_command_is_busy_at_once_and_idle_before_its_result_is_used(aio: Aio) -> None:
    seen = Seen()
    seen.runner.run("export", "Exporting", answer("42 rows"), lambda err: None,
                    done=lambda result: seen.events.append(("done", result)),
                    after=lambda: seen.events.append(("after",)))
    assert seen.runner.busy("export")  # before the call has even begun: a second click sees it

    aio(asyncio.sleep(0.05))
    assert seen.events == [("busy", "export", "True"), ("busy", "export", "False"), ("after",),
                           ("done", "42 rows")]


def test_a_failure_becomes_the_message_its_command_words(aio: Aio) -> None:
    seen = Seen()
    seen.runner.run("export", "Exporting", fail(),
                    lambda err: Message(f"The export failed: {err}", Severity.ERROR, "export"),
                    done=lambda result: seen.events.append(("done", result)))
    aio(asyncio.sleep(0.05))
    assert seen.events == [("busy", "export", "True"), ("message", "The export failed: disk full"),
                           ("busy", "export", "False")]


def test_closing_cancels_every_command_and_leaves_none_busy(aio: Aio) -> None:
    seen = Seen()
    seen.runner.run("export", "Exporting", asyncio.sleep(3600), lambda err: None)
    aio(asyncio.sleep(0.01))  # under way

    async def create_then_close() -> None:
        seen.runner.run("create", "Creating", asyncio.sleep(3600), lambda err: None)  # not begun yet
        await seen.runner.cancel_all()

    aio(create_then_close())

    assert not seen.runner.busy("export") and not seen.runner.busy("create")
    assert [event for event in seen.events if event[0] == "message"] == []  # a cancellation is no failure
