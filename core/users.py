"""The users of a team server: a name, a role, and a personal token, kept in the ledger database.

A token is ``odt_`` and 32 random bytes (256 bits) in base64url: recognisable (a secret scanner can look for it)
and unguessable. Only its SHA-256 is stored: a 256-bit random secret needs no slow hash, since there is nothing to
guess. A token is looked up by that hash and still compared with ``secrets.compare_digest``; it is shown once, when
it is made, and never logged. Names are stored NFC-normalised, so "Nguyễn Văn An" typed decomposed is the same
person. Revoking keeps the user's row: a store that once had users never falls back to the open demo.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NamedTuple

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, TypeAdapter, ValidationError

from core.ledger.users import UserRow, UserTable
from core.models import SYSTEM_ACTOR, ActorName, Role
from core.text import fold, no_direction_override, visible

TOKEN_PREFIX = "odt_"
TOKEN_BYTES = 32
WEAK_TOKEN_CHARACTERS = 32  # an imported token shorter than this is accepted, with advice to rotate it
RESERVED_NAMES = frozenset({SYSTEM_ACTOR, "api"})  # the workflow's own actor, and the open demo's default one
_NAME = TypeAdapter(ActorName)
_NEW_NAME = TypeAdapter(Annotated[ActorName, AfterValidator(visible), AfterValidator(no_direction_override)])


class UserError(ValueError):
    """A user command that cannot be done; the message says why in one line (and never holds a token)."""


class AuthConfigError(ValueError):
    """The tokens file cannot be used; the message says why in one line."""


class User(BaseModel):
    """A user as everyone but the store sees them: no token, no hash."""

    name: str
    role: Role
    created_at: datetime
    token_created_at: datetime
    revoked_at: datetime | None = None
    email: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Identity(BaseModel):
    """One entry of a tokens file (``ORDER_DESK_TOKENS_FILE``)."""

    model_config = ConfigDict(extra="forbid")

    user: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    role: Role


class ImportCode(StrEnum):
    """What ``Users.import_tokens`` did with one entry of a tokens file, for programs (``ImportStep.line`` words it
    for the operator)."""

    IMPORTED = "imported"
    ALREADY_IMPORTED = "already_imported"  # its user is in the store with this very token (a second run)
    INVALID_NAME = "invalid_name"
    SECOND_TOKEN = "second_token"  # a user has one token: the file's first one for them was taken
    NAME_TAKEN = "name_taken"  # a user of this name, or of one differing only in case, is there with another token
    TOKEN_TAKEN = "token_taken"  # another user in the store has this token

    @property
    def skipped(self) -> bool:
        """Whether the store does not answer for the entry's token: it stops working once the file is unset (a
        taken token goes on working, as its holder: its own line says what to do)."""
        return self not in (ImportCode.IMPORTED, ImportCode.ALREADY_IMPORTED, ImportCode.TOKEN_TAKEN)


class ImportStep(NamedTuple):
    code: ImportCode
    line: str  # never holds a token


_TOKENS = TypeAdapter(dict[Annotated[str, StringConstraints(min_length=1)], Identity])


def load_tokens(path: Path) -> dict[str, Identity]:
    """The tokens file ``{"<token>": {"user": ..., "role": ...}}``; an error never repeats a token."""
    try:
        return _TOKENS.validate_python(json.loads(path.read_text(encoding="utf-8")))
    except OSError as err:
        raise AuthConfigError(f"cannot read the tokens file {path}: {err.strerror}") from err
    except json.JSONDecodeError as err:
        raise AuthConfigError(f"the tokens file {path} is not valid JSON: {err}") from err
    except ValidationError as err:
        first = err.errors()[0]
        # The location starts with the token itself: never repeat it.
        where = "".join(f".{part}" for part in first["loc"][1:])
        where = f"<token>{where}" if first["loc"] else "the top level"
        raise AuthConfigError(
            f"the tokens file {path} is invalid at {where}: {first['msg']} "
            f'(expected {{"<token>": {{"user": "alice", "role": "clerk|manager|director"}}}})') from err


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_name(raw: str, new: bool = False) -> str:
    """``raw`` as a stored name: NFC, trimmed, 1-100 characters, no control characters, not a reserved name; a
    ``new`` user's also has a visible character (only there: a user named so before can still be found and
    revoked)."""
    try:
        name = (_NEW_NAME if new else _NAME).validate_python(raw)
    except ValidationError as err:
        raise UserError(f"invalid user name: {err.errors()[0]['msg']}") from None
    if name.casefold() in RESERVED_NAMES:
        raise UserError(f"{name!r} is reserved (it names the system or the open demo's caller); choose another name")
    return name


_EMAIL = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+")


def email_address(raw: str | None) -> str | None:
    """``raw`` as a notice address (trimmed; empty: none), or UserError: one plain ``name@domain`` address, at
    most 254 characters, nothing a mail header could be bent with."""
    if raw is None or not raw.strip():
        return None
    address = raw.strip()
    if len(address) > 254 or not _EMAIL.fullmatch(address):
        raise UserError(f"{raw!r} is not an e-mail address such as an@example.com")
    return address


def ledger_has_users(ledger_url: str) -> bool:
    """Whether the ledger at ``ledger_url`` holds any user, revoked ones too: then it is a team's ledger, where who
    acts comes from a verified token, never from a claim. One ``EXISTS`` query on the users table; nothing is
    migrated or written (a ledger from before the user store has no such table, and no users). Blocking: call it
    off an event loop's thread."""
    from core.ledger.store import Ledger

    ledger = Ledger(ledger_url, migrate=False)
    try:
        return ledger.users.created() and Users(ledger.users).exist()
    finally:
        ledger.close()


def _user(row: UserRow) -> User:
    return User(**row.model_dump(exclude={"token_hash"}))


class Users:
    def __init__(self, table: UserTable) -> None:
        self.table = table

    def add(self, name: str, role: Role, email: str | None = None) -> tuple[User, str]:
        """A new user and their token (shown only now); ``email``: where their approval notices go."""
        name, token, now = user_name(name, new=True), new_token(), datetime.now(UTC)
        row = UserRow(name=name, role=role, token_hash=token_hash(token), created_at=now, token_created_at=now,
                      email=email_address(email))
        alike = self._alike(name)
        if alike is not None or not self.table.insert(row):
            raise UserError(f"a user named {alike or name!r} already exists (names are told apart regardless of "
                            f"case; `order-desk users rotate` gives a new token)")
        return _user(row), token

    def _alike(self, name: str) -> str | None:
        """The user whose name differs from ``name`` in case only (``Mona`` for ``mona``), if any: two such users
        would read as one person in every history. The store holds a team's users: a few rows to read."""
        return next((user.name for user in self.table.all() if fold(user.name) == fold(name)), None)

    def rotate(self, name: str) -> tuple[User, str]:
        """A new token for ``name``; the old one is refused from now on. A revoked user is active again."""
        name, token = user_name(name), new_token()
        if not self.table.set_token(name, token_hash(token), datetime.now(UTC)):
            raise UserError(f"no user named {name!r}")
        return self._get(name), token

    def set_email(self, name: str, email: str | None) -> User:
        """Where ``name``'s approval notices go from now on (None or empty: nowhere)."""
        name, address = user_name(name), email_address(email)
        if not self.table.set_email(name, address):
            raise UserError(f"no user named {name!r}")
        return self._get(name)

    def revoke(self, name: str) -> User:
        """Refuse ``name``'s token from now on, everywhere (the API looks the user up on every request)."""
        name = user_name(name)
        if not self.table.revoke(name, datetime.now(UTC)):
            raise UserError(f"no user named {name!r}")
        return self._get(name)

    def list(self) -> list[User]:
        return [_user(row) for row in self.table.all()]

    def exist(self) -> bool:
        return self.table.any()

    def authenticate(self, token: str) -> User | None:
        """The user whose token this is (revoked or not: the caller says which), or None."""
        return self.by_token_hash(token_hash(token))

    def by_token_hash(self, digest: str) -> User | None:
        """As ``authenticate``, from the token's hash: a long request re-checks its caller without the token."""
        row = self.table.by_token_hash(digest)
        if row is None or not secrets.compare_digest(row.token_hash, digest):
            return None
        return _user(row)

    def by_name(self, name: str) -> User | None:
        row = self.table.by_name(name)
        return None if row is None else _user(row)

    def import_tokens(self, path: Path) -> list[ImportStep]:
        """Move a tokens file into the store, each token kept (so clients need no new one). One step per entry says
        what was done; a user already in the store (or one whose name differs only in case) is left as it is, and
        so is a token another user has: the store answers for it as that user."""
        now, done, seen = datetime.now(UTC), [], set()
        for token, identity in load_tokens(path).items():
            try:
                name = user_name(identity.user, new=True)
            except UserError as err:
                done.append(ImportStep(ImportCode.INVALID_NAME, f"skipped an entry: {err}"))
                continue
            if fold(name) in seen:
                done.append(ImportStep(ImportCode.SECOND_TOKEN, f"skipped a second token of {name!r}: a user has "
                                                                f"one token"))
                continue
            seen.add(fold(name))
            done.append(self._import(name, identity.role, token, now))
        return done

    def _import(self, name: str, role: Role, token: str, now: datetime) -> ImportStep:
        """One entry; its own token already in the store (a second run of one file) cuts nobody off, so says so."""
        digest, alike = token_hash(token), self._alike(name)
        holder = self.table.by_token_hash(digest)
        if holder is not None and fold(holder.name) == fold(name):
            return ImportStep(ImportCode.ALREADY_IMPORTED, f"{holder.name!r} is already in the store with this token")
        if alike is None and holder is not None:  # the store answers first: this token signs in as the holder
            return ImportStep(ImportCode.TOKEN_TAKEN,
                              f"skipped {name!r}: this token already belongs to another user in the store, and signs "
                              f"in as that user: two people hold one secret; give that user a new one now "
                              f"(`order-desk users rotate`)")
        row = UserRow(name=name, role=role, token_hash=digest, created_at=now, token_created_at=now)
        if alike is not None or not self.table.insert(row):
            return ImportStep(ImportCode.NAME_TAKEN, f"skipped {name!r}: a user named {alike or name!r} is already "
                                                    f"in the store")
        weak = len(token) < WEAK_TOKEN_CHARACTERS
        return ImportStep(ImportCode.IMPORTED, f"imported {name!r} ({role})" +
                          (": a short token, give them a new one with `order-desk users rotate`" if weak else ""))

    def _get(self, name: str) -> User:
        user = self.by_name(name)
        assert user is not None, "the row was just written"
        return user
