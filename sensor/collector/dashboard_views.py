"""The dashboard's JSON views: what the API returns for alerts, readings, locations and
transmitters (pure functions of the store's records; ``dashboard.py`` serves them)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sensor.collector.campaigns import CampaignRecord
from sensor.collector.rows import CarrierActivity, Reading, StoredSms, TransmitterSummary
from sensor.collector.transmitters import gravest
from sensor.intel.defang import defang
from sensor.intel.evidence import SERIOUS_SMS, threshold_status  # 法释〔2017〕11号 Art. 2(6): 情节严重 from 5,000
from sensor.intel.extract import extract
from sensor.locate.estimate import Estimate, Refusal
from sensor.locate.guidance import look_object

HOUR_S = 3600.0
TOP_CAMPAIGNS = 3  # campaigns shown per transmitter (most SMS first), the rest counted as "+N more"


def _finite(x: Any) -> Any:
    return x if not isinstance(x, float) or math.isfinite(x) else None


def alert_of(envelope: Mapping[str, Any]) -> dict[str, Any]:
    """A stored detection envelope as the page's alert: who saw what, where, and why."""
    body = envelope.get("body") or {}
    position = body.get("position") or None
    return {
        "id": envelope.get("id"),
        "sensor": envelope.get("sensor"),
        "seq": envelope.get("seq"),
        "sent_utc": envelope.get("sent_utc"),
        "time_utc": body.get("t_utc") or envelope.get("sent_utc"),
        **{k: body.get(k) for k in ("arfcn", "bsic", "mcc", "mnc", "lac", "cell_id", "verdict")},
        "score": _finite(body.get("score")),
        "reasons": list(body.get("reasons") or []),
        "position": None if position is None else {"lat": position.get("lat_deg"), "lon": position.get("lon_deg")},
    }


def reading_view(r: Reading) -> dict[str, Any]:
    return {
        "time_utc": r.time_utc, "sensor": r.sensor, "kind": r.kind, "arfcn": r.arfcn, "bsic": r.bsic,
        "cell_id": r.cell_id, "lat": r.lat_deg, "lon": r.lon_deg, "rssi_dbfs": _finite(r.rssi_dbfs),
        "rssi_dbm": _finite(r.rssi_dbm), "verdict": r.verdict or "normal", "score": _finite(r.score),
    }  # fmt: skip


def location_view(result: Estimate | Refusal | None) -> dict[str, Any]:
    """``estimate`` / ``refusal`` / ``next_look`` of a transmitter; all None for one not located
    (a normal cell: the dashboard locates suspects only)."""
    if result is None:
        return {"estimate": None, "refusal": None, "next_look": None}
    if isinstance(result, Refusal):
        return {
            "estimate": None,
            "refusal": {"reason": result.reason, "n_positions": result.n_positions},
            "next_look": look_object(result.next_look),
        }
    return {
        "estimate": {
            "lat": result.lat_deg, "lon": result.lon_deg, "radius_m": _finite(result.radius_m),
            "n_positions": result.n_positions, "n_readings": result.n_readings,
            "mirror_ambiguous": result.mirror_ambiguous,
            "region": [[[lat, lon] for lat, lon in polygon] for polygon in result.region],
        },
        "refusal": None,
        "next_look": look_object(result.next_look),
    }  # fmt: skip


def defanged_text(text: str) -> str:
    """An SMS text as the page shows it: as sent, but every link in it defanged (``hxxp://a[.]b``), so
    nothing in it can be followed by a click; the page inserts it as text (never as markup)."""
    out, at = [], 0
    for f in extract(text):
        if f.kind in ("url", "email"):
            out += [text[at : f.start], defang(f.raw)]
            at = f.end
    return "".join(out) + text[at:]


def sms_view(m: StoredSms) -> dict[str, Any]:
    body = m.body
    return {
        "time_utc": m.time_utc, "sensor": m.sensor, "sender": m.sender, "sender_type": m.sender_type,
        "text": None if m.text is None else defanged_text(m.text), "category": body.get("category"),
        "links": [defang(str(u)) for u in body.get("urls") or []],
    }  # fmt: skip


def utc_seconds(t_utc: str) -> float | None:
    """A stored UTC time stamp as POSIX seconds (None if it is not one)."""
    try:
        t = datetime.fromisoformat(t_utc)
    except (TypeError, ValueError):
        return None
    return (t if t.tzinfo is not None else t.replace(tzinfo=UTC)).timestamp()


def phones_per_hour(a: CarrierActivity) -> float | None:
    """Phones reached per hour over the transmitter's active span (first to last session or SMS),
    the span counted as at least one hour: a ten-minute burst that reached 30 phones is 30 an hour,
    not 180 extrapolated."""
    first, last = utc_seconds(a.first_utc), utc_seconds(a.last_utc)
    if first is None or last is None:
        return None
    return round(a.phones / max(1.0, (last - first) / HOUR_S), 1)


def campaign_view(c: CampaignRecord, sms: int) -> dict[str, Any]:
    """A campaign as a transmitter's card shows it: its template as sent (placeholders ``{link}``...,
    links it still holds defanged; the page inserts it as text), the SMS of it this transmitter
    pushed, and the campaign's own SMS, phones, first and last time and number of sensors."""
    return {
        "id": c.id, "template": defanged_text(c.template), "sms": sms, "sms_all": c.sms, "phones": c.phones,
        "first_utc": c.first_utc, "last_utc": c.last_utc, "sensors": len(c.sensors),
    }  # fmt: skip


def evidence_view(record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The SMS, phones and the serious SMS (the five legal categories) as ``[seen, at most]`` intervals
    and the threshold's status, from the one ``Store.evidence`` record of a transmitter (made from the
    rows of all its identities: a partial one's and its completion's); None without one. Never a sum
    of records: a phone seen under two identities would count twice (``Store.evidence`` says why one
    record keeps both ends of the interval honest)."""
    if record is None:
        return None
    serious = [int(x) for x in record["serious"]["interval"]]
    return {
        "sms": [int(x) for x in record["sms"]["interval"]], "phones": [int(x) for x in record["phones"]["interval"]],
        "serious": serious, "threshold": SERIOUS_SMS, "status": threshold_status(serious[0], serious[1]),
    }  # fmt: skip


def activity_view(
    a: CarrierActivity | None,
    latest_sms: list[StoredSms],
    last_hour: tuple[str, int] | None = None,
    campaigns: list[dict[str, Any]] | None = None,
    evidence: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """What a transmitter did to phones: sessions, phones reached (in all, per hour of its activity,
    and in the hour up to ``last_hour``'s time: the newest activity stored, so that a database
    replayed later reads the same), SMS pushed (and that count against the 5,000 messages that make a
    case serious), the latest SMS, its campaigns (``campaign_view``s, the ``TOP_CAMPAIGNS`` with most
    SMS first, how many more) and the evidence intervals (``evidence_view``); None when nothing was
    seen."""
    if a is None:
        return None
    ranked = sorted(campaigns or [], key=lambda c: (-c["sms"], c["first_utc"], c["id"]))
    return {
        "sessions": a.sessions, "phones": a.phones, "phones_per_hour": phones_per_hour(a),
        "phones_last_hour": None if last_hour is None else last_hour[1],
        "last_hour_end_utc": None if last_hour is None else last_hour[0],
        "sms": a.sms, "sms_serious": SERIOUS_SMS, "first_utc": a.first_utc, "last_utc": a.last_utc,
        "latest_sms": [sms_view(m) for m in latest_sms],
        "campaigns": ranked[:TOP_CAMPAIGNS], "campaigns_more": max(0, len(ranked) - TOP_CAMPAIGNS),
        "evidence": evidence,
    }  # fmt: skip


def transmitter_view(
    s: TransmitterSummary,
    reasons: list[dict[str, Any]],
    location: Estimate | Refusal | None,
    activity: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "key": "/".join("-" if v is None else str(v) for v in s.key),
        "arfcn": s.arfcn, "bsic": s.bsic, "mcc": s.mcc, "mnc": s.mnc, "lac": s.lac, "cell_id": s.cell_id,
        "verdict": gravest(s.verdicts), "verdicts": dict(s.verdicts), "reasons": reasons,
        "last_seen_utc": s.last_utc, "first_seen_utc": s.first_utc, "sensors": list(s.sensors),
        "n_readings": s.n_readings, "activity": activity,
        **location_view(location),
    }  # fmt: skip
