"""Who a person is (clerk < manager < director), what each role may do, and whose signatures an order's amount
needs: the approval policy as an order carries it. Apart from ``core.models`` so the domain's orders and the
rules of who signs each fit one module; ``core.models`` re-exports these names, the domain's one import."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from core.money import DEFAULT_CURRENCY, money_text


class Role(StrEnum):
    """Who a person is, lowest first: clerk < manager < director. A step of an order's approval is signed by its
    role or a higher one."""

    CLERK = "clerk"
    MANAGER = "manager"
    DIRECTOR = "director"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def may_sign(self, step: Role) -> bool:
        """Whether this role may sign a step that awaits ``step``: the same role or a higher one."""
        return self.rank >= step.rank


_RANKS = {role: rank for rank, role in enumerate(Role)}


class Permission(StrEnum):
    """What a person may do. ``ROLE_PERMISSIONS`` is the one table from roles to permissions: the workflow's
    ``refusal()`` enforces it and ``GET /me`` reports it, so a new role is one new row."""

    CREATE = "create"
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL_OWN = "cancel_own"
    CANCEL_ANY = "cancel_any"


EVERY_PERMISSION = frozenset(Permission)
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset({Permission.CREATE, Permission.CANCEL_OWN}),
    Role.MANAGER: EVERY_PERMISSION,
    Role.DIRECTOR: EVERY_PERMISSION,
}
SIGNING_ROLES = tuple(role for role in Role if Permission.APPROVE in ROLE_PERMISSIONS[role])
"""The roles an approval step may await (a clerk creates orders; it signs none)."""


def permissions(role: Role | None) -> frozenset[Permission]:
    """What ``role`` may do; no role (no identities configured: the open demo) restricts nothing."""
    return EVERY_PERMISSION if role is None else ROLE_PERMISSIONS[role]


class Tier(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    up_to: Decimal | None = Field(None, description="the highest amount of this tier (inclusive); none: no limit")
    approvers: tuple[Role, ...] = Field(description="the roles that sign, in this order; empty: the system approves")


DEFAULT_TIERS = (Tier(approvers=(Role.MANAGER,)),)


class ApprovalPolicy(BaseModel):
    """Who must sign an order, by its amount: a policy as an order carries it (``core.policy`` reads and checks the
    file). ``source`` says where it came from (the file's path), for the record."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    currency: str = DEFAULT_CURRENCY
    tiers: tuple[Tier, ...]
    unpriced: tuple[Role, ...] = Field((Role.MANAGER,), description="the steps of an order without a price")
    source: str | None = None

    def steps_for(self, amount: Decimal | None, currency: str | None) -> tuple[tuple[Role, ...], str]:
        """The roles that must sign an order of ``amount`` in ``currency``, in order, and why, in words.

        An amount in another currency than the policy's cannot be placed in a tier without an exchange rate: it
        takes the highest tier's signatures, the strictest (docs/APPROVALS.md)."""
        if self.source is None and self.tiers == DEFAULT_TIERS and self.unpriced == (Role.MANAGER,):
            return self.unpriced, "no approval policy: one manager's decision"
        if amount is None:
            return self.unpriced, "no price: the policy's steps for an order without a price"
        if currency != self.currency:
            top = self.tiers[-1]
            return top.approvers, (f"priced in {currency}, the policy is in {self.currency}: the highest tier's "
                                   f"steps")
        low = None
        for tier in self.tiers:
            if tier.up_to is None or amount <= tier.up_to:
                return tier.approvers, _tier_words(amount, self.currency, low, tier)
            low = tier.up_to
        raise AssertionError("a checked policy's last tier has no limit")


def _tier_words(amount: Decimal, currency: str, low: Decimal | None, tier: Tier) -> str:
    """Why a tier applies, in the order's history. Plain English without Babel: the workflow calls this, and its
    sandbox should not load locale data from disk."""
    money = money_text(amount, currency)
    if tier.up_to is None:
        return f"amount {money} is above {money_text(low, currency)}" if low is not None else f"amount {money}"
    return f"amount {money} is at most {money_text(tier.up_to, currency)}"


DEFAULT_POLICY = ApprovalPolicy(tiers=DEFAULT_TIERS, source=None)
"""No policy file: one manager's decision, whatever the amount, as before policies."""
