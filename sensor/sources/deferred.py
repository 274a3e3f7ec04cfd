"""A block whose samples are not read yet: read and converted where its consumer wants them.

A recording's block converted by itself is a fresh complex64 array (at 20 Msps 40 MB a quarter
second, whose page faults cost as much as the conversion), which a consumer that keeps samples in
a buffer of its own (the stream receiver's window: ``receiver.stream``) then copies there: every
sample written twice. A ``DeferredBlock`` carries everything of an ``IQBlock`` but its samples,
and reads them when asked: ``read(into=place)`` converts them straight into ``place`` (a cf32
recording is read straight into its bytes), ``read()`` into a new array. Either gives the
``IQBlock``.

It holds no view of a reused buffer: the read buffer its blocks share is used only within one
``read`` (under that buffer's lock), so a deferred block read late, twice, after later ones or on
another thread gives the same samples. It is read from its source where the source is then: a recording's
file stays open while its ``deferred_blocks`` iteration goes on (read after the file was closed,
it is opened again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sensor.model import IQBlock


@dataclass(frozen=True, slots=True)
class DeferredBlock:
    """An ``IQBlock`` but for its samples: ``n_samples`` of them, produced by ``fill(into)``, which
    writes them into ``into`` (complex64, ``n_samples`` long) or, given None, a new array, and
    returns that array."""

    n_samples: int
    sample_rate_hz: float
    center_hz: float
    first_sample: int
    time_utc_s: float | None
    gain_db: float | None
    source_id: str
    fill: Callable[[np.ndarray | None], np.ndarray]
    dropped_before: int | None = 0

    def __len__(self) -> int:
        return self.n_samples

    @property
    def end_sample(self) -> int:
        return self.first_sample + self.n_samples

    @property
    def start_s(self) -> float:
        return self.first_sample / self.sample_rate_hz

    def read(self, into: np.ndarray | None = None) -> IQBlock:
        """The block, its samples written into ``into`` (a 1-D C-contiguous complex64 array of
        ``n_samples``, which becomes the block's ``samples``) or into a new array."""
        if into is not None and (
            into.dtype != np.complex64
            or into.shape != (self.n_samples,)
            or not into.flags.c_contiguous
            or not into.flags.writeable
        ):
            raise ValueError(f"a block of {self.n_samples} samples needs writeable 1-D C-contiguous complex64 room")
        samples = self.fill(into)
        return IQBlock(
            samples=samples,
            sample_rate_hz=self.sample_rate_hz,
            center_hz=self.center_hz,
            first_sample=self.first_sample,
            time_utc_s=self.time_utc_s,
            gain_db=self.gain_db,
            source_id=self.source_id,
            dropped_before=self.dropped_before,
        )
