"""Signing in to a team server and out again: the part of ``DeskController`` that swaps what serves the desk.

Signed in, the desk works through the server's REST API alone (``HttpOrderService``) as the user its token names,
and keeps the token in the keyring (``desktop.tokens``); signing out forgets it and starts the embedded default
again. A token the server refuses, on any call, asks the person to sign in again (``signInRequired``) and keeps
everything else: the form, the view, the table. It reports through the controller's signals.
"""

from __future__ import annotations

import asyncio
import logging
from importlib import import_module
from typing import TYPE_CHECKING

from core.remote.errors import SignInRequired
from desktop.reports import Message, Severity, WorkerState
from desktop.session import ServerLogin, Session, local_session, server_session
from desktop.sign_in_text import AGAIN, SESSION_ONLY, SIGNED_IN, SIGNED_OUT, SIGNING_IN, sign_in_error, tr

if TYPE_CHECKING:
    from core.http_service import HttpOrderService
    from desktop.controller import DeskController

log = logging.getLogger(__name__)

SIGN_IN = "sign_in"  # the command, and the source of its messages
BOOT = "boot"
REFUSED = "token_refused"  # the command that stops the client of a token the server refused


class TeamSignIn:
    def __init__(self, desk: DeskController) -> None:
        self.desk = desk
        self._refused: HttpOrderService | None = None  # the client of a refused token, until it may be closed

    def sign_in(self, url: str, token: str, *, from_dialog: bool = True) -> None:
        """Once ``GET /me`` accepts the token, the desk works through the server alone (the embedded runtime, if
        running, stops) and keeps the token in the keyring."""
        desk = self.desk
        if desk.closing or desk.busy(SIGN_IN):
            return
        desk.progressChanged.emit(tr(SIGNING_IN).format(url=url), None, None)
        desk.commands.run(SIGN_IN, f"Signing in to {url}", self._connect(url, token),
                          lambda err: self._failed(url, err, from_dialog), self._signed_in,
                          after=lambda: desk.progressChanged.emit(None, None, None))

    async def _connect(self, url: str, token: str) -> tuple[HttpOrderService, Session, str, bool]:
        await asyncio.to_thread(import_module, "core.http_service")  # httpx: only for a sign-in, off the Qt thread
        from core.http_service import HttpOrderService

        service = HttpOrderService(url, token, self.desk.settings.server_ca)
        try:
            me = await service.me()
            # Kept before what serves the desk now stops: a keyring may ask the person to unlock it first.
            persistent = await asyncio.to_thread(self.desk.tokens.put, service.url, token)
        except BaseException:
            await service.aclose()
            raise
        await self.drop_service()
        return service, server_session(me, service.url), token, persistent

    async def drop_service(self) -> None:
        """Stop what serves the desk now: the refresher, and the team server's client or the embedded runtime."""
        desk = self.desk
        await self.close_refused()
        service, desk.service = desk.service, None
        if service is not None:
            desk.readyChanged.emit(False)
        await desk.refresher.stop()
        close = getattr(service, "aclose", None)  # a team server's client; the embedded runtime stops below
        if close is not None:
            await close()
        elif desk.runtime.service is not None:
            await desk.runtime.stop()
            desk.workerChanged.emit(WorkerState.NOT_EMBEDDED, desk.settings.task_queue, "")

    def _signed_in(self, result: tuple[HttpOrderService, Session, str, bool]) -> None:
        desk = self.desk
        service, session, token, persistent = result
        if session.server != desk.session.server:  # another server's orders: nothing of the last one stays
            desk.forget_orders()
        desk.login = ServerLogin(service.url, token)
        desk.session = session
        desk.service = service
        desk.sessionChanged.emit(session)
        desk.signedIn.emit(service.url, persistent)
        desk.messageCleared.emit(BOOT)
        text = tr(SIGNED_IN).format(url=service.url, name=session.actor.name)
        if not persistent:
            text = f"{text} {tr(SESSION_ONLY)}"
        desk.message.emit(Message(text, Severity.SUCCESS if persistent else Severity.INFO, SIGN_IN))
        desk.readyChanged.emit(True)
        desk.refresher.start(service)
        log.info("Signed in to %s as %s (%s)", service.url, session.actor.name, session.actor.role or "no role")

    def _failed(self, url: str, err: Exception, from_dialog: bool) -> Message | None:
        text = sign_in_error(err)
        if from_dialog:
            self.desk.signInFailed.emit(text)
            return None
        if isinstance(err, SignInRequired):
            self.desk.signInRequired.emit(url, text)
            return None
        return Message(text, Severity.ERROR, BOOT, retry=True)

    def sign_out(self) -> None:
        """Forget the token on this computer and go back to the embedded default."""
        desk = self.desk
        login = desk.login
        if login is None or desk.closing or desk.busy(SIGN_IN):
            return
        desk.login = None

        def signed_out(_: None) -> None:
            desk.session = local_session(desk.settings)
            desk.forget_orders()
            desk.sessionChanged.emit(desk.session)
            desk.signedOut.emit(login.url)
            desk.message.emit(Message(tr(SIGNED_OUT).format(url=login.url), Severity.INFO, SIGN_IN))
            desk.start()

        desk.commands.run(SIGN_IN, "Signing out", self._sign_out(login.url),
                          lambda err: Message(str(err), Severity.ERROR, SIGN_IN), signed_out)

    async def _sign_out(self, url: str) -> None:
        """The server's client stops first, so nothing can be decided on it while a keyring asks to be unlocked."""
        await self.drop_service()
        await asyncio.to_thread(self.desk.tokens.forget, url)

    def token_refused(self, err: SignInRequired) -> None:
        """The server no longer takes the token (revoked, rotated): ask for a new one; the form, the view and the
        table stay as they are, and a command can be sent again once signed in. Meanwhile the server's client
        stops: nothing is offered that would send the refused token again (the dialog may be cancelled)."""
        desk = self.desk
        if desk.login is None or desk.closing:
            return
        why = sign_in_error(err)
        desk.message.emit(Message(tr(AGAIN).format(url=desk.login.url, why=why), Severity.WARNING, SIGN_IN))
        desk.refreshFailed.emit()
        desk.signInRequired.emit(desk.login.url, why)
        if desk.service is not None and not desk.busy(REFUSED):
            desk.commands.run(REFUSED, "Pausing until signed in again", self._pause(),
                              lambda failed: Message(str(failed), Severity.ERROR, SIGN_IN))

    async def _pause(self) -> None:
        """Nothing more is offered or polled with the refused token: the desk is not ready, the refresher stops. The
        client is closed only at the next sign-in, sign-out or close: a command still under way on it (a bulk
        decision's later orders) finishes with the server's own refusal, not a client closed under it."""
        desk = self.desk
        self._refused, desk.service = desk.service, None  # type: ignore[assignment]
        desk.readyChanged.emit(False)
        await desk.refresher.stop()

    async def close_refused(self) -> None:
        refused, self._refused = self._refused, None
        if refused is not None:
            await refused.aclose()
