"""Streaming samples out of a recording file: the part shared by SigMF and raw files.

A recording is a list of ``Segment``s (a SigMF capture each; one for a raw file): a byte range
of one file, a datatype, a centre frequency and a start time. Blocks never straddle two
segments, so every ``IQBlock`` has one centre frequency. Blocks are read with ``os.preadv`` into
one reused buffer and converted to complex64: a multi-GB recording streams in bounded memory
(see bench/bench_file_source.py), and any sample can be reached without reading what precedes it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sensor.errors import InputError
from sensor.model import IQBlock
from sensor.sources.base import DEFAULT_BLOCK_SAMPLES, Source, SourceInfo
from sensor.sources.convert import DataType, to_complex64


@dataclass(frozen=True, slots=True)
class Segment:
    """Contiguous samples at one tuning: ``n_samples`` samples from ``byte_offset`` on."""

    first_sample: int  # index of the segment's first sample in the whole recording
    n_samples: int
    byte_offset: int
    center_hz: float
    time_utc_s: float | None


class RecordingSource(Source):
    """A recording file as an IQ source. Not tunable: its segments carry their own centre."""

    def __init__(
        self,
        path: Path,
        *,
        datatype: DataType,
        sample_rate_hz: float,
        segments: list[Segment],
        source_id: str,
        driver: str,
        hw: str | None = None,
        channel: int = 0,
        num_channels: int = 1,
        gain_db: float | None = None,
    ) -> None:
        super().__init__()
        if not segments:
            raise InputError(f"{path}: the recording has no samples")
        if not 0 <= channel < num_channels:
            raise InputError(f"{path}: channel {channel} does not exist (the recording has {num_channels})")
        self.path = path
        self.datatype = datatype
        self.segments = segments
        self.channel = channel
        self.num_channels = num_channels
        self._gain_db = gain_db
        self._fd: int | None = None
        self._info = SourceInfo(
            source_id=source_id,
            driver=driver,
            hw=hw,
            serial=None,
            tunable=False,
            tuning_range_hz=None,
            sample_rate_hz=float(sample_rate_hz),
            usable_bandwidth_hz=float(sample_rate_hz),
            native_datatype=datatype.name,
        )

    @property
    def info(self) -> SourceInfo:
        return self._info

    @property
    def center_hz(self) -> float:
        return self.segments[0].center_hz

    @property
    def gain_db(self) -> float | None:
        return self._gain_db

    @property
    def n_samples(self) -> int:
        return sum(s.n_samples for s in self.segments)

    @property
    def duration_s(self) -> float:
        return self.n_samples / self._info.sample_rate_hz

    def open(self) -> RecordingSource:
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDONLY)
            except OSError as exc:
                raise InputError(f"{self.path}: cannot open data file: {exc.strerror}") from None
        self._is_open = True
        return self

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._is_open = False

    def read(self, first_sample: int, n: int, buffer: bytearray | None = None) -> IQBlock:
        """Read up to ``n`` samples from ``first_sample`` on, without crossing a segment boundary."""
        seg = self._segment_at(first_sample)
        n = min(n, seg.first_sample + seg.n_samples - first_sample)
        stride = self.datatype.bytes_per_sample * self.num_channels
        nbytes = n * stride
        if buffer is None or len(buffer) < nbytes:
            buffer = bytearray(nbytes)
        view = memoryview(buffer)[:nbytes]
        offset = seg.byte_offset + (first_sample - seg.first_sample) * stride
        if self._fd is None:
            self.open()
        got = os.preadv(self._fd, [view], offset)
        if got != nbytes:
            raise InputError(f"{self.path}: data file ends early (truncated at byte {offset + got})")
        raw = np.frombuffer(view, dtype=np.uint8)
        if self.num_channels > 1:
            raw = raw.reshape(n, self.num_channels, self.datatype.bytes_per_sample)[:, self.channel, :]
        samples = to_complex64(raw, self.datatype)
        t = (
            None
            if seg.time_utc_s is None
            else seg.time_utc_s + (first_sample - seg.first_sample) / self._info.sample_rate_hz
        )
        return IQBlock(
            samples=samples,
            sample_rate_hz=self._info.sample_rate_hz,
            center_hz=seg.center_hz,
            first_sample=first_sample,
            time_utc_s=t,
            gain_db=self._gain_db,
            source_id=self._info.source_id,
        )

    def blocks(self, block_samples: int = DEFAULT_BLOCK_SAMPLES, max_samples: int | None = None) -> Iterator[IQBlock]:
        if block_samples <= 0:
            raise ValueError("block_samples must be positive")
        buffer = bytearray(block_samples * self.datatype.bytes_per_sample * self.num_channels)
        opened_here = self._fd is None
        self.open()
        try:
            left = self.n_samples if max_samples is None else min(max_samples, self.n_samples)
            for seg in self.segments:
                pos = seg.first_sample
                end = seg.first_sample + seg.n_samples
                while pos < end and left > 0:
                    # Counted before it is read, and yielded without a name: a generator's local
                    # would hold each block (at 20 Msps ci8 40 MB of complex64) until the next one
                    # is asked for, i.e. while its consumer works on it and on the window it joined.
                    n = min(block_samples, end - pos, left)  # within the segment: read returns all n
                    pos += n
                    left -= n
                    self.stats.samples += n
                    yield self.read(pos - n, n, buffer)
        finally:
            if opened_here:
                self.close()

    def _segment_at(self, sample: int) -> Segment:
        for seg in self.segments:
            if seg.first_sample <= sample < seg.first_sample + seg.n_samples:
                return seg
        raise InputError(f"{self.path}: sample {sample} is outside the recording ({self.n_samples} samples)")


def data_size(path: Path) -> int:
    """Size of a data file in bytes, with a clear error when it is missing."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def whole_samples(path: Path, nbytes: int, bytes_per_sample: int) -> int:
    """Samples in ``nbytes``; a partial trailing sample means the file was cut short."""
    if nbytes % bytes_per_sample:
        raise InputError(
            f"{path}: truncated data file ({nbytes} bytes is not a whole number of {bytes_per_sample}-byte samples)"
        )
    return nbytes // bytes_per_sample
