"""Shared timing helper for the bench scripts."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """The shortest wall time of ``repeat`` calls of ``fn`` (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


@contextmanager
def one_core() -> Iterator[int | None]:
    """Run the body on one CPU only (this process and the threads it starts, e.g. a BLAS pool),
    so "x real time on one core" means that; the previous affinity is restored afterwards.
    Yields the CPU used (None where affinity cannot be set: then the body runs unpinned)."""
    if not hasattr(os, "sched_setaffinity"):
        yield None
        return
    before = os.sched_getaffinity(0)
    cpu = max(before)
    os.sched_setaffinity(0, {cpu})
    try:
        yield cpu
    finally:
        os.sched_setaffinity(0, before)
