"""The order activities. One class so the worker can hand them the ledger and the settings they need.

Each takes one input model (``activities.inputs``, ``core.models.FulfilmentInput``). Each activity that follows a
transition also writes the order's ``LedgerEntry`` to the ledger: idempotent upserts that only move an order
forward, so a retry, or a late attempt after a newer write, changes nothing.
They are sync because SQLite and psycopg block; the worker runs them in its thread pool. The SDK cancels a
sync activity by raising in its thread wherever it is, so each ledger write is shielded: it finishes, and
the cancellation is raised after it.
"""

from __future__ import annotations

from collections.abc import Sequence

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.inputs import NotifyManagerInput, ValidateOrderInput
from core.ledger import Ledger
from core.models import FulfilmentInput, LedgerEntry, OrderStatus

INVALID_ORDER = "InvalidOrder"


class OrderActivities:
    def __init__(
        self,
        ledger: Ledger,
        simulate_validation_failures: int = 0,
        blocked_items: Sequence[str] = (),
    ) -> None:
        self.ledger = ledger
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
            raise RuntimeError(f"simulated transient failure {attempt}/{self.simulate_validation_failures}")
        item = order.item.casefold()
        for blocked in self.blocked_items:
            if blocked in item:
                raise ApplicationError(f"item {order.item!r} is not orderable", type=INVALID_ORDER,
                                       non_retryable=True)
        activity.logger.info("Order %s validated", order.order_id)

    @activity.defn(name="notify_manager")
    def notify_manager(self, notice: NotifyManagerInput) -> None:
        self._write(notice.ledger)
        activity.logger.info("Notifying manager about order %s...", notice.order_id)

    @activity.defn(name="record_order")
    def record_order(self, entry: LedgerEntry) -> None:
        """Keep the ledger's copy current where no other activity follows the transition (a cancellation, and
        every transition of a workflow from before ``ledger-in-activities``); run as a local activity."""
        self._write(entry)

    def _write(self, entry: LedgerEntry | None) -> None:
        if entry is not None:
            with activity.shield_thread_cancel_exception():
                self.ledger.write(entry)

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
        with activity.shield_thread_cancel_exception():
            created = self.ledger.record_fulfilment(entry)
        activity.logger.info("Order %s %s (%s)", entry.order_id, entry.outcome.value,
                             "recorded" if created else "already recorded")
        return created
