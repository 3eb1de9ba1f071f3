"""Directors and e-mail addresses in the user store, as an operator types them: ``users add --role director
--email …``, ``users set-email``, ``users list``; a malformed address is refused in one line."""

from __future__ import annotations

from pathlib import Path

from core.ledger import Ledger
from core.models import Role
from core.users import Users
from tests.test_users import order_desk


def test_a_director_with_an_address_is_added_changed_and_listed(ledger_url: str, tmp_path: Path) -> None:
    added = order_desk(ledger_url, tmp_path, "users", "add", "dan", "--role", "director", "--email", "dan@desk.example")
    changed = order_desk(ledger_url, tmp_path, "users", "set-email", "dan", "director@desk.example")
    cleared_mona = order_desk(ledger_url, tmp_path, "users", "add", "mona", "--role", "manager")
    listed = order_desk(ledger_url, tmp_path, "users", "list")
    bad = order_desk(ledger_url, tmp_path, "users", "set-email", "dan", "dan@desk.example\nBcc: eve@evil.example")
    unknown = order_desk(ledger_url, tmp_path, "users", "set-email", "nobody", "x@desk.example")

    assert added.returncode == 0 and "dan (director, dan@desk.example)" in added.stderr, added.stderr
    assert changed.returncode == 0 and "director@desk.example" in changed.stderr
    assert cleared_mona.returncode == 0
    rows = listed.stdout.splitlines()
    assert rows[0].split()[-1] == "e-mail"
    assert rows[1].split()[:3] == ["dan", "director", "active"] and rows[1].endswith("director@desk.example")
    assert (bad.returncode, bad.stderr.count("\n")) == (1, 1) and "not an e-mail address" in bad.stderr
    assert unknown.returncode == 1 and "no user named 'nobody'" in unknown.stderr
    ledger = Ledger(ledger_url)
    try:
        users = Users(ledger.users)
        dan = users.by_name("dan")
        assert dan is not None and (dan.role, dan.email) == (Role.DIRECTOR, "director@desk.example")
        users.set_email("dan", None)
        assert [row.name for row in ledger.users.with_email([Role.DIRECTOR])] == []
    finally:
        ledger.close()
