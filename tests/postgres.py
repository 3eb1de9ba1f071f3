"""A throwaway PostgreSQL server for the ledger tests: initdb + pg_ctl in a temp dir on a free port.

Runs the server as the ``postgres`` user when the tests run as root (PostgreSQL refuses root).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers import free_port


def pg_bin_dir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh database; stop and remove the server afterwards.

    The directory is made directly under /tmp: pytest's own temp dirs are private to root, and
    the server runs as ``postgres``."""
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")
    as_root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="order-desk-pg-"))
    if as_root:
        shutil.chown(base, "postgres")
        os.chmod(base, 0o755)
    data, port = base / "data", free_port()

    def run(*command: str) -> None:
        full = ["runuser", "-u", "postgres", "--", *command] if as_root else list(command)
        subprocess.run(full, check=True, capture_output=True, cwd="/")

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
        "--locale=C.UTF-8")
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-o",
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c max_connections=300", "start")
    try:
        run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "orderdesk")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/orderdesk"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)
