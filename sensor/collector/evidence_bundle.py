"""What a fake station did to phones, as files of its evidence bundle (``fbs-sensor export --format
evidence``; ``exports.evidence_files`` lists them in the bundle's SHA-256 manifest):

* ``sms.jsonl``: every SMS it pushed as stored (one JSON object a line, the sensor's ``sms`` body with
  ``sensor`` and ``message_id``; the text exactly as sent, JSON-escaped: hostile input, never
  interpreted);
* ``sessions.jsonl``: every phone session on its channels, the same way;
* ``campaigns.json``: its SMS grouped into campaigns (``collector/campaigns.py``);
* ``evidence.json``: the SMS pushed and phones reached as intervals, by category, against the
  5,000-message threshold (``sensor.intel.evidence``).

Phones appear as the sensors' keyed hashes only: a record a sensor published with raw identities
(``--keep-identities``) has its ``phone`` withheld here (``null``, ``phone_withheld`` true), since the
collector has no key to hash it with.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sensor.collector.campaigns import campaigns_of, evidence_of, owner_key
from sensor.collector.exports import dumps_json
from sensor.collector.rows import PhoneRecord, StoredSession, StoredSms, TransmitterKey
from sensor.collector.store import Store
from sensor.collector.transmitters import Transmitter

PHONE_FILES = ("sms.jsonl", "sessions.jsonl", "campaigns.json", "evidence.json")


def record_line(r: PhoneRecord) -> str:
    """One stored session or SMS as a JSON line, with keyed phones only."""
    body: dict[str, Any] = {"sensor": r.sensor, "message_id": r.message_id, **r.body}
    if r.identities != "keyed" and body.get("phone") is not None:
        body["phone"] = None
        body["phone_withheld"] = True
    return json.dumps(body, ensure_ascii=False, allow_nan=False) + "\n"


def phone_files(
    t: Transmitter, sessions: Sequence[StoredSession], sms: Sequence[StoredSms], *, generated_utc: str
) -> dict[str, bytes]:
    """The four files of ``t`` from its stored sessions and SMS (already its own)."""
    campaigns = [c.as_dict() for c in campaigns_of(sms)]
    evidence = {**evidence_of(t.key, sessions, sms, t.readings), "generated_utc": generated_utc}
    return {
        "sms.jsonl": "".join(record_line(m) for m in sms).encode(),
        "sessions.jsonl": "".join(record_line(s) for s in sessions).encode(),
        "campaigns.json": dumps_json({"type": "campaigns", "schema": 1, "campaigns": campaigns}).encode(),
        "evidence.json": dumps_json(evidence).encode(),
    }


def phone_files_of(
    store: Store, chosen: Sequence[Transmitter], *, since_utc: str | None, generated_utc: str
) -> dict[TransmitterKey, dict[str, bytes]]:
    """:func:`phone_files` of each chosen transmitter, its sessions and SMS read from ``store``
    (since ``since_utc``; those published before the cell's identity was decoded included when they
    match only it, ``owner_key``)."""
    keys = [t.key for t in chosen]
    out = {}
    for t in chosen:
        sessions = [s for s in store.sessions(arfcn=t.arfcn, bsic=t.bsic, since_utc=since_utc)
                    if owner_key(s.key, keys) == t.key]  # fmt: skip
        sms = [m for m in store.sms(arfcn=t.arfcn, bsic=t.bsic, since_utc=since_utc) if owner_key(m.key, keys) == t.key]
        out[t.key] = phone_files(t, sessions, sms, generated_utc=generated_utc)
    return out
