"""The report in a real headless Chromium, opened from file:// with the network switched off: no
request leaves the page, every plot is drawn, the basemap's tiles are painted under the hexagons,
nothing is logged (a Content-Security-Policy violation would be). ``FBS_REPORT_SCREENSHOT=PATH``
also writes the page as a PNG (docs/report.png is made so)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from click.testing import CliRunner

from sensor.cli import cli
from tests.report.scene import DAYS, FAKE_AT, HOSTILE_SENDER, fill
from tests.report.tiles import TILE_COLOUR, write_archive

PLOTS = ["heat-map", "coverage-map", "days", "hours", "sms-categories"]


def _area(path: Path) -> Path:
    lat, lon = FAKE_AT
    features = []
    for k, (dlat, dlon, name) in enumerate(((0.0, 0.0, "Huangpu"), (0.015, 0.05, "Pudong riverside"))):
        x0, y0, h = lon + dlon, lat + dlat, 0.012 + 0.02 * k
        ring = [[x0 - h, y0 - h], [x0 + h, y0 - h], [x0 + h, y0 + h], [x0 - h, y0 + h], [x0 - h, y0 - h]]
        features.append({"type": "Feature", "properties": {"name": name},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})  # fmt: skip
    path.write_text(__import__("json").dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_report_opens_offline_with_no_request_and_every_plot_drawn(tmp_path, chromium):
    db = tmp_path / "collector.sqlite"
    fill(db, hostile=True)
    out = tmp_path / "report.html"
    basemap = write_archive(tmp_path / "city.pmtiles", *FAKE_AT)
    r = CliRunner().invoke(cli, ["report", "--db", str(db), "--from", DAYS[0], "--to", DAYS[1], "--out", str(out),
                                 "--basemap", str(basemap), "--area", str(_area(tmp_path / "d.geojson"))],
                           env={"FBS_SENSOR_CONFIG": None, "XDG_CONFIG_HOME": "/nonexistent"})  # fmt: skip
    assert r.exit_code == 0, r.output
    for domain in ("Page", "Runtime", "Log", "Network"):
        chromium.call(f"{domain}.enable")
    chromium.call("Network.emulateNetworkConditions", offline=True, latency=0, downloadThroughput=-1,
                  uploadThroughput=-1)  # fmt: skip
    chromium.call("Emulation.setDeviceMetricsOverride", width=960, height=900, deviceScaleFactor=1, mobile=False)
    url = out.resolve().as_uri()
    chromium.call("Page.navigate", url=url)
    chromium.wait_for("document.readyState === 'complete'", 10)
    ids = chromium.evaluate(
        "[...document.querySelectorAll('svg.plot')].filter(s => s.getBoundingClientRect().width > 100 "
        "&& s.getBoundingClientRect().height > 20).map(s => s.id)"
    )
    assert ids == PLOTS
    # the basemap's tiles decoded and under the hexagons; the heat map's hexagons and the station drawn
    assert chromium.evaluate("document.querySelectorAll('#heat-map image.tile').length") > 0
    assert chromium.evaluate("document.querySelectorAll('#heat-map polygon.hot').length") > 0
    assert chromium.evaluate("document.querySelectorAll('#heat-map circle.station').length") == 1
    assert chromium.evaluate("document.querySelectorAll('#coverage-map polygon.cov').length") > 0
    assert HOSTILE_SENDER in chromium.evaluate("document.body.innerText")
    assert chromium.evaluate("document.scripts.length") == 0
    # a pixel of the heat map's ground, away from every hexagon: the basemap's colour under the hatch
    height = chromium.evaluate("Math.ceil(document.documentElement.scrollHeight)")
    chromium.call("Emulation.setDeviceMetricsOverride", width=960, height=min(height, 6000), deviceScaleFactor=1,
                  mobile=False)  # fmt: skip
    shot = base64.b64decode(chromium.call("Page.captureScreenshot", format="png")["data"])
    corner = chromium.evaluate(
        "(() => { const r = document.getElementById('heat-map').getBoundingClientRect(); "
        "return [Math.round(r.left + 3), Math.round(r.top + 3)]; })()"
    )
    assert _blueish(_pixel(shot, *corner)), _pixel(shot, *corner)
    if os.environ.get("FBS_REPORT_SCREENSHOT"):
        Path(os.environ["FBS_REPORT_SCREENSHOT"]).write_bytes(shot)
    chromium.evaluate("1")  # collect late events
    requests = [
        e["params"]["request"]["url"] for e in chromium.events if e.get("method") == "Network.requestWillBeSent"
    ]
    assert [u for u in requests if not u.startswith("data:")] in ([], [url])  # the file itself at most
    assert [u for u in requests if u != url and not u.startswith("data:")] == []
    failed = [e for e in chromium.events if e.get("method") == "Network.loadingFailed"]
    assert failed == []
    assert chromium.problems() == []


def _pixel(png: bytes, x: int, y: int) -> tuple[int, int, int]:
    """One RGB pixel of a PNG as Chromium writes it (8-bit RGB or RGBA, filtered rows)."""
    import struct
    import zlib

    pos, idat, width, channels = 8, b"", 0, 0
    while pos < len(png):
        n, kind = struct.unpack(">I4s", png[pos : pos + 8])
        data = png[pos + 8 : pos + 8 + n]
        if kind == b"IHDR":
            width, _, depth, colour = struct.unpack(">IIBB", data[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += data
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = width * channels
    prev = bytearray(stride)
    for row in range(y + 1):
        start = row * (stride + 1)
        f, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = line
    return tuple(prev[x * channels : x * channels + 3])  # type: ignore[return-value]


def _blueish(rgb: tuple[int, int, int]) -> bool:
    """The basemap's blue (TILE_COLOUR) seen through the translucent hatch: blue clearly above red."""
    r, g, b = rgb
    return b - r > (TILE_COLOUR[2] - TILE_COLOUR[0]) * 0.15
