"""A fake serial GPS for the serial tests: NMEA at its own baud rate, garbage at any other, unpluggable."""

from __future__ import annotations

import threading
import time

import serial

from tests.gps.drive import drive, epoch_sentences
from tests.gps.uart import misread


class FakeGpsDevice:
    """A receiver emitting one epoch every ``period_s`` (GPS time advancing 1 s per epoch)."""

    def __init__(self, *, baud_rate: int = 9600, period_s: float = 0.05, n: int = 100_000, nmea: bool = True) -> None:
        self.baud_rate = baud_rate
        self.period_s = period_s
        self.nmea = nmea
        self.epochs = drive(min(n, 2000))
        self.plugged = threading.Event()
        self.plugged.set()
        self.opened_at: list[int] = []
        self.written = bytearray()
        self._i = 0
        self._lock = threading.Lock()

    def next_chunk(self) -> bytes:
        with self._lock:
            ep = self.epochs[self._i % len(self.epochs)]
            self._i += 1
        if not self.nmea:
            return bytes(range(256))[:100]
        return "".join(s + "\r\n" for s in epoch_sentences(ep)).encode()

    def opener(self, baud_rate: int) -> FakePort:
        if not self.plugged.is_set():
            raise serial.SerialException("[Errno 2] could not open port /dev/fakegps: No such file or directory")
        self.opened_at.append(baud_rate)
        return FakePort(self, baud_rate)


class FakePort:
    def __init__(self, device: FakeGpsDevice, baudrate: int) -> None:
        self.device = device
        self.baudrate = baudrate
        self._pending = b""
        self._next_s = time.monotonic()
        self.closed = False

    @property
    def in_waiting(self) -> int:
        self._check()
        return len(self._pending)

    def _check(self) -> None:
        if self.closed:
            raise serial.SerialException("port is closed")
        if not self.device.plugged.is_set():
            raise serial.SerialException("device reports readiness to read but returned no data")

    def read(self, size: int = 1) -> bytes:
        self._check()
        if not self._pending:
            delay = self._next_s - time.monotonic()
            if delay > 0:
                time.sleep(min(delay, 0.1))
                if time.monotonic() < self._next_s:
                    return b""
            self._check()
            self._next_s = time.monotonic() + self.device.period_s
            self._pending = misread(self.device.next_chunk(), self.device.baud_rate, self.baudrate)
        out, self._pending = self._pending[:size], self._pending[size:]
        return out

    def write(self, data: bytes) -> int:
        self._check()
        self.device.written += data
        return len(data)

    def reset_input_buffer(self) -> None:
        self._pending = b""

    def close(self) -> None:
        self.closed = True
