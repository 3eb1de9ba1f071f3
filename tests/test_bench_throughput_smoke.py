"""The throughput and desk benchmarks run at a tiny size, so they cannot rot. Only the shape of their report
is asserted, never a timing: figures come from ``make bench`` (docs/BENCHMARKS.md)."""

from __future__ import annotations

import re
import subprocess
import sys

FIGURE = r"\d+(\.\d+)?"


def run_bench(module: str, *args: str) -> list[str]:
    result = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()


def test_throughput_bench_reports_every_path_and_the_ratios_last() -> None:
    lines = run_bench("bench.throughput", "--orders", "10", "--clients", "5", "--rounds", "1",
                      "--status-requests", "20")
    report = "\n".join(lines)
    for path in ("raw SDK", "app", "REST"):
        assert re.search(rf"^{re.escape(path)} +10 orders in +{FIGURE} s = +{FIGURE} orders/s; "
                         rf"{FIGURE} status reads per order", report, re.M), report
    # The server's own counts, per order: each raw order is approved by one signal, each app and REST order by
    # one Update, and the app's search attributes cost visibility writes the raw workflow does not make.
    counts = {path: dict((label, float(figure)) for figure, label in re.findall(
        r"(\d+\.\d) ([a-zA-Z ]+?)(?:,|$)", line.split("server per order: ")[1]))
        for path, line in zip(("raw", "app", "REST"), (line for line in lines if "server per order: " in line),
                              strict=True)}
    assert counts["raw"]["signals"] == 1.0 and counts["raw"]["updates"] == 0.0, counts
    assert counts["app"]["updates"] == counts["REST"]["updates"] == 1.0, counts
    assert counts["app"]["visibility writes"] > counts["raw"]["visibility writes"] > 0, counts
    assert re.search(rf"status, 5 concurrent clients back to back, 20 requests: p50 {FIGURE} ms", report), report
    assert re.search(rf"status, 5 concurrent clients each every {FIGURE} ms, 20 requests: p50", report), report
    assert re.fullmatch(rf"app/raw = {FIGURE} \(target >= 0.8: (met|MISSED)\)  "
                        rf"server CPU per order app/raw = {FIGURE} \(target <= 1.2: (met|MISSED)\)  "
                        rf"REST/raw = {FIGURE}", lines[-1]), lines[-1]


def test_throughput_bench_runs_the_seed_peer_beside_serve() -> None:
    """The seed's design (status by query, decisions by signal, its own worker) under serve's load, compared."""
    lines = run_bench("bench.throughput", "--orders", "6", "--clients", "3", "--rounds", "1",
                      "--status-requests", "6", "--paths", "rest,seed")
    report = "\n".join(lines)
    assert re.search(rf"^seed peer 6 orders in +{FIGURE} s", report, re.M), report
    seed = next(line for line in lines if "seed api" in line and "server per order" not in line)
    assert "seed worker" in seed, seed
    assert re.search(rf"^seed peer GET /orders/{{id}}/status, 3 concurrent clients each every {FIGURE} ms", report,
                     re.M), report
    assert re.fullmatch(rf"serve/seed peer = {FIGURE} \(target >= 1.3: (met|MISSED)\)  paced status p99 seed "
                        rf"peer/serve = {FIGURE}x \(target >= 2x: (met|MISSED)\)", lines[-1]), lines[-1]


def test_latency_bench_reports_approve_and_pending_for_each_path() -> None:
    lines = run_bench("bench.latency", "--orders", "4", "--in-flight", "4", "--rate", "4", "--rounds", "1")
    report = "\n".join(lines)
    assert re.search(rf"^raw SDK Update +approve -> confirmed: p50 {FIGURE} ms", report, re.M), report
    for path in ("service", "REST"):
        assert re.search(rf"^{path} +approve -> confirmed: p50 {FIGURE} ms .*the raw Update's p99", report,
                         re.M), report
    assert report.count("create -> PENDING_APPROVAL on the change feed: p50") == 2, report


def test_desk_bench_reports_loop_lag_listing_and_table_refresh() -> None:
    lines = run_bench("bench.gui", "--orders", "10", "--in-flight", "5", "--rows", "300")
    report = "\n".join(lines)
    assert re.search(r"^traffic: 10 orders in .*showed them all approved", report, re.M), report
    assert re.search(rf"^loop lag while 10 orders flowed .*: p50 {FIGURE} ms  p99 {FIGURE} ms", report, re.M), report
    assert re.search(rf"^service.list_orders\(limit=300\) from the ledger: {FIGURE} ms", report, re.M), report
    assert re.search(rf"^OrdersModel.apply of 300 rows .*: first fill {FIGURE} ms .*10% changed {FIGURE} ms", report,
                     re.M), report
