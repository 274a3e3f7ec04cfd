"""A fake of pyrtlsdr's ``rtlsdr`` module: the calls ``sensor.sources.rtlsdr`` makes, with pyrtlsdr's
quirks (errors are LibUSBError with a libusb errno; every failed call closes the device; setting the
frequency correction to its current value fails; ``read_bytes`` returns a reused ctypes buffer).

Tests install it with ``monkeypatch.setitem(sys.modules, "rtlsdr", fake_rtlsdr)`` and describe the
attached dongles in ``DONGLES``. Bytes are deterministic (see ``Dongle.sample_bytes``).
"""

from __future__ import annotations

import ctypes
import threading
import time

import numpy as np

R820T_GAINS = [0, 9, 14, 27, 37, 77, 87, 125, 144, 157, 166, 197, 207, 229, 254, 280, 297, 328, 338, 364,
               372, 386, 402, 421, 434, 439, 445, 480, 496]  # fmt: skip


class LibUSBError(IOError):
    def __init__(self, errno, msg=""):
        self.errno = errno
        self.msg = msg

    def __str__(self):
        return f"<libusb error {self.errno}> {self.msg!r}"


def tag_of(center_hz: float) -> int:
    """The Q byte of the "tagged" pattern: identifies the tuning the bytes were made at."""
    return int(center_hz // 100_000) & 0xFF


class Dongle:
    """One attached dongle and the behaviour tests script into it."""

    def __init__(self, serial="00000001", name="Generic RTL2832U OEM", tuner=5, gains=None, pattern="tagged"):
        self.serial = serial
        self.name = name
        self.tuner = tuner
        self.gains = list(R820T_GAINS if gains is None else gains)
        self.pattern = pattern  # "tagged": I = k, Q = tag(center); "counter": I, Q = k as 16 bits
        self.speed = 1.0  # multiple of real time at which bytes are delivered
        self.busy = False
        self.fail_at_sample: int | None = None  # read failure once this many samples were delivered
        self.fail_errno: int | None = -4  # None: a short read
        self.hang_at_sample: int | None = None  # stop delivering (until ``hang`` is cleared)
        self.hang = threading.Event()
        self.open_count = 0
        self.opened = 0  # handles open now
        self.calls: list[tuple] = []
        self.sample_counter = 0  # samples delivered since the last open
        self.freq_correction = 0
        self.center_hz = 80e6

    def sample_bytes(self, k0: int, m: int, center_hz: float) -> np.ndarray:
        k = np.arange(k0, k0 + m)
        out = np.empty((m, 2), np.uint8)
        out[:, 0] = k & 0xFF
        out[:, 1] = (k >> 8) & 0xFF if self.pattern == "counter" else tag_of(center_hz)
        return out.ravel()


DONGLES: list[Dongle] = []


class _Lib:
    """The bits of pyrtlsdr's ``librtlsdr`` CDLL the backend uses."""

    @staticmethod
    def rtlsdr_get_device_name(index):
        return DONGLES[index].name.encode() if index < len(DONGLES) else b""


librtlsdr = _Lib()


class RtlSdr:
    num_bytes_read = ctypes.c_int32(0)  # a class attribute, as in pyrtlsdr
    buffer = []

    @staticmethod
    def get_device_index_by_serial(serial):
        for i, d in enumerate(DONGLES):
            if d.serial == serial:
                return i
        raise LibUSBError(-3)  # librtlsdr: no match

    @staticmethod
    def get_device_serial_addresses():
        return [d.serial for d in DONGLES]

    def __init__(self, device_index=0, test_mode_enabled=False, serial_number=None, dithering_enabled=True):
        self.device_opened = False
        if device_index >= len(DONGLES):
            raise LibUSBError(-1, f"Could not open SDR (device index = {device_index})")
        d = DONGLES[device_index]
        if d.busy:
            raise LibUSBError(-6, f"Could not open SDR (device index = {device_index})")
        self.dongle = d
        self.device_opened = True
        d.open_count += 1
        d.opened += 1
        d.sample_counter = 0
        d.calls.append(("open", device_index))
        self._rate = 1.024e6
        self._manual = False
        self._gain = 0
        self._bias = False
        self.dongle.center_hz = 80e6

    def _check(self):
        if not self.device_opened:
            raise LibUSBError(-4, "device closed")

    def close(self):
        if self.device_opened:
            self.device_opened = False
            self.dongle.opened -= 1
            self.dongle.calls.append(("close",))

    def set_sample_rate(self, rate):
        self._check()
        self._rate = float(int(rate))
        self.dongle.calls.append(("rate", self._rate))

    def get_sample_rate(self):
        return self._rate

    def set_center_freq(self, freq):
        self._check()
        self.dongle.center_hz = float(int(freq))
        self.dongle.calls.append(("freq", self.dongle.center_hz))

    def get_center_freq(self):
        return self.dongle.center_hz

    def set_freq_correction(self, ppm):
        self._check()
        if not isinstance(ppm, int):
            raise TypeError("ctypes: int expected")
        if ppm == self.dongle.freq_correction:
            self.close()  # as pyrtlsdr does on any error
            raise LibUSBError(-2, f"Could not set freq. offset to {ppm} ppm")
        self.dongle.freq_correction = ppm
        self.dongle.calls.append(("ppm", ppm))

    def get_freq_correction(self):
        return self.dongle.freq_correction

    def get_gains(self):
        return list(self.dongle.gains)

    def set_manual_gain_enabled(self, enabled):
        self._manual = bool(enabled)
        self.dongle.calls.append(("manual", self._manual))

    def set_gain(self, gain):
        errors = [abs(10 * gain - g) for g in self.dongle.gains]
        self._gain = self.dongle.gains[errors.index(min(errors))]
        self.dongle.calls.append(("gain", self._gain))

    def get_gain(self):
        return self._gain / 10

    def set_bias_tee(self, enabled):
        self._bias = bool(enabled)
        self.dongle.calls.append(("bias", self._bias))

    def get_tuner_type(self):
        return self.dongle.tuner

    def read_bytes(self, num_bytes=1024):
        self._check()
        d = self.dongle
        m = num_bytes // 2
        k0 = d.sample_counter
        if d.hang_at_sample is not None and k0 >= d.hang_at_sample:
            d.hang.set()
            t_end = time.monotonic() + 5
            while d.hang.is_set() and time.monotonic() < t_end:
                time.sleep(0.01)
            d.hang_at_sample = None
        if d.fail_at_sample is not None and k0 + m > d.fail_at_sample:
            d.fail_at_sample = None
            self.close()  # pyrtlsdr closes on any read error
            if d.fail_errno is None:
                raise OSError(f"Short read, requested {num_bytes} bytes, received {2 * max(0, d.fail_at_sample or 0)}")
            raise LibUSBError(d.fail_errno, f"Could not read {num_bytes} bytes")
        time.sleep(m / self._rate / d.speed)
        data = d.sample_bytes(k0, m, d.center_hz)
        d.sample_counter += m
        if len(self.buffer) != num_bytes:
            self.buffer = (ctypes.c_ubyte * num_bytes)()
        ctypes.memmove(self.buffer, data.ctypes.data, num_bytes)
        return self.buffer


RtlSdrAio = RtlSdr
