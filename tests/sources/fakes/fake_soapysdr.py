"""A fake of the ``SoapySDR`` Python module: enumerate, Device(kwargs), settings, gains and a
receive stream whose behaviour tests script (overflows with or without hardware time, timeouts,
stream errors, a vanishing device).

Install with ``monkeypatch.setitem(sys.modules, "SoapySDR", fake_soapysdr)`` and describe the
attached radios in ``RADIOS``. Samples are deterministic (see ``Radio.fill``).
"""

from __future__ import annotations

import numpy as np

SOAPY_SDR_TX = 0
SOAPY_SDR_RX = 1
SOAPY_SDR_END_BURST = 1 << 1
SOAPY_SDR_HAS_TIME = 1 << 2
SOAPY_SDR_END_ABRUPT = 1 << 3
SOAPY_SDR_TIMEOUT = -1
SOAPY_SDR_STREAM_ERROR = -2
SOAPY_SDR_CORRUPTION = -3
SOAPY_SDR_OVERFLOW = -4
SOAPY_SDR_CF32 = "CF32"
SOAPY_SDR_CS16 = "CS16"
SOAPY_SDR_CS8 = "CS8"

_ERRORS = {-1: "TIMEOUT", -2: "STREAM_ERROR", -3: "CORRUPTION", -4: "OVERFLOW", -5: "NOT_SUPPORTED", -6: "TIME_ERROR"}


def errToStr(code):
    return _ERRORS.get(code, "UNKNOWN")


class Range:
    def __init__(self, lo, hi, step=0.0):
        self._lo, self._hi, self._step = lo, hi, step

    def minimum(self):
        return self._lo

    def maximum(self):
        return self._hi

    def step(self):
        return self._step


class ArgInfo:
    def __init__(self, key):
        self.key = key


class StreamResult:
    def __init__(self, ret, flags=0, time_ns=0):
        self.ret, self.flags, self.timeNs = ret, flags, time_ns


def tag_of(center_hz: float) -> int:
    return int(center_hz // 100_000) % 1000


class Radio:
    """One attached radio and its scripted stream."""

    def __init__(self, driver="airspy", serial="A1", label=None, **kw):
        self.driver, self.serial = driver, serial
        self.label = label if label is not None else f"{driver} [{serial}]"
        self.freq_range = kw.get("freq_range", (24e6, 1800e6))
        self.gain_range = kw.get("gain_range", Range(0.0, 45.0, 1.0))
        self.has_agc = kw.get("has_agc", True)
        self.has_ppm = kw.get("has_ppm", True)
        self.has_time = kw.get("has_time", False)
        self.settings = list(kw.get("settings", ["biastee"]))
        self.mtu = kw.get("mtu", 4096)
        self.formats = kw.get("formats", ["CF32", "CS16", "CS8"])
        # Script: sorted [sample_position, kind, arg]; kinds: "overflow" (arg samples lost),
        # "timeout" (arg reads), "error" (arg code), "raise" (device vanished).
        self.events: list[list] = []
        self.open_error: str | None = None
        self.opened = 0
        self.open_count = 0
        self.calls: list[tuple] = []
        self.reset()

    def reset(self):
        self.k = 0  # device sample counter (advances over lost samples too)
        self.rate = 0.0
        self.center_hz = 0.0
        self.active = False

    def enum(self):
        return {"driver": self.driver, "serial": self.serial, "label": self.label}

    def fill(self, buf: np.ndarray, fmt: str, m: int) -> None:
        """Samples k..k+m-1 into ``buf`` (bytes): CF32 k mod 2^20 + j·tag; CS8/CS16 I = k, Q = tag."""
        k = np.arange(self.k, self.k + m)
        tag = tag_of(self.center_hz)
        if fmt == "CF32":
            buf[: 8 * m].view(np.complex64)[:] = (k % (1 << 20)) + 1j * tag
        elif fmt == "CS8":
            v = buf[: 2 * m].view(np.int8).reshape(m, 2)
            v[:, 0] = (k & 0xFF).astype(np.uint8).view(np.int8)
            v[:, 1] = tag % 128
        elif fmt == "CS16":
            v = buf[: 4 * m].view("<i2").reshape(m, 2)
            v[:, 0] = (k % 32768).astype(np.int16)
            v[:, 1] = tag
        else:
            raise RuntimeError(f"format {fmt}")


RADIOS: list[Radio] = []


def _matches(radio: Radio, args: dict) -> bool:
    return all(radio.enum().get(k) == v for k, v in args.items() if k in ("driver", "serial", "label"))


class Device:
    @staticmethod
    def enumerate(args=None):
        args = dict(args or {})
        return [r.enum() for r in RADIOS if _matches(r, args)]

    def __init__(self, args=None):
        args = dict(args or {})
        radios = [r for r in RADIOS if _matches(r, args)]
        if not radios:
            raise RuntimeError("SoapySDR::Device::make() no match")
        r = radios[0]
        if r.open_error:
            raise RuntimeError(r.open_error)
        self.r = r
        r.reset()
        r.opened += 1
        r.open_count += 1
        r.calls.append(("make", args))
        self._closed = False
        self._fmt = None
        self._timeouts_left = 0

    def _check(self):
        if self._closed:
            raise RuntimeError("device closed")

    def close(self):
        if not self._closed:
            self._closed = True
            self.r.opened -= 1
            self.r.calls.append(("close",))

    def getDriverKey(self):
        return self.r.driver.capitalize()

    def getHardwareKey(self):
        return f"{self.r.driver.upper()} One"

    def getFrequencyRange(self, direction, ch):
        return [Range(*self.r.freq_range)]

    def setSampleRate(self, direction, ch, rate):
        self._check()
        self.r.rate = float(rate)
        self.r.calls.append(("rate", float(rate)))

    def getSampleRate(self, direction, ch):
        return self.r.rate

    def setFrequency(self, direction, ch, *args):
        self._check()
        f = args[-1] if not isinstance(args[-1], dict) else args[-2]
        self.r.center_hz = float(f)
        self.r.calls.append(("freq", float(f)))

    def hasFrequencyCorrection(self, direction, ch):
        return self.r.has_ppm

    def setFrequencyCorrection(self, direction, ch, ppm):
        self.r.calls.append(("ppm", float(ppm)))

    def hasGainMode(self, direction, ch):
        return self.r.has_agc

    def setGainMode(self, direction, ch, automatic):
        if not self.r.has_agc:
            raise RuntimeError("no AGC")
        self.r.calls.append(("agc", bool(automatic)))

    def getGainRange(self, direction, ch, name=None):
        return self.r.gain_range

    def setGain(self, direction, ch, *args):
        self._check()
        if len(args) == 2:
            self.r.calls.append(("gain", args[0], float(args[1])))
        else:
            self.r.calls.append(("gain", float(args[0])))

    def getSettingInfo(self):
        return [ArgInfo(k) for k in self.r.settings]

    def writeSetting(self, key, value):
        self.r.calls.append(("setting", key, value))

    def setupStream(self, direction, fmt, channels=(), kwargs=None):
        if fmt not in self.r.formats:
            raise RuntimeError(f"setupStream invalid format {fmt}")
        self._fmt = fmt
        self.r.calls.append(("setup", fmt, list(channels)))
        return "rx-stream"

    def activateStream(self, stream, flags=0, timeNs=0, numElems=0):
        self.r.active = True
        self.r.calls.append(("activate",))
        return 0

    def deactivateStream(self, stream, flags=0, timeNs=0):
        self.r.active = False
        self.r.calls.append(("deactivate",))
        return 0

    def closeStream(self, stream):
        self.r.calls.append(("closeStream",))

    def readStream(self, stream, buffs, numElems, flags=0, timeoutUs=100000):
        r = self.r
        if self._closed:
            raise RuntimeError("device closed")
        if not r.active:
            return StreamResult(SOAPY_SDR_STREAM_ERROR)
        if self._timeouts_left:
            self._timeouts_left -= 1
            return StreamResult(SOAPY_SDR_TIMEOUT)
        m = min(numElems, r.mtu)
        if r.events and r.events[0][0] <= r.k:
            _, kind, arg = r.events.pop(0)
            if kind == "overflow":
                r.k += arg
                return StreamResult(SOAPY_SDR_OVERFLOW, SOAPY_SDR_END_ABRUPT)
            if kind == "timeout":
                self._timeouts_left = arg - 1
                return StreamResult(SOAPY_SDR_TIMEOUT)
            if kind == "error":
                return StreamResult(arg)
            if kind == "raise":
                raise RuntimeError("LIBUSB_ERROR_NO_DEVICE: device unplugged")
            if kind == "silent-gap":  # the driver loses samples without saying so
                r.k += arg
        if r.events and r.events[0][0] > r.k:
            m = min(m, r.events[0][0] - r.k)  # stop at the next scripted event
        r.fill(buffs[0], self._fmt, m)
        time_ns = int(round(r.k * 1e9 / r.rate)) if r.has_time else 0
        r.k += m
        return StreamResult(m, SOAPY_SDR_HAS_TIME if r.has_time else 0, time_ns)
