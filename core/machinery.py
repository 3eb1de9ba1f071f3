"""What start-up runs but a window does not need: the ledger, the Temporal SDK, the service and the worker, about
0.6 s of imports. A desk shows its window first and imports these afterwards, in one thread, in the order start-up
needs them, while its Qt thread stays free and the embedded server's process boots.

One thread, one after the other: two threads importing parts of ``temporalio`` at once can meet a partly
initialised module (``AttributeError: partially initialized module 'temporalio'``). Each step awaits only as far
as it needs (``imported("core.users")`` for the ledger check, ``imported("core.search_attributes")`` for the
server's command line, ``imported()`` for the rest).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from importlib import import_module

MODULES = (
    "core.users",  # SQLAlchemy and the ledger: whether the ledger has users, asked before anything starts
    "core.search_attributes",  # the SDK's common types: the embedded server's command line
    "temporalio.client",  # is the server up, and its retention
    "core.service",  # the workflow, the client and the service
    "core.worker",
)

_lock = threading.Lock()
_done: dict[str, concurrent.futures.Future[None]] = {}


def _import_all(futures: dict[str, concurrent.futures.Future[None]]) -> None:
    for name, future in futures.items():
        try:
            import_module(name)
        except BaseException as err:  # every later step fails the same way: say so to whoever waits for them
            for waiting in futures.values():
                if not waiting.done():
                    waiting.set_exception(err)
            return
        future.set_result(None)


def _started() -> dict[str, concurrent.futures.Future[None]]:
    with _lock:
        if not _done:
            _done.update({name: concurrent.futures.Future() for name in MODULES})
            threading.Thread(target=_import_all, args=(dict(_done),), name="order-desk-imports", daemon=True).start()
        return _done


async def imported(name: str = MODULES[-1]) -> None:
    """Until ``name`` and every module before it in ``MODULES`` are imported (the first call starts the thread).
    Any event loop may wait, in any thread: what a failed import raised is raised here."""
    await asyncio.wrap_future(_started()[name])
