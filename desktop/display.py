"""Whether a window can open here at all, asked before Qt is: Qt aborts the process (SIGABRT, with "reinstalling
the application may fix this problem") when Linux has no display, and a person on a server over SSH should learn of
``order-desk serve`` instead. Imports nothing of Qt."""

from __future__ import annotations

import os
import sys


def no_display() -> str | None:
    """Why the window cannot open here, or None."""
    if not sys.platform.startswith("linux") or any(os.environ.get(name) for name in (
            "DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        return None
    return ("there is no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set); on a server, "
            "run `order-desk serve`, the same desk as a REST service")
