"""The collector's storage interface: what the server, the localisation and the dashboard rely on.

A store keeps every accepted envelope once (by message id: sensors resend until acknowledged,
so duplicates are normal and must be harmless), one *reading* per observation or detection
(the columns localisation and maps need, flattened from the body), one row per phone *session*
and per *SMS* a cell delivered (the columns an analyst filters on: carrier, time, phone's keyed
hash, procedure, result, sender, text...; schema migration 3), and per sensor when it was last
heard from. ``SqliteStore`` is the default; another backend (PostgreSQL) implements the
same abstract methods and passes the same tests (``tests/collector/test_store.py`` runs them
against every implementation listed there).

Contract for implementations:
- ``save``/``save_many`` commit before returning: the server acknowledges a message only after
  its ``save`` has returned, and the sensor then forgets it.
- They take envelopes that ``sensor.publish.envelope.validate`` accepted.
- Failures that may pass (disk full, database restarting) raise ``StoreError``: the server then
  acknowledges nothing and the sensors resend later.
- Thread-safe: the server saves from its thread while others read.
"""

from __future__ import annotations

import abc
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sensor.errors import SensorError

READING_KINDS = ("observation", "detection")
READING_COLUMNS = ("message_id", "sensor", "kind", "time_utc", "arfcn", "bsic", "mcc", "mnc", "lac", "cell_id",
                   "lat_deg", "lon_deg", "rssi_dbfs", "rssi_dbm", "snr_db", "freq_offset_hz",
                   "verdict", "score", "freq_hz", "freq_sd_hz", "speed_m_s", "heading_deg")  # fmt: skip
# kind session: CONTRACT.md's session object; "n_sms" is its "sms" count, "session_id" its "id"
SESSION_COLUMNS = ("message_id", "sensor", "session_id", "time_utc", "arfcn", "bsic", "mcc", "mnc", "lac", "cell_id",
                   "phone", "procedure", "result", "cause", "ciphered", "complete", "n_sms", "lat_deg", "lon_deg",
                   "identities")  # fmt: skip
# kind sms: CONTRACT.md's sms object; "session_id" is its "session"
SMS_COLUMNS = ("message_id", "sensor", "session_id", "time_utc", "arfcn", "bsic", "mcc", "mnc", "lac", "cell_id",
               "phone", "sender", "sender_type", "coding", "text", "lat_deg", "lon_deg", "identities")  # fmt: skip
IDENTITY_COLUMNS = ("mcc", "mnc", "lac", "cell_id", "arfcn", "bsic")  # a transmitter's key, in Transmitter.key order
Box = tuple[float, float, float, float]  # lat_min, lon_min, lat_max, lon_max (degrees)
TransmitterKey = tuple[Any, ...]  # (mcc, mnc, lac, cell_id, arfcn, bsic): IDENTITY_COLUMNS


class Identified:
    """Mixin of what has a transmitter's identity fields (``IDENTITY_COLUMNS``): its ``key``."""

    __slots__ = ()

    @property
    def key(self) -> TransmitterKey:
        """The transmitter's identity, in ``IDENTITY_COLUMNS`` order."""
        me: Any = self  # the subclass's fields
        return me.mcc, me.mnc, me.lac, me.cell_id, me.arfcn, me.bsic


class StoreError(SensorError):
    """The store cannot be opened, or a read or write failed."""


@dataclass(frozen=True)
class Reading(Identified):
    """One observation or detection, flattened: a row of the ``readings`` table.

    ``time_utc`` is the body's ``t_utc`` when the sensor gave one (the measurement's time in live
    use), else the envelope's ``sent_utc``. Position and signal fields are None when unknown.
    """

    message_id: str
    sensor: str
    kind: str
    time_utc: str
    arfcn: int
    bsic: int | None
    mcc: str | None
    mnc: str | None
    lac: int | None
    cell_id: int | None
    lat_deg: float | None
    lon_deg: float | None
    rssi_dbfs: float | None
    rssi_dbm: float | None
    snr_db: float | None
    freq_offset_hz: float | None
    verdict: str | None
    score: float | None
    body: dict[str, Any]
    # schema migration 4, what a Doppler fit reads: the carrier as measured (absolute, from the
    # reading's FCCH bursts) with its standard error, and the receiver's velocity then
    freq_hz: float | None = None
    freq_sd_hz: float | None = None
    speed_m_s: float | None = None
    heading_deg: float | None = None


@dataclass(frozen=True)
class SensorRecord:
    """What the collector knows about a sensor: first and last message, last seq, messages stored."""

    sensor: str
    first_seen_utc: str
    last_seen_utc: str
    last_seq: int
    messages: int


@dataclass(frozen=True)
class TransmitterSummary(Identified):
    """One transmitter's readings in figures (``Store.transmitter_summaries``): its identity, how many
    readings and when, how many of each verdict, which sensors, and the reasons of its last reading
    received."""

    mcc: str | None
    mnc: str | None
    lac: int | None
    cell_id: int | None
    arfcn: int
    bsic: int | None
    n_readings: int
    first_utc: str
    last_utc: str
    verdicts: dict[str, int] = field(default_factory=dict)
    sensors: list[str] = field(default_factory=list)
    latest_reasons: list[dict[str, Any]] = field(default_factory=list)
    last_pos: int = 0  # the storage position of the last reading received (whose reasons those are)


@dataclass(frozen=True)
class PhoneRecord(Identified):
    """What a stored session and a stored SMS share: the message, the sensor, the session's id, when
    (the body's ``t_utc`` when the sensor knew it, else the envelope's ``sent_utc``), the carrier and
    the cell's identity, the phone (keyed hash; raw only where ``identities`` is "raw"), where the
    sensor was then, and the body."""

    message_id: str
    sensor: str
    session_id: str | None
    time_utc: str
    arfcn: int
    bsic: int | None
    mcc: str | None
    mnc: str | None
    lac: int | None
    cell_id: int | None
    phone: str | None
    lat_deg: float | None
    lon_deg: float | None
    identities: str
    body: dict[str, Any]


@dataclass(frozen=True)
class StoredSession(PhoneRecord):
    """One ``session`` message, flattened: a row of the ``sessions`` table (``Store.sessions``);
    ``time_utc`` is the assignment's, ``n_sms`` how many SMS the session carried."""

    procedure: str | None
    result: str | None
    cause: int | None
    ciphered: bool
    complete: bool
    n_sms: int

    def __post_init__(self) -> None:  # SQLite gives its booleans back as 0/1
        object.__setattr__(self, "ciphered", bool(self.ciphered))
        object.__setattr__(self, "complete", bool(self.complete))


@dataclass(frozen=True)
class StoredSms(PhoneRecord):
    """One ``sms`` message, flattened: a row of the ``sms`` table (``Store.sms``). ``text`` is the
    text as the cell sent it (hostile input: whoever shows it escapes it)."""

    sender: str
    sender_type: str
    coding: str
    text: str | None


@dataclass(frozen=True)
class CarrierActivity(Identified):
    """What one transmitter (``IDENTITY_COLUMNS``) did to phones, in figures (``Store.activity``):
    sessions, distinct phones (by their keyed hash), SMS, and the first and last time of either.
    Sessions and SMS published before the sensor decoded the cell's identity have a None identity:
    they count under the same ARFCN + BSIC with None for MCC..cell_id."""

    mcc: str | None
    mnc: str | None
    lac: int | None
    cell_id: int | None
    arfcn: int
    bsic: int | None
    sessions: int
    phones: int
    sms: int
    first_utc: str
    last_utc: str


NUL_STANDIN = "\ufffd"  # U+0000 in a session's or an SMS's text columns and body (see _without_nul)


def _without_nul(value: Any) -> Any:
    """``value`` with U+0000 replaced by U+FFFD in every string (keys included).

    An SMS's text is whatever the cell sent, and UCS2 can carry U+0000; PostgreSQL's ``text`` and
    ``jsonb`` cannot hold it (the batch would fail for ever and the sensor resend it for ever). Every
    backend flattens the same way, so they answer alike; the envelope in ``messages`` keeps the
    exact text (``\\u0000`` escaped in its JSON)."""
    if isinstance(value, str):
        return value.replace("\x00", NUL_STANDIN) if "\x00" in value else value
    if isinstance(value, Mapping):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def _flat(envelope: Mapping[str, Any]) -> dict[str, Any]:
    """The columns sessions and SMS share (U+0000 replaced: :func:`_without_nul`)."""
    body = _without_nul(envelope["body"])
    position = body.get("position") or {}
    return {
        "message_id": envelope["id"],
        "sensor": envelope["sensor"],
        "time_utc": body.get("t_utc") or envelope["sent_utc"],
        "arfcn": body["arfcn"],
        "bsic": body.get("bsic"),
        "mcc": body.get("mcc"),
        "mnc": body.get("mnc"),
        "lac": body.get("lac"),
        "cell_id": body.get("cell_id"),
        "phone": body.get("phone"),
        "lat_deg": position.get("lat_deg"),
        "lon_deg": position.get("lon_deg"),
        "identities": body["identities"],
        "body": dict(body),
    }


def session_of(envelope: Mapping[str, Any]) -> StoredSession | None:
    """The session row a ``session`` envelope carries; None for other kinds."""
    if envelope["kind"] != "session":
        return None
    flat = _flat(envelope)
    body = flat["body"]
    return StoredSession(
        session_id=body["id"],
        procedure=body.get("procedure"),
        result=body.get("result"),
        cause=body.get("cause"),
        ciphered=bool(body.get("ciphered")),
        complete=bool(body.get("complete")),
        n_sms=int(body.get("sms") or 0),
        **flat,
    )


def sms_of(envelope: Mapping[str, Any]) -> StoredSms | None:
    """The SMS row an ``sms`` envelope carries; None for other kinds."""
    if envelope["kind"] != "sms":
        return None
    flat = _flat(envelope)
    body = flat["body"]
    return StoredSms(
        session_id=body.get("session"),
        sender=body["sender"],
        sender_type=body["sender_type"],
        coding=body["coding"],
        text=body.get("text"),
        **flat,
    )


def reading_of(envelope: Mapping[str, Any]) -> Reading | None:
    """The reading an observation or detection envelope carries; None for heartbeats and status."""
    if envelope["kind"] not in READING_KINDS:
        return None
    body = envelope["body"]
    position = body.get("position") or {}
    return Reading(
        message_id=envelope["id"],
        sensor=envelope["sensor"],
        kind=envelope["kind"],
        time_utc=body.get("t_utc") or envelope["sent_utc"],
        arfcn=body["arfcn"],
        bsic=body.get("bsic"),
        mcc=body.get("mcc"),
        mnc=body.get("mnc"),
        lac=body.get("lac"),
        cell_id=body.get("cell_id"),
        lat_deg=position.get("lat_deg"),
        lon_deg=position.get("lon_deg"),
        rssi_dbfs=body.get("rssi_dbfs"),
        rssi_dbm=body.get("rssi_dbm"),
        snr_db=body.get("snr_db"),
        freq_offset_hz=body.get("freq_offset_hz"),
        verdict=body.get("verdict"),
        score=body.get("score"),
        body=dict(body),
        freq_hz=body.get("freq_hz"),
        freq_sd_hz=body.get("freq_sd_hz"),
        speed_m_s=position.get("speed_m_s"),
        heading_deg=position.get("heading_deg"),
    )


class Store(abc.ABC):
    """Idempotent storage of sensor messages (see the module docstring for the contract)."""

    @abc.abstractmethod
    def save_many(self, envelopes: Sequence[Mapping[str, Any]], *, received_utc: str | None = None) -> list[bool]:
        """Store envelopes in one commit; per envelope True if new, False if its id was already stored."""

    def save(self, envelope: Mapping[str, Any], *, received_utc: str | None = None) -> bool:
        """Store one envelope; True if new, False for a duplicate id (nothing changes then)."""
        return self.save_many([envelope], received_utc=received_utc)[0]

    def count(self, kind: str | None = None, *, sensor: str | None = None) -> int:
        """Messages stored, optionally of one kind and/or one sensor."""
        where, args = self._where({"kind =": kind, "sensor =": sensor})
        return int(self._query(f"SELECT COUNT(*) FROM messages{where}", args)[0][0])

    def messages(
        self,
        *,
        kind: str | None = None,
        sensor: str | None = None,
        since_utc: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Stored envelopes in the order they arrived, filtered by kind, sensor and ``sent_utc >=
        since_utc``; ``offset`` of them skipped, then at most ``limit`` (the n-th detection onwards
        without decoding those before it)."""
        where, args = self._where({"kind =": kind, "sensor =": sensor, "sent_utc >=": since_utc})
        page = (
            "" if limit is None and not offset else f" LIMIT {2**62 if limit is None else int(limit)}"
        )  # SQLite: no OFFSET without
        page += f" OFFSET {int(offset)}" if offset else ""
        rows = self._query(f"SELECT envelope FROM messages{where} ORDER BY pos{page}", args)
        return [self._body(envelope) for (envelope,) in rows]

    def _where(self, conditions: Mapping[str, Any]) -> tuple[str, list[Any]]:
        """`` WHERE a = ? AND b >= ?`` of the conditions (column and operator) that are not None."""
        used = {k: v for k, v in conditions.items() if v is not None}
        return (" WHERE " + " AND ".join(f"{k} {self._placeholder}" for k in used)) if used else "", list(used.values())

    # Backends give the two hooks below; ``readings`` and ``transmitter_summaries`` are the same SQL
    # (standard, indexed columns) on every backend.
    _placeholder = "?"  # the driver's parameter mark
    # Positions below the highest one seen that can still become visible: 0 where rows are numbered
    # in commit order (SQLite's single writer); more where several writers commit out of order.
    late_positions = 0

    @abc.abstractmethod
    def _query(self, sql: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Rows of one read-only statement (``StoreError`` when the database fails)."""

    def _body(self, value: Any) -> dict[str, Any]:
        """A ``body`` or ``envelope`` column as the driver returns it, as a dict."""
        return dict(value)

    def readings(self, **filters: Any) -> list[Reading]:
        """Readings, oldest first, filtered as :meth:`positioned_readings` filters them."""
        return [r for _, r in self.positioned_readings(**filters)]

    def positioned_readings(
        self,
        *,
        arfcn: int | None = None,
        bsic: int | None = None,
        cell_id: int | None = None,
        sensor: str | None = None,
        message_id: str | None = None,
        since_utc: str | None = None,
        until_utc: str | None = None,
        within: Box | None = None,
        after_pos: int | None = None,
        limit: int | None = None,
        newest: int | None = None,
        with_body: bool = True,
        by_position: bool = False,
    ) -> list[tuple[int, Reading]]:
        """(storage position, reading) pairs, oldest first: of a cell (any of arfcn/bsic/cell_id
        given narrows the search), of a sensor, of one message, with ``since_utc <= time_utc <=
        until_utc``, positioned ``within`` a box, stored at a position after ``after_pos``; the
        oldest ``limit`` or the newest ``newest`` of them; ``with_body=False``: ``body`` left empty
        (no decoding: what localisation and maps need is all in the columns); ``by_position``: in
        storage order instead (what came after a position: the primary key's range, where ordering by
        time would walk the time index over the whole table)."""
        conditions: dict[str, Any] = {"arfcn =": arfcn, "bsic =": bsic, "cell_id =": cell_id, "sensor =": sensor,
                                      "message_id =": message_id, "time_utc >=": since_utc, "time_utc <=": until_utc,
                                      "pos >": after_pos}  # fmt: skip
        if within is not None:
            lat_min, lon_min, lat_max, lon_max = within
            conditions |= {"lat_deg >=": lat_min, "lat_deg <=": lat_max, "lon_deg >=": lon_min, "lon_deg <=": lon_max}
        where, args = self._where(conditions)
        columns = ", ".join(("pos", *READING_COLUMNS)) + (", body" if with_body else "")
        order = " ORDER BY time_utc DESC, pos DESC" if newest is not None else " ORDER BY time_utc, pos"
        if by_position:
            order = " ORDER BY pos DESC" if newest is not None else " ORDER BY pos"
        count = newest if newest is not None else limit
        rows = self._query(
            f"SELECT {columns} FROM readings{where}{order}{'' if count is None else f' LIMIT {int(count)}'}", args
        )
        if newest is not None:
            rows.reverse()
        n = len(READING_COLUMNS) + 1
        return [(int(row[0]), Reading(**dict(zip(READING_COLUMNS, row[1:n], strict=True)),
                                      body=self._body(row[n]) if with_body else {})) for row in rows]  # fmt: skip

    def last_position(self) -> int:
        """The highest storage position of a reading (0 when there is none)."""
        return int(self._query("SELECT COALESCE(MAX(pos), 0) FROM readings", [])[0][0])

    def transmitter_summaries(self, up_to_pos: int | None = None) -> list[TransmitterSummary]:
        """One summary per transmitter (``IDENTITY_COLUMNS``), from grouped queries: the dashboard's
        table at millions of readings without reading them all; of the readings stored at positions
        up to ``up_to_pos`` when given."""
        ident = ", ".join(IDENTITY_COLUMNS)
        where, args = ("", []) if up_to_pos is None else (f" WHERE pos <= {self._placeholder}", [up_to_pos])
        rows = self._query(
            f"SELECT {ident}, COUNT(*), MIN(time_utc), MAX(time_utc), "
            "SUM(CASE WHEN verdict = 'fake' THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN verdict = 'suspicious' THEN 1 ELSE 0 END), MAX(pos) FROM readings{where} GROUP BY {ident}",
            args,
        )
        sensors: dict[tuple[Any, ...], list[str]] = defaultdict(list)
        for row in self._query(f"SELECT DISTINCT {ident}, sensor FROM readings{where}", args):
            sensors[tuple(row[:6])].append(row[6])
        reasons = {
            pos: list(body.get("reasons") or []) for pos, body in self.bodies([int(row[11]) for row in rows]).items()
        }
        out = []
        for row in rows:
            key = tuple(row[:6])
            n, fake, suspicious = int(row[6]), int(row[9] or 0), int(row[10] or 0)
            verdicts = {
                v: c for v, c in (("normal", n - fake - suspicious), ("suspicious", suspicious), ("fake", fake)) if c
            }
            out.append(TransmitterSummary(*key, n_readings=n, first_utc=row[7], last_utc=row[8], verdicts=verdicts,
                                          sensors=sorted(sensors[key]), latest_reasons=reasons.get(int(row[11]), []),
                                          last_pos=int(row[11])))  # fmt: skip
        return out

    def bodies(self, positions: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The bodies of the readings stored at ``positions`` (those that exist), 500 to a query."""
        out: dict[int, dict[str, Any]] = {}
        for start in range(0, len(positions), 500):
            chunk = list(positions[start : start + 500])
            marks = ", ".join([self._placeholder] * len(chunk))
            for pos, body in self._query(f"SELECT pos, body FROM readings WHERE pos IN ({marks})", chunk):
                out[int(pos)] = self._body(body)
        return out

    # ----------------------------------------------------------------- phones' sessions and SMS

    def sessions(self, **filters: Any) -> list[StoredSession]:
        """Stored sessions, oldest first (by ``time_utc``, then arrival), filtered as
        :meth:`phone_records` filters."""
        return self.phone_records(StoredSession, **filters)  # type: ignore[return-value]

    def sms(self, **filters: Any) -> list[StoredSms]:
        """Stored SMS, oldest first, filtered as :meth:`phone_records` filters."""
        return self.phone_records(StoredSms, **filters)  # type: ignore[return-value]

    def phone_records(
        self,
        kind: type[PhoneRecord],
        *,
        arfcn: int | None = None,
        bsic: int | None = None,
        sensor: str | None = None,
        phone: str | None = None,
        since_utc: str | None = None,
        until_utc: str | None = None,
        limit: int | None = None,
        newest: int | None = None,
    ) -> list[PhoneRecord]:
        """Stored sessions (``kind`` StoredSession) or SMS (StoredSms), oldest first: of a carrier,
        a sensor, a phone (its keyed hash), with ``since_utc <= time_utc <= until_utc``; the first
        ``limit``, or the last ``newest``."""
        table, columns = ("sessions", SESSION_COLUMNS) if kind is StoredSession else ("sms", SMS_COLUMNS)
        where, args = self._where({"arfcn =": arfcn, "bsic =": bsic, "sensor =": sensor, "phone =": phone,
                                   "time_utc >=": since_utc, "time_utc <=": until_utc})  # fmt: skip
        order = "time_utc, pos" if newest is None else "time_utc DESC, pos DESC"
        count = limit if newest is None else newest
        rows = self._query(
            f"SELECT {', '.join(columns)}, body FROM {table}{where} ORDER BY {order}"
            f"{'' if count is None else f' LIMIT {int(count)}'}",
            args,
        )
        if newest is not None:
            rows.reverse()
        n = len(columns)
        return [kind(**dict(zip(columns, row[:n], strict=True)), body=self._body(row[n])) for row in rows]

    def activity(self, *, since_utc: str | None = None, sensor: str | None = None) -> list[CarrierActivity]:
        """Per transmitter (``IDENTITY_COLUMNS``): sessions, distinct phones (the keyed hashes its
        sessions showed) and SMS stored, from
        grouped queries over the indexed columns (no body read); optionally since a time, of one
        sensor. In no particular order."""
        ident = ", ".join(IDENTITY_COLUMNS)
        where, args = self._where({"time_utc >=": since_utc, "sensor =": sensor})
        figures: dict[tuple[Any, ...], list[Any]] = {}
        for table, distinct_phones in (("sessions", True), ("sms", False)):
            phones = "COUNT(DISTINCT phone)" if distinct_phones else "0"
            rows = self._query(
                f"SELECT {ident}, COUNT(*), {phones}, MIN(time_utc), MAX(time_utc) "
                f"FROM {table}{where} GROUP BY {ident}",
                args,
            )
            for row in rows:
                key = tuple(row[:6])
                entry = figures.setdefault(key, [0, 0, 0, row[8], row[9]])
                entry[0 if distinct_phones else 2] += int(row[6])
                entry[1] += int(row[7])
                entry[3], entry[4] = min(entry[3], row[8]), max(entry[4], row[9])
        return [CarrierActivity(*key, sessions=s, phones=p, sms=m, first_utc=first, last_utc=last)
                for key, (s, p, m, first, last) in figures.items()]  # fmt: skip

    @abc.abstractmethod
    def sensors(self) -> list[SensorRecord]:
        """Every sensor that has sent a message, by id."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the database; further calls fail."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
