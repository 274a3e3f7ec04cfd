"""Exports (GeoJSON, KML, CSV, evidence bundles) and the ``export`` / ``locate`` commands, on a small
collector database: one fake transmitter heard at 12 positions around a known point (power from a
log-distance model) and one normal cell heard at one position."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import math
import xml.etree.ElementTree as ET
import zipfile

import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.collector import exports
from sensor.collector.sqlite_store import SqliteStore
from sensor.collector.transmitters import transmitters
from sensor.locate.estimate import Estimate, Refusal
from sensor.publish.envelope import make_envelope
from tests.publish.transport import cell_body, detection_body

ENV = {"FBS_SENSOR_CONFIG": None, "XDG_CONFIG_HOME": "/nonexistent"}
TRUE_LAT, TRUE_LON = 48.137, 11.575
SI3 = "49061b3b2d72f2203aa8d0033c546506b900008020420b"
ODD_DETAIL = 'it says <b>"odd"</b> & more'  # must be escaped in KML
FAKE = {"arfcn": 64, "bsic": 17, "mcc": "262", "mnc": "01", "lac": 7171, "cell_id": 29021}
REASONS = [{"rule": "reselection_bait", "weight": 0.5, "detail": ODD_DETAIL}]
N_FAKE_POSITIONS = 12


def _offset(lat, lon, east_m, north_m):
    return (lat + north_m / 111_320.0, lon + east_m / (111_320.0 * math.cos(math.radians(lat))))


def _envelopes():
    envs, seq = [], 0
    for i in range(N_FAKE_POSITIONS):
        ang = 2 * math.pi * i / N_FAKE_POSITIONS
        dist = 250.0 + 150.0 * (i % 3)
        lat, lon = _offset(TRUE_LAT, TRUE_LON, dist * math.sin(ang), dist * math.cos(ang))
        power = -20.0 - 30.0 * math.log10(dist) + (1.5 if i % 2 else -1.5)
        t = f"2026-11-25T10:{i:02d}:00.000Z"
        position = {"lat_deg": lat, "lon_deg": lon, "alt_m": None, "fix": "3d", "hdop": 1.0, "age_s": 0.1}
        body = cell_body(
            0,
            **FAKE,
            rssi_dbfs=round(power, 2),
            rssi_dbm=None,
            position=position,
            t_utc=t,
            verdict="fake",
            score=0.97,
            reasons=REASONS,
            si={"3": SI3, "4": "00" * 23},
        )
        envs.append(make_envelope("observation", body, sensor=f"car{1 + i % 2}", seq=seq))
        seq += 1
    # a detection without a position: must never get an invented one
    det = detection_body(0, **FAKE, reasons=REASONS, t_utc="2026-11-25T10:30:00.000Z")
    envs.append(make_envelope("detection", det, sensor="car1", seq=seq))
    seq += 1
    normal = cell_body(5, arfcn=10, bsic=3, t_utc="2026-11-25T09:59:00.000Z", snr_db=None)
    envs.append(make_envelope("observation", normal, sensor="car1", seq=seq))
    return envs


N_READINGS = N_FAKE_POSITIONS + 2


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("exports") / "collector.sqlite"
    with SqliteStore(path) as store:
        store.save_many(_envelopes())
    return path


@pytest.fixture(scope="module")
def data(db):
    with SqliteStore(db) as store:
        readings = store.readings()
    ts = transmitters(readings)
    located = exports.locate_transmitters(ts, include_normal=True)
    return readings, ts, located


def _fake(ts):
    return next(t for t in ts if t.arfcn == 64)


def _in_ring(lon, lat, ring):
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _distance_m(lat1, lon1, lat2, lon2):
    dn = (lat2 - lat1) * 111_320.0
    de = (lon2 - lon1) * 111_320.0 * math.cos(math.radians(lat1))
    return math.hypot(de, dn)


def test_the_fake_is_located_and_the_single_position_cell_refused(data):
    _, ts, located = data
    fake = _fake(ts)
    est = located[fake.key]
    assert isinstance(est, Estimate)
    assert _distance_m(est.lat_deg, est.lon_deg, TRUE_LAT, TRUE_LON) < est.radius_m
    normal = next(t for t in ts if t.arfcn == 10)
    assert isinstance(located[normal.key], Refusal)


def test_geojson_is_lon_lat_and_the_region_contains_the_estimate(data):
    _, ts, located = data
    doc = json.loads(exports.dumps_json(exports.geojson(ts, located)))
    assert doc["type"] == "FeatureCollection"
    by_kind = {}
    for f in doc["features"]:
        assert f["type"] == "Feature"
        by_kind.setdefault(f["properties"]["feature"], []).append(f)
    points = [f for f in by_kind["reading"] if f["geometry"] is not None]
    assert len(by_kind["reading"]) == N_READINGS
    assert len(points) == N_READINGS - 1  # the detection had no position: null geometry, not a guess
    for f in points:
        lon, lat = f["geometry"]["coordinates"]
        assert abs(lon - TRUE_LON) < 0.02 and abs(lat - TRUE_LAT) < 0.02
        assert set(exports.READING_FIELDS) <= set(f["properties"])
    fake_tx = next(f for f in by_kind["transmitter"] if f["properties"]["arfcn"] == 64)
    lon, lat = fake_tx["geometry"]["coordinates"]
    assert fake_tx["properties"]["verdict"] == "fake" and fake_tx["properties"]["reasons"] == REASONS
    assert fake_tx["properties"]["radius_m"] > 0 and fake_tx["properties"]["n_positions"] >= 8
    assert fake_tx["properties"]["next_look"]["direction"] in ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
    region = next(f for f in by_kind["region"] if f["properties"]["arfcn"] == 64)["geometry"]
    polygons = [region["coordinates"]] if region["type"] == "Polygon" else region["coordinates"]
    assert region["type"] in ("Polygon", "MultiPolygon")
    for poly in polygons:
        assert poly[0][0] == poly[0][-1]  # closed rings
    assert any(_in_ring(lon, lat, poly[0]) for poly in polygons)
    refused = next(f for f in by_kind["transmitter"] if f["properties"]["arfcn"] == 10)
    assert refused["geometry"] is None and refused["properties"]["refusal"]
    assert not any(f["properties"]["arfcn"] == 10 for f in by_kind.get("region", []))


def test_kml_parses_with_styles_and_placemarks(data):
    _, ts, located = data
    text = exports.kml(ts, located, name="a <test> & more")
    root = ET.fromstring(text)
    ns = {"k": exports.KML_NS}
    assert root.tag == f"{{{exports.KML_NS}}}kml"
    assert {s.get("id") for s in root.iterfind(".//k:Style", ns)} == {
        "verdict-normal",
        "verdict-suspicious",
        "verdict-fake",
    }
    assert root.find("k:Document/k:name", ns).text == "a <test> & more"
    folders = root.findall("k:Document/k:Folder", ns)
    reading_pms = folders[0].findall("k:Placemark", ns)
    assert len(reading_pms) == N_READINGS - 1  # readings with a position
    lon, lat, _ = (float(v) for v in reading_pms[0].find("k:Point/k:coordinates", ns).text.split(","))
    assert abs(lon - TRUE_LON) < 0.02 and abs(lat - TRUE_LAT) < 0.02
    tx_pms = folders[1].findall("k:Placemark", ns)
    names = [p.find("k:name", ns).text for p in tx_pms]
    assert any(n.startswith("fake: ARFCN 64") for n in names)
    assert any(n.startswith("95 % region: ARFCN 64") for n in names)
    assert len(list(folders[1].iter(f"{{{exports.KML_NS}}}Polygon"))) >= 1
    refused = next(p for p in tx_pms if "ARFCN 10 " in p.find("k:name", ns).text)
    assert refused.find("k:Point", ns) is None and "not located" in refused.find("k:description", ns).text
    assert ODD_DETAIL not in text.decode()  # escaped, not raw markup...
    fake_pm = next(p for p in tx_pms if p.find("k:name", ns).text.startswith("fake: ARFCN 64"))
    assert ODD_DETAIL in fake_pm.find("k:description", ns).text  # ...and read back intact


def test_csv_has_a_header_and_one_row_per_reading(data):
    readings, _, _ = data
    rows = list(csv.reader(io.StringIO(exports.readings_csv(readings))))
    assert rows[0] == list(exports.CSV_FIELDS)
    # the columns of 0.1.0 first, in their order; then what a Doppler fit reads (migration 4)
    assert rows[0][:18] == ["message_id", "sensor", "kind", "time_utc", "arfcn", "bsic", "mcc", "mnc", "lac",
                            "cell_id", "lat_deg", "lon_deg", "rssi_dbfs", "rssi_dbm", "snr_db", "freq_offset_hz",
                            "verdict", "score"]  # fmt: skip
    assert rows[0][18:] == ["freq_hz", "freq_sd_hz", "speed_m_s", "heading_deg"]
    assert len(rows) == 1 + N_READINGS
    det = next(r for r in rows[1:] if r[2] == "detection")
    assert det[exports.CSV_FIELDS.index("lat_deg")] == "" and det[exports.CSV_FIELDS.index("rssi_dbfs")] == ""


def test_evidence_bundle_manifest_matches_the_files(data):
    _, ts, located = data
    fake = _fake(ts)
    files = exports.evidence_files(fake, located[fake.key], generated_utc="2026-11-25T11:00:00Z", generator="test")
    assert set(files) == {*exports.EVIDENCE_FILES, "MANIFEST.sha256"}
    with zipfile.ZipFile(io.BytesIO(exports.evidence_zip(files, folder=exports.slug(fake)))) as z:
        unpacked = {n.split("/", 1)[1]: z.read(n) for n in z.namelist()}
    assert unpacked == files
    lines = unpacked["MANIFEST.sha256"].decode().splitlines()
    assert len(lines) == len(exports.EVIDENCE_FILES)
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256(unpacked[name]).hexdigest() == digest
    assert exports.check_manifest(unpacked) == []
    assert exports.check_manifest({**unpacked, "si.json": b"tampered"}) == ["si.json"]
    summary = json.loads(files["summary.json"])
    assert summary["identity"] == FAKE and summary["verdict"] == "fake"
    assert summary["verdicts_by_sensor"] == {"car1": {"fake": 7}, "car2": {"fake": 6}}
    assert summary["location"]["type"] == "location" and summary["refusal"] is None
    assert (
        summary["first_seen_utc"] == "2026-11-25T10:00:00.000000Z"
        and summary["last_seen_utc"] == "2026-11-25T10:30:00.000000Z"
    )
    si = json.loads(files["si.json"])["si"]
    assert si["3"][0]["l2"] == SI3 and si["3"][0]["count"] == N_FAKE_POSITIONS and si["3"][0]["decoded"]["t3212_min"]
    assert si["4"][0]["decoded"] is None and si["4"][0]["decode_error"]
    timeline = list(csv.reader(io.StringIO(files["timeline.csv"].decode())))
    assert (
        timeline[0][:5] == ["time_utc", "sensor", "kind", "verdict", "score"]
        and len(timeline) == 1 + N_FAKE_POSITIONS + 1
    )
    assert len(list(csv.reader(io.StringIO(files["readings.csv"].decode())))) == 1 + N_FAKE_POSITIONS + 1
    assert json.loads(files["map.geojson"])["type"] == "FeatureCollection"


# ------------------------------------------------------------------------------------- commands


def run(*args):
    return CliRunner().invoke(cli, list(args), env=ENV)


def one_line_error(result, text):
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("fbs-sensor: error: ") and text in lines[0], result.stderr


@pytest.mark.parametrize("fmt", ["geojson", "kml", "csv"])
def test_export_writes_and_refuses_to_overwrite(db, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    result = run("export", "--db", str(db), "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if fmt == "geojson":
        assert json.loads(data)["type"] == "FeatureCollection"
    elif fmt == "kml":
        ET.fromstring(data)
    else:
        assert len(data.decode().splitlines()) == 1 + N_READINGS
    one_line_error(
        run("export", "--db", str(db), "--format", fmt, "--out", str(out)), "already exists (use --overwrite"
    )
    assert out.read_bytes() == data
    assert run("export", "--db", str(db), "--format", fmt, "--out", str(out), "--overwrite").exit_code == 0


def test_export_filters(db, tmp_path):
    out = tmp_path / "f.csv"
    assert run("export", "--db", str(db), "--format", "csv", "--out", str(out), "--arfcn", "10").exit_code == 0
    assert len(out.read_text().splitlines()) == 2
    out.unlink()
    assert (
        run("export", "--db", str(db), "--format", "csv", "--out", str(out), "--verdict", "suspicious").exit_code == 0
    )
    assert len(out.read_text().splitlines()) == 1 + N_FAKE_POSITIONS + 1
    out.unlink()
    assert (
        run(
            "export", "--db", str(db), "--format", "csv", "--out", str(out), "--since", "2026-11-25T10:10:00Z"
        ).exit_code
        == 0
    )
    assert len(out.read_text().splitlines()) == 1 + 2 + 1  # 10:10, 10:11 and the 10:30 detection


def test_export_evidence_writes_one_zip_per_non_normal_transmitter(db, tmp_path):
    out = tmp_path / "evidence"
    result = run("export", "--db", str(db), "--format", "evidence", "--out", str(out))
    assert result.exit_code == 0, result.output
    zips = sorted(out.iterdir())
    assert [z.name for z in zips] == ["arfcn64_bsic17_262-01-7171-29021.zip"]
    with zipfile.ZipFile(zips[0]) as z:
        files = {n.split("/", 1)[1]: z.read(n) for n in z.namelist()}
    assert exports.check_manifest(files) == []
    one_line_error(run("export", "--db", str(db), "--format", "evidence", "--out", str(out)), "already exists")


def test_export_bad_inputs_are_one_line_errors(db, tmp_path):
    out = str(tmp_path / "x.geojson")
    (tmp_path / "notadb.sqlite").write_bytes(b"this is not a database, just some text" * 100)
    one_line_error(
        run("export", "--db", str(tmp_path / "none.sqlite"), "--format", "geojson", "--out", out), "no such database"
    )
    assert not (tmp_path / "none.sqlite").exists()  # never created
    one_line_error(
        run("export", "--db", str(tmp_path / "notadb.sqlite"), "--format", "csv", "--out", out), "notadb.sqlite"
    )
    one_line_error(run("export", "--db", str(db), "--format", "shapefile", "--out", out), "--format 'shapefile'")
    one_line_error(
        run("export", "--db", str(db), "--format", "csv", "--out", str(tmp_path / "no" / "dir" / "x.csv")),
        "cannot write",
    )
    one_line_error(run("export", "--db", str(db), "--format", "csv", "--out", str(tmp_path)), "is a directory")
    one_line_error(run("export", "--db", str(db), "--format", "csv", "--out", "/proc/x.csv"), "cannot write")
    one_line_error(run("export", "--db", str(db), "--format", "csv", "--out", out, "--since", "yesterday"), "--since")
    one_line_error(run("export", "--db", str(db), "--format", "csv", "--out", out, "--verdict", "evil"), "--verdict")
    (tmp_path / "file").write_text("x")
    one_line_error(run("export", "--db", str(db), "--format", "evidence", "--out", str(tmp_path / "file")), "is a file")


def test_locate_prints_location_objects_and_refusals(db, tmp_path):
    result = run("locate", "--db", str(db), "--json")
    assert result.exit_code == 0, result.output
    objs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objs) == 1 and objs[0]["type"] == "location" and objs[0]["schema"] == 1
    assert {k: objs[0][k] for k in ("arfcn", "bsic", "cell_id")} == {"arfcn": 64, "bsic": 17, "cell_id": 29021}
    assert _distance_m(objs[0]["lat_deg"], objs[0]["lon_deg"], TRUE_LAT, TRUE_LON) < objs[0]["radius_m"]
    look = objs[0]["next_look"]  # extension: where one more reading would narrow the region most
    assert 0 < look["distance_m"] <= 600 and 0 <= look["bearing_deg"] < 360
    result = run("locate", "--db", str(db), "--arfcn", "10", "--json")
    (obj,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert obj["type"] == "location_refusal" and obj["reason"] and "next_look" in obj
    table = run("locate", "--db", str(db), "--arfcn", "10").stdout
    assert "not located:" in table and "ARFCN 10" in table
    table = run("locate", "--db", str(db)).stdout
    assert "fake" in table and "ARFCN 64 BSIC 17" in table and "next reading best" in table
    one_line_error(run("locate", "--db", str(tmp_path / "none.sqlite")), "no such database")


def test_locate_track(db):
    result = run("locate", "--db", str(db), "--track", "--json")
    assert result.exit_code == 0, result.output
    (obj,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert obj["type"] == "track" and obj["points"] and obj["fixed"]["type"] == "location"
    assert obj["moving"] in (True, False, None)
    assert "ARFCN 64" in run("locate", "--db", str(db), "--track").stdout
