"""Who may call the API and who the caller is.

Three modes, decided on every request, so a server is a team server the moment its first user is added:

- ``users``: the user store has users (revoked ones count), or ``ORDER_DESK_TEAM`` or a tokens file is set. Every
  request needs a user's own token, and the token alone says who acts and with which role: deny by default, an
  unknown token is 401 ``unauthorized``, a revoked user's 401 ``token_revoked``. The user is looked up on every
  request (one indexed read), so a revocation holds at once; a tokens file still answers for its tokens.
- ``shared_token``: ``ORDER_DESK_API_TOKEN`` and no users. Every caller presents it; it cannot tell people apart,
  so the actor is fixed (``api``) and no role or four-eyes rule can apply (``serve`` refuses to combine them).
- ``open``: neither, the seed's loopback demo. ``X-Actor`` names the actor; nobody is restricted.

Tokens are compared in constant time and never logged.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Header, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException

from core.errors import ErrorCode, TemporalUnavailable
from core.models import Actor, PersonName, Role
from core.settings import Settings
from core.users import AuthConfigError, Identity, Users, load_tokens, token_hash

__all__ = ["AuthConfigError", "AuthMode", "Authenticator", "Caller", "authenticate", "current_actor", "known_caller"]

log = logging.getLogger(__name__)

DEFAULT_ACTOR = "api"
_bearer = HTTPBearer(auto_error=False, description="a user's personal token (`order-desk users add`), or "
                                                   "`ORDER_DESK_API_TOKEN`; none in the open loopback demo")


class AuthMode(StrEnum):
    OPEN = "open"
    SHARED_TOKEN = "shared_token"
    USERS = "users"


@dataclass(frozen=True)
class Caller:
    """Who is calling: a user of the store or of the tokens file (``users``), the shared token, or anyone."""

    mode: AuthMode
    name: str | None = None
    role: Role | None = None
    token_hash: str | None = field(default=None, repr=False)  # a store user's: a long stream re-checks it


class Unauthenticated(HTTPException):
    """A 401 with its ``code`` (``core.api.errors`` sends it in the body) and a ``WWW-Authenticate`` challenge."""

    def __init__(self, detail: str, code: ErrorCode = ErrorCode.UNAUTHORIZED, challenge: str = "Bearer") -> None:
        super().__init__(401, detail, headers={"WWW-Authenticate": challenge})
        self.code = code


_INVALID = 'Bearer error="invalid_token"'


class Authenticator:
    """Decides the mode and the caller of each request, from the settings and the user store."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.identities: dict[str, Identity] | None = None
        self.shared_token: str | None = None
        self._users_seen = settings.team  # once users exist they stay (revoking keeps the row)
        if settings.tokens_file is not None:
            self.identities = load_tokens(settings.tokens_file)
            self._users_seen = True
            if settings.api_token is not None:
                log.warning("ORDER_DESK_API_TOKEN is ignored: a tokens file is configured and decides who acts")
        elif settings.api_token is not None:
            self.shared_token = settings.api_token.get_secret_value()

    async def users_mode(self, users: Users) -> bool:
        if not self._users_seen:
            self._users_seen = await asyncio.to_thread(users.exist)
        return self._users_seen

    async def caller(self, token: str | None, users: Users) -> Caller:
        if token is not None:
            digest = token_hash(token)
            user = await asyncio.to_thread(users.by_token_hash, digest)
            if user is not None:
                self._users_seen = True
                if not user.active:
                    raise Unauthenticated("this token was revoked (`order-desk users revoke`)", ErrorCode.TOKEN_REVOKED,
                                          _INVALID)
                return Caller(AuthMode.USERS, user.name, user.role, digest)
        if await self.users_mode(users):
            if token is None:
                raise Unauthenticated("this server needs Authorization: Bearer <your personal token>")
            identity = self._from_tokens_file(token)
            if identity is None and self._is_shared(token):  # a caller who holds it may learn why it stopped working
                raise Unauthenticated("ORDER_DESK_API_TOKEN no longer opens this server: it has users now (`order-desk "
                                      "users add`), and each person signs in with their own token", challenge=_INVALID)
            if identity is None:
                raise Unauthenticated("the bearer token is not valid", challenge=_INVALID)
            return Caller(AuthMode.USERS, identity.user, identity.role)
        if self.shared_token is not None:
            if token is None:
                raise Unauthenticated("this API needs Authorization: Bearer <token>")
            if not self._is_shared(token):
                raise Unauthenticated("the bearer token is not valid", challenge=_INVALID)
            return Caller(AuthMode.SHARED_TOKEN)
        return Caller(AuthMode.OPEN)

    async def still_valid(self, caller: Caller, users: Users) -> bool:
        """Whether a store user is still who they were (not revoked, not rotated away): a stream asks again."""
        if caller.token_hash is None:
            return True
        user = await asyncio.to_thread(users.by_token_hash, caller.token_hash)
        return user is not None and user.active

    def _is_shared(self, token: str) -> bool:
        return self.shared_token is not None and secrets.compare_digest(token.encode(), self.shared_token.encode())

    def _from_tokens_file(self, token: str) -> Identity | None:
        """Every entry is compared, so the time taken does not say how close a guess came or which it matched."""
        found: Identity | None = None
        for known, identity in (self.identities or {}).items():
            if secrets.compare_digest(token.encode(), known.encode()):
                found = identity
        return found


def users_of(request: Request) -> Users:
    service = getattr(request.app.state, "service", None)
    if service is None:
        raise TemporalUnavailable("the service is not connected to Temporal")
    return service.users


async def authenticate(request: Request,
                       credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]) -> Caller:
    """Router dependency of every guarded route: the caller, or 401 with its code."""
    if credentials is not None and credentials.scheme.lower() != "bearer":
        raise Unauthenticated("this API needs Authorization: Bearer <token>")
    authenticator: Authenticator = request.app.state.authenticator
    return await authenticator.caller(credentials.credentials if credentials else None, users_of(request))


async def known_caller(request: Request) -> Caller | None:
    """For routes anyone may call that tell a caller the server knows more: the caller, or None for a token that is
    missing, wrong or revoked on a server that needs one (the open demo knows everyone: a ``Caller`` there, whatever
    is sent). It reads the header itself, so the route's OpenAPI entry does not claim a token is needed."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    presented = token.strip() if scheme.lower() == "bearer" and token.strip() else None
    authenticator: Authenticator = request.app.state.authenticator
    try:
        return await authenticator.caller(presented, users_of(request))
    except Unauthenticated:
        return None


def utf8_header(value: object) -> object:
    """A header value as the text the client sent. Starlette decodes header bytes as Latin-1 (HTTP's old charset),
    but curl, browsers and httpx (given bytes) send a non-ASCII value as UTF-8: ``José`` would arrive as ``JosÃ©``,
    and ``Nguyễn`` with a C1 control character (``ễ`` is E1 BB 85; 0x85 read as Latin-1 is U+0085). So the str goes
    back to the bytes on the wire and is decoded as UTF-8; bytes that are not UTF-8 are a 422 naming the header,
    never a guess. The name's own rules (``ActorName``) then apply to the decoded text."""
    if not isinstance(value, str) or value.isascii():
        return value
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        return value  # not from the wire's bytes (Starlette's str never holds more than U+00FF): text already
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise PydanticCustomError("string_unicode", "must be UTF-8 (found byte 0x{byte})",
                                  {"byte": f"{raw[err.start]:02X}"}) from None


ActorHeader = Annotated[
    Annotated[PersonName, BeforeValidator(utf8_header)] | None,
    Header(alias="X-Actor", description=f"who acts (recorded on the order): UTF-8, 1-100 characters once trimmed, no "
                                        f"control characters, not `system`; default `{DEFAULT_ACTOR}`. Honoured only "
                                        "in the open loopback demo: with a token, the token decides.")]


async def current_actor(caller: Annotated[Caller, Depends(authenticate)], x_actor: ActorHeader = None) -> Actor:
    """The user and role of the token; the fixed ``api`` with the shared token; whoever ``X-Actor`` names in the
    open demo, unrestricted."""
    if caller.mode is AuthMode.USERS:
        return Actor(name=caller.name, role=caller.role)
    if caller.mode is AuthMode.SHARED_TOKEN:
        return Actor(name=DEFAULT_ACTOR)
    return Actor(name=x_actor or DEFAULT_ACTOR)
