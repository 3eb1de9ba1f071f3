"""The status bar: progress (start-up, export), who acts, which Temporal (and whether it stopped), the worker's
state, the orders stuck on the ledger, the last refresh. Signed in to a team server, who acts and the server's
URL take the place of Temporal and the worker, which are the server's.

It keeps what it shows as facts (an address, a state, a moment), not as sentences, so a language switch
can write them again.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from core.models import Actor
from core.runtime import RuntimeEvent, RuntimeState
from desktop import formatting
from desktop.identity import describe, not_signed_in, signed_in_as
from desktop.reports import WorkerState
from desktop.session import Session

STUCK_LISTED = 20  # order IDs in the stuck label's tooltip; more are counted


MIN_ACTOR_WIDTH = 120  # pixels: the least the status bar keeps of who acts, when the window is narrow

def _label(parent: QWidget, name: str) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class DeskStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.progress_label = _label(self, "bootLabel")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("bootProgress")
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.actor_label = _label(self, "actorLabel")
        self.server_label = _label(self, "serverLabel")
        self.worker_label = _label(self, "workerLabel")
        self.stuck_label = _label(self, "stuckLabel")
        self.refresh_label = _label(self, "refreshLabel")
        self.addWidget(self.progress_label, 1)
        self.addWidget(self.progress)
        for label in (self.actor_label, self.server_label, self.worker_label, self.stuck_label, self.refresh_label):
            self.addPermanentWidget(label)
        # Who is signed in where can be long (a full name and a server's URL): the label may be clipped rather than
        # widen the window (800 -> 860 px on signing in, seen under openbox); its tooltip holds the whole text.
        self.actor_label.setMinimumWidth(MIN_ACTOR_WIDTH)
        self._actor: Actor | None = None
        self._signed_out = False
        self._server_url: str | None = None
        self._server: tuple[str, bool] = ("", True)
        self._temporal: RuntimeEvent | None = None
        self._stuck: list[str] = []
        self._worker: tuple[WorkerState, str, str] = (WorkerState.NOT_STARTED, "", "")
        self._refreshed: datetime | None = None
        self._refresh_failing = False
        self.set_progress(None)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        if self._signed_out:
            self.set_signed_out()
        elif self._actor is not None:
            self.set_actor(self._actor)
        self.set_server(*self._server)
        self.set_worker(*self._worker)
        self.set_stuck(self._stuck)
        self._show_refresh()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def set_progress(self, text: str | None, done: int | None = None, total: int | None = None) -> None:
        """Busy with ``text``, as ``done`` of ``total`` when both are known; None when idle."""
        self.progress_label.setText(text or "")
        if done is None or total is None or total <= 0:
            self.progress.setRange(0, 0)  # busy: how long it takes is unknown
        else:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        self.progress.setVisible(text is not None)

    def set_actor(self, actor: Actor) -> None:
        self._actor, self._signed_out = actor, False
        url = self._server_url
        self.actor_label.setText(describe(actor) if url is None else signed_in_as(actor, url))
        self.actor_label.setToolTip(self.actor_label.text())

    def set_session(self, session: Session) -> None:
        """Who sits at the desk; signed in, the team server's URL instead of Temporal and the worker."""
        self._server_url = session.server
        self.set_actor(session.actor)
        self.server_label.setVisible(not session.signed_in)
        self.worker_label.setVisible(not session.signed_in)

    def set_signed_out(self) -> None:
        """A sign-in is asked for: the name the desk had (its settings' claim, or a refused token's) is not shown as
        acting; the next session (``set_session``) replaces this."""
        self._signed_out = True
        self.actor_label.setText(not_signed_in())
        # Nothing of the desk's own runs while it asks (a team's ledger, a server to sign in to): no Temporal
        # address or worker state to show ("Worker: not started" beside "Not signed in" read as a fault).
        self.server_label.setVisible(False)
        self.worker_label.setVisible(False)

    @property
    def signed_in(self) -> bool:
        return self._server_url is not None

    def set_server(self, address: str, connected: bool = True) -> None:
        self._server = (address, connected)
        shown = address or self.tr("not configured")
        outage = self._temporal if self._temporal is not None and not self._temporal.state.up else None
        if outage is not None:
            self.server_label.setText(self.tr("Temporal stopped — waiting for it…")
                                      if outage.state is RuntimeState.TEMPORAL_STOPPED
                                      else self.tr("Temporal stopped — restarting…"))
            self.server_label.setToolTip(self._outage_tip(outage, shown))
            return
        if connected:
            self.server_label.setText(self.tr("Temporal: {address}").format(address=shown))
        else:
            self.server_label.setText(self.tr("Temporal: {address} (not connected)").format(address=shown))
        self.server_label.setToolTip("")

    def _outage_tip(self, outage: RuntimeEvent, address: str) -> str:
        if outage.state is RuntimeState.FAILED:
            return self.tr("Temporal at {address}: attempt {attempt} to restart it failed: {error}").format(
                address=address, attempt=formatting.number(outage.attempt), error=outage.error)
        return self.tr("Temporal at {address} stopped: {error}").format(address=address, error=outage.error)

    def set_temporal(self, event: RuntimeEvent) -> None:
        """What the runtime's watch saw: while Temporal is down the server label says so, whatever else it hears."""
        self._temporal = event
        self.set_server(event.address, event.state.up)

    def set_worker(self, state: WorkerState, task_queue: str = "", error: str = "") -> None:
        self._worker = (state, task_queue, error)
        self.worker_label.setText(self.tr("Worker: {state}").format(state=self.tr(state.value)))
        if error:
            self.worker_label.setToolTip(self.tr("The embedded worker failed: {error}").format(error=error))
        elif task_queue:
            self.worker_label.setToolTip(self.tr("Embedded worker on task queue {queue}").format(queue=task_queue))
        else:
            self.worker_label.setToolTip("")

    def set_stuck(self, order_ids: list[str]) -> None:
        """The orders whose ledger write keeps failing: counted here, listed in the tooltip; hidden when none."""
        self._stuck = list(order_ids)
        count = len(order_ids)
        if count == 1:
            self.stuck_label.setText(self.tr("1 order stuck on the ledger"))
        else:
            self.stuck_label.setText(self.tr("{count} orders stuck on the ledger").format(
                count=formatting.number(count)))
        listed = "\n".join(order_ids[:STUCK_LISTED])
        if count > STUCK_LISTED:
            listed += "\n" + self.tr("… and {count} more").format(count=formatting.number(count - STUCK_LISTED))
        self.stuck_label.setToolTip(self.tr("Their ledger writes keep failing; each is retried until the cause is "
                                            "fixed:\n{orders}").format(orders=listed))
        self.stuck_label.setVisible(count > 0)

    def set_refreshed(self, moment: datetime) -> None:
        self._refreshed = moment
        self._refresh_failing = False
        self._show_refresh()

    @property
    def refreshed_at(self) -> datetime | None:
        return self._refreshed

    def set_refresh_failed(self) -> None:
        self._refresh_failing = True
        self._show_refresh()

    def _show_refresh(self) -> None:
        if self._refreshed is None:
            text = self.tr("Not refreshed yet")
        else:
            text = self.tr("Refreshed {time}").format(time=formatting.time_of_day(self._refreshed))
        if self._refresh_failing:  # in the warning's colour: a server that stopped answering must be seen
            text = self.tr("{refreshed}: the list may be out of date").format(refreshed=text)
        self.refresh_label.setText(text)
        if bool(self.refresh_label.property("fieldError")) != self._refresh_failing:
            self.refresh_label.setProperty("fieldError", self._refresh_failing)
            self.refresh_label.style().unpolish(self.refresh_label)
            self.refresh_label.style().polish(self.refresh_label)
