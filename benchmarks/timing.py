"""Timing shared by the analyzer benchmarks: which clock, and the median and p99 of repeated runs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
"""`cpu` counts only this process's CPU time: on a machine shared with other work, the portable number."""


def percentiles(
    function: Callable[[], object], runs: int, clock: Callable[[], float] = time.perf_counter
) -> tuple[float, float]:
    """Median and p99 in ms of `runs` calls of `function`, after one warm-up call."""
    function()
    times = []
    for _ in range(runs):
        started = clock()
        function()
        times.append((clock() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]
