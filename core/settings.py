"""The one settings class: every face and process builds it once at its entry point and passes it down."""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
from pydantic import AfterValidator, Field, SecretStr, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.models import ActorName, ApprovalPolicy, PersonName, Role
from core.money import DEFAULT_CURRENCY

APP_NAME = "order-desk"
_SHORT_DURATION = re.compile(r"(-?\d+(?:\.\d+)?)\s*([smhdSMHD])")  # 24h, 90m, 1.5d: as the README writes them
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _readable(path: Path) -> Path:
    """A certificate or key file is read at start, not at the first connection (a traceback then)."""
    if not path.is_file():
        raise ValueError(f"{path} is not a file" + ("" if path.exists() else " (it does not exist)"))
    if not os.access(path, os.R_OK):
        raise ValueError(f"{path} cannot be read by this user")
    return path


ReadableFile = Annotated[Path, AfterValidator(_readable)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ORDER_DESK_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
    )

    # Temporal
    temporal_address: str = Field("", description="host:port of a Temporal frontend; empty = embedded server")
    namespace: str = "default"
    task_queue: str = "order-task-queue"
    temporal_tls: bool = False
    temporal_tls_cert: ReadableFile | None = None
    temporal_tls_key: ReadableFile | None = None
    temporal_tls_ca: ReadableFile | None = None
    temporal_api_key: SecretStr | None = None
    payload_encryption_key: SecretStr | None = Field(
        None, description="encrypt every payload Temporal stores with this key (`order-desk keys new`)")
    payload_old_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="comma-separated older keys that still decrypt (key rotation)")
    temporal_ui_url: str | None = Field(None, description="Temporal Web UI of a configured cluster")

    # Embedded dev server
    data_dir: Path = Field(default_factory=lambda: platformdirs.user_data_path(APP_NAME))
    embedded_port: int = Field(7233, ge=1, le=65535)
    embedded_ui_port: int = Field(8233, ge=1, le=65535)
    embedded_metrics_port: int | None = Field(
        None, ge=1, le=65535, description="port of the embedded server's Prometheus metrics; default: any free one")
    embedded_retention_days: int = Field(30, ge=1, le=3650)
    embedded_start_timeout: float = Field(30.0, gt=0)

    # The ledger: the app's own database of every order (SQLite in DATA_DIR unless configured)
    database_url: str | None = Field(None, description="SQLAlchemy URL, e.g. postgresql+psycopg://u:p@host/db")

    # Business rules
    approval_reminder: timedelta | None = Field(
        timedelta(hours=24), description="re-notify the manager of a still-pending order this often; off: 0/off")
    approval_deadline: timedelta | None = Field(
        None, description="a still-pending order EXPIRES this long after it started waiting; default off")
    simulate_validation_failures: int = Field(0, ge=0, le=100)
    blocked_items: Annotated[list[str], NoDecode] = Field(default_factory=list)
    four_eyes: bool = True
    approval_policy: Path | None = Field(
        None, description="TOML file: who must sign an order, by its amount (docs/APPROVALS.md); none: one manager")
    currency: str | None = Field(None, description="the currency of a price that names none (ISO 4217); default: "
                                                   "the approval policy's, else VND")

    # E-mail to the role an order awaits (docs/APPROVALS.md); off unless a host and a sender are set
    smtp_host: str | None = None
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = Field(None, description="the sender address of the notices")
    smtp_starttls: bool = False
    smtp_ssl: bool = Field(False, description="implicit TLS from the first byte (port 465), instead of STARTTLS")
    smtp_ca_file: ReadableFile | None = Field(
        None, description="trust only this CA for the mail server's certificate (a private CA); default: the system's")
    smtp_timeout: float = Field(10.0, gt=0, le=60, description="seconds a mail server may take before a notice "
                                                                "is given up (the order never waits for mail)")

    # The desktop's language: en or vi; default: the system locale
    language: Literal["en", "vi"] | None = None

    # Who acts
    actor: PersonName | None = Field(None, description="the desktop's actor; default: the OS user name")
    api_token: SecretStr | None = Field(None, description="one shared bearer token for the REST API")
    tokens_file: Path | None = Field(None, description="JSON {token: {user, role}}: per-user API tokens")
    roles: Annotated[dict[ActorName, Role], NoDecode] = Field(default_factory=dict,
                                                        description="desktop users' roles, {user: role}")
    team: bool = Field(False, description="a team server: callers are the user store's users, even before the "
                                          "first one is added (every request is refused until then)")

    # A team server the desktop signs in to (docs/DESKTOP.md): no Temporal, no database, only its REST API
    server_url: str | None = Field(None, description="the desk signs in to this team server (https://host:port)")
    server_token: SecretStr | None = Field(None, description="the desk's personal token for ORDER_DESK_SERVER_URL")
    server_ca: ReadableFile | None = Field(
        None, description="a private CA's certificate (PEM) the server's is checked against")

    # The change feed (GET /events)
    events_poll: float = Field(0.25, gt=0, le=10, description="seconds between looks at the ledger's change feed")
    events_poll_quiet: float | None = Field(
        None, gt=0, le=60, description="while nothing changes, the looks slow down to one every this many seconds "
        "(unset: they never do; a desk on its own embedded server and ledger: 2, as its worker's writes wake it)")
    events_heartbeat: float = Field(15.0, gt=0, le=300, description="seconds of quiet before a heartbeat comment")

    # The REST server
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="comma-separated host names the API answers to besides loopback and "
                                          "the address it is bound to (DNS rebinding protection)")
    export_slots: int = Field(4, ge=1, le=100, description="CSV exports that may stream at once; more get 503")

    # Operations (docs/OPERATIONS.md): metrics, traces, logs
    metrics: bool = Field(True, description="the app's and the Temporal SDK's Prometheus metrics in `serve` and on "
                                            "the metrics port; false: none, at no cost")
    metrics_port: int | None = Field(None, ge=1, le=65535, description="serve the metrics here too, without a token "
                                                                        "(`order-desk worker`: only here)")
    metrics_host: str = Field("127.0.0.1", description="the address the metrics port listens on")
    otlp_endpoint: str | None = Field(None, description="send traces by OTLP/HTTP to this collector, e.g. "
                                                        "http://otel-collector:4318; unset: no tracing at all")
    log_format: Literal["text", "json"] = Field("text", description="json: one JSON object per line")

    @field_validator("approval_reminder", "approval_deadline", mode="before")
    @classmethod
    def _off(cls, value: object) -> object:
        """Seconds, ``24h``-style (s, m, h, d), or an ISO 8601 duration (pydantic parses it); ``0``, ``off`` or
        ``none`` turn it off. A negative one is refused: it would remind in a loop or expire every order at once."""
        if isinstance(value, str):
            value = value.strip()
            if value.lower() in ("", "off", "none"):
                return None
            short = _SHORT_DURATION.fullmatch(value)
            if short:
                value = float(short[1]) * _UNIT_SECONDS[short[2].lower()]
            with contextlib.suppress(ValueError):
                value = float(value)
        if isinstance(value, int | float) and value == 0:
            return None
        return value

    @field_validator("approval_reminder", "approval_deadline", mode="after")
    @classmethod
    def _positive(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and value <= timedelta(0):
            raise ValueError("must be a positive duration (seconds, 24h, PT4H), or 0/off to turn it off")
        return value

    @model_validator(mode="before")
    @classmethod
    def _empty_means_off(cls, data: Any) -> Any:
        """``env_ignore_empty`` drops empty variables; for the reminder, empty is documented as off."""
        if isinstance(data, dict) and os.environ.get("ORDER_DESK_APPROVAL_REMINDER") == "":
            data.setdefault("approval_reminder", None)
        return data

    @field_validator("approval_policy", mode="after")
    @classmethod
    def _usable_policy(cls, value: Path | None) -> Path | None:
        """Fail at start, saying why, on a policy file that cannot be used."""
        from core.policy import load_policy

        load_policy(value)
        return value

    @field_validator("roles", mode="before")
    @classmethod
    def _roles_json(cls, value: object) -> object:
        """JSON read here, not by pydantic-settings: its error named no variable and ended every command (the desk
        too) in a traceback."""
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise ValueError('must be JSON such as {"hoa": "manager", "an": "clerk"}') from None
        return value

    @field_validator("actor", mode="before")
    @classmethod
    def _blank_actor_is_none(cls, value: object) -> object:
        """An empty ``ORDER_DESK_ACTOR`` (or only spaces) means "not set": the OS user name."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value: object, info: ValidationInfo) -> object:
        """A known code, and the policy's own: orders priced in the default currency must fit its tiers."""
        from core.money import currency_code
        from core.policy import load_policy

        if value is None:
            return None
        code = currency_code(value)
        path = info.data.get("approval_policy")
        if path is not None and code != (policy := load_policy(path)).currency:
            raise ValueError(f"{code} is not the currency of the approval policy {path} ({policy.currency}): orders "
                             f"priced in the default currency could not be placed in its tiers")
        return code

    def policy(self) -> ApprovalPolicy:
        """The approval policy in force: read from its file (checked at start), or the default one."""
        from core.policy import load_policy

        return load_policy(self.approval_policy)

    @property
    def default_currency(self) -> str:
        """The currency of a price that names none."""
        if self.currency is not None:
            return self.currency
        return self.policy().currency if self.approval_policy is not None else DEFAULT_CURRENCY

    @property
    def mail_enabled(self) -> bool:
        return bool(self.smtp_host and self.smtp_from)

    @model_validator(mode="after")
    def _key_with_its_certificate(self) -> Settings:
        """A client certificate is nothing without its key, and the reverse (the SDK refused it with a traceback)."""
        if (self.temporal_tls_cert is None) != (self.temporal_tls_key is None):
            missing = "ORDER_DESK_TEMPORAL_TLS_KEY" if self.temporal_tls_key is None else "ORDER_DESK_TEMPORAL_TLS_CERT"
            raise _conflict(missing, "a client certificate and its private key go together: set "
                                     "ORDER_DESK_TEMPORAL_TLS_CERT and ORDER_DESK_TEMPORAL_TLS_KEY, or neither")
        return self

    @model_validator(mode="after")
    def _no_password_in_clear(self) -> Settings:
        """A mail password never crosses the network unencrypted: login needs STARTTLS or implicit TLS, except
        to a mail server on this machine."""
        plain = not (self.smtp_starttls or self.smtp_ssl)
        if plain and self.smtp_password and self.smtp_host not in (None, "localhost", "127.0.0.1", "::1"):
            raise _conflict("ORDER_DESK_SMTP_PASSWORD", "it is set but the connection to ORDER_DESK_SMTP_HOST is not "
                            "encrypted: set ORDER_DESK_SMTP_STARTTLS=true or ORDER_DESK_SMTP_SSL=true")
        if self.smtp_starttls and self.smtp_ssl:
            raise _conflict("ORDER_DESK_SMTP_SSL", "ORDER_DESK_SMTP_STARTTLS and ORDER_DESK_SMTP_SSL exclude each "
                            "other: STARTTLS upgrades a plain connection, SSL is TLS from the start (port 465)")
        return self

    @field_validator("payload_encryption_key", "payload_old_keys", mode="after")
    @classmethod
    def _real_keys(cls, value: Any) -> Any:
        """Fail at start, with how to fix it, rather than on the first order."""
        for key in value if isinstance(value, list) else [value] if value is not None else []:
            from core.codec import parse_key  # with the SDK: only where a key is set (a desk shows its window first)

            parse_key(key.get_secret_value())
        return value

    @field_validator("payload_old_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("blocked_items", mode="before")
    @classmethod
    def _split_items(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def payload_keys(self) -> list[str]:
        """Every key this process holds, the one that encrypts first; empty when encryption is off."""
        if self.payload_encryption_key is None:
            return []
        return [key.get_secret_value() for key in (self.payload_encryption_key, *self.payload_old_keys)]

    @property
    def identities_configured(self) -> bool:
        return self.tokens_file is not None or bool(self.roles)

    @property
    def embedded(self) -> bool:
        return not self.temporal_address.strip()

    @property
    def web_ui_url(self) -> str | None:
        if self.embedded:
            return f"http://127.0.0.1:{self.embedded_ui_port}"
        return self.temporal_ui_url

    def workflow_url(self, workflow_id: str) -> str | None:
        """Where a person sees one order's workflow in the Temporal Web UI."""
        base = self.web_ui_url
        return f"{base.rstrip('/')}/namespaces/{self.namespace}/workflows/{workflow_id}" if base else None

    @property
    def ledger_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'ledger.db'}"

    @property
    def temporal_db(self) -> Path:
        return self.data_dir / "temporal.db"


SETTING_CONFLICT = "setting_conflict"  # a rule across settings: the error's ``variable`` says which to change


def _conflict(variable: str, why: str) -> PydanticCustomError:
    return PydanticCustomError(SETTING_CONFLICT, why, {"variable": variable})


@dataclass(frozen=True)
class SettingProblem:
    """One setting that cannot be used: its variable and why, never its value (it may be a secret); ``path`` is the
    file a person must look at, for the approval policy (a path is no secret)."""

    variable: str
    why: str
    path: str | None = None

    def __str__(self) -> str:
        return f"{self.variable}: {self.why}"


def setting_problems(err: ValidationError) -> list[SettingProblem]:
    """Why ``Settings()`` failed, one problem per setting (pydantic's own message would quote the input)."""
    problems = []
    for error in err.errors():
        if error["type"] == SETTING_CONFLICT:
            problems.append(SettingProblem(error["ctx"]["variable"], error["msg"]))
            continue
        name = str(error["loc"][0]) if error["loc"] else ""  # ("roles", "an"): the variable is ORDER_DESK_ROLES
        path = str(error["input"]) if name == "approval_policy" and error.get("input") is not None else None
        why = error["msg"].removeprefix("Value error, ")
        if len(error["loc"]) > 1:  # which entry of a JSON setting
            why = f"{'.'.join(str(part) for part in error['loc'][1:])}: {why}"
        problems.append(SettingProblem(f"ORDER_DESK_{name.upper()}", why, path))
    return problems
