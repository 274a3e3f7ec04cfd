"""sources.ahead: the next item taken on another thread, one ahead at most, in order; an error
where it was raised; an early stop leaves no thread behind and closes the source's iterator."""

from __future__ import annotations

import threading

import pytest

from sensor.errors import InputError
from sensor.sources.ahead import read_ahead


def test_items_come_in_order_read_one_ahead_at_most_on_another_thread():
    taken: list[int] = []
    readers: set[str] = set()

    def source():
        for k in range(6):
            readers.add(threading.current_thread().name)
            taken.append(k)
            yield k

    out = []
    for given, item in enumerate(read_ahead(source()), start=1):
        assert len(taken) <= given + 1  # never more than one beyond the caller's item
        out.append(item)
    assert out == list(range(6))
    assert readers == {"read-ahead"}


def test_an_error_comes_after_the_items_before_it():
    def source():
        yield 1
        yield 2
        raise InputError("truncated")

    out = []
    with pytest.raises(InputError, match="truncated"):
        for item in read_ahead(source()):
            out.append(item)
    assert out == [1, 2]


def test_stopping_early_ends_the_thread_and_closes_the_source():
    closed = threading.Event()

    def source():
        try:
            yield from range(100)
        finally:
            closed.set()

    before = threading.active_count()
    it = read_ahead(source())
    assert next(it) == 0 and next(it) == 1
    it.close()
    assert closed.is_set()
    assert threading.active_count() == before
