"""Against a REAL gpsd: gpsfake replays a generated NMEA drive to gpsd on a loopback port.

Needs Debian's ``gpsd`` and ``gpsd-clients`` (``gpsfake``); skipped cleanly without them.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sensor.gps.geodesy import distance_m
from sensor.gps.gpsd import GpsdSource
from tests.gps.drive import START, drive, nmea_log
from tests.gps.waiting import wait_until

pytestmark = pytest.mark.interop

_PATH = os.environ.get("PATH", "") + os.pathsep + "/usr/sbin" + os.pathsep + "/sbin"
GPSFAKE = shutil.which("gpsfake")
GPSD = shutil.which("gpsd", path=_PATH)
if GPSFAKE is None or GPSD is None:
    pytest.skip("gpsfake/gpsd not installed (Debian packages gpsd, gpsd-clients)", allow_module_level=True)

LOST = range(20, 26)  # epochs in which the receiver has no fix (status V, quality 0, GSA 1)
SENTENCE_DELAY_S = 0.02  # gpsfake -c: 3–5 sentences per 1 Hz epoch → ~12 simulated epochs per second


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gpsfake(log: Path, port: int, *, once: bool = True) -> Iterator[subprocess.Popen]:
    """gpsfake (and the gpsd it runs) in their own process group, listening on 127.0.0.1:port.

    gpsfake never exits by itself here (only its pipe mode watches for the end of the log), so it
    is always ended with its process group."""
    args = [GPSFAKE, "-n", "-q", "-c", str(SENTENCE_DELAY_S), "-P", str(port)]
    if once:
        args.append("-1")
    out = open(log.with_suffix(f".{port}.gpsfake.log"), "wb")
    proc = subprocess.Popen([*args, str(log)], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True,
                            env={**os.environ, "PATH": _PATH, "TMPDIR": str(log.parent)})  # fmt: skip
    try:
        yield proc
    finally:
        kill_group(proc)
        out.close()


def kill_group(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # gpsfake and the gpsd it started, nothing else
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def write_log(path: Path, eps: list) -> Path:
    path.write_text(nmea_log(eps, kinds=("RMC", "GGA", "GSA"), gsv=True))
    return path


def test_drive_through_real_gpsd(tmp_path: Path) -> None:
    eps = drive(40, lost=LOST)
    log = write_log(tmp_path / "drive.nmea", eps)
    port = free_port()
    src = GpsdSource("127.0.0.1", port, reconnect_min_s=0.05, reconnect_max_s=0.2, read_timeout_s=0.1)
    last_t = eps[-1].time_utc_s
    with src:  # connecting before gpsd listens: the client keeps trying
        with gpsfake(log, port):  # -1: gpsfake feeds the log once (but keeps running: killed on exit)
            wait_until(lambda: src.latest() is not None and src.latest().time_utc_s >= last_t,
                       timeout_s=60, what="the last epoch of the log through gpsd")  # fmt: skip
    truth = {round(ep.time_utc_s): ep for ep in eps}
    got = {round(f.time_utc_s): f for f in src.aligner.snapshot()}
    assert len(got) >= 20, f"only {len(got)} fixes came through gpsd"
    for t, f in got.items():
        ep = truth[t]
        assert ep.valid, "gpsd reported a fix in an epoch the receiver had none"
        assert distance_m(f.lat_deg, f.lon_deg, ep.lat_deg, ep.lon_deg) < 0.1
        assert f.alt_m == pytest.approx(520.0) and f.mode == "3d"
        assert f.speed_m_s == pytest.approx(15.0, abs=0.01) and f.track_deg == pytest.approx(45.0)
    # positions at sample times: exact, interpolated, and None through the loss
    seen = sorted(got)
    pairs = [(a, b) for a, b in zip(seen, seen[1:]) if b - a == 1]
    assert pairs
    for a, _ in pairs[:10]:
        p = src.position_at(a + 0.5)
        assert p is not None and p["age_s"] == 0.5
        lat_mid, lon_mid = (truth[a].lat_deg + truth[a + 1].lat_deg) / 2, (truth[a].lon_deg + truth[a + 1].lon_deg) / 2
        assert distance_m(p["lat_deg"], p["lon_deg"], lat_mid, lon_mid) < 0.1
    t0 = round(START.timestamp())
    if any(t < t0 + LOST[0] for t in seen):  # the client connected before the loss
        for k in LOST:  # the receiver said "no fix" at these times
            assert src.position_at(t0 + k) is None
        for k in LOST[:-1]:
            assert src.position_at(t0 + k + 0.5) is None
        assert src.position_at(t0 + LOST[0] - 0.5)["age_s"] == 0.5  # held from the fix before the outage
        assert src.stats.losses >= 1 and src.stats.recoveries >= 1
    assert src.stats.no_fix_epochs >= 1
    assert any(f.hdop == pytest.approx(0.9) for f in got.values())  # from gpsd's SKY reports
    assert all(f.hdop in (None, pytest.approx(0.9)) for f in got.values())  # never a no-fix epoch's 99.99
    off = src.clock_offset()
    assert off is not None and off.samples >= 20  # laptop now vs a 2024 drive: years, measured
    assert off.offset_s > 3600 * 24 * 30


def test_client_survives_gpsd_killed_and_restarted(tmp_path: Path) -> None:
    first = write_log(tmp_path / "first.nmea", drive(400))
    later = START.replace(hour=13)  # after the restart the car is an hour further on
    second = write_log(tmp_path / "second.nmea", drive(400, start=later))
    port = free_port()
    src = GpsdSource("127.0.0.1", port, reconnect_min_s=0.05, reconnect_max_s=0.3, read_timeout_s=0.1)
    with src:
        with gpsfake(first, port, once=False):
            wait_until(lambda: src.stats.fixes >= 5, timeout_s=30, what="fixes from the first gpsd")
        # gpsd is gone (killed with its gpsfake)
        wait_until(lambda: src.stats.losses >= 1, what="the client to notice gpsd is gone")
        n = src.stats.fixes
        time.sleep(0.3)  # a few failed reconnects while gpsd is down
        with gpsfake(second, port, once=False):
            wait_until(lambda: src.stats.fixes >= n + 5, timeout_s=30, what="fixes from the restarted gpsd")
            assert src.latest().time_utc_s >= later.timestamp()
    assert src.stats.reconnects >= 1 and src.stats.recoveries >= 1 and src.connections >= 2
    assert src.stats.errors == 0
