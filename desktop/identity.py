"""Who sits at this desk: ``settings.actor`` or the OS user name, with the role ``settings.roles`` gives; or,
signed in to a team server, who its token says."""

from __future__ import annotations

import getpass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from core.models import Actor, Role
from core.settings import Settings

FALLBACK_NAME = "desk"
MAX_NAME = 100  # core.models.Actor.name
ROLE_NAMES = {
    Role.CLERK: QT_TRANSLATE_NOOP("Identity", "clerk"),
    Role.MANAGER: QT_TRANSLATE_NOOP("Identity", "manager"),
    Role.DIRECTOR: QT_TRANSLATE_NOOP("Identity", "director"),
}


def role_text(role: Role) -> str:
    """``manager``, or ``quản lý``: a role as the interface's language names it."""
    return QCoreApplication.translate("Identity", ROLE_NAMES[role])


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in the environment and none in the password database
        return FALLBACK_NAME


def desk_actor(settings: Settings) -> Actor:
    """With roles configured, a name they do not list is a clerk: deny by default (with no role the rules restrict
    nobody, so an unlisted name could sign even a director's step). With none configured nobody is restricted."""
    name = ((settings.actor or "").strip() or os_user().strip() or FALLBACK_NAME)[:MAX_NAME]
    return Actor(name=name, role=settings.roles.get(name, Role.CLERK if settings.roles else None))


def signed_in_as(actor: Actor, url: str) -> str:
    """``Signed in as mona (manager) · https://orders.example.com``."""
    if actor.role is None:
        return QCoreApplication.translate("Identity", "Signed in as {name} · {url}").format(name=actor.name, url=url)
    return QCoreApplication.translate("Identity", "Signed in as {name} ({role}) · {url}").format(
        name=actor.name, role=role_text(actor.role), url=url)


def not_signed_in() -> str:
    """While a sign-in is asked for (a refused token, or a ledger that has users): nobody acts from this desk."""
    return QCoreApplication.translate("Identity", "Not signed in: sign in to act on these orders")


def describe(actor: Actor) -> str:
    if actor.role is None:
        return QCoreApplication.translate("Identity", "Acting as {name}").format(name=actor.name)
    return QCoreApplication.translate("Identity", "Acting as {name} ({role})").format(
        name=actor.name, role=role_text(actor.role))
