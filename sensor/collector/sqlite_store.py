"""The default collector store: one SQLite file in WAL mode.

Tables: ``messages`` (every envelope once: UNIQUE id), ``readings`` (one row per observation or
detection, the columns localisation and maps query, indexed by cell and by time), ``sessions``
and ``sms`` (one row per phone session and per SMS, indexed by carrier and time and by phone:
migration 3; migration 4 gave readings the measured carrier and the receiver's velocity; migration 5
the report's covering index), ``sensors`` (first/last seen, last seq, message count) and
``schema_version`` (one row per applied migration; ``MIGRATIONS`` lists them in order and a
database made by a newer version is refused).

``synchronous=FULL``: the server acknowledges a message as soon as ``save_many`` returns and the
sensor then deletes its copy, so a commit must survive a power cut, not only a crashed process.
The fsync per commit is shared by a whole batch (the server saves everything that arrived
together in one ``save_many``). WAL lets the dashboard and exports read while the server writes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sensor.collector.rows import (
    READING_COLUMNS,
    SESSION_COLUMNS,
    SMS_COLUMNS,
    SensorRecord,
    reading_of,
    session_of,
    sms_of,
)
from sensor.collector.store import Store, StoreError
from sensor.publish.envelope import utc_now_iso
from sensor.publish.sqlite_tx import connect_wal, write_transaction

# (version, statements). Append new versions; never edit an applied one.
MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        CREATE TABLE sensors (
            sensor TEXT PRIMARY KEY,
            first_seen_utc TEXT NOT NULL,
            last_seen_utc TEXT NOT NULL,
            last_seq INTEGER NOT NULL,
            messages INTEGER NOT NULL
        );
        CREATE TABLE messages (
            pos INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            sensor TEXT NOT NULL,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            sent_utc TEXT NOT NULL,
            received_utc TEXT NOT NULL,
            envelope TEXT NOT NULL
        );
        CREATE INDEX messages_kind ON messages (kind);
        CREATE INDEX messages_sensor_seq ON messages (sensor, seq);
        CREATE TABLE readings (
            pos INTEGER PRIMARY KEY,
            message_id TEXT NOT NULL UNIQUE REFERENCES messages (id),
            sensor TEXT NOT NULL,
            kind TEXT NOT NULL,
            time_utc TEXT NOT NULL,
            arfcn INTEGER NOT NULL,
            bsic INTEGER,
            mcc TEXT,
            mnc TEXT,
            lac INTEGER,
            cell_id INTEGER,
            lat_deg REAL,
            lon_deg REAL,
            rssi_dbfs REAL,
            rssi_dbm REAL,
            snr_db REAL,
            freq_offset_hz REAL,
            verdict TEXT,
            score REAL,
            body TEXT NOT NULL
        );
        CREATE INDEX readings_cell ON readings (arfcn, bsic, cell_id);
        CREATE INDEX readings_time ON readings (time_utc);
        """,
    ),
    (
        2,
        # one sensor's readings over a time window (the cells heard alongside a suspect), and the
        # per-transmitter summaries from the index alone (no scan of the bodies)
        """
        CREATE INDEX readings_sensor_time ON readings (sensor, time_utc);
        CREATE INDEX readings_transmitter ON readings (mcc, mnc, lac, cell_id, arfcn, bsic, verdict, sensor, time_utc);
        """,
    ),
    (
        3,
        # phones' sessions and the SMS cells delivered (envelope kinds session and sms): a carrier's
        # over time, one phone's (its keyed hash), and per-transmitter activity from the index
        """
        CREATE TABLE sessions (
            pos INTEGER PRIMARY KEY,
            message_id TEXT NOT NULL UNIQUE REFERENCES messages (id),
            sensor TEXT NOT NULL,
            session_id TEXT NOT NULL,
            time_utc TEXT NOT NULL,
            arfcn INTEGER NOT NULL,
            bsic INTEGER,
            mcc TEXT,
            mnc TEXT,
            lac INTEGER,
            cell_id INTEGER,
            phone TEXT,
            procedure TEXT,
            result TEXT,
            cause INTEGER,
            ciphered INTEGER NOT NULL,
            complete INTEGER NOT NULL,
            n_sms INTEGER NOT NULL,
            lat_deg REAL,
            lon_deg REAL,
            identities TEXT NOT NULL,
            body TEXT NOT NULL
        );
        CREATE INDEX sessions_carrier ON sessions (arfcn, bsic, time_utc);
        CREATE INDEX sessions_phone ON sessions (phone, time_utc);
        CREATE INDEX sessions_time ON sessions (time_utc);
        CREATE INDEX sessions_transmitter ON sessions (mcc, mnc, lac, cell_id, arfcn, bsic, phone, time_utc);
        CREATE TABLE sms (
            pos INTEGER PRIMARY KEY,
            message_id TEXT NOT NULL UNIQUE REFERENCES messages (id),
            sensor TEXT NOT NULL,
            session_id TEXT,
            time_utc TEXT NOT NULL,
            arfcn INTEGER NOT NULL,
            bsic INTEGER,
            mcc TEXT,
            mnc TEXT,
            lac INTEGER,
            cell_id INTEGER,
            phone TEXT,
            sender TEXT NOT NULL,
            sender_type TEXT NOT NULL,
            coding TEXT NOT NULL,
            text TEXT,
            lat_deg REAL,
            lon_deg REAL,
            identities TEXT NOT NULL,
            body TEXT NOT NULL
        );
        CREATE INDEX sms_carrier ON sms (arfcn, bsic, time_utc);
        CREATE INDEX sms_phone ON sms (phone, time_utc);
        CREATE INDEX sms_time ON sms (time_utc);
        CREATE INDEX sms_transmitter ON sms (mcc, mnc, lac, cell_id, arfcn, bsic, time_utc);
        """,
    ),
    (
        4,
        # what a Doppler fit reads of each reading: the measured carrier and its standard error, and
        # the receiver's velocity (NULL in readings stored before, and where the sensor did not know)
        """
        ALTER TABLE readings ADD COLUMN freq_hz REAL;
        ALTER TABLE readings ADD COLUMN freq_sd_hz REAL;
        ALTER TABLE readings ADD COLUMN speed_m_s REAL;
        ALTER TABLE readings ADD COLUMN heading_deg REAL
        """,
    ),
    (
        5,
        # the report's grouped queries over a period (sensor/report/query.py): positions, verdicts,
        # sensors and carriers from this index alone, never a scan of the readings' bodies
        """
        CREATE INDEX readings_report ON readings (time_utc, verdict, lat_deg, lon_deg, sensor, arfcn, bsic)
        """,
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


class SqliteStore(Store):
    """``Store`` on a SQLite file (created with its directory if missing)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = connect_wal(self.path)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open database {self.path}: {getattr(exc, 'strerror', None) or exc}") from None
        try:
            self._migrate()
        except sqlite3.Error as exc:
            self._conn.close()
            raise StoreError(f"cannot open database {self.path}: {exc}") from None
        except StoreError:
            self._conn.close()
            raise

    def _migrate(self) -> None:
        c = self._conn
        c.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_utc TEXT NOT NULL)")
        current = c.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"database {self.path} has schema version {current}; this fbs-sensor knows up to {SCHEMA_VERSION}"
            )
        for version, script in MIGRATIONS:
            if version <= current:
                continue
            with write_transaction(c) as cur:
                if cur.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0] >= version:
                    continue  # another process applied it meanwhile
                for statement in script.split(";"):
                    if statement.strip():
                        cur.execute(statement)
                cur.execute("INSERT INTO schema_version VALUES (?, ?)", (version, utc_now_iso()))

    # ----------------------------------------------------------------- writing

    def save_many(self, envelopes: Sequence[Mapping[str, Any]], *, received_utc: str | None = None) -> list[bool]:
        if not envelopes:
            return []
        received = received_utc or utc_now_iso()
        with self._lock:
            try:
                with write_transaction(self._connection()) as cur:
                    new = [self._insert(cur, env, received) for env in envelopes]
            except sqlite3.Error as exc:
                raise StoreError(f"database {self.path}: saving {len(envelopes)} message(s) failed: {exc}") from None
        return new

    def _insert(self, cur: sqlite3.Cursor, env: Mapping[str, Any], received_utc: str) -> bool:
        text = json.dumps(env, separators=(",", ":"), ensure_ascii=False)
        cur.execute(
            "INSERT OR IGNORE INTO messages (id, sensor, seq, kind, sent_utc, received_utc, envelope) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (env["id"], env["sensor"], env["seq"], env["kind"], env["sent_utc"], received_utc, text),
        )
        if cur.rowcount != 1:
            return False
        for table, columns, row in (
            ("readings", READING_COLUMNS, reading_of(env)),
            ("sessions", SESSION_COLUMNS, session_of(env)),
            ("sms", SMS_COLUMNS, sms_of(env)),
        ):
            if row is not None:
                values = [getattr(row, c) for c in columns]
                cur.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}, body) VALUES ({', '.join('?' * (len(values) + 1))})",
                    (*values, json.dumps(row.body, separators=(",", ":"), ensure_ascii=False)),
                )
        cur.execute(
            """INSERT INTO sensors (sensor, first_seen_utc, last_seen_utc, last_seq, messages) VALUES (?, ?, ?, ?, 1)
               ON CONFLICT (sensor) DO UPDATE SET last_seen_utc = excluded.last_seen_utc,
                   last_seq = MAX(last_seq, excluded.last_seq), messages = messages + 1""",
            (env["sensor"], received_utc, received_utc, env["seq"]),
        )
        return True

    # ----------------------------------------------------------------- reading

    def _body(self, value: Any) -> dict[str, Any]:
        return json.loads(value)

    def _body_subset(self, keys: Sequence[str]) -> str:
        return "json_object(" + ", ".join(f"'{k}', json_extract(body, '$.{k}')" for k in keys) + ")"

    def sensors(self) -> list[SensorRecord]:
        rows = self._query(
            "SELECT sensor, first_seen_utc, last_seen_utc, last_seq, messages FROM sensors ORDER BY sensor", []
        )
        return [SensorRecord(*row) for row in rows]

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None  # type: ignore[assignment]

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"database {self.path} is closed")
        return self._conn

    def _query(self, sql: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._connection().execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"database {self.path}: query failed: {exc}") from None
