"""GPX 1.0/1.1 tracks (https://www.topografix.com/GPX/1/1/) → fixes, with the standard library.

Each ``trkpt`` with a ``time`` becomes a ``Fix``; ``<fix>none</fix>`` a ``NoFix``; points
without time are skipped (a track without times cannot be aligned). The break between two track
segments is marked with a ``NoFix`` so nothing is interpolated across it. ``<ele>`` is taken as
height above mean sea level (GPX says "elevation", which loggers write from the receiver's MSL).
"""

from __future__ import annotations

import logging
import math
import xml.etree.ElementTree as ET
from pathlib import Path

from sensor.errors import InputError
from sensor.gps.fix import Fix, NoFix
from sensor.gps.stats import GeoStats
from sensor.gps.utc import parse_utc_time

log = logging.getLogger(__name__)

_MODES = {"2d": "2d", "3d": "3d", "dgps": "3d", "pps": "3d"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(el: ET.Element, name: str) -> str | None:
    for child in el:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return None


def _float(text: str | None) -> float | None:
    if text is None or text == "":
        return None
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def read_gpx(path: str | Path, *, stats: GeoStats | None = None) -> list[Fix | NoFix]:
    path = Path(path)
    stats = stats if stats is not None else GeoStats()
    source = f"track:{path.name}"
    try:
        root = ET.parse(path).getroot()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except ET.ParseError as exc:
        raise InputError(f"{path}: not a valid GPX file: {exc}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if _local(root.tag) != "gpx":
        raise InputError(f"{path}: not a GPX file (root element is <{_local(root.tag)}>)")
    out: list[Fix | NoFix] = []
    for trk in (el for el in root if _local(el.tag) == "trk"):
        for seg in (el for el in trk if _local(el.tag) == "trkseg"):
            points = [_point(pt, source, stats) for pt in seg if _local(pt.tag) == "trkpt"]
            points = [p for p in points if p is not None]
            if out and points and out[-1].time_utc_s is not None and points[0].time_utc_s is not None:
                gap_mid = (out[-1].time_utc_s + points[0].time_utc_s) / 2
                out.append(NoFix(gap_mid, "GPX track segment break", source))
            out += points
    return out


def _point(pt: ET.Element, source: str, stats: GeoStats) -> Fix | NoFix | None:
    t = parse_utc_time(_child_text(pt, "time"))
    fix_text = (_child_text(pt, "fix") or "").lower()
    if fix_text == "none":
        stats.no_fix_epochs += 1
        return NoFix(t, "GPX fix none", source)
    lat, lon = _float(pt.get("lat")), _float(pt.get("lon"))
    if t is None or lat is None or lon is None:
        stats.sentences_bad += 1
        return None
    alt = _float(_child_text(pt, "ele"))
    mode = _MODES.get(fix_text) or ("3d" if alt is not None else "2d")
    sat = _child_text(pt, "sat")
    try:
        fix = Fix(
            time_utc_s=t,
            lat_deg=lat,
            lon_deg=lon,
            alt_m=alt if mode == "3d" else None,
            mode=mode,  # type: ignore[arg-type]
            hdop=_float(_child_text(pt, "hdop")),
            satellites=int(sat) if sat and sat.isdigit() else None,
            speed_m_s=_float(_child_text(pt, "speed")),  # GPX 1.0
            track_deg=_float(_child_text(pt, "course")),  # GPX 1.0
            source=source,
        )
    except ValueError as exc:
        stats.rejected_epochs += 1
        log.debug("%s: implausible track point dropped: %s", source, exc)
        return None
    stats.sentences_ok += 1
    return fix
