"""The user store of a team server, on SQLite and on a real PostgreSQL server: ``order-desk users`` as an operator
types it, tokens that are random and kept only as hashes, Vietnamese names in one normal form, revocation and
rotation, and a tokens file moved into the store."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import select

from core.ledger import Ledger
from core.ledger.schema import users as users_table
from core.models import Role
from core.users import TOKEN_PREFIX, ImportCode, UserError, Users, token_hash

ORDER_DESK = Path(sys.executable).parent / "order-desk"
TOKEN = re.compile(rf"^{TOKEN_PREFIX}[A-Za-z0-9_-]{{43}}$")  # 32 random bytes, base64url: 256 bits
AN = "Nguyễn Văn An"


def order_desk(ledger_url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ORDER_DESK_")}
    env.update(ORDER_DESK_DATABASE_URL=ledger_url, ORDER_DESK_DATA_DIR=str(data_dir))
    return subprocess.run([str(ORDER_DESK), *args], env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def ledger(ledger_url: str) -> Ledger:
    ledger = Ledger(ledger_url)
    yield ledger
    ledger.close()


@pytest.fixture
def users(ledger: Ledger) -> Users:
    return Users(ledger.users)


def test_the_cli_adds_lists_rotates_and_revokes_users(ledger_url: str, tmp_path: Path, users: Users) -> None:
    decomposed = unicodedata.normalize("NFD", AN)  # as a macOS terminal may type it

    added = order_desk(ledger_url, tmp_path, "users", "add", decomposed, "--role", "manager")
    again = order_desk(ledger_url, tmp_path, "users", "add", AN, "--role", "clerk")
    rotated = order_desk(ledger_url, tmp_path, "users", "rotate", AN)
    revoked = order_desk(ledger_url, tmp_path, "users", "revoke", AN)
    listed = order_desk(ledger_url, tmp_path, "users", "list")
    unknown = order_desk(ledger_url, tmp_path, "users", "revoke", "nobody")

    assert added.returncode == 0, added.stderr
    token = added.stdout.removesuffix("\n")
    assert TOKEN.match(token) and added.stdout == token + "\n"  # alone on its line, nothing else on stdout
    assert AN in added.stderr and token not in added.stderr
    assert (again.returncode, again.stdout) == (1, "") and "already exists" in again.stderr
    new_token = rotated.stdout.removesuffix("\n")
    assert rotated.returncode == 0 and TOKEN.match(new_token) and new_token != token
    assert revoked.returncode == 0 and "revoked" in revoked.stderr
    assert listed.returncode == 0
    [header, row] = listed.stdout.splitlines()
    assert header.split()[:3] == ["name", "role", "status"]
    assert row.startswith(f"{AN}  manager  revoked ")
    assert token not in listed.stdout and new_token not in listed.stdout and token_hash(new_token) not in listed.stdout
    assert unknown.returncode == 1 and "no user named 'nobody'" in unknown.stderr
    user = users.authenticate(new_token)
    assert user is not None and user.name == AN and user.role is Role.MANAGER and not user.active
    assert users.authenticate(token) is None  # rotated away


def test_only_the_hash_of_a_token_is_stored(ledger_url: str, ledger: Ledger, users: Users) -> None:
    _, token = users.add("alice", Role.CLERK)

    with ledger.engine.connect() as db:
        stored = [str(value) for row in db.execute(select(users_table)) for value in row]
    assert token_hash(token) in stored
    assert not any(token in value for value in stored)
    if ledger_url.startswith("sqlite"):
        database = Path(ledger.engine.url.database)
        for path in (database, database.with_name(database.name + "-wal")):
            if path.exists():
                assert token.encode() not in path.read_bytes(), path


def test_tokens_are_new_random_256_bit_secrets(users: Users) -> None:
    tokens = [users.add(f"user{n}", Role.CLERK)[1] for n in range(20)]

    assert all(TOKEN.match(token) for token in tokens)
    assert len(set(tokens)) == len(tokens)


def test_a_name_is_stored_nfc_and_found_however_it_was_typed(users: Users) -> None:
    user, token = users.add(unicodedata.normalize("NFD", f"  {AN} "), Role.CLERK)

    assert user.name == AN and unicodedata.is_normalized("NFC", user.name)
    assert users.by_name(AN) is not None
    assert users.revoke(unicodedata.normalize("NFD", AN)).name == AN
    with pytest.raises(UserError, match="already exists"):
        users.add(AN, Role.MANAGER)


def test_a_name_differing_only_in_case_is_the_same_user(users: Users) -> None:
    """``Mona`` beside ``mona`` read as one person in every history while being two (found by a QA pass)."""
    users.add("mona", Role.MANAGER)
    for alike in ("Mona", "MONA"):
        with pytest.raises(UserError, match="'mona' already exists"):
            users.add(alike, Role.CLERK)
    assert [user.name for user in users.list()] == ["mona"]


@pytest.mark.parametrize(("name", "complaint"), [
    ("", "at least 1 character"), ("x" * 101, "at most 100"), ("tab\there", "control characters"),
    ("system", "reserved"), ("API", "reserved"), ("\u200b", "a visible character"),
])
def test_an_unusable_name_is_refused(users: Users, name: str, complaint: str) -> None:
    with pytest.raises(UserError, match=complaint):
        users.add(name, Role.CLERK)
    assert not users.exist()


def test_a_revoked_user_keeps_the_store_closed_and_rotate_reinstates_them(users: Users) -> None:
    user, token = users.add("alice", Role.CLERK)
    users.revoke("alice")
    users.revoke("alice")  # twice: still revoked, the first time kept

    assert users.exist()  # a team server never reopens to anyone
    revoked = users.authenticate(token)
    assert revoked is not None and not revoked.active
    _, new_token = users.rotate("alice")
    assert users.authenticate(token) is None
    reinstated = users.authenticate(new_token)
    assert reinstated is not None and reinstated.active and reinstated.created_at == user.created_at


def test_a_tokens_file_moves_into_the_store_with_its_tokens(users: Users, tmp_path: Path) -> None:
    strong = TOKEN_PREFIX + "k" * 43
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({
        "clerk-alice-token": {"user": "alice", "role": "clerk"},
        strong: {"user": AN, "role": "manager"},
        "another-alice-token": {"user": "alice", "role": "manager"},
        "system-token-0123456789abcdefghij": {"user": "system", "role": "manager"},
    }))

    first = users.import_tokens(path)
    second = users.import_tokens(path)

    assert first[0].line == ("imported 'alice' (clerk): a short token, give them a new one with "
                             "`order-desk users rotate`")
    assert first[1].line == f"imported '{AN}' (manager)"
    assert "a second token of 'alice'" in first[2].line and "reserved" in first[3].line
    assert [step.code for step in first] == [ImportCode.IMPORTED, ImportCode.IMPORTED, ImportCode.SECOND_TOKEN,
                                             ImportCode.INVALID_NAME]
    assert [step.code for step in second] == [ImportCode.ALREADY_IMPORTED, ImportCode.ALREADY_IMPORTED,
                                              ImportCode.SECOND_TOKEN, ImportCode.INVALID_NAME]
    assert not any(token in step.line for step in first + second for token in ("clerk-alice-token", strong))
    alice, an = users.authenticate("clerk-alice-token"), users.authenticate(strong)
    assert alice is not None and (alice.name, alice.role) == ("alice", Role.CLERK)
    assert an is not None and (an.name, an.role) == (AN, Role.MANAGER)
    assert users.authenticate("another-alice-token") is None


def test_import_says_how_many_entries_were_skipped_instead_of_all_clear(ledger_url: str, tmp_path: Path,
                                                                        users: Users) -> None:
    """'done: unset ORDER_DESK_TOKENS_FILE' after skipped entries cut those people off (found by a QA pass)."""
    users.add("mona", Role.MANAGER)
    clean, partial = tmp_path / "clean.json", tmp_path / "partial.json"
    clean.write_text(json.dumps({TOKEN_PREFIX + "a" * 43: {"user": "alice", "role": "clerk"}}))
    partial.write_text(json.dumps({
        TOKEN_PREFIX + "b" * 43: {"user": "bob", "role": "clerk"},
        TOKEN_PREFIX + "m" * 43: {"user": "Mona", "role": "manager"},  # mona is in the store, with another token
        TOKEN_PREFIX + "s" * 43: {"user": "system", "role": "manager"},
        TOKEN_PREFIX + "z" * 43: {"user": "\u200b", "role": "manager"},  # a name nobody can read
    }))

    all_moved = order_desk(ledger_url, tmp_path, "users", "import", str(clean))
    some_skipped = order_desk(ledger_url, tmp_path, "users", "import", str(partial))
    rerun = order_desk(ledger_url, tmp_path, "users", "import", str(clean))

    assert (all_moved.returncode, all_moved.stdout) == (0, "")
    assert all_moved.stderr.splitlines()[-1].startswith("done: unset ORDER_DESK_TOKENS_FILE")
    assert (some_skipped.returncode, some_skipped.stdout) == (0, "")
    advice = some_skipped.stderr.splitlines()[-1]
    assert "3 entries were skipped" in advice and "stop working once ORDER_DESK_TOKENS_FILE is unset" in advice
    assert not advice.startswith("done: unset")
    # alice's token is in the store already: a second run cuts nobody off
    assert rerun.returncode == 0 and rerun.stderr.splitlines()[-1].startswith("done: unset ORDER_DESK_TOKENS_FILE")


def test_import_of_a_token_another_user_has_says_so(ledger_url: str, tmp_path: Path, users: Users) -> None:
    """'skipped 'zed': already in the store' named a user the store never had: dan had the token (QA pass)."""
    _, dans_token = users.add("dan", Role.DIRECTOR)
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({dans_token: {"user": "zed", "role": "clerk"}}))

    imported = order_desk(ledger_url, tmp_path, "users", "import", str(path))

    assert imported.returncode == 0
    [line, advice] = imported.stderr.splitlines()
    assert line.startswith("skipped 'zed': this token already belongs to another user in the store, and signs in "
                           "as that user") and "order-desk users rotate" in line
    assert advice.startswith("done: unset")  # it does not stop working: it already signs in, as dan
    assert dans_token not in imported.stderr and "dan" not in imported.stderr
    assert users.by_name("zed") is None and users.authenticate(dans_token).name == "dan"  # type: ignore[union-attr]
