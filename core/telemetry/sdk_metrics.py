"""The Temporal SDK's own metrics (``temporal_*``: task slots, schedule-to-start latency, workflow and activity
outcomes) in the app's registry, so one ``/metrics`` carries both.

The SDK's Rust core records into a ``MetricBuffer``; this collector drains it and keeps the running state a
Prometheus exposition needs: counters summed, the last value of each gauge, histogram buckets. It drains at
each scrape and, so that an unscraped buffer never fills (the SDK would drop updates and log errors), every
few seconds from a daemon thread. Durations arrive in seconds and keep the SDK's names, with ``_seconds``.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from prometheus_client.core import Metric
from prometheus_client.registry import Collector
from temporalio.runtime import (
    BUFFERED_METRIC_KIND_COUNTER,
    BUFFERED_METRIC_KIND_GAUGE,
    MetricBuffer,
    MetricBufferDurationFormat,
)

BUFFER_SIZE = 100_000  # updates between drains; a busy worker makes a few hundred a second
DRAIN_INTERVAL = 5.0  # seconds
BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

Labels = tuple[tuple[str, str], ...]


@dataclass
class _Histogram:
    buckets: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    count: int = 0
    total: float = 0.0

    def observe(self, value: float) -> None:
        index = bisect.bisect_left(BUCKETS, value)
        if index < len(BUCKETS):
            self.buckets[index] += 1
        self.count += 1
        self.total += value


@dataclass
class _Family:
    name: str
    help: str
    kind: int
    values: dict[Labels, float] = field(default_factory=dict)
    histograms: dict[Labels, _Histogram] = field(default_factory=dict)


class SdkMetrics(Collector):
    def __init__(self) -> None:
        self.buffer = MetricBuffer(BUFFER_SIZE, MetricBufferDurationFormat.SECONDS)
        self._families: dict[str, _Family] = {}  # by name: each client and worker has its own metric objects
        self._by_metric: dict[int, _Family] = {}  # by id of the SDK's metric object, which it reuses
        self._labels: dict[int, Labels] = {}  # by id of the SDK's attribute set, which it reuses too
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._drainer: threading.Thread | None = None

    def start(self) -> None:
        """Drain every few seconds in the background: call once the ``Runtime`` holding the buffer exists."""
        self._drainer = threading.Thread(target=self._drain_now_and_then, name="order-desk-sdk-metrics", daemon=True)
        self._drainer.start()

    def stop(self) -> None:
        self._stop.set()

    def _drain_now_and_then(self) -> None:
        while not self._stop.wait(DRAIN_INTERVAL):
            self.drain()

    def drain(self) -> None:
        with self._lock:
            for update in self.buffer.retrieve_updates():
                metric = update.metric
                family = self._by_metric.get(id(metric))
                if family is None:
                    named = _family(metric.name, metric.description, metric.unit, metric.kind)
                    family = self._by_metric[id(metric)] = self._families.setdefault(named.name, named)
                labels = self._labels.get(id(update.attributes))
                if labels is None:
                    labels = self._labels[id(update.attributes)] = _labels(update.attributes)
                if family.kind == BUFFERED_METRIC_KIND_COUNTER:
                    family.values[labels] = family.values.get(labels, 0) + update.value
                elif family.kind == BUFFERED_METRIC_KIND_GAUGE:
                    family.values[labels] = update.value
                else:
                    family.histograms.setdefault(labels, _Histogram()).observe(update.value)

    def collect(self) -> Iterator[Metric]:
        self.drain()
        with self._lock:
            for family in self._families.values():
                yield _exposed(family)


def _family(name: str, description: str | None, unit: str | None, kind: int) -> _Family:
    if kind == BUFFERED_METRIC_KIND_COUNTER:
        name = name.removesuffix("_total")  # exposed with it, once
    elif unit in ("duration", "s", "seconds", "ms") and not name.endswith("_seconds"):
        name += "_seconds"
    return _Family(name, description or name, kind)


def _labels(attributes: Mapping[str, object]) -> Labels:
    return tuple(sorted((key, str(value)) for key, value in attributes.items()))


def _exposed(family: _Family) -> Metric:
    """Samples with each series' own labels: one SDK metric may be recorded with different attribute keys."""
    if family.kind == BUFFERED_METRIC_KIND_COUNTER:
        counter = Metric(family.name, family.help, "counter")
        for labels, value in family.values.items():
            counter.add_sample(family.name + "_total", dict(labels), value)
        return counter
    if family.kind == BUFFERED_METRIC_KIND_GAUGE:
        gauge = Metric(family.name, family.help, "gauge")
        for labels, value in family.values.items():
            gauge.add_sample(family.name, dict(labels), value)
        return gauge
    histogram = Metric(family.name, family.help, "histogram")
    for labels, observed in family.histograms.items():
        cumulative = 0
        for bound, count in zip(BUCKETS, observed.buckets, strict=True):
            cumulative += count
            histogram.add_sample(family.name + "_bucket", {**dict(labels), "le": str(bound)}, cumulative)
        histogram.add_sample(family.name + "_bucket", {**dict(labels), "le": "+Inf"}, observed.count)
        histogram.add_sample(family.name + "_count", dict(labels), observed.count)
        histogram.add_sample(family.name + "_sum", dict(labels), observed.total)
    return histogram
