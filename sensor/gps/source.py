"""The one small interface every position source implements.

A source is started, delivers fixes (``latest()``, ``fixes()``), answers "where were we at this
sample time" (``position_at()``, through its ``Aligner``) and is stopped. Live sources (serial
NMEA, gpsd) read in a daemon thread that never dies of bad input or a lost device: it logs,
counts (``stats``) and reconnects. Use as a context manager, or call ``start()`` and ``stop()``.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC
from collections import deque
from collections.abc import Iterator
from typing import Any

from sensor.gps.align import AlignConfig, Aligner
from sensor.gps.clock import ClockOffsetEstimate
from sensor.gps.fix import Fix, NoFix
from sensor.gps.health import FixHealth
from sensor.gps.stats import GeoStats

log = logging.getLogger(__name__)


class PositionSource(ABC):  # noqa: B024 - no abstract methods: subclasses implement _run or override _start
    """Base of every position source; subclasses implement ``_run`` (threaded) or override ``_start``."""

    #: How many published fixes ``fixes()`` can still hand to a slow consumer.
    KEEP_FIXES = 4096

    def __init__(self, name: str, *, align: AlignConfig | None = None) -> None:
        self.name = name
        self.stats = GeoStats()
        self.health = FixHealth(name, self.stats)
        self.aligner = Aligner(align, stats=self.stats, source=name)
        self._cond = threading.Condition()
        self._recent: deque[tuple[int, Fix]] = deque(maxlen=self.KEEP_FIXES)
        self._seq = 0
        self._latest: Fix | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._running = False

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> PositionSource:
        if not self._running:
            self._stopping.clear()
            self._start()
            self._running = True
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._stop()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10.0)
            if self._thread.is_alive():
                log.warning("%s: reader thread did not stop within 10 s", self.name)
        self._thread = None
        self._running = False
        with self._cond:
            self._cond.notify_all()

    def __enter__(self) -> PositionSource:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._running

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._thread_main, name=f"geo-{self.name}", daemon=True)
        self._thread.start()

    def _stop(self) -> None:  # noqa: B027 - an optional hook, empty by default
        """Unblock the reader (close a socket, a port); the base class joins the thread."""

    def _thread_main(self) -> None:
        try:
            self._run()
        except Exception:  # the loop catches what it expects; anything else is a bug, logged loudly
            self.stats.errors += 1
            log.exception("%s: position reader stopped by an unexpected error", self.name)

    def _run(self) -> None:
        raise NotImplementedError

    def _wait(self, seconds: float) -> bool:
        """Sleep unless stopping; True when the source is stopping."""
        return self._stopping.wait(seconds)

    # -- publishing (subclasses) ----------------------------------------------------------------

    def _publish(self, item: Fix | NoFix) -> None:
        if isinstance(item, NoFix):
            self.aligner.add_no_fix(item.time_utc_s)
            self.health.lost(item.reason)
            return
        if not self.aligner.add(item):
            return  # out of order, or a jump: already logged and counted
        self.health.fix()
        with self._cond:
            if self._latest is None or item.time_utc_s != self._latest.time_utc_s:
                self.stats.fixes += 1
            self._latest = item
            self._seq += 1
            self._recent.append((self._seq, item))
            self._cond.notify_all()

    # -- consumers -----------------------------------------------------------------------------

    def latest(self) -> Fix | None:
        """The most recent valid fix (it may be old: see ``has_fix`` and ``position_at``)."""
        with self._cond:
            return self._latest

    @property
    def has_fix(self) -> bool | None:
        """True while the receiver reports a fix, False after it reported none, None before any report."""
        return self.health.has_fix

    def fixes(self, timeout_s: float | None = None) -> Iterator[Fix]:
        """Fixes as they are published from now on; ends at ``stop()`` or after ``timeout_s`` without one."""
        with self._cond:
            next_seq = self._seq + 1
        while True:
            with self._cond:
                if self._seq < next_seq and not self._stopping.is_set():
                    # the predicate runs only inside this wait, with this iteration's next_seq
                    self._cond.wait_for(
                        lambda: self._seq >= next_seq or self._stopping.is_set(),  # noqa: B023
                        timeout=timeout_s,
                    )
                batch = [fix for seq, fix in self._recent if seq >= next_seq]
                next_seq = self._seq + 1
            if not batch:
                return
            yield from batch

    def drain(self, after_seq: int = 0) -> tuple[list[Fix], int]:
        """Fixes published after ``after_seq`` (without waiting), and the number to pass next time."""
        with self._cond:
            return [fix for seq, fix in self._recent if seq > after_seq], self._seq

    def position_at(self, time_utc_s: float | None) -> dict[str, Any] | None:
        """The contract's ``position`` object valid at ``time_utc_s`` (e.g. ``IQBlock.time_utc_s``), or None."""
        return self.aligner.position_at(time_utc_s)

    def clock_offset(self) -> ClockOffsetEstimate | None:
        """Laptop clock minus GPS time (median; includes the receiver's output latency)."""
        return self.aligner.clock_offset()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"
