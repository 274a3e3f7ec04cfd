"""Streaming samples out of a recording file: the part shared by SigMF and raw files.

A recording is a list of ``Segment``s (a SigMF capture each; one for a raw file): a byte range
of one file, a datatype, a centre frequency and a start time. Blocks never straddle two
segments, so every ``IQBlock`` has one centre frequency. Blocks are read with ``os.preadv`` into
one reused buffer and converted to complex64: a multi-GB recording streams in bounded memory
(see bench/bench_file_source.py), and any sample can be reached without reading what precedes it.
``deferred_blocks`` gives each block before its samples are read (``sources.deferred``), for a
consumer to read them straight into a place of its own; cf32 is read into place without a buffer.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sensor.errors import InputError
from sensor.model import IQBlock
from sensor.sources.base import DEFAULT_BLOCK_SAMPLES, Source, SourceInfo
from sensor.sources.convert import DataType, to_complex64
from sensor.sources.deferred import DeferredBlock


@dataclass(frozen=True, slots=True)
class Segment:
    """Contiguous samples at one tuning: ``n_samples`` samples from ``byte_offset`` on."""

    first_sample: int  # index of the segment's first sample in the whole recording
    n_samples: int
    byte_offset: int
    center_hz: float
    time_utc_s: float | None


# The stored bytes of a block are read and converted this many at a time (at most): a piece's
# bytes are still in the cache when they are converted, and the read buffer stays small (a
# 0.25 s block of 20 Msps ci8 is 10 MB of bytes).
READ_BYTES = 1 << 20


class ReadBuffer:
    """Where a block's stored bytes are read before they are converted, shared by the blocks of
    one iteration (``RecordingSource.deferred_blocks``): used only within one block's read, and
    by one read at a time (its lock), however the blocks are read."""

    __slots__ = ("data", "lock")

    def __init__(self, data: bytearray | None = None) -> None:
        self.data = data
        self.lock = threading.Lock()


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
        # cf32_le of one channel on a little-endian machine: stored as numpy's complex64
        self._stored_as_complex64 = num_channels == 1 and datatype.name == "cf32_le" and np.little_endian
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
        """Read up to ``n`` samples from ``first_sample`` on, without crossing a segment boundary
        (``buffer``: where to read the stored bytes, when long enough)."""
        return self.deferred(first_sample, n, ReadBuffer(buffer)).read()

    def deferred(self, first_sample: int, n: int, buffer: ReadBuffer | None = None) -> DeferredBlock:
        """As ``read``, the samples read only when the block is (``DeferredBlock.read``)."""
        seg = self._segment_at(first_sample)
        n = min(n, seg.first_sample + seg.n_samples - first_sample)
        t = (
            None
            if seg.time_utc_s is None
            else seg.time_utc_s + (first_sample - seg.first_sample) / self._info.sample_rate_hz
        )
        return DeferredBlock(
            n_samples=n,
            sample_rate_hz=self._info.sample_rate_hz,
            center_hz=seg.center_hz,
            first_sample=first_sample,
            time_utc_s=t,
            gain_db=self._gain_db,
            source_id=self._info.source_id,
            fill=functools.partial(self._fill, seg, first_sample, n, buffer),
        )

    def _fill(
        self, seg: Segment, first_sample: int, n: int, buffer: ReadBuffer | None, into: np.ndarray | None
    ) -> np.ndarray:
        """``n`` samples from ``first_sample`` (within ``seg``) into ``into`` (or a new array), read
        and converted ``READ_BYTES`` at a time. ``buffer`` is used only here, under its lock:
        nothing returned is a view of it."""
        stride = self.datatype.bytes_per_sample * self.num_channels
        offset = seg.byte_offset + (first_sample - seg.first_sample) * stride
        if buffer is None:
            buffer = ReadBuffer()
        with buffer.lock:
            if self._fd is None:
                self.open()
            out = np.empty(n, np.complex64) if into is None else into
            if self._stored_as_complex64:  # the stored bytes are the samples: read straight into place
                self._pread(out.view(np.uint8), offset)
                return out
            step = max(1, min(n, READ_BYTES // stride))  # samples a piece
            if buffer.data is None or len(buffer.data) < step * stride:
                buffer.data = bytearray(step * stride)
            for k in range(0, n, step):
                m = min(step, n - k)
                view = memoryview(buffer.data)[: m * stride]
                self._pread(view, offset + k * stride)
                raw = np.frombuffer(view, dtype=np.uint8)
                if self.num_channels > 1:
                    raw = raw.reshape(m, self.num_channels, self.datatype.bytes_per_sample)[:, self.channel, :]
                to_complex64(raw, self.datatype, out=out[k : k + m])
            return out

    def _pread(self, into: np.ndarray | memoryview, offset: int) -> None:
        want = into.nbytes
        got = os.preadv(self._fd, [into], offset)
        if got != want:
            raise InputError(f"{self.path}: data file ends early (truncated at byte {offset + got})")

    def blocks(self, block_samples: int = DEFAULT_BLOCK_SAMPLES, max_samples: int | None = None) -> Iterator[IQBlock]:
        # Yielded without a name: a generator's local would hold each block (at 20 Msps ci8 40 MB
        # of complex64) until the next one is asked for, i.e. while its consumer works on it and
        # on the window it joined. The deferred block itself holds no samples.
        with contextlib.closing(self.deferred_blocks(block_samples, max_samples)) as deferred:
            for d in deferred:
                yield d.read()

    def deferred_blocks(
        self, block_samples: int = DEFAULT_BLOCK_SAMPLES, max_samples: int | None = None
    ) -> Iterator[DeferredBlock]:
        """As ``blocks``, each block's samples read and converted when the consumer reads it, into
        the place it gives (``DeferredBlock.read``): the stream receiver converts them straight into
        its window. The blocks share one read buffer, used only within each ``read``."""
        if block_samples <= 0:
            raise ValueError("block_samples must be positive")
        buffer = ReadBuffer()  # made by the first read that needs it, READ_BYTES at most
        opened_here = self._fd is None
        self.open()
        try:
            left = self.n_samples if max_samples is None else min(max_samples, self.n_samples)
            for seg in self.segments:
                pos = seg.first_sample
                end = seg.first_sample + seg.n_samples
                while pos < end and left > 0:
                    n = min(block_samples, end - pos, left)  # within the segment: the block has all n
                    pos += n
                    left -= n
                    self.stats.samples += n
                    yield self.deferred(pos - n, n, buffer)
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
