"""Mail over TLS is verified: a mail server whose certificate nobody vouched for gets no message (and so no
password); one signed by the configured CA gets it, by STARTTLS and by TLS from the first byte. A password is
never configured to cross the network in clear."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from pydantic import ValidationError

from core.notify.mail import SmtpConfig, deliver
from core.settings import Settings
from tests.certificates import self_signed
from tests.helpers import free_port
from tests.test_mail import Inbox


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = "order_0 awaits a manager's signature", "o@desk.example", "m@x"
    mail.set_content("hello")
    return mail


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, ssl.SSLContext]:
    certfile, keyfile = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certfile, keyfile)
    return certfile, context


@dataclass
class TlsInbox(Inbox):
    starttls: bool = True

    def config(self, ca_file: Path | None) -> SmtpConfig:
        return SmtpConfig(host="localhost", port=self.port, sender="o@desk.example", starttls=self.starttls,
                          implicit_tls=not self.starttls, ca_file=str(ca_file) if ca_file else None, timeout=5)


@pytest.fixture(params=["starttls", "implicit"])
def tls_inbox(request: pytest.FixtureRequest, certificate: tuple[Path, ssl.SSLContext]) -> Iterator[TlsInbox]:
    box = TlsInbox(port=free_port(), starttls=request.param == "starttls")
    _, context = certificate
    tls = {"tls_context": context, "require_starttls": True} if box.starttls else {"ssl_context": context}
    controller = Controller(box, hostname="127.0.0.1", port=box.port, **tls)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def test_a_certificate_nobody_vouched_for_gets_nothing(tls_inbox: TlsInbox) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        deliver(tls_inbox.config(None), message())
    assert tls_inbox.received == []


def test_the_configured_ca_lets_the_message_through(tls_inbox: TlsInbox,
                                                     certificate: tuple[Path, ssl.SSLContext]) -> None:
    deliver(tls_inbox.config(certificate[0]), message())
    assert [str(mail["Subject"]) for _, mail in tls_inbox.received] == ["order_0 awaits a manager's signature"]


def test_a_password_needs_an_encrypted_connection_to_another_machine() -> None:
    with pytest.raises(ValidationError, match="ORDER_DESK_SMTP_STARTTLS=true or ORDER_DESK_SMTP_SSL=true"):
        Settings(smtp_host="mail.example.com", smtp_from="o@desk.example", smtp_password="secret")
    for fine in ({"smtp_starttls": True}, {"smtp_ssl": True}, {"smtp_host": "localhost"}):
        Settings(**{"smtp_host": "mail.example.com", "smtp_from": "o@desk.example", "smtp_password": "secret",
                    **fine})
    with pytest.raises(ValidationError, match="exclude each other"):
        Settings(smtp_host="mail.example.com", smtp_starttls=True, smtp_ssl=True)
