"""FCCH bursts: what the frequency correction burst looks like, the set of bursts found, and the
per-symbol tone kernels the search and the tracker share.

The frequency correction burst is 148 zero bits (TS 45.002 §5.2.4). With the differential
encoding of TS 45.004 §2.3 (entered from guard bits 1) bits 1..147 all give α = +1, so GMSK
(h = 1/2) turns the phase by +π/2 per symbol: a pure tone ``FCCH_TONE_HZ`` = 1625/24 kHz ≈
+67.708 kHz above the carrier for ~147 symbols (~543 µs). It is sent on timeslot 0 of the BCCH
carrier in the frames with FN mod 51 ∈ {0, 10, 20, 30, 40} (TS 45.002 §7 Table 3), i.e. 10, 10,
10, 10, 11 frames apart, and the SCH follows one frame (``FRAME_SYMBOLS``) after each.

Finding them, with no prior knowledge of the receiver's clock error, takes three stages, all on
numpy arrays (batched over time windows and over candidates):

1. **Candidates** (``fcch_search``): short-time spectra; a bin standing well above both its
   neighbourhood and its own level over time, in two consecutive windows, is a tone candidate.
2. **Refinement** (``fcch_refine.refine_fcch``): around each candidate, the stream turned down by
   the tone guess and averaged over each symbol period (a boxcar of 270.833 kHz noise bandwidth,
   so the SNR it measures is the project's "per 270.833 kHz" convention); the best coherent
   window and frequency; the burst's edges; the frequency from a least-squares fit of the phase.
3. **Carriers** (``fcch_search.search_fcch_wideband``; ``fcch_carriers``): each burst's carrier is
   its tone − 67.708 kHz; bursts of one carrier are merged, mapped to the 200 kHz raster (TS
   45.005 §2) and confirmed by the FCCH cadence, which also places the SCH.

A carrier already synchronised needs no search: ``fcch_track`` measures its bursts where the
frame timing puts them, with the same per-symbol kernels (this module's second half).

Not modelled: the receiver's clock also scales the 67.7 kHz tone spacing (≤ 3.4 Hz at 50 ppm),
as in the simulator, which does not scale symbol timing either.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sensor.dsp import fft
from sensor.gsm.burst import BURST_BITS, FRAME_SYMBOLS
from sensor.gsm.multiframe import FCCH_T3, SCH_T3
from sensor.gsm.tdma import SYMBOL_RATE_HZ

FCCH_TONE_HZ = SYMBOL_RATE_HZ / 4  # TS 45.004 §2: +π/2 per symbol = 1625/24 kHz
FCCH_TONE_SYMBOLS = BURST_BITS - 1  # bits 1..147 (bit 0 follows a guard bit 1: α = −1)
SCH_DELAY_FRAMES = SCH_T3[0] - FCCH_T3[0]  # TS 45.002 §7 Table 3: SCH at T3 = FCCH's T3 + 1, timeslot 0

# The low-pass around a tone turned down to near 0 Hz (raised-cosine edge): flat to ±10 kHz (the
# tone guess's error), zero beyond ±25 kHz, so a strong neighbour carrier 130 kHz from the tone
# (200 kHz − 67.7 kHz) and the GMSK of the surrounding bursts do not swamp the per-symbol samples.
TONE_LOWPASS_PASS_HZ = 10e3
TONE_LOWPASS_STOP_HZ = 25e3
# The symbols of the tone a burst's frequency is fitted over: bits 1 + 28 .. 120 (of bits 1..147).
# The low-pass's response to the burst's edges (bit 0's −π/2, the guard period, the neighbouring
# timeslots' bursts) reaches ~25 symbols into the tone and turns the phase there: fitted over bits
# 12..136, a noise-free FCCH burst between two normal bursts read +0.55 Hz high (+0.44 Hz alone),
# over 20..128 −0.25 Hz; over 28..120 within ±0.02 Hz for any timing error up to ±4 symbols
# (tests/dsp/test_fcch_track.py). 92 symbols instead of 124 cost (124/92)^1.5 = 1.56 × the
# slope's noise: a burst's noise is averaged over a reading's bursts, a bias is not.
FREQ_FIT_TONE_SYMBOLS = (28, 120)
# The phase fit's residuals are correlated over ~Rs/ENBW symbols (the low-pass): the white-noise
# slope error understates the true one by about sqrt(Rs / ENBW); this factor more, measured on
# simulated bursts at 5-20 dB SNR, makes the claimed 1-sigma match the scatter.
FREQ_STD_CALIBRATION = 1.15
# Two refined candidates closer than this in time and in tone are the same burst.
SAME_BURST_SYMBOLS = 40
SAME_BURST_HZ = 5e3
_FLOOR = 1e-30  # power floor before a logarithm or a division


@dataclass(frozen=True, slots=True, eq=False)
class FcchBursts:
    """Detected FCCH bursts (one entry per burst, arrays of equal length), sorted by time."""

    start_sample: np.ndarray  # float: leading edge of bit 0, in samples of the analysed stream
    duration_symbols: np.ndarray  # measured length of the tone (≈ 147)
    tone_hz: np.ndarray  # tone frequency relative to the stream's centre
    carrier_offset_hz: np.ndarray  # tone_hz − FCCH_TONE_HZ: the carrier relative to the stream's centre
    freq_std_hz: np.ndarray  # 1-sigma error of tone_hz from the phase fit
    snr_db: np.ndarray  # tone power over noise in 270.833 kHz
    coherence: np.ndarray  # |coherent sum|² / (n · energy) over the burst (1 = pure tone)
    power_dbfs: np.ndarray  # the tone's power (0 dBFS = a full-scale complex tone)
    sample_rate_hz: float
    # Where the frame timing placed the burst (``fcch_track``; None from the search): the carrier's
    # phase at tone bit ``PHASE_BIT`` — the stream turned down by ``FCCH_TONE_HZ`` from sample 0,
    # at sample ``start_sample + (PHASE_BIT + 1/2)·sps`` — and its 1-sigma (rad). Successive
    # bursts' phases are what ``fcch_coherent`` measures a carrier's frequency from.
    carrier_phase_rad: np.ndarray | None = None
    phase_std_rad: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.start_sample)

    @classmethod
    def empty(cls, sample_rate_hz: float) -> FcchBursts:
        e = np.empty(0)
        return cls(e, e, e, e, e, e, e, e, sample_rate_hz)

    @property
    def start_s(self) -> np.ndarray:
        return self.start_sample / self.sample_rate_hz

    @property
    def sch_start_sample(self) -> np.ndarray:
        """Where the SCH burst of the next frame begins (TS 45.002 §7 Table 3)."""
        return self.start_sample + SCH_DELAY_FRAMES * FRAME_SYMBOLS * self.sample_rate_hz / SYMBOL_RATE_HZ

    def take(self, idx: np.ndarray) -> FcchBursts:
        phased = self.carrier_phase_rad is not None and self.phase_std_rad is not None
        return FcchBursts(
            self.start_sample[idx],
            self.duration_symbols[idx],
            self.tone_hz[idx],
            self.carrier_offset_hz[idx],
            self.freq_std_hz[idx],
            self.snr_db[idx],
            self.coherence[idx],
            self.power_dbfs[idx],
            self.sample_rate_hz,
            self.carrier_phase_rad[idx] if phased else None,  # type: ignore[index]
            self.phase_std_rad[idx] if phased else None,  # type: ignore[index]
        )


def concat_bursts(parts: list[FcchBursts], fs: float) -> FcchBursts:
    """Bursts of several searches as one set (same stream, same sample rate)."""
    if not parts:
        return FcchBursts.empty(fs)
    names = (
        "start_sample",
        "duration_symbols",
        "tone_hz",
        "carrier_offset_hz",
        "freq_std_hz",
        "snr_db",
        "coherence",
        "power_dbfs",
    )
    joined = FcchBursts(*(np.concatenate([getattr(p, k) for p in parts]) for k in names), fs)  # type: ignore[arg-type]
    if all(p.carrier_phase_rad is not None and p.phase_std_rad is not None for p in parts):
        phase = np.concatenate([p.carrier_phase_rad for p in parts])  # type: ignore[misc]
        std = np.concatenate([p.phase_std_rad for p in parts])  # type: ignore[misc]
        return dataclasses.replace(joined, carrier_phase_rad=phase, phase_std_rad=std)
    return joined


def dedupe_bursts(b: FcchBursts) -> FcchBursts:
    """One entry per burst (candidates of one burst refine to the same place, the one of best SNR
    kept), sorted by time."""
    if len(b) == 0:
        return b
    same_burst_samples = SAME_BURST_SYMBOLS * (b.sample_rate_hz / SYMBOL_RATE_HZ)
    order = np.argsort(-b.snr_db, kind="stable")
    keep: list[int] = []
    for i in order:
        if any(
            abs(b.start_sample[i] - b.start_sample[k]) < same_burst_samples
            and abs(b.tone_hz[i] - b.tone_hz[k]) < SAME_BURST_HZ
            for k in keep
        ):
            continue
        keep.append(int(i))
    idx = np.array(sorted(keep, key=lambda k: b.start_sample[k]))
    return b.take(idx)


# --- per-symbol tone kernels (refinement and tracking) -------------------------------------------


@lru_cache(maxsize=8)
def tone_lowpass(n: int, fs: float) -> tuple[np.ndarray, float]:
    """The tone low-pass (``TONE_LOWPASS_*``, zero phase) on an ``n``-point FFT grid at ``fs``, and
    its noise bandwidth in Hz."""
    fr = np.abs(np.fft.fftfreq(n, 1 / fs))
    edge = np.clip((fr - TONE_LOWPASS_PASS_HZ) / (TONE_LOWPASS_STOP_HZ - TONE_LOWPASS_PASS_HZ), 0.0, 1.0)
    lp = (0.5 * (1 + np.cos(np.pi * edge))).astype(np.float32)
    lp.setflags(write=False)
    return lp, float(np.sum(lp.astype(np.float64) ** 2) * fs / n)


def lowpass_rows(rows: np.ndarray, fs: float) -> tuple[np.ndarray, float]:
    """Each row through the tone low-pass (by FFT, zero-padded to a fast length); its noise bandwidth."""
    n = rows.shape[1]
    nfft = fft.next_fast_len(n)
    lp, enbw_hz = tone_lowpass(nfft, fs)
    return fft.ifft(fft.fft(rows, n=nfft, axis=1) * lp, axis=1)[:, :n], enbw_hz


def symbol_means(seg: np.ndarray, sps: float, n_symbols: int) -> np.ndarray:
    """Mean of each symbol period of ``seg`` (rows), for any samples per symbol (fractional edges)."""
    cs = np.concatenate((np.zeros((seg.shape[0], 1), np.complex128), np.cumsum(seg, axis=1)), axis=1)
    edges = np.arange(n_symbols + 1) * sps
    i = np.floor(edges).astype(np.int64)
    frac = edges - i
    i1 = np.minimum(i + 1, cs.shape[1] - 1)
    c = cs[:, i] * (1 - frac) + cs[:, i1] * frac
    return (c[:, 1:] - c[:, :-1]) / sps


def line_fit(phase: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least-squares phase = a + b·j over ``mask`` per row: (a, b, sigma_b)."""
    j = np.arange(phase.shape[1], dtype=np.float64)[None, :]
    w = mask.astype(np.float64)
    n = np.maximum(w.sum(axis=1), 1.0)
    jm = (w * j).sum(axis=1) / n
    pm = (w * phase).sum(axis=1) / n
    sjj = (w * (j - jm[:, None]) ** 2).sum(axis=1)
    sjj = np.maximum(sjj, 1e-300)
    b = (w * (j - jm[:, None]) * (phase - pm[:, None])).sum(axis=1) / sjj
    a = pm - b * jm
    res = np.where(mask, phase - a[:, None] - b[:, None] * j, 0.0)
    s2 = (res**2).sum(axis=1) / np.maximum(n - 2, 1)
    return a, b, np.sqrt(s2 / sjj)


def derotate(q: np.ndarray, phase_rad: np.ndarray, freq_hz: np.ndarray) -> np.ndarray:
    """Symbol rows ``q`` turned back by a phase and a frequency per row: q·exp(−i(θ + 2π·f·j/Rs))."""
    j = np.arange(q.shape[1])[None, :]
    return q * np.exp(-1j * (phase_rad[:, None] + 2 * np.pi * freq_hz[:, None] * j / SYMBOL_RATE_HZ))


def rad_per_symbol_to_hz(rate: np.ndarray) -> np.ndarray:
    """A phase rate in radians per symbol as a frequency in Hz."""
    return rate * SYMBOL_RATE_HZ / (2 * np.pi)


def parabolic_offset(log_left: np.ndarray, log_centre: np.ndarray, log_right: np.ndarray) -> np.ndarray:
    """Where a peak lies between its bins (−0.5..0.5 bins from the centre), from a parabola through
    the log powers of the peak bin and its two neighbours (0 where they do not curve down)."""
    den = log_left - 2 * log_centre + log_right
    delta = np.where(den < 0, 0.5 * (log_left - log_right) / np.where(den < 0, den, -1.0), 0.0)
    return np.clip(delta, -0.5, 0.5)


def tone_freq_std_hz(slope_std: np.ndarray, enbw_hz: float) -> np.ndarray:
    """1-sigma of a tone's frequency from the phase fit's slope error (rad/symbol), corrected for
    the residuals the low-pass correlates (``FREQ_STD_CALIBRATION``)."""
    return rad_per_symbol_to_hz(FREQ_STD_CALIBRATION * slope_std * np.sqrt(SYMBOL_RATE_HZ / enbw_hz))


def tone_snr_db(amplitude: np.ndarray, noise_power: np.ndarray, enbw_hz: float) -> np.ndarray:
    """Tone power over noise: the noise measured in the low-pass's bandwidth, expressed per 270.833 kHz."""
    return 10 * np.log10(np.maximum(amplitude**2, _FLOOR) / np.maximum(noise_power * SYMBOL_RATE_HZ / enbw_hz, _FLOOR))


def tone_power_dbfs(amplitude: np.ndarray) -> np.ndarray:
    return 10 * np.log10(np.maximum(amplitude**2, _FLOOR))
