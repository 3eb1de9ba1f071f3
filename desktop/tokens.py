"""Where the desk keeps a person's token for a team server: the OS keyring, through the ``keyring`` package
(Windows Credential Manager, macOS Keychain, the Secret Service on Linux), one entry per server URL.

Never in QSettings, a file or the log. Where no keyring backend exists (a Linux desktop without a Secret Service,
a headless machine) or it fails, the token is kept in memory for this session only, and ``persistent`` says so,
so the window can tell the person they will be asked again next time.

A keyring can take its time (a locked one asks the person to unlock it first; finding the backend takes ~0.1 s):
the desk calls ``put`` and ``forget`` from a thread, and the backend is found in one once the window shows (the
controller's ``start``), so the sign-in dialog finds the answer ready. Only ``get`` at start, before the window
exists, is called where the desk starts.
"""

from __future__ import annotations

import logging
import threading

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordDeleteError

log = logging.getLogger(__name__)

KEYRING_SERVICE = "Order Desk"


def _usable(backend: KeyringBackend) -> bool:
    if isinstance(backend, fail.Keyring):
        return False
    return getattr(backend, "backends", None) != []  # a chain of no backends keeps nothing either


class TokenStore:
    def __init__(self) -> None:
        self._session: dict[str, str] = {}
        self._persistent = False
        self._detection: threading.Thread | None = None

    def detect_in_background(self) -> None:
        """Find the keyring's backend in a thread, once."""
        if self._detection is None:
            self._detection = threading.Thread(target=self._detect, name="keyring-detection", daemon=True)
            self._detection.start()

    def _detect(self) -> None:
        try:
            self._persistent = _usable(keyring.get_keyring())
        except Exception as err:  # a broken backend's set-up: as if there were none
            self._unusable("found", err)

    @property
    def persistent(self) -> bool:
        """Whether tokens go to a keyring that keeps them; False means for this session only."""
        self.detect_in_background()
        assert self._detection is not None
        self._detection.join()
        return self._persistent

    def get(self, url: str) -> str | None:
        if url in self._session or not self.persistent:
            return self._session.get(url)
        try:
            return keyring.get_password(KEYRING_SERVICE, url)
        except Exception as err:  # a locked or broken keyring: ask the person instead
            self._unusable("read", err)
            return None

    def put(self, url: str, token: str) -> bool:
        """Keep ``token`` for ``url``; True when it went to the keyring, False when only for this session."""
        self._session[url] = token
        if self.persistent:
            try:
                keyring.set_password(KEYRING_SERVICE, url, token)
            except Exception as err:
                self._unusable("written", err)
        return self.persistent

    def forget(self, url: str) -> None:
        self._session.pop(url, None)
        if self.persistent:
            try:
                keyring.delete_password(KEYRING_SERVICE, url)
            except PasswordDeleteError:
                pass  # nothing was kept
            except Exception as err:
                self._unusable("cleared", err)

    def _unusable(self, what: str, err: Exception) -> None:
        log.warning("The keyring could not be %s (%s): tokens are kept for this session only", what,
                    type(err).__name__)
        self._persistent = False
