"""Exports of the collector's readings and located transmitters: GeoJSON, KML, CSV and evidence bundles.

Pure functions: they take readings (``sensor.collector.rows.Reading``), transmitters
(``sensor.collector.transmitters.Transmitter``) and the localisation results (a mapping from a
transmitter's ``key`` to ``Estimate`` or ``Refusal``; :func:`locate_transmitters` makes one) and
return documents (dicts, strings, bytes). Writing files is the caller's business
(``fbs-sensor export``), except :func:`evidence_zip`, which returns the zip archive's bytes.

Positions are never invented: a reading without a position, or a transmitter the data cannot
locate, is a GeoJSON feature with a ``null`` geometry (its refusal in the properties), a KML
placemark without geometry, an empty CSV cell. Coordinates are WGS 84, GeoJSON in [lon, lat]
order (RFC 7946), KML ``lon,lat,alt``. Confidence regions are the 95 % regions of
``sensor/locate/fit.py`` (one polygon per connected part, rings closed, counter-clockwise).
"""

from __future__ import annotations

import hashlib
import io
import json
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sensor.collector.csvsafe import csv_text
from sensor.collector.rows import READING_COLUMNS, Reading
from sensor.collector.transmitters import VERDICT_RANK, Transmitter
from sensor.errors import SensorError
from sensor.locate.estimate import Estimate, Refusal, location_object
from sensor.locate.guidance import look_object
from sensor.locate.model import LocateConfig

Result = Estimate | Refusal

READING_FIELDS = ("sensor", "time_utc", "arfcn", "bsic", "mcc", "mnc", "lac", "cell_id",
                  "rssi_dbfs", "rssi_dbm", "snr_db", "verdict", "score")  # fmt: skip
# every column of a reading, in the store's order: new columns (the measured carrier and the receiver's
# velocity of migration 4, what a Doppler fit reads) come at the end, so readers by position still work
CSV_FIELDS = READING_COLUMNS
TIMELINE_FIELDS = ("time_utc", "sensor", "kind", "verdict", "score", "lat_deg", "lon_deg", "rssi_dbfs", "rssi_dbm")
# KML colours are aabbggrr.
KML_COLOURS = {"normal": "ff33aa33", "suspicious": "ff00a5ff", "fake": "ff0000ff"}
KML_NS = "http://www.opengis.net/kml/2.2"
EVIDENCE_FILES = ("summary.json", "readings.csv", "timeline.csv", "si.json", "map.geojson")


# ---------------------------------------------------------------------------------------------
# Selection and localisation


def parse_utc(text: str) -> datetime:
    """An ISO-8601 time as an aware UTC datetime (a time without zone is taken as UTC); ValueError if malformed."""
    t = datetime.fromisoformat(text.strip())
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def select(
    transmitters: Iterable[Transmitter],
    *,
    arfcn: int | None = None,
    bsic: int | None = None,
    min_verdict: str | None = None,
) -> list[Transmitter]:
    """Transmitters on ``arfcn`` / with ``bsic`` whose (gravest) verdict is at least ``min_verdict``."""
    rank = VERDICT_RANK[min_verdict] if min_verdict is not None else 0
    return [
        t for t in transmitters
        if (arfcn is None or t.arfcn == arfcn) and (bsic is None or t.bsic == bsic)
        and VERDICT_RANK.get(t.verdict, 0) >= rank
    ]  # fmt: skip


def since(readings: Iterable[Reading], since_utc: datetime | None) -> list[Reading]:
    """Readings measured at or after ``since_utc`` (compared as times, not strings)."""
    if since_utc is None:
        return list(readings)
    return [r for r in readings if parse_utc(r.time_utc) >= since_utc]


def locate_transmitters(
    transmitters: Iterable[Transmitter],
    *,
    config: LocateConfig | None = None,
    include_normal: bool = False,
    among: Sequence[Transmitter] | None = None,
) -> dict[tuple[Any, ...], Result]:
    """Each transmitter's ``Estimate`` or ``Refusal`` by ``key``; normal ones only with ``include_normal``
    (CONTRACT.md locates suspicious and fake cells). ``among``: the transmitters heard alongside, whose
    real cells reveal the receiver-side shadowing (``Transmitter.locate``); ``transmitters`` when None."""
    every = list(transmitters)
    others = every if among is None else among
    return {t.key: t.locate(config, others) for t in every if include_normal or t.verdict != "normal"}


def identity(t: Transmitter) -> dict[str, Any]:
    return {"arfcn": t.arfcn, "bsic": t.bsic, "mcc": t.mcc, "mnc": t.mnc, "lac": t.lac, "cell_id": t.cell_id}


def label(t: Transmitter) -> str:
    """``ARFCN 64 BSIC 12 262-01-1000-15149`` (unknown parts as ``?``)."""

    def s(v: Any) -> str:
        return "?" if v is None else str(v)

    return f"ARFCN {t.arfcn} BSIC {s(t.bsic)} {s(t.mcc)}-{s(t.mnc)}-{s(t.lac)}-{s(t.cell_id)}"


def slug(t: Transmitter) -> str:
    """A file-name-safe name of a transmitter: ``arfcn64_bsic12_262-01-1000-15149``."""

    def s(v: Any) -> str:
        return "x" if v is None else "".join(c for c in str(v) if c.isalnum())

    return f"arfcn{t.arfcn}_bsic{s(t.bsic)}_{s(t.mcc)}-{s(t.mnc)}-{s(t.lac)}-{s(t.cell_id)}"


def refusal_object(refusal: Refusal) -> dict[str, Any]:
    return {"reason": refusal.reason, "n_positions": refusal.n_positions, "next_look": look_object(refusal.next_look)}


def verdicts_by_sensor(t: Transmitter) -> dict[str, dict[str, int]]:
    by: dict[str, Counter[str]] = defaultdict(Counter)
    for r in t.readings:
        by[r.sensor][r.verdict or "normal"] += 1
    return {sensor: dict(sorted(c.items())) for sensor, c in sorted(by.items())}


def transmitter_properties(t: Transmitter, result: Result | None) -> dict[str, Any]:
    """Identity, verdicts, reasons, times and the localisation (or why there is none) of a transmitter."""
    times = [r.time_utc for r in t.readings]
    scores = [r.score for r in t.readings if r.score is not None]
    props: dict[str, Any] = {
        **identity(t),
        "verdict": t.verdict,
        "verdicts": dict(sorted(t.verdicts.items())),
        "max_score": max(scores) if scores else None,
        "reasons": t.reasons(),
        "sensors": sorted(t.sensors),
        "n_readings": len(t.readings),
        "first_seen_utc": min(times) if times else None,
        "last_seen_utc": max(times) if times else None,
        "radius_m": None,
        "n_positions": None,
        "refusal": None,
        "next_look": None,
    }
    if isinstance(result, Estimate):
        props.update(
            radius_m=round(result.radius_m, 1),
            n_positions=result.n_positions,
            mirror_ambiguous=result.mirror_ambiguous,
            next_look=look_object(result.next_look),
        )
    elif isinstance(result, Refusal):
        props.update(n_positions=result.n_positions, refusal=result.reason, next_look=look_object(result.next_look))
    else:
        props["refusal"] = "not located"
    return props


# ---------------------------------------------------------------------------------------------
# GeoJSON


def _point(lat: float | None, lon: float | None) -> dict[str, Any] | None:
    if lat is None or lon is None:
        return None
    return {"type": "Point", "coordinates": [round(float(lon), 7), round(float(lat), 7)]}


def region_geometry(estimate: Estimate) -> dict[str, Any] | None:
    """The 95 % region as a GeoJSON Polygon (one part) or MultiPolygon ([lon, lat], closed rings)."""
    region = location_object({}, estimate)["region"]
    parts = region["coordinates"]
    if not parts:
        return None
    if len(parts) == 1:
        return {"type": "Polygon", "coordinates": parts[0]}
    return region


def reading_feature(r: Reading) -> dict[str, Any]:
    props = {"feature": "reading", "kind": r.kind, **{f: getattr(r, f) for f in READING_FIELDS}}
    return {"type": "Feature", "geometry": _point(r.lat_deg, r.lon_deg), "properties": props}


def transmitter_features(t: Transmitter, result: Result | None) -> list[dict[str, Any]]:
    """The estimate's Point (null geometry with the refusal when not located) and its region."""
    props = transmitter_properties(t, result)
    if not isinstance(result, Estimate):
        return [{"type": "Feature", "geometry": None, "properties": {"feature": "transmitter", **props}}]
    point = {
        "type": "Feature",
        "geometry": _point(result.lat_deg, result.lon_deg),
        "properties": {"feature": "transmitter", **props},
    }
    out = [point]
    geometry = region_geometry(result)
    if geometry is not None:
        out.append({"type": "Feature", "geometry": geometry, "properties": {
            "feature": "region", **identity(t), "verdict": t.verdict, "confidence": 0.95,
            "radius_m": props["radius_m"], "n_positions": result.n_positions,
        }})  # fmt: skip
    return out


def geojson(
    transmitters: Sequence[Transmitter],
    located: Mapping[tuple[Any, ...], Result],
    *,
    with_readings: bool = True,
) -> dict[str, Any]:
    """A FeatureCollection: one Point per reading, then per located transmitter its estimate and region.

    Transmitters missing from ``located`` get no transmitter feature (their readings are still there).
    """
    features: list[dict[str, Any]] = []
    if with_readings:
        readings = sorted((r for t in transmitters for r in t.readings), key=lambda r: r.time_utc)
        features.extend(reading_feature(r) for r in readings)
    for t in transmitters:
        if t.key in located:
            features.extend(transmitter_features(t, located[t.key]))
    return {"type": "FeatureCollection", "features": features}


def dumps_json(doc: Any) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


# ---------------------------------------------------------------------------------------------
# KML


def _sub(parent: ET.Element, tag: str, text: Any = None, **attrs: str) -> ET.Element:
    e = ET.SubElement(parent, tag, attrs)
    if text is not None:
        e.text = str(text)
    return e


def _extended(placemark: ET.Element, props: Mapping[str, Any]) -> None:
    data = _sub(placemark, "ExtendedData")
    for k, v in props.items():
        d = _sub(data, "Data", name=k)
        _sub(d, "value", "" if v is None else (json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v))


def _coords(ring: Iterable[Sequence[float]]) -> str:
    return " ".join(f"{lon:.7f},{lat:.7f},0" for lon, lat in ring)


def kml(
    transmitters: Sequence[Transmitter], located: Mapping[tuple[Any, ...], Result], *, name: str = "fbs-sensor"
) -> bytes:
    """A KML 2.2 document (UTF-8 bytes): styles per verdict, a folder of readings and one of transmitters
    (estimate placemark, region polygon); refusals are placemarks without geometry saying why."""
    root = ET.Element("kml", xmlns=KML_NS)
    doc = _sub(root, "Document")
    _sub(doc, "name", name)
    for verdict, colour in KML_COLOURS.items():
        style = _sub(doc, "Style", id=f"verdict-{verdict}")
        icon_style = _sub(style, "IconStyle")
        _sub(icon_style, "color", colour)
        _sub(icon_style, "scale", 1.2 if verdict == "fake" else 0.8)
        _sub(_sub(icon_style, "Icon"), "href", "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png")
        line = _sub(style, "LineStyle")
        _sub(line, "color", colour)
        _sub(line, "width", 2)
        poly = _sub(style, "PolyStyle")
        _sub(poly, "color", "40" + colour[2:])  # translucent fill
    folder = _sub(doc, "Folder")
    _sub(folder, "name", "Readings")
    for t in transmitters:
        for r in t.readings:
            if r.lat_deg is None or r.lon_deg is None:
                continue
            pm = _sub(folder, "Placemark")
            _sub(pm, "name", f"{r.sensor} {r.time_utc} ARFCN {r.arfcn}")
            _sub(pm, "styleUrl", f"#verdict-{r.verdict if r.verdict in KML_COLOURS else 'normal'}")
            _sub(_sub(pm, "TimeStamp"), "when", r.time_utc)
            _extended(pm, {f: getattr(r, f) for f in READING_FIELDS})
            _sub(_sub(pm, "Point"), "coordinates", f"{r.lon_deg:.7f},{r.lat_deg:.7f},0")
    folder = _sub(doc, "Folder")
    _sub(folder, "name", "Transmitters")
    for t in transmitters:
        if t.key not in located:
            continue
        result = located[t.key]
        props = transmitter_properties(t, result)
        style_url = f"#verdict-{t.verdict if t.verdict in KML_COLOURS else 'normal'}"
        pm = _sub(folder, "Placemark")
        _sub(pm, "name", f"{t.verdict}: {label(t)}")
        _sub(pm, "styleUrl", style_url)
        if isinstance(result, Estimate):
            _sub(
                pm,
                "description",
                f"95 % region radius {result.radius_m:.0f} m from {result.n_positions} positions; "
                + "; ".join(str(x.get("detail", "")) for x in props["reasons"]),
            )
        else:
            _sub(pm, "description", f"not located: {props['refusal']}")
        _extended(pm, props)
        if not isinstance(result, Estimate):
            continue
        _sub(_sub(pm, "Point"), "coordinates", f"{result.lon_deg:.7f},{result.lat_deg:.7f},0")
        geometry = region_geometry(result)
        if geometry is None:
            continue
        parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        rpm = _sub(folder, "Placemark")
        _sub(rpm, "name", f"95 % region: {label(t)}")
        _sub(rpm, "styleUrl", style_url)
        parent = _sub(rpm, "MultiGeometry") if len(parts) > 1 else rpm
        for rings in parts:
            polygon = _sub(parent, "Polygon")
            ring = _sub(_sub(polygon, "outerBoundaryIs"), "LinearRing")
            _sub(ring, "coordinates", _coords(rings[0]))
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# ---------------------------------------------------------------------------------------------
# CSV


def readings_csv(readings: Iterable[Reading]) -> str:
    """One row per reading (header first); unknown values are empty cells."""
    return csv_text(([getattr(r, f) for f in CSV_FIELDS] for r in readings), CSV_FIELDS)


def timeline_csv(readings: Iterable[Reading]) -> str:
    """Time, sensor, verdict, score and position of each reading, in time order."""
    return csv_text(
        ([getattr(r, f) for f in TIMELINE_FIELDS] for r in sorted(readings, key=lambda r: r.time_utc)), TIMELINE_FIELDS
    )


# ---------------------------------------------------------------------------------------------
# Evidence bundle


def si_document(readings: Iterable[Reading]) -> dict[str, Any]:
    """Per SI type, every distinct L2 frame the readings' bodies carried (``si``), with when, by whom,
    how often, and its decoded parameters (or why it did not decode)."""
    from sensor.l3.messages import parse_si

    seen: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in sorted(readings, key=lambda r: r.time_utc):
        si = r.body.get("si") or {}
        if not isinstance(si, Mapping):
            continue
        for si_type, hex_text in si.items():
            if not isinstance(hex_text, str):
                continue
            hex_text = hex_text.lower()
            entry = seen[str(si_type)].get(hex_text)
            if entry is None:
                entry = seen[str(si_type)][hex_text] = {
                    "l2": hex_text, "first_seen_utc": r.time_utc, "last_seen_utc": r.time_utc,
                    "sensors": set(), "count": 0,
                }  # fmt: skip
                try:
                    entry["decoded"] = parse_si(bytes.fromhex(hex_text), strict=False).params()
                    entry["decode_error"] = None
                except (ValueError, SensorError) as exc:  # evidence keeps what it cannot parse
                    entry["decoded"] = None
                    entry["decode_error"] = str(exc) or type(exc).__name__
            entry["last_seen_utc"] = r.time_utc
            entry["sensors"].add(r.sensor)
            entry["count"] += 1
    return {
        "type": "si_evidence",
        "schema": 1,
        "si": {k: [{**e, "sensors": sorted(e["sensors"])} for e in v.values()] for k, v in sorted(seen.items())},
    }


def evidence_files(
    t: Transmitter,
    result: Result | None,
    *,
    generated_utc: str,
    generator: str,
    phone_files: Mapping[str, bytes] | None = None,
) -> dict[str, bytes]:
    """The files of one transmitter's evidence bundle, ``MANIFEST.sha256`` (sha256sum format) last;
    ``phone_files``: what it did to phones (``evidence_bundle.phone_files``: SMS, sessions,
    campaigns, evidence), listed in the manifest with the others."""
    summary = {
        "type": "evidence_summary", "schema": 1, "generated_utc": generated_utc, "generator": generator,
        "identity": identity(t), "label": label(t), "verdict": t.verdict,
        "verdicts_by_sensor": verdicts_by_sensor(t), "reasons": t.reasons(),
        "location": location_object(identity(t), result) if isinstance(result, Estimate) else None,
        "refusal": refusal_object(result) if isinstance(result, Refusal) else None,
        **{k: v for k, v in transmitter_properties(t, result).items()
           if k in ("max_score", "sensors", "n_readings", "first_seen_utc", "last_seen_utc")},
    }  # fmt: skip
    files = {
        "summary.json": dumps_json(summary).encode(),
        "readings.csv": readings_csv(t.readings).encode(),
        "timeline.csv": timeline_csv(t.readings).encode(),
        "si.json": dumps_json(si_document(t.readings)).encode(),
        "map.geojson": dumps_json(geojson([t], {t.key: result} if result is not None else {})).encode(),
        **(phone_files or {}),
    }
    files["MANIFEST.sha256"] = manifest(files).encode()
    return files


def manifest(files: Mapping[str, bytes]) -> str:
    """``<sha256>  <name>`` lines, as ``sha256sum`` writes them (``sha256sum -c`` checks them)."""
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in files.items())


def evidence_zip(files: Mapping[str, bytes], *, folder: str) -> bytes:
    """The bundle as a zip archive with every file under ``folder/``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=datetime.now(UTC).timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def check_manifest(files: Mapping[str, bytes]) -> list[str]:
    """Names whose hash differs from ``MANIFEST.sha256`` or that it does not list / that are missing."""
    listed = {}
    for line in files["MANIFEST.sha256"].decode().splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    bad = [n for n, d in listed.items() if n not in files or hashlib.sha256(files[n]).hexdigest() != d]
    bad += [n for n in files if n != "MANIFEST.sha256" and n not in listed]
    return bad
