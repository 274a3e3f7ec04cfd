"""The one small interface every IQ source implements.

A source is opened, tuned, given a gain, streamed in ``IQBlock``s and closed. File sources are
not tunable; device sources share the streaming bookkeeping in ``DeviceSource`` and implement
five driver-facing methods (``_open``, ``_close``, ``_tune``, ``_set_gain``, ``_read``).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from sensor.errors import DeviceLost, SourceError
from sensor.model import IQBlock

DEFAULT_BLOCK_SAMPLES = 1 << 18


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What a source is and what it can do."""

    source_id: str  # stable id, e.g. "rtlsdr:00000001" or "sigmf:/path/name"
    driver: str  # "rtlsdr", "soapy", "hackrf", "sigmf", "raw", "sim"
    hw: str | None  # description for SigMF core:hw, e.g. "RTL-SDR Blog V3 (R820T2)"
    serial: str | None
    tunable: bool
    tuning_range_hz: tuple[float, float] | None
    sample_rate_hz: float
    usable_bandwidth_hz: float  # the part of the passband worth decoding (anti-alias roll-off excluded)
    native_datatype: str  # SigMF datatype that stores this source's samples without loss


@dataclass(frozen=True, slots=True)
class DeviceListing:
    """One attached receiver, as ``fbs-sensor devices`` lists it."""

    driver: str  # "rtlsdr", "soapy", "hackrf"
    spec: str  # what to pass to --device to open exactly this receiver, e.g. "rtlsdr:00000001"
    serial: str | None
    description: str  # e.g. "Realtek RTL2838UHIDIR (R820T)"


@dataclass(slots=True)
class SourceStats:
    """Running counters; never reset while a source is open."""

    samples: int = 0  # samples delivered in blocks
    dropped_samples: int = 0  # samples known to be lost (overflow, dropped transfers)
    drop_events: int = 0  # times samples were lost, counted even when the amount is unknown
    timeouts: int = 0
    discarded_samples: int = 0  # samples thrown away on purpose while a new tuning settles
    retunes: int = 0


class Source(ABC):
    """An IQ source. Use as a context manager, or call ``open()`` and ``close()``."""

    def __init__(self) -> None:
        self.stats = SourceStats()
        self._is_open = False

    @property
    @abstractmethod
    def info(self) -> SourceInfo: ...

    @property
    @abstractmethod
    def center_hz(self) -> float: ...

    @property
    def gain_db(self) -> float | None:
        return None

    def open(self) -> Source:
        self._is_open = True
        return self

    def close(self) -> None:
        self._is_open = False

    def __enter__(self) -> Source:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def tune(self, center_hz: float) -> None:
        raise SourceError(f"{self.info.source_id} cannot be tuned")

    def set_gain(self, gain_db: float | None) -> None:
        """Set the receive gain in dB; ``None`` selects automatic gain where the device has it."""
        raise SourceError(f"{self.info.source_id} has no adjustable gain")

    @abstractmethod
    def blocks(self, block_samples: int = DEFAULT_BLOCK_SAMPLES, max_samples: int | None = None) -> Iterator[IQBlock]:
        """Stream blocks of at most ``block_samples`` samples until the source ends or
        ``max_samples`` have been delivered."""


@dataclass(slots=True)
class _Clock:
    """Maps the device's sample counter to UTC: anchored on the first read after each (re)start."""

    anchor_sample: int | None = None
    anchor_utc_s: float | None = None

    def reset(self) -> None:
        self.anchor_sample = None
        self.anchor_utc_s = None

    def time_of(self, first_sample: int, n: int, rate_hz: float) -> float:
        if self.anchor_sample is None or self.anchor_utc_s is None:
            # The read has just returned: its last sample was taken about now.
            self.anchor_sample = first_sample
            self.anchor_utc_s = time.time() - n / rate_hz
        return self.anchor_utc_s + (first_sample - self.anchor_sample) / rate_hz


class DeviceSource(Source):
    """Common streaming bookkeeping for radios.

    Subclasses implement the driver boundary:
    ``_open()``, ``_close()``, ``_tune(center_hz)``, ``_set_gain(gain_db)`` and
    ``_read(n) -> (samples complex64, dropped)`` where ``dropped`` is the number of samples the
    driver says were lost right before these (0 when none, ``None`` when lost but uncounted).
    ``_read`` raises ``SourceTimeout`` or ``DeviceLost``; both leave the counters consistent.
    """

    settle_s: float = 0.0  # samples to discard after a retune while the tuner's PLL settles

    def __init__(self, *, source_id: str, sample_rate_hz: float, center_hz: float, gain_db: float | None) -> None:
        super().__init__()
        self._source_id = source_id
        self._rate_hz = float(sample_rate_hz)
        self._center_hz = float(center_hz)
        self._gain_db = gain_db
        self._next_sample = 0
        self._discard = 0
        self._clock = _Clock()

    @property
    def center_hz(self) -> float:
        return self._center_hz

    @property
    def gain_db(self) -> float | None:
        return self._gain_db

    @property
    def sample_rate_hz(self) -> float:
        return self._rate_hz

    def open(self) -> DeviceSource:
        if not self._is_open:
            self._open()
            self._is_open = True
            self._clock.reset()
            self._discard = int(self.settle_s * self._rate_hz)
        return self

    def close(self) -> None:
        if self._is_open:
            self._is_open = False
            self._close()

    def tune(self, center_hz: float) -> None:
        lo_hi = self.info.tuning_range_hz
        if lo_hi is not None and not lo_hi[0] <= center_hz <= lo_hi[1]:
            raise SourceError(
                f"{self._source_id}: {center_hz / 1e6:.3f} MHz is outside the tuning range "
                f"{lo_hi[0] / 1e6:.1f}-{lo_hi[1] / 1e6:.1f} MHz"
            )
        self._tune(float(center_hz))
        self._center_hz = float(center_hz)
        self.stats.retunes += 1
        self._clock.reset()
        self._discard = int(self.settle_s * self._rate_hz)

    def set_gain(self, gain_db: float | None) -> None:
        self._gain_db = self._set_gain(gain_db)
        if self._is_open:  # samples already in flight were taken at the old gain, like after a retune
            self._discard = int(self.settle_s * self._rate_hz)

    def blocks(self, block_samples: int = DEFAULT_BLOCK_SAMPLES, max_samples: int | None = None) -> Iterator[IQBlock]:
        if not self._is_open:
            self.open()
        delivered = 0
        pending_drop: int | None = 0
        while max_samples is None or delivered < max_samples:
            want = block_samples if max_samples is None else min(block_samples, max_samples - delivered)
            try:
                samples, dropped = self._read(want)
            except DeviceLost:
                self.close()  # the handle is dead: a plain open() reconnects
                raise
            if dropped is None or dropped > 0:
                self.stats.drop_events += 1
                self.stats.dropped_samples += dropped or 0
                self._next_sample += dropped or 0
                pending_drop = None if (dropped is None or pending_drop is None) else pending_drop + dropped
            if self._discard:
                skip = min(self._discard, len(samples))
                self._discard -= skip
                self.stats.discarded_samples += skip
                self._next_sample += skip
                samples = samples[skip:]
            if len(samples) == 0:
                continue
            first = self._next_sample
            block = IQBlock(
                samples=samples,
                sample_rate_hz=self._rate_hz,
                center_hz=self._center_hz,
                first_sample=first,
                time_utc_s=self._clock.time_of(first, len(samples), self._rate_hz),
                gain_db=self._gain_db,
                source_id=self._source_id,
                dropped_before=pending_drop,
            )
            pending_drop = 0
            self._next_sample += len(samples)
            self.stats.samples += len(samples)
            delivered += len(samples)
            yield block

    # --- the driver boundary -------------------------------------------------------------------
    @abstractmethod
    def _open(self) -> None: ...

    @abstractmethod
    def _close(self) -> None: ...

    @abstractmethod
    def _tune(self, center_hz: float) -> None: ...

    @abstractmethod
    def _set_gain(self, gain_db: float | None) -> float | None:
        """Apply the gain; return the gain actually set (None for automatic)."""

    @abstractmethod
    def _read(self, n: int) -> tuple[np.ndarray, int | None]: ...


class RadioSource(DeviceSource):
    """A real radio: ``info`` from the attributes every backend keeps.

    Subclasses set ``driver_name`` and ``native_datatype`` and, in their constructor, ``serial``,
    ``_description``, ``_hw`` (None until the device says what it is), ``_tuning_range`` and
    ``_usable_fraction``.
    """

    driver_name: str = ""
    native_datatype: str = "cf32_le"
    serial: str | None
    _description: str | None
    _hw: str | None
    _tuning_range: tuple[float, float]
    _usable_fraction: float

    @property
    def info(self) -> SourceInfo:
        return SourceInfo(
            source_id=self._source_id,
            driver=self.driver_name,
            hw=self._hw or self._description,
            serial=self.serial,
            tunable=True,
            tuning_range_hz=self._tuning_range,
            sample_rate_hz=self._rate_hz,
            usable_bandwidth_hz=self._rate_hz * self._usable_fraction,
            native_datatype=self.native_datatype,
        )


def as_complex64(samples: np.ndarray) -> np.ndarray:
    """Samples as a 1-D C-contiguous complex64 array (no copy when already so)."""
    return np.ascontiguousarray(np.asarray(samples).ravel(), dtype=np.complex64)
