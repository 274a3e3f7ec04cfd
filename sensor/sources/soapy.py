"""Any receiver SoapySDR drives (Airspy, LimeSDR, USRP, SDRplay, RTL-SDR, HackRF, ...).

The ``SoapySDR`` Python module exists only as Debian's ``python3-soapysdr`` system package (plus one
``soapysdr-module-*`` per radio); use a virtualenv made with ``--system-site-packages``. It is
imported only when a device is opened or listed.

A device is chosen by SoapySDR keyword arguments, as in ``--device soapy:driver=airspy,serial=123``
(``soapy:airspy`` is short for ``driver=airspy``; plain ``soapy`` takes the first radio found, skipping
sound cards). Samples are read as CF32 by default (``stream_format`` CS8/CS16/CU8 reads the driver's
integers and converts them with ``sensor.sources.convert``).

Drop accounting: ``readStream`` returning SOAPY_SDR_OVERFLOW (-4) means the driver lost samples. When
the driver timestamps its buffers (``SOAPY_SDR_HAS_TIME``), the number lost is the jump of the
timestamps past where the stream should have continued; otherwise it is unknown and the next block
says ``dropped_before=None``. A timestamp jump without an overflow code is counted as a drop too.
Streaming continues after an overflow. SOAPY_SDR_TIMEOUT (-1) is ``SourceTimeout``; STREAM_ERROR (-2),
CORRUPTION (-3), any other error code, or an exception from the driver (device unplugged) is
``DeviceLost`` (which closes the source: ``open()`` reconnects). Some drivers (SoapyRTLSDR) report an unplugged
device only as endless timeouts: a supervisor should reopen after a few ``SourceTimeout`` in a row.

One backend in one file: device arguments, enumeration and the stream with its drop accounting are
all the SoapySDR driver boundary, which the tests replace by one fake.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any, NoReturn

import numpy as np

from sensor.errors import ConfigError, DeviceLost, DeviceNotFound, DriverUnavailable, SourceError, SourceTimeout
from sensor.sources.base import DeviceListing, RadioSource
from sensor.sources.convert import parse_datatype, to_complex64

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "install Debian's python3-soapysdr and the soapysdr-module for your radio "
    "(a system package: use a virtualenv made with --system-site-packages)"
)

# SoapySDR/Constants.h, Errors.h: part of SoapySDR's stable C API.
SOAPY_SDR_RX = 1
SOAPY_SDR_HAS_TIME = 1 << 2
SOAPY_SDR_TIMEOUT = -1
SOAPY_SDR_STREAM_ERROR = -2
SOAPY_SDR_CORRUPTION = -3
SOAPY_SDR_OVERFLOW = -4

# SoapySDR stream format -> SigMF datatype of the same bytes.
STREAM_FORMATS = {"CF32": "cf32_le", "CS16": "ci16_le", "CS8": "ci8", "CU8": "cu8"}

# Setting keys drivers use for antenna bias power: SoapyRTLSDR/SoapyAirspy "biastee", SoapyHackRF
# "bias_tx", SoapySDRPlay "biasT_ctrl".
BIAS_TEE_SETTINGS = ("biastee", "bias_tx", "biasT_ctrl", "bias_tee")

SKIP_DRIVERS = frozenset({"audio"})  # sound cards are not radios


def import_soapysdr() -> ModuleType:
    """The ``SoapySDR`` module, or ``DriverUnavailable`` with a one-line hint."""
    try:
        import SoapySDR
    except ImportError as exc:
        if getattr(exc, "name", None) == "SoapySDR":
            raise DriverUnavailable(f"SoapySDR Python bindings are not installed: {INSTALL_HINT}") from None
        raise DriverUnavailable(f"SoapySDR Python bindings do not load ({_one_line(exc)}): {INSTALL_HINT}") from None
    except Exception as exc:  # noqa: BLE001 - e.g. its "Failed ABI check" exception
        raise DriverUnavailable(f"SoapySDR Python bindings do not load ({_one_line(exc)}): {INSTALL_HINT}") from None
    return SoapySDR


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def parse_device_args(text: str | Mapping[str, str] | None) -> dict[str, str]:
    """``"driver=airspy,serial=123"`` → ``{"driver": "airspy", "serial": "123"}``; ``"airspy"`` → driver."""
    if text is None:
        return {}
    if isinstance(text, Mapping):
        return {str(k): str(v) for k, v in text.items()}
    out: dict[str, str] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        key, eq, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not eq:
            if out:
                raise ConfigError(f"SoapySDR device arguments {text!r}: expected key=value, got {part!r}")
            key, value = "driver", key
        if not key:
            raise ConfigError(f"SoapySDR device arguments {text!r}: empty key in {part!r}")
        out[key] = value
    return out


def format_device_args(args: Mapping[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in args.items())


def _kwargs(result: Any) -> dict[str, str]:
    """A SoapySDRKwargs (or plain dict) as a dict of str."""
    return {str(k): str(result[k]) for k in result.keys()}  # noqa: SIM118 - SoapySDRKwargs is a SWIG map


def _spec_args(found: Mapping[str, str]) -> dict[str, str]:
    """The arguments that pick out exactly this enumerated device."""
    args = {"driver": found["driver"]} if "driver" in found else {}
    if found.get("serial"):
        args["serial"] = found["serial"]
    else:
        args.update({k: v for k, v in found.items() if k not in ("label", "driver")})
    return args


def enumerate_devices(soapy: ModuleType, args: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    try:
        found = [_kwargs(r) for r in soapy.Device.enumerate(dict(args or {}))]
    except Exception as exc:  # noqa: BLE001 - driver modules throw anything
        raise SourceError(f"SoapySDR: enumerating devices failed: {_one_line(exc)}") from None
    if not (args or {}).get("driver"):
        found = [f for f in found if f.get("driver") not in SKIP_DRIVERS]
    return found


def list_devices() -> list[DeviceListing]:
    """Every radio SoapySDR finds (all drivers except sound cards)."""
    soapy = import_soapysdr()
    out = []
    for found in enumerate_devices(soapy):
        out.append(
            DeviceListing(
                driver="soapy",
                spec="soapy:" + format_device_args(_spec_args(found)),
                serial=found.get("serial") or None,
                description=found.get("label") or found.get("product") or found.get("driver", "SoapySDR device"),
            )
        )
    return out


def _add_drop(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


class SoapySource(RadioSource):
    """One SoapySDR receive channel.

    ``gain_db`` None turns on the driver's AGC (``SourceError`` if it has none); a number is clamped
    to ``getGainRange`` and rounded to its step, or, with ``gain_elements``, split over named gain
    stages by that function. ``ppm`` uses ``setFrequencyCorrection`` where the driver has it;
    otherwise the LO is offset by ``-ppm`` (and, with ``correct_rate_for_ppm``, the sample rate too,
    for radios whose LO and ADC share one crystal). ``flush_on_retune`` restarts the stream around a
    retune so that samples buffered in the driver at the old frequency are not delivered as new ones.
    """

    driver_name = "soapy"

    @property
    def native_datatype(self) -> str:  # type: ignore[override]
        return self._datatype.name

    def __init__(
        self,
        *,
        device_args: str | Mapping[str, str] | None = None,
        channel: int = 0,
        sample_rate_hz: float,
        center_hz: float,
        gain_db: float | None = None,
        ppm: float = 0.0,
        bias_tee: bool = False,
        tuning_range_hz: tuple[float, float] | None = None,
        usable_fraction: float = 0.8,
        settle_s: float = 0.0,
        description: str | None = None,
        stream_format: str = "CF32",
        timeout_s: float = 2.0,
        flush_on_retune: bool = True,
        gain_elements: Callable[[float], Mapping[str, float]] | None = None,
        bias_setting: str | None = None,
        correct_rate_for_ppm: bool = False,
    ) -> None:
        self._args = parse_device_args(device_args)
        super().__init__(
            source_id="soapy:" + format_device_args(self._args) if self._args else "soapy",
            sample_rate_hz=sample_rate_hz,
            center_hz=center_hz,
            gain_db=gain_db,
        )
        fmt = stream_format.upper()
        if fmt not in STREAM_FORMATS:
            raise ConfigError(f"SoapySDR stream format {stream_format!r}: expected one of {', '.join(STREAM_FORMATS)}")
        self._format = fmt
        self._datatype = parse_datatype(STREAM_FORMATS[fmt])
        self.channel = int(channel)
        self.serial: str | None = self._args.get("serial") or None
        self.ppm = float(ppm)
        self.bias_tee = bool(bias_tee)
        self.settle_s = float(settle_s)
        self.timeout_s = float(timeout_s)
        self.flush_on_retune = bool(flush_on_retune)
        self._tuning_range = tuple(tuning_range_hz) if tuning_range_hz else None
        self._usable_fraction = float(usable_fraction)
        self._description = description
        self._gain_elements = gain_elements
        self._bias_setting = bias_setting
        self._correct_rate = bool(correct_rate_for_ppm)
        self._hw: str | None = None
        self._soapy: ModuleType | None = None
        self._dev: Any = None
        self._stream: Any = None
        self._emulate_ppm = False
        self._carry: tuple[np.ndarray, int | None] | None = None
        self._overflow_pending = False
        self._next_time_ns: float | None = None
        self.found: dict[str, str] = {}  # the enumeration result that was opened

    # --- driver boundary -----------------------------------------------------------------------
    def _open(self) -> None:
        soapy = import_soapysdr()
        matches = enumerate_devices(soapy, self._args)
        wanted = format_device_args(self._args) or "any radio"
        if not matches:
            raise DeviceNotFound(
                f"no SoapySDR device matches {wanted} "
                "(plugged in? its soapysdr-module installed? try SoapySDRUtil --find)"
            )
        found = matches[0]
        try:
            dev = soapy.Device(found)
        except Exception as exc:  # noqa: BLE001 - the driver's own error text is the useful part
            raise DeviceNotFound(
                f"SoapySDR device {format_device_args(_spec_args(found))} cannot be opened: {_one_line(exc)}"
            ) from None
        self._soapy, self._dev, self.found = soapy, dev, found
        self.serial = found.get("serial") or self.serial
        self._source_id = "soapy:" + format_device_args(_spec_args(found))
        try:
            self._configure(dev)
        except (SourceError, DeviceLost):
            self._release()
            raise
        except Exception as exc:  # noqa: BLE001
            self._release()
            raise SourceError(f"{self._source_id}: configuring the device failed: {_one_line(exc)}") from None

    def _configure(self, dev: Any) -> None:
        ch = self.channel
        label = self.found.get("label")
        try:
            key = f"{dev.getDriverKey()} {dev.getHardwareKey()}".strip()
        except Exception:  # noqa: BLE001 - identification is optional
            key = ""
        self._hw = label or key or self._description
        if self._tuning_range is None:
            try:
                ranges = list(dev.getFrequencyRange(SOAPY_SDR_RX, ch))
                self._tuning_range = (min(r.minimum() for r in ranges), max(r.maximum() for r in ranges))
            except Exception:  # noqa: BLE001
                self._tuning_range = None
        self._emulate_ppm = False
        if self.ppm:
            has = getattr(dev, "hasFrequencyCorrection", None)
            if has is not None and has(SOAPY_SDR_RX, ch):
                dev.setFrequencyCorrection(SOAPY_SDR_RX, ch, self.ppm)
            else:
                self._emulate_ppm = True
                log.info(
                    "%s: no frequency correction in the driver; offsetting the LO by %g ppm", self._source_id, -self.ppm
                )
        if self._emulate_ppm and self._correct_rate:
            # LO and ADC share the crystal: asking for rate*(1-ppm) gives the nominal rate.
            dev.setSampleRate(SOAPY_SDR_RX, ch, self._rate_hz * (1 - self.ppm * 1e-6))
        else:
            dev.setSampleRate(SOAPY_SDR_RX, ch, self._rate_hz)
            try:
                actual = float(dev.getSampleRate(SOAPY_SDR_RX, ch))
            except Exception:  # noqa: BLE001
                actual = self._rate_hz
            if actual > 0 and abs(actual - self._rate_hz) > 1e-6 * self._rate_hz:
                log.info("%s runs at %.3f Hz (asked %.3f Hz)", self._source_id, actual, self._rate_hz)
                self._rate_hz = actual
        dev.setFrequency(SOAPY_SDR_RX, ch, self._lo_hz(self._center_hz))
        self._gain_db = self._apply_gain(dev, self._gain_db)
        self._apply_bias_tee(dev)
        self._stream = dev.setupStream(SOAPY_SDR_RX, self._format, [ch])
        rc = dev.activateStream(self._stream)
        if isinstance(rc, int) and rc < 0:
            raise SourceError(f"{self._source_id}: activating the stream failed: {self._err(rc)}")
        self._carry, self._overflow_pending, self._next_time_ns = None, False, None

    def _lo_hz(self, center_hz: float) -> float:
        return center_hz * (1 - self.ppm * 1e-6) if self._emulate_ppm else center_hz

    def _apply_gain(self, dev: Any, gain_db: float | None) -> float | None:
        ch = self.channel
        has_agc = bool(dev.hasGainMode(SOAPY_SDR_RX, ch))
        if gain_db is None:
            if self._gain_elements is not None or not has_agc:
                raise SourceError(f"{self._source_id} has no automatic gain control: give a gain in dB")
            dev.setGainMode(SOAPY_SDR_RX, ch, True)
            return None
        if has_agc:
            dev.setGainMode(SOAPY_SDR_RX, ch, False)
        if self._gain_elements is not None:
            parts = dict(self._gain_elements(gain_db))
            for name, value in parts.items():
                dev.setGain(SOAPY_SDR_RX, ch, name, value)
            return float(sum(parts.values()))
        r = dev.getGainRange(SOAPY_SDR_RX, ch)
        lo, hi, step = float(r.minimum()), float(r.maximum()), float(r.step())
        value = min(max(float(gain_db), lo), hi)
        if step > 0:
            value = min(lo + round((value - lo) / step) * step, hi)
        dev.setGain(SOAPY_SDR_RX, ch, value)
        return value

    def _apply_bias_tee(self, dev: Any) -> None:
        key = self._bias_setting
        if key is None:
            try:
                keys = {str(a.key) for a in dev.getSettingInfo()}
            except Exception:  # noqa: BLE001
                keys = set()
            key = next((k for k in BIAS_TEE_SETTINGS if k in keys), None)
        if key is None:
            if self.bias_tee:
                raise SourceError(f"{self._source_id} has no bias-tee setting")
            return
        dev.writeSetting(key, "true" if self.bias_tee else "false")

    def _err(self, code: int) -> str:
        to_str = getattr(self._soapy, "errToStr", None)
        try:
            return f"{to_str(code)} ({code})" if to_str else f"error {code}"
        except Exception:  # noqa: BLE001
            return f"error {code}"

    def _release(self) -> None:
        dev, stream = self._dev, self._stream
        self._dev = self._stream = None
        self._carry = None
        if dev is None:
            return
        if stream is not None:
            for call in (dev.deactivateStream, dev.closeStream):
                try:
                    call(stream)
                except Exception as exc:  # noqa: BLE001 - the device may be gone
                    log.debug("%s: %s failed: %s", self._source_id, call.__name__, exc)
        close = getattr(dev, "close", None)  # SoapySDR >= 0.8: unmake once, guarded
        if close is not None:
            try:
                close()
            except Exception as exc:  # noqa: BLE001
                log.debug("%s: close failed: %s", self._source_id, exc)

    def _close(self) -> None:
        self._release()

    def _tune(self, center_hz: float) -> None:
        dev = self._dev
        if dev is None:
            return
        try:
            if self.flush_on_retune and self._stream is not None:
                dev.deactivateStream(self._stream)
            dev.setFrequency(SOAPY_SDR_RX, self.channel, self._lo_hz(center_hz))
            if self.flush_on_retune and self._stream is not None:
                rc = dev.activateStream(self._stream)
                if isinstance(rc, int) and rc < 0:
                    self._lost(f"restarting the stream after a retune failed: {self._err(rc)}")
        except SourceError:  # DeviceLost included
            raise
        except Exception as exc:  # noqa: BLE001
            self._lost(f"retune to {center_hz / 1e6:.3f} MHz failed: {_one_line(exc)}")
        self._carry, self._overflow_pending, self._next_time_ns = None, False, None

    def _set_gain(self, gain_db: float | None) -> float | None:
        if self._dev is None:
            return gain_db
        try:
            return self._apply_gain(self._dev, gain_db)
        except SourceError:
            raise
        except Exception as exc:  # noqa: BLE001
            self._lost(f"setting the gain failed: {_one_line(exc)}")

    def _gap(self, flags: int, time_ns: int, count: int) -> int | None:
        """Samples lost before this read: 0 none, >0 counted from timestamps, None unknown."""
        has_time = bool(flags & SOAPY_SDR_HAS_TIME)
        gap: int | None = None
        if has_time and self._next_time_ns is not None:
            gap = int(round((time_ns - self._next_time_ns) * self._rate_hz / 1e9))
        self._next_time_ns = time_ns + count * 1e9 / self._rate_hz if has_time else None
        if self._overflow_pending:
            self._overflow_pending = False
            return gap if gap is not None and gap > 0 else None
        return gap if gap is not None and gap > 0 else 0

    def _read(self, n: int) -> tuple[np.ndarray, int | None]:
        dev, stream = self._dev, self._stream
        if dev is None:
            raise DeviceLost(f"{self._source_id} is not streaming (lost earlier): close() and open() it again")
        bps = self._datatype.bytes_per_sample
        raw = np.empty(n * bps, np.uint8)
        got = 0
        dropped: int | None = 0
        if self._carry is not None:
            carried, dropped = self._carry
            k = min(len(carried) // bps, n)
            raw[: k * bps] = carried[: k * bps]
            got = k
            rest = carried[k * bps :]
            self._carry = (rest, 0) if len(rest) else None
        timeout_us = int(self.timeout_s * 1e6)
        zero_reads = 0
        while got < n and self._carry is None:
            try:
                sr = dev.readStream(stream, [raw[got * bps :]], n - got, timeoutUs=timeout_us)
            except Exception as exc:  # noqa: BLE001 - a vanished device throws from the driver
                self._lost(f"read failed: {_one_line(exc)}")
            ret = int(sr.ret)
            if ret > 0:
                drop = self._gap(int(sr.flags), int(sr.timeNs), ret)
                if drop != 0 and got > 0:
                    # The loss lies between what we have and these samples: keep them for the next block.
                    self._carry = (raw[got * bps : (got + ret) * bps].copy(), drop)
                    break
                dropped = _add_drop(dropped, drop) if drop != 0 else dropped
                got += ret
                zero_reads = 0
            elif ret == SOAPY_SDR_OVERFLOW:
                self._overflow_pending = True
                if got:
                    break
            elif ret == SOAPY_SDR_TIMEOUT or ret == 0:
                zero_reads += ret == 0
                if got:
                    break
                if ret == SOAPY_SDR_TIMEOUT or zero_reads > 100:
                    self.stats.timeouts += 1
                    raise SourceTimeout(f"{self._source_id}: no samples for {self.timeout_s:g} s")
            else:
                self._lost(f"stream failed: {self._err(ret)}")
        if self._datatype.name == "cf32_le" and np.little_endian:
            return raw[: got * bps].view(np.complex64), dropped  # a fresh buffer: no copy needed
        return to_complex64(raw[: got * bps], self._datatype), dropped

    def _lost(self, what: str) -> NoReturn:
        self._release()
        raise DeviceLost(f"{self._source_id}: {what} (unplugged?)") from None


def from_profile(device_args: str | None, profile: Any, **kwargs: Any) -> SoapySource:
    """The registry's constructor: ``profile`` is a ``sensor.sources.profiles.ReceiverProfile``."""
    return SoapySource(
        device_args=device_args,
        tuning_range_hz=tuple(profile.tuning_range_hz),
        usable_fraction=profile.usable_bandwidth_fraction,
        settle_s=profile.settle_s,
        description=profile.description,
        **kwargs,
    )
