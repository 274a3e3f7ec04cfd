"""What the collector keeps of a message, as rows: a *reading* per observation or detection (the
columns localisation and maps need, flattened from the body; ``reading_of``), a row per phone
*session* and per *SMS* a cell delivered (the columns an analyst filters on: carrier, time, phone's
keyed hash, procedure, result, sender, text...; ``session_of``, ``sms_of``), per-transmitter figures
(``TransmitterSummary``, ``CarrierActivity``) and per-sensor records; the column lists the stores'
tables follow, and a transmitter's identity key (``IDENTITY_COLUMNS``, ``Identified``).

``store.py`` is the interface that keeps and reads them; the backends (``sqlite_store``,
``postgres_store``) write these rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sensor.utc import canonical_utc

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
        "time_utc": canonical_utc(body.get("t_utc") or envelope["sent_utc"]),
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
        time_utc=canonical_utc(body.get("t_utc") or envelope["sent_utc"]),
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
