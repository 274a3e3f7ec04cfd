"""The two SQLite habits the outbox and the collector's store share: how a file is opened, how it is written.

Both files are opened in WAL mode with ``synchronous=FULL`` (why, for each, is in their module
docstrings) and in autocommit mode, so that every write is an explicit ``BEGIN IMMEDIATE`` …
``COMMIT``: the write lock is taken at the start (no deadlock-prone upgrade from a read) and a
failure anywhere rolls the whole batch back.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


def connect_wal(path: str | os.PathLike[str], *, busy_timeout_s: float = 10.0) -> sqlite3.Connection:
    """A connection usable from several threads (callers serialise it with their own lock)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=busy_timeout_s)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Cursor]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; on any exception ``ROLLBACK`` and re-raise."""
    cur = conn.cursor()
    cur.execute("BEGIN IMMEDIATE")
    try:
        yield cur
        cur.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
