"""Settings: one pydantic-settings class, read from ORDER_DESK_* variables and .env."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import Settings, setting_problems


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ORDER_DESK_TEMPORAL_ADDRESS", "temporal.example:7233")
    monkeypatch.setenv("ORDER_DESK_NAMESPACE", "orders")
    monkeypatch.setenv("ORDER_DESK_TASK_QUEUE", "q1")
    monkeypatch.setenv("ORDER_DESK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ORDER_DESK_EMBEDDED_PORT", "17233")
    monkeypatch.setenv("ORDER_DESK_EMBEDDED_UI_PORT", "18233")
    monkeypatch.setenv("ORDER_DESK_SIMULATE_VALIDATION_FAILURES", "2")
    monkeypatch.setenv("ORDER_DESK_BLOCKED_ITEMS", "plutonium, uranium")
    monkeypatch.setenv("ORDER_DESK_ROLES", '{"alice": "clerk"}')
    settings = Settings(_env_file=None)
    assert (settings.temporal_address, settings.namespace, settings.task_queue) == (
        "temporal.example:7233", "orders", "q1")
    assert (settings.data_dir, settings.embedded_port, settings.embedded_ui_port) == (tmp_path, 17233, 18233)
    assert settings.simulate_validation_failures == 2
    assert settings.blocked_items == ["plutonium", "uranium"]
    assert not settings.embedded and settings.identities_configured


def test_settings_defaults_match_the_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("ORDER_DESK_"):
            monkeypatch.delenv(name)
    settings = Settings(_env_file=None)
    assert settings.embedded and settings.task_queue == "order-task-queue" and settings.namespace == "default"
    assert (settings.embedded_port, settings.embedded_ui_port, settings.simulate_validation_failures) == (7233, 8233, 0)
    assert settings.data_dir.name == "order-desk"


def test_settings_read_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ORDER_DESK_TASK_QUEUE", raising=False)
    (tmp_path / ".env").write_text("ORDER_DESK_TASK_QUEUE=from-dotenv\nORDER_DESK_TEMPORAL_ADDRESS=\n")
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.task_queue == "from-dotenv" and settings.embedded




@pytest.mark.parametrize(("typed", "seconds"), [
    ("24h", 86400), ("90m", 5400), ("1.5d", 129600), ("30s", 30), ("PT4H", 14400), ("3600", 3600),
    ("0", None), ("off", None), ("", None)])
def test_a_reminder_is_written_as_the_readme_writes_it(monkeypatch: pytest.MonkeyPatch, typed: str,
                                                       seconds: int | None) -> None:
    monkeypatch.setenv("ORDER_DESK_APPROVAL_REMINDER", typed)
    reminder = Settings(_env_file=None).approval_reminder
    assert (reminder.total_seconds() if reminder is not None else None) == seconds


@pytest.mark.parametrize("typed", ["-5", "-PT5S", "-1h"])
@pytest.mark.parametrize("variable", ["ORDER_DESK_APPROVAL_REMINDER", "ORDER_DESK_APPROVAL_DEADLINE"])
def test_a_negative_reminder_or_deadline_is_refused_not_run(monkeypatch: pytest.MonkeyPatch, variable: str,
                                                            typed: str) -> None:
    """A negative reminder wedged every order at its first reminder; a negative deadline expired it at once."""
    monkeypatch.setenv(variable, typed)
    with pytest.raises(ValueError, match="must be a positive duration"):
        Settings(_env_file=None)


@pytest.mark.parametrize(("typed", "kind"), [
    ("system", "reserved_name"), ("System", "reserved_name"), ("a\x01b", "control_character"),
    ("x" * 101, "string_too_long")])
def test_a_desk_actor_no_person_could_be_is_refused(monkeypatch: pytest.MonkeyPatch, typed: str, kind: str) -> None:
    """``system`` names what Order Desk does itself (X-Actor refuses it too); a control character made the desk's
    first decision fail deep in the service instead of at start, naming the variable."""
    monkeypatch.setenv("ORDER_DESK_ACTOR", typed)
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None)
    assert [(error["loc"], error["type"]) for error in refused.value.errors()] == [(("actor",), kind)]


@pytest.mark.parametrize(("typed", "actor"), [("", None), ("   ", None), ("  Nguyễn Văn An ", "Nguyễn Văn An")])
def test_a_blank_desk_actor_means_the_os_user(monkeypatch: pytest.MonkeyPatch, typed: str, actor: str | None) -> None:
    monkeypatch.setenv("ORDER_DESK_ACTOR", typed)
    assert Settings(_env_file=None).actor == actor


@pytest.mark.parametrize(("variables", "named", "why"), [
    ({"ORDER_DESK_ROLES": "notjson"}, "ORDER_DESK_ROLES", 'must be JSON such as {"hoa": "manager", "an": "clerk"}'),
    ({"ORDER_DESK_ROLES": '{"a":'}, "ORDER_DESK_ROLES", 'must be JSON such as {"hoa": "manager", "an": "clerk"}'),
    ({"ORDER_DESK_ROLES": '{"an": "boss"}'}, "ORDER_DESK_ROLES", "an: Input should be 'clerk', 'manager' or "
                                                                "'director'"),
    ({"ORDER_DESK_SMTP_HOST": "mail.example.com", "ORDER_DESK_SMTP_PASSWORD": "x"}, "ORDER_DESK_SMTP_PASSWORD", None),
    ({"ORDER_DESK_SMTP_STARTTLS": "true", "ORDER_DESK_SMTP_SSL": "true"}, "ORDER_DESK_SMTP_SSL", None),
])
def test_each_problem_names_a_variable_that_exists(monkeypatch: pytest.MonkeyPatch, variables: dict[str, str],
                                                   named: str, why: str | None) -> None:
    """Found by a QA pass: invalid JSON in ORDER_DESK_ROLES ended every command (the desk too) in a traceback, a
    wrong role was blamed on "ORDER_DESK_ROLES_AN", and a rule across the SMTP settings on "ORDER_DESK_"."""
    for name, typed in variables.items():
        monkeypatch.setenv(name, typed)
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None)
    [problem] = setting_problems(refused.value)
    assert problem.variable == named
    assert why is None or problem.why == why


def test_a_certificate_or_key_file_is_checked_at_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Found by a QA pass: a missing file, or a certificate without its key, was a traceback at the first connection
    (`order-desk worker`, `ledger rebuild`, serve's start)."""
    cert = tmp_path / "client.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\n")
    cases = [({"ORDER_DESK_TEMPORAL_TLS_CERT": str(tmp_path / "missing.pem"),
               "ORDER_DESK_TEMPORAL_TLS_KEY": str(cert)}, "ORDER_DESK_TEMPORAL_TLS_CERT"),
             ({"ORDER_DESK_TEMPORAL_TLS_CA": str(tmp_path)}, "ORDER_DESK_TEMPORAL_TLS_CA"),
             ({"ORDER_DESK_TEMPORAL_TLS_CERT": str(cert)}, "ORDER_DESK_TEMPORAL_TLS_KEY"),
             ({"ORDER_DESK_TEMPORAL_TLS_KEY": str(cert)}, "ORDER_DESK_TEMPORAL_TLS_CERT"),
             ({"ORDER_DESK_SERVER_CA": str(tmp_path / "missing.pem")}, "ORDER_DESK_SERVER_CA"),
             ({"ORDER_DESK_SMTP_CA_FILE": str(tmp_path / "missing.pem")}, "ORDER_DESK_SMTP_CA_FILE")]
    for variables, named in cases:
        with monkeypatch.context() as scoped:
            for name, typed in variables.items():
                scoped.setenv(name, typed)
            with pytest.raises(ValidationError) as refused:
                Settings(_env_file=None)
            assert [problem.variable for problem in setting_problems(refused.value)] == [named], variables
    monkeypatch.setenv("ORDER_DESK_TEMPORAL_TLS_CERT", str(cert))
    monkeypatch.setenv("ORDER_DESK_TEMPORAL_TLS_KEY", str(cert))
    assert Settings(_env_file=None).temporal_tls_cert == cert


def test_a_role_is_found_however_the_name_was_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    """ORDER_DESK_ACTOR is stored NFC: a name typed decomposed in ORDER_DESK_ROLES (macOS) silently had no role."""
    monkeypatch.setenv("ORDER_DESK_ROLES", json.dumps({unicodedata.normalize("NFD", " Nguyễn Văn An "): "manager"}))
    monkeypatch.setenv("ORDER_DESK_ACTOR", "Nguyễn Văn An")
    settings = Settings(_env_file=None)
    assert settings.actor is not None and settings.roles.get(settings.actor) == "manager"
