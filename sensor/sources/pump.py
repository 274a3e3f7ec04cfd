"""A reader thread that keeps a radio's byte stream drained into a bounded, accounted buffer.

Radios whose driver gives us a plain byte stream (librtlsdr's synchronous reads, ``hackrf_transfer``'s
stdout) lose samples silently whenever nobody is reading: the dongle's FIFO or the pipe fills and the
device side drops data without telling anyone. ``BytePump`` runs the blocking read in a thread so that a
read is nearly always in flight, and keeps what it read in a queue bounded to ``max_buffer_bytes``.
When the consumer falls behind, the pump drops whole incoming chunks *itself* and records exactly
how many samples it dropped and where, so the loss reaches ``IQBlock.dropped_before`` instead of
vanishing.

Generations: every chunk is tagged with the generation that was current when its read *started*.
``new_generation()`` (called after a retune or gain change) makes everything older stale; stale bytes
are thrown away by ``take`` and reported as ``stale_bytes`` (a chunk whose read straddled the retune
is stale too, so no block mixes two tunings).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


class PumpEnded(Exception):
    """The byte stream ended (EOF) or the read function raised; ``cause`` is that exception or None."""

    def __init__(self, cause: BaseException | None) -> None:
        super().__init__("stream ended" if cause is None else f"read failed: {cause}")
        self.cause = cause


@dataclass(slots=True)
class Taken:
    data: np.ndarray  # uint8, a whole number of frames (possibly empty)
    dropped: int | None  # frames lost right before ``data``: 0 none, None unknown amount
    stale_bytes: int  # bytes of older generations discarded while taking


def _add_drop(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


class BytePump:
    """Drains ``read()`` (blocking; returns bytes, ``b""`` at end of stream) in a daemon thread.

    ``frame_bytes`` is the size of one sample (2 for cu8/ci8); chunks are kept frame-aligned.
    """

    def __init__(
        self,
        read: Callable[[], bytes | bytearray | memoryview],
        *,
        frame_bytes: int,
        max_buffer_bytes: int,
        name: str = "byte-pump",
    ) -> None:
        self._read_fn = read
        self._frame = int(frame_bytes)
        self._max = max(int(max_buffer_bytes), self._frame)
        self._cond = threading.Condition()
        # Items: [gen, data: bytes | None, start, dropped_frames]; data None marks a drop.
        self._items: deque[list] = deque()
        self._buffered = 0  # bytes of data held (all generations)
        self._gen = 0
        self._ended = False
        self._cause: BaseException | None = None
        self._stopping = False
        self._carry = b""
        self.bytes_read = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    # --- producer side (the thread) ------------------------------------------------------------
    def start(self) -> BytePump:
        self._thread.start()
        return self

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._stopping:
                    return
                gen = self._gen
            try:
                data = self._read_fn()
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer
                with self._cond:
                    self._ended, self._cause = True, exc
                    self._cond.notify_all()
                return
            with self._cond:
                if not data:
                    self._ended = True
                    self._cond.notify_all()
                    return
                if self._stopping:
                    return
                self.bytes_read += len(data)
                if self._carry:
                    data = self._carry + bytes(data)
                usable = len(data) - len(data) % self._frame
                self._carry = bytes(data[usable:])
                if usable == 0:
                    continue
                if self._buffered + usable > self._max:
                    self._append_drop(gen, usable // self._frame)
                else:
                    self._items.append([gen, bytes(data[:usable]), 0, 0])
                    self._buffered += usable
                self._cond.notify_all()

    def _append_drop(self, gen: int, frames: int | None) -> None:
        last = self._items[-1] if self._items else None
        if last is not None and last[1] is None and last[0] == gen:
            last[3] = _add_drop(last[3], frames)
        else:
            self._items.append([gen, None, 0, frames])

    def mark_drop(self, frames: int | None = None) -> None:
        """Record, at the current end of the queue, that ``frames`` samples (None: unknown) were lost
        upstream (for instance a driver's own overrun counter went up)."""
        with self._cond:
            self._append_drop(self._gen, frames)
            self._cond.notify_all()

    # --- consumer side -------------------------------------------------------------------------
    def new_generation(self) -> None:
        """Make everything read so far, and the read now in flight, stale."""
        with self._cond:
            self._gen += 1

    def _purge_stale(self) -> int:
        stale = 0
        while self._items and self._items[0][0] < self._gen:
            _gen, data, start, _ = self._items.popleft()
            if data is not None:
                stale += len(data) - start
                self._buffered -= len(data) - start
        return stale

    def _available(self) -> tuple[int, bool]:
        """Bytes of data ready before the first drop marker, and whether a marker follows them."""
        n = 0
        for item in self._items:
            if item[1] is None:
                return n, True
            n += len(item[1]) - item[2]
        return n, False

    def wait_ready(self, timeout_s: float) -> bool:
        """Wait until data is buffered or the stream ended; False on timeout."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while not self._buffered and not self._ended:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def peek(self, n: int) -> bytes:
        """Up to ``n`` bytes at the head of the queue, without taking them."""
        out = bytearray()
        with self._cond:
            for _, data, start, _ in self._items:
                if data is None:
                    break
                out += data[start : start + n - len(out)]
                if len(out) >= n:
                    break
        return bytes(out)

    def take(self, max_bytes: int, timeout_s: float) -> Taken:
        """Wait for ``max_bytes`` (rounded down to whole frames) and take them.

        Returns early with fewer bytes when a drop marker follows the data, when the stream has
        ended, when the buffer is full, or when no new byte arrived for ``timeout_s``. When there
        is nothing to return: raises ``TimeoutError`` after ``timeout_s`` without data, or
        ``PumpEnded`` once the stream has ended and everything before the end has been taken.
        """
        want = max(self._frame, int(max_bytes) - int(max_bytes) % self._frame)
        stale = 0
        dropped: int | None = 0
        with self._cond:
            deadline = time.monotonic() + timeout_s
            seen = -1
            while True:
                stale += self._purge_stale()
                while self._items and self._items[0][1] is None:
                    dropped = _add_drop(dropped, self._items.popleft()[3])
                avail, marker = self._available()
                if avail >= want or (avail and (marker or self._ended or self._buffered >= self._max)):
                    break
                if dropped != 0 and not avail:
                    return Taken(np.empty(0, np.uint8), dropped, stale)
                if self._ended and not avail:
                    raise PumpEnded(self._cause)
                now = time.monotonic()
                if avail > seen:  # progress: the timeout counts from the latest byte
                    seen, deadline = avail, now + timeout_s
                remaining = deadline - now
                if remaining <= 0:
                    if avail:
                        break
                    raise TimeoutError(f"no data for {timeout_s:g} s")
                self._cond.wait(remaining)
            n = min(avail, want)
            out = np.empty(n, np.uint8)
            pos = 0
            while pos < n:
                item = self._items[0]
                data, start = item[1], item[2]
                k = min(len(data) - start, n - pos)
                out[pos : pos + k] = np.frombuffer(data, np.uint8, count=k, offset=start)
                pos += k
                if start + k == len(data):
                    self._items.popleft()
                else:
                    item[2] = start + k
            self._buffered -= n
            return Taken(out, dropped, stale)

    # --- shutdown ------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, join_timeout_s: float = 2.0) -> bool:
        """Ask the thread to stop after its current read; True if it has ended."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(join_timeout_s)
        return not self._thread.is_alive()
