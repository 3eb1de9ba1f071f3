"""``order-desk users add|list|revoke|rotate|import``: the user store of a team server, from a shell on the server.

A new token goes to stdout alone on its line, once, so ``TOKEN=$(order-desk users add …)`` captures exactly it;
everything else goes to stderr. Nothing here logs a token.
"""

from __future__ import annotations

import argparse
import sys

from core.ledger import Ledger
from core.models import Role
from core.settings import Settings
from core.users import AuthConfigError, User, UserError, Users

EXIT_FAILURE = 1


def run_users_command(settings: Settings, args: argparse.Namespace) -> int:
    ledger = Ledger(settings.ledger_url)
    users = Users(ledger.users)
    try:
        if args.users_command == "add":
            user, token = users.add(args.name, Role(args.role), args.email)
            _tell(f"added {user.name} ({user.role}{', ' + user.email if user.email else ''}); their token, shown only "
                  f"now:")
            print(token)
        elif args.users_command == "rotate":
            user, token = users.rotate(args.name)
            _tell(f"new token for {user.name} ({user.role}), shown only now; the old one is refused from now on:")
            print(token)
        elif args.users_command == "set-email":
            user = users.set_email(args.name, args.email)
            _tell(f"{user.name}'s approval notices go to {user.email}" if user.email
                  else f"{user.name} gets no approval notices by e-mail")
        elif args.users_command == "revoke":
            user = users.revoke(args.name)
            _tell(f"revoked {user.name}: their token is refused from now on (`users rotate` gives them a new one)")
        elif args.users_command == "list":
            _print_table(users.list())
        elif args.users_command == "import":
            steps = users.import_tokens(args.file)
            for step in steps:
                _tell(step.line)
            _tell(_import_advice(sum(step.code.skipped for step in steps)))
    except (UserError, AuthConfigError) as err:
        print(f"order-desk: {err}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        ledger.close()
    return 0


def _tell(message: str) -> None:
    print(message, file=sys.stderr)


def _import_advice(skipped: int) -> str:
    """The last line of an import: the file may go only if the store now answers for every token in it."""
    if not skipped:
        return "done: unset ORDER_DESK_TOKENS_FILE, the user store now answers for these tokens"
    entries = "1 entry was" if skipped == 1 else f"{skipped} entries were"
    return (f"done, but {entries} skipped (see above): their tokens stop working once ORDER_DESK_TOKENS_FILE is "
            f"unset; give those people tokens of the store first (`order-desk users add` or `rotate`)")


def _print_table(users: list[User]) -> None:
    rows = [("name", "role", "status", "added", "token since", "e-mail")]
    rows += [(user.name, user.role.value, "active" if user.active else f"revoked {user.revoked_at:%Y-%m-%d %H:%M}",
              f"{user.created_at:%Y-%m-%d %H:%M}", f"{user.token_created_at:%Y-%m-%d %H:%M}", user.email or "")
             for user in users]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
