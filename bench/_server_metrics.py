"""What the Temporal server did for each order, counted by the server itself (its Prometheus metrics).

The dev server's binary is a stripped Go build, so a CPU profile of it names no functions; its own request
and persistence counters say instead which work a path costs it: the requests it served, the writes to the
executions and visibility tables, and the activities it had to dispatch through matching (the rest go
eagerly, in the reply to the workflow task that scheduled them).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families

# (label, sample, labels the sample must have, unit) of each figure printed, in this order
FIGURES: tuple[tuple[str, str, dict[str, str], float], ...] = (
    ("frontend requests", "service_requests_total", {"service_name": "frontend"}, 1),
    ("describes", "service_requests_total",
     {"service_name": "frontend", "operation": "DescribeWorkflowExecution"}, 1),
    ("updates", "service_requests_total", {"service_name": "frontend", "operation": "UpdateWorkflowExecution"}, 1),
    ("signals", "service_requests_total", {"service_name": "frontend", "operation": "SignalWorkflowExecution"}, 1),
    ("activities via matching", "service_requests_total",
     {"service_name": "matching", "operation": "AddActivityTask"}, 1),
    ("execution writes", "persistence_requests_total",
     {"service_name": "history", "operation": "UpdateWorkflowExecution"}, 1),
    ("KB of mutable state written", "persisted_mutable_state_size_sum", {}, 1000),
    ("KB of events written", "event_blob_size_sum", {}, 1000),
    ("visibility writes", "visibility_persistence_requests_total", {}, 1),
)


@dataclass(frozen=True)
class ServerCounts:
    figures: Counter[str]

    def __sub__(self, other: ServerCounts) -> ServerCounts:
        return ServerCounts(Counter({label: self.figures[label] - other.figures[label] for label, *_ in FIGURES}))

    def __add__(self, other: ServerCounts) -> ServerCounts:
        return ServerCounts(self.figures + other.figures)

    def text(self, orders: int) -> str:
        return "server per order: " + ", ".join(
            f"{self.figures[label] / unit / orders:.1f} {label}" for label, _, _, unit in FIGURES)


NO_COUNTS = ServerCounts(Counter())


async def server_counts(http: httpx.AsyncClient, url: str) -> ServerCounts:
    """The server's counters now (all namespaces: the benchmark's server serves nothing else)."""
    response = await http.get(url)
    response.raise_for_status()
    figures: Counter[str] = Counter()
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            for label, name, wanted, _ in FIGURES:
                if sample.name == name and wanted.items() <= sample.labels.items():
                    figures[label] += sample.value
    return ServerCounts(figures)
