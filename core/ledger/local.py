"""What the ledgers of one process share about one database: a write lock (SQLite) and who to tell of new changes.

A process holds several ``Ledger`` objects on one database (the service's, the embedded worker's), so this lives
with the database, not with an object.

- **One writer at a time, queued in Python (SQLite only).** SQLite allows one write transaction per file; a second
  thread that tries meanwhile is put to sleep by SQLite's busy handler in steps of 1, 2, 5 ... 100 ms and retries,
  so with the worker's activity threads writing at once an activity often slept far longer than the write it waited
  for (its slot taken, the next activity sent through Temporal's matching, the change late on every screen). A
  ``threading.Lock`` wakes the next writer the moment the lock is free. Other processes on the file still meet the
  busy handler; PostgreSQL needs none of this.
- **A change written here is announced here at once**: ``ChangeFeedWaker`` looks at the feed when a write of this
  process commits new changes, instead of at its next poll. Changes written by other processes are still found by
  the poll (``ORDER_DESK_EVENTS_POLL``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


@dataclass
class LocalDatabase:
    serialise_writes: bool
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _listeners: list[Callable[[], None]] = field(default_factory=list)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Around one write transaction, begin to commit."""
        if not self.serialise_writes:
            yield
            return
        with self._lock:
            yield

    def listen(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` (from the writing thread: it must only hand over) after each commit of new changes;
        returns what stops it."""
        with self._guard:
            self._listeners.append(listener)

        def stop() -> None:
            with self._guard, contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return stop

    def changed(self) -> None:
        with self._guard:
            listeners = list(self._listeners)
        for listener in listeners:
            listener()


_databases: dict[str, LocalDatabase] = {}
_databases_guard = threading.Lock()


def database(key: str, *, sqlite: bool) -> LocalDatabase:
    """The process's one ``LocalDatabase`` of the database ``key`` (its rendered URL)."""
    with _databases_guard:
        found = _databases.get(key)
        if found is None:
            found = _databases[key] = LocalDatabase(serialise_writes=sqlite)
        return found
