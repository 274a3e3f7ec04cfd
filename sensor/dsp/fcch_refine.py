"""Stage 2 of the FCCH search (see ``fcch``): a tone candidate → a validated burst, its edges and
its frequency.

A candidate is where the candidate stage saw a tone (the start of its 96-symbol window) and at
which frequency, to within a bin of its short spectra. Each step below works on all candidates at
once, one row each:

1. ``_tone_symbols``: the segment around the candidate, turned down by the tone guess, through
   the tone low-pass (``fcch.tone_lowpass``) and averaged over each symbol period: one complex
   value per symbol, a pure tone now turning slowly by the guess's error;
2. ``_coarse_box``: the ``BOX_SYMBOLS`` window and the frequency with the largest coherent sum:
   the magnitude of a zero-padded DFT of sliding windows, only at the bins within ±``search_hz``;
3. ``_fine_box``: that window at one-symbol resolution, its amplitude and phase;
4. ``_tone_edges``: where the tone, projected on the window's phase, falls below half its
   amplitude on either side: the burst's first and last tone symbols (the duration check allows
   128-190 symbols: 147, plus whatever the guard period and the next burst's tail bits add, which
   also turn +π/2 per symbol);
5. ``_phase_fit``: the frequency from a least-squares fit of the unwrapped phase over the burst's
   interior (two passes), with its 1-sigma error;
6. ``_tone_quality``: amplitude, noise, coherence over the same interior.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from sensor.dsp.fcch import (
    FCCH_TONE_HZ,
    FREQ_FIT_TONE_SYMBOLS,
    FcchBursts,
    concat_bursts,
    dedupe_bursts,
    derotate,
    line_fit,
    lowpass_rows,
    parabolic_offset,
    rad_per_symbol_to_hz,
    symbol_means,
    tone_freq_std_hz,
    tone_power_dbfs,
    tone_snr_db,
)
from sensor.gsm.tdma import SYMBOL_RATE_HZ

# Coherent window: a little shorter than the 147-symbol tone, so that it fits wholly on the tone
# although the candidate placed the burst only to within a few symbols.
BOX_SYMBOLS = 140
# Where the window may start, relative to the candidate window's start: the candidate's 96
# symbols overlapped the burst by at least a third of them (a burst starting 110 symbols before
# it ends 38 symbols into it; one starting 60 after it covers its last 36).
_BOX_EARLIEST_SYMBOLS = 110
_BOX_LATEST_SYMBOLS = 60
_COARSE_STEP_SYMBOLS = 3  # window starts tried by the DFT; then every start within ±_FINE_REACH_SYMBOLS
_FINE_REACH_SYMBOLS = 4
_FINE_NFFT = 1024  # zero-padded DFT of the window: bins of Rs/1024 ≈ 264 Hz, then interpolated
_LONGEST_TONE_SYMBOLS = 190.0  # refine_fcch's max_duration_symbols
# The segment read around a candidate (symbols, from the candidate window's start): 20 symbols
# before the earliest window start, so the leading edge is seen; to the latest start plus the
# longest tone accepted and 10 symbols, so the trailing edge is.
_SEGMENT_LEAD_SYMBOLS = _BOX_EARLIEST_SYMBOLS + 20
_SEGMENT_SYMBOLS = _SEGMENT_LEAD_SYMBOLS + _BOX_LATEST_SYMBOLS + int(_LONGEST_TONE_SYMBOLS) + 10
_INSIDE_FRACTION = 0.999  # a symbol is used when (all but rounding of) its period lies inside the stream
_EDGE_SMOOTH_SYMBOLS = 5  # the projected tone is smoothed over this many symbols before the edges are found
_EDGE_LEVEL = 0.5  # of the window's amplitude: the tone has stopped below this
# The phase fit uses the tone's interior: this many symbols in from each edge, clear of the ramps
# the low-pass and the smoothing put there; and needs more than _MIN_FIT_SYMBOLS of them.
_FIT_EDGE_MARGIN_SYMBOLS = 6
_MIN_FIT_SYMBOLS = 60
_PHASE_FIT_PASSES = 2
# Burst start (leading edge of bit 0) = first tone symbol found − this: bit 1 is the first tone
# symbol; the rest is where the half-amplitude crossing lands after the low-pass and the smoothing
# (calibrated on the simulator).
_START_CAL_SYMBOLS = 3.1
_REFINE_CHUNK = 64  # candidates refined together (bounded memory)
_COARSE_CHUNK = 16  # candidates per running-sum array in _coarse_box: (16, 391, K) complex128, a few MB
_TINY = 1e-300  # floor before a logarithm or a division


def refine_segment(window_start: np.ndarray, sps: float) -> tuple[np.ndarray, np.ndarray]:
    """The samples [start, end) ``refine_fcch`` reads around each candidate window."""
    start = np.asarray(window_start, np.int64) - int(round(_SEGMENT_LEAD_SYMBOLS * sps))
    return start, start + int(np.ceil(_SEGMENT_SYMBOLS * sps)) + 2


def refine_fcch(
    samples: np.ndarray,
    *,
    sample_rate_hz: float,
    window_start: np.ndarray,
    tone_hz: np.ndarray,
    search_hz: float = 4e3,
    min_duration_symbols: float = 128.0,
    max_duration_symbols: float = _LONGEST_TONE_SYMBOLS,
    min_coherence: float = 0.5,
) -> FcchBursts:
    """Refine candidates (window start sample ≈ where the burst is, tone frequency within
    ±``search_hz``) to validated bursts; candidates that are not a ~147-symbol tone are dropped."""
    x = np.asarray(samples)
    fs = float(sample_rate_hz)
    sps = fs / SYMBOL_RATE_HZ
    window_start = np.atleast_1d(np.asarray(window_start, dtype=np.int64))
    tone_guess_hz = np.atleast_1d(np.asarray(tone_hz, dtype=np.float64))
    if len(window_start) == 0:
        return FcchBursts.empty(fs)
    if len(window_start) > _REFINE_CHUNK:
        kw = dict(
            sample_rate_hz=fs,
            search_hz=search_hz,
            min_duration_symbols=min_duration_symbols,
            max_duration_symbols=max_duration_symbols,
            min_coherence=min_coherence,
        )
        parts = [
            refine_fcch(
                x, window_start=window_start[i : i + _REFINE_CHUNK], tone_hz=tone_guess_hz[i : i + _REFINE_CHUNK], **kw
            )
            for i in range(0, len(window_start), _REFINE_CHUNK)
        ]
        return dedupe_bursts(concat_bursts(parts, fs))
    segment_start, q, q_inside, enbw_hz = _tone_symbols(x, fs, sps, window_start, tone_guess_hz)
    n_symbols = q.shape[1]
    coarse_start, coarse_offset_hz = _coarse_box(q, search_hz)
    q_tone, box_start, amplitude, phase = _fine_box(q, coarse_start, coarse_offset_hz)
    first, last = _tone_edges(q_tone, q_inside, box_start, amplitude, phase)
    duration_symbols = (last - first + 1).astype(np.float64)
    symbol = np.arange(n_symbols)[None, :]
    interior = (
        (symbol >= first[:, None] + _FIT_EDGE_MARGIN_SYMBOLS)
        & (symbol <= last[:, None] - _FIT_EDGE_MARGIN_SYMBOLS)
        & q_inside
    )
    z, fit_offset_hz, slope_std = _phase_fit(q_tone, phase, interior)
    n_fit, tone_amplitude, noise_power, coherence = _tone_quality(q_tone, z, interior)
    # The frequency from the symbols well inside the tone only (``fcch.FREQ_FIT_TONE_SYMBOLS`` of
    # the burst placed by its leading edge), where neither edge leaks through the low-pass.
    bit0 = first - _START_CAL_SYMBOLS
    lo, hi = FREQ_FIT_TONE_SYMBOLS
    freq_interior = interior & (symbol >= bit0[:, None] + 1 + lo) & (symbol < bit0[:, None] + 1 + hi)
    _, freq_offset_hz, freq_slope_std = _phase_fit(q_tone, phase, freq_interior)
    narrow = freq_interior.sum(axis=1) > _MIN_FIT_SYMBOLS
    fit_offset_hz = np.where(narrow, freq_offset_hz, fit_offset_hz)
    slope_std = np.where(narrow, freq_slope_std, slope_std)
    tone = tone_guess_hz + coarse_offset_hz + fit_offset_hz
    start = segment_start + bit0 * sps
    ok = (
        (duration_symbols >= min_duration_symbols)
        & (duration_symbols <= max_duration_symbols)
        & (coherence >= min_coherence)
        & (first > 0)
        & (last < n_symbols - 1)  # both edges inside the segment
        & np.isfinite(slope_std)
        & (n_fit > _MIN_FIT_SYMBOLS)
    )
    bursts = FcchBursts(
        start.astype(np.float64),
        duration_symbols,
        tone,
        tone - FCCH_TONE_HZ,
        tone_freq_std_hz(slope_std, enbw_hz),
        tone_snr_db(tone_amplitude, noise_power, enbw_hz),
        coherence,
        tone_power_dbfs(tone_amplitude),
        fs,
    ).take(np.flatnonzero(ok))
    return dedupe_bursts(bursts)


def _tone_symbols(
    x: np.ndarray, fs: float, sps: float, window_start: np.ndarray, tone_guess_hz: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Step 1: (each segment's first sample, per-symbol means (n, _SEGMENT_SYMBOLS) of the segment
    turned down by the tone guess and low-passed, which of those symbols lie inside the stream, the
    low-pass's noise bandwidth in Hz). Samples beyond the stream's ends count as zero."""
    segment_start, segment_end = refine_segment(window_start, sps)
    length = int(segment_end[0] - segment_start[0])
    idx = segment_start[:, None] + np.arange(length)[None, :]
    inside = (idx >= 0) & (idx < len(x))
    seg = np.where(inside, x[np.clip(idx, 0, len(x) - 1)], 0).astype(np.complex64)
    seg *= np.exp(-2j * np.pi * tone_guess_hz[:, None] * np.arange(length)[None, :] / fs).astype(np.complex64)
    seg, enbw_hz = lowpass_rows(seg, fs)
    q = symbol_means(seg, sps, _SEGMENT_SYMBOLS)
    q_inside = symbol_means(inside.astype(np.float64), sps, _SEGMENT_SYMBOLS).real > _INSIDE_FRACTION
    return segment_start, q, q_inside, enbw_hz


def _fine_bins(reach: int) -> np.ndarray:
    """The fine DFT's bins within ±(reach + 1) of 0, in FFT order (non-negative first)."""
    return np.concatenate((np.arange(0, reach + 2), np.arange(_FINE_NFFT - reach - 1, _FINE_NFFT)))


@lru_cache(maxsize=8)
def _fine_turns(n_symbols: int, reach: int) -> np.ndarray:
    """(n_symbols, K) complex128: exp(−2πi·k·m / _FINE_NFFT) for symbol m and the bins k of
    ``_fine_bins(reach)``."""
    m = np.exp(-2j * np.pi * np.outer(np.arange(n_symbols), _fine_bins(reach)) / _FINE_NFFT)
    m.setflags(write=False)
    return m


def _box_power(q: np.ndarray, turns: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """(rows, starts, K) |DFT|² of each ``BOX_SYMBOLS`` window of ``q`` from ``starts``, at the bins
    of ``turns`` (the zero-padded FFT's, but only the bins wanted): window sums of q·turns by a
    running sum over the segment (the phase of a window's start drops out of the magnitude)."""
    run = np.zeros((q.shape[0], q.shape[1] + 1, turns.shape[1]), np.complex128)
    np.cumsum(q[:, :, None] * turns[None], axis=1, out=run[:, 1:])
    spec = run[:, starts + BOX_SYMBOLS] - run[:, starts]
    return spec.real**2 + spec.imag**2


def _coarse_box(q: np.ndarray, search_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """Step 2: (start symbol, frequency offset Hz) of each row's strongest coherent window, the
    offset interpolated between the fine DFT's bins."""
    n, n_symbols = q.shape
    starts = np.arange(
        max(0, _SEGMENT_LEAD_SYMBOLS - _BOX_EARLIEST_SYMBOLS),
        min(n_symbols - BOX_SYMBOLS, _SEGMENT_LEAD_SYMBOLS + _BOX_LATEST_SYMBOLS) + 1,
        _COARSE_STEP_SYMBOLS,
    )
    bin_hz = SYMBOL_RATE_HZ / _FINE_NFFT
    reach = int(np.ceil(search_hz / bin_hz))
    bins = _fine_bins(reach)
    bin_offset = np.where(bins <= _FINE_NFFT // 2, bins, bins - _FINE_NFFT)  # signed
    searched = np.abs(bin_offset) <= reach  # the outermost two are there as the peak's neighbours
    column_of = {int(v): i for i, v in enumerate(bin_offset)}
    turns = _fine_turns(n_symbols, reach)
    best_start = np.empty(n, np.int64)
    best_offset_hz = np.empty(n)
    for c0 in range(0, n, _COARSE_CHUNK):
        c1 = min(n, c0 + _COARSE_CHUNK)
        power = _box_power(q[c0:c1], turns, starts)
        flat = np.where(searched[None, None, :], power, -1.0).reshape(c1 - c0, -1).argmax(axis=1)
        at_start, at_bin = np.unravel_index(flat, power.shape[1:])
        rows = np.arange(c1 - c0)
        k = bin_offset[at_bin]
        left = np.array([column_of[int(v) - 1] for v in k])
        right = np.array([column_of[int(v) + 1] for v in k])
        delta = parabolic_offset(
            np.log(power[rows, at_start, left] + _TINY),
            np.log(power[rows, at_start, at_bin] + _TINY),
            np.log(power[rows, at_start, right] + _TINY),
        )
        best_start[c0:c1] = starts[at_start]
        best_offset_hz[c0:c1] = (k + delta) * bin_hz
    return best_start, best_offset_hz


def _fine_box(
    q: np.ndarray, coarse_start: np.ndarray, offset_hz: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Step 3: (the symbols turned down by ``offset_hz``, the window start within
    ±``_FINE_REACH_SYMBOLS`` of the coarse one with the largest coherent sum, that sum's amplitude
    per symbol and phase)."""
    n, n_symbols = q.shape
    symbol = np.arange(n_symbols)[None, :]
    q_tone = q * np.exp(-2j * np.pi * offset_hz[:, None] * symbol / SYMBOL_RATE_HZ)
    running = np.concatenate((np.zeros((n, 1), complex), np.cumsum(q_tone, axis=1)), axis=1)
    window_sum = np.abs(running[:, BOX_SYMBOLS:] - running[:, :-BOX_SYMBOLS])  # (n, n_symbols − BOX + 1)
    near = np.abs(np.arange(window_sum.shape[1])[None, :] - coarse_start[:, None]) <= _FINE_REACH_SYMBOLS
    start = np.argmax(np.where(near, window_sum, -1.0), axis=1)
    rows = np.arange(n)
    box = running[rows, start + BOX_SYMBOLS] - running[rows, start]
    return q_tone, start, np.abs(box) / BOX_SYMBOLS, np.angle(box)


def _tone_edges(
    q_tone: np.ndarray, q_inside: np.ndarray, box_start: np.ndarray, amplitude: np.ndarray, phase: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Step 4: (first, last) tone symbol of each row: outwards from the window's centre, the
    last symbols where the tone projected on the window's phase (in units of its amplitude,
    smoothed over ``_EDGE_SMOOTH_SYMBOLS``) is still at ``_EDGE_LEVEL`` or above. Symbols outside
    the stream end the tone."""
    level = np.real(q_tone * np.exp(-1j * phase)[:, None]) / np.maximum(amplitude, 1e-30)[:, None]
    level = np.where(q_inside, level, -1.0)
    kernel = np.ones(_EDGE_SMOOTH_SYMBOLS) / _EDGE_SMOOTH_SYMBOLS
    smoothed = np.apply_along_axis(lambda row: np.convolve(row, kernel, mode="same"), 1, level)
    on_tone = smoothed >= _EDGE_LEVEL
    n, n_symbols = q_tone.shape
    first = np.empty(n, np.int64)
    last = np.empty(n, np.int64)
    for r in range(n):
        centre = box_start[r] + BOX_SYMBOLS // 2
        off_before = np.flatnonzero(~on_tone[r, :centre])
        off_after = np.flatnonzero(~on_tone[r, centre:])
        first[r] = off_before[-1] + 1 if len(off_before) else 0
        last[r] = centre + off_after[0] - 1 if len(off_after) else n_symbols - 1
    return first, last


def _phase_fit(
    q_tone: np.ndarray, phase: np.ndarray, interior: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Step 5: (the symbols with the fitted phase and frequency removed, the frequency Hz, the
    slope's 1-sigma in rad/symbol) from ``_PHASE_FIT_PASSES`` least-squares fits of the phase over
    ``interior``, each on what the previous one left (so the phase never wraps)."""
    offset_hz = np.zeros(len(q_tone))
    slope_std = np.full(len(q_tone), np.inf)
    for _ in range(_PHASE_FIT_PASSES):
        a, b, slope_std = line_fit(np.angle(derotate(q_tone, phase, offset_hz)), interior)
        offset_hz = offset_hz + rad_per_symbol_to_hz(b)
        phase = phase + a
    return derotate(q_tone, phase, offset_hz), offset_hz, slope_std


def _tone_quality(
    q_tone: np.ndarray, z: np.ndarray, interior: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Step 6, over ``interior``: (its symbols, the tone's amplitude (mean of the fitted symbols'
    real part), the noise power per symbol around it, the coherence |Σz|² / (n · Σ|q|²))."""
    n_fit = interior.sum(axis=1).astype(np.float64)
    amplitude = np.where(interior, z.real, 0).sum(axis=1) / np.maximum(n_fit, 1)
    noise_power = np.where(interior, np.abs(z - amplitude[:, None]) ** 2, 0).sum(axis=1) / np.maximum(n_fit - 2, 1)
    energy = np.where(interior, np.abs(q_tone) ** 2, 0).sum(axis=1)
    coherence = (np.abs(np.where(interior, z, 0).sum(axis=1)) ** 2) / np.maximum(n_fit * energy, _TINY)
    return n_fit, amplitude, noise_power, coherence
