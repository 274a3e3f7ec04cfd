"""A report's data: every figure the HTML page draws and ``--json`` writes, from one store and period.

The schema (``"type": "report", "schema": 1``; documented for users in ``fbs-sensor report --help``,
the README's "Fraud-heat reports") is what :func:`build_report` returns, JSON-ready: lists in the order they are
shown, no NaN, times as stored (ISO-8601 UTC), coordinates in degrees. Attacker-controlled text
(cell names, SMS senders, domains, numbers) is kept as received here, links and domains defanged;
escaping is the page's job (``page.py``), JSON needs none.
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from sensor.collector.rows import TransmitterKey
from sensor.collector.store import Store
from sensor.collector.transmitters import Transmitter, completes, gravest_reading, table_order, transmitters
from sensor.intel.defang import defang
from sensor.intel.sender import RULES as SENDER_RULES
from sensor.locate.estimate import Estimate, Refusal
from sensor.report import query
from sensor.report.districts import District, district_of
from sensor.report.hexes import hexagons
from sensor.report.period import Period
from sensor.utc import utc_iso

log = logging.getLogger("sensor.report")

SCHEMA = 1
TOP = 10  # senders, domains and call-back numbers listed


def _owner(key: TransmitterKey, stations: Sequence[TransmitterKey]) -> TransmitterKey | None:
    """The station an activity record belongs to: its own key, else the one station its partial
    identity completes into (activity published before the sensor knew the cell's identity)."""
    if key in stations:
        return key
    found = [k for k in stations if completes(key, k)]
    return found[0] if len(found) == 1 else None


def _located(t: Transmitter) -> Estimate | Refusal:
    try:
        return t.locate()
    except Exception as exc:  # one station's failed fit must not lose the report
        log.exception("report: locating ARFCN %s failed", t.arfcn)
        return Refusal(f"localisation failed: {type(exc).__name__}", 0)


@dataclass
class _Station:
    transmitter: Transmitter
    located: Estimate | Refusal
    reasons: list[dict[str, Any]]


def _stations(store: Store, period: Period) -> list[_Station]:
    """The transmitters judged fake or suspicious in the period (partial identities merged into their
    completion), each located from the period's readings of it alone (the dashboard's and ``fbs-sensor
    locate``'s correction by the real cells heard alongside is not made here: a report summarises, the
    dashboard guides the patrol), with the reasons of its gravest latest reading (that one body read by
    its storage position)."""
    out = []
    for arfcn, bsic in query.flagged_carriers(store, period):
        rows = store.positioned_readings(
            arfcn=arfcn, bsic=bsic, since_utc=period.since_utc, until_utc=period.until_utc, with_body=False
        )
        pos_of = {r.message_id: pos for pos, r in rows}
        for t in transmitters(r for _, r in rows):
            if t.verdict != "normal":
                pos = pos_of[gravest_reading(t.readings).message_id]
                reasons = store.bodies([pos]).get(pos, {}).get("reasons")
                out.append(_Station(t, _located(t), [
                    {"rule": str(r.get("rule")), "detail": str(r.get("detail") or "")}
                    for r in reasons or [] if isinstance(r, dict)
                ]))  # fmt: skip
    out.sort(key=lambda s: table_order(s.transmitter.verdict, s.transmitter.arfcn, s.transmitter.bsic))
    return out


def _defanged_text(text: str, urls: Sequence[Any]) -> str:
    """The text with each of its links (as the sensor found them) defanged."""
    for url in sorted({str(u) for u in urls if u}, key=len, reverse=True):
        text = text.replace(url, defang(url))
    return text


def _sms_figures(store: Store, period: Period) -> tuple[list[dict[str, Any]], dict[str, Any], np.ndarray]:
    """SMS categories; top spoofed senders, domains, call-back numbers and texts (links defanged); the SMS
    positions."""
    categories: Counter[str] = Counter()
    senders: Counter[str] = Counter()
    sender_rules: dict[str, Counter[str]] = {}
    domains: Counter[str] = Counter()
    numbers: Counter[str] = Counter()
    texts: Counter[tuple[str, str]] = Counter()
    for n, body in query.sms_groups(store, period):
        categories[str(body.get("category") or "unclassified")] += n
        sender = body.get("sender")
        rules = [r.get("rule") for r in body.get("reasons") or [] if isinstance(r, dict)]
        spoofing = [str(r) for r in rules if r in SENDER_RULES]
        if spoofing and isinstance(sender, str) and sender:
            senders[sender] += n
            sender_rules.setdefault(sender, Counter()).update(spoofing)
        domains.update({defang(str(d)): n for d in dict.fromkeys(body.get("domains") or [])})
        numbers.update({str(x): n for x in dict.fromkeys(body.get("numbers") or [])})
        if isinstance(body.get("text"), str):
            texts[(_defanged_text(body["text"], body.get("urls") or []), str(body.get("category") or ""))] += n

    def most(counter: Counter[Any], n: int | None = TOP) -> list[tuple[Any, int]]:
        """The ``n`` largest counts, ties by value: the same on every backend."""
        return sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))[:n]

    cats = [{"category": c, "sms": n} for c, n in most(categories, None)]
    top = {
        "senders": [{"sender": s, "sms": n, "rules": sorted(sender_rules[s])} for s, n in most(senders)],
        "domains": [{"domain": d, "sms": n} for d, n in most(domains)],
        "numbers": [{"number": x, "sms": n} for x, n in most(numbers)],
        "texts": [{"text": x, "category": c or None, "sms": n} for (x, c), n in most(texts)],
    }
    return cats, top, query.sms_positions(store, period)


def _timeline(store: Store, period: Period) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per day of the period and per hour of day (UTC): readings, flagged readings, sessions, SMS."""
    days = {d: {"date": d, "readings": 0, "flagged": 0, "sessions": 0, "sms": 0} for d in period.days()}
    hours = [{"hour": h, "readings": 0, "flagged": 0, "sessions": 0, "sms": 0} for h in range(24)]
    for table, graded, field in (
        ("readings", True, "readings"),
        ("sessions", False, "sessions"),
        ("sms", False, "sms"),
    ):
        for stamp, grade, n in query.hourly(store, table, period, graded):
            day, hour = days.get(stamp[:10]), int(stamp[11:13]) if stamp[11:13].isdigit() else None
            for bucket in (day, hours[hour] if hour is not None and hour < 24 else None):
                if bucket is not None:
                    bucket[field] += n
                    if grade:
                        bucket["flagged"] += n
    return list(days.values()), hours


def _station_view(
    t: Transmitter,
    located: Estimate | Refusal,
    act: query.Activity | None,
    districts: list[District] | None,
    reasons: list[dict[str, Any]],
) -> dict[str, Any]:
    location = None
    if isinstance(located, Estimate) and all(map(math.isfinite, (located.lat_deg, located.lon_deg, located.radius_m))):
        location = {
            "lat_deg": round(located.lat_deg, 6),
            "lon_deg": round(located.lon_deg, 6),
            "radius_m": round(located.radius_m, 1),
        }
    latest = max(t.readings, key=lambda r: r.time_utc)
    return {
        "mcc": t.mcc,
        "mnc": t.mnc,
        "lac": t.lac,
        "cell_id": t.cell_id,
        "arfcn": t.arfcn,
        "bsic": t.bsic,
        "verdict": t.verdict,
        "readings": len(t.readings),
        "verdicts": dict(sorted(t.verdicts.items())),
        "first_utc": min(r.time_utc for r in t.readings),
        "last_utc": latest.time_utc,
        "sensors": len(t.sensors),
        "reasons": reasons,
        "location": location,
        "not_located": located.reason if isinstance(located, Refusal) else None,
        "district": (
            district_of(districts, location["lat_deg"], location["lon_deg"])
            if districts is not None and location
            else None
        ),
        "sessions": act.sessions if act else 0,
        "phones": act.phones if act else 0,
        "sms": act.sms if act else 0,
    }


def _districts(
    districts: list[District], pos: query.Positions, stations: list[dict[str, Any]], sms_at: np.ndarray
) -> list[dict[str, Any]]:
    out = []
    flagged = pos.grade > 0
    for d in districts:
        inside = d.contains(pos.lat_deg, pos.lon_deg)
        out.append(
            {
                "name": d.name,
                "readings": int(pos.count[inside].sum()),
                "flagged": int(pos.count[inside & flagged].sum()),
                "stations": sum(1 for s in stations if s["district"] == d.name),
                "sms": int(d.contains(sms_at[:, 0], sms_at[:, 1]).sum()) if len(sms_at) else 0,
            }
        )
    return out


def build_report(
    store: Store,
    period: Period,
    *,
    resolution: int,
    districts: list[District] | None = None,
    now_s: float | None = None,
) -> dict[str, Any]:
    """The report of ``store``'s readings, sessions and SMS of ``period`` (see the module doc). The
    stations are read and located on a thread of their own while the grouped queries, the hexagons
    and the SMS figures are made here: the fits' numpy and LAPACK work and the database's scans
    release the interpreter, so the two overlap (stores are thread-safe)."""
    with ThreadPoolExecutor(1, thread_name_prefix="report-stations") as pool:
        found = pool.submit(_stations, store, period)
        pos = query.positions(store, period)
        totals = query.totals(store, period)
        hexes = hexagons(pos, resolution)
        categories, top, sms_at = _sms_figures(store, period)
        days, hours = _timeline(store, period)
        activity = query.activity(store, period)
        located = found.result()
    keys = [st.transmitter.key for st in located]
    acts: dict[TransmitterKey, list[int]] = {}
    with_phones: dict[TransmitterKey, list[TransmitterKey]] = {}  # the identities a station's phones were seen under
    for key, a in activity.items():
        owner = _owner(key, keys)
        if owner is not None:
            entry = acts.setdefault(owner, [0, 0, 0])
            entry[0], entry[1], entry[2] = entry[0] + a.sessions, max(entry[1], a.phones), entry[2] + a.sms
            if a.phones:
                with_phones.setdefault(owner, []).append(key)
    # sessions and SMS add; phones seen under several identities of one station (a partial one and its
    # completion) are counted over their union: a phone seen under both is one phone
    several = {owner: ids for owner, ids in with_phones.items() if len(ids) > 1}
    for owner, n in zip(several, query.phones_over(store, period, list(several.values())), strict=True):
        acts[owner][1] = n
    stations = [
        _station_view(st.transmitter, st.located, query.Activity(*acts[st.transmitter.key])
                      if st.transmitter.key in acts else None, districts, st.reasons)
        for st in located
    ]  # fmt: skip
    return {
        "type": "report",
        "schema": SCHEMA,
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "generated_utc": utc_iso(time.time() if now_s is None else now_s),
        "collected": totals.readings > 0 or totals.sessions > 0 or totals.sms > 0,
        "totals": {
            "readings": totals.readings,
            "positioned": totals.positioned,
            "flagged": totals.flagged,
            "sensors": totals.sensors,
            "stations": len(stations),
            "sessions": totals.sessions,
            "phones": totals.phones,
            "sms": totals.sms,
            "hexagons": len(hexes),
        },
        "h3_resolution": resolution,
        "hexagons": [
            {
                "h3": h.cell,
                "readings": h.readings,
                "flagged": h.flagged,
                "fake": h.fake,
                "suspicious": h.suspicious,
                "boundary": [list(v) for v in h.boundary],
            }
            for h in hexes
        ],
        "days": days,
        "hours": hours,
        "districts": None if districts is None else _districts(districts, pos, stations, sms_at),
        "stations": stations,
        "sms_categories": categories,
        "top": top,
    }
