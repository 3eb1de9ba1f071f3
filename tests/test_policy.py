"""The approval policy file: what a valid one means (the steps of each amount), the errors of an invalid one (gaps,
overlaps, unknown roles) in one line each, ``order-desk policy check``, and a process that refuses to start on it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from core.cli import main
from core.models import DEFAULT_POLICY, Role
from core.policy import PolicyError, load_policy, parse_policy

EXAMPLE = """\
currency = "VND"
[[tiers]]
up_to = 5000000            # amount <= 5,000,000: approved at once by the system
approvers = []
[[tiers]]
up_to = 50000000
approvers = ["manager"]
[[tiers]]                  # everything above
approvers = ["manager", "director"]   # signed in this order
"""
MANAGER, DIRECTOR = Role.MANAGER, Role.DIRECTOR


@pytest.mark.parametrize(("amount", "steps"), [
    ("0", ()), ("5000000", ()), ("5000001", (MANAGER,)), ("50000000", (MANAGER,)),
    ("50000001", (MANAGER, DIRECTOR)), ("1000000000000", (MANAGER, DIRECTOR)),
])
def test_each_amount_takes_the_steps_of_its_tier(amount: str, steps: tuple[Role, ...]) -> None:
    assert parse_policy(EXAMPLE).steps_for(Decimal(amount), "VND")[0] == steps


def test_an_order_without_a_price_takes_one_manager_unless_configured() -> None:
    assert parse_policy(EXAMPLE).steps_for(None, None)[0] == (MANAGER,)
    assert parse_policy('unpriced = ["director"]\n' + EXAMPLE).steps_for(None, None)[0] == (DIRECTOR,)


def test_an_amount_in_another_currency_takes_the_strictest_tier() -> None:
    roles, why = parse_policy(EXAMPLE).steps_for(Decimal(1), "USD")
    assert roles == (MANAGER, DIRECTOR) and "USD" in why


def test_no_policy_file_is_one_managers_decision() -> None:
    assert load_policy(None) == DEFAULT_POLICY
    assert DEFAULT_POLICY.steps_for(Decimal(10) ** 13, "VND")[0] == (MANAGER,)
    assert DEFAULT_POLICY.steps_for(None, None)[0] == (MANAGER,)


@pytest.mark.parametrize(("text", "says"), [
    ('[[tiers]]\nup_to = 5\napprovers = []\n[[tiers]]\nup_to = 50\napprovers = ["manager"]\n', "a gap"),
    ('[[tiers]]\nup_to = 50\napprovers = []\n[[tiers]]\nup_to = 5\napprovers = ["manager"]\n[[tiers]]\n'
     'approvers = ["director"]\n', "the tiers overlap"),
    ('[[tiers]]\nup_to = 5\napprovers = []\n[[tiers]]\nup_to = 5\napprovers = ["manager"]\n[[tiers]]\n'
     'approvers = ["director"]\n', "the tiers overlap"),
    ('[[tiers]]\napprovers = []\n[[tiers]]\napprovers = ["manager"]\n', "tier 2 overlaps it"),
    ('[[tiers]]\nup_to = 5\napprovers = ["boss"]\n[[tiers]]\napprovers = ["director"]\n', "unknown role 'boss'"),
    ('[[tiers]]\napprovers = ["clerk"]\n', "a clerk signs no step"),
    ('unpriced = ["ceo"]\n[[tiers]]\napprovers = ["manager"]\n', "unknown role 'ceo'"),
    ('[[tiers]]\nup_to = 5.5\napprovers = []\n[[tiers]]\napprovers = ["manager"]\n', "more decimals than VND"),
    ('currency = "USD"\n[[tiers]]\nup_to = -5\napprovers = []\n[[tiers]]\napprovers = ["manager"]\n', "0 or more"),
    ('currency = "XYZ"\n[[tiers]]\napprovers = ["manager"]\n', "not an ISO 4217 currency"),
    ('[[tiers]]\nupto = 5\napprovers = []\n', "unknown key"),
    # found by a QA pass: pydantic's "Input should be a valid tuple", and "a price is below ..." for a limit
    ('[[tiers]]\napprovers = "manager"\n', r'tier 1, approvers: must be a list, such as \["manager"\]'),
    ('[[tiers]]\nup_to = 100000000000000\napprovers = []\n[[tiers]]\napprovers = ["manager"]\n',
     "tier 1, up_to: must be below 100,000,000,000,000"),
    ("tiers = []\n", "tiers"),
    ("currency = \n", "not valid TOML"),
])
def test_an_invalid_policy_says_what_is_wrong_where(text: str, says: str) -> None:
    with pytest.raises(PolicyError, match=says) as refused:
        parse_policy(text, "policy.toml")
    assert str(refused.value).startswith("policy.toml") and "\n" not in str(refused.value)


def test_policy_check_prints_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(EXAMPLE, encoding="utf-8")

    assert main(["policy", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "a valid approval policy in VND" in out
    assert [line.split("  ")[-1].strip() for line in out.splitlines()[2:]] == [
        "approved at once by the system", "manager", "manager, then director", "manager"]
    assert "up to VND\u00a05,000,000" in out and "above VND\u00a050,000,000" in out


def test_policy_check_refuses_a_gap_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[[tiers]]\nup_to = 5\napprovers = []\n', encoding="utf-8")

    assert main(["policy", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"order-desk: {path}: amounts above 5 have no tier (a gap)") and err.count("\n") == 1


@pytest.mark.parametrize("command", [["serve"], ["worker"]])  # the desk: tests/desktop/test_settings_error.py
def test_serve_and_the_worker_refuse_to_start_on_an_invalid_policy(
        command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[[tiers]]\nup_to = 5\napprovers = ["boss"]\n', encoding="utf-8")
    monkeypatch.setenv("ORDER_DESK_APPROVAL_POLICY", str(path))
    monkeypatch.setenv("ORDER_DESK_DATA_DIR", str(tmp_path))

    assert main(command) == 2
    assert capsys.readouterr().err == (f"order-desk: ORDER_DESK_APPROVAL_POLICY: {path}: tier 1, approvers[1]: "
                                       f"unknown role 'boss' (the roles are clerk, manager, director)\n")


def test_the_default_currency_must_be_the_policys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    monkeypatch.setenv("ORDER_DESK_APPROVAL_POLICY", str(path))
    monkeypatch.setenv("ORDER_DESK_CURRENCY", "USD")

    assert main(["serve"]) == 2
    assert "ORDER_DESK_CURRENCY: USD is not the currency of the approval policy" in capsys.readouterr().err
