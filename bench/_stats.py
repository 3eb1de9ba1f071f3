"""Percentiles and medians the benchmarks print."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile (``q`` in 0..100): a value that was really observed."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(values: Sequence[float]) -> str:
    """``p50 x ms  p99 y ms  max z ms`` of values in seconds."""
    return (f"p50 {percentile(values, 50) * 1000:.1f} ms  p99 {percentile(values, 99) * 1000:.1f} ms  "
            f"max {max(values, default=math.nan) * 1000:.1f} ms")
