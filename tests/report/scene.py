"""A collector store of two days' patrols for the report's tests and its screenshot: a fake station
in Shanghai heard on rings around it (partly before its SI3 was decoded), real cells heard across
the drive, the fake's phones' sessions and its SMS (enriched as the daemon publishes them), and,
on request, hostile texts in everything a fake station controls."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from sensor.collector.sqlite_store import SqliteStore
from sensor.intel.enrich import enrich_sms
from sensor.publish.envelope import make_envelope
from tests.publish.transport import cell_body, session_body, sms_body

FAKE_AT = (31.2304, 121.4737)
FAKE = {"arfcn": 64, "bsic": 17, "mcc": "460", "mnc": "00", "lac": 9999, "cell_id": 1}
DAYS = ("2026-12-05", "2026-12-06")
HOSTILE_SENDER = '<script>alert("s")</script>'
HOSTILE_TEXT = (
    "【工商银行】</svg><img src=x onerror=alert(1)><script>alert(2)</script> "
    '=HYPERLINK("http://evil.example/x") 点击 http://icbc-safe.example/login 或致电 13800138000'
)
HOSTILE_DETAIL = '"><svg onload=alert(3)> SI text </title></svg>'
HOSTILE_CATEGORY = "<img src=x onerror=alert(4)>"
KM = 1000.0 / 111_320.0  # degrees of latitude per km


def _position(lat: float, lon: float) -> dict[str, Any]:
    return {"lat_deg": lat, "lon_deg": lon, "alt_m": None, "fix": "3d", "hdop": 0.9, "age_s": 0.2}


def around(i: int, n: int = 36) -> tuple[float, float, float]:
    """A position on rings of 200/500/800 m around the fake, and its distance in metres."""
    a = 2 * math.pi * i / n
    d = 200.0 + 300.0 * (i % 3)
    lat = FAKE_AT[0] + d / 1000 * math.sin(a) * KM
    lon = FAKE_AT[1] + d / 1000 * math.cos(a) * KM / math.cos(math.radians(FAKE_AT[0]))
    return lat, lon, d


def fill(path: Path, *, hostile: bool = False) -> dict[str, Any]:
    """The store at ``path``, and what it holds (the figures the report must give)."""
    envs = []
    seq = 0

    def add(kind: str, body: dict[str, Any], sensor: str = "car1") -> None:
        nonlocal seq
        seq += 1
        envs.append(make_envelope(kind, body, sensor=sensor, seq=seq))

    reasons = [
        {
            "rule": "lac_mismatch",
            "weight": 0.6,
            "detail": HOSTILE_DETAIL if hostile else "LAC 9999 is not used by this operator here",
        }
    ]
    fake_readings = 0
    for day_k, day in enumerate(DAYS):
        for i in range(36):
            lat, lon, d = around(i)
            hour = 9 + (i % 4) if day_k == 0 else 20
            ident = FAKE if i % 12 else {**FAKE, "lac": None, "cell_id": None}  # heard before SI3, sometimes
            add(
                "observation",
                cell_body(
                    0,
                    **ident,
                    rssi_dbfs=-20.0 - 30.0 * math.log10(d) + (i % 5 - 2) * 0.5,
                    position=_position(lat, lon),
                    verdict="fake",
                    score=0.97,
                    reasons=reasons,
                    t_utc=f"{day}T{hour:02d}:{i:02d}:00.000Z",
                ),
                sensor=f"car{1 + i % 2}",
            )
            fake_readings += 1
    normal = 0
    for i in range(40):  # real cells along a drive 3-7 km east of the fake
        lat, lon = FAKE_AT[0] + 0.01 * (i % 4), FAKE_AT[1] + 0.03 + 0.001 * i
        add(
            "observation",
            cell_body(i % 5, position=_position(lat, lon), rssi_dbfs=-50.0, t_utc=f"{DAYS[1]}T11:{i:02d}:00.000Z"),
            sensor="car3",
        )
        normal += 1
    sms = 0
    for i in range(6):
        add("session", session_body(i, t_utc=f"{DAYS[0]}T10:0{i}:00.000000Z"))
        body = sms_body(i, t_utc=f"{DAYS[0]}T10:0{i}:30.000000Z", position=_position(*around(i)[:2]))
        if hostile and i < 2:
            body.update(sender=HOSTILE_SENDER, sender_type="alphanumeric", text=HOSTILE_TEXT)
        body = enrich_sms(body)
        if hostile and i == 1:  # what a sensor sends is stored as sent
            body.update(text=HOSTILE_TEXT + " (2)", category=HOSTILE_CATEGORY)
        add("sms", body)
        sms += 1
    with SqliteStore(path) as store:
        store.save_many(envs)
    return {"fake_readings": fake_readings, "normal_readings": normal, "sessions": 6, "phones": 6, "sms": sms}
