"""Campaigns and evidence across sensors and days: what ``Store.campaigns`` and ``Store.evidence``
read.

Campaigns: the stored SMS of every sensor, oldest first, grouped again by one
``sensor.intel.campaigns.CampaignBook`` (what a sensor grouped saw only its own texts; ids the
sensors gave are kept as ``reported_as``), so one campaign heard by two cars on two days is one
campaign with both sensors. Each with its template, first and last time, SMS, distinct phones,
senders, categories, sensors and the stations (transmitter identity: MCC, MNC, LAC, cell id,
ARFCN, BSIC) that pushed it.

Evidence: per transmitter, ``sensor.intel.evidence.station_evidence`` of its stored sessions and
SMS, with the CCCH blocks its readings' ``activity`` counted (each sensor's newest reading with
them: the counts of that sensor's run so far). Sessions and SMS published before the sensor decoded
the cell's identity count under the one transmitter of their ARFCN and BSIC whose known fields
they match (:func:`owner_key`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sensor.collector.rows import IDENTITY_COLUMNS, Reading, StoredSession, StoredSms, TransmitterKey
from sensor.intel.campaigns import CampaignBook, findings_of, is_whole
from sensor.intel.evidence import station_evidence


def owner_key(key: TransmitterKey, keys: Sequence[TransmitterKey]) -> TransmitterKey | None:
    """The transmitter a record of ``key`` belongs to among ``keys``: its own key, else the only one
    of the same ARFCN and BSIC whose fields agree with every field ``key`` knows."""
    if key in keys:
        return key
    found = [k for k in keys if k[4:] == key[4:] and all(x is None or x == y for x, y in zip(key[:4], k[:4]))]
    return found[0] if len(found) == 1 else None


def station(key: TransmitterKey) -> dict[str, Any]:
    """A transmitter's identity as a JSON object."""
    return dict(zip(IDENTITY_COLUMNS, key, strict=True))


@dataclass(frozen=True)
class CampaignRecord:
    """One campaign across the stored SMS (``Store.campaigns``)."""

    id: str
    template: str
    first_utc: str
    last_utc: str
    sms: int
    phones: int  # distinct keyed phones its SMS went to (SMS with no phone known not counted)
    senders: list[str] = field(default_factory=list)
    categories: dict[str, int] = field(default_factory=dict)
    sensors: list[str] = field(default_factory=list)
    stations: list[dict[str, Any]] = field(default_factory=list)  # identity + "sms" pushed
    reported_as: list[str] = field(default_factory=list)  # the ids the sensors gave

    def as_dict(self) -> dict[str, Any]:
        return {"type": "campaign", "schema": 1, **asdict(self)}


def campaigns_of(sms: Sequence[StoredSms]) -> list[CampaignRecord]:
    """The campaigns of stored SMS (oldest first, as ``Store.sms`` gives them), in the order they
    were first seen; SMS without text (8-bit data) belong to none."""
    book = CampaignBook()
    got = book.assign([m.text for m in sms], senders=[m.sender for m in sms], whole=[is_whole(m.body) for m in sms],
                      findings=[findings_of(m.body) for m in sms])  # fmt: skip
    members: dict[str, list[StoredSms]] = defaultdict(list)
    for m, c in zip(sms, got, strict=True):
        if c is not None:
            members[c.id].append(m)
    out = []
    for c in book.campaigns:
        ms = members[c.id]
        stations = Counter(m.key for m in ms)
        out.append(
            CampaignRecord(
                id=c.id,
                template=c.template,
                first_utc=min(m.time_utc for m in ms),
                last_utc=max(m.time_utc for m in ms),
                sms=len(ms),
                phones=len({m.phone for m in ms if m.phone}),
                senders=sorted({m.sender for m in ms}),
                categories=dict(sorted(Counter(str(m.body.get("category")) for m in ms).items())),
                sensors=sorted({m.sensor for m in ms}),
                stations=[{**station(k), "sms": n} for k, n in sorted(stations.items(), key=lambda kv: str(kv[0]))],
                reported_as=sorted({str(m.body["campaign"]) for m in ms if m.body.get("campaign")}),
            )
        )
    return out


def ccch_counts(readings: Iterable[Reading]) -> tuple[int, int]:
    """CCCH blocks decoded and lost, from each sensor's newest reading whose ``activity`` has them."""
    newest: dict[str, tuple[str, int, int]] = {}
    for r in readings:
        activity = r.body.get("activity") or {}
        if "ccch_blocks_ok" in activity and (r.sensor not in newest or r.time_utc >= newest[r.sensor][0]):
            newest[r.sensor] = (r.time_utc, int(activity["ccch_blocks_ok"]), int(activity["ccch_blocks_failed"]))
    return sum(v[1] for v in newest.values()), sum(v[2] for v in newest.values())


def evidence_of(
    key: TransmitterKey,
    sessions: Sequence[StoredSession],
    sms: Sequence[StoredSms],
    readings: Iterable[Reading] = (),
) -> dict[str, Any]:
    """The evidence object of one transmitter from its stored sessions, SMS and readings, with its
    identity, first and last time and sensors."""
    ok, failed = ccch_counts(readings)
    times = [r.time_utc for r in (*sessions, *sms)]
    return {
        **station_evidence(
            [s.body for s in sessions], [m.body for m in sms], ccch_blocks_ok=ok, ccch_blocks_failed=failed
        ),
        "station": station(key),
        "first_utc": min(times, default=None),
        "last_utc": max(times, default=None),
        "sensors": sorted({r.sensor for r in (*sessions, *sms)}),
    }


def by_transmitter(
    records: Iterable[StoredSession | StoredSms], keys: Sequence[TransmitterKey]
) -> Mapping[TransmitterKey, list[Any]]:
    """Records grouped under their transmitter among ``keys`` (:func:`owner_key`); a record that
    belongs to none groups under its own key."""
    out: dict[TransmitterKey, list[Any]] = defaultdict(list)
    for r in records:
        out[owner_key(r.key, keys) or r.key].append(r)
    return out
