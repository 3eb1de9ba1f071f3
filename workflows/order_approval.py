"""OrderApprovalWorkflow: one order from validation to its final decision.

Decisions arrive two ways. Signals ``approve``/``reject``/``cancel`` keep the seed's contract
(fire and forget: a signal the state forbids is ignored and logged). The update ``decide`` is
the path the faces use: its validator refuses a forbidden decision before anything is written
to history, so the caller learns at once why. An order of a team server (``OrderInput.team``)
refuses the signals altogether: they carry no authenticated identity.

Since the ``approval-steps`` patch an order carries the approval policy in force when it was created
(``OrderInput.approval``) and works out from it, once validated, the signatures it needs (docs/APPROVALS.md):
none (the system approves at once), or steps signed in order, each by its role or a higher one. An approval
signs the awaited step; the last signature approves the order; a rejection at any step ends it.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Literal

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.inputs import NotifyManagerInput, ValidateOrderInput
    from activities.orders import INVALID_ORDER, OrderActivities
    from core import search_attributes as sa
    from core.models import (
        DEFAULT_POLICY,
        SYSTEM_ACTOR,
        Action,
        Actor,
        ApprovalStep,
        Decision,
        FulfilmentInput,
        LedgerEntry,
        OrderDetails,
        OrderInput,
        OrderResume,
        OrderStatus,
        Signature,
        Transition,
    )
from workflows.decision_rules import awaited, refusal

WORKFLOW_NAME = "OrderApprovalWorkflow"
# Since this patch the activity that follows each transition writes the ledger too; before it, a local
# activity of its own did (three per order, the largest cost the app added to Temporal: docs/BENCHMARKS.md).
LEDGER_IN_ACTIVITIES = "ledger-in-activities"
# Since this patch a pending order keeps only its latest reminders in its state and continues as a new run every
# REMINDERS_PER_RUN reminders, so its history stays bounded however long it waits (docs/LEDGER.md).
BOUNDED_HISTORY = "bounded-history"
# Since this patch an order of a team server (``OrderInput.team``) refuses the seed's signals: they carry no
# authenticated identity, so only the Update that serve sends for a signed-in user decides it.
TEAM_DECISIONS = "team-decisions"
# Since this patch a signature given while the first step's notice was being sent wakes the wait like any other
# (before it, the wait counted it as already seen: the next role went unnotified, its timers unrestarted), and one
# given during a run's last reminder is handled before the run continues as new (before it, the next run began
# without notifying the next role). Asked only when that happened, so no other history records it.
SIGNATURE_DURING_NOTICE = "signature-during-notice"
# Since this patch a validated order takes the steps its approval policy gives its amount (none: approved at once by
# the system); before it, one decision approved or rejected it.
APPROVAL_STEPS = "approval-steps"
# Since this patch an order costs Temporal less (issue 19, docs/BENCHMARKS.md): a transition upserts only the status,
# and only when it changes (a signature that leaves a step open does not): the ledger answers every list and search, so
# the status (for the Web UI, describe and the stale-orders count) is the one attribute left in the execution's state,
# which every write of it copies; orders started since carry no other (``core.service``). And the fulfilment of a
# final state is a local activity, in the workflow task that reached it: the order completes in that same task, with
# no activity task, no further workflow task and the ledger written before the decision's answer.
LEAN_ORDERS = "lean-orders"
REMINDERS_KEPT = 5
REMINDERS_PER_RUN = 50

VALIDATION_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=10),
    maximum_attempts=0,
    non_retryable_error_types=[INVALID_ORDER],
)
SHORT_ACTIVITY = timedelta(seconds=30)
LEDGER_WRITE = timedelta(seconds=10)
MIN_TIMER = timedelta(milliseconds=1)
FULFILMENT = {
    OrderStatus.APPROVED: OrderActivities.process_approved_order,
    OrderStatus.REJECTED: OrderActivities.process_rejected_order,
    OrderStatus.EXPIRED: OrderActivities.process_expired_order,
}


@workflow.defn(name=WORKFLOW_NAME)
class OrderApprovalWorkflow:
    @workflow.init
    def __init__(self, order: OrderInput) -> None:
        self._order = order.model_copy(update={"resume": None})
        self._decision: Decision | None = None
        self._bounded: bool | None = None  # BOUNDED_HISTORY, asked at the first reminder
        self._reminders_this_run = 0
        self._signed = 0  # signatures given in this run: each one that leaves a step open wakes the wait
        self._lean: bool | None = None  # LEAN_ORDERS, asked at the run's first transition
        if order.resume is not None:
            self._details = order.resume.details
            self._steps: list[ApprovalStep] | None = self._details.steps if order.resume.approval_steps else None
            self._ledger_in_activities = True  # only a run under both patches continues as new
            self._bounded = True
            self._ledger_holds = order.resume.ledger_holds
            self._next_seq = order.resume.next_seq
            return
        # When the order was created, not when a worker first ran it: with no worker running, the first task waits
        # (a QA pass saw an order created at 22:44:11 listed as created at 22:44:26, after a later one). The start
        # time is in the history, so replay reads the same; only the value differs, no command.
        self._details = OrderDetails.started(order, workflow.info().workflow_start_time)
        self._steps = None
        self._ledger_in_activities = False
        self._ledger_holds = 0  # history entries (by seq) a completed activity has written to the ledger
        self._next_seq = 1

    @property
    def _status(self) -> OrderStatus:
        return self._details.status

    @workflow.run
    async def run(self, order: OrderInput) -> OrderDetails:
        if order.resume is not None:
            return await self._wait_then_finish(order.resume.waiting_since, order.resume.next_reminder)
        self._ledger_in_activities = workflow.patched(LEDGER_IN_ACTIVITIES)
        await self._record_alone()
        written = self._next_seq
        validation = workflow.start_activity_method(
            OrderActivities.validate_order,
            ValidateOrderInput(order_id=order.order_id, item=order.item, ledger=self._ledger_entry()),
            start_to_close_timeout=SHORT_ACTIVITY, retry_policy=VALIDATION_RETRY,
        )
        await workflow.wait_condition(lambda: validation.done() or self._decision is not None)
        if self._decision is not None:  # cancelled while validating
            validation.cancel()
            with contextlib.suppress(ActivityError):
                await validation
            return await self._finish()
        try:
            await validation
            self._written(written)
        except ActivityError as err:
            if not (isinstance(err.cause, ApplicationError) and err.cause.type == INVALID_ORDER):
                raise
            self._transition(OrderStatus.REJECTED, SYSTEM_ACTOR, err.cause.message)
            return await self._finish()

        if workflow.patched(APPROVAL_STEPS):
            self._steps = self._take_steps()
            if not self._steps:
                self._transition(OrderStatus.APPROVED, SYSTEM_ACTOR,
                                 f"{self._details.approval_reason}: approved at once by the approval policy")
                return await self._finish()
            self._details.awaiting_role = self._steps[0].role
            # Why these steps, in the history, where a policy file gave them (without one the history is as it was).
            self._transition(OrderStatus.PENDING_APPROVAL, SYSTEM_ACTOR,
                             self._details.approval_reason if self._details.policy is not None else None)
        else:
            self._transition(OrderStatus.PENDING_APPROVAL, SYSTEM_ACTOR)
        signed = self._signed  # a signature given while the step is recorded and notified is one yet to be seen
        await self._record_alone()
        await self._notify_manager()
        waiting_since = workflow.now()
        reminder = self._order.reminder_interval
        return await self._wait_then_finish(waiting_since, waiting_since + reminder if reminder else None, signed)

    def _take_steps(self) -> list[ApprovalStep]:
        """The steps the policy the order carries gives its amount (the default policy for an order created by a
        service that sends none), kept in the order's details."""
        order = self._order
        policy = order.approval or DEFAULT_POLICY
        roles, why = policy.steps_for(order.amount, order.currency)
        self._details.steps = [ApprovalStep(role=role) for role in roles]
        # Only a policy file's reason is worth saying (and it is what the history and so the ledger carry).
        self._details.approval_reason = why if self._details.policy is not None else None
        return self._details.steps

    async def _wait_then_finish(self, waiting_since: datetime, next_reminder: datetime | None,
                                signed: int = 0) -> OrderDetails:
        resume = await self._await_decision(waiting_since, next_reminder, signed)
        if resume is not None:
            await workflow.wait_condition(workflow.all_handlers_finished)
            if self._decision is None:  # a decision that came meanwhile is finished here instead
                workflow.continue_as_new(self._order.model_copy(update={"resume": resume}))
        return await self._finish()

    async def _await_decision(self, waiting_since: datetime, next_reminder: datetime | None,
                              signed: int) -> OrderResume | None:
        """Wait for a decision; meanwhile remind the awaited role every ``reminder_interval`` and expire the
        order at ``approval_deadline`` (both durable timers, counted from entering PENDING_APPROVAL, and again from
        each signature that leaves a step open: each step has its own).

        ``signed``: the signatures counted before the step's notice was sent; any given since are still to be seen.
        Returns what the next run needs when this one has sent its share of reminders (bounded history)."""
        order = self._order
        reminder = order.reminder_interval
        seen = self._signed
        if signed != seen and self._decision is None and workflow.patched(SIGNATURE_DURING_NOTICE):
            seen = signed
        while self._decision is None:
            deadline = waiting_since + order.approval_deadline if order.approval_deadline else None
            wake_ups = [at for at in (next_reminder, deadline) if at is not None]
            timeout = max(min(wake_ups) - workflow.now(), MIN_TIMER) if wake_ups else None
            try:
                await workflow.wait_condition(lambda: self._decision is not None or self._signed != seen,  # noqa: B023
                                              timeout=timeout)
            except TimeoutError:
                now = workflow.now()
                # A reminder that fell due before the deadline is sent first, even when the worker was
                # down and both timers fired meanwhile; missed reminders collapse into one.
                if next_reminder is not None and reminder is not None and now >= next_reminder and (
                        deadline is None or next_reminder < deadline):
                    await self._remind()
                    # A negative interval (refused by Settings since) looped here for ever, wedging the order: none
                    # ever completed a task past this line, so no history can differ and no patch is needed.
                    if reminder <= timedelta(0):
                        next_reminder = None
                    while next_reminder is not None and next_reminder <= now:
                        next_reminder += reminder
                    if self._bounded and self._decision is None and (
                            self._reminders_this_run >= REMINDERS_PER_RUN
                            or workflow.info().is_continue_as_new_suggested()) and self._seen_all(seen):
                        return OrderResume(details=self._details, waiting_since=waiting_since,
                                           next_reminder=next_reminder, ledger_holds=self._ledger_holds,
                                           next_seq=self._next_seq, approval_steps=self._steps is not None)
                elif deadline is not None and now >= deadline:
                    self._transition(OrderStatus.EXPIRED, SYSTEM_ACTOR, "approval deadline passed")
                    return None
            else:
                if self._decision is None:  # a step was signed and the next awaits: its own timers, its notice
                    seen = self._signed
                    waiting_since = workflow.now()
                    next_reminder = waiting_since + reminder if reminder else None
                    await self._notify_manager()
        return None

    def _seen_all(self, seen: int) -> bool:
        """Whether the wait has seen every signature: a run continues as new only then, or a signature given during
        the reminder's notice would go unnotified into the next run (before ``signature-during-notice`` it did)."""
        return self._signed == seen or not workflow.patched(SIGNATURE_DURING_NOTICE)

    async def _remind(self) -> None:
        if self._bounded is None:
            self._bounded = self._ledger_in_activities and workflow.patched(BOUNDED_HISTORY)
        self._append(Transition(status=self._status, at=workflow.now(), actor=SYSTEM_ACTOR, reason="reminder sent",
                                kind="reminder", awaiting_role=self._details.awaiting_role))
        self._details.reminders += 1
        self._reminders_this_run += 1
        await self._record_alone()
        await self._notify_manager()
        if self._bounded:
            self._forget_old_reminders()

    def _forget_old_reminders(self) -> None:
        """Keep the latest ``REMINDERS_KEPT`` reminders in the order's state; older ones are in the ledger."""
        history = self._details.history
        reminders = [t for t in history if t.kind == "reminder"]
        old = {id(t) for t in reminders[:-REMINDERS_KEPT] if t.seq is not None and t.seq < self._ledger_holds}
        if old:
            self._details.history = [t for t in history if id(t) not in old]

    def _append(self, transition: Transition) -> None:
        self._details.history.append(transition.model_copy(update={"seq": self._next_seq}))
        self._next_seq += 1

    async def _notify_manager(self) -> None:
        """Tell the awaited role (the manager, before approval steps) that the order waits for them: a log line,
        and an e-mail where mail is set up (``activities.orders``; a mail failure never fails the activity)."""
        written = self._next_seq
        steps = self._steps or []
        step = awaited(steps)
        notice = NotifyManagerInput(
            order_id=self._order.order_id, ledger=self._ledger_entry(), role=self._details.awaiting_role,
            step=steps.index(step) + 1 if step is not None else None, steps=len(steps) or None,
            notice=self._details.reminders, reminder=self._details.history[-1].kind == "reminder")
        await workflow.execute_activity_method(OrderActivities.notify_manager, notice,
                                               start_to_close_timeout=SHORT_ACTIVITY)
        self._written(written)

    def _ledger_entry(self) -> LedgerEntry | None:
        """What the next activity should write to the ledger: the order's summary and the history entries no
        completed activity has written yet (nothing for a pre-patch run, whose local activities write)."""
        if not self._ledger_in_activities:
            return None
        return LedgerEntry.of(self._details, first_seq=self._ledger_holds)

    def _written(self, upto: int) -> None:
        """An activity that carried the history entries before seq ``upto`` completed: the ledger holds them."""
        if self._ledger_in_activities:
            self._ledger_holds = max(self._ledger_holds, upto)

    async def _record_alone(self) -> None:
        """Pre-patch runs: copy the order to the ledger with a local activity of its own."""
        if not self._ledger_in_activities:
            await self._record()

    async def _record(self) -> None:
        """Copy the order to the ledger: a local activity, idempotent, so retries never double a row."""
        written = self._next_seq
        await workflow.execute_local_activity_method(
            OrderActivities.record_order, LedgerEntry.of(self._details, first_seq=self._ledger_holds),
            start_to_close_timeout=LEDGER_WRITE)
        self._written(written)

    async def _finish(self) -> OrderDetails:
        """Record the final state, run its fulfilment activity, and complete once no handler runs.

        A final state with a fulfilment activity is written to the ledger by that activity, in the same
        transaction as its fulfilment row (a local activity since ``lean-orders``, so the order completes in the
        workflow task that reached its final state); CANCELLED has none, so a local activity writes it."""
        fulfil = FULFILMENT.get(self._status)
        if fulfil is None or not self._ledger_in_activities:
            await self._record()
        final = self._details.history[-1]
        if fulfil is not None:
            entry = FulfilmentInput(order_id=self._order.order_id, outcome=self._status, actor=final.actor,
                                    reason=final.reason, ledger=self._ledger_entry())
            if self._lean and self._ledger_in_activities:
                await workflow.execute_local_activity_method(fulfil, entry, start_to_close_timeout=SHORT_ACTIVITY)
            else:
                await workflow.execute_activity_method(fulfil, entry, start_to_close_timeout=SHORT_ACTIVITY)
        self._details.fulfilled = True
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._details

    def _transition(self, status: OrderStatus, actor: str, reason: str | None = None,
                    kind: Literal["transition", "signature"] = "transition") -> None:
        now = workflow.now()
        if status is not OrderStatus.PENDING_APPROVAL:
            self._details.awaiting_role = None
        changed = status is not self._details.status
        self._details.status = status
        self._details.updated_at = now
        self._append(Transition(status=status, at=now, actor=actor, reason=reason, kind=kind,
                                awaiting_role=self._details.awaiting_role))
        if self._lean is None:
            self._lean = workflow.patched(LEAN_ORDERS)
        if not self._lean:
            workflow.upsert_search_attributes([
                sa.ORDER_STATUS.value_set(status.value),
                sa.ORDER_UPDATED_AT.value_set(now),
            ])
        elif changed:
            workflow.upsert_search_attributes([sa.ORDER_STATUS.value_set(status.value)])

    def _check(self, decision: Decision) -> None:
        """Raise why ``decision`` may not be applied now. A decision moves the state at once, so a
        second one (a race's loser) finds a final state and is refused."""
        error = refusal(decision, self._order, self._status, self._steps)
        if error is not None:
            raise error

    def _apply(self, decision: Decision) -> OrderStatus:
        self._check(decision)
        step = awaited(self._steps) if decision.action is Action.APPROVE else None
        if step is not None:
            step.signature = Signature(actor=decision.actor.name, role=decision.actor.role, at=workflow.now(),
                                       comment=decision.reason)
            following = awaited(self._steps)
            if following is not None:  # more to sign: the order waits for the next role
                self._details.awaiting_role = following.role
                self._transition(OrderStatus.PENDING_APPROVAL, decision.actor.name, decision.reason, kind="signature")
                self._signed += 1
                return self._status
        self._decision = decision
        self._transition(decision.action.outcome, decision.actor.name, decision.reason)
        return self._status

    @workflow.update
    def decide(self, decision: Decision) -> OrderStatus:
        return self._apply(decision)

    @decide.validator
    def _validate_decide(self, decision: Decision) -> None:
        self._check(decision)

    def _signal(self, action: Action, decision: Decision | None) -> None:
        if self._order.team and workflow.patched(TEAM_DECISIONS):
            workflow.logger.warning("Refused %s signal for %s: an order of a team server is decided only by a "
                                    "signed-in user, through serve", action.value, self._order.order_id)
            return
        decision = decision or Decision(action=action, actor=Actor(name="api"))
        decision = decision.model_copy(update={"action": action})
        try:
            self._apply(decision)
        except ApplicationError as err:
            workflow.logger.warning("Ignored %s signal for %s: %s", action.value, self._order.order_id, err)

    @workflow.signal
    def approve(self, decision: Decision | None = None) -> None:
        self._signal(Action.APPROVE, decision)

    @workflow.signal
    def reject(self, decision: Decision | None = None) -> None:
        self._signal(Action.REJECT, decision)

    @workflow.signal
    def cancel(self, decision: Decision | None = None) -> None:
        self._signal(Action.CANCEL, decision)

    @workflow.query
    def status(self) -> OrderStatus:
        return self._status

    @workflow.query
    def details(self) -> OrderDetails:
        return self._details
