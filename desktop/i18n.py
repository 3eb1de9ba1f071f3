"""The interface language: English (the source texts) or Vietnamese, through Qt's translation system.

Catalogues live in ``resources/i18n/``: ``order_desk_<language>.ts`` is the source (``make i18n`` updates it
from the code with ``pyside6-lupdate``; edit it with Qt Linguist or by hand), ``.qm`` its compiled form
(``pyside6-lrelease``). ``make`` and the bundle build compile it; run straight from a source tree, the desk
compiles a missing or stale one itself, so a fresh checkout is never silently English.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QObject, QTranslator, Signal

from desktop.resources import resources_dir

log = logging.getLogger(__name__)

# Each language by its own name, as a language menu shows it: an endonym is never translated.
LANGUAGES = {"en": "English", "vi": "Tiếng Việt"}
SOURCE_LANGUAGE = "en"
CATALOGUE = "order_desk"


def catalogue(language: str, suffix: str = "qm") -> Path:
    return resources_dir() / "i18n" / f"{CATALOGUE}_{language}.{suffix}"


def lrelease_binary() -> Path | None:
    """Qt's ``lrelease`` as PySide6 ships it, else one on PATH."""
    import PySide6

    shipped = Path(PySide6.__file__).parent / ("lrelease.exe" if os.name == "nt" else "lrelease")
    if shipped.is_file():
        return shipped
    found = shutil.which("pyside6-lrelease") or shutil.which("lrelease")
    return Path(found) if found else None


def compile_catalogue(language: str) -> Path | None:
    """The compiled catalogue, built first when it is missing or older than its source; None when there is none.

    It is written beside the source under a temporary name and then renamed, so a desk starting at the same
    moment never loads half a file."""
    source, compiled = catalogue(language, "ts"), catalogue(language, "qm")
    if getattr(sys, "frozen", False) or not source.is_file():  # a bundle ships the compiled catalogue only
        return compiled if compiled.is_file() else None
    if compiled.is_file() and compiled.stat().st_mtime >= source.stat().st_mtime:
        return compiled
    binary = lrelease_binary()
    if binary is None:
        log.warning("Cannot compile %s: pyside6-lrelease is not installed", source)
    else:
        partial = compiled.with_name(f"{compiled.stem}.{os.getpid()}.partial")
        try:
            subprocess.run([str(binary), "-silent", str(source), "-qm", str(partial)], check=True,
                           capture_output=True, timeout=60)
            os.replace(partial, compiled)
        except (OSError, subprocess.SubprocessError) as err:
            log.warning("Could not compile %s: %s", source, err)
        finally:
            partial.unlink(missing_ok=True)
    return compiled if compiled.is_file() else None


def compile_catalogues() -> list[Path]:
    """Every catalogue compiled (``python -m desktop.i18n``, for builds)."""
    return [path for language in LANGUAGES if language != SOURCE_LANGUAGE
            if (path := compile_catalogue(language)) is not None]


def system_language() -> str:
    """The first of the system's preferred languages that the desk speaks; English otherwise."""
    for name in QLocale.system().uiLanguages():
        code = name.replace("_", "-").split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return SOURCE_LANGUAGE


def choose_language(configured: str | None, saved: object) -> str:
    """``ORDER_DESK_LANGUAGE`` first, then the choice last made in the Language menu, then the system's."""
    if configured in LANGUAGES:
        return configured
    if isinstance(saved, str) and saved in LANGUAGES:
        return saved
    return system_language()


def locale_for(language: str) -> QLocale:
    """The system's locale when it is of that language (say en_GB), else the language's main one."""
    system = QLocale.system()
    wanted = QLocale(language)
    return system if system.language() == wanted.language() else wanted


class Translations(QObject):
    """Owns the application's translator. ``apply`` switches language at run time: Qt then sends every
    widget a ``LanguageChange`` event, and each widget sets its texts again."""

    changed = Signal(str)

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self._app = app
        self._translator: QTranslator | None = None
        self.language: str | None = None

    def apply(self, language: str) -> bool:
        """Switch to ``language``; False when its catalogue cannot be loaded (the language stays as it was)."""
        if language == self.language:
            return True
        translator = None
        if language != SOURCE_LANGUAGE:
            path = compile_catalogue(language)
            translator = QTranslator(self)
            if path is None or not translator.load(str(path)):
                log.warning("No translation catalogue for %r (%s): the interface stays as it is",
                            language, catalogue(language))
                return False
        QLocale.setDefault(locale_for(language))
        old, self._translator = self._translator, translator
        if old is not None:
            self._app.removeTranslator(old)
        if translator is not None:
            self._app.installTranslator(translator)
        self.language = language
        self.changed.emit(language)
        return True

    def release(self) -> None:
        """Take this object's translator out of the application (the app is done with it)."""
        if self._translator is not None:
            self._app.removeTranslator(self._translator)
            self._translator = None
        self.language = None


if __name__ == "__main__":
    for compiled in compile_catalogues():
        print(compiled)
