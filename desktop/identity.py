"""Who sits at this desk: ``settings.actor`` or the OS user name, with the role ``settings.roles`` gives."""

from __future__ import annotations

import getpass

from core.models import Actor
from core.settings import Settings

FALLBACK_NAME = "desk"
MAX_NAME = 100  # core.models.Actor.name


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in the environment and none in the password database
        return FALLBACK_NAME


def desk_actor(settings: Settings) -> Actor:
    name = ((settings.actor or "").strip() or os_user().strip() or FALLBACK_NAME)[:MAX_NAME]
    return Actor(name=name, role=settings.roles.get(name))


def describe(actor: Actor) -> str:
    return f"Acting as {actor.name}" + (f" ({actor.role.value})" if actor.role else "")
