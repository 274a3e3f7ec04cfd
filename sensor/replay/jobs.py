"""Receiving recordings on several processes (``fbs-sensor replay --jobs N``), absorbed in order.

Each recording is received whole by one worker process, its captures (SigMF segments) in order
there, by a fresh stream receiver as in one process (``replay.receive``: nothing carries over from
one recording to the next). The worker pickles the reception's items into a spool file of its own,
one length-prefixed frame per window, flushed as it goes; the parent reads recording k's spool
while it grows and hands the items to ``Replayer.absorb`` in the recordings' order, so cells,
sessions, blocks and every figure come out as a sequential replay makes them, and ``--blocks``
output streams. A worker ahead of the parent writes ahead to disk, not to memory: the parent holds
one frame (one window's blocks) at a time.

Each worker claims the next recording nobody has claimed, in the recordings' order, by creating
its spool file exclusively (no queue or lock to share). Workers are forked from a forkserver
(never from the parent, whose numba and FFT state may hold threads and locks), which imports the
receiver once; they ignore SIGINT: Ctrl-C reaches the
parent, which terminates them and removes the spool before the interrupt goes on up. A
``SensorError`` in a worker (truncated data) travels to the parent in its frame and is raised
where that recording is absorbed; any other exception is a bug, raised in the parent as a
``RuntimeError`` with the worker's traceback.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import struct
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sensor import interrupt
from sensor.errors import SensorError
from sensor.threads import set_threads, threads

if TYPE_CHECKING:
    from sensor.model import L2Block
    from sensor.replay import Bursts, Received, Recording
    from sensor.sources.base import Source

_HEADER = struct.Struct("<Q")  # the frame's length in bytes
POLL_S = 0.02  # how often the parent looks for a worker's next frame


@dataclass(frozen=True, slots=True)
class _Failed:
    """A worker's bug (not a ``SensorError``): its traceback, raised again in the parent."""

    traceback: str


def _worker(tasks: list[tuple[Source, float, float, float, str]], threads_each: int = 1) -> None:
    """A worker process: it claims the next recording nobody has claimed (its spool file created
    exclusively: no lock, no queue), in the recordings' order, until none is left. It uses
    ``threads_each`` threads (``sensor.threads``): the parent's share of them, so the workers
    together do not ask for more threads than there are cores."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    set_threads(threads_each)
    for task in tasks:
        try:
            os.close(os.open(task[-1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            continue  # another worker's
        except OSError:
            return  # the spool directory is gone: the parent has ended
        _receive_to(*task)


def _receive_to(source: Source, duration_s: float, window_s: float, overlap_s: float, spool: str) -> None:
    """In a worker: one recording's reception into ``spool``, a frame per window: the window's end
    (seconds into the recording, a float) then its blocks; last a ``Received``, or what went wrong."""
    from sensor.replay import receive

    with open(spool, "r+b") as f:
        frame: list[Any] = []

        def flush() -> None:
            payload = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)
            f.write(_HEADER.pack(len(payload)) + payload)
            f.flush()
            frame.clear()

        def on_window(t0_s: float, t1_s: float) -> None:
            if frame:
                flush()
            frame.append(t1_s)

        try:
            for item in receive(source, duration_s, window_s=window_s, overlap_s=overlap_s, on_window=on_window):
                frame.append(item)  # noqa: PERF402 - on_window flushes the frame between items
        except SensorError as exc:
            frame.append(exc)
        except Exception:  # noqa: BLE001 - a bug: the parent raises it with this traceback
            frame.append(_Failed(traceback.format_exc()))
        flush()


def _spooled(
    spool: Path, workers: list[BaseProcess], on_window: Callable[[float], None]
) -> Iterator[L2Block | Bursts | Received]:
    """In the parent: one recording's items as its worker writes them (``on_window`` for each window)."""
    from sensor.replay import Received

    buf = bytearray()
    fd: int | None = None
    try:
        while True:
            alive = any(
                w.is_alive() for w in workers
            )  # asked before reading: what a worker wrote before it ended is read
            if fd is None and spool.exists():
                fd = os.open(spool, os.O_RDONLY)
            got = False
            while fd is not None and (chunk := os.read(fd, 1 << 20)):
                buf += chunk
            while len(buf) >= _HEADER.size and len(buf) >= _HEADER.size + (n := _HEADER.unpack_from(buf)[0]):
                frame = pickle.loads(bytes(buf[_HEADER.size : _HEADER.size + n]))
                del buf[: _HEADER.size + n]
                got = True
                for item in frame:
                    if isinstance(item, float):
                        on_window(item)
                    elif isinstance(item, SensorError):
                        raise item
                    elif isinstance(item, _Failed):
                        raise RuntimeError(f"a replay worker failed on {spool.name}:\n{item.traceback}")
                    else:
                        yield item
                        if isinstance(item, Received):
                            return
            if not got and not alive:
                raise RuntimeError(f"the replay workers ended before finishing {spool.name}")
            if not got:
                interrupt.check()  # a Ctrl-C Python could not raise where it landed stops the wait here
                time.sleep(POLL_S)
    finally:
        if fd is not None:
            os.close(fd)
        if spool.exists():  # read (or abandoned): its disk goes now; the empty file stays claimed
            os.truncate(spool, 0)


@contextlib.contextmanager
def received_apart(
    recordings: list[Recording],
    jobs: int,
    *,
    window_s: float,
    overlap_s: float,
    on_window: Callable[[int, float], None],
) -> Iterator[Iterator[Iterator[L2Block | Bursts | Received]]]:
    """The receptions of ``recordings`` on ``jobs`` worker processes, one iterator per recording in
    their order (``on_window(k, t1_s)`` as recording k's windows are read). Leaving the context
    terminates the workers, done or not, and removes their spool."""
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["sensor.replay"])
    with tempfile.TemporaryDirectory(prefix="fbs-sensor-replay-") as tmp:
        spools = [Path(tmp) / f"{k}.spool" for k in range(len(recordings))]
        tasks = [(r.source, r.source.duration_s, window_s, overlap_s, str(spools[k])) for k, r in enumerate(recordings)]
        workers: list[BaseProcess] = []
        # Ctrl-C waits until every worker has started: one interrupted while starting would not be
        # known here to terminate.
        masked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            try:
                n_workers = max(1, min(jobs, len(recordings)))
                for _ in range(n_workers):
                    w = ctx.Process(target=_worker, args=(tasks, max(1, threads() // n_workers)), daemon=True)
                    w.start()
                    workers.append(w)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, masked)
            yield (
                _spooled(spools[k], workers, lambda t1, k=k: on_window(k, t1))  # type: ignore[misc]
                for k in range(len(recordings))
            )
        finally:
            for w in workers:
                w.terminate()
            for w in workers:
                w.join()
