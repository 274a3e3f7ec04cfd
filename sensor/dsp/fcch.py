"""FCCH detection and frequency estimation, with no prior knowledge of the receiver's clock error.

The frequency correction burst is 148 zero bits (TS 45.002 §5.2.4). With the differential
encoding of TS 45.004 §2.3 (entered from guard bits 1) bits 1..147 all give α = +1, so GMSK
(h = 1/2) turns the phase by +π/2 per symbol: a pure tone ``FCCH_TONE_HZ`` = 1625/24 kHz ≈
+67.708 kHz above the carrier for ~147 symbols (~543 µs). It is sent on timeslot 0 of the BCCH
carrier in the frames with FN mod 51 ∈ {0, 10, 20, 30, 40} (TS 45.002 §7 Table 3), i.e. 10, 10,
10, 10, 11 frames apart, and the SCH follows one frame (1250 symbols) after each.

Three stages, all on numpy arrays (batched over time windows and over candidates):

1. **Candidates** (``_tone_candidates``): a short-time spectrum (Hann windows of 96 symbols,
   hop 48, so at least one window lies wholly inside every burst); a bin is a tone candidate
   where its power stands ``threshold_db`` above both the mean of the spectrum within ±40 kHz
   around it (excluding its own main lobe) and the median of the same bin over time (which
   removes DC spikes and continuous interferers). Works on a channel stream (tones searched only
   within ±``max_offset_hz`` of +67.7 kHz, so a neighbour's FCCH 200 kHz away is outside the
   window) and on raw wideband IQ (tones anywhere).
2. **Refinement** (``refine_fcch``): around each candidate, the stream turned down by the tone
   guess and averaged over each symbol period (a boxcar of 270.833 kHz noise bandwidth, so the
   SNR it measures is the project's "per 270.833 kHz" convention); the 140-symbol window and
   frequency with the largest coherent sum (zero-padded FFTs over sliding windows); the burst's
   edges where the tone stops (duration check: 128-190 symbols; 147 plus whatever the guard
   period and the next burst's tail bits add, which also turn +π/2 per symbol); the frequency from a least-squares
   fit of the phase over the burst's interior (two passes), with its 1-sigma error.
3. **Carriers** (``search_fcch_wideband`` here; ``group_carriers``, ``fcch_cadence`` in ``fcch_carriers``): each burst's
   carrier is its tone − 67.708 kHz; bursts of one carrier are merged (inverse-variance mean),
   mapped to the nearest 200 kHz raster point (TS 45.005 §2) and confirmed by the FCCH cadence,
   which also places the SCH. ``estimate_receiver_ppm`` takes the clock error common to all.

Not modelled: the receiver's clock also scales the 67.7 kHz tone spacing (≤ 3.4 Hz at 50 ppm),
as in the simulator, which does not scale symbol timing either.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.fft
from scipy.ndimage import uniform_filter1d

from sensor.dsp.chanest import prefilter_taps
from sensor.dsp.channelizer import ChannelizerPlan, channelize_all, plan_channelizer
from sensor.gsm.burst import BURST_BITS, FRAME_SYMBOLS
from sensor.gsm.multiframe import FCCH_T3, SCH_T3
from sensor.gsm.tdma import SYMBOL_RATE_HZ

FCCH_TONE_HZ = SYMBOL_RATE_HZ / 4  # TS 45.004 §2: +π/2 per symbol = 1625/24 kHz
FCCH_TONE_SYMBOLS = BURST_BITS - 1  # bits 1..147 (bit 0 follows a guard bit 1: α = −1)
SCH_DELAY_FRAMES = SCH_T3[0] - FCCH_T3[0]  # TS 45.002 §7 Table 3: SCH at T3 = FCCH's T3 + 1, timeslot 0

_WIN_SYMBOLS = 96  # candidate spectra: window and hop in symbols
_HOP_SYMBOLS = 48
_BOX_SYMBOLS = 140  # coherent window of the refinement
_SEG_BEFORE = 130  # refinement segment: symbols before the candidate window's start
_SEG_SYMBOLS = 390
_FINE_NFFT = 1024
_REFINE_CHUNK = 64  # candidates refined together
_LP_PASS_HZ = 10e3  # refinement low-pass around the tone
_LP_STOP_HZ = 25e3
_START_CAL_SYMBOLS = 3.1  # burst start = first tone symbol − this (calibrated on the simulator)


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

    def __len__(self) -> int:
        return len(self.start_sample)

    @property
    def start_s(self) -> np.ndarray:
        return self.start_sample / self.sample_rate_hz

    @property
    def sch_start_sample(self) -> np.ndarray:
        """Where the SCH burst of the next frame begins (TS 45.002 §7 Table 3)."""
        return self.start_sample + SCH_DELAY_FRAMES * FRAME_SYMBOLS * self.sample_rate_hz / SYMBOL_RATE_HZ

    def take(self, idx: np.ndarray) -> FcchBursts:
        return FcchBursts(
            self.start_sample[idx], self.duration_symbols[idx], self.tone_hz[idx], self.carrier_offset_hz[idx],
            self.freq_std_hz[idx], self.snr_db[idx], self.coherence[idx], self.power_dbfs[idx], self.sample_rate_hz,
        )


def _empty(sample_rate_hz: float) -> FcchBursts:
    e = np.empty(0)
    return FcchBursts(e, e, e, e, e, e, e, e, sample_rate_hz)


# --- stage 1: candidates ----------------------------------------------------------------------


def _tone_candidates(
    x: np.ndarray,
    fs: float,
    *,
    f_lo_hz: float,
    f_hi_hz: float,
    threshold_db: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(window start sample, tone frequency Hz, contrast dB) of the strongest hit of each cluster."""
    sps = fs / SYMBOL_RATE_HZ
    win = int(round(_WIN_SYMBOLS * sps))
    hop = int(round(_HOP_SYMBOLS * sps))
    if len(x) < win + hop:
        return np.empty(0, np.int64), np.empty(0), np.empty(0)
    nfft = 1 << int(np.ceil(np.log2(win)))
    n_frames = (len(x) - win) // hop + 1
    bin_hz = fs / nfft
    freqs = np.fft.fftfreq(nfft, 1 / fs)
    sel = np.flatnonzero((freqs >= f_lo_hz) & (freqs <= f_hi_hz))
    if len(sel) == 0:
        return np.empty(0, np.int64), np.empty(0), np.empty(0)
    # Contiguous run of bins in frequency order (fftshift), a margin either side for the local mean.
    order = np.argsort(freqs)
    pos = np.searchsorted(freqs[order], freqs[sel])
    k_side = max(4, int(round(40e3 / bin_hz)))
    lo, hi = max(0, pos.min() - k_side), min(nfft, pos.max() + k_side + 1)
    band = order[lo:hi]
    power = _band_power(x, win, hop, n_frames, nfft, band)
    # Local mean over ±k_side bins without the centre ±3 (the Hann main lobe): running sums.
    nb = len(band)
    wide = 2 * k_side + 1
    local = (uniform_filter1d(power, wide, axis=1, mode="nearest") * wide
             - uniform_filter1d(power, 7, axis=1, mode="nearest") * 7) / (wide - 7)
    # The same bin's typical level over time (every 4th window is plenty for a median).
    temporal = np.median(power[:: 4 if n_frames >= 64 else 1], axis=0)[None, :]
    ref = np.maximum(np.maximum(local, temporal), 1e-30)
    contrast = power / ref
    thr = 10 ** (threshold_db / 10)
    in_search = np.zeros(nb, bool)
    in_search[pos - lo] = True
    peak = np.zeros_like(contrast, dtype=bool)
    peak[:, 1:-1] = (power[:, 1:-1] >= power[:, :-2]) & (power[:, 1:-1] >= power[:, 2:])
    t_idx, f_idx = np.nonzero((contrast >= thr) & peak & in_search[None, :])
    # A burst covers two or three consecutive windows: ask the next or the previous window for at
    # least a quarter of the contrast at the same bin ±1 (normal bursts' random peaks do not repeat).
    # (A peak is never at the band's edge, so bin ±1 exist.)
    near = np.zeros(len(t_idx), np.float32)
    for dt in (-1, 1):
        t_n = t_idx + dt
        ok = (t_n >= 0) & (t_n < n_frames)
        rows, cols = t_n[ok], f_idx[ok]
        near[ok] = np.maximum(near[ok], np.maximum(np.maximum(contrast[rows, cols - 1], contrast[rows, cols]),
                                                   contrast[rows, cols + 1]))
    repeated = near >= thr / 4
    t_idx, f_idx = t_idx[repeated], f_idx[repeated]
    if len(t_idx) == 0:
        return np.empty(0, np.int64), np.empty(0), np.empty(0)
    # Clusters: hits closer than 4 frames and 6 bins are one burst; keep each cluster's strongest.
    strength = contrast[t_idx, f_idx]
    order_h = np.argsort(-strength, kind="stable")
    taken = np.zeros(len(t_idx), bool)
    keep = []
    for i in order_h:
        if taken[i]:
            continue
        near = (np.abs(t_idx - t_idx[i]) <= 3) & (np.abs(f_idx - f_idx[i]) <= 6)
        taken |= near
        keep.append(i)
    keep = np.array(keep)
    ti, fi = t_idx[keep], f_idx[keep]
    # Parabolic interpolation of the peak on log power.
    pl = np.log(np.maximum(power[ti, fi - 1], 1e-30))
    pc = np.log(np.maximum(power[ti, fi], 1e-30))
    pr = np.log(np.maximum(power[ti, fi + 1], 1e-30))
    den = pl - 2 * pc + pr
    delta = np.where(den < 0, 0.5 * (pl - pr) / np.where(den < 0, den, -1), 0.0)
    f_hz = freqs[band[fi]] + np.clip(delta, -0.5, 0.5) * bin_hz
    return ti * hop, f_hz, 10 * np.log10(contrast[ti, fi])


def _band_power(x: np.ndarray, win: int, hop: int, n_frames: int, nfft: int, band: np.ndarray) -> np.ndarray:
    """(n_frames, len(band)) float32 power of the Hann-windowed ``nfft``-point spectra of frames
    ``win`` long every ``hop`` samples, at FFT bins ``band`` (consecutive in frequency order, so at
    most two runs of consecutive FFT bins: read as slices, not gathered)."""
    window = np.hanning(win).astype(np.float32)
    power = np.empty((n_frames, len(band)), np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(x, win)[::hop][:n_frames]
    breaks = np.flatnonzero(np.diff(band) != 1) + 1
    runs = [(int(r[0]), int(r[-1]) + 1, int(i)) for r, i in
            zip(np.split(band, breaks), np.concatenate(([0], breaks)))]  # (first bin, end bin, column)
    chunk = max(1, min(n_frames, (1 << 22) // nfft))
    buf = np.zeros((chunk, nfft), np.complex64)  # zero-padded beyond ``win``, transformed in place
    for c0 in range(0, n_frames, chunk):
        c1 = min(n_frames, c0 + chunk)
        rows = buf[: c1 - c0]
        if c0:  # the transform overwrote the padding
            rows[:, win:] = 0
        np.multiply(frames[c0:c1], window, out=rows[:, :win])
        spec = scipy.fft.fft(rows, axis=1, overwrite_x=True)
        for b0, b1, col in runs:
            seg = spec[:, b0:b1]
            dst = power[c0:c1, col : col + b1 - b0]
            np.multiply(seg.real, seg.real, out=dst)
            dst += seg.imag * seg.imag
    return power


# --- stage 2: refinement -------------------------------------------------------------------------


def _symbol_means(seg: np.ndarray, sps: float, n_sym: int) -> np.ndarray:
    """Mean of each symbol period of ``seg`` (rows), for any samples per symbol (fractional edges)."""
    cs = np.concatenate((np.zeros((seg.shape[0], 1), np.complex128), np.cumsum(seg, axis=1)), axis=1)
    edges = np.arange(n_sym + 1) * sps
    i = np.floor(edges).astype(np.int64)
    frac = edges - i
    i1 = np.minimum(i + 1, cs.shape[1] - 1)
    c = cs[:, i] * (1 - frac) + cs[:, i1] * frac
    return (c[:, 1:] - c[:, :-1]) / sps


def _line_fit(phase: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def _fine_bins(kk: int) -> np.ndarray:
    """The fine spectrum's bins within ±(kk + 1) of 0, in FFT order (non-negative first)."""
    return np.concatenate((np.arange(0, kk + 2), np.arange(_FINE_NFFT - kk - 1, _FINE_NFFT)))


@lru_cache(maxsize=8)
def _fine_turns(n_symbols: int, kk: int) -> np.ndarray:
    """(n_symbols, K) complex128: exp(−2πi·k·m / _FINE_NFFT) for symbol m and the bins k of
    ``_fine_bins(kk)``."""
    m = np.exp(-2j * np.pi * np.outer(np.arange(n_symbols), _fine_bins(kk)) / _FINE_NFFT)
    m.setflags(write=False)
    return m


def _segment(window_start: np.ndarray, sps: float) -> tuple[np.ndarray, np.ndarray]:
    """The samples [start, end) ``refine_fcch`` reads around each candidate window."""
    start = np.asarray(window_start, np.int64) - int(round(_SEG_BEFORE * sps))
    return start, start + int(np.ceil(_SEG_SYMBOLS * sps)) + 2


def refine_fcch(
    samples: np.ndarray,
    *,
    sample_rate_hz: float,
    window_start: np.ndarray,
    tone_hz: np.ndarray,
    search_hz: float = 4e3,
    min_duration_symbols: float = 128.0,
    max_duration_symbols: float = 190.0,
    min_coherence: float = 0.5,
) -> FcchBursts:
    """Refine candidates (window start sample ≈ where the burst is, tone frequency within
    ±``search_hz``) to validated bursts; candidates that are not a ~147-symbol tone are dropped."""
    x = np.asarray(samples)
    fs = float(sample_rate_hz)
    sps = fs / SYMBOL_RATE_HZ
    ws = np.atleast_1d(np.asarray(window_start, dtype=np.int64))
    tg = np.atleast_1d(np.asarray(tone_hz, dtype=np.float64))
    if len(ws) == 0:
        return _empty(fs)
    if len(ws) > _REFINE_CHUNK:  # bounded memory: candidates in groups
        kw = dict(sample_rate_hz=fs, search_hz=search_hz, min_duration_symbols=min_duration_symbols,
                  max_duration_symbols=max_duration_symbols, min_coherence=min_coherence)
        parts = [refine_fcch(x, window_start=ws[i : i + _REFINE_CHUNK], tone_hz=tg[i : i + _REFINE_CHUNK], **kw)
                 for i in range(0, len(ws), _REFINE_CHUNK)]
        return _dedupe(concat_bursts(parts, fs))
    seg_start, seg_end = _segment(ws, sps)
    seg_len = int(seg_end[0] - seg_start[0])
    idx = seg_start[:, None] + np.arange(seg_len)[None, :]
    valid = (idx >= 0) & (idx < len(x))
    seg = np.where(valid, x[np.clip(idx, 0, len(x) - 1)], 0).astype(np.complex64)
    seg *= np.exp(-2j * np.pi * tg[:, None] * np.arange(seg_len)[None, :] / fs).astype(np.complex64)
    # Low-pass around the tone (now near 0 Hz): flat to ±_LP_PASS_HZ, zero beyond ±_LP_STOP_HZ, so a
    # strong neighbour carrier 130 kHz from the tone does not swamp the per-symbol samples.
    nfft = scipy.fft.next_fast_len(seg_len)
    fr = np.abs(np.fft.fftfreq(nfft, 1 / fs))
    edge = np.clip((fr - _LP_PASS_HZ) / (_LP_STOP_HZ - _LP_PASS_HZ), 0.0, 1.0)
    lp = (0.5 * (1 + np.cos(np.pi * edge))).astype(np.float32)
    enbw_hz = float(np.sum(lp.astype(np.float64) ** 2) * fs / nfft)
    seg = scipy.fft.ifft(scipy.fft.fft(seg, n=nfft, axis=1) * lp, axis=1)[:, :seg_len]
    q = _symbol_means(seg, sps, _SEG_SYMBOLS)  # (n, S)
    qvalid = _symbol_means(valid.astype(np.float64), sps, _SEG_SYMBOLS).real > 0.999
    n, S = q.shape
    # Best 140-symbol window and frequency: sliding windows, zero-padded FFT within ±search_hz.
    first_pos = max(0, _SEG_BEFORE - 110)
    positions = np.arange(first_pos, min(S - _BOX_SYMBOLS, _SEG_BEFORE + 60) + 1, 3)
    fbin = SYMBOL_RATE_HZ / _FINE_NFFT
    kk = int(np.ceil(search_hz / fbin))
    ks = _fine_bins(kk)
    kfreq = np.where(ks <= _FINE_NFFT // 2, ks, ks - _FINE_NFFT)
    inner = np.abs(kfreq) <= kk
    best_p = np.empty(n, np.int64)
    best_f = np.empty(n)
    turns = _fine_turns(S, kk)
    for c0 in range(0, n, 16):
        c1 = min(n, c0 + 16)
        # |DFT| at bins ks of each _BOX_SYMBOLS window (the zero-padded FFT's, but only the bins
        # wanted): window sums of q·turns by a running sum over the segment (the phase of a
        # window's start drops out of the magnitude).
        run = np.zeros((c1 - c0, S + 1, len(ks)), np.complex128)
        np.cumsum(q[c0:c1, :, None] * turns[None], axis=1, out=run[:, 1:])
        spec = run[:, positions + _BOX_SYMBOLS] - run[:, positions]  # (c, P, K)
        spec = spec.real**2 + spec.imag**2
        spec_in = np.where(inner[None, None, :], spec, -1.0)
        flat = spec_in.reshape(c1 - c0, -1).argmax(axis=1)
        pi, fi = np.unravel_index(flat, spec.shape[1:])
        rr = np.arange(c1 - c0)
        k = kfreq[fi]
        # neighbours of the peak bin (k ± 1) are in ks by construction
        pos_of = {int(v): i for i, v in enumerate(kfreq)}
        il = np.array([pos_of[int(v) - 1] for v in k])
        ir = np.array([pos_of[int(v) + 1] for v in k])
        pl = np.log(spec[rr, pi, il] + 1e-300)
        pc = np.log(spec[rr, pi, fi] + 1e-300)
        pr = np.log(spec[rr, pi, ir] + 1e-300)
        den = pl - 2 * pc + pr
        delta = np.where(den < 0, 0.5 * (pl - pr) / np.where(den < 0, den, -1.0), 0.0)
        best_p[c0:c1] = positions[pi]
        best_f[c0:c1] = (k + np.clip(delta, -0.5, 0.5)) * fbin
    jj = np.arange(S)[None, :]
    f_tot = tg + best_f
    q1 = q * np.exp(-2j * np.pi * best_f[:, None] * jj / SYMBOL_RATE_HZ)
    # Box position at one-symbol resolution near best_p.
    csq = np.concatenate((np.zeros((n, 1), complex), np.cumsum(q1, axis=1)), axis=1)
    box = np.abs(csq[:, _BOX_SYMBOLS:] - csq[:, :-_BOX_SYMBOLS])  # (n, S - BOX + 1)
    near = np.abs(np.arange(box.shape[1])[None, :] - best_p[:, None]) <= 4
    p = np.argmax(np.where(near, box, -1.0), axis=1)
    rows = np.arange(n)
    S_box = csq[rows, p + _BOX_SYMBOLS] - csq[rows, p]
    amp = np.abs(S_box) / _BOX_SYMBOLS
    theta = np.angle(S_box)
    # Edges: where the projected tone (smoothed over 5 symbols) falls below half its amplitude.
    v = np.real(q1 * np.exp(-1j * theta)[:, None]) / np.maximum(amp, 1e-30)[:, None]
    v = np.where(qvalid, v, -1.0)
    ker = np.ones(5) / 5
    vs = np.apply_along_axis(lambda r_: np.convolve(r_, ker, mode="same"), 1, v)
    good = vs >= 0.5
    left = np.empty(n, np.int64)
    right = np.empty(n, np.int64)
    for r in range(n):
        c = p[r] + _BOX_SYMBOLS // 2
        bad_l = np.flatnonzero(~good[r, :c])
        bad_r = np.flatnonzero(~good[r, c:])
        left[r] = bad_l[-1] + 1 if len(bad_l) else 0
        right[r] = c + bad_r[0] - 1 if len(bad_r) else S - 1
    duration = (right - left + 1).astype(np.float64)
    # Least-squares phase slope over the interior (two passes).
    mask = (jj >= left[:, None] + 6) & (jj <= right[:, None] - 6)
    mask &= qvalid
    f_fit = np.zeros(n)
    sig_b = np.full(n, np.inf)
    a = np.zeros(n)
    for _ in range(2):
        z = q1 * np.exp(-1j * (theta[:, None] + 2 * np.pi * f_fit[:, None] * jj / SYMBOL_RATE_HZ))
        ph = np.angle(z)
        a, b, sig_b = _line_fit(ph, mask)
        f_fit = f_fit + b * SYMBOL_RATE_HZ / (2 * np.pi)
        theta = theta + a
    z = q1 * np.exp(-1j * (theta[:, None] + 2 * np.pi * f_fit[:, None] * jj / SYMBOL_RATE_HZ))
    m = mask.sum(axis=1).astype(np.float64)
    A = np.where(mask, z.real, 0).sum(axis=1) / np.maximum(m, 1)
    noise = np.where(mask, np.abs(z - A[:, None]) ** 2, 0).sum(axis=1) / np.maximum(m - 2, 1)
    energy = np.where(mask, np.abs(q1) ** 2, 0).sum(axis=1)
    coherence = (np.abs(np.where(mask, z, 0).sum(axis=1)) ** 2) / np.maximum(m * energy, 1e-300)
    # noise measured in the low-pass's bandwidth, expressed per 270.833 kHz
    snr_db = 10 * np.log10(np.maximum(A**2, 1e-30) / np.maximum(noise * SYMBOL_RATE_HZ / enbw_hz, 1e-30))
    tone = f_tot + f_fit
    start = seg_start + (left - _START_CAL_SYMBOLS) * sps
    ok = (
        (duration >= min_duration_symbols) & (duration <= max_duration_symbols) & (coherence >= min_coherence)
        & (left > 0) & (right < S - 1) & np.isfinite(sig_b) & (m > 60)
    )
    res = FcchBursts(
        start.astype(np.float64), duration, tone, tone - FCCH_TONE_HZ,
        # residuals are correlated over ~Rs/ENBW symbols (the low-pass): the white-noise slope
        # error understates the true one by about sqrt(Rs / ENBW); 1.15 more, measured on
        # simulated bursts at 5-20 dB SNR, makes the claimed 1-sigma match the scatter
        1.15 * sig_b * np.sqrt(SYMBOL_RATE_HZ / enbw_hz) * SYMBOL_RATE_HZ / (2 * np.pi), snr_db, coherence,
        10 * np.log10(np.maximum(A**2, 1e-30)), fs,
    ).take(np.flatnonzero(ok))
    return _dedupe(res)


def concat_bursts(parts: list[FcchBursts], fs: float) -> FcchBursts:
    """Bursts of several searches as one set (same stream, same sample rate)."""
    if not parts:
        return _empty(fs)
    names = ("start_sample", "duration_symbols", "tone_hz", "carrier_offset_hz", "freq_std_hz", "snr_db",
             "coherence", "power_dbfs")
    return FcchBursts(*(np.concatenate([getattr(p, k) for p in parts]) for k in names), fs)  # type: ignore[arg-type]


def _dedupe(b: FcchBursts) -> FcchBursts:
    """One entry per burst (candidates of one burst refine to the same place), sorted by time."""
    if len(b) == 0:
        return b
    sps = b.sample_rate_hz / SYMBOL_RATE_HZ
    order = np.argsort(-b.snr_db, kind="stable")
    keep: list[int] = []
    for i in order:
        if any(abs(b.start_sample[i] - b.start_sample[k]) < 40 * sps and abs(b.tone_hz[i] - b.tone_hz[k]) < 5e3 for k in keep):
            continue
        keep.append(int(i))
    idx = np.array(sorted(keep, key=lambda k: b.start_sample[k]))
    return b.take(idx)


# --- detectors ---------------------------------------------------------------------------------


def detect_fcch(
    samples: np.ndarray,
    *,
    sample_rate_hz: float,
    max_offset_hz: float = 95e3,
    threshold_db: float = 12.0,
) -> FcchBursts:
    """FCCH bursts of the carrier at the centre of a channel stream (e.g. the channelizer's output),
    whose frequency may be off by up to ±``max_offset_hz`` (keep it below 100 kHz, half the
    channel spacing, or a neighbour's FCCH would be taken for this carrier's).

    Give at least ~20 ms (the candidate stage compares each bin with its median over time). A
    burst is found only when the whole of it and ~130 symbols either side are in ``samples``:
    when streaming, call on windows that overlap by ≥ 400 symbols and drop repeats by start.
    """
    x = np.asarray(samples, dtype=np.complex64)
    lo = FCCH_TONE_HZ - max_offset_hz
    hi = FCCH_TONE_HZ + max_offset_hz
    ws, f_hz, _ = _tone_candidates(x, sample_rate_hz, f_lo_hz=lo, f_hi_hz=hi, threshold_db=threshold_db)
    b = refine_fcch(x, sample_rate_hz=sample_rate_hz, window_start=ws, tone_hz=f_hz)
    return b.take(np.flatnonzero(np.abs(b.carrier_offset_hz) <= max_offset_hz))


def search_fcch_wideband(
    samples: np.ndarray,
    *,
    sample_rate_hz: float,
    usable_fraction: float = 0.9,
    threshold_db: float = 12.0,
    image_rejection_db: float = 15.0,
) -> FcchBursts:
    """FCCH bursts anywhere in a wideband stream (raw IQ, before channelisation): tones within
    ±``usable_fraction``/2 of the sample rate. ``carrier_offset_hz`` is each burst's carrier
    relative to the tuning; ``group_carriers`` turns them into carriers."""
    x = np.asarray(samples, dtype=np.complex64)
    half = usable_fraction * sample_rate_hz / 2
    ws, f_hz, _ = _tone_candidates(x, sample_rate_hz, f_lo_hz=-half, f_hi_hz=half, threshold_db=threshold_db)
    if sample_rate_hz > 2 * _CHANNEL_SPS * SYMBOL_RATE_HZ and len(ws):
        b = _refine_on_channels(x, sample_rate_hz, ws, f_hz)
    else:
        b = refine_fcch(x, sample_rate_hz=sample_rate_hz, window_start=ws, tone_hz=f_hz)
    return drop_images(b, image_rejection_db=image_rejection_db)


_CHANNEL_SPS = 2
_CHANNEL_GRID_HZ = 25e3


def _refine_on_channels(x: np.ndarray, fs: float, ws: np.ndarray, f_hz: np.ndarray) -> FcchBursts:
    """``refine_fcch`` of wideband candidates, each on a channel stream (2 samples per symbol)
    centred on the ``_CHANNEL_GRID_HZ`` point nearest its tone, rather than on the wideband
    samples: the refinement's cost grows with the rate (every candidate's segment is mixed,
    filtered and averaged sample by sample), the channelizer's hardly — at 20 Msps this is ~30×
    cheaper. The channel response (the equaliser's receive low-pass, flat to ±80 kHz) leaves a
    tone within ±12.5 kHz of the centre untouched; the bursts come back on the wideband's samples
    and frequencies."""
    def plan(centres_hz: np.ndarray) -> ChannelizerPlan:
        return plan_channelizer(fs, centres_hz, samples_per_symbol=_CHANNEL_SPS, shape_taps=prefilter_taps(_CHANNEL_SPS),
                                stopband_hz=220e3, overlap_factor=1, min_block=int(1e-3 * fs))

    grid_hz = plan(np.zeros(1)).bin_hz * max(1, round(_CHANNEL_GRID_HZ / plan(np.zeros(1)).bin_hz))  # whole bins
    uniq, group = np.unique(np.round(f_hz / grid_hz), return_inverse=True)
    uniq = uniq * grid_hz
    plan_c = plan(uniq)
    ratio = plan_c.out_rate_hz / fs  # no lag: the same instants at another rate
    starts = np.round(ws * ratio).astype(np.int64)
    # Each stream is made only around its candidates: the segments ``refine_fcch`` reads (a few
    # samples more either side), a few per cent of the stretch.
    n_out = -(-len(x) * plan_c.rate_ratio.numerator // plan_c.rate_ratio.denominator)
    lo, hi = _segment(starts, float(_CHANNEL_SPS))
    spans = [(np.clip(lo[group == i] - 4, 0, n_out), np.clip(hi[group == i] + 4, 0, n_out)) for i in range(len(uniq))]
    streams = channelize_all(plan_c, x, with_power=False, spans=spans).samples
    parts = []
    for i, c in enumerate(uniq):
        sel = np.flatnonzero(group == i)
        b = refine_fcch(streams[i], sample_rate_hz=plan_c.out_rate_hz, window_start=starts[sel], tone_hz=f_hz[sel] - c)
        parts.append(FcchBursts(b.start_sample / ratio, b.duration_symbols, b.tone_hz + c, b.carrier_offset_hz + c,
                                b.freq_std_hz, b.snr_db, b.coherence, b.power_dbfs, fs))
    return _dedupe(concat_bursts(parts, fs))


def drop_images(b: FcchBursts, *, image_rejection_db: float = 15.0) -> FcchBursts:
    """Drop bursts that are the IQ-imbalance image of a stronger one: a zero-IF receiver mirrors
    every tone at f to −f (25–40 dB down on an RTL-SDR), at the same moment."""
    if len(b) < 2:
        return b
    sps = b.sample_rate_hz / SYMBOL_RATE_HZ
    same_time = np.abs(b.start_sample[:, None] - b.start_sample[None, :]) < 4 * sps
    mirrored = np.abs(b.tone_hz[:, None] + b.tone_hz[None, :]) < 500.0
    weaker = b.power_dbfs[:, None] < b.power_dbfs[None, :] - image_rejection_db
    image = np.any(same_time & mirrored & weaker, axis=1)
    return b.take(np.flatnonzero(~image))
