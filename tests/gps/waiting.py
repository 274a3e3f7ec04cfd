"""Polling with generous timeouts: tests run on loaded 2-core machines."""

from __future__ import annotations

import time
from collections.abc import Callable

TIMEOUT_S = 20.0


def wait_until(cond: Callable[[], bool], timeout_s: float = TIMEOUT_S, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.02)
