"""The collector's storage interface: what the server, the localisation and the dashboard rely on.

A store keeps every accepted envelope once (by message id: sensors resend until acknowledged,
so duplicates are normal and must be harmless), one *reading* per observation or detection
(the columns localisation and maps need, flattened from the body), and per sensor when it was
last heard from. ``SqliteStore`` is the default; another backend (PostgreSQL) implements the
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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sensor.errors import SensorError

READING_KINDS = ("observation", "detection")


class StoreError(SensorError):
    """The store cannot be opened, or a read or write failed."""


@dataclass(frozen=True)
class Reading:
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


@dataclass(frozen=True)
class SensorRecord:
    """What the collector knows about a sensor: first and last message, last seq, messages stored."""

    sensor: str
    first_seen_utc: str
    last_seen_utc: str
    last_seq: int
    messages: int


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
    )


class Store(abc.ABC):
    """Idempotent storage of sensor messages (see the module docstring for the contract)."""

    @abc.abstractmethod
    def save_many(self, envelopes: Sequence[Mapping[str, Any]], *, received_utc: str | None = None) -> list[bool]:
        """Store envelopes in one commit; per envelope True if new, False if its id was already stored."""

    def save(self, envelope: Mapping[str, Any], *, received_utc: str | None = None) -> bool:
        """Store one envelope; True if new, False for a duplicate id (nothing changes then)."""
        return self.save_many([envelope], received_utc=received_utc)[0]

    @abc.abstractmethod
    def count(self, kind: str | None = None, *, sensor: str | None = None) -> int:
        """Messages stored, optionally of one kind and/or one sensor."""

    @abc.abstractmethod
    def messages(
        self,
        *,
        kind: str | None = None,
        sensor: str | None = None,
        since_utc: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Stored envelopes in the order they arrived, filtered by kind, sensor and ``sent_utc >= since_utc``."""

    @abc.abstractmethod
    def readings(
        self,
        *,
        arfcn: int | None = None,
        bsic: int | None = None,
        cell_id: int | None = None,
        since_utc: str | None = None,
        limit: int | None = None,
    ) -> list[Reading]:
        """Readings of a cell (any of arfcn/bsic/cell_id given narrows the search), oldest first."""

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
