"""``GET /me``: who the caller is and what they may do, so a desk signs in and enables only what is allowed."""

from __future__ import annotations

from fastapi import APIRouter

from core.api.auth import AuthMode
from core.api.deps import ActorDep, CallerDep, OrderServiceDep
from core.api.errors import error_responses
from core.api.schemas import Me
from core.models import Permission, permissions

router = APIRouter(tags=["auth"])


@router.get("/me", operation_id="me", summary="Who the caller is and what they may do",
            responses=error_responses(422, 503))
async def me(caller: CallerDep, actor: ActorDep, service: OrderServiceDep) -> Me:
    """The same rules the workflow applies: `may` comes from the role (`core.models.ROLE_PERMISSIONS`), and
    `four_eyes` says whether an order's creator may approve it. `currency` is the server's default one, so a desk
    signed in here offers what the server will price an order in, not its own settings' currency."""
    allowed = permissions(actor.role)
    return Me(name=actor.name, role=actor.role, may=[permission for permission in Permission if permission in allowed],
              four_eyes=service.four_eyes(caller.mode is AuthMode.USERS), mode=caller.mode.value,
              currency=service.settings.default_currency)
