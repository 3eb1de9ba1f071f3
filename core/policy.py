"""The approval policy: who must sign an order, by its amount (``ORDER_DESK_APPROVAL_POLICY``, a TOML file).

```toml
currency = "VND"
unpriced = ["manager"]          # an order without a price (the default)
[[tiers]]
up_to = 5000000                 # amount <= 5,000,000: approved at once by the system
approvers = []
[[tiers]]
up_to = 50000000
approvers = ["manager"]
[[tiers]]                       # everything above
approvers = ["manager", "director"]   # signed in this order
```

Tiers are read in order: each covers the amounts above the tier before it up to its ``up_to`` (inclusive); the
last has no ``up_to`` and covers everything above. So there is no gap and no overlap exactly when the ``up_to``s
rise strictly and only the last tier is open. The policy travels inside each order (``OrderInput.approval``):
the workflow works out the steps from the copy it was started with, so a policy changed later applies to new
orders only, and replay is deterministic. With no file, ``DEFAULT_POLICY`` is today's rule: one decision by a
manager (or anyone, in the open demo).
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.models import DEFAULT_POLICY, SIGNING_ROLES, ApprovalPolicy, Role, Tier
from core.money import DEFAULT_CURRENCY, MoneyError, check_decimals, checked_price, currency_code, format_money


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and says why, in one line."""


class _PolicyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    currency: str = DEFAULT_CURRENCY
    tiers: list[Tier] = Field(min_length=1)
    unpriced: tuple[Role, ...] = (Role.MANAGER,)

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value: object) -> str:
        return currency_code(value)


def parse_policy(text: str, source: str = "the policy") -> ApprovalPolicy:
    """``text`` (TOML) as a checked policy, or PolicyError saying what is wrong where."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)  # never a binary float
    except tomllib.TOMLDecodeError as err:
        raise PolicyError(f"{source} is not valid TOML: {err}") from None
    try:
        parsed = _PolicyFile.model_validate(data)
    except ValidationError as err:
        raise PolicyError(f"{source}: {_first_problem(err)}") from None
    tiers = []
    for number, tier in enumerate(parsed.tiers, start=1):
        if tier.up_to is not None:
            try:
                limit = checked_price(tier.up_to)
            except MoneyError as err:
                raise PolicyError(f"{source}: tier {number}, up_to: {err}") from None
            try:
                check_decimals(limit, parsed.currency, "up_to")
            except MoneyError as err:
                raise PolicyError(f"{source}: tier {number}: {err}") from None
        tiers.append(tier)
    _check_tiers(tiers, source)
    for where, roles in [*((f"tier {n}", t.approvers) for n, t in enumerate(tiers, start=1)),
                         ("unpriced", parsed.unpriced)]:
        for role in roles:
            if role not in SIGNING_ROLES:
                raise PolicyError(f"{source}: {where}: a {role} signs no step (clerks create orders); the approvers "
                                  f"are {', '.join(r.value for r in SIGNING_ROLES)}")
    return ApprovalPolicy(currency=parsed.currency, tiers=tuple(tiers), unpriced=parsed.unpriced, source=source)


def _check_tiers(tiers: list[Tier], source: str) -> None:
    low: Decimal | None = None
    for number, tier in enumerate(tiers, start=1):
        last = number == len(tiers)
        if tier.up_to is None and not last:
            raise PolicyError(f"{source}: tier {number} has no up_to, so it covers every amount above the tier before "
                              f"it, and tier {number + 1} overlaps it; only the last tier may leave up_to out")
        if tier.up_to is None:
            continue
        if low is not None and tier.up_to <= low:
            raise PolicyError(f"{source}: tier {number}: up_to {tier.up_to} is not above the tier before it ({low}): "
                              f"the tiers overlap; list them from the smallest amount up")
        low = tier.up_to
    if tiers[-1].up_to is not None:
        raise PolicyError(f"{source}: amounts above {tiers[-1].up_to} have no tier (a gap): end with a tier that has "
                          f"no up_to, the steps for everything above")


def _first_problem(err: ValidationError) -> str:
    problem = err.errors()[0]
    where = _where(problem["loc"])
    if problem["type"] == "enum":
        roles = ", ".join(role.value for role in Role)
        return f"{where}: unknown role {problem['input']!r} (the roles are {roles})"
    if problem["type"] == "extra_forbidden":
        return f"{where}: unknown key (a tier has up_to and approvers; the file currency, unpriced and tiers)"
    if problem["type"] == "missing":
        return f"{where}: missing"
    if problem["type"] in ("tuple_type", "list_type"):  # pydantic's words for a TOML string where an array goes
        return f'{where}: must be a list, such as ["manager"] or ["manager", "director"]'
    return f"{where}: {problem['msg'].removeprefix('Value error, ')}"


def _where(loc: tuple[int | str, ...]) -> str:
    parts = []
    for index, part in enumerate(loc):
        if isinstance(part, int) and index > 0 and loc[index - 1] == "tiers":
            parts[-1] = f"tier {part + 1}"
        elif isinstance(part, int):
            parts[-1] = f"{parts[-1]}[{part + 1}]"
        else:
            parts.append(str(part))
    return ", ".join(parts) or "the file"


def load_policy(path: Path | None) -> ApprovalPolicy:
    """The policy in ``path``, or ``DEFAULT_POLICY`` when there is none; PolicyError when it cannot be used."""
    if path is None:
        return DEFAULT_POLICY
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise PolicyError(f"cannot read the approval policy {path}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise PolicyError(f"the approval policy {path} is not UTF-8 text") from None
    return parse_policy(text, str(path))


def policy_table(policy: ApprovalPolicy, language: str = "en") -> list[tuple[str, str]]:
    """The policy as rows a person reads: (the amounts, who signs), e.g. ("up to VND 5,000,000", "the system")."""
    rows = []
    low: Decimal | None = None
    for tier in policy.tiers:
        if tier.up_to is None:
            amounts = f"above {format_money(low, policy.currency, language)}" if low is not None else "any amount"
        elif low is None:
            amounts = f"up to {format_money(tier.up_to, policy.currency, language)}"
        else:
            amounts = (f"above {format_money(low, policy.currency, language)} up to "
                       f"{format_money(tier.up_to, policy.currency, language)}")
        rows.append((amounts, signers(tier.approvers)))
        low = tier.up_to
    rows.append(("no price", signers(policy.unpriced)))
    return rows


def signers(roles: tuple[Role, ...]) -> str:
    """``("manager", "director")`` as "manager, then director"; none: approved at once by the system."""
    if not roles:
        return "approved at once by the system"
    return ", then ".join(role.value for role in roles)


def check_command(path: Path) -> int:
    """``order-desk policy check FILE``: the table on stdout and 0, or why not on stderr and 1."""
    import sys

    try:
        policy = load_policy(path)
    except PolicyError as err:
        print(f"order-desk: {err}", file=sys.stderr)
        return 1
    rows = [("amount", "signed by"), *policy_table(policy)]
    width = max(len(amounts) for amounts, _ in rows)
    print(f"{path}: a valid approval policy in {policy.currency}")
    for amounts, who in rows:
        print(f"  {amounts.ljust(width)}  {who}")
    return 0
