"""Property-based fuzzing of the published OpenAPI spec with schemathesis, against the real app.

The app runs as ``serve`` runs it: no ready service is given, so its own lifespan connects to the
session's Temporal server and starts an embedded worker (inside schemathesis' ASGI event loop, where
the service's client then lives). A bearer token is set, so the fuzz also proves that no order endpoint
ignores authentication. Every endpoint is fuzzed, the search, the CSV export and bulk decisions included.
Bounded in time: few examples per operation, a short stateful run.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from pydantic import SecretStr
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)
from starlette.types import Receive, Scope, Send

from core.api import create_app
from core.settings import Settings

TOKEN = "fuzz-" + uuid.uuid4().hex
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CHECKS = [
    schemathesis.checks.not_a_server_error,
    negative_data_rejection,
    ensure_resource_availability,
    ignored_auth,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    use_after_free,
]
FUZZ = hypothesis.settings(max_examples=25, deadline=None,
                           suppress_health_check=list(hypothesis.HealthCheck))


def _published_spec() -> dict[str, Any]:
    """The spec exactly as the app publishes it with a token set; building it starts nothing."""
    return create_app(Settings(_env_file=None, api_token=SecretStr(TOKEN), tokens_file=None)).openapi()


class AppSlot:
    """The ASGI app schemathesis calls: fixed at import, when pytest parametrizes by operation, and
    filled by the module fixture once the session's Temporal server is up."""

    def __init__(self) -> None:
        self.app: FastAPI | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None, "the fuzzed_app fixture fills the slot"
        await self.app(scope, receive, send)


slot = AppSlot()
# GET /events never ends (Server-Sent Events): tests/api/test_team_events.py drives it instead.
schema = schemathesis.openapi.from_dict(_published_spec()).exclude(path="/events")
schema.app = slot
schema.location = "/openapi.json"  # where the app serves it, as ``from_asgi`` would record
# Every call carries the valid token explicitly; ``ignored_auth`` then re-sends without it and with a wrong one.
schema.config.generation.update(with_security_parameters=False)


@pytest.fixture(scope="module", autouse=True)
def fuzzed_app(temporal_address: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz")
    settings = Settings(_env_file=None, temporal_address=temporal_address, task_queue=f"fuzz-{uuid.uuid4()}",
                        data_dir=data_dir, api_token=SecretStr(TOKEN), tokens_file=None,
                        allowed_hosts=["testserver"])  # the name schemathesis' ASGI client sends
    slot.app = create_app(settings)  # schemathesis' ASGI client runs its lifespan on the first call
    yield slot.app
    asgi.shutdown_lifespans()  # the lifespan stops the embedded worker
    slot.app = None


def test_every_endpoint_is_fuzzed() -> None:
    fuzzed = {(operation.ok().method.upper(), operation.ok().path) for operation in schema.get_all_operations()}

    assert fuzzed == {
        ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/me"),
        ("POST", "/orders"), ("GET", "/orders"), ("GET", "/orders.csv"),
        ("POST", "/orders/bulk/{action}"), ("GET", "/orders/{order_id}"), ("GET", "/orders/{order_id}/status"),
        *{("POST", f"/orders/{{order_id}}/{action}") for action in ("approve", "reject", "cancel")},
    }


@schema.parametrize()
@FUZZ
def test_no_operation_misbehaves_on_generated_requests(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=AUTH, checks=CHECKS)


def test_no_sequence_of_linked_calls_misbehaves() -> None:
    """Create an order, then follow the spec's links to read it and decide on it."""

    class Authorized(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"headers": AUTH}

        def validate_response(self, response: schemathesis.Response, case: schemathesis.Case,
                              additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS, headers=AUTH, transport_kwargs=kwargs,
                                   recorder=self.recorder)

    Authorized.run(settings=hypothesis.settings(FUZZ, max_examples=15, stateful_step_count=6))
