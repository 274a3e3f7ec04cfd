"""Frozen data types that flow between the pipeline's stages.

Every stage takes and returns these; units are in the field names (see DESIGN.md).
Unknown values are ``None``, never 0, -1 or "".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True, eq=False)
class IQBlock:
    """A run of contiguous complex baseband samples from one source at one tuning.

    ``first_sample`` counts samples since the source started streaming, on the source's own
    sample clock: samples lost before this block (an overflow, a dropped USB transfer) advance
    it, so ``first_sample`` of the next block minus ``end_sample`` of this one is the gap, and
    ``dropped_before`` says how many samples were lost right before this block (``None`` when
    the source knows that samples were lost but not how many).
    """

    samples: np.ndarray  # complex64, 1-D, C-contiguous
    sample_rate_hz: float
    center_hz: float
    first_sample: int
    time_utc_s: float | None  # POSIX time of the first sample, None when unknown
    gain_db: float | None
    source_id: str
    dropped_before: int | None = 0

    def __post_init__(self) -> None:
        s = self.samples
        if s.dtype != np.complex64 or s.ndim != 1:
            raise TypeError(f"IQBlock samples must be 1-D complex64, got {s.dtype} with shape {s.shape}")
        if not self.sample_rate_hz > 0:
            raise ValueError(f"IQBlock sample rate must be positive, got {self.sample_rate_hz}")

    def __len__(self) -> int:
        return int(self.samples.shape[0])

    @property
    def end_sample(self) -> int:
        """Index one past the last sample of this block."""
        return self.first_sample + len(self)

    @property
    def duration_s(self) -> float:
        return len(self) / self.sample_rate_hz

    @property
    def start_s(self) -> float:
        """Seconds from the start of the stream to the first sample of this block."""
        return self.first_sample / self.sample_rate_hz

    def time_of_sample_utc_s(self, index: int) -> float | None:
        """POSIX time of the sample ``index`` positions into this block, or None when unknown."""
        if self.time_utc_s is None:
            return None
        return self.time_utc_s + index / self.sample_rate_hz


@dataclass(frozen=True, slots=True)
class L2Block:
    """One decoded 4-burst control-channel block: 23 octets of L2 frame and the quality it came with.

    ``fn`` is the TDMA frame number of the block's first burst (as gr-gsm prints it); ``t_s`` the
    time of that burst in seconds from the start of the stream; quality figures are averages over
    the four bursts, ``None`` when the receiver did not measure them.
    """

    arfcn: int
    fn: int
    tn: int
    channel: str  # "BCCH", "CCCH", "SDCCH", "SACCH"
    octets: bytes
    crc_ok: bool
    n_corrected: int | None = None  # coded bits the Viterbi decoder flipped
    snr_db: float | None = None
    rssi_dbfs: float | None = None
    freq_offset_hz: float | None = None
    t_s: float | None = None
    time_utc_s: float | None = None
    bsic: int | None = None
    band: str | None = None
    sub: int | None = None  # SDCCH/SACCH sub-channel (TS 45.002 §7 Table 3); None on BCCH/CCCH


@dataclass(frozen=True, slots=True)
class FcchEstimate:
    """One FCCH burst's measurement of its carrier (TS 45.002 §5.2.4: the tone 1625/24 kHz above
    it): ``offset_hz`` from the carrier's nominal ARFCN frequency, as seen on the receiver's clock,
    with the 1-sigma of the burst's phase fit (``std_hz``: its noise alone; the spread of many
    bursts is the honest figure). Times as ``L2Block``'s. A burst measured where the frame timing
    put it also has its tone's phase (``phase_rad`` ± ``phase_std_rad``, in the frame where the
    carrier is at ``offset_hz − phase_base_hz``, at time ``t_s``): the bursts of one ``stream_id``
    (one continuous channel stream) are coherent, and their phases give the carrier far more
    finely than the mean of their ``offset_hz`` (``dsp/fcch_coherent.py``)."""

    arfcn: int
    bsic: int | None
    band: str | None
    offset_hz: float
    std_hz: float
    snr_db: float
    t_s: float
    time_utc_s: float | None = None
    phase_rad: float | None = None
    phase_std_rad: float | None = None
    phase_base_hz: float = 0.0
    stream_id: int | None = None
