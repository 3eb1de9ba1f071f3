"""What the window remembers across launches (QSettings): geometry, the chosen view, column widths, the
language chosen in the menu, where the last export went, and the team server last signed in to (its URL only:
the token is in the keyring, ``desktop.tokens``)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QMainWindow, QSplitter

from desktop.views import OrderView, view_by_key

GEOMETRY = "window/geometry"
WINDOW_STATE = "window/state"
SPLITTER = "window/splitter"
HEADER = "orders/columns"  # "orders/header" held the table's 7 columns before Amount and Awaiting
VIEW = "orders/view"
LANGUAGE = "ui/language"
EXPORT_DIRECTORY = "export/directory"
SERVER_URL = "server/url"
SIGNED_OUT = "server/signed_out"  # the person signed out of it: the next start is the embedded default


class WindowState:
    def __init__(self, store: QSettings) -> None:
        self.store = store

    def restore(self, window: QMainWindow, splitter: QSplitter, header: QHeaderView) -> OrderView | None:
        """Put back what was saved; returns the saved view, None on a first launch."""
        for key, apply in ((GEOMETRY, window.restoreGeometry), (WINDOW_STATE, window.restoreState),
                           (SPLITTER, splitter.restoreState), (HEADER, header.restoreState)):
            value = self.store.value(key)
            if isinstance(value, QByteArray | bytes) and value:
                apply(QByteArray(value))
        key = self.store.value(VIEW)
        return view_by_key(key) if key else None

    def save(self, window: QMainWindow, splitter: QSplitter, header: QHeaderView, view: OrderView) -> None:
        self.store.setValue(GEOMETRY, window.saveGeometry())
        self.store.setValue(WINDOW_STATE, window.saveState())
        self.store.setValue(SPLITTER, splitter.saveState())
        self.store.setValue(HEADER, header.saveState())
        self.store.setValue(VIEW, view.key)
        self.store.sync()

    @property
    def language(self) -> object:
        return self.store.value(LANGUAGE)

    def save_language(self, language: str) -> None:
        self.store.setValue(LANGUAGE, language)
        self.store.sync()

    @property
    def export_directory(self) -> str | None:
        value = self.store.value(EXPORT_DIRECTORY)
        return value if isinstance(value, str) and value else None

    def save_export_directory(self, directory: str) -> None:
        self.store.setValue(EXPORT_DIRECTORY, directory)
        self.store.sync()

    @property
    def server_url(self) -> str | None:
        value = self.store.value(SERVER_URL)
        return value if isinstance(value, str) and value else None

    @property
    def signed_out(self) -> bool:
        """Whether the person signed out of the server last signed in to (File -> Sign out), rather than closing
        the desk signed in. Not known (settings from before it was kept): taken as signed out, so such a desk
        starts as it did then, signed in only where the keyring holds the token."""
        return str(self.store.value(SIGNED_OUT, "true")).lower() == "true"

    def save_server_url(self, url: str) -> None:
        self.store.setValue(SERVER_URL, url)
        self.store.setValue(SIGNED_OUT, False)
        self.store.sync()

    def save_signed_out(self) -> None:
        self.store.setValue(SIGNED_OUT, True)
        self.store.sync()
