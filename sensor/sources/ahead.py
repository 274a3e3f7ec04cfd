"""Reading a source's next block on another thread while the caller works on the current one.

A recording's block is read (``os.preadv``) and converted to complex64 by numpy, both of which let
go of Python's lock, so on a second core the next block is ready by the time the receiver asks for
it. One block ahead at most: the memory held beside the caller's block is one more block (a
replay's blocks are a quarter of a second: 40 MB of complex64 at 20 Msps, 4.8 MB at 2.4 Msps).
The blocks, and an error the source raises, come in the same order as read in line.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_ITEM, _END, _ERROR = range(3)


def read_ahead(items: Iterator[T]) -> Iterator[T]:
    """``items``, each next one taken on another thread while the caller has the current one.
    Closing this iterator early (or an exception in the caller) stops the reading thread and
    closes ``items`` once that thread is done with it."""
    got: queue.SimpleQueue = queue.SimpleQueue()
    may_read = threading.Semaphore(1)  # the reading thread takes one more item per release
    stop = threading.Event()

    def reader() -> None:
        try:
            while True:
                may_read.acquire()
                if stop.is_set():
                    return
                try:
                    item = next(items)
                except StopIteration:
                    got.put((_END, None))
                    return
                got.put((_ITEM, item))
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller, where it belongs
            got.put((_ERROR, exc))

    thread = threading.Thread(target=reader, name="read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            kind, item = got.get()
            if kind == _END:
                return
            if kind == _ERROR:
                raise item  # type: ignore[misc]
            may_read.release()  # the next one read while the caller has this one
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        may_read.release()
        thread.join()
        close = getattr(items, "close", None)
        if close is not None:
            close()
