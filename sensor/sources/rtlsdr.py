"""RTL-SDR dongles through pyrtlsdr (``pip install 'fbs-sensor[rtlsdr]'``).

pyrtlsdr is imported only when a dongle is opened or listed. On Debian 12, pyrtlsdr >= 0.4 fails to
import against the system librtlsdr 0.6 (``undefined symbol: rtlsdr_set_dithering``); the
``pyrtlsdrlib`` wheel (part of the ``rtlsdr`` extra) ships a matching librtlsdr and fixes it.

Streaming: a reader thread (``sensor.sources.pump.BytePump``) calls ``RtlSdr.read_bytes`` back to
back, so a USB read is nearly always in flight, and the raw cu8 bytes are converted to complex64 with
``sensor.sources.convert.to_complex64`` (never through pyrtlsdr's complex128 ``read_samples``).

Drop accounting: librtlsdr's synchronous read has **no overflow flag**. Samples the dongle drops
because no read was in flight are invisible to us; the reader thread keeps that window to the few
microseconds between two reads. When *we* fall behind, the pump's bounded buffer (``buffer_s`` of
samples) drops whole chunks and counts them exactly: those reach ``stats.dropped_samples`` and the
next block's ``dropped_before``.

Errors: pyrtlsdr closes the device on every failed call. A short read (fewer bytes than asked),
LIBUSB_ERROR_NO_DEVICE (-4), _IO (-1), _PIPE (-9) or any other read failure is ``DeviceLost``; a short
read is not counted as lost samples, because the device is gone after it. LIBUSB_ERROR_TIMEOUT (-7)
is ``SourceTimeout`` and the next read reopens the dongle (librtlsdr's sync read normally waits
forever; our own ``timeout_s`` covers a dongle that stops delivering). Reopen after ``DeviceLost``
with ``open()`` (``DeviceLost`` closes the source).
"""

from __future__ import annotations

import ctypes
import logging
from types import ModuleType
from typing import Any, NoReturn

import numpy as np

from sensor.errors import DeviceLost, DeviceNotFound, DriverUnavailable, SourceError, SourceTimeout
from sensor.sources.base import DeviceListing, RadioSource
from sensor.sources.convert import to_complex64
from sensor.sources.pump import BytePump, PumpEnded

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'fbs-sensor[rtlsdr]'"

# libusb error codes (libusb.h) as pyrtlsdr's LibUSBError.errno carries them.
LIBUSB_ERROR_IO = -1
LIBUSB_ERROR_ACCESS = -3
LIBUSB_ERROR_NO_DEVICE = -4
LIBUSB_ERROR_BUSY = -6
LIBUSB_ERROR_TIMEOUT = -7
LIBUSB_ERROR_PIPE = -9
LOST_ERRNOS = frozenset({LIBUSB_ERROR_IO, LIBUSB_ERROR_NO_DEVICE, LIBUSB_ERROR_PIPE})

# enum rtlsdr_tuner (rtl-sdr.h)
TUNER_NAMES = {1: "E4000", 2: "FC0012", 3: "FC0013", 4: "FC2580", 5: "R820T", 6: "R828D"}

DEFAULT_TUNING_RANGE_HZ = (24.0e6, 1766.0e6)  # R820T; the profile gives the tuner's real range
READ_CHUNK_BYTES = 1 << 17  # 64 k samples per USB read: 27 ms at 2.4 Msps; a multiple of 512


def import_pyrtlsdr() -> ModuleType:
    """pyrtlsdr's ``rtlsdr`` module, or ``DriverUnavailable`` with a one-line hint."""
    try:
        import rtlsdr
    except ImportError as exc:
        if getattr(exc, "name", None) == "rtlsdr":
            raise DriverUnavailable(f"pyrtlsdr is not installed: {INSTALL_HINT}") from None
        raise DriverUnavailable(f"pyrtlsdr cannot load librtlsdr ({_one_line(exc)}): {INSTALL_HINT}") from None
    except (OSError, AttributeError) as exc:  # e.g. "undefined symbol: rtlsdr_set_dithering"
        raise DriverUnavailable(
            f"pyrtlsdr does not match the installed librtlsdr ({_one_line(exc)}): {INSTALL_HINT} (adds pyrtlsdrlib)"
        ) from None
    if getattr(rtlsdr, "RtlSdr", None) is None:  # RTLSDR_CLIENT_MODE=1 disables local devices
        raise DriverUnavailable("pyrtlsdr is in client-only mode (unset RTLSDR_CLIENT_MODE)")
    return rtlsdr


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def _errno(exc: BaseException) -> int | None:
    code = getattr(exc, "errno", None)
    return code if isinstance(code, int) else None


def _device_name(rtlsdr: ModuleType, index: int) -> str | None:
    lib = getattr(rtlsdr, "librtlsdr", None)
    try:
        name = lib.rtlsdr_get_device_name(index) if lib is not None else None
    except Exception:  # noqa: BLE001 - a description is optional
        return None
    if isinstance(name, bytes):
        name = name.decode("utf-8", "replace")
    return name or None


def list_devices() -> list[DeviceListing]:
    """Every attached RTL-SDR: its serial (as ``rtl_eeprom`` sets it) and librtlsdr's device name."""
    rtlsdr = import_pyrtlsdr()
    try:
        serials = rtlsdr.RtlSdr.get_device_serial_addresses()
    except OSError as exc:
        raise SourceError(f"rtlsdr: cannot list dongles: {_one_line(exc)}") from None
    out = []
    for index, serial in enumerate(serials):
        serial = serial or None
        spec = f"rtlsdr:{serial}" if serial else "rtlsdr"
        out.append(
            DeviceListing(
                driver="rtlsdr", spec=spec, serial=serial, description=_device_name(rtlsdr, index) or "RTL2832U dongle"
            )
        )
    return out


class RtlSdrSource(RadioSource):
    """One RTL-SDR dongle, chosen by ``serial`` (EEPROM serial) or the first one found.

    ``gain_db`` None selects the tuner's AGC; a number is snapped to the tuner's gain table
    (``get_gains()``, tenths of dB) and ``gain_db`` then reports the gain actually set. ``ppm``
    is applied in whole ppm (librtlsdr's unit), and only when it differs from the current value.
    """

    driver_name = "rtlsdr"
    native_datatype = "cu8"

    def __init__(
        self,
        *,
        serial: str | None = None,
        sample_rate_hz: float = 2.4e6,
        center_hz: float,
        gain_db: float | None = None,
        ppm: float = 0.0,
        bias_tee: bool = False,
        tuning_range_hz: tuple[float, float] | None = None,
        usable_fraction: float = 0.85,
        settle_s: float = 0.0,
        description: str | None = None,
        timeout_s: float = 2.0,
        buffer_s: float = 1.0,
        chunk_bytes: int = READ_CHUNK_BYTES,
    ) -> None:
        super().__init__(
            source_id=f"rtlsdr:{serial}" if serial else "rtlsdr",
            sample_rate_hz=sample_rate_hz,
            center_hz=center_hz,
            gain_db=gain_db,
        )
        self.serial = serial or None
        self.ppm = float(ppm)
        self.bias_tee = bool(bias_tee)
        self.settle_s = float(settle_s)
        self.timeout_s = float(timeout_s)
        self.buffer_s = float(buffer_s)
        self.chunk_bytes = max(512, int(chunk_bytes) // 512 * 512)
        self._tuning_range = tuple(tuning_range_hz) if tuning_range_hz else DEFAULT_TUNING_RANGE_HZ
        self._usable_fraction = float(usable_fraction)
        self._description = description
        self._hw: str | None = None
        self._sdr: Any = None
        self._pump: BytePump | None = None
        self._reopen = False
        self.gains_db: list[float] = []  # the tuner's gain table, known once open

    # --- driver boundary -----------------------------------------------------------------------
    def _open(self) -> None:
        rtlsdr = import_pyrtlsdr()
        index = self._find_index(rtlsdr)
        try:
            sdr = rtlsdr.RtlSdr(device_index=index)
        except OSError as exc:
            code = _errno(exc)
            what = f"RTL-SDR {self.serial or f'#{index}'}"
            if code == LIBUSB_ERROR_ACCESS:
                raise DeviceNotFound(f"{what}: permission denied (install the rtl-sdr udev rules)") from None
            if code == LIBUSB_ERROR_BUSY:
                raise DeviceNotFound(
                    f"{what} is busy: another program has it, or the DVB kernel driver dvb_usb_rtl28xxu is loaded"
                ) from None
            raise DeviceNotFound(f"{what} cannot be opened: {_one_line(exc)}") from None
        # pyrtlsdr keeps the read counter in a class attribute shared by every dongle: give this
        # one its own, or two dongles read from two threads corrupt each other's byte counts.
        sdr.num_bytes_read = ctypes.c_int32(0)
        self._sdr = sdr
        try:
            self._configure(sdr, rtlsdr, index)
        except BaseException:
            self._release()
            raise
        self._start_pump()

    def _find_index(self, rtlsdr: ModuleType) -> int:
        try:
            serials = list(rtlsdr.RtlSdr.get_device_serial_addresses())
        except OSError as exc:
            raise DeviceNotFound(f"rtlsdr: cannot list dongles: {_one_line(exc)}") from None
        if not serials:
            raise DeviceNotFound("no RTL-SDR dongle found (is it plugged in?)")
        if self.serial is None:
            self.serial = serials[0] or None
            if self.serial:
                self._source_id = f"rtlsdr:{self.serial}"
            return 0
        try:
            return int(rtlsdr.RtlSdr.get_device_index_by_serial(self.serial))
        except OSError:
            attached = ", ".join(s or "(none)" for s in serials)
            raise DeviceNotFound(f"no RTL-SDR with serial {self.serial!r} (attached: {attached})") from None

    def _configure(self, sdr: Any, rtlsdr: ModuleType, index: int) -> None:
        try:
            sdr.set_sample_rate(self._rate_hz)
            actual = float(sdr.get_sample_rate())
            if abs(actual - self._rate_hz) > 1e-6 * self._rate_hz:
                log.info("rtlsdr %s runs at %.3f Hz (asked %.3f Hz)", self.serial, actual, self._rate_hz)
                self._rate_hz = actual
            self._apply_ppm(sdr)
            sdr.set_center_freq(int(round(self._center_hz)))
            self.gains_db = [g / 10.0 for g in sdr.get_gains()]
            self._gain_db = self._apply_gain(sdr, self._gain_db)
            self._apply_bias_tee(sdr)
            tuner = TUNER_NAMES.get(int(sdr.get_tuner_type()))
        except OSError as exc:
            raise SourceError(f"{self._source_id}: configuring the dongle failed: {_one_line(exc)}") from None
        name = _device_name(rtlsdr, index) or self._description or "RTL-SDR"
        self._hw = f"{name} ({tuner})" if tuner else name

    def _apply_ppm(self, sdr: Any) -> None:
        ppm = int(round(self.ppm))
        if ppm != self.ppm:
            log.info("rtlsdr %s: frequency correction rounded to %d ppm (librtlsdr takes whole ppm)", self.serial, ppm)
        # librtlsdr rejects setting the value it already has (and pyrtlsdr then closes the device).
        if int(sdr.get_freq_correction()) != ppm:
            sdr.set_freq_correction(ppm)

    def _apply_gain(self, sdr: Any, gain_db: float | None) -> float | None:
        if gain_db is None:
            sdr.set_manual_gain_enabled(False)  # tuner AGC; the RTL2832's digital AGC stays off
            return None
        if not self.gains_db:
            raise SourceError(f"{self._source_id}: the tuner reports no gain table")
        snapped = min(self.gains_db, key=lambda g: abs(g - gain_db))
        sdr.set_manual_gain_enabled(True)
        sdr.set_gain(snapped)
        return snapped

    def _apply_bias_tee(self, sdr: Any) -> None:
        try:
            sdr.set_bias_tee(self.bias_tee)
        except AttributeError:
            if self.bias_tee:
                raise SourceError(f"{self._source_id}: this pyrtlsdr/librtlsdr has no bias-tee control") from None

    def _start_pump(self) -> None:
        sdr, n = self._sdr, self.chunk_bytes

        def read() -> bytes:
            return bytes(sdr.read_bytes(n))  # copy: pyrtlsdr reuses its buffer

        self._pump = BytePump(
            read,
            frame_bytes=2,
            max_buffer_bytes=max(int(self.buffer_s * self._rate_hz) * 2, 4 * n),
            name=f"rtlsdr-{self.serial or 0}",
        ).start()

    def _release(self) -> None:
        """Stop the reader and close the dongle; safe to call twice and after pyrtlsdr closed it."""
        pump, sdr = self._pump, self._sdr
        self._pump = self._sdr = None
        stopped = pump.stop() if pump is not None else True
        if sdr is not None:
            if stopped:
                try:
                    sdr.close()
                except Exception as exc:  # noqa: BLE001 - closing a vanished device
                    log.debug("rtlsdr %s: close failed: %s", self.serial, exc)
            else:
                # The reader is stuck inside librtlsdr: closing under it would free memory it uses.
                log.warning("rtlsdr %s: reader thread did not stop; leaving the handle open", self.serial)

    def _close(self) -> None:
        self._reopen = False
        self._release()

    def _tune(self, center_hz: float) -> None:
        if self._sdr is None:
            return
        try:
            self._sdr.set_center_freq(int(round(center_hz)))
        except OSError as exc:
            self._lost(exc, f"retune to {center_hz / 1e6:.3f} MHz failed")
        if self._pump is not None:
            self._pump.new_generation()

    def _set_gain(self, gain_db: float | None) -> float | None:
        if self._sdr is None:
            if gain_db is None or not self.gains_db:
                return gain_db
            return min(self.gains_db, key=lambda g: abs(g - gain_db))
        try:
            gain = self._apply_gain(self._sdr, gain_db)
        except OSError as exc:
            self._lost(exc, "setting the gain failed")
        if self._pump is not None:
            self._pump.new_generation()
        return gain

    def _read(self, n: int) -> tuple[np.ndarray, int | None]:
        if self._reopen:
            self._reopen = False
            self._release()
            self._open()
        if self._pump is None:
            raise DeviceLost(f"{self._source_id} is not streaming (lost earlier): close() and open() it again")
        try:
            taken = self._pump.take(2 * n, self.timeout_s)
        except TimeoutError:
            self.stats.timeouts += 1
            raise SourceTimeout(f"{self._source_id}: no samples for {self.timeout_s:g} s") from None
        except PumpEnded as end:
            cause = end.cause
            if cause is not None and not isinstance(cause, OSError):
                self._release()
                raise cause  # noqa: B904 - not a driver failure: a bug, re-raised as it is with its traceback
            if cause is not None and _errno(cause) == LIBUSB_ERROR_TIMEOUT:
                self.stats.timeouts += 1
                self._reopen = True  # pyrtlsdr has closed the device; the next read reopens it
                raise SourceTimeout(f"{self._source_id}: USB read timed out") from None
            self._lost(cause, "read failed")
        if taken.stale_bytes:
            # Samples read before a retune or gain change: thrown away on purpose, and, like the
            # settling discard in DeviceSource.blocks, they still advance the sample clock.
            self.stats.discarded_samples += taken.stale_bytes // 2
            self._next_sample += taken.stale_bytes // 2
        return to_complex64(taken.data, "cu8"), taken.dropped

    def _lost(self, exc: BaseException | None, what: str) -> NoReturn:
        self._release()
        detail = "the stream ended" if exc is None else _one_line(exc)
        code = None if exc is None else _errno(exc)
        # A short read (no errno) or NO_DEVICE/IO/PIPE is what an unplugged dongle looks like.
        hint = " (unplugged?)" if code is None or code in LOST_ERRNOS else ""
        raise DeviceLost(f"{self._source_id}: {what}: {detail}{hint}") from None


def from_profile(serial: str | None, profile: Any, **kwargs: Any) -> RtlSdrSource:
    """The registry's constructor: ``profile`` is a ``sensor.sources.profiles.ReceiverProfile``."""
    return RtlSdrSource(
        serial=serial,
        tuning_range_hz=tuple(profile.tuning_range_hz),
        usable_fraction=profile.usable_bandwidth_fraction,
        settle_s=profile.settle_s,
        description=profile.description,
        **kwargs,
    )
