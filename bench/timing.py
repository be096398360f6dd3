"""Timing one repeat at a time (wall clock and CPU time), and the statistics of the samples."""
from __future__ import annotations

import gc
import statistics
import time
from typing import Any, Callable

# setup() prepares fresh inputs outside the clock and returns the thunk to time; the thunk
# returns its output's dtype as a string, so a table can flag a framework that computed in
# another precision than it was given.
Setup = Callable[[], Callable[[], Any]]


def time_repeats(setup: Setup, repeats: int,
                 warmup: int) -> tuple[list[float], list[float], Any]:
    """Time ``warmup + repeats`` runs of fresh thunks; keep the last ``repeats``.

    Returns the wall-clock samples and this thread's CPU-time samples, in seconds, and what
    the last thunk returned. Wall time is what the table shows by default; CPU time leaves out
    the time the thread waited while other processes held the core.
    """
    gc.collect()  # start from a clean heap; the collector stays on, as in a real program
    wall: list[float] = []
    cpu: list[float] = []
    result = None
    for i in range(warmup + repeats):
        thunk = setup()
        start, start_cpu = time.perf_counter(), time.thread_time()
        result = thunk()
        elapsed, elapsed_cpu = time.perf_counter() - start, time.thread_time() - start_cpu
        if i >= warmup:
            wall.append(elapsed)
            cpu.append(elapsed_cpu)
    return wall, cpu, result


def summarize(samples: list[float], scale: float) -> dict[str, Any]:
    """Median, quartiles and extremes of ``samples`` multiplied by ``scale``."""
    values = sorted(s * scale for s in samples)
    if len(values) > 1:
        p25, _, p75 = statistics.quantiles(values, n=4)
    else:
        p25 = p75 = values[0]
    return {"median": statistics.median(values), "p25": p25, "p75": p75,
            "min": values[0], "max": values[-1], "repeats": len(values),
            "samples": values}
