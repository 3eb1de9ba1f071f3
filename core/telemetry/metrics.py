"""The app's own Prometheus metrics, in one registry per process that ``/metrics`` and the metrics port expose.

Each is counted at a boundary the telemetry owns, so no workflow, activity or service code carries a counter:
orders created by the Temporal client's interceptor (``interceptors.py``), decisions and HTTP durations by the
HTTP instrumentation (``http.py``), ledger write failures by the worker's activity interceptor, the orders
by status read from the ledger at scrape time (``ledger_gauges.py``), and the orders stuck in VALIDATING counted
by Temporal (``stale_orders.py``). docs/OPERATIONS.md says what each means.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Seconds: a refused decision answers in milliseconds, an applied one waits for a workflow task; 5 s is the
# decision timeout after which the answer is no_worker.
DECISION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class AppMetrics:
    """The metrics of one process. prometheus_client appends ``_total`` to a counter's name when it exposes it."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.orders_created = Counter(
            "order_desk_orders_created", "Orders this process started (one workflow each)", registry=self.registry)
        self.decisions = Counter(
            "order_desk_decisions",
            "Decisions that reached an order, by action and outcome: applied, or the refusal's error code",
            ["action", "outcome"], registry=self.registry)
        self.decision_seconds = Histogram(
            "order_desk_decision_seconds", "From a decision request to its answer (single decisions)",
            buckets=DECISION_BUCKETS, registry=self.registry)
        self.http_request_duration = Histogram(
            "order_desk_http_request_duration_seconds", "HTTP requests by route template, method and status",
            ["route", "method", "status"], buckets=HTTP_BUCKETS, registry=self.registry)
        self.ledger_write_failures = Counter(
            "order_desk_ledger_write_failures",
            "Ledger writes of activities that failed (each is retried; docs/LEDGER.md)", registry=self.registry)
        self.stale_orders = Gauge(
            "order_desk_stale_orders", "Orders Temporal runs that have been in this status over 5 minutes "
            "(VALIDATING: no worker took them, or their workflow task fails)", ["status"], registry=self.registry)
