"""``fbs-sensor report``: the figures (JSON), the page (parsed: escaped, self-contained, every plot),
districts, the basemap, and one-line errors for bad inputs."""

from __future__ import annotations

import json
import math
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from pmtiles.tile import TileType

from sensor.cli import cli
from sensor.gps.geodesy import distance_m
from sensor.report.districts import load_districts
from tests.report.scene import DAYS, FAKE_AT, HOSTILE_CATEGORY, HOSTILE_DETAIL, HOSTILE_SENDER, HOSTILE_TEXT, fill
from tests.report.tiles import write_archive

ENV = {"FBS_SENSOR_CONFIG": None, "XDG_CONFIG_HOME": "/nonexistent"}
PLOTS = ("heat-map", "coverage-map", "days", "hours", "sms-categories")


def run(*args: str):
    return CliRunner().invoke(cli, ["report", *args], env=ENV)


@pytest.fixture
def db(tmp_path: Path) -> tuple[Path, dict]:
    path = tmp_path / "collector.sqlite"
    return path, fill(path, hostile=True)


def _square(name: str, lat0: float, lon0: float, half_deg: float, hole: float = 0.0) -> dict:
    ring = [
        [lon0 - half_deg, lat0 - half_deg],
        [lon0 + half_deg, lat0 - half_deg],
        [lon0 + half_deg, lat0 + half_deg],
        [lon0 - half_deg, lat0 + half_deg],
        [lon0 - half_deg, lat0 - half_deg],
    ]
    rings = [ring]
    if hole:
        rings.append(
            [
                [lon0 - hole, lat0 - hole],
                [lon0 - hole, lat0 + hole],
                [lon0 + hole, lat0 + hole],
                [lon0 + hole, lat0 - hole],
                [lon0 - hole, lat0 - hole],
            ]
        )
    return {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon", "coordinates": rings}}


@pytest.fixture
def area(tmp_path: Path) -> Path:
    lat, lon = FAKE_AT
    doc = {
        "type": "FeatureCollection",
        "features": [
            _square("Huangpu <b>centre</b>", lat, lon, 0.012),  # the fake and its rings (800 m < 0.012° ≈ 1.1 km)
            _square("East", lat + 0.015, lon + 0.05, 0.03),  # the real cells' drive, 3-7 km east
            _square("Nobody drove here", lat - 0.5, lon - 0.5, 0.01),
            {
                "type": "Feature",
                "properties": {"name": "a road"},
                "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
            },
        ],
    }
    path = tmp_path / "districts.geojson"
    path.write_text(json.dumps(doc))
    return path


class _Page(HTMLParser):
    """Every start tag with its attributes, and the text, of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Page:
    p = _Page()
    p.feed(html)
    p.close()
    return p


def test_report_figures_stations_activity_and_districts(db, area, tmp_path):
    path, truth = db
    out, js = tmp_path / "r.html", tmp_path / "r.json"
    r = run(
        "--db", str(path), "--from", DAYS[0], "--to", DAYS[1], "--area", str(area), "--out", str(out), "--json", str(js)
    )
    assert r.exit_code == 0, r.output
    assert "1 features that are not polygons skipped" in r.stderr
    rep = json.loads(js.read_text())
    assert rep["type"] == "report" and rep["schema"] == 1 and rep["collected"] is True
    t = rep["totals"]
    assert t["readings"] == t["positioned"] == truth["fake_readings"] + truth["normal_readings"]
    assert t["flagged"] == truth["fake_readings"] and t["sms"] == truth["sms"] and t["phones"] == truth["phones"]
    # one station: the readings heard before its SI3 merged into it; located near where it stands
    (s,) = rep["stations"]
    assert (s["arfcn"], s["bsic"], s["lac"], s["cell_id"], s["verdict"]) == (64, 17, 9999, 1, "fake")
    assert s["readings"] == truth["fake_readings"] and s["sensors"] == 2
    assert (s["phones"], s["sms"], s["sessions"]) == (6, 6, 6)
    assert distance_m(s["location"]["lat_deg"], s["location"]["lon_deg"], *FAKE_AT) < s["location"]["radius_m"]
    assert s["district"] == "Huangpu <b>centre</b>"
    assert (s["first_utc"][:10], s["last_utc"][:10]) == DAYS
    # hexagons: every positioned reading in one, the flagged ones where the fake is
    hexes = rep["hexagons"]
    assert sum(h["readings"] for h in hexes) == t["positioned"] and len(hexes) == t["hexagons"]
    assert sum(h["flagged"] for h in hexes) == t["flagged"] and hexes[0]["flagged"] > 0
    assert all(len(h["boundary"]) == 6 and h["h3"].startswith("88") for h in hexes)
    # days and hours
    assert [d["date"] for d in rep["days"]] == list(DAYS)
    assert [d["flagged"] for d in rep["days"]] == [36, 36] and [d["sms"] for d in rep["days"]] == [6, 0]
    assert rep["hours"][20]["flagged"] == 36 and rep["hours"][11]["readings"] == 9 + 40
    assert sum(h["readings"] for h in rep["hours"]) == t["readings"]
    # districts by point in polygon; the one nobody drove is not covered (no readings), not "no station"
    by = {d["name"]: d for d in rep["districts"]}
    assert by["Huangpu <b>centre</b>"] == {
        "name": "Huangpu <b>centre</b>",
        "readings": truth["fake_readings"],
        "flagged": truth["fake_readings"],
        "stations": 1,
        "sms": 6,
    }
    assert by["East"]["readings"] == truth["normal_readings"] and by["East"]["flagged"] == 0
    assert by["Nobody drove here"]["readings"] == 0
    page = parse(out.read_text())
    cells = [c for c in page.text if c in ("not covered", "Nobody drove here")]
    assert cells == ["Nobody drove here", "not covered"]
    # SMS: categories, spoofed senders, domains defanged, call-back numbers
    assert rep["sms_categories"] == [{"category": "phishing", "sms": 5}, {"category": HOSTILE_CATEGORY, "sms": 1}]
    assert {
        "text": HOSTILE_TEXT.replace("http://", "hxxp://").replace(".example", "[.]example"),
        "sms": 1,
        "category": "phishing",
    } in rep["top"]["texts"]
    assert {x["sender"] for x in rep["top"]["senders"]} == {"10086", HOSTILE_SENDER}
    assert {"domain": "10086-jf[.]example", "sms": 4} in rep["top"]["domains"]
    assert all("[.]" in d["domain"] for d in rep["top"]["domains"])
    assert rep["top"]["numbers"] == [{"number": "+8613800138000", "sms": 2}]


def test_page_is_self_contained_every_plot_present_and_hostile_text_literal(db, tmp_path):
    path, _ = db
    out = tmp_path / "r.html"
    assert run("--db", str(path), "--from", DAYS[0], "--to", DAYS[1], "--out", str(out)).exit_code == 0
    html = out.read_text()
    page = parse(html)
    tags = [t for t, _ in page.tags]
    # nothing executable, nothing that loads
    assert not {"script", "iframe", "object", "embed", "link", "img", "video", "audio", "foreignobject"} & set(tags)
    for tag, attrs in page.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for a in ("href", "src", "xlink:href", "action"):
            assert attrs.get(a) is None or attrs[a].startswith(("data:image/", "url(#")), (tag, attrs)
    csp = [a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp == ["default-src 'none'; style-src 'unsafe-inline'; img-src data:"]
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")  # links defanged, none to follow
    # every plot, once, each a whole <svg>
    ids = [a.get("id") for t, a in page.tags if t == "svg"]
    assert ids == list(PLOTS)
    assert html.count("<svg") == html.count("</svg>") == len(PLOTS)
    # the hostile texts shown as text, literally (links defanged), and nowhere as markup
    text = "".join(page.text)
    shown = HOSTILE_TEXT.replace("http://evil.example/x", "hxxp://evil[.]example/x").replace(
        "http://icbc-safe.example/login", "hxxp://icbc-safe[.]example/login"
    )
    for hostile in (HOSTILE_SENDER, HOSTILE_DETAIL, shown, HOSTILE_CATEGORY):
        assert hostile in text, hostile
    assert '=HYPERLINK("hxxp://evil[.]example/x")' in text
    assert "<script" not in html and "onerror" not in [a for _, attrs in page.tags for a in attrs]


def test_empty_range_says_nothing_was_collected(db, tmp_path):
    path, _ = db
    out, js = tmp_path / "r.html", tmp_path / "r.json"
    r = run("--db", str(path), "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(out), "--json", str(js))
    assert r.exit_code == 0 and "nothing was collected from 2026-11-01 to 2026-11-30" in r.stderr
    rep = json.loads(js.read_text())
    assert rep["collected"] is False and rep["stations"] == [] and rep["hexagons"] == []
    html = out.read_text()
    assert 'id="nothing-collected"' in html and "Nothing was collected between 2026-11-01 and 2026-11-30" in html
    assert "No fake" not in html and "no station" not in html.lower()


def test_basemap_tiles_are_embedded_under_the_hexagons(db, tmp_path):
    path, _ = db
    basemap = write_archive(tmp_path / "city.pmtiles", *FAKE_AT)
    out = tmp_path / "r.html"
    r = run("--db", str(path), "--from", DAYS[0], "--to", DAYS[1], "--basemap", str(basemap), "--out", str(out))
    assert r.exit_code == 0, r.output
    page = parse(out.read_text())
    images = [a for t, a in page.tags if t == "image"]
    assert images and all(a["href"].startswith("data:image/png;base64,") for a in images)
    # in both maps, before (under) the first hexagon
    for svg_id in ("heat-map", "coverage-map"):
        seq = [t for t, _ in page.tags]
        start = next(k for k, (t, a) in enumerate(page.tags) if t == "svg" and a.get("id") == svg_id)
        body = seq[start + 1 :]
        body = body[: body.index("svg")] if "svg" in body else body
        assert "image" in body and body.index("image") < body.index("polygon")


def test_a_vector_or_broken_basemap_is_one_line(db, tmp_path):
    path, _ = db
    vector = write_archive(tmp_path / "v.pmtiles", *FAKE_AT, zooms=range(12, 13), reach=1, tile_type=TileType.MVT)
    junk = tmp_path / "junk.pmtiles"
    junk.write_bytes(b"not an archive at all" * 10)
    for bad, message in (
        (vector, "a MVT archive"),
        (junk, "not a PMTiles archive"),
        (tmp_path / "none.pmtiles", "cannot read the basemap"),
    ):
        r = run(
            "--db",
            str(path),
            "--from",
            DAYS[0],
            "--to",
            DAYS[1],
            "--basemap",
            str(bad),
            "--out",
            str(tmp_path / "r.html"),
        )
        assert r.exit_code == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-12-5", "--to", "2026-12-06"], "--from '2026-12-5': not a date"),
        (["--from", "2026-02-30", "--to", "2026-03-01"], "not a date"),
        (["--from", "2026-12-07", "--to", "2026-12-06"], "--from 2026-12-07 is after --to 2026-12-06"),
        (["--from", "2024-01-01", "--to", "2026-12-06"], "more than 366"),
    ],
)
def test_bad_dates_are_one_line(db, tmp_path, args, message):
    path, _ = db
    r = run("--db", str(path), *args, "--out", str(tmp_path / "r.html"))
    assert r.exit_code == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.output
    assert not (tmp_path / "r.html").exists()


def test_bad_database_is_one_line(tmp_path):
    not_db = tmp_path / "notes.sqlite"
    not_db.write_text("these are not the readings you are looking for\n" * 100)
    empty_dir = tmp_path / "dir.sqlite"
    empty_dir.mkdir()
    for db, message in ((tmp_path / "none.sqlite", "no such database"), (empty_dir, "it is a directory"), (not_db, "")):
        r = run("--db", str(db), "--from", DAYS[0], "--to", DAYS[1], "--out", str(tmp_path / "r.html"))
        assert r.exit_code == 2 and message in r.stderr, r.output
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.output
    assert not (tmp_path / "none.sqlite").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not GeoJSON"),
        ("[1, 2]", "no object at the top"),
        ('{"type": "FeatureCollection", "features": 3}', "without a features list"),
        ('{"type": "FeatureCollection", "features": []}', "no Polygon or MultiPolygon"),
        ('{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}', "at least four positions"),
        ('{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, "x"], [0, 0]]]}', "not [longitude, latitude]"),
        ('{"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]}', "outside longitude"),
        ('{"type": "MultiPolygon", "coordinates": []}', "without rings"),
    ],
)
def test_bad_geojson_is_one_line(db, tmp_path, text, message):
    path, _ = db
    area = tmp_path / "a.geojson"
    area.write_text(text)
    r = run(
        "--db", str(path), "--from", DAYS[0], "--to", DAYS[1], "--area", str(area), "--out", str(tmp_path / "r.html")
    )
    assert r.exit_code == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.output


def test_point_in_polygon_with_a_hole_and_a_multipolygon(tmp_path):
    doc = {
        "type": "FeatureCollection",
        "features": [
            _square("ring", 10.0, 20.0, 1.0, hole=0.5),
            {
                "type": "Feature",
                "properties": {"code": "two squares"},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [
                        _square("", 0.0, 0.0, 1.0)["geometry"]["coordinates"],
                        _square("", 0.0, 5.0, 1.0)["geometry"]["coordinates"],
                    ],
                },
            },
        ],
    }
    path = tmp_path / "d.geojson"
    path.write_text(json.dumps(doc))
    (ring, two), skipped = load_districts(path)
    assert skipped == 0 and (ring.name, two.name) == ("ring", "two squares")
    lat = np.array([10.0, 10.7, 10.0, 12.0, 0.0, 0.5, 0.0, 0.0])
    lon = np.array([20.0, 20.0, 20.9, 20.0, 0.0, 5.5, 2.5, -1.5])
    assert ring.contains(lat, lon).tolist() == [False, True, True, False, False, False, False, False]
    assert two.contains(lat, lon).tolist() == [False, False, False, False, True, True, False, False]


def test_postgres_url_gives_the_same_report(db, tmp_path):
    from tests.pgserver import PgServer, find_pg_bin

    if find_pg_bin() is None:
        pytest.skip("PostgreSQL binaries not found")
    from sensor.collector.postgres_store import PostgresStore

    path, _ = db
    with sqlite3.connect(path) as c:
        envelopes = [json.loads(e) for (e,) in c.execute("SELECT envelope FROM messages ORDER BY pos")]
    server = PgServer.start()
    try:
        dsn = server.create_database("report")
        with PostgresStore(dsn) as pg:
            pg.save_many(envelopes)
        reports = []
        for source in (str(path), dsn):
            js = tmp_path / "r.json"
            r = run(
                "--db", source, "--from", DAYS[0], "--to", DAYS[1], "--out", str(tmp_path / "r.html"), "--json", str(js)
            )
            assert r.exit_code == 0, r.output
            rep = json.loads(js.read_text())
            rep.pop("generated_utc")
            reports.append(rep)
        assert reports[0] == reports[1]
        assert math.isclose(reports[1]["stations"][0]["location"]["lat_deg"], FAKE_AT[0], abs_tol=0.01)
    finally:
        server.destroy()


def test_a_phone_seen_before_and_after_si3_is_one_phone_of_the_station(db, tmp_path):
    """Sessions the fake took before its SI3 was decoded (LAC and cell id unknown): phone 0 again and
    a new phone. The station's phones are the distinct keyed hashes over both identities (7, not 8:
    phone 0 once); its sessions add (8); the same on PostgreSQL."""
    from sensor.collector.sqlite_store import SqliteStore
    from sensor.publish.envelope import make_envelope
    from tests.publish.transport import session_body

    path, _ = db
    before_si3 = {"lac": None, "cell_id": None, "t_utc": f"{DAYS[0]}T09:59:00.000000Z"}
    with SqliteStore(path) as store:
        store.save_many([make_envelope("session", session_body(i, phone=phone, **before_si3), sensor="car1",
                                       seq=900 + i)
                         for i, phone in ((10, "k1:0000000000000000"), (11, "k1:00000000000000aa"))])  # fmt: skip
    sources = [str(path)]
    server = None
    from tests.pgserver import PgServer, find_pg_bin

    if find_pg_bin() is not None:
        from sensor.collector.postgres_store import PostgresStore

        with sqlite3.connect(path) as c:
            envelopes = [json.loads(e) for (e,) in c.execute("SELECT envelope FROM messages ORDER BY pos")]
        server = PgServer.start()
        sources.append(server.create_database("report"))
        with PostgresStore(sources[-1]) as pg:
            pg.save_many(envelopes)
    try:
        for source in sources:
            js = tmp_path / "r.json"
            r = run(
                "--db", source, "--from", DAYS[0], "--to", DAYS[1], "--out", str(tmp_path / "r.html"), "--json", str(js)
            )
            assert r.exit_code == 0, r.output
            rep = json.loads(js.read_text())
            (s,) = rep["stations"]
            assert (s["phones"], s["sessions"], s["sms"]) == (7, 8, 6), source
            assert (rep["totals"]["phones"], rep["totals"]["sessions"]) == (7, 8)
    finally:
        if server is not None:
            server.destroy()


def test_the_grouped_queries_read_the_covering_index_not_the_bodies(db, monkeypatch):
    """At a million readings a scan of the table reads gigabytes of bodies: every query on the
    readings of a period is answered from the report's covering index (migration 5)."""
    from sensor.collector.sqlite_store import SqliteStore
    from sensor.report import query
    from sensor.report.period import parse_period

    path, _ = db
    with SqliteStore(path) as store:
        plans: list[str] = []
        select = store.select

        def explained(sql, args=()):
            if " FROM readings " in sql:
                plans.extend(str(row[-1]) for row in select("EXPLAIN QUERY PLAN " + sql, args))
            return select(sql, args)

        monkeypatch.setattr(store, "select", explained)
        period = parse_period(*DAYS)
        query.positions(store, period)
        query.totals(store, period)
        query.hourly(store, "readings", period, graded=True)
        query.flagged_carriers(store, period)
    searches = [p for p in plans if p.startswith(("SEARCH", "SCAN"))]
    assert len(searches) == 4 and all("COVERING INDEX readings_report" in p for p in searches), plans
