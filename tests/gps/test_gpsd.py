"""gpsd JSON client: TPV/SKY parsing, and reconnection against a scripted fake gpsd."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from sensor.gps.fix import Fix, NoFix
from sensor.gps.gpsd import GpsdReports, GpsdSource, SkyInfo, tpv_to_fix
from sensor.gps.stats import GeoStats
from tests.gps.drive import drive
from tests.gps.waiting import wait_until

TPV = {
    "class": "TPV", "device": "/dev/pts/1", "mode": 3, "time": "2024-06-15T12:00:01.000Z", "ept": 0.005,
    "lat": 48.0001, "lon": 11.0001, "altHAE": 567.0, "altMSL": 520.0, "alt": 520.0, "track": 45.0,
    "speed": 10.289, "eph": 17.1,
}  # fmt: skip
T1 = 1718452801.0  # 2024-06-15T12:00:01Z


def test_tpv_3d() -> None:
    f = tpv_to_fix(TPV, source="g", received_mono_s=1.0, received_utc_s=T1 + 0.2)
    assert isinstance(f, Fix)
    assert (f.time_utc_s, f.lat_deg, f.lon_deg, f.alt_m, f.mode) == (T1, 48.0001, 11.0001, 520.0, "3d")
    assert f.speed_m_s == 10.289 and f.track_deg == 45.0 and f.hdop is None and f.received_utc_s == T1 + 0.2


def test_tpv_old_gpsd_alt_and_2d() -> None:
    old = {k: v for k, v in TPV.items() if k not in ("altMSL", "altHAE")}
    assert tpv_to_fix(old, source="g").alt_m == 520.0
    f2 = tpv_to_fix({**TPV, "mode": 2}, source="g")
    assert f2.mode == "2d" and f2.alt_m is None


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        ({"mode": 1, "lat": None}, "gpsd mode 1"),
        ({"mode": 0}, "gpsd mode 0"),
        ({"status": 5}, "gpsd status 5"),  # dead reckoning: a guess
        ({"status": 8}, "gpsd status 8"),  # simulated
    ],
)
def test_tpv_no_fix(change: dict, expect: str) -> None:
    f = tpv_to_fix({**TPV, **change}, source="g")
    assert isinstance(f, NoFix) and f.reason == expect and f.time_utc_s == T1


@pytest.mark.parametrize(
    "change",
    [{"mode": 7}, {"mode": "3"}, {"mode": True}, {"lat": "48"}, {"lat": 91.0}, {"lon": float("nan")},
     {"time": "yesterday"}, {"time": None}, {"altMSL": 1e7}, {"speed": -1.0}],
)  # fmt: skip
def test_tpv_unusable(change: dict) -> None:
    assert tpv_to_fix({**TPV, **change}, source="g") is None


def test_sky_hdop_and_used_satellites_attach_to_the_next_tpv() -> None:
    stats = GeoStats()
    reports = GpsdReports("g", stats)
    sky_old = {"class": "SKY", "hdop": 0.9, "satellites": [{"PRN": n, "used": n % 2 == 0} for n in range(1, 11)]}
    assert reports.line(json.dumps(sky_old).encode(), received_mono_s=10.0, received_utc_s=T1) is None
    f = reports.line(json.dumps(TPV).encode(), received_mono_s=10.5, received_utc_s=T1)
    assert f.hdop == 0.9 and f.satellites == 5
    reports.line(json.dumps({"class": "SKY", "hdop": 1.4, "uSat": 7, "nSat": 12}).encode(),
                 received_mono_s=11.0, received_utc_s=T1)  # fmt: skip
    assert reports.line(json.dumps(TPV).encode(), received_mono_s=11.1, received_utc_s=T1).satellites == 7
    stale = reports.line(json.dumps(TPV).encode(), received_mono_s=20.0, received_utc_s=T1)
    assert stale.hdop is None and stale.satellites is None  # SKY too old to vouch for this fix


def test_reports_never_raise_on_garbage() -> None:
    stats = GeoStats()
    reports = GpsdReports("g", stats, device="/dev/pts/1")
    for junk in [b"{", b"[]", b"null", b'{"class":5}', b"\xff\xfe", b'{"class":"TPV","mode":3}',
                 json.dumps({**TPV, "device": "/dev/other"}).encode(), b'{"class":"ERROR","message":"x"}']:  # fmt: skip
        assert reports.line(junk, received_mono_s=0.0, received_utc_s=0.0) is None
    assert stats.sentences_bad == 5 and stats.sentences_ignored == 2 and stats.rejected_epochs == 1


def test_sky_info_freshness() -> None:
    sky = SkyInfo()
    assert not sky.fresh(0.0)
    sky.update({"class": "SKY", "hdop": 0.0}, 1.0)
    assert sky.hdop is None and sky.fresh(2.0) and not sky.fresh(3.5)


class FakeGpsd:
    """A scripted gpsd: VERSION on connect, then TPV/SKY lines for a drive once ?WATCH arrives."""

    def __init__(self, port: int = 0, start_index: int = 0) -> None:
        self.listener = socket.create_server(("127.0.0.1", port), reuse_port=False)
        self.port = self.listener.getsockname()[1]
        self.epochs = drive(5000)
        self.i = start_index
        self.watch_seen = threading.Event()
        self.stop = threading.Event()
        self.conns: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.listener.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            self.conns.append(conn)
            threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    def _client(self, conn: socket.socket) -> None:
        try:
            conn.sendall(b'{"class":"VERSION","release":"fake","proto_major":3,"proto_minor":14}\n')
            if b"?WATCH" not in conn.recv(1024):
                return
            self.watch_seen.set()
            conn.sendall(b'{"class":"DEVICES","devices":[{"class":"DEVICE","path":"/dev/fake"}]}\n')
            while not self.stop.is_set():
                ep = self.epochs[self.i % len(self.epochs)]
                self.i += 1
                t = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(ep.time_utc_s))
                tpv = {"class": "TPV", "device": "/dev/fake", "mode": 3, "time": t, "lat": ep.lat_deg,
                       "lon": ep.lon_deg, "altMSL": 520.0, "speed": 15.0, "track": 45.0}  # fmt: skip
                sky = {"class": "SKY", "device": "/dev/fake", "hdop": 0.9, "uSat": 9}
                conn.sendall((json.dumps(sky) + "\n" + json.dumps(tpv) + "\n").encode())
                time.sleep(0.02)
        except OSError:
            pass

    def kill(self) -> None:
        self.stop.set()
        self.thread.join()
        for c in self.conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()
        self.listener.close()


def test_client_reconnects_after_fake_gpsd_restart() -> None:
    server = FakeGpsd()
    port = server.port
    src = GpsdSource("127.0.0.1", port, reconnect_min_s=0.05, reconnect_max_s=0.2, read_timeout_s=0.1)
    with src:
        wait_until(lambda: src.stats.fixes >= 5)
        f = src.latest()
        assert f.hdop == 0.9 and f.satellites == 9 and f.source == f"gpsd:127.0.0.1:{port}"
        i = server.i
        server.kill()
        wait_until(lambda: src.stats.losses >= 1)
        server = FakeGpsd(port, start_index=i + 10)  # gpsd is back; the car drove on
        n = src.stats.fixes
        wait_until(lambda: src.stats.fixes >= n + 5)
        assert src.stats.reconnects >= 1 and src.stats.recoveries >= 1 and src.connections >= 2
    server.kill()


def test_client_waits_for_gpsd_that_is_not_there_yet() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    src = GpsdSource("127.0.0.1", port, reconnect_min_s=0.05, reconnect_max_s=0.1, read_timeout_s=0.1)
    with src:
        time.sleep(0.3)
        assert src.latest() is None and src.position_at(time.time()) is None
        server = FakeGpsd(port)
        wait_until(lambda: src.stats.fixes >= 2)
    server.kill()
