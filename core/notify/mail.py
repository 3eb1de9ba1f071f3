"""Approval notices by e-mail: to the users of the role an order awaits, through the configured SMTP server.

The notify activity calls ``Mailer.send`` after its ledger write. Sending is idempotent: each notice has a stable
Message-ID made of the order, the step and the order's reminder count (``notice_id``), and the ledger's ``notices``
table remembers each one sent, so a retried activity finds it there and sends nothing. (Between the server's
accepting a message and the row being written there is a moment where a crash would send it twice; the same
Message-ID then lets mail clients show it once.) A mail failure never fails the activity: it is logged, the order
goes on, and the next reminder is another chance.

Recipients: the active users of the awaited role with an address (``order-desk users add … --email``), except the
order's creator and those who already signed it (four-eyes: they may not sign); when nobody of that role has one,
the users of the roles above it, who may sign too.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from sqlalchemy.exc import SQLAlchemyError

from core.ledger import Ledger
from core.models import ApprovalStep, OrderSummary, Role
from core.money import format_money
from core.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    implicit_tls: bool = False
    ca_file: str | None = None
    timeout: float = 10.0

    @classmethod
    def of(cls, settings: Settings) -> SmtpConfig | None:
        """The settings' SMTP server, or None when mail is off (no ``ORDER_DESK_SMTP_HOST`` or ``_FROM``)."""
        if not settings.mail_enabled:
            return None
        assert settings.smtp_host is not None and settings.smtp_from is not None
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        return cls(host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_from,
                   user=settings.smtp_user, password=password, starttls=settings.smtp_starttls,
                   implicit_tls=settings.smtp_ssl,
                   ca_file=str(settings.smtp_ca_file) if settings.smtp_ca_file else None,
                   timeout=settings.smtp_timeout)

    def tls_context(self) -> ssl.SSLContext:
        """A context that verifies the mail server's certificate and name (``smtplib`` without one does not, on
        Python 3.11, so the password could go to whoever sits in between)."""
        return ssl.create_default_context(cafile=self.ca_file)


@dataclass(frozen=True)
class Notice:
    """One notice: the order (as the ledger entry that came with it), the role it awaits, which step and which
    notice of the order it is."""

    order: OrderSummary
    role: Role
    step: int
    steps: int
    notice: int
    reminder: bool
    signed: tuple[str, ...] = ()


def notice_id(order_id: str, step: int, notice: int, sender: str) -> str:
    """The notice's Message-ID: the same for every attempt of one notice, different for every other notice."""
    domain = sender.rpartition("@")[2] or "order-desk"
    return f"<{order_id}.step{step}.notice{notice}@{domain}>"


def signers(steps: list[ApprovalStep]) -> tuple[str, ...]:
    return tuple(step.signature.actor for step in steps if step.signature is not None)


class Mailer:
    def __init__(self, config: SmtpConfig | None, ledger: Ledger) -> None:
        self.config = config
        self.ledger = ledger

    def send(self, notice: Notice) -> str:
        """Send ``notice`` once; never raises. Returns what happened, in words (for the activity's log)."""
        if self.config is None:
            return "mail is off"
        config, order = self.config, notice.order
        message_id = notice_id(order.order_id, notice.step, notice.notice, config.sender)
        try:
            if self.ledger.notice_sent(message_id):
                return f"e-mail {message_id} already sent"
            recipients = self._recipients(notice)
        except SQLAlchemyError as err:
            log.warning("No e-mail for order %s: the ledger does not answer (%s)", order.order_id, type(err).__name__)
            return "no e-mail: the ledger does not answer"
        if not recipients:
            return f"no {notice.role} has an e-mail address"
        try:
            deliver(config, _message(notice, message_id, config.sender, recipients))
        except (OSError, smtplib.SMTPException) as err:
            log.warning("E-mail about order %s to the %s(s) failed: %s (the order goes on; the next reminder tries "
                        "again)", order.order_id, notice.role, err)
            return f"e-mail failed: {err}"
        try:
            self.ledger.record_notice(message_id, order.order_id, notice.role.value, recipients)
        except SQLAlchemyError as err:
            log.warning("E-mail %s sent, but not recorded (%s): a retry may send it again", message_id,
                        type(err).__name__)
        return f"e-mail {message_id} sent to {len(recipients)}"

    def _recipients(self, notice: Notice) -> list[str]:
        excluded = {notice.order.created_by, *notice.signed}
        higher = [role for role in Role if role.rank > notice.role.rank]
        for roles in ([notice.role], higher):
            found = [user.email for user in self.ledger.users.with_email(roles)
                     if user.email and user.name not in excluded]
            if found:
                return found
        return []

def deliver(config: SmtpConfig, message: EmailMessage) -> None:
    """Hand ``message`` to the mail server, over TLS whose certificate is verified when TLS is configured."""
    smtp_class = smtplib.SMTP_SSL if config.implicit_tls else smtplib.SMTP
    tls = {"context": config.tls_context()} if config.implicit_tls else {}
    with smtp_class(config.host, config.port, timeout=config.timeout, **tls) as smtp:
        if config.starttls:
            smtp.starttls(context=config.tls_context())
        if config.user:
            smtp.login(config.user, config.password or "")
        smtp.send_message(message)


def _message(notice: Notice, message_id: str, sender: str, recipients: list[str]) -> EmailMessage:
    order = notice.order
    step = f" (step {notice.step} of {notice.steps})" if notice.steps > 1 else ""
    article = "an" if notice.role.value[0] in "aeiou" else "a"
    message = EmailMessage()
    # Short enough for one header line (78 characters), which mail clients show as it is.
    short_step = f" ({notice.step}/{notice.steps})" if notice.steps > 1 else ""
    message["Subject"] = (f"{'Reminder: ' if notice.reminder else ''}{order.order_id} awaits {article} "
                          f"{notice.role}'s signature{short_step}")
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Message-ID"] = message_id
    message["Date"] = formatdate(localtime=False)
    amount = (format_money(order.amount, order.currency or "", "en") if order.amount is not None and order.currency
              else "no price")
    lines = [
        f"Order {order.order_id} awaits {article} {notice.role}'s signature{step}.",
        "",
        f"  item:       {order.item}",
        f"  quantity:   {order.quantity}",
        f"  amount:     {amount}",
        f"  created by: {order.created_by}",
    ]
    if notice.signed:
        lines.append(f"  signed by:  {', '.join(notice.signed)}")
    lines += ["", "Approve or reject it in Order Desk.", ""]
    message.set_content("\n".join(lines))
    return message
