"""Who sits at the desk, and where their orders are: on the embedded default (or a configured Temporal), or signed
in to a team server. The window enables each decision from this, as the service will judge it.

How a desk starts: ``ORDER_DESK_SERVER_URL`` (the token from ``ORDER_DESK_SERVER_TOKEN`` or the keyring) signs in
to that server; else the server remembered from the last sign-in unless the person signed out of it (its URL in
QSettings, its token in the keyring, or asked for when no keyring kept it); else the embedded default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.errors import ErrorCode
from core.models import (
    SIGNING_ROLES,
    Action,
    Actor,
    ApprovalStep,
    OrderSummary,
    Permission,
    Role,
    permissions,
)
from core.remote.connection import BadServerUrl, server_url
from core.settings import Settings
from desktop.identity import desk_actor
from desktop.tokens import TokenStore
from desktop.views import Reviewer

if TYPE_CHECKING:
    from core.http_service import Me


@dataclass(frozen=True)
class ServerLogin:
    """A team server and the token to sign in with (None: ask the person for it)."""

    url: str
    token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Session:
    actor: Actor
    may: frozenset[Permission]
    four_eyes: bool
    server: str | None = None  # the team server's URL when signed in
    currency: str | None = None  # what a price that names none is in, where orders are made; None: not known

    @property
    def signed_in(self) -> bool:
        return self.server is not None

    def allows(self, action: Action, order: OrderSummary, steps: list[ApprovalStep] | None = None) -> bool:
        """Whether ``action`` on ``order`` would pass the service's rules (the workflow's ``refusal()``): its
        status; the role, and for approve and reject the role the awaited step needs; four-eyes, the creator
        signing no step and, where the order's ``steps`` are known, nobody signing two."""
        if not action.allowed_from(order.status):
            return False
        own = order.created_by == self.actor.name
        if action is Action.CANCEL:
            return Permission.CANCEL_ANY in self.may or (Permission.CANCEL_OWN in self.may and own)
        if action is Action.APPROVE:
            return self.approve_refusal(order, steps) is None
        return Permission(action.value) in self.may and self.may_sign(order.awaiting_role)

    def approve_refusal(self, order: OrderSummary, steps: list[ApprovalStep] | None = None) -> ErrorCode | None:
        """Why the service would refuse this person's approval of ``order`` though its status allows one, as the
        refusal's code (``allows`` is the yes or no): the role, the step's role, four-eyes. None: it would not."""
        if not Action.APPROVE.allowed_from(order.status):
            return None
        if Permission.APPROVE not in self.may:
            return ErrorCode.MANAGER_ONLY
        if not self.may_sign(order.awaiting_role):
            return ErrorCode.WRONG_STEP_ROLE
        if self.four_eyes and order.created_by == self.actor.name:
            return ErrorCode.FOUR_EYES
        if self.four_eyes and self.signed(steps):
            return ErrorCode.ALREADY_SIGNED
        return None

    def may_sign(self, step: Role | None) -> bool:
        """Whether this person's role may sign a step awaiting ``step`` (no role restricts nothing)."""
        return step is None or self.actor.role is None or self.actor.role.may_sign(step)

    def signed(self, steps: list[ApprovalStep] | None) -> bool:
        """Whether this person signed one of ``steps`` already."""
        return any(step.signature is not None and step.signature.actor == self.actor.name for step in steps or ())

    @property
    def reviewer(self) -> Reviewer:
        """What this person may sign next, as the "Needs my review" view asks for it."""
        roles = frozenset(role for role in SIGNING_ROLES if self.may_sign(role)) \
            if Permission.APPROVE in self.may else frozenset()
        return Reviewer(roles, self.actor.name if self.four_eyes else None)


def local_session(settings: Settings) -> Session:
    """On the embedded default: ``ORDER_DESK_ACTOR`` with the role ``ORDER_DESK_ROLES`` gives; four-eyes applies
    once identities are configured, as the service applies it."""
    actor = desk_actor(settings)
    return Session(actor, permissions(actor.role), settings.four_eyes and settings.identities_configured,
                   currency=settings.default_currency)


def server_session(me: Me, url: str) -> Session:
    """Signed in: who the server says the token is, what ``GET /me`` says they may do, and the server's default
    currency (never this desk's settings': the server prices an order that names none in its own)."""
    return Session(Actor(name=me.name, role=me.role), frozenset(me.may), me.four_eyes, url, me.currency)


def startup_login(settings: Settings, remembered: str | None, tokens: TokenStore,
                  signed_out: bool = False) -> ServerLogin | None:
    """The server this desk signs in to at start, if any (see the module's docstring). A desk closed signed in to
    a server comes back to it: with the keyring's token, or asking for one (no keyring kept it). Coming back as a
    desk of its own instead would let a clerk work on orders the team never sees, unaware."""
    if settings.server_url:
        url = exact_url(settings.server_url)
        token = settings.server_token.get_secret_value() if settings.server_token else tokens.get(url)
        return ServerLogin(url, token)
    if remembered:
        token = tokens.get(remembered)
        if token or not signed_out:
            return ServerLogin(remembered, token)
    return None


def exact_url(url: str) -> str:
    """The URL as the desk keys its token by (``server.example`` -> ``https://server.example``); as typed when it
    cannot name a server, so signing in says why."""
    try:
        return server_url(url)
    except BadServerUrl:
        return url
