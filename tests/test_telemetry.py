"""What the people who keep a server running look at, against a real Temporal server and worker: the counters of
``/metrics`` move by exactly what was done, the SDK's metrics are in the same scrape, a refused ledger write is
counted as the activity counts it, one order's spans form one trace, ``/readyz`` names what is down. Each test
installs a ``Telemetry`` of its own (a fresh registry) and takes it away afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import text

from core import telemetry
from core.api import create_app
from core.ledger import Ledger
from core.models import Actor, LedgerEntry, OrderDetails, OrderRequest, OrderStatus, Transition
from core.service import OrderService
from core.settings import Settings
from core.telemetry import ledger_gauges, stale_orders
from core.worker import build_worker
from tests.helpers import assert_eventually
from tests.test_hardening_ledger_failures import REFUSE

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def measured(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[telemetry.Telemetry]:
    monkeypatch.setattr(ledger_gauges, "TTL", 0.0)  # every scrape reads the ledger afresh
    installed = telemetry.install(telemetry.Telemetry.create(settings, "order-desk-test", metrics=True))
    try:
        yield installed
    finally:
        telemetry.install(telemetry.OFF)
        installed.close()


@pytest.fixture
async def app_client(measured: telemetry.Telemetry, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app on a service and a worker made while the telemetry is installed, as ``serve`` makes them."""
    service = await OrderService.connect(settings, settings.temporal_address)
    async with build_worker(service.client, settings):
        transport = httpx.ASGITransport(app=create_app(settings, service))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as client:
            yield client


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def pending(client: httpx.AsyncClient, item: str) -> str:
    order_id = (await client.post("/orders", json={"item": item, "quantity": 1})).json()["order_id"]

    async def waiting() -> None:
        assert (await client.get(f"/orders/{order_id}/status")).json()["status"] == "PENDING_APPROVAL"

    await assert_eventually(waiting)
    return order_id


async def test_metrics_count_exactly_the_orders_created_and_decided(app_client: httpx.AsyncClient) -> None:
    client = app_client
    before = await scrape(client)
    first, second, third = [await pending(client, f"Desk {n}") for n in range(3)]

    assert (await client.post(f"/orders/{first}/approve")).status_code == 200
    assert (await client.post(f"/orders/{first}/approve")).status_code == 409
    assert (await client.post(f"/orders/{second}/reject", json={"reason": "no budget"})).status_code == 200
    bulk = await client.post("/orders/bulk/cancel", json={"order_ids": [third, first, "order_000000000000"]})
    assert [result["ok"] for result in bulk.json()["data"]] == [True, False, False]
    assert (await client.post("/orders/not-an-order/cancel")).status_code == 404
    assert (await client.post(f"/orders/{third}/approve", json={"unknown": 1})).status_code == 422  # no decision

    async def counted() -> None:
        after = await scrape(client)
        assert value(after, "order_desk_orders", status="APPROVED") == 1
        assert value(after, "order_desk_orders", status="REJECTED") == 1
        assert value(after, "order_desk_orders", status="CANCELLED") == 1
        assert value(after, "order_desk_orders", status="PENDING_APPROVAL") == 0
        # The SDK's own metrics, drained into the same registry: the three workflows completed.
        assert total(after, "temporal_workflow_completed_total", workflow_type="OrderApprovalWorkflow") == 3

    await assert_eventually(counted)
    after = await scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("order_desk_orders_created_total") == 3
    assert {(action, outcome): moved("order_desk_decisions_total", action=action, outcome=outcome)
            for action in ("approve", "reject", "cancel")
            for outcome in ("applied", "invalid_transition", "order_not_found")} == {
        ("approve", "applied"): 1, ("approve", "invalid_transition"): 1, ("approve", "order_not_found"): 0,
        ("reject", "applied"): 1, ("reject", "invalid_transition"): 0, ("reject", "order_not_found"): 0,
        ("cancel", "applied"): 1, ("cancel", "invalid_transition"): 1, ("cancel", "order_not_found"): 2}
    assert moved("order_desk_decision_seconds_count") == 4  # the single decisions: 200, 409, 200 and 404
    assert moved("order_desk_http_request_duration_seconds_count", route="/orders", method="POST", status="201") == 3
    assert moved("order_desk_http_request_duration_seconds_count", route="/orders/{order_id}/approve",
                 method="POST", status="422") == 1
    assert moved("order_desk_ledger_write_failures_total") == 0
    assert value(after, "order_desk_ledger_up") == 1
    for made_up in ("X1234", "M" * 5000):  # a method is whatever a caller sends
        assert (await client.request(made_up, "/orders")).status_code == 405
    methods = {dict(series)["method"] for name, series in await scrape(client)
               if name == "order_desk_http_request_duration_seconds_count"}
    assert methods <= {"GET", "POST", "other"} and "other" in methods
    assert any(name == "temporal_worker_task_slots_available" for name, _ in after)
    assert any(name == "temporal_workflow_task_schedule_to_start_latency_seconds_count" for name, _ in after)


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of ``name``'s series that have these labels (and any others)."""
    wanted = set(labels.items())
    return sum(found for (named, series), found in samples.items() if named == name and wanted <= series)


async def test_a_refused_ledger_write_is_counted_as_the_activity_counts_it(
        measured: telemetry.Telemetry, settings: Settings) -> None:
    service = await OrderService.connect(settings, settings.temporal_address)
    with service.ledger.engine.begin() as db:
        for statement in REFUSE[service.ledger.engine.dialect.name]:
            db.execute(text(statement))
    assert measured.metrics is not None
    registry = measured.metrics.registry
    async with build_worker(service.client, settings):
        order_id = await service.create_order(OrderRequest(item="poison pill", quantity=1), Actor(name="alice"))

        async def counted_twice_alike() -> None:
            stuck = await service.stuck_orders()
            assert [order.order_id for order in stuck] == [order_id]
            assert registry.get_sample_value("order_desk_ledger_write_failures_total") == stuck[0].attempts >= 2

        await assert_eventually(counted_twice_alike, timeout=30)
        await service.client.get_workflow_handle(order_id).terminate("test over")


async def test_metrics_need_the_token_the_api_needs(measured: telemetry.Telemetry, service: OrderService) -> None:
    settings = service.settings.model_copy(update={"api_token": SecretStr("s3cret-token-for-metrics")})
    transport = httpx.ASGITransport(app=create_app(settings, service))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as client:
        refused = await client.get("/metrics")
        allowed = await client.get("/metrics", headers={"Authorization": "Bearer s3cret-token-for-metrics"})
        ready = await client.get("/readyz")

    assert refused.status_code == 401 and refused.json()["code"] == "unauthorized"
    assert allowed.status_code == 200 and "order_desk_orders_created_total 0.0" in allowed.text
    assert ready.status_code == 200  # orchestrators hold no token


async def test_no_metrics_route_when_the_process_measures_nothing(service: OrderService) -> None:
    assert telemetry.current() is telemetry.OFF
    transport = httpx.ASGITransport(app=create_app(service.settings, service))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as client:
        metrics = await client.get("/metrics")
        ready = await client.get("/readyz")

    assert metrics.status_code == 404
    # No runtime of its own (a host's service): nothing to say about a worker.
    assert ready.json() == {"ready": True, "checks": {"temporal": "up", "ledger": "up"}, "not_ready": []}


async def test_readyz_names_a_ledger_that_does_not_answer(service: OrderService) -> None:
    with service.ledger.engine.begin() as db:
        db.execute(text("DROP TABLE changes"))  # what readiness reads: the change feed's head
    transport = httpx.ASGITransport(app=create_app(service.settings, service))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as client:
        answer = await client.get("/readyz")

    assert answer.status_code == 503
    assert answer.json()["not_ready"] == ["ledger"] and answer.json()["checks"]["temporal"] == "up"
    assert answer.json()["checks"]["ledger"].startswith("does not answer (")


async def test_one_orders_spans_from_the_rest_call_to_its_activities_form_one_trace(settings: Settings) -> None:
    spans = InMemorySpanExporter()
    installed = telemetry.install(telemetry.Telemetry.create(settings, "order-desk-test", metrics=False,
                                                             span_processor=SimpleSpanProcessor(spans)))
    try:
        service = await OrderService.connect(settings, settings.temporal_address)
        async with build_worker(service.client, settings):
            transport = httpx.ASGITransport(app=create_app(settings, service))
            async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as client:
                order_id = await pending(client, "Traced desk")

            async def traced() -> None:
                names = {span.name for span in spans.get_finished_spans()}
                assert {"POST /orders", "StartWorkflow:OrderApprovalWorkflow", "RunWorkflow:OrderApprovalWorkflow",
                        "StartActivity:validate_order", "RunActivity:validate_order",
                        "RunActivity:notify_manager"} <= names, names

            await assert_eventually(traced)
            await service.client.get_workflow_handle(order_id).terminate("test over")
    finally:
        telemetry.install(telemetry.OFF)
        installed.close()
    finished = spans.get_finished_spans()
    [rest] = [span for span in finished if span.name == "POST /orders"]
    order_trace = [span for span in finished if span.context.trace_id == rest.context.trace_id]
    assert {span.attributes.get("temporalWorkflowID") for span in order_trace} >= {order_id}
    by_id = {span.context.span_id: span for span in order_trace}
    [activity] = [span for span in order_trace if span.name == "RunActivity:validate_order"]
    chain = []
    while activity is not None:  # every span's parent is in the same trace, up to the REST call
        chain.append(activity.name)
        activity = by_id.get(activity.parent.span_id) if activity.parent else None
    assert chain[-1] == "POST /orders" and "StartWorkflow:OrderApprovalWorkflow" in chain, chain


def test_the_desk_installs_nothing_and_pays_nothing() -> None:
    assert telemetry.current() is telemetry.OFF
    assert telemetry.OFF.client_interceptors == [] and telemetry.OFF.worker_interceptors == []
    assert telemetry.OFF.runtime is None  # the SDK's default runtime: no metrics buffer, no forwarding


async def test_an_order_no_worker_took_counts_as_stale_in_validating(
        measured: telemetry.Telemetry, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not in the ledger yet (its first activity writes it), so only Temporal can tell."""
    monkeypatch.setattr(stale_orders, "STALE_AFTER", timedelta(0))
    service = await OrderService.connect(settings, settings.temporal_address)
    assert measured.metrics is not None
    registry = measured.metrics.registry
    order_id = await service.create_order(OrderRequest(item="Nobody takes me", quantity=1), Actor(name="alice"))
    try:
        async def counted() -> None:
            await asyncio.sleep(1.0)  # StartTime is compared to the second
            await stale_orders.count_stale(service, measured.metrics)
            assert registry.get_sample_value("order_desk_stale_orders", {"status": "VALIDATING"}) == 1

        await assert_eventually(counted)
        assert service.ledger.get(order_id) is None  # the ledger has not seen it
    finally:
        await service.client.get_workflow_handle(order_id).terminate("test over")


def test_the_oldest_waiting_order_s_age_comes_from_its_creation(ledger_url: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """``order_desk_oldest_order_age_seconds``: per waiting status, the age of its oldest order (one indexed look,
    whatever the count), 0 for a status with none; a final order, however old, is not waiting."""
    monkeypatch.setattr(ledger_gauges, "TTL", 0.0)
    now = datetime.now(UTC)
    ledger = Ledger(ledger_url)
    try:
        for n, (status, hours) in enumerate([(OrderStatus.PENDING_APPROVAL, 3), (OrderStatus.PENDING_APPROVAL, 1),
                                             (OrderStatus.APPROVED, 9)]):
            created = now - timedelta(hours=hours)
            ledger.write(LedgerEntry.of(OrderDetails(
                order_id=f"order_gauge{n}", item="Giấy in", quantity=1, status=status, created_by="An",
                created_at=created, updated_at=created,
                history=[Transition(status=status, at=created, actor="An", seq=0)])))
        samples = {(sample.name, sample.labels.get("status")): sample.value
                   for family in ledger_gauges.LedgerGauges(lambda: ledger).collect() for sample in family.samples}
    finally:
        ledger.close()
    assert samples[("order_desk_oldest_order_age_seconds", "PENDING_APPROVAL")] == pytest.approx(3 * 3600, abs=60)
    assert samples[("order_desk_oldest_order_age_seconds", "VALIDATING")] == 0
    assert samples[("order_desk_orders", "PENDING_APPROVAL")] == 2
