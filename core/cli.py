"""``order-desk``: the desktop app by default, and the headless commands beside it."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from core import __version__
from core.models import Role
from core.settings import SettingProblem, Settings, setting_problems
from core.telemetry import Telemetry

log = logging.getLogger("order_desk")

# The commands that open the ledger and say on stderr what goes wrong. The desk says it in its window, and imports
# SQLAlchemy off its Qt thread (core.machinery); dev-server has no ledger.
LEDGER_COMMANDS = ("serve", "worker", "db", "ledger", "users")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="order-desk", description="Order approval desk on Temporal.")
    parser.add_argument("--version", action="version", version=f"order-desk {__version__}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("gui", help="open the desktop app (the default)")
    serve = commands.add_parser("serve", help="run the headless REST service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-worker", action="store_true", help="separate `order-desk worker` processes do the work")
    serve.add_argument("--ssl-certfile", type=Path, help="serve HTTPS with this certificate (PEM, chain first)")
    serve.add_argument("--ssl-keyfile", type=Path, help="the certificate's private key (PEM)")
    commands.add_parser("worker", help="run a Temporal worker process (run several to scale out)")
    commands.add_parser("dev-server", help="run only the embedded Temporal dev server, in the foreground")
    db = commands.add_parser("db", help="the ledger database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply the ledger's schema migrations")
    ledger = commands.add_parser("ledger", help="the order ledger").add_subparsers(dest="ledger_command",
                                                                                   required=True)
    ledger.add_parser("rebuild", help="re-derive the ledger rows of every order Temporal still holds")
    users = commands.add_parser("users", help="the users of a team server (docs/REST.md)").add_subparsers(
        dest="users_command", required=True)
    add = users.add_parser("add", help="add a user; prints their personal token, once")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.add_argument("--email", help="where their approval notices go (docs/APPROVALS.md)")
    set_email = users.add_parser("set-email", help="where a user's approval notices go; no address: none")
    set_email.add_argument("name")
    set_email.add_argument("email", nargs="?")
    users.add_parser("list", help="every user, their role, and whether they are revoked (never a token)")
    users.add_parser("revoke", help="refuse a user's token from now on, everywhere").add_argument("name")
    users.add_parser("rotate", help="a new token for a user (prints it, once); the old one is refused").add_argument(
        "name")
    users.add_parser("import", help="move an ORDER_DESK_TOKENS_FILE into the user store, tokens kept").add_argument(
        "file", type=Path)
    keys = commands.add_parser("keys", help="payload encryption keys").add_subparsers(dest="keys_command",
                                                                                      required=True)
    keys.add_parser("new", help="print a new random key for ORDER_DESK_PAYLOAD_ENCRYPTION_KEY")
    policy = commands.add_parser("policy", help="the approval policy (docs/APPROVALS.md)").add_subparsers(
        dest="policy_command", required=True)
    policy.add_parser("check", help="check a policy file and print its table").add_argument("file", type=Path)
    return parser


def _settings() -> Settings | list[SettingProblem]:
    """The settings, or why they cannot be used, one problem per setting and without its value (it may be a
    secret): pydantic's own message quotes the input."""
    try:
        return Settings()
    except ValidationError as err:
        return setting_problems(err)


def _configure_logging(settings: Settings) -> None:
    from core.telemetry import logs

    logs.configure(settings.log_format)


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()


async def _worker(settings: Settings) -> None:
    from core.embedded_server import EmbeddedServer
    from core.worker import run_worker

    server = EmbeddedServer(settings) if settings.embedded else None
    address = await server.start() if server else settings.temporal_address
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    if settings.metrics_port is not None:
        from core import telemetry

        telemetry.current().serve_metrics(settings.metrics_host, settings.metrics_port)
    try:
        await run_worker(settings, address, stop)
    finally:
        if server:
            server.stop()


def _db_upgrade(settings: Settings) -> None:
    from core.ledger import Ledger
    from core.ledger.migrate import current

    ledger = Ledger(settings.ledger_url)
    print(f"ledger at {ledger.engine.url.render_as_string(hide_password=True)} is at revision {current(ledger.engine)}")


async def _ledger_rebuild(settings: Settings) -> None:
    from core.admin import rebuild_ledger
    from core.errors import ErrorCode
    from core.runtime import DeskRuntime

    runtime = DeskRuntime(settings, with_worker=False)
    service = await runtime.start()
    try:
        rebuilt, unreadable = await rebuild_ledger(service)
        print(f"rebuilt the ledger rows of {rebuilt} orders")
        idle = [order_id for order_id, err in unreadable.items() if getattr(err, "code", None) is ErrorCode.NO_WORKER]
        if idle:
            print(f"could not read {len(idle)} running orders (no worker answered): {', '.join(idle)}")
        failing = [order_id for order_id in unreadable if order_id not in idle]
        if failing:  # a workflow task that fails, say: the log has one line for each, with why
            print(f"could not read {len(failing)} orders (the log says why): {', '.join(failing)}")
    finally:
        await runtime.stop()


async def _dev_server(settings: Settings) -> None:
    from core.embedded_server import EmbeddedServer

    server = EmbeddedServer(settings)
    await server.start()
    log.info("Temporal dev server on %s, Web UI on %s, data in %s. Ctrl+C stops it.",
             server.address, server.ui_url, settings.temporal_db)
    try:
        await _until_signalled()
    finally:
        server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "gui"
    if command == "keys":
        from core.codec import new_key

        print(new_key())
        return 0
    if command == "policy":  # before the settings: a file is checked whatever the configured policy is
        from core.policy import check_command

        return check_command(args.file)
    settings = _settings()
    if not isinstance(settings, Settings):
        return _refuse(settings, command)
    problems = _directory_problems(settings, command)
    if command in LEDGER_COMMANDS:
        problems += _database_url_problems(settings)
    if problems:
        return _refuse(problems, command)
    if command not in LEDGER_COMMANDS:
        return _run(command, args, settings)
    from sqlalchemy.exc import SQLAlchemyError

    from core.errors import LedgerTooNew

    try:
        return _run(command, args, settings)
    except LedgerTooNew as err:  # `users` and `db` meet it outside _run's own handling
        print(f"order-desk: {err}", file=sys.stderr)
        return 1
    except SQLAlchemyError as err:  # the database refused or did not answer: in one line, as serve says it
        from sqlalchemy.engine import make_url

        from core.errors import first_line
        from core.serve import EXIT_FAILURE, fail

        password = make_url(settings.ledger_url).password  # no driver's message should hold it; never print it
        reason = first_line(err).replace(password, "***") if password else first_line(err)
        return fail(f"the ledger database does not answer: {reason}", EXIT_FAILURE)


def _refuse(problems: list[SettingProblem], command: str) -> int:
    print(f"order-desk: {'; '.join(str(problem) for problem in problems)}", file=sys.stderr)
    from desktop.display import no_display

    if command == "gui" and no_display() is None:  # double-clicked, nobody reads stderr: in a message box too
        from desktop.settings_error import show_setting_problems

        show_setting_problems(problems)
    return 2


def _run(command: str, args: argparse.Namespace, settings: Settings) -> int:
    if command == "users":  # quiet: stdout is the token, stderr one line of what was done
        from core.users_cli import run_users_command

        return run_users_command(settings, args)
    _configure_logging(settings)
    from core.embedded_server import EmbeddedServerError
    from core.errors import OrderDeskError

    measured = _telemetry(settings, command)
    try:
        if command == "gui":
            from desktop.app import run_gui

            return run_gui(settings)
        if command == "serve":
            from core.serve import serve

            return serve(settings, host=args.host, port=args.port, with_worker=not args.no_worker,
                         ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile)
        if command == "worker":
            asyncio.run(_worker(settings))
        elif command == "dev-server":
            asyncio.run(_dev_server(settings))
        elif command == "db":
            _db_upgrade(settings)
        elif command == "ledger":
            asyncio.run(_ledger_rebuild(settings))

    except (EmbeddedServerError, OrderDeskError) as err:
        print(f"order-desk: {err}", file=sys.stderr)
        return 1
    finally:
        measured.close()
    return 0


def _database_url_problems(settings: Settings) -> list[SettingProblem]:
    """A database URL that cannot be parsed, or names a database or driver not installed here: said before anything
    starts, not as a traceback. The URL itself is never quoted: it may hold a password."""
    if settings.database_url is None:
        return []
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    variable = "ORDER_DESK_DATABASE_URL"
    try:
        url = make_url(settings.database_url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return [SettingProblem(variable, "cannot be parsed as a database URL "
                                         "(dialect+driver://user:password@host:port/database)")]
    try:
        url.get_dialect().import_dbapi()
    except NoSuchModuleError:
        return [SettingProblem(variable, f"names a database SQLAlchemy does not know: {url.drivername}")]
    except ImportError as err:
        return [SettingProblem(variable, f"needs the driver {err.name or url.drivername}, which is not installed")]
    return []


def _directory_problems(settings: Settings, command: str) -> list[SettingProblem]:
    """The data directory, made now if the command needs it (as the ledger and the embedded server would), so a path
    that cannot be a directory is said in one line naming it, before anything starts."""
    ledger_there = settings.database_url is None and command in LEDGER_COMMANDS  # ledger.db
    temporal_there = settings.embedded and command in ("serve", "worker", "ledger")  # temporal.db
    if not (ledger_there or temporal_there or command in ("gui", "dev-server")):  # the desk: its lock file too
        return []
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        directory = settings.data_dir
        blocker = next((path for path in (directory, *directory.parents) if path.exists() and not path.is_dir()), None)
        why = f"{blocker} is a file, not a directory" if blocker else err.strerror or str(err)
        return [SettingProblem("ORDER_DESK_DATA_DIR", f"cannot make the directory {directory}: {why}")]
    return []


def _telemetry(settings: Settings, command: str) -> Telemetry:
    """The process's metrics and traces (docs/OPERATIONS.md), set before any Temporal client exists: ``serve`` and
    ``worker`` only (a worker's metrics need ORDER_DESK_METRICS_PORT to be seen); the desk costs nothing."""
    from core import telemetry

    if command not in ("serve", "worker"):
        return telemetry.OFF
    metrics = settings.metrics and (command == "serve" or settings.metrics_port is not None)
    return telemetry.install(telemetry.Telemetry.create(settings, f"order-desk-{command}", metrics=metrics))


if __name__ == "__main__":
    sys.exit(main())
