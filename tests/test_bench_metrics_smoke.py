"""``bench.throughput --paths rest,rest-off`` (what serve's metrics cost) at a tiny size, so it cannot rot. Only the
shape of its report is asserted, never a figure: those are docs/BENCHMARKS.md's."""

from __future__ import annotations

import re

from tests.test_bench_throughput_smoke import FIGURE, run_bench


def test_metrics_comparison_reports_rest_with_and_without_metrics() -> None:
    lines = run_bench("bench.throughput", "--orders", "4", "--clients", "2", "--rounds", "1",
                      "--status-requests", "4", "--paths", "rest,rest-off")
    report = "\n".join(lines)
    for path in ("REST", "REST, metrics off"):
        assert re.search(rf"^{re.escape(path)} +4 orders in +{FIGURE} s = +{FIGURE} orders/s", report, re.M), report
    assert re.search(r"^REST, metrics off GET /orders/{id}/status, 2 concurrent clients back to back", report,
                     re.M), report
    assert re.fullmatch(rf"metrics cost: REST {FIGURE} orders/s with them, {FIGURE} without = [+-]{FIGURE} % "
                        rf"\(target < 3 %: (met|MISSED)\); CPU per order {FIGURE} against {FIGURE} ms",
                        lines[-2]), lines[-2]
