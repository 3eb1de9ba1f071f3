"""``create_app(settings, service)`` builds the FastAPI app, and its lifespan owns the runtime when it must.

Given a ready ``OrderService`` (tests, or a host that owns one), the app only serves. Without one, its
lifespan owns a ``DeskRuntime``: the embedded Temporal server on the embedded default, the service, and
an embedded worker unless ``with_worker`` is off; shutting the app down stops them all.

With the process's telemetry (``core.telemetry``, installed by ``serve``) it also measures itself: ``/metrics``,
HTTP and decision metrics, order counts from the ledger, and traces when an OTLP endpoint is set. Every request
carries an ``X-Request-ID`` (the caller's, or a new one) into its log lines and back in its answer.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import Depends, FastAPI
from fastapi_offline import FastAPIOffline

from core import __version__, telemetry
from core.api import routes
from core.api.auth import Authenticator, authenticate
from core.api.client_gone import ClientGone
from core.api.deps import known_query
from core.api.errors import error_responses, install_error_handlers
from core.api.limits import BodySizeLimit, ExportSlots
from core.api.origin import SameOriginOnly, allowed_hosts
from core.embedded_server import EmbeddedServerError
from core.errors import OrderDeskError
from core.ledger import Ledger
from core.runtime import DeskRuntime
from core.service import OrderService
from core.settings import Settings
from core.telemetry import http, logs, stale_orders
from core.telemetry.ledger_gauges import LedgerGauges

DESCRIPTION = """\
Order approval on Temporal: create an order, watch it go `VALIDATING` -> `PENDING_APPROVAL`, then
approve, reject or cancel it (one at a time or in bulk). An order nobody decides in time (when the server
sets `ORDER_DESK_APPROVAL_DEADLINE`) ends `EXPIRED`; one Temporal closed without Order Desk (terminated
in its Web UI, say) ends `TERMINATED`. Search orders with `GET /orders`, export them with
`GET /orders.csv`. Every error is JSON `{"detail": ..., "code": ...}`: `detail` for people, `code` for
programs (see `ErrorCode` and `docs/REST.md`).

When a token is configured, every `/orders` endpoint (and `/metrics`) needs `Authorization: Bearer <token>`;
`/healthz`, `/readyz` and these docs do not. A request naming a host the server does not answer to is refused
(400 `unknown_host`), and so is a change sent by a web page of another site (403 `cross_origin`)."""

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_app(settings: Settings, service: OrderService | None = None, *, with_worker: bool = True,
               bind_host: str | None = None) -> FastAPI:
    """Raises ``AuthConfigError`` at once if the tokens file is unusable. ``bind_host`` is the address ``serve``
    listens on, a name requests may use; without it (an app served in-process) only loopback names are.

    The docs page's script and styles are served from the installed ``fastapi-offline`` package, not a CDN:
    back offices are often offline or filtered."""
    authenticator = Authenticator(settings)
    installed = telemetry.current()
    app = FastAPIOffline(
        title="Order Desk",
        version=__version__,
        description=DESCRIPTION,
        lifespan=None if service is not None else runtime_lifespan(settings, with_worker),
        openapi_tags=[
            {"name": "orders", "description": "The seed's order endpoints, the search, its CSV export, the details"},
            {"name": "bulk", "description": "One decision for many orders, one result each"},
            {"name": "system", "description": "Liveness and readiness"},
        ],
    )
    app.state.settings = settings
    app.state.authenticator = authenticator
    app.state.service = service
    app.state.runtime = None
    app.state.telemetry = installed
    app.state.startup_error = None
    app.state.export_slots = ExportSlots(settings.export_slots)
    app.add_middleware(ClientGone)  # innermost: sees a streamed answer's end before any other layer
    app.add_middleware(BodySizeLimit)
    app.add_middleware(SameOriginOnly, hosts=allowed_hosts(bind_host, settings.allowed_hosts))
    install_error_handlers(app)
    # Every route refuses a query parameter it does not take (known_query), after the token: a caller without one
    # learns nothing of an endpoint's parameters.
    for router in routes.PUBLIC:
        app.include_router(router, dependencies=[Depends(known_query)])
    for router in routes.GUARDED:
        app.include_router(router, dependencies=[Depends(authenticate), Depends(known_query)],
                           responses=error_responses(401))
    if installed.metrics is not None:
        http.instrument(app, installed.metrics)  # outside the checks above: their refusals are timed too
        for router in routes.MEASURED:
            app.include_router(router, dependencies=[Depends(authenticate), Depends(known_query)])
        installed.metrics.registry.register(LedgerGauges(lambda: _ledger_of(app)))
    app.add_middleware(logs.OrderInContext)
    app.add_middleware(CorrelationIdMiddleware, header_name="X-Request-ID", generator=lambda: uuid.uuid4().hex,
                       validator=logs.acceptable_request_id)  # runs first: every answer and log line has its ID
    if installed.tracer_provider is not None:
        from core.telemetry.tracing import instrument_app

        instrument_app(app, installed.tracer_provider)
    return app


def _ledger_of(app: FastAPI) -> Ledger | None:
    service: OrderService | None = app.state.service
    return service.ledger if service is not None else None


def runtime_lifespan(settings: Settings, with_worker: bool) -> Lifespan:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if logs.json_logs():
            logs.adopt_uvicorn()  # uvicorn set up its own loggers as it started
        else:
            logs.hide_query_strings()
        runtime = DeskRuntime(settings, with_worker=with_worker)
        app.state.runtime = runtime
        try:
            if settings.metrics_port is not None:  # first: a port that is taken stops nothing already started
                app.state.telemetry.serve_metrics(settings.metrics_host, settings.metrics_port)
            app.state.service = await runtime.start()
        except (EmbeddedServerError, OrderDeskError, TimeoutError) as err:
            # For whoever runs the app (``serve``): the reason in one line, not a traceback.
            app.state.startup_error = str(err)
            raise
        metrics = app.state.telemetry.metrics
        watch = asyncio.ensure_future(stale_orders.watch(app.state.service, metrics)) if metrics else None
        try:
            yield
        finally:
            if watch is not None:
                watch.cancel()
            app.state.service = None
            await runtime.stop()

    return lifespan
