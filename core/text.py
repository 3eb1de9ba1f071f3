"""Text as the ledger stores and searches it: one normal form, only characters every database holds.

PostgreSQL refuses NUL in text, SQLite and spreadsheets mangle other control characters, and a lone surrogate
cannot be encoded at all; text with them is refused at the door (a 422 naming the field, an inline error in the
desk's form) instead of wedging an order whose ledger write then fails for ever. Text is NFC-normalised first, so
a limit counts the characters that are stored, and Vietnamese typed decomposed (macOS) equals composed text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

CONTROL_CHARACTER = "control_character"  # the validation error's type
# C0 and C1 control characters and DEL. Pydantic itself refuses a lone surrogate in a str ("string_unicode").
SINGLE_LINE = r"^[^\x00-\x1f\x7f-\x9f]*$"
# The same, but a line break or a tab may separate the lines of a longer text (a reason).
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"


def stored_form(value: object) -> object:
    """A text as it is stored: NFC, surrounding white space trimmed; anything else is left for the type check."""
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value


def fold(text: str) -> str:
    """Search form of a text: NFC first, then case-folded (``ß`` -> ``ss``, so it may be longer than the text)."""
    return unicodedata.normalize("NFC", text).casefold()


def _control_character(found: str) -> PydanticCustomError:
    # A type of its own (REST's FieldError.type, the desk's wording), not a generic value_error.
    return PydanticCustomError(CONTROL_CHARACTER, "must not contain control characters (found {character})",
                               {"character": f"U+{ord(found):04X}"})


def _no_controls(pattern: str) -> Callable[[str], str]:
    allowed = re.compile(pattern)

    def check(value: str) -> str:
        if not allowed.fullmatch(value):
            raise _control_character(next(char for char in value if not allowed.fullmatch(char)))
        return value

    return check


_INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})  # controls, format characters (U+200B, U+FEFF), spaces


def visible(value: str) -> str:
    """Text that must say something says something visible: only U+200B or U+FEFF would be an order of nothing, an
    actor nobody can read. The same error as an empty text (the desk asks for what is ordered). Checked where text
    comes in (an order's item, who a person says they are, a new user), never on what the workflows carry: a
    decision recorded before this check must still replay."""
    if value and all(unicodedata.category(char) in _INVISIBLE for char in value):
        raise PydanticCustomError("string_too_short", "must contain a visible character", {"min_length": 1})
    return value


DIRECTION_OVERRIDES = frozenset("\u202d\u202e")  # LRO, RLO


def no_direction_override(value: str) -> str:
    """No LRO or RLO: they show what follows them reversed (``a\u202eexe.live`` reads ``aevil.exe``), the
    "Trojan Source" trick, and run on into whatever a face shows after the text. The embeddings and marks that text
    pasted from Windows or a chat carries (U+202A-U+202C, U+200E/U+200F, isolates) stay allowed. Checked where text
    comes in, as ``visible`` is; the same error as a control character (the desk asks to remove it)."""
    found = next((char for char in value if char in DIRECTION_OVERRIDES), None)
    if found is not None:
        raise _control_character(found)
    return value


def stored_text(max_length: int, min_length: int = 0, multiline: bool = False) -> object:
    """A text field as the ledger stores it: NFC, trimmed, ``min_length``-``max_length`` characters, no control
    characters (but line breaks and tabs when ``multiline``). The pattern is in the JSON schema, so OpenAPI says
    what is refused; the check itself gives a message a person can act on."""
    pattern = MULTI_LINE if multiline else SINGLE_LINE
    # Metadata wraps left to right: the before-validator (outermost) runs first, then str with its constraints.
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length), BeforeValidator(stored_form),
                     AfterValidator(_no_controls(pattern)), Field(json_schema_extra={"pattern": pattern})]
