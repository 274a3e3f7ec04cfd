"""Fixes from gpsd over its JSON protocol (TCP, default 127.0.0.1:2947).

The client sends ``?WATCH={"enable":true,"json":true}`` and reads one JSON object per line
(gpsd's protocol, https://gpsd.io/gpsd_json.html): ``TPV`` reports carry time, mode (0 unknown,
1 no fix, 2 2D, 3 3D), lat/lon, altMSL (``alt`` before gpsd 3.20), speed, track; ``SKY`` reports
carry hdop and the satellites used (``uSat`` from gpsd 3.23, else the ``used`` flags). A TPV is a
fix when mode ≥ 2 and its status is not dead reckoning, time-only or simulated. gpsd sends each
cycle's SKY after its TPV, so hdop and the satellite count of a fix come from the SKY of the
previous cycle, if it came in the last ``SKY_FRESH_S`` seconds and no no-fix report came since
(the first fix after a loss has hdop None).

When gpsd goes away (restart, crash, socket closed), the client reconnects with backoff.
"""

from __future__ import annotations

import json
import logging
import math
import socket
import time
from typing import Any

from sensor.gps.align import AlignConfig
from sensor.gps.fix import Fix, NoFix
from sensor.gps.source import PositionSource
from sensor.gps.stats import GeoStats
from sensor.gps.utc import parse_utc_time

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 2947
WATCH = b'?WATCH={"enable":true,"json":true}\n'
MAX_LINE_BYTES = 1 << 20  # gpsd's largest reports (SKY with many satellites) are a few kB
SKY_FRESH_S = 2.0
# TPV status values that are not measured positions: 5 dead reckoning, 6 GNSS + dead reckoning,
# 7 time only (surveyed), 8 simulated.
NOT_A_FIX_STATUS = frozenset({5, 6, 7, 8})


def _number(report: dict[str, Any], key: str) -> float | None:
    v = report.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        return None
    return float(v)


class SkyInfo:
    """The latest SKY report's hdop and satellites used."""

    def __init__(self) -> None:
        self.hdop: float | None = None
        self.satellites: int | None = None
        self.received_mono_s: float | None = None

    def update(self, report: dict[str, Any], received_mono_s: float) -> None:
        hdop = _number(report, "hdop")
        self.hdop = hdop if hdop is not None and 0.0 < hdop <= 100.0 else None
        used = report.get("uSat")
        if isinstance(used, int) and not isinstance(used, bool):
            self.satellites = used if 0 <= used <= 255 else None
        elif isinstance(report.get("satellites"), list):
            self.satellites = sum(1 for s in report["satellites"] if isinstance(s, dict) and s.get("used") is True)
        else:
            self.satellites = None
        self.received_mono_s = received_mono_s

    def fresh(self, now_mono_s: float) -> bool:
        return self.received_mono_s is not None and now_mono_s - self.received_mono_s <= SKY_FRESH_S


def tpv_to_fix(
    report: dict[str, Any],
    *,
    source: str,
    sky: SkyInfo | None = None,
    received_mono_s: float | None = None,
    received_utc_s: float | None = None,
) -> Fix | NoFix | None:
    """A TPV report → ``Fix``, ``NoFix`` (gpsd says no fix), or None (unusable report)."""
    t = parse_utc_time(report.get("time"))
    mode = report.get("mode")
    if isinstance(mode, bool) or not isinstance(mode, int) or not 0 <= mode <= 3:
        return None
    if mode < 2:
        return NoFix(t, f"gpsd mode {mode}", source, received_mono_s, received_utc_s)
    status = report.get("status")
    if isinstance(status, int) and status in NOT_A_FIX_STATUS:
        return NoFix(t, f"gpsd status {status}", source, received_mono_s, received_utc_s)
    lat, lon = _number(report, "lat"), _number(report, "lon")
    if t is None or lat is None or lon is None:
        return None
    alt = None
    if mode == 3:
        alt = _number(report, "altMSL")
        if alt is None:
            alt = _number(report, "alt")
    hdop = sats = None
    if sky is not None and received_mono_s is not None and sky.fresh(received_mono_s):
        hdop, sats = sky.hdop, sky.satellites
    track = _number(report, "track")
    if track is not None and track >= 360.0:
        track -= 360.0
    try:
        return Fix(
            time_utc_s=t,
            lat_deg=lat,
            lon_deg=lon,
            alt_m=alt,
            mode="3d" if mode == 3 else "2d",
            hdop=hdop,
            satellites=sats,
            speed_m_s=_number(report, "speed"),
            track_deg=track,
            source=source,
            received_mono_s=received_mono_s,
            received_utc_s=received_utc_s,
        )
    except ValueError as exc:
        log.debug("%s: implausible TPV dropped: %s", source, exc)
        return None


class GpsdReports:
    """Lines of gpsd JSON in, ``Fix``/``NoFix`` out. Never raises on input; counts into ``stats``."""

    def __init__(self, source: str, stats: GeoStats, *, device: str | None = None) -> None:
        self.source = source
        self.stats = stats
        self.device = device
        self.sky = SkyInfo()
        self._last_tpv_was_fix = True  # gpsd may send a SKY before the first TPV
        self._warned_no_device = False

    def line(self, raw: bytes, *, received_mono_s: float, received_utc_s: float) -> Fix | NoFix | None:
        raw = raw.strip()
        if not raw:
            return None
        try:
            report = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            self.stats.sentences_bad += 1
            return None
        if not isinstance(report, dict) or not isinstance(report.get("class"), str):
            self.stats.sentences_bad += 1
            return None
        cls = report["class"]
        if self.device is not None and "device" in report and report["device"] != self.device:
            self.stats.sentences_ignored += 1
            return None
        if cls == "TPV":
            item = tpv_to_fix(
                report, source=self.source, sky=self.sky, received_mono_s=received_mono_s, received_utc_s=received_utc_s
            )
            if item is None:
                self.stats.rejected_epochs += 1
            else:
                self.stats.sentences_ok += 1
                if isinstance(item, NoFix):
                    self.stats.no_fix_epochs += 1
                    self.sky = SkyInfo()
                self._last_tpv_was_fix = isinstance(item, Fix)
            return item
        if cls == "SKY":
            if self._last_tpv_was_fix:
                self.sky.update(report, received_mono_s)
            # else: the SKY of a no-fix cycle (hdop 99.99) must not vouch for the next fix
            self.stats.sentences_ok += 1
            return None
        if cls == "DEVICES":
            devices = report.get("devices")
            if isinstance(devices, list) and not devices and not self._warned_no_device:
                log.warning("%s: gpsd has no GPS device", self.source)
                self._warned_no_device = True
            elif devices:
                self._warned_no_device = False
        elif cls == "ERROR":
            log.warning("%s: gpsd says: %s", self.source, report.get("message"))
        self.stats.sentences_ignored += 1
        return None


class GpsdSource(PositionSource):
    """Fixes from a gpsd daemon; reconnects with backoff when gpsd restarts."""

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        device: str | None = None,
        connect_timeout_s: float = 3.0,
        read_timeout_s: float = 0.5,
        silence_s: float = 5.0,
        reconnect_min_s: float = 0.2,
        reconnect_max_s: float = 5.0,
        align: AlignConfig | None = None,
    ) -> None:
        super().__init__(f"gpsd:{host}:{port}", align=align)
        self.host, self.port, self.device = host, port, device
        self.connect_timeout_s = connect_timeout_s
        self.read_timeout_s = read_timeout_s
        self.silence_s = silence_s
        self.reconnect_min_s = reconnect_min_s
        self.reconnect_max_s = reconnect_max_s
        self.connections = 0
        self._sock: socket.socket | None = None

    def _run(self) -> None:
        backoff = self.reconnect_min_s
        complained = False
        while not self._stopping.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout_s)
            except OSError as exc:
                (log.debug if complained else log.warning)("%s: cannot connect to gpsd: %s", self.name, exc)
                complained = True
                self.health.lost("gpsd unreachable")
                if self._wait(backoff):
                    return
                backoff = min(backoff * 2, self.reconnect_max_s)
                continue
            self.connections += 1
            if self.connections > 1:
                self.stats.reconnects += 1
            log.info("%s: connected to gpsd", self.name)
            complained = False
            backoff = self.reconnect_min_s
            self._sock = sock
            try:
                self._session(sock)
            except OSError as exc:
                if not self._stopping.is_set():
                    log.warning("%s: gpsd connection lost: %s", self.name, exc)
            except Exception:
                self.stats.errors += 1
                log.exception("%s: unexpected error reading gpsd", self.name)
            finally:
                self._sock = None
                sock.close()
            if self._stopping.is_set():
                return
            self.health.lost("gpsd connection lost")
            if self._wait(backoff):
                return

    def _session(self, sock: socket.socket) -> None:
        sock.settimeout(self.read_timeout_s)
        sock.sendall(WATCH)
        reports = GpsdReports(self.name, self.stats, device=self.device)
        buf = bytearray()
        last_fixish = time.monotonic()
        silent_reported = False
        while not self._stopping.is_set():
            try:
                data = sock.recv(65536)
            except TimeoutError:
                data = None
            now_mono = time.monotonic()
            if data == b"":
                log.info("%s: gpsd closed the connection", self.name)
                return
            if data:
                self.stats.bytes_read += len(data)
                buf += data
                while (nl := buf.find(b"\n")) >= 0:
                    line = bytes(buf[:nl])
                    del buf[: nl + 1]
                    item = reports.line(line, received_mono_s=now_mono, received_utc_s=time.time())
                    if item is not None:
                        last_fixish, silent_reported = now_mono, False
                        self._publish(item)
                if len(buf) > MAX_LINE_BYTES:
                    self.stats.sentences_bad += 1
                    buf.clear()
            if now_mono - last_fixish > self.silence_s and not silent_reported:
                self.health.lost(f"no position report from gpsd for {self.silence_s:.0f} s")
                silent_reported = True

    def _stop(self) -> None:
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
