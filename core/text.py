"""Text as the ledger stores and searches it: one normal form, one search form."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Search form of a text: NFC first, so Vietnamese typed decomposed (macOS) matches composed text."""
    return unicodedata.normalize("NFC", text).casefold()
