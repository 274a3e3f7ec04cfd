"""Serial NMEA: baud-rate detection, a pty-pair GPS, pyserial loop://, unplug and replug."""

from __future__ import annotations

import os
import threading
import time
import tty
from pathlib import Path

import pytest
import serial

from sensor.gps.fix import Fix
from sensor.gps.serial_nmea import SerialNmeaSource, detect_baud_rate
from sensor.gps.ubx import cfg_rate
from tests.gps.drive import drive, epoch_sentences
from tests.gps.fake_serial import FakeGpsDevice
from tests.gps.waiting import TIMEOUT_S, wait_until


def test_detects_9600_after_garbage_at_4800() -> None:
    dev = FakeGpsDevice(baud_rate=9600)
    found = detect_baud_rate(dev.opener, (4800, 9600, 38400), listen_s=0.6)
    assert found is not None
    rate, port = found
    assert rate == 9600 and dev.opened_at == [4800, 9600]
    port.close()


@pytest.mark.parametrize("true_rate", [4800, 38400, 115200])
def test_detects_other_rates(true_rate: int) -> None:
    dev = FakeGpsDevice(baud_rate=true_rate)
    rate, port = detect_baud_rate(dev.opener, (4800, 9600, 38400, 115200), listen_s=0.6)
    assert rate == true_rate
    assert dev.opened_at[-1] == true_rate
    port.close()


def test_no_nmea_at_any_rate_gives_none() -> None:
    dev = FakeGpsDevice(nmea=False)
    assert detect_baud_rate(dev.opener, (4800, 9600), listen_s=0.3) is None


def test_source_with_fake_port_unplug_and_replug() -> None:
    dev = FakeGpsDevice(baud_rate=38400, period_s=0.03)
    src = SerialNmeaSource("/dev/fakegps", opener=dev.opener, baud_rates=(9600, 38400), listen_s=0.5,
                           reconnect_min_s=0.05, reconnect_max_s=0.2)  # fmt: skip
    with src:
        wait_until(lambda: src.stats.fixes >= 5)
        assert src.stats.baud_rate == 38400 and src.has_fix
        dev.plugged.clear()  # unplugged: reads fail, reopening fails
        wait_until(lambda: src.stats.losses >= 1)
        assert src.has_fix is False
        fixes_before = src.stats.fixes
        time.sleep(0.3)
        dev.plugged.set()
        wait_until(lambda: src.stats.fixes >= fixes_before + 5)
        assert src.stats.reconnects >= 1 and src.stats.recoveries >= 1 and src.has_fix
    assert not src.running


class PtyGps:
    """A GPS on a pty pair: NMEA written into the master side; the reader opens the slave side
    through a symlink (as /dev/serial/by-id/ links are), so it can be unplugged and replugged."""

    def __init__(self, link: Path, period_s: float = 0.05) -> None:
        self.link = link
        self.period_s = period_s
        self.epochs = drive(10_000)
        self.i = 0
        self.stop = threading.Event()
        self.master = self.slave = -1
        self.plug()
        self.thread = threading.Thread(target=self._write, daemon=True)
        self.thread.start()

    def plug(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo or line editing before pyserial opens it
        tmp = self.link.with_suffix(".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(os.ttyname(slave))
        os.replace(tmp, self.link)
        self.master, self.slave = master, slave

    def unplug(self) -> None:
        master, slave, self.master, self.slave = self.master, self.slave, -1, -1
        os.close(master)
        os.close(slave)

    def _write(self) -> None:
        while not self.stop.is_set():
            master = self.master
            if master >= 0:
                ep = self.epochs[self.i % len(self.epochs)]
                self.i += 1
                try:
                    os.write(master, "".join(s + "\r\n" for s in epoch_sentences(ep)).encode())
                except OSError:
                    pass
            time.sleep(self.period_s)

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        if self.master >= 0:
            self.unplug()


@pytest.fixture
def pty_gps(tmp_path: Path):  # type: ignore[no-untyped-def]
    gps = PtyGps(tmp_path / "gps0")
    yield gps
    gps.close()


def test_pty_gps_is_read_with_rate_detection(pty_gps: PtyGps) -> None:
    src = SerialNmeaSource(str(pty_gps.link), listen_s=1.0, idle_flush_s=0.02)
    with src:
        fixes = []
        for f in src.fixes(timeout_s=TIMEOUT_S):
            fixes.append(f)
            if len(fixes) >= 8:
                break
    assert src.stats.baud_rate in (4800, 9600)  # a pty has no real baud rate: the first candidate works
    assert all(isinstance(f, Fix) and f.mode == "3d" and f.alt_m == 520.0 for f in fixes)
    times = [f.time_utc_s for f in fixes]
    assert times == sorted(times) and all(b - a == pytest.approx(1.0) for a, b in zip(times, times[1:]))
    assert fixes[0].received_utc_s is not None and fixes[0].source == f"nmea:{pty_gps.link}"
    # positions of the samples' times come from the aligner
    mid = (times[2] + times[3]) / 2
    assert src.position_at(mid)["age_s"] == 0.5
    assert src.stats.sentences_bad <= 1  # at most the line cut where rate detection stopped reading


def test_pty_gps_unplug_and_replug(pty_gps: PtyGps) -> None:
    src = SerialNmeaSource(str(pty_gps.link), baud_rate=9600, reconnect_min_s=0.05, reconnect_max_s=0.2)
    with src:
        wait_until(lambda: src.stats.fixes >= 3)
        pty_gps.unplug()
        wait_until(lambda: src.stats.losses >= 1)
        n = src.stats.fixes
        pty_gps.plug()
        wait_until(lambda: src.stats.fixes >= n + 3)
    assert src.stats.reconnects >= 1 and src.stats.recoveries >= 1


def test_loop_url_with_ubx_written_into_the_nmea_stream() -> None:
    """pyserial's loop:// hands back what is written: NMEA in, plus a UBX command sent to the receiver."""
    port = serial.serial_for_url("loop://", baudrate=9600, timeout=0.1)
    src = SerialNmeaSource("loop://", opener=lambda rate: port, listen_s=2.0)
    stop = threading.Event()

    def feed() -> None:
        for ep in drive(10_000):
            if stop.is_set():
                return
            port.write("".join(s + "\r\n" for s in epoch_sentences(ep)).encode())
            time.sleep(0.03)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        with src:
            wait_until(lambda: src.stats.fixes >= 3)
            src.write(cfg_rate(5.0))  # binary UBX mid-stream: skipped as noise
            n = src.stats.fixes
            wait_until(lambda: src.stats.fixes >= n + 3)
    finally:
        stop.set()
        writer.join()
    assert src.stats.jumps == 0 and src.stats.errors == 0
