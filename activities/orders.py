"""The order activities. One class so the worker can hand them the ledger and the settings they need.

Each takes one input model (``activities.inputs``, ``core.models.FulfilmentInput``). Each activity that follows a
transition also writes the order's ``LedgerEntry`` to the ledger: idempotent upserts that only move an order
forward, so a retry, or a late attempt after a newer write, changes nothing.
They are sync because SQLite and psycopg block; the worker runs them in its thread pool. The SDK cancels a
sync activity by raising in its thread wherever it is, so each ledger write is shielded: it finishes, and
the cancellation is raised after it.

A ledger write that fails is never silent: it is logged as an error with the order's ID and counted in the
ledger's ``write_failures`` (which ``/healthz`` and the desk read), and the activity is retried until the cause
is fixed. A database that is unreachable (a transient error) is retried on Temporal's schedule; one that refuses
the row (a non-transient error: bad data, a constraint, a trigger) is retried with a delay that doubles up to
five minutes, not every few seconds for ever.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from activities.inputs import NotifyManagerInput, ValidateOrderInput
from core.ledger import Ledger
from core.models import FulfilmentInput, LedgerEntry, OrderStatus, Role
from core.notify.mail import Mailer, Notice, SmtpConfig, signers

INVALID_ORDER = "InvalidOrder"
LEDGER_REFUSED = "LedgerRefused"
LONGEST_RETRY_DELAY = timedelta(minutes=5)
T = TypeVar("T")


class OrderActivities:
    def __init__(
        self,
        ledger: Ledger,
        simulate_validation_failures: int = 0,
        blocked_items: Sequence[str] = (),
        mail: SmtpConfig | None = None,
    ) -> None:
        self.ledger = ledger
        self.mailer = Mailer(mail, ledger)
        self.simulate_validation_failures = simulate_validation_failures
        self.blocked_items = [item.casefold() for item in blocked_items]

    @activity.defn(name="validate_order")
    def validate_order(self, order: ValidateOrderInput) -> None:
        """Fail transiently the configured number of times (the seed's retry demo), then apply the rules.

        A rule violation is non-retryable: retrying cannot make a blocked item acceptable.
        """
        self._write(order.ledger)
        attempt = activity.info().attempt
        if attempt <= self.simulate_validation_failures:
            activity.logger.warning("Simulated transient validation failure for %s (attempt %d)",
                                    order.order_id, attempt)
            # Benign: the SDK then logs it at DEBUG, not as a warning with a traceback, so the demo's output shows
            # the line above and the retries in the Web UI, not a page of stack per attempt.
            raise ApplicationError(f"simulated transient failure {attempt}/{self.simulate_validation_failures}",
                                   type="SimulatedFailure", category=ApplicationErrorCategory.BENIGN)
        item = order.item.casefold()
        for blocked in self.blocked_items:
            if blocked in item:
                raise ApplicationError(f"item {order.item!r} is not orderable", type=INVALID_ORDER,
                                       non_retryable=True)
        activity.logger.info("Order %s validated", order.order_id)

    @activity.defn(name="notify_manager")
    def notify_manager(self, notice: NotifyManagerInput) -> None:
        """Tell the awaited role (the manager, for orders from before approval steps): a log line, and an e-mail
        where mail is set up. The ledger write comes first and is retried; the mail is sent once and never fails
        the activity (``core.notify.mail``)."""
        self._write(notice.ledger)
        role = notice.role or Role.MANAGER
        activity.logger.info("Notifying %s about order %s...", role.value, notice.order_id)
        if notice.ledger is None:  # a workflow from before the ledger entries: nothing to write the mail from
            return
        outcome = self.mailer.send(Notice(
            order=notice.ledger.summary, role=role, step=notice.step or 1, steps=notice.steps or 1,
            notice=notice.notice, reminder=notice.reminder, signed=signers(notice.ledger.steps)))
        activity.logger.info("Order %s: %s", notice.order_id, outcome)

    @activity.defn(name="record_order")
    def record_order(self, entry: LedgerEntry) -> None:
        """Keep the ledger's copy current where no other activity follows the transition (a cancellation, and
        every transition of a workflow from before ``ledger-in-activities``); run as a local activity."""
        self._write(entry)

    def _write(self, entry: LedgerEntry | None) -> None:
        if entry is not None:
            self._guarded(entry.summary.order_id, lambda recovered: self.ledger.write(entry, recovered=recovered))

    def _guarded(self, order_id: str, write: Callable[[bool], T]) -> T:
        """Run a ledger write (shielded from cancellation); on failure log, count and classify it."""
        attempt = activity.info().attempt
        try:
            with activity.shield_thread_cancel_exception():
                return write(attempt > 1)
        except SQLAlchemyError as err:
            reason = _reason(err)
            activity.logger.error("Ledger write of order %s failed (attempt %d): %s", order_id, attempt, reason)
            with contextlib.suppress(SQLAlchemyError):  # the database may be down altogether
                self.ledger.note_failure(order_id, reason)
            if _transient(err):
                raise
            delay = min(timedelta(seconds=2 ** min(attempt, 10)), LONGEST_RETRY_DELAY)
            raise ApplicationError(f"the ledger refused order {order_id}: {reason}", type=LEDGER_REFUSED,
                                   next_retry_delay=delay) from None

    @activity.defn(name="process_approved_order")
    def process_approved_order(self, entry: FulfilmentInput) -> bool:
        return self._fulfil(entry, OrderStatus.APPROVED)

    @activity.defn(name="process_rejected_order")
    def process_rejected_order(self, entry: FulfilmentInput) -> bool:
        return self._fulfil(entry, OrderStatus.REJECTED)

    @activity.defn(name="process_expired_order")
    def process_expired_order(self, entry: FulfilmentInput) -> bool:
        return self._fulfil(entry, OrderStatus.EXPIRED)

    def _fulfil(self, entry: FulfilmentInput, expected: OrderStatus) -> bool:
        """Write the order's one fulfilment record (and its final ledger entry); a retry finds it there and
        writes nothing."""
        if entry.outcome is not expected:
            raise ApplicationError(f"{entry.outcome} sent to the {expected} activity", non_retryable=True)
        created = self._guarded(entry.order_id,
                                lambda recovered: self.ledger.record_fulfilment(entry, recovered=recovered))
        activity.logger.info("Order %s %s (%s)", entry.order_id, entry.outcome.value,
                             "recorded" if created else "already recorded")
        return created


def _transient(err: SQLAlchemyError) -> bool:
    """The database could not be reached or was busy: the same write may well succeed in a moment."""
    return isinstance(err, OperationalError | PoolTimeout) or (
        isinstance(err, DBAPIError) and err.connection_invalidated)


def _reason(err: SQLAlchemyError) -> str:
    """The driver's reason in one line, never the statement or its parameters (they hold order contents)."""
    cause = err.orig if isinstance(err, DBAPIError) and err.orig is not None else err.__cause__ or err
    text = str(cause).strip()
    return text.splitlines()[0] if text else type(cause).__name__
