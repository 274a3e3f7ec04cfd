"""The dashboard's offline basemap: the PMTiles archive checked at start, served in byte ranges to
the page only (token, 206/416), drawn under the readings and estimates in a real headless Chromium
with every request going to the dashboard itself; the map following the patrol car."""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sensor.collector.basemap import RangeNotSatisfiable, byte_range, open_basemap, parse_header
from sensor.collector.dashboard import Dashboard
from sensor.collector.sqlite_store import SqliteStore
from sensor.errors import ConfigError
from sensor.publish.envelope import make_envelope
from tests.collector.basemap_tiles import LAND, decode_png, make_street_archive
from tests.collector.test_dashboard import FAKE, FAKE_AT, _position, detection, fake_observation, get, get_json
from tests.publish.transport import cell_body, session_body, sms_body

pytest.importorskip("pmtiles", reason="the pmtiles package (test extra) writes the archives")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("basemap") / "patrol-area.pmtiles"
    make_street_archive(path, FAKE_AT)
    return path


def _vector_archive(path: Path) -> Path:
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import write

    with write(path) as w:
        w.write_tile(zxy_to_tileid(0, 0, 0), b"\x1a\x00")
        w.finalize({"tile_type": TileType.MVT, "tile_compression": Compression.NONE}, {})
    return path


# --------------------------------------------------------------------------- the archive


def test_header_fields_agree_with_the_pmtiles_package(archive):
    from pmtiles.tile import deserialize_header

    data = archive.read_bytes()
    mine, theirs = parse_header(data[:127]), deserialize_header(data[:127])
    assert mine["tile_type"] == "png"
    assert (mine["min_zoom"], mine["max_zoom"]) == (theirs["min_zoom"], theirs["max_zoom"])
    assert mine["data_offset"] == theirs["tile_data_offset"] and mine["data_length"] == theirs["tile_data_length"]
    assert mine["root_offset"] == 127 and mine["metadata_length"] == theirs["metadata_length"]
    corners = ("min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7")
    assert mine["bounds_deg"] == tuple(theirs[k] / 1e7 for k in corners)
    assert mine["center_deg"] == (theirs["center_lat_e7"] / 1e7, theirs["center_lon_e7"] / 1e7)
    info = open_basemap(archive)
    assert info.size_bytes == len(data) and info.attribution == "synthetic street grid (tests)"
    w, s, e, n = info.bounds_deg
    assert w < FAKE_AT[1] < e and s < FAKE_AT[0] < n


def test_a_bad_archive_is_one_config_error(tmp_path, archive):
    cases = {
        "missing.pmtiles": None,
        "text.pmtiles": b"not an archive at all" * 10,
        "v2.pmtiles": b"PMTiles\x02" + bytes(200),
        "truncated.pmtiles": archive.read_bytes()[:5000],
    }
    for name, data in cases.items():
        if data is not None:
            (tmp_path / name).write_bytes(data)
    for name, words in (("missing.pmtiles", "No such file"), ("text.pmtiles", "not a PMTiles archive"),
                        ("v2.pmtiles", "version 2"), ("truncated.pmtiles", "truncated")):  # fmt: skip
        with pytest.raises(ConfigError, match=words) as e:
            open_basemap(tmp_path / name)
        assert str(e.value).startswith(f"basemap {tmp_path / name}: ") and "\n" not in str(e.value)
    with pytest.raises(ConfigError, match="its tiles are mvt, not raster"):
        open_basemap(_vector_archive(tmp_path / "vector.pmtiles"))


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 100, None),
        ("bytes=0-9", 100, (0, 9)),
        ("bytes=90-", 100, (90, 99)),
        ("bytes=-10", 100, (90, 99)),
        ("bytes=-1000", 100, (0, 99)),  # a suffix longer than the file: all of it
        ("bytes=0-16383", 100, (0, 99)),  # the reader's first read of a small archive: clamped
        ("bytes=99-99", 100, (99, 99)),
        (" bytes = 5-6", 100, None),  # not the bytes unit as written: ignored, the whole file
        ("items=0-5", 100, None),
    ],
)
def test_byte_ranges(header, size, expected):
    assert byte_range(header, size) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=100-200", "bytes=5-2", "bytes=-0", "bytes=", "bytes=0-1,5-6",
                                    "bytes=a-b", "bytes=--5"])  # fmt: skip
def test_unsatisfiable_or_malformed_ranges(header):
    with pytest.raises(RangeNotSatisfiable):
        byte_range(header, 100)


# --------------------------------------------------------------------------- HTTP


def _store(path: Path) -> SqliteStore:
    """The fake of test_dashboard (24 readings around it, 2 detections) and what it did to phones."""
    s = SqliteStore(path)
    envs = [make_envelope("observation", fake_observation(i), sensor="car1", seq=i) for i in range(24)]
    envs.append(make_envelope("observation", cell_body(5, position=_position(FAKE_AT[0] + 0.003, FAKE_AT[1]),
                                                        rssi_dbfs=-40.0), sensor="car2", seq=1))  # fmt: skip
    envs += [make_envelope("detection", detection(i), sensor="car1", seq=100 + i) for i in range(2)]
    ident = {k: FAKE[k] for k in ("mcc", "mnc", "lac", "cell_id")}
    # 12 phones over 2 hours (10:00 to 12:00): 6 an hour; 4 of them in the last hour (11:00 to 12:00)
    times = [f"2026-11-25T10:{10 * i:02d}:00.000000Z" for i in range(6)] + [
        f"2026-11-25T10:{55 + 3 * i:02d}:00.000000Z" for i in range(2)] + [
        f"2026-11-25T11:{30 + 10 * i:02d}:00.000000Z" for i in range(3)] + ["2026-11-25T12:00:00.000000Z"]  # fmt: skip
    envs += [make_envelope("session", session_body(i, **ident, t_utc=t, position=None), sensor="car1", seq=200 + i)
             for i, t in enumerate(times)]  # fmt: skip
    text = "【银行】您的积分即将过期，请登录 http://bank-points.example/claim 兑换"
    envs += [make_envelope("sms", sms_body(i, **ident, text=text, sender="95588", sender_type="national",
                                           t_utc=times[i]), sensor="car1", seq=300 + i) for i in range(3)]  # fmt: skip
    s.save_many(envs)
    return s


@pytest.fixture
def store(tmp_path: Path):
    s = _store(tmp_path / "collector.sqlite")
    yield s
    s.close()


def test_the_archive_is_served_in_byte_ranges_and_nothing_else_of_the_disk(store, archive):
    data = archive.read_bytes()
    size = len(data)
    with Dashboard(store, "127.0.0.1", 0, basemap=archive) as d:
        view = get_json(d.url + "api/basemap")["basemap"]
        assert view["url"] == "/basemap.pmtiles" and view["tile_type"] == "png" and view["size_bytes"] == size
        assert (view["min_zoom"], view["max_zoom"]) == (13, 17) and view["name"] == "patrol-area.pmtiles"
        url = d.url + "basemap.pmtiles"
        status, headers, body = get(url, headers={"Range": "bytes=0-16383"})  # the reader's first read
        assert status == 206 and headers["Content-Range"] == f"bytes 0-16383/{size}" and body == data[:16384]
        assert headers["Accept-Ranges"] == "bytes" and headers["Content-Length"] == "16384"
        status, headers, body = get(url, headers={"Range": f"bytes={size - 100}-{size + 50}"})
        assert status == 206 and headers["Content-Range"] == f"bytes {size - 100}-{size - 1}/{size}"
        assert body == data[-100:]
        status, headers, body = get(url, headers={"Range": "bytes=-127"})
        assert status == 206 and body == data[-127:]
        for bad in (f"bytes={size}-", "bytes=9-3", "bytes=0-1,4-5"):
            status, headers, body = get(url, headers={"Range": bad})
            assert status == 416 and headers["Content-Range"] == f"bytes */{size}", bad
        status, headers, body = get(url)
        assert status == 200 and body == data and "Content-Range" not in headers
        status, headers, body = get(url, headers={"Range": "bytes=10-19"}, method="HEAD")
        assert status == 206 and body == b"" and headers["Content-Length"] == "10"
        assert get(url, method="POST", data=b"x")[0] == 405
        # only the vendored files and that one archive: no path reaches the disk
        for path in ("vendor/../dashboard.py", "vendor/leaflet/../../app.js", "vendor/x.js", "basemap.pmtiles/x",
                     "patrol-area.pmtiles", "vendor/leaflet/LICENSE"):  # fmt: skip
            assert get(d.url + path)[0] == 404, path
        vendored = [
            ("vendor/leaflet/leaflet.js", "javascript"),
            ("vendor/pmtiles/pmtiles.js", "javascript"),
            ("vendor/leaflet/leaflet.css", "text/css"),
            ("vendor/leaflet/images/layers.png", "png"),
        ]
        for path, kind in vendored:
            status, headers, body = get(d.url + path)
            assert status == 200 and kind in headers["Content-Type"] and len(body) > 500, path


def test_the_archive_needs_the_token_like_the_api(store, archive):
    with Dashboard(store, "0.0.0.0", 0, basemap=archive) as d:
        base = f"http://127.0.0.1:{d.port}/"
        assert get(base + "basemap.pmtiles", headers={"Range": "bytes=0-126"})[0] == 401
        assert get(base + "api/basemap")[0] == 401
        bearer = {"Range": "bytes=0-126", "Authorization": f"Bearer {d.token}"}
        status, _, body = get(base + "basemap.pmtiles", headers=bearer)
        assert status == 206 and body[:7] == b"PMTiles"
        assert get(base + f"basemap.pmtiles?token={d.token}", headers={"Range": "bytes=0-6"})[2] == b"PMTiles"
        assert get(base + "vendor/leaflet/leaflet.js")[0] == 200  # code, no data: public like app.js


def test_without_a_basemap_there_is_none_to_serve(store):
    with Dashboard(store, "127.0.0.1", 0) as d:
        assert get_json(d.url + "api/basemap") == {"basemap": None}
        status, _, body = get(d.url + "basemap.pmtiles")
        assert status == 404 and b"--basemap" in body


def test_the_activity_counts_phones_per_hour_and_in_the_last_hour(store):
    with Dashboard(store, "127.0.0.1", 0) as d:
        fake = get_json(d.url + "api/transmitters")["transmitters"][0]
    a = fake["activity"]
    assert (a["phones"], a["sms"], a["sms_serious"]) == (12, 3, 5000)
    assert a["phones_per_hour"] == 6.0  # 12 phones over the 2 hours from the first session to the last
    assert a["phones_last_hour"] == 4 and a["last_hour_end_utc"] == "2026-11-25T12:00:00.000000Z"
    assert all("hxxp://bank-points[.]example/claim" in m["text"] for m in a["latest_sms"])


# --------------------------------------------------------------------------- the commands


def test_commands_refuse_a_bad_basemap_in_one_line_from_the_option_and_the_config(tmp_path, store):
    from click.testing import CliRunner

    from sensor.cli import cli

    bad = _vector_archive(tmp_path / "vector.pmtiles")
    db = str(tmp_path / "collector.sqlite")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "no-config")}
    r = CliRunner().invoke(cli, ["dashboard", "--db", db, "--basemap", str(bad)], env=env)
    assert r.exit_code == 2 and f"basemap {bad}: its tiles are mvt" in r.stderr and "Traceback" not in r.output
    config = tmp_path / "config.toml"
    config.write_text(f'basemap = "{tmp_path / "none.pmtiles"}"\n')  # one key for the dashboard and the collector
    r = CliRunner().invoke(cli, ["--config", str(config), "dashboard", "--db", db], env=env)
    assert r.exit_code == 2 and "none.pmtiles: No such file" in r.stderr, r.output
    r = CliRunner().invoke(cli, ["--config", str(config), "collector", "--db", str(tmp_path / "c2.sqlite"),
                                 "--allow-plaintext", "--bind", "tcp://127.0.0.1:0", "--dashboard", "127.0.0.1:0"],
                           env=env)  # fmt: skip
    assert r.exit_code == 2 and "none.pmtiles: No such file" in r.stderr and "Traceback" not in r.output
    assert not (tmp_path / "c2.sqlite").exists()  # stopped before the store was opened


# --------------------------------------------------------------------------- the page in a real browser

WIDTH, HEIGHT = 1280, 900
SLOW_S = 60.0  # only how long a failure takes to say so: the page's first load takes seconds on a busy machine


def _open_page(chromium, url: str) -> None:
    for domain in ("Runtime", "Log", "Page", "Network"):
        chromium.call(f"{domain}.enable")
    chromium.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=False)
    chromium.call("Page.navigate", url=url)


def _requests(chromium) -> list[dict[str, Any]]:
    return [e["params"]["request"] for e in chromium.events if e.get("method") == "Network.requestWillBeSent"]


def _screenshot(chromium) -> np.ndarray:
    return decode_png(base64.b64decode(chromium.call("Page.captureScreenshot", format="png")["data"]))


ESTIMATE_BOX = (
    "(() => { const e = document.querySelector('#map .estimate.v-fake svg'); const m = document.getElementById('map');"
    " if (!e) return null; const r = e.getBoundingClientRect(), b = m.getBoundingClientRect();"
    " return {x: r.x + r.width / 2, y: r.y + r.height / 2, left: b.left, top: b.top, right: b.right,"
    " bottom: b.bottom}; })()"
)
TILES_DRAWN = (
    "(() => { const t = Array.from(document.querySelectorAll('#map .leaflet-tile-container img'));"
    " return t.length > 0 && t.every(i => i.complete && i.naturalWidth === 256) && t.length; })()"
)


def _ring(img: np.ndarray, x: float, y: float) -> np.ndarray:
    """The pixels 18 to 30 px from (x, y) (clear of the estimate's own marker, inside its region or
    beside it: what lies under the estimate), every 30°."""
    out = []
    for r in (18, 24, 30):
        for a in np.radians(np.arange(0, 360, 30)):
            out.append(img[int(round(y + r * np.sin(a))), int(round(x + r * np.cos(a)))])
    return np.array(out, dtype=int)


def test_the_page_draws_the_basemap_from_the_dashboard_alone_under_the_estimate(store, archive, chromium):
    with Dashboard(store, "127.0.0.1", 0, poll_interval_s=0.1, basemap=archive) as d:
        _open_page(chromium, d.url)
        chromium.wait_for("document.querySelector('#map .estimate.v-fake') !== null", SLOW_S)
        n_tiles = chromium.wait_for(TILES_DRAWN, SLOW_S)
        box = chromium.evaluate(ESTIMATE_BOX)
        assert box["left"] < box["x"] < box["right"] and box["top"] < box["y"] < box["bottom"], box
        img = _screenshot(chromium)
        background = chromium.evaluate("getComputedStyle(document.getElementById('map')).backgroundColor")
        bg = np.array([int(v) for v in background[background.index("(") + 1 : -1].split(",")[:3]])
        ring = _ring(img, box["x"], box["y"])
        differs = np.abs(ring - bg).max(axis=1) > 12
        assert differs.mean() >= 0.9, (background, ring.tolist())  # the tiles, not the blank background
        sand = np.abs(ring - np.array(LAND)).max(axis=1) < 40  # the basemap's land, under the region's tint
        assert sand.mean() >= 0.3, ring.tolist()
        requests = _requests(chromium)
        origin = d.url.rstrip("/")
        foreign = [r["url"] for r in requests if not r["url"].startswith((origin + "/", "blob:", "data:"))]
        assert foreign == [] and requests, foreign  # no request leaves the machine
        ranges = [r for r in requests if r["url"].startswith(origin + "/basemap.pmtiles")]
        ranged = [{k.lower(): v for k, v in r["headers"].items()}.get("range", "") for r in ranges]
        assert ranged and all(h.startswith("bytes=") for h in ranged), ranged
        assert len(ranges) >= 2  # the header and directories, then the tiles: read in pieces, not whole
        attribution = chromium.evaluate("document.getElementById('attribution').textContent")
        assert "synthetic street grid (tests)" in attribution
        card = chromium.evaluate("document.querySelector('#alerts li.alert .phones').textContent")
        assert "phones reached 12 (6 an hour while active; 4 in the hour to 2026-11-25 12:00:00 UTC)" in card
        assert n_tiles >= 4
        if os.environ.get("FBS_BASEMAP_SCREENSHOT"):  # docs/dashboard-basemap.png (docs/basemap.md says how)
            shot = chromium.call("Page.captureScreenshot", format="png", clip={
                "x": 0, "y": 0, "width": WIDTH, "height": HEIGHT, "scale": 0.75})["data"]  # fmt: skip
            Path(os.environ["FBS_BASEMAP_SCREENSHOT"]).write_bytes(base64.b64decode(shot))
        chromium.evaluate("1")
        assert chromium.problems() == []


def test_without_a_basemap_the_same_place_is_the_blank_background(store, chromium):
    with Dashboard(store, "127.0.0.1", 0, poll_interval_s=0.1) as d:
        _open_page(chromium, d.url)
        chromium.wait_for("document.querySelector('#map .estimate.v-fake') !== null", SLOW_S)
        chromium.wait_for("document.readyState === 'complete'", 5)
        box = chromium.evaluate(ESTIMATE_BOX)
        assert chromium.evaluate("document.querySelectorAll('#map .leaflet-tile-container img').length") == 0
        img = _screenshot(chromium)
        background = chromium.evaluate("getComputedStyle(document.getElementById('map')).backgroundColor")
        bg = np.array([int(v) for v in background[background.index("(") + 1 : -1].split(",")[:3]])
        ring = _ring(img, box["x"], box["y"])
        # only the region's light tint (15 %) and the odd reading dot over the background: no sand
        assert (np.abs(ring - np.array(LAND)).max(axis=1) < 40).mean() == 0, ring.tolist()
        assert (np.abs(ring - bg).max(axis=1) < 40).mean() >= 0.5, (background, ring.tolist())
        assert not [r for r in _requests(chromium) if "basemap.pmtiles" in r["url"]]
        assert chromium.problems() == []


CAR_OFFSET = (
    "(() => { const c = document.querySelector('#map .car.followed'); const m = document.getElementById('map');"
    " if (!c) return null; const r = c.getBoundingClientRect(), b = m.getBoundingClientRect();"
    " return [r.x + r.width / 2 - (b.left + b.width / 2), r.y + r.height / 2 - (b.top + b.height / 2)]; })()"
)


def _drive(chromium, store: SqliteStore, lat: float, seq: int) -> None:
    """car1 reports a reading at ``lat`` (timed on arrival: newer than any before); wait until the
    page's car marker shows it."""
    before = chromium.evaluate("document.querySelector('#map .car.followed').title")
    time.sleep(1.1)  # the marker's time has whole seconds
    body = cell_body(5, position=_position(lat, FAKE_AT[1]))
    body.pop("t_utc", None)
    store.save(make_envelope("observation", body, sensor="car1", seq=seq))
    chromium.wait_for(f"document.querySelector('#map .car.followed').title !== {json.dumps(before)}", SLOW_S)


def test_the_map_follows_the_car_until_told_not_to(store, archive, chromium):
    with Dashboard(store, "127.0.0.1", 0, poll_interval_s=0.1, basemap=archive) as d:
        _open_page(chromium, d.url)
        chromium.wait_for("document.querySelector('#map .estimate.v-fake') !== null", SLOW_S)
        assert chromium.evaluate("document.getElementById('follow').checked") is True
        assert chromium.evaluate("document.getElementById('follow-sensor').value") == "car1"  # the newest position
        centred = f"(() => {{ const o = {CAR_OFFSET}; return o && Math.abs(o[0]) <= 2 && Math.abs(o[1]) <= 2; }})()"
        chromium.wait_for(centred, SLOW_S)
        # the car drives 300 m north: the map goes with it (the next position poll, every 3 s)
        _drive(chromium, store, FAKE_AT[0] + 0.0027, 500)
        chromium.wait_for(centred, SLOW_S)
        # the officer stops following: the car still moves on the map, the map stays where it is
        chromium.evaluate("document.getElementById('follow').click()")
        assert chromium.evaluate("localStorage.getItem('fbs-dashboard-follow')") == "off"
        _drive(chromium, store, FAKE_AT[0] - 0.0027, 502)
        offset = chromium.evaluate(CAR_OFFSET)
        assert offset[1] > 100, offset  # the car is now well below the centre: the map stayed put
        chromium.evaluate("document.getElementById('follow').click()")  # follow again: back on the car
        chromium.wait_for(centred, SLOW_S)
        assert json.loads(json.dumps(chromium.problems())) == []


def test_the_vendored_files_are_the_recorded_ones_with_their_licences():
    import hashlib
    from importlib import resources

    vendor = resources.files("sensor").joinpath("data", "dashboard", "vendor")
    readme = vendor.joinpath("README.md").read_text()
    for name in ("leaflet/leaflet.js", "leaflet/leaflet.css", "pmtiles/pmtiles.js"):
        digest = hashlib.sha256(vendor.joinpath(*name.split("/")).read_bytes()).hexdigest()
        assert digest in readme, name  # README.md records what fetch.sh copied
    assert "Leaflet 1.9.4" in vendor.joinpath("leaflet", "leaflet.js").read_text()[:200]
    assert (
        "| leaflet | 1.9.4 |" in readme
        and "| pmtiles | 4.5.0 |" in readme
        and "PMTILES=4.5.0" in (vendor.joinpath("fetch.sh").read_text())
    )
    licences = {
        "leaflet/LICENSE": "Volodymyr Agafonkin",
        "pmtiles/LICENSE": "Protomaps LLC",
        "pmtiles/LICENSE.fflate": "Arjun Barrett",
    }
    for name, holder in licences.items():
        assert holder in vendor.joinpath(*name.split("/")).read_text(), name
