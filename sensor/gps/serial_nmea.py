"""NMEA 0183 from a GPS receiver on a serial port (USB CDC-ACM, USB-serial adapter, UART).

The baud rate is detected unless given: each candidate rate is tried until complete, checksummed
sentences arrive (at a wrong rate a UART delivers garbage whose checksums fail). When the port
goes away (the receiver is unplugged) or stays silent, the port is closed and reopened with
backoff, and the rate detected again: field officers plug in whatever receiver they have.

``port`` is a device path (``/dev/ttyACM0``, a ``/dev/serial/by-id/...`` link) or any pyserial
URL (``loop://``, ``rfc2217://host:port``, ``socket://host:port``). pyserial is imported here only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from sensor.gps.align import AlignConfig
from sensor.gps.epoch import NmeaFixDecoder
from sensor.gps.nmea import NmeaReader
from sensor.gps.source import PositionSource

log = logging.getLogger(__name__)

# Most GPS mice ship at 4800 (NMEA's rate) or 9600 (u-blox, MediaTek); modules reconfigured for
# 5–10 Hz use 38400 or 115200.
DEFAULT_BAUD_RATES: tuple[int, ...] = (4800, 9600, 38400, 115200, 19200, 57600, 230400)


class SerialPort(Protocol):
    """The part of ``serial.Serial`` this module uses (tests substitute fakes)."""

    baudrate: int

    @property
    def in_waiting(self) -> int: ...

    def read(self, size: int = 1) -> bytes: ...

    def write(self, data: bytes) -> int | None: ...

    def reset_input_buffer(self) -> None: ...

    def close(self) -> None: ...


PortOpener = Callable[[int], SerialPort]


def serial_opener(port: str, *, read_timeout_s: float = 0.2) -> PortOpener:
    """Open ``port`` (a path or pyserial URL) at a given rate, 8N1, no flow control."""
    import serial  # lazy: pyserial stays inside this backend

    def open_at(baud_rate: int) -> SerialPort:
        port_ = serial.serial_for_url(port, baudrate=baud_rate, timeout=read_timeout_s)
        return port_  # type: ignore[no-any-return]

    return open_at


def _read_some(port: SerialPort) -> bytes:
    waiting = port.in_waiting
    return port.read(waiting if waiting > 0 else 1)


def detect_baud_rate(
    open_port: PortOpener,
    rates: Sequence[int] = DEFAULT_BAUD_RATES,
    *,
    listen_s: float = 2.5,
    need_sentences: int = 2,
    give_up_bytes: int = 1024,
    should_stop: Callable[[], bool] = lambda: False,
) -> tuple[int, SerialPort] | None:
    """Try each rate until ``need_sentences`` checksummed NMEA sentences arrive within ``listen_s``.

    A rate is abandoned early after ``give_up_bytes`` without one valid sentence: at the right
    rate that many bytes hold a dozen sentences (NMEA's are at most 82 characters).

    Returns the rate and the open port, or None when no rate gave NMEA. Errors opening the port
    (it does not exist, it went away) propagate.
    """
    for rate in rates:
        if should_stop():
            return None
        port = open_port(rate)
        reader = NmeaReader()
        ok = False
        try:
            port.reset_input_buffer()
            deadline = time.monotonic() + listen_s
            while time.monotonic() < deadline and not should_stop():
                data = _read_some(port)
                if not data:
                    time.sleep(0.01)  # a port that returns at once without data must not spin
                reader.feed(data)
                good = reader.stats.sentences_ok + reader.stats.sentences_ignored
                if good >= need_sentences:
                    ok = True
                    break
                if good == 0 and reader.stats.bytes_read >= give_up_bytes:
                    break
        finally:
            if not ok:
                port.close()
        if ok:
            log.debug("NMEA found at %d baud (%d bad lines before)", rate, reader.stats.sentences_bad)
            return rate, port
        log.debug("no NMEA at %d baud (%d bytes, %d bad lines)",
                  rate, reader.stats.bytes_read, reader.stats.sentences_bad)  # fmt: skip
    return None


class SerialNmeaSource(PositionSource):
    """Fixes from an NMEA receiver on a serial port, with rate detection and reconnection."""

    def __init__(
        self,
        port: str,
        *,
        baud_rate: int | None = None,
        baud_rates: Sequence[int] = DEFAULT_BAUD_RATES,
        listen_s: float = 2.5,
        read_timeout_s: float = 0.2,
        idle_flush_s: float = 0.3,
        silence_s: float = 5.0,
        reconnect_min_s: float = 0.5,
        reconnect_max_s: float = 5.0,
        opener: PortOpener | None = None,
        align: AlignConfig | None = None,
    ) -> None:
        super().__init__(f"nmea:{port}", align=align)
        self.port = port
        self.baud_rate = baud_rate
        self.baud_rates = tuple(baud_rates)
        self.listen_s = listen_s
        self.idle_flush_s = idle_flush_s
        self.silence_s = silence_s
        self.reconnect_min_s = reconnect_min_s
        self.reconnect_max_s = reconnect_max_s
        self._opener = opener if opener is not None else serial_opener(port, read_timeout_s=read_timeout_s)
        self._port: SerialPort | None = None

    def _connect(self) -> SerialPort | None:
        if self.baud_rate is not None:
            port = self._opener(self.baud_rate)
            self.stats.baud_rate = self.baud_rate
            return port
        found = detect_baud_rate(
            self._opener, self.baud_rates, listen_s=self.listen_s, should_stop=self._stopping.is_set
        )
        if found is None:
            return None
        rate, port = found
        self.stats.baud_rate = rate
        return port

    def _run(self) -> None:
        backoff = self.reconnect_min_s
        complained = False
        first = True
        while not self._stopping.is_set():
            try:
                port = self._connect()
            except OSError as exc:  # serial.SerialException is an OSError
                (log.debug if complained else log.warning)("%s: cannot open GPS port: %s", self.name, exc)
                complained = True
                self.health.lost("GPS port unavailable")
                if self._wait(backoff):
                    return
                backoff = min(backoff * 2, self.reconnect_max_s)
                continue
            if port is None:
                if not self._stopping.is_set():
                    (log.debug if complained else log.warning)(
                        "%s: no NMEA at any of %s baud", self.name, ", ".join(map(str, self.baud_rates))
                    )
                    complained = True
                    self.health.lost("no NMEA from the GPS port")
                if self._wait(backoff):
                    return
                backoff = min(backoff * 2, self.reconnect_max_s)
                continue
            if not first:
                self.stats.reconnects += 1
            first = False
            log.info("%s: reading NMEA at %s baud", self.name, self.stats.baud_rate)
            complained = False
            backoff = self.reconnect_min_s
            self._port = port
            try:
                self._pump(port)
            except OSError as exc:  # serial.SerialException is an OSError
                log.warning("%s: GPS port lost: %s", self.name, exc)
                self.health.lost("GPS port lost")
            except Exception:
                self.stats.errors += 1
                log.exception("%s: unexpected error reading the GPS port", self.name)
            finally:
                self._port = None
                try:
                    port.close()
                except Exception:  # noqa: BLE001 - closing a vanished device may fail: nothing left to do
                    pass
            if self._wait(backoff):
                return

    def _pump(self, port: SerialPort) -> None:
        decoder = NmeaFixDecoder(self.name, stats=self.stats, date_from_clock=True)
        last_data = last_valid = time.monotonic()
        flushed = True
        while not self._stopping.is_set():
            data = _read_some(port)
            now_mono, now_utc = time.monotonic(), time.time()
            if data:
                good_before = self.stats.sentences_ok + self.stats.sentences_ignored
                for item in decoder.feed(data, received_mono_s=now_mono, received_utc_s=now_utc):
                    self._publish(item)
                if self.stats.sentences_ok + self.stats.sentences_ignored > good_before:
                    last_valid = now_mono
                last_data = now_mono
                flushed = False
            elif self._wait(0.01):  # a port that returns at once without data must not spin
                break
            elif not flushed and now_mono - last_data >= self.idle_flush_s:
                for item in decoder.flush():
                    self._publish(item)
                flushed = True
            if now_mono - last_valid > self.silence_s:
                log.warning("%s: no valid NMEA for %.0f s; reopening the port", self.name, self.silence_s)
                self.health.lost("GPS silent")
                return
        for item in decoder.flush():
            self._publish(item)

    def _stop(self) -> None:
        pass  # the reader wakes within the port's read timeout and sees the stop flag

    def write(self, data: bytes) -> None:
        """Send bytes to the receiver on the open port (e.g. UBX configuration); no-op when closed."""
        port = self._port
        if port is not None:
            port.write(data)
