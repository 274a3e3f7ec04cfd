"""FCCH bursts whose place is already known: the frequency of a synchronised carrier, tracked.

Once a carrier's frame timing is known (``receiver/channel.py``), its FCCH bursts (TS 45.002 §7
Table 3: timeslot 0 of the frames with FN mod 51 ∈ {0, 10, 20, 30, 40}) need no search: each is
a pure tone ``FCCH_TONE_HZ`` above the carrier (TS 45.004 §2) at a known sample, and the
carrier's current offset is known to within the drift since the last measurement. This measures
each burst's tone from its interior only (symbols ``_FIRST``..``_LAST`` of the 147 that carry
it, so a timing error of a few symbols does no harm and the edges do not bias it), at a small fraction of the cost of
``fcch_search.search_fcch_wideband`` / ``fcch_refine.refine_fcch``:

1. the segment around the burst, turned down by the tone guess, through the search's tone
   low-pass (``fcch.tone_lowpass``) and averaged over each symbol period;
2. a coarse frequency from the mean phase step between symbols (unambiguous over ±135 kHz), then
   a least-squares fit of the phase (two passes), with its 1-sigma error as ``refine_fcch``
   states it (``fcch.tone_freq_std_hz``);
3. bursts that are not a clean tone (a fade, a frame the timing put wrong) are dropped by their
   coherence and by their distance from the guess.

Pure numpy; the result is an ``FcchBursts`` like the search's (``duration_symbols`` is the
nominal 147: the edges are not measured here).
"""

from __future__ import annotations

import numpy as np

from sensor.dsp.fcch import (
    FCCH_TONE_HZ,
    FCCH_TONE_SYMBOLS,
    FREQ_FIT_TONE_SYMBOLS,
    FREQ_STD_CALIBRATION,
    FcchBursts,
    derotate,
    line_fit,
    lowpass_rows,
    rad_per_symbol_to_hz,
    symbol_means,
    tone_freq_std_hz,
    tone_power_dbfs,
    tone_snr_db,
)
from sensor.gsm.tdma import SYMBOL_RATE_HZ

_FIRST, _LAST = FREQ_FIT_TONE_SYMBOLS  # the interior tone symbols used (``fcch.FREQ_FIT_TONE_SYMBOLS``)
_PAD = 24  # symbols of context either side for the low-pass's transients
# The symbols of the stream a measurement reads, relative to a burst's start (bit 0's leading edge).
SEGMENT_SYMBOLS = (1 + _FIRST - _PAD, 1 + _LAST + _PAD + 1)
# Where a burst's tone phase is read (``measure_fcch_at``): the fit's centre symbol, this long after
# the burst's start (its ``start_sample``, an ``FcchEstimate``'s time): 75 symbols, 0.28 ms.
PHASE_READ_S = (1 + _FIRST + (_LAST - _FIRST - 1) / 2 + 0.5) / SYMBOL_RATE_HZ
_MIN_COHERENCE = 0.8  # a tone at -3 dB SNR per 270.833 kHz: ~0.85; normal bursts at 20 dB: at most 0.7


def measure_fcch_at(
    samples: np.ndarray,
    *,
    sample_rate_hz: float,
    start_sample: np.ndarray,
    carrier_offset_hz: float,
    max_error_hz: float = 2e3,
) -> FcchBursts:
    """FCCH bursts at known places: ``start_sample`` (leading edge of bit 0, as ``FcchBursts``)
    of each, the carrier expected at ``carrier_offset_hz`` from the stream's centre, within
    ±``max_error_hz``. Bursts not wholly inside ``samples`` or not a clean tone are left out."""
    x = np.asarray(samples)
    fs = float(sample_rate_hz)
    sps = fs / SYMBOL_RATE_HZ
    starts = np.atleast_1d(np.asarray(start_sample, dtype=np.float64))
    n_sym = _LAST - _FIRST + 2 * _PAD
    seg_len = int(np.ceil(n_sym * sps)) + 1
    first = np.round(starts + (1 + _FIRST - _PAD) * sps).astype(np.int64)  # bit 1 is the first tone symbol
    inside = (first >= 0) & (first + seg_len <= len(x))
    starts, first = starts[inside], first[inside]
    if len(first) == 0:
        return FcchBursts.empty(fs)
    tone_guess = carrier_offset_hz + FCCH_TONE_HZ
    n = np.arange(seg_len)
    seg = x[first[:, None] + n[None, :]] * np.exp(-2j * np.pi * tone_guess / fs * n).astype(np.complex64)[None, :]
    seg, enbw_hz = lowpass_rows(seg, fs)
    # Symbol means, aligned on the rounding of ``first``: symbol j of q starts at first + j·sps.
    q = symbol_means(seg, sps, n_sym)[:, _PAD : n_sym - _PAD]  # (N, LAST − FIRST)
    step = np.angle(np.sum(q[:, 1:] * np.conj(q[:, :-1]), axis=1))  # rad per symbol
    f_fit = rad_per_symbol_to_hz(step)
    theta = np.zeros(len(q))
    mask = np.ones(q.shape, bool)
    sig_b = np.full(len(q), np.inf)
    for _ in range(2):
        theta = theta + np.angle(derotate(q, theta, f_fit).sum(axis=1))
        a, b, sig_b = line_fit(np.angle(derotate(q, theta, f_fit)), mask)
        f_fit = f_fit + rad_per_symbol_to_hz(b)
        theta = theta + a
    z = derotate(q, theta, f_fit)
    m = float(q.shape[1])
    A = z.real.mean(axis=1)
    noise = np.sum(np.abs(z - A[:, None]) ** 2, axis=1) / max(m - 2, 1)
    energy = np.sum(np.abs(q) ** 2, axis=1)
    coherence = np.abs(z.sum(axis=1)) ** 2 / np.maximum(m * energy, 1e-300)
    snr_db = tone_snr_db(A, noise, enbw_hz)
    tone = tone_guess + f_fit
    std = tone_freq_std_hz(sig_b, enbw_hz)
    ok = (coherence >= _MIN_COHERENCE) & (np.abs(f_fit) <= max_error_hz) & np.isfinite(std) & (A > 0)
    # The tone's phase in the stream at the fit's centre symbol, placed by the frame timing (not by
    # the rounding of ``first``): successive bursts' tones at the same bit differ by the carrier's
    # phase alone (the modulation from each burst's start is the same: TS 45.004 §2.3).
    at = starts + (1 + _FIRST + (m - 1) / 2 + 0.5) * sps  # sample of the centre symbol's middle
    j = (at - first) / sps - _PAD - 0.5  # continuous symbol index of q there
    phase = theta + 2 * np.pi * f_fit * j / SYMBOL_RATE_HZ + 2 * np.pi * np.mod(tone_guess * (at - first) / fs, 1.0)
    # its 1-sigma: the fit's residual scatter over √m, corrected like the slope's for the residuals
    # the low-pass correlates (fcch.tone_freq_std_hz)
    phase_std = FREQ_STD_CALIBRATION * sig_b * np.sqrt((m * m - 1) / 12) * np.sqrt(SYMBOL_RATE_HZ / enbw_hz)
    res = FcchBursts(
        starts,
        np.full(len(starts), float(FCCH_TONE_SYMBOLS)),
        tone,
        tone - FCCH_TONE_HZ,
        std,
        snr_db,
        coherence,
        tone_power_dbfs(A),
        fs,
        np.angle(np.exp(1j * phase)),
        phase_std,
    )
    return res.take(np.flatnonzero(ok))
