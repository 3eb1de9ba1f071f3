"""How many orders the person at the desk may sign next: the live count on the "Needs my review" tab.

The service counts them with the view's own filter (``count_orders``: the ledger on the embedded default,
``GET /orders?needs_review_by=me`` on a team server), so the count is what the tab lists, beyond the orders the
table holds. It is asked again whenever the orders change (a list, a batch of the feed, a decision here); asks
that come while one is under way are folded into one more after it, so a busy feed costs one query at a time.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from core.service_interface import OrderServiceProtocol
from desktop.reports import Message
from desktop.views import REVIEW_VIEW, Reviewer

REVIEW = "review"  # the count's command: no person's, and it shows no message


class ReviewCount(QObject):
    changed = Signal(object)  # int: how many orders await this person's signature; None: not known

    def __init__(self, service: Callable[[], OrderServiceProtocol | None],
                 run: Callable[..., None], busy: Callable[[str], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._run = run
        self._busy = busy
        self._reviewer: Reviewer | None = None
        self._again = False
        self.count: int | None = None

    def set_reviewer(self, reviewer: Reviewer) -> None:
        if reviewer != self._reviewer:
            self._reviewer = reviewer
            self.count = None
            self.changed.emit(None)
            self.ask()

    def ask(self) -> None:
        """Count again (once the count under way, if any, is done)."""
        service, reviewer = self._service(), self._reviewer
        if service is None or reviewer is None:
            return
        if self._busy(REVIEW):
            self._again = True
            return
        self._again = False
        self._run(REVIEW, "Counting the orders that need my review",
                  service.count_orders(REVIEW_VIEW.filter(None, reviewer)), self._failed,
                  lambda count: self._counted(reviewer, count), self._done)

    def _failed(self, _err: Exception) -> Message | None:
        return None  # logged; the next change asks again

    def _counted(self, reviewer: Reviewer, count: int) -> None:
        if reviewer != self._reviewer:
            return  # asked for someone who no longer sits here
        if count != self.count:
            self.count = count
            self.changed.emit(count)

    def _done(self) -> None:
        """A count finished: ask once more if anything changed meanwhile."""
        if self._again:
            self.ask()
