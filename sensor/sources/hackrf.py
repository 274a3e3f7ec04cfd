"""HackRF One, through SoapySDR's hackrf module when available, otherwise through ``hackrf_transfer``.

Transport (``transport="auto"``): when the ``SoapySDR`` module imports and its hackrf module finds the
board, samples come through ``sensor.sources.soapy.SoapySource`` (read as CS8, so both transports
deliver the HackRF's own signed bytes scaled by 1/128 exactly as ``ci8``; SoapyHackRF's CF32 would
scale by 1/127). Otherwise ``hackrf_transfer -r -`` (Debian package ``hackrf``) runs as a subprocess
and its stdout (ci8) is drained by a reader thread (``sensor.sources.process_stream.ProcessStream``).

hackrf_transfer cannot be retuned or re-gained while running: ``tune`` and ``set_gain`` restart it
(``restarts`` counts them). After a gain-change restart (same tuning) the next block says
``dropped_before=None``, the sample clock re-anchors and ``settle_s`` is discarded again. It runs in
its own session: it signals its whole process group with SIGALRM when it stops
(``kill(0, SIGALRM)``), which would otherwise kill us. ``close`` sends SIGINT
(its clean stop: the board leaves receive mode), keeps draining stdout while it exits, kills it after
``stop_timeout_s`` and always reaps it (no zombie). The process exiting or its stdout ending
mid-stream is ``DeviceLost``, with its first error line from stderr; no bytes for ``timeout_s`` is
``SourceTimeout`` (hackrf_transfer itself gives up after one second without USB data, which then
shows up as ``DeviceLost``).

Gain: one number in dB, 0-116, split over the three stages (even totals are exact):

- RF amp (0 or 14 dB) only for totals above 90 dB: it improves the noise figure most but is the
  first stage to overload next to a strong (for example fake) base station;
- LNA (IF, 0-40 dB in 8 dB steps) next, for noise figure: the largest multiple of 8 that leaves the
  VGA at least 8 dB;
- VGA (baseband, 0-62 dB in 2 dB steps) the rest.

So 40 dB (the profile default) is LNA 32 + VGA 8, 62 dB is LNA 40 + VGA 22, 116 dB is amp + 40 + 62.
There is no AGC: ``gain_db=None`` is an error.

Drop accounting (hackrf_transfer): the reader thread keeps the pipe drained; when the consumer falls
behind, the pump's bounded buffer drops whole chunks and counts them exactly. With ``buffer_stats``
(``-B``, firmware 2022.09 or later) hackrf_transfer prints the board's overrun counter once a second;
when it grows, the next block gets ``dropped_before=None`` (an unknown number of samples was lost in
the second before, not exactly there). Through SoapySDR, SoapyHackRF's overflow code is counted the
same way (unknown amount).

One device in one file, as every backend: the two transports share the device facts (gain split,
``hackrf_info`` parsing, serial matching, the profile) and one ``HackRFSource`` chooses between them.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from typing import Any, NoReturn

import numpy as np

from sensor.errors import ConfigError, DeviceLost, DeviceNotFound, DriverUnavailable, SourceError, SourceTimeout
from sensor.sources.base import DeviceListing, RadioSource
from sensor.sources.convert import to_complex64
from sensor.sources.process_stream import ProcessStream
from sensor.sources.pump import BytePump, PumpEnded

log = logging.getLogger(__name__)

INSTALL_HINT = "install Debian's hackrf package (hackrf_transfer), or python3-soapysdr with soapysdr-module-hackrf"

LNA_MAX_DB, LNA_STEP_DB = 40, 8
VGA_MAX_DB, VGA_STEP_DB = 62, 2
AMP_DB = 14
AMP_ABOVE_DB = 90  # the RF amp is switched in only for totals above this
VGA_FLOOR_DB = 8
GAIN_MAX_DB = LNA_MAX_DB + VGA_MAX_DB + AMP_DB  # 116

_OVERRUNS_RE = re.compile(r"(\d+) overruns")
_TELLING_RE = re.compile(r"failed|error|couldn't|not found|hackrf_is_streaming", re.IGNORECASE)


def hackrf_gain_split(gain_db: float) -> tuple[int, int, int]:
    """``(lna_db, vga_db, amp_db)`` for a total gain (see the module docstring for the rule)."""
    total = int(2 * round(min(max(float(gain_db), 0.0), GAIN_MAX_DB) / 2))
    amp = AMP_DB if total > AMP_ABOVE_DB else 0
    rest = total - amp
    lna = min(LNA_MAX_DB, LNA_STEP_DB * ((rest - VGA_FLOOR_DB) // LNA_STEP_DB)) if rest > VGA_FLOOR_DB else 0
    return lna, rest - lna, amp


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


# --- listing --------------------------------------------------------------------------------------
def parse_hackrf_info(text: str) -> list[DeviceListing]:
    """The boards in ``hackrf_info`` output (both serial formats: one hex string, or four 0x words)."""
    boards: list[dict[str, str]] = []
    for line in text.splitlines():
        key, _, value = line.strip().partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "found hackrf" or (key == "index" and (not boards or "serial" in boards[-1])):
            if not boards or boards[-1]:
                boards.append({})
        elif key == "serial number" and value and boards:
            words = value.split()
            if all(w.lower().startswith("0x") for w in words):
                boards[-1]["serial"] = "".join(w[2:].zfill(8) for w in words).lower()
            else:
                boards[-1]["serial"] = "".join(words).lower()
        elif key == "board id number" and boards:
            m = re.search(r"\((.+)\)", value)
            if m:
                boards[-1]["board"] = m.group(1)
    return [
        DeviceListing(
            driver="hackrf", spec=f"hackrf:{b['serial']}", serial=b["serial"], description=b.get("board", "HackRF")
        )
        for b in boards
        if b.get("serial")
    ]


def list_devices() -> list[DeviceListing]:
    """Attached HackRFs, from ``hackrf_info`` (or SoapySDR's hackrf module when that is missing)."""
    exe = shutil.which("hackrf_info")
    if exe is None:
        try:
            from sensor.sources.soapy import enumerate_devices, import_soapysdr

            soapy = import_soapysdr()
        except DriverUnavailable:
            raise DriverUnavailable(f"hackrf_info not found: {INSTALL_HINT}") from None
        return [
            DeviceListing(
                driver="hackrf", spec=f"hackrf:{f['serial']}", serial=f["serial"], description=f.get("label", "HackRF")
            )
            for f in enumerate_devices(soapy, {"driver": "hackrf"})
            if f.get("serial")
        ]
    try:
        done = subprocess.run([exe], capture_output=True, text=True, timeout=15, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SourceError(f"hackrf_info failed: {_one_line(exc)}") from None
    return parse_hackrf_info(done.stdout)


def _match_serial(serials: list[str], wanted: str) -> list[str]:
    """libhackrf's rule: a serial selects the boards whose serial ends with it."""
    w = wanted.lower()
    return [s for s in serials if s.lower().endswith(w)]


# --- the source -----------------------------------------------------------------------------------
class HackRFSource(RadioSource):
    """One HackRF, chosen by ``serial`` (the full serial or a unique suffix) or the first one found."""

    driver_name = "hackrf"
    native_datatype = "ci8"

    def __init__(
        self,
        *,
        serial: str | None = None,
        sample_rate_hz: float = 16e6,
        center_hz: float,
        gain_db: float | None = 40.0,
        ppm: float = 0.0,
        bias_tee: bool = False,
        tuning_range_hz: tuple[float, float] | None = None,
        usable_fraction: float = 0.75,
        settle_s: float = 0.0,
        description: str | None = None,
        transport: str = "auto",
        executable: str = "hackrf_transfer",
        timeout_s: float = 2.0,
        start_timeout_s: float = 5.0,
        stop_timeout_s: float = 3.0,
        buffer_s: float = 0.5,
        buffer_stats: bool = True,
    ) -> None:
        if gain_db is None:
            raise ConfigError("the HackRF has no automatic gain control: give a gain in dB (0-116)")
        if transport not in ("auto", "soapy", "hackrf_transfer"):
            raise ConfigError(f"HackRF transport {transport!r}: expected auto, soapy or hackrf_transfer")
        super().__init__(
            source_id=f"hackrf:{serial}" if serial else "hackrf",
            sample_rate_hz=sample_rate_hz,
            center_hz=center_hz,
            gain_db=self._total(gain_db),
        )
        self.serial = serial or None
        self.ppm = float(ppm)
        self.bias_tee = bool(bias_tee)
        self.settle_s = float(settle_s)
        self.transport = transport
        self.executable = executable
        self.timeout_s = float(timeout_s)
        self.start_timeout_s = float(start_timeout_s)
        self.stop_timeout_s = float(stop_timeout_s)
        self.buffer_s = float(buffer_s)
        self.buffer_stats = bool(buffer_stats)
        self._tuning_range = tuple(tuning_range_hz) if tuning_range_hz else (1.0e6, 6000.0e6)
        self._usable_fraction = float(usable_fraction)
        self._description = description
        self._hw: str | None = None
        self.active_transport: str | None = None  # "soapy" or "hackrf_transfer" once open
        self.restarts = 0  # hackrf_transfer restarts for a retune or gain change
        self._inner: Any = None  # SoapySource when going through SoapySDR
        self._exe: str | None = None
        self._stream: ProcessStream | None = None  # the running hackrf_transfer
        self._running_split: tuple[int, int, int] | None = None
        self._restart_gap = False  # a gain change restarted hackrf_transfer: report a gap

    @staticmethod
    def _total(gain_db: float) -> float:
        return float(sum(hackrf_gain_split(gain_db)))

    @property
    def pid(self) -> int | None:
        """The running hackrf_transfer's process id (None through SoapySDR or when stopped)."""
        return self._stream.pid if self._stream is not None else None

    def _set_serial(self, serial: str | None) -> None:
        if serial:
            self.serial = serial
            self._source_id = f"hackrf:{serial}"

    # --- transport choice ----------------------------------------------------------------------
    def _open(self) -> None:
        soapy_usable = False
        if self.transport in ("auto", "soapy"):
            match, why, soapy_usable = self._find_through_soapy()
            if match is not None:
                self._open_soapy(match)
                return
            if self.transport == "soapy":
                if not soapy_usable:
                    raise DriverUnavailable(why)
                raise DeviceNotFound(f"no HackRF{self._which()} found through SoapySDR ({why})")
        exe = shutil.which(self.executable)
        if exe is None:
            if soapy_usable:
                raise DeviceNotFound(
                    f"no HackRF{self._which()} found through SoapySDR, and {self.executable} is not installed"
                )
            raise DriverUnavailable(f"{self.executable} not found on PATH: {INSTALL_HINT}")
        self._exe = exe
        self.active_transport = "hackrf_transfer"
        self._resolve_serial_with_hackrf_info()
        self._start_process(self._center_hz, lost=False)

    def _which(self) -> str:
        return f" with serial {self.serial}" if self.serial else ""

    def _find_through_soapy(self) -> tuple[dict[str, str] | None, str, bool]:
        """(the enumerated board to open or None, why not, whether SoapySDR itself is usable)."""
        from sensor.sources.soapy import enumerate_devices, import_soapysdr

        try:
            soapy = import_soapysdr()
        except DriverUnavailable as exc:
            return None, str(exc), False
        try:
            found = [f for f in enumerate_devices(soapy, {"driver": "hackrf"}) if f.get("serial")]
        except SourceError as exc:
            return None, str(exc), True
        serials = [f["serial"] for f in found]
        chosen = _match_serial(serials, self.serial) if self.serial else serials[:1]
        if len(chosen) > 1:
            raise DeviceNotFound(f"HackRF serial {self.serial!r} matches {len(chosen)} boards: give more of it")
        if not chosen:
            why = f"attached: {', '.join(serials)}" if serials else "its hackrf module finds none"
            return None, why, True
        return next(f for f in found if f["serial"] == chosen[0]), "", True

    def _open_soapy(self, found: dict[str, str]) -> None:
        from sensor.sources.soapy import SoapySource

        def split(gain_db: float) -> dict[str, float]:
            lna, vga, amp = hackrf_gain_split(gain_db)
            return {"AMP": float(amp), "LNA": float(lna), "VGA": float(vga)}

        inner = SoapySource(
            device_args={"driver": "hackrf", "serial": found["serial"]},
            sample_rate_hz=self._rate_hz,
            center_hz=self._center_hz,
            gain_db=self._gain_db,
            ppm=self.ppm,
            bias_tee=self.bias_tee,
            tuning_range_hz=self._tuning_range,
            usable_fraction=self._usable_fraction,
            description=self._description,
            stream_format="CS8",
            timeout_s=self.timeout_s,
            gain_elements=split,
            bias_setting="bias_tx",
            correct_rate_for_ppm=True,
        )
        inner._open()
        self._inner = inner
        self.active_transport = "soapy"
        self._set_serial(found["serial"])
        self._hw = inner.info.hw or self._description

    def _resolve_serial_with_hackrf_info(self) -> None:
        """Learn the full serial (for a stable source id) when hackrf_info can tell it unambiguously."""
        if shutil.which("hackrf_info") is None:
            return
        try:
            boards = list_devices()
        except SourceError as exc:
            log.debug("hackrf_info: %s", exc)
            return
        serials = [b.serial for b in boards if b.serial]
        chosen = _match_serial(serials, self.serial) if self.serial else serials
        if len(chosen) == 1:
            self._set_serial(chosen[0])
            self._hw = next((b.description for b in boards if b.serial == chosen[0]), None)

    # --- hackrf_transfer process ---------------------------------------------------------------
    def _command(self, center_hz: float, split: tuple[int, int, int]) -> list[str]:
        lna, vga, amp = split
        assert self._exe is not None
        cmd = [
            self._exe, "-r", "-",
            "-f", str(int(round(center_hz))),
            "-s", str(int(round(self._rate_hz))),
            "-l", str(lna), "-g", str(vga), "-a", "1" if amp else "0",
            "-p", "1" if self.bias_tee else "0",
        ]  # fmt: skip
        ppm = int(round(self.ppm))
        if ppm:
            cmd += ["-C", str(ppm)]  # hackrf_transfer takes whole ppm
        if self.serial:
            cmd += ["-d", self.serial]
        if self.buffer_stats:
            cmd.append("-B")
        return cmd

    def _start_process(self, center_hz: float, *, lost: bool) -> None:
        assert self._gain_db is not None
        split = hackrf_gain_split(self._gain_db)
        cmd = self._command(center_hz, split)
        log.debug("starting %s", " ".join(cmd))
        overruns = [0]

        def on_line(line: str, pump: BytePump) -> None:  # with -B: the board's overrun counter
            m = _OVERRUNS_RE.search(line)
            if m:
                if int(m.group(1)) > overruns[0]:
                    pump.mark_drop(None)  # the board lost samples in the last second
                overruns[0] = int(m.group(1))

        try:
            stream = ProcessStream(
                cmd,
                frame_bytes=2,
                name="hackrf_transfer",
                stop_timeout_s=self.stop_timeout_s,
                max_buffer_bytes=max(int(self.buffer_s * self._rate_hz) * 2, 1 << 20),
                on_stderr_line=on_line,
            )
        except OSError as exc:
            raise DriverUnavailable(f"cannot run {cmd[0]}: {_one_line(exc)}") from None
        self._stream = stream
        self._running_split = split

        ready = stream.pump.wait_ready(self.start_timeout_s)
        head = stream.pump.peek(6)
        if ready and head and not head.startswith(b"Usage"):
            return
        if not ready:
            summary = self._stderr_summary()
            self._stop_process()
            raise SourceTimeout(
                f"{self._source_id}: hackrf_transfer delivered no samples within {self.start_timeout_s:g} s"
                + (f": {summary}" if summary else "")
            )
        # It printed its usage text on stdout, or ended before any sample: it failed to start.
        rc = stream.wait_exit()
        summary = self._stderr_summary()
        everything = " ".join(stream.lines)
        self._stop_process()
        if lost:
            raise DeviceLost(f"{self._source_id}: hackrf_transfer could not restart (status {rc}): {summary}")
        if "hackrf_open" in everything or "NOT_FOUND" in everything:
            raise DeviceNotFound(f"no HackRF{self._which()} could be opened: {summary}")
        raise SourceError(f"{self._source_id}: hackrf_transfer failed to start (status {rc}): {summary}")

    def _stderr_summary(self) -> str:
        """The most telling stderr line: the first error-looking one (the cause; what follows is
        the tool shutting down), else the last line."""
        lines = [] if self._stream is None else list(self._stream.lines)
        telling = [line for line in lines if _TELLING_RE.search(line) and "m0_state" not in line]
        return telling[0] if telling else (lines or [""])[-1]

    def _stop_process(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.stop()

    # --- driver boundary -----------------------------------------------------------------------
    def _close(self) -> None:
        self._restart_gap = False
        if self._inner is not None:
            inner, self._inner = self._inner, None
            inner._close()
        self._stop_process()
        self.active_transport = None

    def _tune(self, center_hz: float) -> None:
        if self._inner is not None:
            self._inner._tune(center_hz)
        elif self._stream is not None:
            self._stop_process()
            self.restarts += 1
            self._start_process(center_hz, lost=True)

    def _set_gain(self, gain_db: float | None) -> float | None:
        if gain_db is None:
            raise SourceError(f"{self._source_id}: the HackRF has no automatic gain control: give a gain in dB")
        total = self._total(gain_db)
        if self._inner is not None:
            return self._inner._set_gain(total)
        if self._stream is not None and hackrf_gain_split(total) != self._running_split:
            self._stop_process()
            self.restarts += 1
            self._gain_db = total
            self._start_process(self._center_hz, lost=True)
            # Same tuning, but the stream restarted: an unknown stretch of samples is missing, the
            # clock must re-anchor, and the fresh start settles like after a retune.
            self._restart_gap = True
            self._clock.reset()
            self._discard = int(self.settle_s * self._rate_hz)
        return total

    def _read(self, n: int) -> tuple[np.ndarray, int | None]:
        if self._inner is not None:
            return self._inner._read(n)
        pump = None if self._stream is None else self._stream.pump
        if pump is None:
            raise DeviceLost(f"{self._source_id} is not streaming (lost earlier): close() and open() it again")
        try:
            taken = pump.take(2 * n, self.timeout_s)
        except TimeoutError:
            self.stats.timeouts += 1
            summary = self._stderr_summary()
            raise SourceTimeout(
                f"{self._source_id}: no samples for {self.timeout_s:g} s"
                + (f" (hackrf_transfer: {summary})" if summary else "")
            ) from None
        except PumpEnded as end:
            self._ended(end.cause)
        dropped = taken.dropped
        if self._restart_gap:
            self._restart_gap, dropped = False, None
        return to_complex64(taken.data, "ci8"), dropped

    def _ended(self, cause: BaseException | None) -> NoReturn:
        rc = None if self._stream is None else self._stream.wait_exit()  # None: still running, stop() ends it
        summary = self._stderr_summary() or (_one_line(cause) if cause else "")
        self._stop_process()
        status = "still running" if rc is None else f"status {rc}"
        raise DeviceLost(f"{self._source_id}: hackrf_transfer stopped mid-stream ({status}): {summary or 'no message'}")


def from_profile(serial: str | None, profile: Any, **kwargs: Any) -> HackRFSource:
    """The registry's constructor: ``profile`` is a ``sensor.sources.profiles.ReceiverProfile``."""
    return HackRFSource(
        serial=serial,
        tuning_range_hz=tuple(profile.tuning_range_hz),
        usable_fraction=profile.usable_bandwidth_fraction,
        settle_s=profile.settle_s,
        description=profile.description,
        **kwargs,
    )
