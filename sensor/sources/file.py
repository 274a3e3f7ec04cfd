"""A recording as the live sensor's receiver (``--device file:PATH``): what `fbs-sensor run` reads
instead of a radio, so the daemon's whole receive path (scanner, receiver, cells, detection,
publishing) can be run and measured on a recording.

The recording is read as fast as the receiver takes it (not at its own pace): an hour of input
takes what the receiver needs for it. Its time stamps are the recording's (``core:datetime``, else
the moment it was opened), not the laptop's clock. A recording cannot be retuned: its profile
(``recording_profile``) allows one centre, the recording's, and one rate, so the scan plan is one
tuning whose channels are those inside the recorded band; the visits that follow each other on that
tuning read the file on from where the last one stopped. At the recording's end ``exhausted`` is set
and ``blocks`` stops: the daemon ends its run there (``the recording ended``).

``PATH`` is a SigMF recording (meta, data or archive). One centre frequency only: a recording that
retunes between captures is for `fbs-sensor replay`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from sensor.errors import ConfigError, SourceError
from sensor.model import IQBlock
from sensor.sources.base import DEFAULT_BLOCK_SAMPLES, DeviceListing, DeviceSource, SourceInfo, _Clock
from sensor.sources.open import open_recording
from sensor.sources.profiles import DEFAULT_PROFILE, ReceiverProfile, all_profiles
from sensor.sources.recording import RecordingSource

# Without a receiver profile that records in this datatype at this rate: the part of the band worth
# decoding, and no DC spike assumed.
FALLBACK_USABLE_FRACTION = 0.8


def list_devices() -> list[DeviceListing]:
    """A recording is not attached hardware: never listed."""
    return []


def open_file(arg: str | None) -> RecordingSource:
    """The recording ``arg`` names, checked: one-line errors for no path, a missing or bad file, and
    a recording with more than one centre frequency."""
    if not arg:
        raise ConfigError("file: give the recording, --device file:PATH (a SigMF recording)")
    rec = open_recording(Path(arg))
    centres = {s.center_hz for s in rec.segments}
    if len(centres) > 1:
        raise ConfigError(
            f"{arg}: the recording retunes ({len(centres)} centre frequencies): `fbs-sensor run` reads one "
            "tuning; replay it with `fbs-sensor replay`"
        )
    return rec


def recording_profile(arg: str | None) -> ReceiverProfile:
    """The receiver profile of the recording ``arg``: its centre the only tuning (a 2 Hz range, as a
    profile's range is an interval), its rate the only rate; the usable bandwidth, DC spike and tuner
    of the first bundled profile (a driver's default first) whose radio records in that datatype at that rate."""
    rec = open_file(arg)
    rate = rec.info.sample_rate_hz
    defaults = list(DEFAULT_PROFILE.values())  # each driver's default profile before the others
    ordered = sorted(all_profiles(), key=lambda p: defaults.index(p.name) if p.name in defaults else len(defaults))
    like = next((p for p in ordered if p.native_datatype == rec.datatype.name and p.rate_supported(rate)), None)
    c = rec.center_hz
    return ReceiverProfile(
        name="recording",
        driver="file",  # type: ignore[arg-type]  # not a radio driver: the recording's own
        description=f"recording {Path(arg or '').name}" + (f" ({like.description})" if like else ""),
        tuning_range_hz=(c - 1.0, c + 1.0),
        default_sample_rate_hz=rate,
        usable_bandwidth_fraction=like.usable_bandwidth_fraction if like else FALLBACK_USABLE_FRACTION,
        native_datatype=rec.datatype.name,
        tuner=like.tuner if like else None,
        sample_rates_hz=[rate],
        dc_spike=like.dc_spike if like else False,
        dc_spike_width_hz=like.dc_spike_width_hz if like else 0.0,
    )


class _RecordingClock(_Clock):
    def reset(self) -> None:  # the recording's clock: a retune (to the same centre) does not re-anchor it
        pass


class FileDevice(DeviceSource):
    """A recording streamed as a radio's blocks (see the module docstring)."""

    def __init__(self, recording: RecordingSource, *, profile: ReceiverProfile) -> None:
        super().__init__(
            source_id=f"file:{recording.path}",
            sample_rate_hz=recording.info.sample_rate_hz,
            center_hz=recording.center_hz,
            gain_db=recording.gain_db,
        )
        self.recording = recording
        self.profile = profile
        self.exhausted = False
        self._buffer: bytearray | None = None
        t0 = recording.segments[0].time_utc_s
        self._clock = _RecordingClock(anchor_sample=0, anchor_utc_s=t0)

    @property
    def info(self) -> SourceInfo:
        rec = self.recording.info
        return SourceInfo(
            source_id=self._source_id,
            driver="file",
            hw=rec.hw or self.profile.description,
            serial=None,
            tunable=False,
            tuning_range_hz=self.profile.tuning_range_hz,
            sample_rate_hz=self._rate_hz,
            usable_bandwidth_hz=self._rate_hz * self.profile.usable_bandwidth_fraction,
            native_datatype=rec.native_datatype,
        )

    def _open(self) -> None:
        self.recording.open()
        if self._clock.anchor_utc_s is None:
            import time

            self._clock.anchor_utc_s = time.time()

    def _close(self) -> None:
        self.recording.close()

    def _tune(self, center_hz: float) -> None:
        pass  # the same centre (``tune`` has checked): the reading goes on where it was

    def tune(self, center_hz: float) -> None:
        lo, hi = self.profile.tuning_range_hz
        if not lo <= center_hz <= hi:
            raise SourceError(f"{self._source_id}: a recording cannot be retuned to {center_hz / 1e6:.3f} MHz")
        super().tune(center_hz)
        self._center_hz = self.recording.center_hz  # the blocks carry the recorded centre

    def _set_gain(self, gain_db: float | None) -> float | None:
        return self.recording.gain_db  # recorded at the gain it was recorded at

    def blocks(self, block_samples: int = DEFAULT_BLOCK_SAMPLES, max_samples: int | None = None) -> Iterator[IQBlock]:
        if self.exhausted:
            return
        for blk in super().blocks(block_samples, max_samples):
            yield blk
            if self.exhausted:
                return

    def _read(self, n: int) -> tuple[np.ndarray, int | None]:
        rec = self.recording
        left = rec.n_samples - self._next_sample
        if left <= 0:
            self.exhausted = True
            return np.empty(0, np.complex64), 0
        want = min(n, left)
        nbytes = want * rec.datatype.bytes_per_sample * rec.num_channels
        if self._buffer is None or len(self._buffer) < nbytes:
            self._buffer = bytearray(nbytes)
        blk = rec.read(self._next_sample, want, self._buffer)
        if self._next_sample + len(blk) >= rec.n_samples:
            self.exhausted = True
        return blk.samples, 0


def from_profile(arg: str | None, profile: ReceiverProfile, **tuning: object) -> FileDevice:
    """The recording ``arg`` as a receiver. The tuning a backend is given (``center_hz``,
    ``sample_rate_hz``, ``gain_db``, ``ppm``, ``bias_tee``) is the recording's own or refused by its
    profile before this; a frequency correction is not applied (the recording holds what its radio
    received)."""
    return FileDevice(open_file(arg), profile=profile)
