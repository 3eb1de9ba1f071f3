"""What the people who keep a team server running look at: metrics, traces and logs (docs/OPERATIONS.md).

One ``Telemetry`` per process, built at the entry point (``order-desk serve`` and ``order-desk worker``) and
installed before the first Temporal client exists: the SDK's metrics and log forwarding belong to the ``Runtime``
a client is made on, and a ``Runtime`` is per process. The pieces that need it (``core.temporal_client.connect``,
``core.worker.build_worker``, ``core.api.create_app``) ask ``current()``. Nothing installs one in the desk, so
there ``current()`` is ``OFF``: no runtime of ours, no interceptor, no instrumentation, no cost.

- ``metrics``: the app's own (``metrics.AppMetrics``) and the SDK's (``sdk_metrics.SdkMetrics``) in one registry.
- ``tracer_provider``: only when ``ORDER_DESK_OTLP_ENDPOINT`` is set (``tracing.py``).
- logs are configured apart, by ``logs.configure``; here only the SDK's Rust core is told to log through Python.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.settings import Settings

if TYPE_CHECKING:  # imported when a process measures itself, so the desk never loads them
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
    from temporalio import client, worker
    from temporalio.runtime import Runtime

    from core.telemetry.metrics import AppMetrics
    from core.telemetry.sdk_metrics import SdkMetrics

__all__ = ["OFF", "Telemetry", "current", "install"]

log = logging.getLogger(__name__)


@dataclass
class Telemetry:
    metrics: AppMetrics | None = None
    tracer_provider: TracerProvider | None = None
    runtime: Runtime | None = None
    sdk_metrics: SdkMetrics | None = None
    _servers: list[Any] = field(default_factory=list)

    @classmethod
    def create(cls, settings: Settings, service_name: str, *, metrics: bool | None = None,
               span_processor: SpanProcessor | None = None) -> Telemetry:
        """``metrics`` defaults to ``settings.metrics``; ``span_processor`` (tests) traces without an endpoint."""
        from temporalio.runtime import LogForwardingConfig, LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter

        from core.telemetry import tracing
        from core.telemetry.metrics import AppMetrics
        from core.telemetry.sdk_metrics import SdkMetrics

        metrics = settings.metrics if metrics is None else metrics
        if metrics:
            from prometheus_client import disable_created_metrics

            disable_created_metrics()  # a `_created` series beside every counter only doubles what a scrape reads
        app_metrics = AppMetrics() if metrics else None
        sdk_metrics = SdkMetrics() if metrics else None
        runtime = Runtime(telemetry=TelemetryConfig(
            metrics=sdk_metrics.buffer if sdk_metrics else None,
            # The SDK's Rust core logs through Python's logging, so its lines have our format (JSON too).
            logging=LoggingConfig(filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
                                  forwarding=LogForwardingConfig(logger=logging.getLogger("temporalio.core"))),
        ))
        if app_metrics is not None and sdk_metrics is not None:
            app_metrics.registry.register(sdk_metrics)
            sdk_metrics.start()
        provider = tracing.tracer_provider(service_name, settings.otlp_endpoint, span_processor)
        return cls(app_metrics, provider, runtime, sdk_metrics)

    @property
    def client_interceptors(self) -> list[client.Interceptor]:
        interceptors: list[client.Interceptor] = []
        if self.tracer_provider is not None:
            from core.telemetry.tracing import temporal_interceptor

            interceptors.append(temporal_interceptor(self.tracer_provider))
        if self.metrics is not None:
            from core.telemetry.interceptors import CountCreatedOrders

            interceptors.append(CountCreatedOrders(self.metrics))
        return interceptors

    @property
    def worker_interceptors(self) -> list[worker.Interceptor]:
        """Besides those the worker takes from its client (the tracing interceptor is both)."""
        if self.metrics is None:
            return []
        from core.telemetry.interceptors import CountLedgerWriteFailures

        return [CountLedgerWriteFailures(self.metrics)]

    def serve_metrics(self, host: str, port: int) -> None:
        """Serve ``/metrics`` on ``host:port``, without a token, in a thread of its own (for a private network)."""
        if self.metrics is None:
            log.warning("ORDER_DESK_METRICS_PORT is set but metrics are off (ORDER_DESK_METRICS=false)")
            return
        from prometheus_client import start_http_server

        try:
            server, thread = start_http_server(port, addr=host, registry=self.metrics.registry)
        except OSError as err:  # taken, or a host name that does not resolve here: one line, not a traceback
            from core.errors import OrderDeskError

            raise OrderDeskError(f"the metrics cannot listen on {host}:{port} (ORDER_DESK_METRICS_HOST:"
                                 f"ORDER_DESK_METRICS_PORT): {err.strerror or err}") from err
        self._servers.append((server, thread))
        log.info("Metrics on http://%s:%d/metrics", host, port)

    def close(self) -> None:
        """Stop the metrics port, flush the spans still buffered (an OTLP export of at most a few seconds)."""
        for server, thread in self._servers:
            server.shutdown()
            thread.join(5)
        self._servers.clear()
        if self.sdk_metrics is not None:
            self.sdk_metrics.stop()
        if self.tracer_provider is not None:
            self.tracer_provider.shutdown()


OFF = Telemetry()
"""No metrics, no traces, the SDK's default runtime: the desk, and any process that installs nothing."""

_installed = OFF
_lock = threading.Lock()


def install(telemetry: Telemetry) -> Telemetry:
    """Make ``telemetry`` the process's, before any Temporal client is created; ``install(OFF)`` undoes it."""
    global _installed
    with _lock:
        _installed = telemetry
    return telemetry


def current() -> Telemetry:
    return _installed
