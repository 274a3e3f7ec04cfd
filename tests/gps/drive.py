"""Synthetic drives for the GPS tests: a car on a straight road, written as NMEA or GPX."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from sensor.gps.geodesy import EARTH_RADIUS_M
from sensor.gps.nmea import with_checksum

START = dt.datetime(2024, 6, 15, 12, 0, 0, tzinfo=dt.UTC)
LAT0, LON0 = 48.137154, 11.576124  # Munich


@dataclass(frozen=True)
class Epoch:
    time_utc_s: float
    lat_deg: float
    lon_deg: float
    valid: bool
    alt_m: float = 520.0
    speed_m_s: float = 15.0
    track_deg: float = 45.0


def drive(
    n: int,
    *,
    start: dt.datetime = START,
    period_s: float = 1.0,
    speed_m_s: float = 15.0,
    heading_deg: float = 45.0,
    lost: Iterable[int] = (),
    lat0: float = LAT0,
    lon0: float = LON0,
) -> list[Epoch]:
    lost = set(lost)
    t0 = start.timestamp()
    out = []
    for i in range(n):
        d = speed_m_s * period_s * i
        h = math.radians(heading_deg)
        lat = lat0 + math.degrees(d * math.cos(h) / EARTH_RADIUS_M)
        lon = lon0 + math.degrees(d * math.sin(h) / (EARTH_RADIUS_M * math.cos(math.radians(lat0))))
        out.append(Epoch(t0 + i * period_s, lat, lon, i not in lost, speed_m_s=speed_m_s, track_deg=heading_deg))
    return out


def _hms(t: float) -> str:
    d = dt.datetime.fromtimestamp(t, dt.UTC)
    return d.strftime("%H%M%S") + f".{d.microsecond // 10000:02d}"


def _dmy(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%d%m%y")


def _lat(v: float) -> str:
    a = abs(v)
    deg = int(a)
    return f"{deg:02d}{(a - deg) * 60:08.5f},{'N' if v >= 0 else 'S'}"


def _lon(v: float) -> str:
    a = abs(v)
    deg = int(a)
    return f"{deg:03d}{(a - deg) * 60:08.5f},{'E' if v >= 0 else 'W'}"


def epoch_sentences(
    ep: Epoch, *, talker: str = "GP", kinds: tuple[str, ...] = ("RMC", "GGA", "GSA"), gsv: bool = False
) -> list[str]:
    """One epoch as u-blox-like sentences (no-fix epochs with empty fields, as receivers send them)."""
    t = _hms(ep.time_utc_s)
    out = []
    for kind in kinds:
        if kind == "RMC":
            if ep.valid:
                body = (f"{talker}RMC,{t},A,{_lat(ep.lat_deg)},{_lon(ep.lon_deg)},"
                        f"{ep.speed_m_s / 0.514444:.3f},{ep.track_deg:.2f},{_dmy(ep.time_utc_s)},,,A")  # fmt: skip
            else:
                body = f"{talker}RMC,{t},V,,,,,,,{_dmy(ep.time_utc_s)},,,N"
        elif kind == "GGA":
            if ep.valid:
                body = f"{talker}GGA,{t},{_lat(ep.lat_deg)},{_lon(ep.lon_deg)},1,09,0.90,{ep.alt_m:.1f},M,47.0,M,,"
            else:
                body = f"{talker}GGA,{t},,,,,0,00,99.99,,,,,,"
        elif kind == "GSA":
            if ep.valid:
                body = f"{talker}GSA,A,3,02,05,12,15,18,24,25,29,31,,,,1.60,0.90,1.30"
            else:
                body = f"{talker}GSA,A,1,,,,,,,,,,,,,99.99,99.99,99.99"
        elif kind == "VTG":
            if ep.valid:
                body = (f"{talker}VTG,{ep.track_deg:.2f},T,,M,{ep.speed_m_s / 0.514444:.3f},N,"
                        f"{ep.speed_m_s * 3.6:.3f},K,A")  # fmt: skip
            else:
                body = f"{talker}VTG,,,,,,,,,N"
        elif kind == "GNS":
            if ep.valid:
                body = f"{talker}GNS,{t},{_lat(ep.lat_deg)},{_lon(ep.lon_deg)},AAN,09,0.90,{ep.alt_m:.1f},47.0,,,V"
            else:
                body = f"{talker}GNS,{t},,,,,NNN,00,99.99,,,,,V"
        else:
            raise ValueError(kind)
        out.append(with_checksum(body))
    if gsv:
        out.append(with_checksum("GPGSV,2,1,08,02,45,120,42,05,30,200,38,12,60,080,45,15,10,300,30"))
        out.append(with_checksum("GPGSV,2,2,08,18,20,040,35,24,50,160,44,25,15,250,33,29,70,010,47"))
    return out


def nmea_log(epochs: list[Epoch], **kw: object) -> str:
    return "".join(line + "\r\n" for ep in epochs for line in epoch_sentences(ep, **kw))  # type: ignore[arg-type]


def gpx(epochs: list[Epoch], *, version: str = "1.1", segments: list[list[Epoch]] | None = None) -> str:
    ns = "http://www.topografix.com/GPX/1/1" if version == "1.1" else "http://www.topografix.com/GPX/1/0"
    segs = segments if segments is not None else [epochs]
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="{version}" creator="tests" xmlns="{ns}"><trk>']
    for seg in segs:
        parts.append("<trkseg>")
        for ep in seg:
            t = dt.datetime.fromtimestamp(ep.time_utc_s, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            fix = "3d" if ep.valid else "none"
            parts.append(
                f'<trkpt lat="{ep.lat_deg:.7f}" lon="{ep.lon_deg:.7f}"><ele>{ep.alt_m}</ele>'
                f"<time>{t}</time><fix>{fix}</fix><sat>9</sat><hdop>0.9</hdop></trkpt>"
            )
        parts.append("</trkseg>")
    parts.append("</trk></gpx>\n")
    return "".join(parts)
