"""Each benchmark script runs at a tiny size, so it cannot rot. No timing is asserted here."""

from __future__ import annotations

import subprocess
import sys


def run_bench(module: str, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_ledger_bench_smoke() -> None:
    out = run_bench("bench.ledger", "500")
    assert "sqlite" in out and "p99" in out and "CSV export: 500 rows" in out


def test_sqlite_pragmas_bench_smoke() -> None:
    out = run_bench("bench.sqlite_pragmas", "10")
    assert "wal+normal / default =" in out.strip().splitlines()[-1]


def test_change_to_screen_bench_smoke() -> None:
    out = run_bench("bench.change_to_screen", "--rate", "2", "--seconds", "1", "--runs", "1")
    assert "from the decision's answer: p50" in out and "change to screen, median of 1 runs" in out


def test_desk_footprint_bench_smoke() -> None:
    out = run_bench("bench.desk_footprint", "--launches", "1", "--orders", "3", "--idle", "1", "--idle-after", "0")
    assert "window shown" in out and "memory after 3 orders" in out and "idle CPU over 1 s" in out
