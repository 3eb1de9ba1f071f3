"""What signing in to a team server says, in the interface's language, chosen by the error's type and code."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from core.errors import ErrorCode
from core.remote.connection import BadServerUrl
from core.remote.errors import ServerUnreachable, SignInRequired

CONTEXT = "SignIn"
REVOKED = QT_TRANSLATE_NOOP("SignIn", "The server refused your token: it was revoked. Ask for a new one and sign in "
                                      "again.")
UNKNOWN_TOKEN = QT_TRANSLATE_NOOP("SignIn", "The server does not accept this token. Check it and sign in again.")
UNTRUSTED = QT_TRANSLATE_NOOP("SignIn", "The server's certificate is not trusted: {error}. If the server uses a "
                                        "private certificate authority, set ORDER_DESK_SERVER_CA to its certificate.")
UNREACHABLE = QT_TRANSLATE_NOOP("SignIn", "The server does not answer: {error}")
PLAIN_HTTP = QT_TRANSLATE_NOOP("SignIn", "The server answers in plain http://, not https://. If it runs on this "
                                         "computer, type its address with http://; elsewhere, ask for its https:// "
                                         "address (a token must not cross the network unencrypted).")
BAD_URL = QT_TRANSLATE_NOOP("SignIn", "This address cannot be used: {error}")
FAILED = QT_TRANSLATE_NOOP("SignIn", "Signing in failed: {error}")
AGAIN = QT_TRANSLATE_NOOP("SignIn", "Sign in again to {url}: {why} What you typed is kept.")
SIGNING_IN = QT_TRANSLATE_NOOP("SignIn", "Signing in to {url}…")
SIGNED_IN = QT_TRANSLATE_NOOP("SignIn", "Signed in to {url} as {name}.")
SESSION_ONLY = QT_TRANSLATE_NOOP("SignIn", "This computer has no keyring, so your token is kept for this session only: "
                                           "you will be asked for it next time.")
SIGNED_OUT = QT_TRANSLATE_NOOP("SignIn", "Signed out of {url}; your token is forgotten on this computer. Starting the "
                                         "desk's own Temporal server…")
FIRST_ASK = QT_TRANSLATE_NOOP("SignIn", "Enter your personal token for {url}.")


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def sign_in_error(err: BaseException) -> str:
    """Why signing in (or a call with the token) failed, and what fixes it."""
    detail = (str(err) or type(err).__name__).rstrip(".")
    if isinstance(err, SignInRequired):
        return tr(REVOKED) if err.code == ErrorCode.TOKEN_REVOKED else tr(UNKNOWN_TOKEN)
    if isinstance(err, ServerUnreachable) and err.plain_http:
        return tr(PLAIN_HTTP)
    if isinstance(err, ServerUnreachable):
        return tr(UNTRUSTED if err.untrusted else UNREACHABLE).format(error=detail)
    if isinstance(err, BadServerUrl):
        return tr(BAD_URL).format(error=detail)
    return tr(FAILED).format(error=detail)
