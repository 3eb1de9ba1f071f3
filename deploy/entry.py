"""The bundle's entry script: the ``order-desk`` console script (``core.cli:main``), with one repair the frozen app
needs.

A traceback formatted inside the workflow sandbox (the failure of a decision the workflow refuses carries its stack
trace) reads source lines through ``linecache``. From a venv it opens the ``.py`` itself; in the bundle there is
none, so ``linecache`` asks PyInstaller's importer, whose ``get_source`` calls ``open``: the builtin the sandbox
refuses while a workflow runs. That refusal escaped the traceback, and every refused decision (a clerk's approve,
four-eyes, approving while VALIDATING) reached the API as 503 ``temporal_unavailable`` instead of its 403 or 409.
The importer gets the unrestricted ``open``: it only looks for a source file to show, which the bundle does not
ship, so a traceback shows no source lines, as from any ``.pyc``-only install.
"""

import io
import sys

if getattr(sys, "frozen", False):
    importer = sys.modules.get("pyimod02_importers")
    if importer is not None:
        importer.open = io.open

from core.cli import main  # noqa: E402 (after the repair: importing the app starts nothing, but keep it first)

if __name__ == "__main__":
    sys.exit(main())
