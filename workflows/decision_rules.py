"""The rules a decision must pass, shared by the workflow's Update validator and its handlers: the state, the role,
the awaited step, four-eyes. Pure functions of the order's input and state (deterministic, no I/O)."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from core.errors import ErrorCode
    from core.models import Action, ApprovalStep, Decision, OrderInput, OrderStatus, Permission, permissions

INVALID_TRANSITION = "InvalidTransition"
FORBIDDEN = "Forbidden"


def refusal(decision: Decision, order: OrderInput, status: OrderStatus,
            steps: list[ApprovalStep] | None = None) -> ApplicationError | None:
    """Why a decision may not be applied now, or None. Shared by the validator and the handlers.

    The state is checked first, so the loser of a race always learns the winner's status (409); then the role (its
    permissions, then the awaited step's role); then four-eyes (the creator signs no step, nobody signs two). The
    error's details are the status and the ``ErrorCode`` of the rule, which the faces translate; the message is for
    logs. ``steps`` is None for an order decided by one decision (before approval steps).
    """
    if not decision.action.allowed_from(status):
        return _refused(INVALID_TRANSITION, ErrorCode.INVALID_TRANSITION, status,
                        f"cannot {decision.action.value} an order that is {status.value}")
    actor = decision.actor
    if actor.role is None and order.team:
        return _refused(FORBIDDEN, ErrorCode.ROLE_REQUIRED, status,
                        f"{actor.name} has no role: an order of a team server is decided by a signed-in user")
    may = permissions(actor.role)
    if decision.action is Action.CANCEL:
        if Permission.CANCEL_ANY not in may and not (Permission.CANCEL_OWN in may and actor.name == order.created_by):
            return _refused(FORBIDDEN, ErrorCode.OWN_ORDERS_ONLY, status,
                            f"{actor.name} is a {actor.role} and may cancel only their own orders")
    elif Permission(decision.action.value) not in may:
        return _refused(FORBIDDEN, ErrorCode.MANAGER_ONLY, status,
                        f"{actor.name} is a {actor.role}: only a manager may {decision.action.value}")
    else:
        step = awaited(steps)
        if step is not None and actor.role is not None and not actor.role.may_sign(step.role):
            return _refused(FORBIDDEN, ErrorCode.WRONG_STEP_ROLE, status,
                            f"{actor.name} is a {actor.role}: this step awaits a {step.role} (or a higher role)")
    if order.four_eyes and decision.action is Action.APPROVE:
        if actor.name == order.created_by:
            return _refused(FORBIDDEN, ErrorCode.FOUR_EYES, status,
                            f"four-eyes rule: {actor.name} created this order and may not approve it")
        if any(step.signature is not None and step.signature.actor == actor.name for step in steps or ()):
            return _refused(FORBIDDEN, ErrorCode.ALREADY_SIGNED, status,
                            f"four-eyes rule: {actor.name} already signed a step of this order and may not sign "
                            f"another")
    return None


def awaited(steps: list[ApprovalStep] | None) -> ApprovalStep | None:
    """The first unsigned step: the one the order awaits (None when every step is signed, or there are none)."""
    return next((step for step in steps or () if step.signature is None), None)


def _refused(kind: str, code: ErrorCode, status: OrderStatus, message: str) -> ApplicationError:
    return ApplicationError(message, status.value, code.value, type=kind, non_retryable=True)
