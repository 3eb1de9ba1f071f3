"""The mutants: each one small change a careless edit could make, and the tests that must notice it.

``before`` must occur exactly once in ``path``, and each of ``tests`` must exist (``misfits``); the run checks
that first, so a catalogue that no longer fits the code fails loudly instead of counting a mutant that was never
applied. ``tests/test_mutation_catalogue.py`` checks the same in ``make test``, so a commit that moves the code
under a mutant shows it at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

WORKFLOW = "workflows/order_approval.py"
RULES = "workflows/decision_rules.py"  # refusal(), awaited(), _refused(): the rules a decision must pass
ROLES = "core/roles.py"  # ROLE_PERMISSIONS and permissions(): what each role may do, which refusal() enforces
MODELS = "core/models.py"
STORE = "core/ledger/store.py"
WRITES = "core/ledger/writes.py"  # the ledger's write statements: the last_seq upsert guard, on-conflict rules
SERVICE = "core/service.py"
SDK_ERRORS = "core/sdk_errors.py"

REFUSALS = ("tests/test_refusals.py",)
DECISIONS = ("tests/test_refusals.py", "tests/test_workflow.py")
TIMERS = ("tests/test_ledger_projection.py",)
BOUNDED = ("tests/test_hardening_history.py", "tests/test_handover_decision.py")
NOTICES = ("tests/test_mail.py",)
LEDGER = ("tests/test_ledger.py", "tests/test_activities.py", "tests/test_ledger_projection.py")
SERVICE_PATH = ("tests/test_refusals.py", "tests/test_workflow.py", "tests/test_error_paths.py")


@dataclass(frozen=True)
class Mutant:
    id: str
    area: str
    path: str
    before: str
    after: str
    what: str
    tests: tuple[str, ...]
    ledgers: str = "sqlite"  # the ledger code runs on both: its mutants are tried on both


def misfits(mutants: Iterable[Mutant], root: Path) -> list[str]:
    """What in ``mutants`` no longer fits the tree at ``root``: a ``before`` text that does not occur exactly once
    in its file (or a file that is gone), a listed test file that does not exist, an id used twice."""
    found: list[str] = []
    seen: set[str] = set()
    for mutant in mutants:
        if mutant.id in seen:
            found.append(f"mutant {mutant.id}: its id is used twice")
        seen.add(mutant.id)
        source = root / mutant.path
        if not source.is_file():
            found.append(f"mutant {mutant.id}: {mutant.path} does not exist")
        else:
            count = source.read_text().count(mutant.before)
            if count != 1:
                found.append(f"mutant {mutant.id}: its 'before' text occurs {count} times in {mutant.path}")
        found += [f"mutant {mutant.id}: its test file {test} does not exist"
                  for test in mutant.tests if not (root / test).is_file()]
    return found


MUTANTS = [
    # ---- refusal() (workflows/decision_rules.py) and the roles' permissions: state, roles, four-eyes -----------
    Mutant("refusal-state-negated", "refusal", RULES,
           "if not decision.action.allowed_from(status):", "if decision.action.allowed_from(status):",
           "the state rule inverted", REFUSALS),
    Mutant("refusal-state-skipped", "refusal", RULES,
           "if not decision.action.allowed_from(status):", "if False:",
           "no state rule at all", REFUSALS),
    Mutant("refusal-role-last", "refusal", RULES,
           "    if not decision.action.allowed_from(status):\n"
           "        return _refused(INVALID_TRANSITION, ErrorCode.INVALID_TRANSITION, status,\n"
           "                        f\"cannot {decision.action.value} an order that is {status.value}\")\n"
           "    actor = decision.actor\n",
           "    actor = decision.actor\n"
           "    if decision.action is not Action.CANCEL and Permission(decision.action.value) not in permissions(\n"
           "            actor.role):\n"
           "        return _refused(FORBIDDEN, ErrorCode.MANAGER_ONLY, status, \"no permission\")\n"
           "    if not decision.action.allowed_from(status):\n"
           "        return _refused(INVALID_TRANSITION, ErrorCode.INVALID_TRANSITION, status,\n"
           "                        f\"cannot {decision.action.value} an order that is {status.value}\")\n",
           "the role checked before the state (a race's loser would not learn the status)", REFUSALS),
    Mutant("refusal-clerk-is-manager", "refusal", ROLES,
           "    Role.MANAGER: EVERY_PERMISSION,\n",
           "    Role.MANAGER: frozenset({Permission.CREATE, Permission.CANCEL_OWN}),\n",
           "the clerk rules applied to managers (the clerk's permissions in the manager's row)", REFUSALS),
    Mutant("refusal-clerk-unchecked", "refusal", ROLES,
           "return EVERY_PERMISSION if role is None else ROLE_PERMISSIONS[role]",
           "return ROLE_PERMISSIONS[Role.CLERK] if role is None else EVERY_PERMISSION",
           "the clerk rules applied to people without a role instead of clerks", REFUSALS),
    Mutant("refusal-clerk-may-approve", "refusal", RULES,
           "    elif Permission(decision.action.value) not in may:",
           "    elif decision.action is Action.REJECT and Permission(decision.action.value) not in may:",
           "a clerk may approve (the permission checked for reject only)", REFUSALS),
    Mutant("refusal-clerk-any-order", "refusal", RULES,
           "(Permission.CANCEL_OWN in may and actor.name == order.created_by)",
           "(Permission.CANCEL_OWN in may)",
           "a clerk may cancel anyone's order", REFUSALS),
    Mutant("refusal-clerk-own-flipped", "refusal", RULES,
           "(Permission.CANCEL_OWN in may and actor.name == order.created_by)",
           "(Permission.CANCEL_OWN in may and actor.name != order.created_by)",
           "a clerk may cancel only others' orders", REFUSALS),
    Mutant("refusal-manager-only-code", "refusal", RULES,
           "return _refused(FORBIDDEN, ErrorCode.MANAGER_ONLY, status,",
           "return _refused(FORBIDDEN, ErrorCode.OWN_ORDERS_ONLY, status,",
           "the wrong code for a clerk approving", REFUSALS),
    Mutant("refusal-own-orders-code", "refusal", RULES,
           "return _refused(FORBIDDEN, ErrorCode.OWN_ORDERS_ONLY, status,",
           "return _refused(FORBIDDEN, ErrorCode.FORBIDDEN, status,",
           "the rule's code lost for a clerk cancelling another's order", REFUSALS),
    Mutant("refusal-four-eyes-always", "refusal", RULES,
           "if order.four_eyes and decision.action is Action.APPROVE:\n        if actor.name == order.created_by:",
           "if decision.action is Action.APPROVE:\n        if actor.name == order.created_by:",
           "four-eyes on every order", REFUSALS),
    Mutant("refusal-four-eyes-every-action", "refusal", RULES,
           "if order.four_eyes and decision.action is Action.APPROVE:\n        if actor.name == order.created_by:",
           "if order.four_eyes:\n        if actor.name == order.created_by:",
           "four-eyes for reject and cancel too", REFUSALS),
    Mutant("refusal-four-eyes-flipped", "refusal", RULES,
           "if order.four_eyes and decision.action is Action.APPROVE:\n        if actor.name == order.created_by:",
           "if order.four_eyes and decision.action is Action.APPROVE:\n        if actor.name != order.created_by:",
           "four-eyes refuses everyone but the creator", REFUSALS),
    Mutant("refusal-four-eyes-off", "refusal", RULES,
           "if order.four_eyes and decision.action is Action.APPROVE:\n        if actor.name == order.created_by:",
           "if False:\n        if actor.name == order.created_by:",
           "no four-eyes rule", REFUSALS),
    Mutant("refusal-four-eyes-code", "refusal", RULES,
           "return _refused(FORBIDDEN, ErrorCode.FOUR_EYES, status,",
           "return _refused(FORBIDDEN, ErrorCode.FORBIDDEN, status,",
           "the four-eyes refusal without its code", REFUSALS),
    Mutant("refusal-state-kind", "refusal", RULES,
           "return _refused(INVALID_TRANSITION, ErrorCode.INVALID_TRANSITION, status,",
           "return _refused(FORBIDDEN, ErrorCode.INVALID_TRANSITION, status,",
           "a state refusal typed Forbidden (403 instead of 409)", REFUSALS),
    Mutant("refusal-details-order", "refusal", RULES,
           "return ApplicationError(message, status.value, code.value, type=kind, non_retryable=True)",
           "return ApplicationError(message, code.value, status.value, type=kind, non_retryable=True)",
           "the refusal's details swapped (status and code)", REFUSALS),
    Mutant("refusal-retryable", "refusal", RULES,
           "return ApplicationError(message, status.value, code.value, type=kind, non_retryable=True)",
           "return ApplicationError(message, status.value, code.value, type=kind)",
           "a refusal marked retryable", REFUSALS),
    Mutant("allowed-cancel-validating", "refusal", MODELS,
           "return status in (OrderStatus.VALIDATING, OrderStatus.PENDING_APPROVAL)",
           "return status is OrderStatus.PENDING_APPROVAL",
           "cancel refused while validating", REFUSALS),
    Mutant("allowed-approve-validating", "refusal", MODELS,
           "return status is OrderStatus.PENDING_APPROVAL\n",
           "return status in (OrderStatus.VALIDATING, OrderStatus.PENDING_APPROVAL)\n",
           "approve and reject allowed while validating", REFUSALS),
    # ---- the handlers: signals and the Update ------------------------------------------------------------------
    Mutant("signal-refusal-raised", "handlers", WORKFLOW,
           "workflow.logger.warning(\"Ignored %s signal for %s: %s\", action.value, self._order.order_id, err)",
           "raise",
           "a refused signal re-raised instead of ignored and logged (issue 20)", REFUSALS),
    Mutant("signal-unchecked", "handlers", WORKFLOW,
           "    def _apply(self, decision: Decision) -> OrderStatus:\n        self._check(decision)\n",
           "    def _apply(self, decision: Decision) -> OrderStatus:\n",
           "decisions applied unchecked (the Update's validator still checks; signals do not)", DECISIONS),
    Mutant("signal-payload-action", "handlers", WORKFLOW,
           "decision = decision.model_copy(update={\"action\": action})", "pass",
           "the payload's action trusted over the signal's name", REFUSALS),
    Mutant("signal-default-actor", "handlers", WORKFLOW,
           "actor=Actor(name=\"api\"))", "actor=Actor(name=\"system\"))",
           "a bare signal recorded under the wrong actor", DECISIONS),
    Mutant("update-validator-empty", "handlers", WORKFLOW,
           "    def _validate_decide(self, decision: Decision) -> None:\n        self._check(decision)",
           "    def _validate_decide(self, decision: Decision) -> None:\n        pass",
           "the Update's validator refuses nothing (the handler still does, after writing to history)", REFUSALS),
    # ---- the reminder/deadline loop ----------------------------------------------------------------------------
    Mutant("loop-one-step", "reminders", WORKFLOW,
           "while next_reminder is not None and next_reminder <= now:\n"
           "                        next_reminder += reminder",
           "if next_reminder is not None:\n                        next_reminder += reminder",
           "missed reminders no longer collapse into one (issue 20)", TIMERS),
    Mutant("loop-reminder-at-deadline", "reminders", WORKFLOW,
           "deadline is None or next_reminder < deadline)", "deadline is None or next_reminder <= deadline)",
           "a reminder due at the deadline is sent", TIMERS),
    Mutant("loop-latest-wake-up", "reminders", WORKFLOW,
           "max(min(wake_ups) - workflow.now(), MIN_TIMER)", "max(max(wake_ups) - workflow.now(), MIN_TIMER)",
           "sleeps until the latest wake-up, not the earliest", TIMERS),
    Mutant("loop-busy-timer", "reminders", WORKFLOW,
           "max(min(wake_ups) - workflow.now(), MIN_TIMER)", "min(min(wake_ups) - workflow.now(), MIN_TIMER)",
           "a 1 ms timer over and over instead of one per wake-up", TIMERS),
    Mutant("loop-first-reminder-now", "reminders", WORKFLOW,
           "waiting_since + reminder if reminder else None, signed)", "waiting_since if reminder else None, signed)",
           "the first reminder due at once", TIMERS),
    Mutant("loop-deadline-ignored", "reminders", WORKFLOW,
           "deadline = waiting_since + order.approval_deadline if order.approval_deadline else None",
           "deadline = None",
           "no deadline", TIMERS),
    Mutant("loop-keeps-going-after-expiry", "reminders", WORKFLOW,
           "\"approval deadline passed\")\n                    return None",
           "\"approval deadline passed\")",
           "the loop goes on after the order expired", TIMERS),
    Mutant("loop-reminder-not-recorded", "reminders", WORKFLOW,
           "self._append(Transition(status=self._status, at=workflow.now(), actor=SYSTEM_ACTOR, "
           "reason=\"reminder sent\",\n                                kind=\"reminder\", "
           "awaiting_role=self._details.awaiting_role))",
           "pass",
           "a reminder left out of the history", TIMERS),
    Mutant("loop-reminder-not-counted", "reminders", WORKFLOW,
           "self._details.reminders += 1", "pass",
           "a reminder not counted in the order's details", TIMERS),
    Mutant("loop-reminder-not-sent", "reminders", WORKFLOW,
           "        await self._record_alone()\n        await self._notify_manager()\n        if self._bounded:",
           "        await self._record_alone()\n        if self._bounded:",
           "a reminder recorded but the manager not notified", TIMERS),
    Mutant("loop-equal-boundary", "reminders", WORKFLOW,
           "next_reminder is not None and next_reminder <= now:", "next_reminder is not None and next_reminder < now:",
           "a reminder due exactly now counts as not yet due", TIMERS),
    Mutant("history-never-continues", "reminders", WORKFLOW,
           "if self._bounded and self._decision is None and (", "if False and (",
           "a pending order never continues as new: its history grows without bound", BOUNDED),
    Mutant("history-keeps-every-reminder", "reminders", WORKFLOW,
           "        if self._bounded:\n            self._forget_old_reminders()", "",
           "a running order keeps every reminder in its state", BOUNDED),
    Mutant("history-resume-loses-timer", "reminders", WORKFLOW,
           "next_reminder=next_reminder, ledger_holds=self._ledger_holds,",
           "next_reminder=None, ledger_holds=self._ledger_holds,",
           "the next run forgets when the next reminder is due (no more reminders)", BOUNDED),
    Mutant("notice-race-signature-seen", "reminders", WORKFLOW,
           "if signed != seen and self._decision is None and workflow.patched(SIGNATURE_DURING_NOTICE):",
           "if False:",
           "a signature given while the first notice is sent is counted as seen: the next role is never notified",
           NOTICES),
    Mutant("notice-race-continues-unseen", "reminders", WORKFLOW,
           "return self._signed == seen or not workflow.patched(SIGNATURE_DURING_NOTICE)", "return True",
           "a run continues as new with a signature given during its last reminder unseen", NOTICES),
    # ---- the ledger's upsert guard and writes ------------------------------------------------------------------
    Mutant("ledger-guard-reversed", "ledger", WRITES,
           "where=orders.c.last_seq < order.excluded.last_seq),",
           "where=orders.c.last_seq > order.excluded.last_seq),",
           "an older write wins over a newer one", LEDGER, "sqlite,postgresql"),
    Mutant("ledger-guard-dropped", "ledger", WRITES,
           ",\n                where=orders.c.last_seq < order.excluded.last_seq),", "),",
           "every write wins, a late retry regresses the status", LEDGER, "sqlite,postgresql"),
    Mutant("ledger-guard-equal", "ledger", WRITES,
           "where=orders.c.last_seq < order.excluded.last_seq),",
           "where=orders.c.last_seq <= order.excluded.last_seq),",
           "a write of the same sequence rewrites the row", LEDGER, "sqlite,postgresql"),
    Mutant("ledger-seq-not-advanced", "ledger", WRITES,
           "ORDER_UPDATES = (\"status\", \"updated_at\", \"last_seq\", \"awaiting_role\")",
           "ORDER_UPDATES = (\"status\", \"updated_at\", \"awaiting_role\")",
           "the row's sequence never moves, so the guard compares with the first write", LEDGER,
           "sqlite,postgresql"),
    Mutant("ledger-status-not-updated", "ledger", WRITES,
           "ORDER_UPDATES = (\"status\", \"updated_at\", \"last_seq\", \"awaiting_role\")",
           "ORDER_UPDATES = (\"updated_at\", \"last_seq\", \"awaiting_role\")",
           "the status never moves", LEDGER),
    Mutant("ledger-transitions-duplicate", "ledger", WRITES,
           "add_transitions=insert(transitions).on_conflict_do_nothing().returning(transitions.c.seq),",
           "add_transitions=insert(transitions).returning(transitions.c.seq),",
           "a replayed write inserts its transitions again", LEDGER),
    Mutant("ledger-transitions-from-zero", "ledger", STORE,
           "for seq, t in entry.numbered()",
           "for seq, t in enumerate(entry.transitions)",
           "a partial entry's transitions written at the wrong sequence", LEDGER),
    Mutant("ledger-fulfilment-without-state", "ledger", STORE,
           "announced = entry.ledger is not None and self._write(db, entry.ledger)", "announced = False",
           "the fulfilment row written without the final state", LEDGER),
    Mutant("ledger-fulfilment-twice", "ledger", WRITES,
           "add_fulfilment=insert(fulfilment).on_conflict_do_nothing().returning(fulfilment.c.order_id),",
           "add_fulfilment=insert(fulfilment).returning(fulfilment.c.order_id),",
           "a retried fulfilment fails instead of finding its row", LEDGER),
    Mutant("ledger-cancelled-unfulfilled", "ledger", STORE,
           "fulfilled=bool(fulfilled) or OrderStatus(row[\"status\"]) is OrderStatus.CANCELLED,",
           "fulfilled=bool(fulfilled),",
           "a cancelled order read back from the ledger as unfinished", LEDGER),
    Mutant("ledger-since-exclusive", "ledger", STORE,
           "orders.c.created_at >= where.since", "orders.c.created_at > where.since",
           "'since' made exclusive", LEDGER),
    Mutant("ledger-until-inclusive", "ledger", STORE,
           "orders.c.created_at < where.until", "orders.c.created_at <= where.until",
           "'until' made inclusive", LEDGER),
    Mutant("ledger-like-wildcards", "ledger", STORE,
           "contains(fold(where.q), autoescape=True)", "contains(fold(where.q))",
           "% and _ in a search act as wildcards", LEDGER),
    Mutant("ledger-oldest-first", "ledger", STORE,
           "query = _where(select(orders), where).order_by(orders.c.created_at.desc(), orders.c.order_id.desc())\n"
           "        with self.engine.connect() as db:\n            rows",
           "query = _where(select(orders), where).order_by(orders.c.created_at.asc(), orders.c.order_id.desc())\n"
           "        with self.engine.connect() as db:\n            rows",
           "lists oldest first", LEDGER),
    # ---- the service's decision path ---------------------------------------------------------------------------
    Mutant("service-cause-lost", "service", SERVICE,
           "raise decision_error(err.cause) from err", "raise decision_error(err) from err",
           "the workflow's refusal read from the wrapper, not its cause", SERVICE_PATH),
    Mutant("service-closed-order", "service", SERVICE,
           "if err.status is not RPCStatusCode.NOT_FOUND:\n                        raise",
           "if err.status is RPCStatusCode.NOT_FOUND:\n                        raise",
           "a decision on a closed order not turned into 409 with its final status", SERVICE_PATH),
    Mutant("service-closed-order-status", "service", SERVICE,
           "f\"cannot {decision.action.value} an order that is {status.value}\", status) from err",
           "f\"cannot {decision.action.value} an order that is {status.value}\", None) from err",
           "a decision on a closed order refused without its final status", SERVICE_PATH),
    Mutant("service-no-worker-code", "service", SERVICE,
           "{self.settings.task_queue!r}?\", ErrorCode.NO_WORKER) from err",
           "{self.settings.task_queue!r}?\") from err",
           "a decision no worker took reported as Temporal unavailable", SERVICE_PATH),
    Mutant("service-closed-order-not-resent", "service", SERVICE,
           "if attempt == 1 and decision.action.allowed_from(status):", "if False:",
           "a decision that reached a run just continuing as new is not sent to the new run", SERVICE_PATH + BOUNDED),
    Mutant("service-request-id-dropped", "service", SERVICE,
           "OrderApprovalWorkflow.decide, decision, id=request_id, rpc_timeout=UPDATE_TIMEOUT)",
           "OrderApprovalWorkflow.decide, decision, rpc_timeout=UPDATE_TIMEOUT)",
           "a retried request becomes a second decision", SERVICE_PATH),
    Mutant("service-aborted-not-retried", "service", SERVICE,
           "if attempt == ABORTED_UPDATE_ATTEMPTS or not update_aborted(err):",
           "if True:",
           "an Update Temporal aborted is not sent again", SERVICE_PATH),
    Mutant("sdk-errors-aborted-any-precondition", "service", SDK_ERRORS,
           "return err.status is RPCStatusCode.FAILED_PRECONDITION and any(",
           "return err.status is RPCStatusCode.FAILED_PRECONDITION or any(",
           "any failed precondition taken for an aborted Update", SERVICE_PATH),
    Mutant("sdk-errors-invalid-transition-lost", "service", SDK_ERRORS,
           "cause.type in (FORBIDDEN, INVALID_TRANSITION)", "cause.type in (FORBIDDEN,)",
           "a state refusal reported as Temporal unavailable", SERVICE_PATH),
    Mutant("sdk-errors-status-lost", "service", SDK_ERRORS,
           "current = OrderStatus(details[0]) if details else None", "current = None",
           "a refusal without the order's status", SERVICE_PATH),
    Mutant("sdk-errors-code-lost", "service", SDK_ERRORS,
           "return Forbidden(cause.message, current, code or ErrorCode.FORBIDDEN)",
           "return Forbidden(cause.message, current)",
           "a Forbidden without the rule's code", SERVICE_PATH),
    Mutant("sdk-errors-forbidden-as-409", "service", SDK_ERRORS,
           "        if cause.type == FORBIDDEN:\n            return Forbidden",
           "        if cause.type != FORBIDDEN:\n            return Forbidden",
           "Forbidden and InvalidTransition swapped", SERVICE_PATH),
    Mutant("sdk-errors-not-found-passed-through", "service", SDK_ERRORS,
           "raise OrderNotFound(order_id) from err", "raise",
           "an unknown order reported as a raw RPC error", SERVICE_PATH),
]
