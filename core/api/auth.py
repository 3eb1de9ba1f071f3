"""Who may call the API and who the caller is.

Three modes, from the settings: no token (the seed's open demo, loopback only; the actor is ``X-Actor``);
one shared ``ORDER_DESK_API_TOKEN`` (every caller must present it; the actor is still ``X-Actor``); a
tokens file ``{"<token>": {"user": ..., "role": ...}}`` (the token decides the actor and the role, so the
workflow's role and four-eyes rules apply). Tokens are compared in constant time and never logged.
"""

from __future__ import annotations

import json
import logging
import secrets
from pathlib import Path
from typing import Annotated

from fastapi import Header, HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, StringConstraints, TypeAdapter, ValidationError

from core.models import Actor, Role
from core.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_ACTOR = "api"
_bearer = HTTPBearer(auto_error=False, description="`ORDER_DESK_API_TOKEN` or a token of the tokens file")


class AuthConfigError(ValueError):
    """The tokens file cannot be used; the message says why in one line."""


class Identity(BaseModel):
    """One entry of the tokens file."""

    model_config = ConfigDict(extra="forbid")

    user: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    role: Role


_TOKENS = TypeAdapter(dict[Annotated[str, StringConstraints(min_length=1)], Identity])


def load_tokens(path: Path) -> dict[str, Identity]:
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
        raise AuthConfigError(f"the tokens file {path} is invalid at {where}: {first['msg']} "
                              f'(expected {{"<token>": {{"user": "alice", "role": "clerk|manager"}}}})') from err


class Authenticator:
    """Checks bearer tokens. ``identity`` of a valid token is its tokens-file entry, or None for the
    shared token (whose callers then name themselves with ``X-Actor``)."""

    def __init__(self, settings: Settings) -> None:
        self.identities: dict[str, Identity] | None = None
        self.shared_token: str | None = None
        if settings.tokens_file is not None:
            self.identities = load_tokens(settings.tokens_file)
            if settings.api_token is not None:
                log.warning("ORDER_DESK_API_TOKEN is ignored: a tokens file is configured and decides who acts")
        elif settings.api_token is not None:
            self.shared_token = settings.api_token.get_secret_value()

    @property
    def required(self) -> bool:
        return self.identities is not None or self.shared_token is not None

    def check(self, token: str) -> tuple[bool, Identity | None]:
        """Whether ``token`` is valid and whose it is. Every known token is compared, so the time taken
        does not say how close a guess came or which entry it matched."""
        supplied = token.encode()
        if self.identities is not None:
            found: Identity | None = None
            for known, identity in self.identities.items():
                if secrets.compare_digest(supplied, known.encode()):
                    found = identity
            return found is not None, found
        assert self.shared_token is not None
        return secrets.compare_digest(supplied, self.shared_token.encode()), None


def _authenticator(request: Request) -> Authenticator:
    return request.app.state.authenticator


async def require_token(request: Request,
                        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]) -> None:
    """Router dependency where auth is on: 401 without a valid ``Authorization: Bearer <token>``."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "this API needs Authorization: Bearer <token>",
                            headers={"WWW-Authenticate": "Bearer"})
    valid, identity = _authenticator(request).check(credentials.credentials)
    if not valid:
        raise HTTPException(401, "the bearer token is not valid",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    request.state.identity = identity


ActorHeader = Annotated[str | None, Header(
    alias="X-Actor", min_length=1, max_length=100, pattern=r"[^\s\x00-\x1f\x7f]",
    description=f"who acts (recorded on the order), 1-100 characters, at least one visible; default `{DEFAULT_ACTOR}`. "
                "Ignored when a tokens file is configured: the token decides.")]


async def current_actor(request: Request, x_actor: ActorHeader = None) -> Actor:
    """The token's user and role with a tokens file; otherwise whoever ``X-Actor`` names, unrestricted."""
    identity: Identity | None = getattr(request.state, "identity", None)
    if identity is not None:
        return Actor(name=identity.user, role=identity.role)
    return Actor(name=x_actor or DEFAULT_ACTOR)
