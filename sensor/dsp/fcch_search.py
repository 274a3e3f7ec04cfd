"""FCCH search (see ``fcch``): tone candidates in short-time spectra (stage 1), refined
(``fcch_refine``) into bursts, on a channel stream (``detect_fcch``) or on raw wideband IQ
(``search_fcch_wideband``).

Candidates (``_tone_candidates``): Hann-windowed spectra of ``CANDIDATE_WINDOW_SYMBOLS`` every
``CANDIDATE_HOP_SYMBOLS`` (96 + 48 ≤ 147: at least one window lies wholly inside every tone); a bin
is a tone candidate where its power stands ``threshold_db`` above both the mean of the spectrum
within ±40 kHz around it (excluding its own main lobe) and the median of the same bin over time
(which removes DC spikes and continuous interferers), and the same bin stands out in a
neighbouring window too. On a channel stream tones are searched only within ±``max_offset_hz`` of
+67.7 kHz (a neighbour's FCCH 200 kHz away is outside); on wideband IQ anywhere.
"""

from __future__ import annotations

import numpy as np

from sensor.dsp import fft
from sensor.dsp.channel_window import channelize_groups, padded_in_place
from sensor.dsp.channelizer import ChannelizerPlan, plan_channelizer
from sensor.dsp.fcch import FCCH_TONE_HZ, FcchBursts, concat_bursts, dedupe_bursts, parabolic_offset
from sensor.dsp.fcch_refine import refine_fcch, refine_segment
from sensor.dsp.prefilter import prefilter_taps
from sensor.gsm.bands import CHANNEL_SPACING_HZ
from sensor.gsm.tdma import SYMBOL_RATE_HZ

CANDIDATE_WINDOW_SYMBOLS = 96
CANDIDATE_HOP_SYMBOLS = 48
_LOCAL_HALF_WIDTH_HZ = 40e3  # the neighbourhood a bin is compared with (within a channel's ±100 kHz)
_LOCAL_MIN_BINS = 4  # ... and at least this many bins either side
_MAIN_LOBE_BINS = 3  # the Hann window's main lobe (zero-padded: a little over ±2 bins), left out of it
_MEDIAN_EVERY = 4  # windows sampled for a bin's median over time (when there are _MEDIAN_EVERY_FROM or more)
_MEDIAN_EVERY_FROM = 64
# A tone covers two or three consecutive windows: a hit needs the window before or after to show
# this fraction of the contrast threshold at the same bin ±1 (normal bursts' random peaks do not repeat).
_REPEAT_FRACTION = 0.25
# Hits closer than this (windows, bins) are one burst: the strongest stands for it.
_CLUSTER_WINDOWS = 3
_CLUSTER_BINS = 6
_FFT_CHUNK_ELEMENTS = 1 << 20  # spectra transformed together (complex64: 8 MB; the power kept is what matters)
_FLOOR = 1e-30


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
    win = int(round(CANDIDATE_WINDOW_SYMBOLS * sps))
    hop = int(round(CANDIDATE_HOP_SYMBOLS * sps))
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
    k_side = max(_LOCAL_MIN_BINS, int(round(_LOCAL_HALF_WIDTH_HZ / bin_hz)))
    lo, hi = max(0, pos.min() - k_side), min(nfft, pos.max() + k_side + 1)
    band = order[lo:hi]
    power = _band_power(x, win, hop, n_frames, nfft, band)
    # A bin's contrast: its power over the larger of its local mean (±k_side bins without the main
    # lobe) and its median over time. Wanted only where a bin could pass: the local mean is made at
    # those bins (and their neighbours') alone; a bin whose power does not stand thr above its
    # median over time cannot pass whatever its local mean (the reference is never below it).
    nb = len(band)
    wide = 2 * k_side + 1
    lobe = 2 * _MAIN_LOBE_BINS + 1
    temporal = _column_median(power[:: _MEDIAN_EVERY if n_frames >= _MEDIAN_EVERY_FROM else 1])
    floor = np.maximum(temporal, _FLOOR)

    def contrast_at(t: np.ndarray, f: np.ndarray) -> np.ndarray:
        local = (_mean_at(power, t, f, wide) * wide - _mean_at(power, t, f, lobe) * lobe) / (wide - lobe)
        return power[t, f] / np.maximum(local, floor[f])

    thr = 10 ** (threshold_db / 10)
    in_search = np.zeros(nb, bool)
    in_search[pos - lo] = True
    t_idx, f_idx = _peaks_above(power, floor, thr, in_search)
    strength = contrast_at(t_idx, f_idx)
    hit = strength >= thr
    t_idx, f_idx, strength = t_idx[hit], f_idx[hit], strength[hit]
    # The neighbouring windows' contrast at the same bin ±1 (a peak is never at the band's edge,
    # so bin ±1 exist).
    near = np.zeros(len(t_idx), np.float32)
    for dt in (-1, 1):
        t_n = t_idx + dt
        ok = (t_n >= 0) & (t_n < n_frames)
        rows, cols = t_n[ok], f_idx[ok]
        near[ok] = np.maximum(
            near[ok],
            np.maximum(np.maximum(contrast_at(rows, cols - 1), contrast_at(rows, cols)), contrast_at(rows, cols + 1)),
        )
    repeated = near >= thr * _REPEAT_FRACTION
    t_idx, f_idx, strength = t_idx[repeated], f_idx[repeated], strength[repeated]
    if len(t_idx) == 0:
        return np.empty(0, np.int64), np.empty(0), np.empty(0)
    order_h = np.argsort(-strength, kind="stable")
    taken = np.zeros(len(t_idx), bool)
    keep = []
    for i in order_h:
        if taken[i]:
            continue
        taken |= (np.abs(t_idx - t_idx[i]) <= _CLUSTER_WINDOWS) & (np.abs(f_idx - f_idx[i]) <= _CLUSTER_BINS)
        keep.append(i)
    ti, fi = t_idx[keep], f_idx[keep]
    delta = parabolic_offset(
        np.log(np.maximum(power[ti, fi - 1], _FLOOR)),
        np.log(np.maximum(power[ti, fi], _FLOOR)),
        np.log(np.maximum(power[ti, fi + 1], _FLOOR)),
    )
    f_hz = freqs[band[fi]] + delta * bin_hz
    return ti * hop, f_hz, 10 * np.log10(strength[keep])


_MASK_ROWS = 128  # rows of the power at a time whose peaks are marked: the temporaries stay a few MB
_MEDIAN_COLUMNS = 512  # columns of the power at a time whose median is taken


def _column_median(a: np.ndarray) -> np.ndarray:
    """``np.median(a, axis=0)``, ``_MEDIAN_COLUMNS`` columns at a time: each column's median is its
    own, and the partitioned copy numpy makes is then a few MB, not all of ``a`` (at 20 Msps 0.3 s
    sampled every fourth spectrum: 13 MB more at the search's peak)."""
    if a.shape[1] <= _MEDIAN_COLUMNS:
        return np.median(a, axis=0)
    return np.concatenate(
        [np.median(a[:, c : c + _MEDIAN_COLUMNS], axis=0) for c in range(0, a.shape[1], _MEDIAN_COLUMNS)]
    )


def _peaks_above(
    power: np.ndarray, floor: np.ndarray, thr: float, in_search: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every local maximum along a row of ``power`` (not at a row's ends) that
    stands ``thr`` above ``floor`` in a column of ``in_search``, in row-major order. Made
    ``_MASK_ROWS`` rows at a time: over the whole of it at once, the quotient and the boolean masks
    would be ~2.5 times the power array (at 20 Msps 0.3 s of it is 55 MB: 140 MB more at the peak)."""
    ts, fs = [], []
    for r0 in range(0, len(power), _MASK_ROWS):
        p = power[r0 : r0 + _MASK_ROWS]
        peak = np.zeros(p.shape, dtype=bool)
        peak[:, 1:-1] = (p[:, 1:-1] >= p[:, :-2]) & (p[:, 1:-1] >= p[:, 2:])
        t, f = np.nonzero((p / floor[None, :] >= thr) & peak & in_search[None, :])
        ts.append(t + r0)
        fs.append(f)
    if not ts:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    return np.concatenate(ts), np.concatenate(fs)


def _mean_at(a: np.ndarray, t: np.ndarray, f: np.ndarray, size: int) -> np.ndarray:
    """Mean of the ``size`` (odd) values of row ``t`` of ``a`` centred on column ``f``, for each
    (t, f), the edge values repeated beyond the row's ends: ``scipy.ndimage.uniform_filter1d(a,
    size, axis=1, mode="nearest")[t, f]`` (summed in float64, in ``a``'s precision: equal to it but
    for a few ulps where ndimage's sequential running sum loses them), made at those places only."""
    half = size // 2
    cols = np.clip(f[:, None] + np.arange(-half, half + 1)[None, :], 0, a.shape[1] - 1)
    return (a[t[:, None], cols].sum(axis=1, dtype=np.float64) / size).astype(a.dtype)


def _band_power(x: np.ndarray, win: int, hop: int, n_frames: int, nfft: int, band: np.ndarray) -> np.ndarray:
    """(n_frames, len(band)) float32 power of the Hann-windowed ``nfft``-point spectra of frames
    ``win`` long every ``hop`` samples, at FFT bins ``band`` (consecutive in frequency order, so at
    most two runs of consecutive FFT bins: read as slices, not gathered)."""
    window = np.hanning(win).astype(np.float32)
    power = np.empty((n_frames, len(band)), np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(x, win)[::hop][:n_frames]
    breaks = np.flatnonzero(np.diff(band) != 1) + 1
    runs = [
        (int(r[0]), int(r[-1]) + 1, int(i)) for r, i in zip(np.split(band, breaks), np.concatenate(([0], breaks)))
    ]  # (first bin, end bin, column)
    chunk = max(1, min(n_frames, _FFT_CHUNK_ELEMENTS // nfft))
    buf = np.zeros((chunk, nfft), np.complex64)  # zero-padded beyond ``win``, transformed in place
    for c0 in range(0, n_frames, chunk):
        c1 = min(n_frames, c0 + chunk)
        rows = buf[: c1 - c0]
        if c0:  # the transform overwrote the padding
            rows[:, win:] = 0
        np.multiply(frames[c0:c1], window, out=rows[:, :win])
        spec = fft.fft(rows, axis=1, overwrite_x=True)
        for b0, b1, col in runs:
            seg = spec[:, b0:b1]
            dst = power[c0:c1, col : col + b1 - b0]
            np.multiply(seg.real, seg.real, out=dst)
            dst += seg.imag * seg.imag
    return power


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


CHANNEL_HALF_WIDTH_HZ = CHANNEL_SPACING_HZ / 2  # TS 45.005 §2: a carrier owns ±100 kHz of the raster


def tone_search_band_hz(sample_rate_hz: float, usable_fraction: float) -> tuple[float, float]:
    """(lowest, highest) tone frequency, Hz from the tuning, the wideband search looks at: every
    tone within ±``usable_fraction``/2 of the rate, and the tone (carrier + 67.7 kHz) of every
    carrier whose channel, ±100 kHz around it, lies inside the recorded ±fs/2, wherever it is
    seen (a receiver's clock error moves carriers, not the band: the search looks where they are).
    Limiting the tone symmetrically, as before, left out carriers up to 168 kHz inside the upper
    edge (at 2.4 Msps one 1.02 MHz above the centre, its channel 80 kHz inside) and, at rates
    where ``usable_fraction`` cuts deeper than a channel, the lower edge's too."""
    half = usable_fraction * sample_rate_hz / 2
    edge = sample_rate_hz / 2 - CHANNEL_HALF_WIDTH_HZ  # the outermost carriers whose channel is inside
    return min(-half, -edge + FCCH_TONE_HZ), max(half, edge + FCCH_TONE_HZ)


def search_fcch_wideband(
    samples: np.ndarray,
    *,
    sample_rate_hz: float,
    usable_fraction: float = 0.9,
    threshold_db: float = 12.0,
    image_rejection_db: float = 15.0,
    room: np.ndarray | None = None,
) -> FcchBursts:
    """FCCH bursts anywhere in a wideband stream (raw IQ, before channelisation): the tones of
    every carrier whose channel lies inside the recorded band, and any tone within
    ±``usable_fraction``/2 of the sample rate (``tone_search_band_hz``). ``carrier_offset_hz`` is
    each burst's carrier relative to the tuning; ``fcch_carriers.group_carriers`` turns them into
    carriers. ``room``: a buffer ``samples`` lie in, which may be written around them while the
    search runs (given back as it was): the candidates' channelizer pads them there
    (``channelizer.padded_in_place``), not in a copy."""
    x = np.asarray(samples, dtype=np.complex64)
    lo, hi = tone_search_band_hz(sample_rate_hz, usable_fraction)
    ws, f_hz, _ = _tone_candidates(x, sample_rate_hz, f_lo_hz=lo, f_hi_hz=hi, threshold_db=threshold_db)
    if sample_rate_hz > 2 * _CHANNEL_SPS * SYMBOL_RATE_HZ and len(ws):
        b = _refine_on_channels(x, sample_rate_hz, ws, f_hz, room)
    else:
        b = refine_fcch(x, sample_rate_hz=sample_rate_hz, window_start=ws, tone_hz=f_hz)
    return drop_images(b, image_rejection_db=image_rejection_db)


_CHANNEL_SPS = 2
_STREAMS_MAX_BYTES = 32 << 20  # the candidates' channel streams held at once
_CHANNEL_GRID_HZ = 25e3


def _fresh_rows(n_rows: int, n_samples: int) -> np.ndarray:
    return np.empty((n_rows, n_samples), np.complex64)


def _refine_on_channels(
    x: np.ndarray, fs: float, ws: np.ndarray, f_hz: np.ndarray, room: np.ndarray | None = None
) -> FcchBursts:
    """``refine_fcch`` of wideband candidates, each on a channel stream (2 samples per symbol)
    centred on the ``_CHANNEL_GRID_HZ`` point nearest its tone, rather than on the wideband
    samples: the refinement's cost grows with the rate (every candidate's segment is mixed,
    filtered and averaged sample by sample), the channelizer's hardly — at 20 Msps this is ~30×
    cheaper. The channel response (the equaliser's receive low-pass, flat to ±80 kHz) leaves a
    tone within ±12.5 kHz of the centre untouched; the bursts come back on the wideband's samples
    and frequencies."""

    def plan(centres_hz: np.ndarray) -> ChannelizerPlan:
        return plan_channelizer(
            fs,
            centres_hz,
            samples_per_symbol=_CHANNEL_SPS,
            shape_taps=prefilter_taps(_CHANNEL_SPS),
            stopband_hz=220e3,
            overlap_factor=1,
            min_block=int(1e-3 * fs),
        )

    grid_hz = plan(np.zeros(1)).bin_hz * max(1, round(_CHANNEL_GRID_HZ / plan(np.zeros(1)).bin_hz))  # whole bins
    uniq, group = np.unique(np.round(f_hz / grid_hz), return_inverse=True)
    uniq = uniq * grid_hz
    plan_c = plan(uniq)
    ratio = plan_c.out_rate_hz / fs  # no lag: the same instants at another rate
    starts = np.round(ws * ratio).astype(np.int64)
    # Each stream is made only around its candidates: the segments ``refine_fcch`` reads (a few
    # samples more either side), a few per cent of the stretch.
    n_out = -(-len(x) * plan_c.rate_ratio.numerator // plan_c.rate_ratio.denominator)
    lo, hi = refine_segment(starts, float(_CHANNEL_SPS))
    spans = [(np.clip(lo[group == i] - 4, 0, n_out), np.clip(hi[group == i] + 4, 0, n_out)) for i in range(len(uniq))]
    # The streams a group of centres at a time (at 20 Msps 0.3 s of 120 centres would be 190 MB;
    # only the pieces of blocks around the segments are stored, so most searches make one group),
    # from the samples padded where they lie in ``room`` when they do. (The next group made on
    # another thread while this one is refined, where there are cores: two held then.)
    parts = []
    with padded_in_place(plan_c, x, room) as scratch:
        streams = channelize_groups(
            plan_c, x, max_bytes=_STREAMS_MAX_BYTES, spans=spans, scratch=scratch, rows_ahead=_fresh_rows
        )
        for i, (c, y) in enumerate(zip(uniq, streams)):
            sel = np.flatnonzero(group == i)
            b = refine_fcch(y, sample_rate_hz=plan_c.out_rate_hz, window_start=starts[sel], tone_hz=f_hz[sel] - c)
            parts.append(
                FcchBursts(
                    b.start_sample / ratio,
                    b.duration_symbols,
                    b.tone_hz + c,
                    b.carrier_offset_hz + c,
                    b.freq_std_hz,
                    b.snr_db,
                    b.coherence,
                    b.power_dbfs,
                    fs,
                )
            )
    return dedupe_bursts(concat_bursts(parts, fs))


_IMAGE_SAME_TIME_SYMBOLS = 4
_IMAGE_MIRROR_HZ = 500.0


def drop_images(b: FcchBursts, *, image_rejection_db: float = 15.0) -> FcchBursts:
    """Drop bursts that are the IQ-imbalance image of a stronger one: a zero-IF receiver mirrors
    every tone at f to −f (25–40 dB down on an RTL-SDR), at the same moment (within
    ``_IMAGE_SAME_TIME_SYMBOLS``, and ``_IMAGE_MIRROR_HZ`` of the mirror frequency)."""
    if len(b) < 2:
        return b
    sps = b.sample_rate_hz / SYMBOL_RATE_HZ
    same_time = np.abs(b.start_sample[:, None] - b.start_sample[None, :]) < _IMAGE_SAME_TIME_SYMBOLS * sps
    mirrored = np.abs(b.tone_hz[:, None] + b.tone_hz[None, :]) < _IMAGE_MIRROR_HZ
    weaker = b.power_dbfs[:, None] < b.power_dbfs[None, :] - image_rejection_db
    image = np.any(same_time & mirrored & weaker, axis=1)
    return b.take(np.flatnonzero(~image))
