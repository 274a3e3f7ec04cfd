"""The durable outbox: every message waits in a SQLite file until the collector has acknowledged it.

A patrol car loses its uplink in tunnels and dead zones, and its laptop can lose power or be
killed at any moment; a detection seen then must still reach the collector later. So a message
is committed here before anything tries to send it, leaves only when the collector has committed
it (``ack``) or refused it for good (``reject``, kept aside as a dead letter), and the per-sensor
``seq`` is persisted with it.

Durability: WAL journal with ``synchronous=FULL``. WAL alone already survives a killed process
(committed transactions are in the WAL file); FULL adds an fsync of the WAL at every commit, so a
commit also survives a power cut or kernel crash — what happens when the ignition is switched
off. It costs one fsync per commit: the sensor makes a few messages per second, and
``put_many``/``publish_many`` store a whole scan cycle in one commit.

Back-pressure: the outbox holds at most ``max_messages`` messages and ``max_bytes`` bytes of
encoded messages. Storing past either limit first drops the oldest heartbeats and status
messages, then the oldest observations. Detections are never dropped, nor phone sessions and SMS
(evidence of what a fake station did): when only those are left the outbox grows past its limits
and logs a warning (the disk is the last limit). Drops are counted per kind, persistently.

Disk full: a write that fails because the disk (or the ``max_db_pages`` quota) is full raises
``OutboxDiskFull``; the outbox stays usable, counts the messages it could not store per kind and
logs a warning at most once a minute. The caller (the daemon) logs it and carries on scanning: a
later write succeeds as soon as acknowledged messages have made room or the disk has been cleared.

One process at a time: a lock file (``PATH.lock``) refuses a second opener, so the in-memory
depth counters are exact. Inside one process the outbox is thread-safe (the daemon stores while
the link thread sends and acknowledges).

One concern in one file: storing, taking, acknowledging, dead-lettering and the back-pressure rules
all work on the same table under the same write transaction and lock, and the counters must agree
with it; split apart they would have to share that state.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sensor.errors import SensorError
from sensor.publish.envelope import encode, make_envelope, utc_now_iso, validate
from sensor.publish.sqlite_tx import connect_wal, write_transaction

log = logging.getLogger(__name__)

FORMAT = 1
DEFAULT_MAX_MESSAGES = 200_000
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
# Which kinds make room, in this order, oldest first within a group. Detections never do.
DROP_ORDER: tuple[tuple[str, ...], ...] = (("heartbeat", "status"), ("observation",))
WARN_EVERY_S = 60.0
_SQL_CHUNK = 500  # ids per statement, well under SQLite's bound-variable limit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- AUTOINCREMENT: a position is never reused after a delete, so "everything after position P"
-- (what the link asks for) never skips a message stored after an acknowledged one.
CREATE TABLE IF NOT EXISTS outbox (
    pos INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    seq INTEGER NOT NULL,
    size_bytes INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_kind_pos ON outbox (kind, pos);
CREATE TABLE IF NOT EXISTS dead_letters (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL,
    error TEXT NOT NULL, rejected_utc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS drops (kind TEXT PRIMARY KEY, count INTEGER NOT NULL);
"""


class OutboxError(SensorError):
    """The outbox file cannot be opened or written."""


class OutboxDiskFull(OutboxError):
    """A write failed because the disk or the outbox's page quota is full; nothing was stored."""


@dataclass(frozen=True)
class Queued:
    """A message waiting to be sent: its place in the outbox, id, kind and encoded bytes."""

    pos: int
    id: str
    kind: str
    data: bytes


@dataclass
class OutboxStats:
    """Counters for a status line and metrics. ``dropped`` are persistent totals; the rest count
    since this process opened the outbox."""

    depth: int = 0
    depth_bytes: int = 0
    stored: int = 0
    acked: int = 0
    rejected: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    disk_full: dict[str, int] = field(default_factory=dict)
    over_limit: bool = False


class Outbox:
    """Messages of one sensor waiting for the collector's acknowledgement (see the module docstring).

    ``fault_hook``, when set, is called with the operation's name (``put``, ``ack``, ``reject``)
    inside each write transaction, before it writes: tests set it to raise the errors SQLite
    raises on a full disk or a failing device.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        sensor_id: str,
        max_messages: int = DEFAULT_MAX_MESSAGES,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_db_pages: int | None = None,
    ) -> None:
        if max_messages < 1 or max_bytes < 1:
            raise OutboxError(f"outbox limits must be positive (max_messages={max_messages}, max_bytes={max_bytes})")
        self.path = Path(path)
        self.sensor_id = sensor_id
        self.max_messages = max_messages
        self.max_bytes = max_bytes
        self.fault_hook: Callable[[str], None] | None = None
        self._lock = threading.RLock()
        self._stats = OutboxStats()
        self._disk_full_warning = _Every(WARN_EVERY_S)
        self._drop_warning = _Every(WARN_EVERY_S)
        self._over_limit_warning = _Every(WARN_EVERY_S)
        self._unwarned_drops: Counter[str] = Counter()
        self._lock_file = self._take_lock()
        try:
            self._conn = self._open(max_db_pages)
        except BaseException:
            self._lock_file.close()
            raise

    # ----------------------------------------------------------------- opening

    def _take_lock(self) -> Any:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            f = open(f"{self.path}.lock", "a+")  # noqa: SIM115 - held (and flocked) while the outbox is open
        except OSError as exc:
            raise OutboxError(f"cannot open outbox {self.path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.close()
            raise OutboxError(f"outbox {self.path} is in use by another process") from None
        return f

    def _open(self, max_db_pages: int | None) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = None
        try:
            conn = connect_wal(self.path)
            if max_db_pages is not None:
                conn.execute(f"PRAGMA max_page_count={int(max_db_pages)}")
            conn.executescript(_SCHEMA)
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if not meta:
                conn.executemany("INSERT INTO meta VALUES (?, ?)",
                                 [("format", str(FORMAT)), ("sensor", self.sensor_id), ("next_seq", "0")])  # fmt: skip
                meta = {"format": str(FORMAT), "sensor": self.sensor_id, "next_seq": "0"}
            count, nbytes = conn.execute("SELECT COUNT(*), COALESCE(SUM(size_bytes), 0) FROM outbox").fetchone()
            drops = dict(conn.execute("SELECT kind, count FROM drops").fetchall())
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise OutboxError(f"cannot open outbox {self.path}: {exc}") from None
        if meta.get("format") != str(FORMAT):
            conn.close()
            raise OutboxError(f"outbox {self.path} has format {meta.get('format')}, this fbs-sensor reads {FORMAT}")
        if meta.get("sensor") != self.sensor_id:
            conn.close()
            raise OutboxError(f"outbox {self.path} belongs to sensor {meta.get('sensor')!r}, not {self.sensor_id!r}")
        self._next_seq = int(meta["next_seq"])
        self._stats.depth, self._stats.depth_bytes = int(count), int(nbytes)
        self._stats.dropped = {k: int(v) for k, v in drops.items()}
        return conn

    # ----------------------------------------------------------------- writing

    def publish(self, kind: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Wrap ``body`` in a new envelope (next ``seq``, now as ``sent_utc``), store it, return it."""
        return self.publish_many([(kind, body)])[0]

    def publish_many(self, items: Iterable[tuple[str, Mapping[str, Any]]]) -> list[dict[str, Any]]:
        """``publish`` for several messages, stored in one commit (one scan cycle: one fsync)."""
        with self._lock:
            sent_utc = utc_now_iso()
            envelopes = [
                make_envelope(kind, body, sensor=self.sensor_id, seq=self._next_seq + i, sent_utc=sent_utc)
                for i, (kind, body) in enumerate(items)
            ]
            self._store(envelopes)  # make_envelope has validated them
            return envelopes

    def put(self, envelope: Mapping[str, Any]) -> None:
        """Store a ready envelope (of this sensor). Storing the same id again is a no-op."""
        self.put_many([envelope])

    def put_many(self, envelopes: Iterable[Mapping[str, Any]]) -> None:
        """Store envelopes in one commit, then make room by the back-pressure policy.

        Raises ``EnvelopeError`` for an invalid or oversized envelope (nothing is stored),
        ``OutboxDiskFull`` when the disk is full, ``OutboxError`` for other storage failures.
        """
        batch = list(envelopes)
        for env in batch:
            validate(env)
        self._store(batch)

    def _store(self, envelopes: Sequence[Mapping[str, Any]]) -> None:
        rows = []
        for env in envelopes:
            if env["sensor"] != self.sensor_id:
                raise OutboxError(f"outbox {self.path} is sensor {self.sensor_id!r}'s, not {env['sensor']!r}'s")
            data = encode(env)
            rows.append((env["id"], env["kind"], env["seq"], len(data), data))
        if not rows:
            return
        with self._lock:
            try:
                count, nbytes, dropped, stored = self._write_transaction(rows)
            except sqlite3.Error as exc:
                raise self._storage_error(exc, "put", Counter(r[1] for r in rows)) from None
            self._stats.stored += stored
            self._stats.depth, self._stats.depth_bytes = count, nbytes
            for kind, n in dropped.items():
                self._stats.dropped[kind] = self._stats.dropped.get(kind, 0) + n
            self._next_seq = max(self._next_seq, max(r[2] for r in rows) + 1)
            if dropped:
                self._warn_drops(dropped)
            self._check_over_limit()

    def _write_transaction(self, rows: list[tuple[str, str, int, int, bytes]]) -> tuple[int, int, Counter[str], int]:
        with write_transaction(self._conn) as cur:
            self._fault("put")
            count, nbytes, stored = self._stats.depth, self._stats.depth_bytes, 0
            for row in rows:
                cur.execute(
                    "INSERT OR IGNORE INTO outbox (id, kind, seq, size_bytes, data) VALUES (?, ?, ?, ?, ?)", row
                )
                if cur.rowcount == 1:
                    count, nbytes, stored = count + 1, nbytes + row[3], stored + 1
            next_seq = max(self._next_seq, max(r[2] for r in rows) + 1)
            cur.execute("UPDATE meta SET value = ? WHERE key = 'next_seq'", (str(next_seq),))
            count, nbytes, dropped = self._make_room(cur, count, nbytes)
            cur.executemany(
                "INSERT INTO drops (kind, count) VALUES (?, ?) "
                "ON CONFLICT (kind) DO UPDATE SET count = count + excluded.count",
                list(dropped.items()),
            )
        return count, nbytes, dropped, stored

    def _make_room(self, cur: sqlite3.Cursor, count: int, nbytes: int) -> tuple[int, int, Counter[str]]:
        """Delete the oldest droppable messages until both limits hold (or only detections remain)."""
        dropped: Counter[str] = Counter()
        for kinds in DROP_ORDER:
            marks = ",".join("?" * len(kinds))
            while count > self.max_messages or nbytes > self.max_bytes:
                want = min(max(count - self.max_messages, 64), 10_000)
                found = cur.execute(
                    f"SELECT pos, kind, size_bytes FROM outbox WHERE kind IN ({marks}) ORDER BY pos LIMIT ?",
                    (*kinds, want),
                ).fetchall()
                if not found:
                    break
                doomed = []
                for pos, kind, size in found:
                    if count <= self.max_messages and nbytes <= self.max_bytes:
                        break
                    doomed.append((pos,))
                    count, nbytes = count - 1, nbytes - size
                    dropped[kind] += 1
                cur.executemany("DELETE FROM outbox WHERE pos = ?", doomed)
        return count, nbytes, dropped

    def ack(self, ids: Iterable[str]) -> int:
        """Forget messages the collector has committed; returns how many were still here."""
        with self._lock:
            gone, _ = self._delete("ack", list(ids), dead_error=None)
            self._stats.acked += gone
            return gone

    def reject(self, refused: Iterable[tuple[str, str]]) -> int:
        """Set aside messages the collector refused for good, as dead letters with its reason."""
        by_error: dict[str, list[str]] = {}
        for msg_id, error in refused:
            by_error.setdefault(error, []).append(msg_id)
        moved = 0
        with self._lock:
            for error, ids in by_error.items():
                n, _ = self._delete("reject", ids, dead_error=error)
                moved += n
            self._stats.rejected += moved
            return moved

    def _delete(self, what: str, ids: list[str], *, dead_error: str | None) -> tuple[int, int]:
        if not ids:
            return 0, 0
        gone = freed = 0
        try:
            with write_transaction(self._conn) as cur:
                self._fault(what)
                for i in range(0, len(ids), _SQL_CHUNK):
                    chunk = ids[i : i + _SQL_CHUNK]
                    marks = ",".join("?" * len(chunk))
                    if dead_error is not None:
                        cur.execute(
                            "INSERT OR REPLACE INTO dead_letters SELECT id, kind, seq, data, ?, ? "
                            f"FROM outbox WHERE id IN ({marks})",
                            (dead_error, utc_now_iso(), *chunk),
                        )
                    sizes = cur.execute(
                        f"DELETE FROM outbox WHERE id IN ({marks}) RETURNING size_bytes", chunk
                    ).fetchall()
                    gone += len(sizes)
                    freed += sum(s for (s,) in sizes)
        except sqlite3.Error as exc:
            raise self._storage_error(exc, what, Counter()) from None
        self._stats.depth -= gone
        self._stats.depth_bytes -= freed
        self._check_over_limit()
        return gone, freed

    # ----------------------------------------------------------------- reading

    def pending(self, limit: int, *, after_pos: int = 0) -> list[Queued]:
        """Up to ``limit`` waiting messages stored after position ``after_pos``, oldest first."""
        with self._lock:
            try:
                rows = self._conn.execute(
                    "SELECT pos, id, kind, data FROM outbox WHERE pos > ? ORDER BY pos LIMIT ?", (after_pos, limit)
                ).fetchall()
            except sqlite3.Error as exc:
                raise OutboxError(f"outbox {self.path}: cannot read: {exc}") from None
        return [Queued(pos, i, k, bytes(d)) for pos, i, k, d in rows]

    def depth(self) -> int:
        """Messages waiting (sent or not) for an acknowledgement."""
        return self._stats.depth

    def depth_bytes(self) -> int:
        return self._stats.depth_bytes

    def depth_by_kind(self) -> dict[str, int]:
        with self._lock:
            rows = self._conn.execute("SELECT kind, COUNT(*) FROM outbox GROUP BY kind").fetchall()
        return {k: int(n) for k, n in rows}

    def dead_letters(self, limit: int = 100) -> list[dict[str, Any]]:
        """Messages the collector refused for good, newest first: id, kind, seq, error, rejected_utc, data."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, kind, seq, error, rejected_utc, data FROM dead_letters ORDER BY rejected_utc DESC LIMIT ?",
                (limit,),
            ).fetchall()
        keys = ("id", "kind", "seq", "error", "rejected_utc", "data")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    @property
    def next_seq(self) -> int:
        return self._next_seq

    def stats(self) -> OutboxStats:
        with self._lock:
            s = self._stats
            return OutboxStats(depth=s.depth, depth_bytes=s.depth_bytes, stored=s.stored, acked=s.acked,
                               rejected=s.rejected, dropped=dict(s.dropped), disk_full=dict(s.disk_full),
                               over_limit=s.over_limit)  # fmt: skip

    # ----------------------------------------------------------------- errors and warnings

    def _fault(self, operation: str) -> None:
        if self.fault_hook is not None:
            self.fault_hook(operation)

    def _storage_error(self, exc: sqlite3.Error, what: str, kinds: Counter[str]) -> OutboxError:
        full = getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "database or disk is full" in str(exc)
        if not full:
            return OutboxError(f"outbox {self.path}: {what} failed: {exc}")
        for kind, n in kinds.items():
            self._stats.disk_full[kind] = self._stats.disk_full.get(kind, 0) + n
        lost = sum(kinds.values())
        if self._disk_full_warning.due():
            totals = ", ".join(f"{k} {n}" for k, n in sorted(self._stats.disk_full.items())) or "none"
            log.warning("outbox %s: disk full during %s; messages not stored so far: %s; the sensor keeps running",
                        self.path, what, totals)  # fmt: skip
        detail = f", {lost} message(s) not stored" if lost else ""
        return OutboxDiskFull(f"outbox {self.path}: disk full during {what}{detail}")

    def _warn_drops(self, dropped: Counter[str]) -> None:
        self._unwarned_drops.update(dropped)
        if self._drop_warning.due():
            log.warning("outbox %s at its limit (%d messages, %d bytes): dropped the oldest %s",
                        self.path, self.max_messages, self.max_bytes,
                        ", ".join(f"{n} {k}" for k, n in sorted(self._unwarned_drops.items())))  # fmt: skip
            self._unwarned_drops.clear()

    def _check_over_limit(self) -> None:
        s = self._stats
        over = s.depth > self.max_messages or s.depth_bytes > self.max_bytes
        if over and (self._over_limit_warning.due() or not s.over_limit):
            log.warning("outbox %s holds %d messages (%d bytes), past its limit of %d messages / %d bytes: "
                        "only detections are left and detections are never dropped",
                        self.path, s.depth, s.depth_bytes, self.max_messages, self.max_bytes)  # fmt: skip
        s.over_limit = over

    # ----------------------------------------------------------------- closing

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None  # type: ignore[assignment]
                self._lock_file.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Every:
    """True at most once per period: keeps a repeated warning to one line a minute."""

    def __init__(self, period_s: float) -> None:
        self.period_s = period_s
        self._last_s = -float("inf")

    def due(self) -> bool:
        now = time.monotonic()
        if now - self._last_s < self.period_s:
            return False
        self._last_s = now
        return True


__all__ = ["DROP_ORDER", "Outbox", "OutboxDiskFull", "OutboxError", "OutboxStats", "Queued"]
