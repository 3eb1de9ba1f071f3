"""CPU seconds of processes, read from /proc: where a benchmark's time went (Linux only; NaN elsewhere)."""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass

CORES = os.cpu_count() or 1
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of ``pid`` (all its threads); of this process when None."""
    if pid is None:
        return time.process_time()
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime


@dataclass
class CpuMeter:
    """CPU used by named processes between ``start`` and ``stop``."""

    pids: dict[str, int | None]

    def start(self) -> None:
        self._before = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self._wall = time.perf_counter()

    def stop(self) -> dict[str, float]:
        used = {name: cpu_seconds(pid) - self._before[name] for name, pid in self.pids.items()}
        used["wall"] = time.perf_counter() - self._wall
        return used


def cpu_text(used: dict[str, float], orders: int) -> str:
    """CPU milliseconds per order of each process, beside what the machine's cores could give per order."""
    parts = [f"{name} {seconds / orders * 1000:.1f}" for name, seconds in used.items() if name != "wall"]
    total = sum(seconds for name, seconds in used.items() if name != "wall")
    available = CORES * used["wall"] / orders * 1000
    return f"CPU ms/order: {' + '.join(parts)} = {total / orders * 1000:.1f} of {available:.1f} ({CORES} cores)"
