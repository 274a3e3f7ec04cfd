"""The read-only dashboard: JSON API, security (token, read-only, loopback Host), server-sent events,
and the page itself in a real headless Chromium driven over the DevTools protocol."""

from __future__ import annotations

import base64
import json
import math
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from sensor.collector.dashboard import Dashboard
from sensor.collector.sqlite_store import SqliteStore
from sensor.errors import ConfigError
from sensor.gps.geodesy import distance_m
from sensor.publish.envelope import make_envelope
from tests.publish.transport import (
    COLLECTOR_MAIN,
    PYTHON,
    REPO,
    cell_body,
    detection_body,
    session_body,
    sms_body,
    wait_for_line,
)

FAKE_AT = (48.137, 11.575)  # where the synthetic fake transmitter stands
KM_PER_DEG_LAT = 111.0


def _position(lat: float, lon: float) -> dict[str, Any]:
    return {"lat_deg": lat, "lon_deg": lon, "alt_m": 520.0, "fix": "3d", "hdop": 0.9, "age_s": 0.2}


def _around(i: int, n: int = 24) -> tuple[float, float, float]:
    """A position on rings of 150/400/650 m around the fake, and its distance."""
    a = 2 * math.pi * i / n
    d = 150.0 + 250.0 * (i % 3)
    lat = FAKE_AT[0] + d * math.sin(a) / (KM_PER_DEG_LAT * 1000)
    lon = FAKE_AT[1] + d * math.cos(a) / (KM_PER_DEG_LAT * 1000 * math.cos(math.radians(FAKE_AT[0])))
    return lat, lon, d


FAKE = {"arfcn": 64, "bsic": 17, "mcc": "262", "mnc": "01", "lac": 7171, "cell_id": 29021}
REASONS = [
    {"rule": "reselection_bait", "weight": 0.5, "detail": "it adds 100 dB to its own signal in the phones' cell choice"}
]


def fake_observation(i: int) -> dict[str, Any]:
    lat, lon, d = _around(i)
    noise = ((i * 7919) % 13 - 6) / 3.0  # deterministic ±2 dB
    return cell_body(0, **FAKE, rssi_dbfs=-20.0 - 30.0 * math.log10(d) + noise, position=_position(lat, lon),
                     verdict="fake", score=0.97, reasons=REASONS, t_utc=f"2026-11-25T10:00:{i:02d}.000Z")  # fmt: skip


def detection(i: int, **changes: Any) -> dict[str, Any]:
    lat, lon, _ = _around(i)
    body = detection_body(0, **FAKE, reasons=REASONS, position=_position(lat, lon))
    body.update(changes)
    return body


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    s = SqliteStore(tmp_path / "collector.sqlite")
    envs = [make_envelope("observation", fake_observation(i), sensor="car1", seq=i) for i in range(24)]
    normal = cell_body(5, position=_position(FAKE_AT[0] + 0.003, FAKE_AT[1]), rssi_dbfs=-40.0)
    envs.append(make_envelope("observation", normal, sensor="car2", seq=1))
    envs += [make_envelope("detection", detection(i), sensor="car1", seq=100 + i) for i in range(2)]
    s.save_many(envs)
    yield s
    s.close()


@pytest.fixture
def dashboard(store: SqliteStore):
    with Dashboard(store, "127.0.0.1", 0, poll_interval_s=0.05) as d:
        yield d


def get(url: str, headers: dict[str, str] | None = None, method: str = "GET", data: bytes | None = None):
    """(status, headers, body) without raising on HTTP errors."""
    req = urllib.request.Request(url, headers=headers or {}, method=method, data=data)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def get_json(url: str, **kw: Any) -> Any:
    status, _, body = get(url, **kw)
    assert status == 200, body
    return json.loads(body)


# --------------------------------------------------------------------------- API


def test_transmitters_have_identity_verdicts_reasons_and_a_located_fake(dashboard):
    txs = get_json(dashboard.url + "api/transmitters")["transmitters"]
    assert len(txs) == 2
    fake, normal = txs  # gravest first
    assert (fake["arfcn"], fake["bsic"], fake["cell_id"], fake["verdict"]) == (64, 17, 29021, "fake")
    assert fake["verdicts"] == {"fake": 26} and fake["n_readings"] == 26 and fake["sensors"] == ["car1"]
    assert fake["reasons"][0]["rule"] == "reselection_bait" and fake["first_seen_utc"] == "2026-11-25T10:00:00.000000Z"
    est = fake["estimate"]
    assert fake["refusal"] is None and est["radius_m"] > 0 and est["region"] and len(est["region"][0][0]) == 2
    km = (
        math.hypot(est["lat"] - FAKE_AT[0], (est["lon"] - FAKE_AT[1]) * math.cos(math.radians(FAKE_AT[0])))
        * KM_PER_DEG_LAT
    )
    assert km * 1000 < est["radius_m"]  # the truth is within the 95 % radius
    look = fake["next_look"]  # where one more reading would narrow the region most
    assert look["direction"] in ("N", "NE", "E", "SE", "S", "SW", "W", "NW") and 0 < look["distance_m"] <= 600
    assert normal["verdict"] == "normal" and normal["n_readings"] == 1
    # real cells are not located by the dashboard (suspects are; `fbs-sensor locate --arfcn` does any)
    assert normal["estimate"] is None and normal["refusal"] is None and normal["next_look"] is None


def test_readings_filter_and_limit(dashboard):
    all_ = get_json(dashboard.url + "api/readings")["readings"]
    assert len(all_) == 27  # 25 observations + 2 detections
    fake = get_json(dashboard.url + "api/readings?arfcn=64&bsic=17&limit=5")["readings"]
    assert len(fake) == 5 and {r["verdict"] for r in fake} == {"fake"}
    assert all(r["lat"] is not None and r["rssi_dbfs"] is not None for r in fake if r["kind"] == "observation")
    status, _, body = get(dashboard.url + "api/readings?arfcn=sixty")
    assert status == 400 and b"integer" in body


def test_alerts_are_the_detections_in_arrival_order_with_reasons(dashboard):
    data = get_json(dashboard.url + "api/alerts")
    assert data["total"] == 2 and data["last_event_id"] == 2
    assert [a["seq"] for a in data["alerts"]] == [100, 101]
    a = data["alerts"][0]
    assert a["verdict"] == "fake" and a["arfcn"] == 64 and a["reasons"][0]["detail"].startswith("it adds")
    assert a["position"]["lat"] == pytest.approx(_around(0)[0])


def test_static_files_and_security_headers(dashboard):
    for path, kind in (("", "text/html"), ("app.js", "javascript"), ("style.css", "text/css")):
        status, headers, body = get(dashboard.url + path)
        assert status == 200 and kind in headers["Content-Type"] and body
        assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    _, headers, _ = get(dashboard.url + "?tiles=https://tile.example.org/{z}/{x}/{y}.png")
    assert "img-src 'self' blob: https://tile.example.org;" in headers["Content-Security-Policy"]
    assert get(dashboard.url + "nothing")[0] == 404
    status, headers, body = get(dashboard.url + "api/alerts", method="HEAD")
    assert status == 200 and body == b""


def test_read_only_everything_but_get_and_head_is_405(dashboard):
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        status, headers, _ = get(
            dashboard.url + "api/alerts", method=method, data=b"{}" if method != "OPTIONS" else None
        )
        assert status == 405 and headers["Allow"] == "GET, HEAD", method


def test_loopback_without_token_refuses_a_foreign_host_header(dashboard):
    assert dashboard.token is None
    assert get(dashboard.url + "api/alerts", headers={"Host": "evil.example"})[0] == 403
    assert get(dashboard.url + "api/alerts", headers={"Host": f"localhost:{dashboard.port}"})[0] == 200


def test_bound_beyond_loopback_a_token_is_generated_and_required(store):
    with Dashboard(store, "0.0.0.0", 0) as d:
        assert d.token_generated and len(d.token) >= 20
        base = f"http://127.0.0.1:{d.port}/"
        for path in ("", "api/transmitters", "api/alerts", "api/events"):
            status, headers, _ = get(base + path)
            assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer"), path
        assert get(base + "api/alerts", headers={"Authorization": "Bearer wrong"})[0] == 401
        assert get(base + "api/alerts?token=wrong")[0] == 401
        assert get(base + "api/alerts", headers={"Authorization": f"Bearer {d.token}"})[0] == 200
        assert get(base + f"api/alerts?token={d.token}")[0] == 200
        assert get(base + f"?token={d.token}")[0] == 200
        assert get(base + "app.js")[0] == 200  # no data in the code
        assert get(base + f"api/alerts?token={d.token}", method="POST", data=b"x")[0] == 405
    with Dashboard(store, "0.0.0.0", 0, token="given-secret") as d:
        assert not d.token_generated and d.token == "given-secret"


def test_events_stream_pushes_new_detections_and_heartbeats(store):
    with Dashboard(store, "127.0.0.1", 0, poll_interval_s=0.05, heartbeat_s=0.3) as d:
        sock = socket.create_connection(("127.0.0.1", d.port), timeout=5)
        sock.sendall(f"GET /api/events?after=2 HTTP/1.1\r\nHost: 127.0.0.1:{d.port}\r\n\r\n".encode())
        buf = b""
        while b": fbs-sensor dashboard events" not in buf:
            buf += sock.recv(4096)
        assert b"text/event-stream" in buf
        store.save(make_envelope("detection", detection(5, arfcn=99), sensor="car2", seq=7))
        deadline = time.monotonic() + 5
        while not (b"event: detection" in buf and b": heartbeat" in buf) and time.monotonic() < deadline:
            buf += sock.recv(4096)
        sock.close()
        assert b"id: 3\nevent: detection\n" in buf and b'"arfcn":99' in buf and b": heartbeat" in buf


def test_events_resume_from_an_old_last_event_id(store, dashboard):
    sock = socket.create_connection(("127.0.0.1", dashboard.port), timeout=5)
    sock.sendall(b"GET /api/events HTTP/1.1\r\nHost: localhost\r\nLast-Event-ID: 0\r\n\r\n")
    buf = b""
    while b"id: 2\n" not in buf:
        chunk = sock.recv(4096)
        assert chunk
        buf += chunk
    sock.close()
    assert b"id: 1\nevent: detection" in buf


def test_a_port_in_use_is_a_config_error(store, dashboard):
    with pytest.raises(ConfigError, match="cannot listen"):
        Dashboard(store, "127.0.0.1", dashboard.port).start()


def test_collector_command_serves_the_dashboard_with_a_printed_token_and_stops_it(tmp_path):
    log = tmp_path / "collector.log"
    args = [
        "--db",
        str(tmp_path / "c.sqlite"),
        "--bind",
        "tcp://127.0.0.1:0",
        "--allow-plaintext",
        "--dashboard",
        "0.0.0.0:0",
    ]
    with open(log, "w") as err:
        proc = subprocess.Popen([PYTHON, "-c", COLLECTOR_MAIN, *args], cwd=REPO, stderr=err, stdout=subprocess.DEVNULL)
    try:
        line = wait_for_line(log, "dashboard on", timeout_s=60)
        port, token = re.search(r"http://[^ ]+:(\d+)/\?token=(\S+)", line).groups()
        base = f"http://127.0.0.1:{port}/api/alerts"
        assert get(base)[0] == 401
        assert json.loads(get(base, headers={"Authorization": f"Bearer {token}"})[2])["alerts"] == []
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
        with pytest.raises(OSError):
            urllib.request.urlopen(base, timeout=2)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


DASHBOARD_MAIN = (
    "import sys; from sensor.commands.dashboard import command; "
    "command.main(sys.argv[1:], prog_name='fbs-sensor dashboard')"
)


def test_dashboard_command_serves_an_existing_database_and_stops_on_sigint(store, tmp_path):
    log = tmp_path / "dashboard.log"
    db = str(tmp_path / "collector.sqlite")
    with open(log, "w") as err:
        proc = subprocess.Popen([PYTHON, "-c", DASHBOARD_MAIN, "--db", db, "--bind", "127.0.0.1:0"], cwd=REPO,
                                stderr=err, stdout=subprocess.DEVNULL)  # fmt: skip
    try:
        line = wait_for_line(log, "fbs-sensor dashboard: http", timeout_s=60)
        port = re.search(r"http://127\.0\.0\.1:(\d+)/ ", line)[1]
        txs = get_json(f"http://127.0.0.1:{port}/api/transmitters")["transmitters"]
        assert [t["verdict"] for t in txs] == ["fake", "normal"]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_dashboard_command_refuses_a_missing_database_in_one_line(tmp_path):
    from click.testing import CliRunner

    from sensor.cli import cli

    r = CliRunner().invoke(cli, ["dashboard", "--db", str(tmp_path / "none.sqlite")], env={"XDG_CONFIG_HOME": "/x"})
    assert r.exit_code == 2 and "no such database" in r.stderr and "Traceback" not in r.output
    assert not (tmp_path / "none.sqlite").exists()  # never created


# --------------------------------------------------------------------------- the page in a real browser

# The browser: the ``chromium`` fixture (tests/conftest.py, tests/chromium.py).


def test_page_in_headless_chromium_shows_a_live_alert_and_the_map(store, chromium, tmp_path):
    with Dashboard(store, "127.0.0.1", 0, poll_interval_s=0.1) as d:
        for domain in ("Runtime", "Log", "Page"):
            chromium.call(f"{domain}.enable")
        chromium.call("Page.navigate", url=d.url)
        # two detections and 24 readings of one fake station: one card
        chromium.wait_for("document.querySelectorAll('#alerts li.alert').length === 1", 10)
        chromium.wait_for("document.querySelector('#map .estimate') !== null", 10)
        # the card says how far and which way the estimate is from where the car last was
        card = _cards(chromium)[0]["text"]
        m = re.search(r"drive (\d+) m ([NESW]{1,2}) \(bearing (\d+)°\) from car1's last position", card)
        assert m, card
        rs = [r for r in get_json(d.url + "api/readings?limit=5000")["readings"] if r["lat"] is not None]
        last = max(reversed(rs), key=lambda r: r["time_utc"])  # car1's newest positioned reading (the last of equals)
        est = get_json(d.url + "api/transmitters")["transmitters"][0]["estimate"]
        assert abs(int(m[1]) - distance_m(last["lat"], last["lon"], est["lat"], est["lon"])) <= 1
        chromium.wait_for("document.getElementById('live').textContent === 'live'", 5)

        store.save(make_envelope("detection", detection(9, arfcn=77, bsic=3, cell_id=4242), sensor="car2", seq=9))
        text = chromium.wait_for(
            "(() => { const a = document.querySelector('#alerts li.alert'); "
            "return a && a.textContent.includes('ARFCN 77') ? a.textContent : null; })()", 5)  # fmt: skip
        assert "BSIC 3" in text and "it adds 100 dB" in text and "car2" in text  # newest first, reasons in words

        est = chromium.evaluate(
            "(() => { const e = document.querySelector('#map .estimate.v-fake'); "
            "return e && {key: e.dataset.key, regions: document.querySelectorAll('#map path.region').length, "
            "readings: document.querySelectorAll('#map path.reading').length}; })()")  # fmt: skip
        assert est and est["key"] == "262/01/7171/29021/64/17" and est["regions"] >= 1 and est["readings"] >= 25
        rows = chromium.evaluate(
            "Array.from(document.querySelectorAll('#transmitters tbody tr')).map(r => r.textContent)"
        )
        assert any("fake" in r and "reselection" not in r and "100 dB" in r for r in rows)
        assert any("fake" in r and "next reading best" in r for r in rows)
        look = chromium.evaluate("(() => { const g = document.querySelector('#map .next-look.v-fake'); "
                                 "return g && g.dataset.key; })()")  # fmt: skip
        assert look == "262/01/7171/29021/64/17"
        chromium.wait_for(
            "document.querySelectorAll('#transmitters tbody tr').length === 3", 5
        )  # refreshed after the event
        if os.environ.get("FBS_DASHBOARD_SCREENSHOT"):
            shot = chromium.call("Page.captureScreenshot", format="png")["data"]
            Path(os.environ["FBS_DASHBOARD_SCREENSHOT"]).write_bytes(base64.b64decode(shot))
        chromium.evaluate("1")  # collect any late events
        assert chromium.problems() == []


def _cards(chromium) -> list[dict[str, Any]]:
    return chromium.evaluate(
        "Array.from(document.querySelectorAll('#alerts li.alert')).map(li => "
        "({key: li.dataset.key, cls: li.className, text: li.textContent}))"
    )


def test_a_stream_of_1000_detections_of_one_fake_is_one_card_announced_once_per_hardening(tmp_path, chromium):
    with SqliteStore(tmp_path / "c.sqlite") as store:
        store.save(make_envelope("observation", cell_body(5, position=_position(*FAKE_AT)), sensor="car2", seq=1))
        covered = {"state": "scanning", "summary": "scanned 174 of 174 ARFCNs, 38 s received in 40 s"}
        store.save(make_envelope("status", covered, sensor="car2", seq=2))
        with Dashboard(store, "127.0.0.1", 0, poll_interval_s=0.05) as d:
            for domain in ("Runtime", "Log", "Page"):
                chromium.call(f"{domain}.enable")
            chromium.call("Page.navigate", url=d.url)
            chromium.wait_for("document.getElementById('live').textContent === 'live'", 10)
            # what was scanned stands beside the empty alert list
            chromium.wait_for(
                "document.getElementById('coverage').textContent.includes('car2: scanned 174 of 174')", 10
            )
            assert chromium.evaluate("document.getElementById('no-alerts').hidden") is False
            seq = 100
            for verdict in ("suspicious", "fake"):
                for _ in range(10):  # 500 readings of each verdict, arriving in bursts as a stream
                    envs = [make_envelope("detection", detection(i, verdict=verdict), sensor="car1", seq=seq + i)
                            for i in range(50)]  # fmt: skip
                    seq += 50
                    store.save_many(envs)
                    time.sleep(0.05)
                chromium.wait_for(
                    f"(() => {{ const a = document.querySelector('#alerts li.alert.{verdict}'); "
                    f"return a && a.textContent.includes('{500 if verdict == 'suspicious' else 1000} readings'); }})()",
                    20,
                )
            cards = _cards(chromium)
            assert len(cards) == 1 and cards[0]["key"] == "262/01/7171/29021/64/17"
            assert "verdict suspicious → fake" in cards[0]["text"] and "500 suspicious, 500 fake" in cards[0]["text"]
            said = chromium.evaluate(
                "Array.from(document.querySelectorAll('#announce .announcement')).map(e => e.textContent)"
            )
            assert len(said) == 2, said  # the new transmitter, then its verdict hardening: never per reading
            assert "new suspicious transmitter: ARFCN 64 BSIC 17" in said[1] and "now judged fake" in said[0]
            assert chromium.evaluate("document.getElementById('sound').checked") is False  # no sound unless allowed
            chromium.evaluate("1")
            assert chromium.problems() == []


HOSTILE_TEXT = (
    '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> 点击 http://evil.example/pay 领取'
)
HOSTILE_SENDER = "<b onmouseover=alert(1)>95588</b>"


def _hostile_store(path: Path) -> SqliteStore:
    s = SqliteStore(path)
    envs = [make_envelope("observation", fake_observation(i), sensor="car1", seq=i) for i in range(24)]
    hostile = [{"rule": "x", "weight": 0.5, "detail": "<script>window.__pwned=3</script>it lures"}]
    envs.append(make_envelope("detection", detection(0, reasons=hostile), sensor="car1", seq=50))
    ident = {k: FAKE[k] for k in ("mcc", "mnc", "lac", "cell_id")}
    envs += [make_envelope("session", session_body(i, **ident), sensor="car1", seq=60 + i) for i in range(3)]
    envs += [make_envelope("sms", sms_body(i, **ident, text=HOSTILE_TEXT if i == 2 else f"msg {i}",
                                           sender=HOSTILE_SENDER, sender_type="alphanumeric"),
                           sensor="car1", seq=70 + i) for i in range(3)]  # fmt: skip
    # an SMS published before the sensor knew the cell's identity counts under the same transmitter
    envs.append(make_envelope("sms", sms_body(3, mcc=None, mnc=None, lac=None, cell_id=None), sensor="car1", seq=80))
    s.save_many(envs)
    return s


def test_transmitters_carry_activity_and_the_latest_sms_with_links_defanged(tmp_path):
    with _hostile_store(tmp_path / "c.sqlite") as store, Dashboard(store, "127.0.0.1", 0) as d:
        fake = get_json(d.url + "api/transmitters")["transmitters"][0]
    a = fake["activity"]
    assert (a["sessions"], a["phones"], a["sms"], a["sms_serious"]) == (3, 3, 4, 5000)
    texts = [m["text"] for m in a["latest_sms"]]
    assert len(texts) == 3 and texts[-1] == texts[-1].replace("http://evil.example", "")  # newest last, defanged
    hostile = next(t for t in texts if "<img" in t)
    assert "hxxp://evil[.]example/pay" in hostile and hostile.startswith('<img src=x onerror="window.__pwned=1">')


def test_hostile_sms_and_reason_text_is_shown_literally_and_runs_nothing(tmp_path, chromium):
    with _hostile_store(tmp_path / "c.sqlite") as store, Dashboard(store, "127.0.0.1", 0) as d:
        for domain in ("Runtime", "Log", "Page"):
            chromium.call(f"{domain}.enable")
        chromium.call("Page.navigate", url=d.url)
        chromium.wait_for("document.querySelector('#alerts li.alert .sms') !== null", 10)
        shown = chromium.evaluate("Array.from(document.querySelectorAll('#alerts .sms .text')).map(e => e.textContent)")
        assert HOSTILE_TEXT.replace("http://evil.example", "hxxp://evil[.]example") in shown
        senders = chromium.evaluate(
            "Array.from(document.querySelectorAll('#alerts .sms .sender')).map(e => e.textContent)"
        )
        assert HOSTILE_SENDER in senders
        card = _cards(chromium)[0]["text"]
        assert "<script>window.__pwned=3</script>it lures" in card
        assert "SMS 4 (serious: 0 of 5,000, not reached; 情节严重 threshold)" in card  # the evidence interval
        assert "phones reached 4" in card  # 3 sessions' phones and the phone of the SMS heard before SI3
        assert chromium.evaluate("typeof window.__pwned") == "undefined"
        assert chromium.evaluate("document.querySelectorAll('main img, main script, main b').length") == 0
        chromium.evaluate("1")
        assert chromium.problems() == []


def test_a_fake_heard_before_its_si3_keeps_its_card_once_its_identity_is_decoded(tmp_path, chromium):
    with SqliteStore(tmp_path / "c.sqlite") as store, Dashboard(store, "127.0.0.1", 0, poll_interval_s=0.05) as d:
        for domain in ("Runtime", "Log", "Page"):
            chromium.call(f"{domain}.enable")
        chromium.call("Page.navigate", url=d.url)
        chromium.wait_for("document.getElementById('live').textContent === 'live'", 10)
        store.save_many(
            [make_envelope("detection", detection(i, cell_id=None), sensor="car1", seq=i) for i in range(3)]
        )
        chromium.wait_for("document.querySelector('#alerts li.alert')?.textContent.includes('CI ?')", 10)
        store.save_many([make_envelope("detection", detection(i), sensor="car1", seq=10 + i) for i in range(3)])
        chromium.wait_for("document.querySelector('#alerts li.alert')?.textContent.includes('CI 29021')", 10)
        cards = _cards(chromium)
        assert len(cards) == 1 and "6 readings" in cards[0]["text"]
        said = chromium.evaluate("document.querySelectorAll('#announce .announcement').length")
        assert said == 1  # announced when it appeared, not again when its identity was decoded
        assert chromium.problems() == []


CAMPAIGN_TEXTS = [  # (text, SMS of it): five campaigns on the fake, the hostile one with its link kept
    ('<img src=x onerror="window.__pwned=5"> 登录 http://evil.example/login 核实 ]]> & [bold]', 4),
    ("【中国移动】积分兑换即将清零，请回复", 3),
    ("您的包裹地址有误，请联系客服处理", 2),
    ("恭喜您获得年终抽奖资格，请尽快领取", 1),
    ("贵宾您好，本店新到一批商品欢迎选购", 1),
]


def _campaign_store(path: Path) -> SqliteStore:
    """The located fake with five campaigns; the first one's SMS carry ``findings`` of nothing (as a
    sensor that found no link in them publishes them), so its template keeps the link as sent."""
    s = SqliteStore(path)
    envs = [make_envelope("observation", fake_observation(i), sensor="car1", seq=i) for i in range(24)]
    envs.append(make_envelope("detection", detection(0), sensor="car1", seq=50))
    ident = {k: FAKE[k] for k in ("mcc", "mnc", "lac", "cell_id")}
    i = 0
    for n, (text, count) in enumerate(CAMPAIGN_TEXTS):
        for _ in range(count):
            extra = {"findings": []} if n == 0 else {}
            envs.append(make_envelope("session", session_body(i, **ident), sensor="car1", seq=100 + i))
            envs.append(make_envelope("sms", sms_body(i, **ident, text=text, category="phishing", **extra),
                                      sensor="car2" if n == 0 and i else "car1", seq=200 + i))  # fmt: skip
            i += 1
    s.save_many(envs)
    return s


def test_a_card_carries_its_top_campaigns_literally_links_defanged_and_the_evidence_interval(tmp_path):
    with _campaign_store(tmp_path / "c.sqlite") as store, Dashboard(store, "127.0.0.1", 0) as d:
        fake = get_json(d.url + "api/transmitters")["transmitters"][0]
        raw = get_json(d.url + "api/campaigns")["campaigns"]
    a = fake["activity"]
    assert len(raw) == 5 and a["campaigns_more"] == 2  # the top three shown, two counted
    shown = a["campaigns"]
    assert [c["sms"] for c in shown] == [4, 3, 2] and [c["sms_all"] for c in shown] == [4, 3, 2]
    hostile = shown[0]
    assert hostile["template"] == (
        '<img src=x onerror="window.__pwned={number}"> 登录 hxxp://evil[.]example/login 核实 ]]> & [bold]'
    )  # kept as sent (no escaping, nothing cut), the link that survived in the template defanged
    assert "http://evil.example" in next(c["template"] for c in raw if "evil" in c["template"])  # the raw API's
    assert (hostile["sensors"], hostile["phones"]) == (2, 4)
    assert (hostile["first_utc"], hostile["last_utc"]) == ("2026-12-07T10:00:00.500000Z", "2026-12-07T10:00:03.500000Z")
    assert shown[1]["template"] == "【中国移动】积分兑换即将清零，请回复"
    ev = a["evidence"]  # every session complete and decoded: seen is all there was
    assert ev == {"sms": [11, 11], "phones": [11, 11], "serious": [11, 11], "threshold": 5000, "status": "not reached"}


def test_evidence_of_a_transmitter_is_its_one_record_judged_against_the_threshold():
    from sensor.collector.dashboard_views import evidence_view

    def record(sms: tuple[int, int], serious: tuple[int, int]) -> dict[str, Any]:
        return {"sms": {"interval": list(sms)}, "phones": {"interval": [1, 2]}, "serious": {"interval": list(serious)}}

    assert evidence_view(None) is None
    got = evidence_view(record((5000, 5500), (4900, 5300)))
    assert got == {"sms": [5000, 5500], "phones": [1, 2], "serious": [4900, 5300], "threshold": 5000,
                   "status": "may be reached"}  # fmt: skip
    assert evidence_view(record((5000, 5000), (5000, 5000)))["status"] == "reached"


def test_campaigns_on_the_page_are_text_defanged_and_the_rest_counted(tmp_path, chromium):
    with _campaign_store(tmp_path / "c.sqlite") as store, Dashboard(store, "127.0.0.1", 0) as d:
        chromium.open(d.url, "document.querySelector('#alerts .campaigns .template') !== null", 20)
        templates = chromium.texts("#alerts .campaigns .template")
        assert templates[0] == (
            '<img src=x onerror="window.__pwned={number}"> 登录 hxxp://evil[.]example/login 核实 ]]> & [bold]'
        )
        assert templates[1:] == ["【中国移动】积分兑换即将清零，请回复", "您的包裹地址有误，请联系客服处理"]
        card = _cards(chromium)[0]["text"]
        assert "+2 more" in card and "4 SMS, first 2026-12-07 10:00:00" in card and "2 sensors" in card
        assert "SMS 11 (serious: 11 of 5,000, not reached" in card
        assert chromium.evaluate("typeof window.__pwned") == "undefined"
        assert chromium.evaluate("document.querySelectorAll('main img, main script, main b').length") == 0
        chromium.evaluate("1")
        assert chromium.problems() == []


def test_campaigns_and_evidence_are_read_again_only_when_due_and_a_stale_table_is_rebuilt(tmp_path, monkeypatch):
    from sensor.collector import dashboard_table
    from sensor.collector.dashboard_table import TransmitterTable

    ident = {k: FAKE[k] for k in ("mcc", "mnc", "lac", "cell_id")}
    with _campaign_store(tmp_path / "c.sqlite") as store:
        table = TransmitterTable(store)
        first = table.build()["transmitters"][0]["activity"]
        assert first["campaigns"][0]["sms"] == 4 and first["evidence"]["sms"] == [11, 11]
        reads = []
        monkeypatch.setattr(store, "campaigns", lambda real=store.campaigns: reads.append(1) or real())
        assert table.build()["transmitters"][0]["activity"] == first and not reads  # nothing new: not read
        monkeypatch.setattr(dashboard_table, "INTEL_MIN_S", 3600.0)
        store.save_many([make_envelope("sms", sms_body(50, **ident, text=CAMPAIGN_TEXTS[0][0], findings=[],
                                                        category="phishing"), sensor="car1", seq=999)])  # fmt: skip
        stale = table.build()["transmitters"][0]["activity"]
        assert not reads and stale["campaigns"] == first["campaigns"] and stale["sms"] == 12  # the last ones shown
        monkeypatch.setattr(dashboard_table, "INTEL_MIN_S", 0.0)
        monkeypatch.setattr(dashboard_table, "INTEL_DUTY", 0.0)
        fresh = table.build()["transmitters"][0]["activity"]  # same store count: not served from the cache
        assert reads == [1] and fresh["campaigns"][0]["sms"] == 5 and fresh["evidence"]["sms"] == [12, 12]


def test_evidence_read_before_two_identities_merged_is_not_added_while_stale(tmp_path, monkeypatch):
    """car1 hears the fake only before its SI3 is decoded, car2 only after: two rows (no sensor heard
    both). Their evidence is read; then car1 hears it complete too and the rows merge. Until the
    evidence is read again (not due yet) the merged row shows the complete identity's own record,
    never the sum of both (phone 0 twice); read again, the one record over both identities."""
    from sensor.collector import dashboard_table
    from sensor.collector.dashboard_table import TransmitterTable
    from tests.collector.test_store import COMPLETE, _ident, _one_phone_under_two_identities

    with SqliteStore(tmp_path / "c.sqlite") as store:
        envs = _one_phone_under_two_identities()
        for e in envs:  # what was heard with the identity complete: car2's
            if e["body"].get("cell_id") == COMPLETE[3]:
                e["sensor"] = "car2"
        store.save_many([make_envelope(e["kind"], e["body"], sensor=e["sensor"], seq=e["seq"]) for e in envs])
        table = TransmitterTable(store)
        rows = {t["key"]: t for t in table.build()["transmitters"] if t["arfcn"] == 64}
        assert set(rows) == {"460/01/9507/-/64/17", "460/01/9507/4242/64/17"}
        assert rows["460/01/9507/4242/64/17"]["activity"]["evidence"]["phones"] == [2, 2]
        monkeypatch.setattr(dashboard_table, "INTEL_MIN_S", 3600.0)
        heard = cell_body(0, arfcn=64, bsic=17, **_ident(COMPLETE), t_utc="2026-12-07T10:00:30.000000Z")
        store.save_many([make_envelope("observation", heard, sensor="car1", seq=500)])
        (row,) = [t for t in table.build()["transmitters"] if t["arfcn"] == 64]
        assert row["key"] == "460/01/9507/4242/64/17" and row["activity"]["phones"] == 2
        assert row["activity"]["evidence"]["phones"] == [2, 2]  # its own record ([3, 4] if added)
        monkeypatch.setattr(dashboard_table, "INTEL_MIN_S", 0.0)
        monkeypatch.setattr(dashboard_table, "INTEL_DUTY", 0.0)
        (row,) = [t for t in table.build()["transmitters"] if t["arfcn"] == 64]
        assert row["activity"]["evidence"]["phones"] == [2, 3]
