"""A tiny SQLite record of what was fulfilled, keyed by order ID so a retried activity never doubles it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from core.models import FulfilmentInput

_SCHEMA = """
CREATE TABLE IF NOT EXISTS fulfilment (
    order_id TEXT PRIMARY KEY,
    outcome TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT,
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)
"""


class FulfilmentStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=wal")
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def record(self, entry: FulfilmentInput) -> bool:
        """Insert the order's one fulfilment row; False when it was already there (a retry)."""
        with self._connect() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO fulfilment (order_id, outcome, actor, reason) VALUES (?, ?, ?, ?)",
                (entry.order_id, entry.outcome.value, entry.actor, entry.reason),
            )
            return cursor.rowcount == 1

    def outcome(self, order_id: str) -> str | None:
        with self._connect() as db:
            row = db.execute("SELECT outcome FROM fulfilment WHERE order_id = ?", (order_id,)).fetchone()
        return row[0] if row else None

    def count(self, order_id: str | None = None) -> int:
        with self._connect() as db:
            if order_id is None:
                return db.execute("SELECT COUNT(*) FROM fulfilment").fetchone()[0]
            return db.execute("SELECT COUNT(*) FROM fulfilment WHERE order_id = ?", (order_id,)).fetchone()[0]
