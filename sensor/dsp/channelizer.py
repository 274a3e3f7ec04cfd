"""Splitting a wideband stream into GSM channels: an FFT analysis filter bank (overlap-save).

The inverse of ``sensor/sim/mixer.py``. Every block of ``n_in`` input samples (``hop_in`` of them
new, the rest overlap) is transformed once; for each requested channel the input bins around its
centre are weighted by a zero-phase raised-cosine response, moved into an ``n_out``-point spectrum
(the bin width is the same on both sides, ``in_rate / n_in = out_rate / n_out``) and one batched
inverse FFT per block gives ``hop_out`` new output samples of every channel. The rate change is
exact for any rational ratio ``out_rate / in_rate``; the output rate is N samples per GSM symbol
(N·1625/6 kHz, TS 45.004 §2.1).

Timing: output sample ``k`` of every channel is the input at time ``k / out_rate`` (zero lag: the
filter is zero-phase and the stream starts with half an overlap of zeros), so sample indices map
between the wideband and the channel streams by the rate ratio alone.

Frequencies: a channel at ``offset_hz`` is shifted by whole bins (the phase of each block's shift
made continuous over the stream) and by a residual below half a bin, applied as a rotation at the
output rate; so a tone at ``f`` in the input is at exactly ``f − offset_hz`` in the channel, with
continuous phase across blocks and calls. (The filter itself is centred on the whole-bin part, at
most half a bin — ~150 Hz — from ``offset_hz``: irrelevant against its ±``passband_hz``.)

Power: per channel, the mean power of the input within ±``power_half_width_hz`` of its centre
(rectangular in frequency, from the same FFTs), in dBFS (0 dBFS = a full-scale complex tone).

Pure numpy/scipy; the streaming state (the input not yet consumed, the block counter) is explicit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from sensor.dsp import fft
from sensor.dsp.channelizer_kernels import fill, scatter
from sensor.dsp.fftsize import is_fast_fft_length
from sensor.gsm.tdma import SYMBOL_RATE_EXACT_HZ, SYMBOL_RATE_HZ


@dataclass(frozen=True, slots=True, eq=False)
class ChannelizerPlan:
    in_rate_hz: float
    out_rate_hz: float
    samples_per_symbol: int
    offsets_hz: np.ndarray  # (n_ch,) requested channel centres relative to the tuning
    n_in: int
    n_out: int
    hop_in: int
    hop_out: int
    overlap_in: int
    overlap_out: int
    bins: np.ndarray  # (n_ch,) whole-bin part of each offset
    residual_hz: np.ndarray  # (n_ch,) the rest, |residual| ≤ half a bin
    k_max: int  # kept output bins: signed −k_max..k_max around each channel's centre bin
    taper: np.ndarray  # (2·k_max+1,) float32 filter weights (× n_out/n_in), signed-bin order
    gather: np.ndarray  # (n_ch, 2·k_max+1) index into the input FFT of each channel's kept bins
    weights: np.ndarray  # (n_ch, 2·k_max+1) float32 taper, 0 where a kept bin lies outside the input band
    power_lo: np.ndarray  # (n_ch,) [lo, hi) of the bins within ±power_half_width_hz, in the centred
    power_hi: np.ndarray  #   spectrum (clipped to the input band)
    rotation: np.ndarray  # (n_ch, hop_out) complex64: the residual's turn within one block

    @property
    def bin_hz(self) -> float:
        return self.in_rate_hz / self.n_in

    @property
    def n_channels(self) -> int:
        return len(self.offsets_hz)

    @property
    def rate_ratio(self) -> Fraction:
        """out_rate / in_rate, exactly."""
        return Fraction(self.n_out, self.n_in)


def _exact_rate(rate_hz: float) -> Fraction:
    r = Fraction(rate_hz).limit_denominator(1_000_000)
    if abs(float(r) - rate_hz) > 1e-9 * rate_hz:
        raise ValueError(f"sample rate {rate_hz} has no usable rational form")
    return r


def plan_channelizer(
    in_rate_hz: float,
    offsets_hz: np.ndarray | list[float],
    *,
    samples_per_symbol: int = 2,
    passband_hz: float = 170e3,
    stopband_hz: float = 240e3,
    power_half_width_hz: float = 100e3,
    min_block: int = 8192,
    overlap_factor: int = 16,
    shape_taps: np.ndarray | None = None,
) -> ChannelizerPlan:
    """A plan that cuts channels centred at ``offsets_hz`` (Hz from the tuning, any values) out of a
    stream at ``in_rate_hz``, each at ``samples_per_symbol`` × 270.833 kHz.

    The response is flat to ±``passband_hz`` and falls (raised cosine) to zero at ±``stopband_hz``,
    which must stay below the output's Nyquist frequency plus the passband so nothing folds into
    the passband. Blocks are ``overlap_factor``/2 overlaps long (the overlap is set by the filter's
    length): larger wastes less on overlap but delays the output more.

    ``shape_taps``: an odd-length, symmetric (zero-phase) FIR at the output rate — e.g. the
    equaliser's receive low-pass, ``dsp.prefilter.prefilter_taps`` — whose response, scaled to unit
    gain at 0 Hz, replaces the raised cosine: each channel comes out as if filtered by it
    afterwards (``passband_hz`` is then unused; kept bins still end at ±``stopband_hz``, which
    must then lie within the output's Nyquist frequency, where the FIR should be negligible). Its
    time response is the FIR's few symbols, so the overlap, and with it the smallest useful block,
    is short.
    """
    if samples_per_symbol not in (1, 2, 4, 8):
        raise ValueError("samples_per_symbol must be 1, 2, 4 or 8")
    out_rate = SYMBOL_RATE_EXACT_HZ * samples_per_symbol
    if stopband_hz <= passband_hz:
        raise ValueError("stopband_hz must be above passband_hz")
    h = None if shape_taps is None else np.asarray(shape_taps, dtype=np.float64)
    if h is None and passband_hz + stopband_hz > float(out_rate):
        raise ValueError(
            f"a filter to ±{stopband_hz:.0f} Hz would alias into ±{passband_hz:.0f} Hz at {float(out_rate):.0f} Hz"
        )
    if h is not None and (len(h) % 2 == 0 or not np.allclose(h, h[::-1]) or 2 * stopband_hz > float(out_rate)):
        raise ValueError(
            "shape_taps must be odd-length and symmetric, and stopband_hz within the output's Nyquist frequency"
        )
    ratio = out_rate / _exact_rate(in_rate_hz)
    p, q = ratio.numerator, ratio.denominator  # n_out = p·u, n_in = q·u
    transition_hz = stopband_hz - passband_hz
    # Overlap: the filter's response must have died out within half an overlap: for the raised
    # cosine (decaying as 1/t³) ≥ 24 / transition on either side; for shape taps twice their
    # half-length. Overlap = 2·q·w input samples (even, and its half maps to whole output
    # samples); block = overlap_factor/2 overlaps, sizes smooth for FFTs.
    half_ov_s = 24.0 / transition_hz if h is None else 2 * (len(h) // 2) / float(out_rate)
    w = max(1, int(np.ceil(half_ov_s * float(_exact_rate(in_rate_hz)) / q)))
    u = max(overlap_factor * w, -(-min_block // q))
    while not (is_fast_fft_length(q * u) and is_fast_fft_length(p * u)) and u < 1_000_000:
        u += 1
    n_in, n_out = q * u, p * u
    overlap_in, overlap_out = 2 * q * w, 2 * p * w
    hop_in, hop_out = n_in - overlap_in, n_out - overlap_out
    bin_hz = float(in_rate_hz) / n_in

    offsets = np.atleast_1d(np.asarray(offsets_hz, dtype=np.float64))
    bins = np.round(offsets / bin_hz).astype(np.int64)
    residual = offsets - bins * bin_hz
    residual[np.abs(residual) < 1e-6 * bin_hz] = 0.0  # on the bin grid but for float rounding: no rotation
    # Kept output bins: signed index -K..K relative to the channel centre.
    k_max = int(np.floor(stopband_hz / bin_hz))
    if 2 * k_max + 1 > n_out:
        raise AssertionError("kept bins exceed the output spectrum")
    rel = np.arange(-k_max, k_max + 1)
    f_rel = np.abs(rel) * bin_hz
    if h is None:
        edge = np.clip((f_rel - passband_hz) / transition_hz, 0.0, 1.0)
        taper = 0.5 * (1 + np.cos(np.pi * edge))
    else:  # H(f) = Σ_t h[t]·cos(2π f t / out_rate) (zero phase), over H(0)
        t = np.arange(len(h)) - len(h) // 2
        taper = np.cos(2 * np.pi * np.outer(rel * bin_hz, t) / float(out_rate)) @ h / h.sum()
    taper[f_rel >= stopband_hz] = 0.0
    weight = (taper * (n_out / n_in)).astype(np.float32)
    # Signed input bin s of each kept bin; the input band is s ∈ [−n_in/2, n_in/2) but the lone
    # Nyquist bin of an even n_in belongs to both edges and is dropped: weight 0 (so are bins beyond).
    half = n_in // 2
    signed = bins[:, None] + rel[None, :]
    inside = (signed >= -half + (n_in % 2 == 0)) & (signed <= n_in - half - 1)
    gather = np.mod(signed, n_in).astype(np.intp)
    weights = np.where(inside, weight[None, :], np.float32(0)).astype(np.float32)
    k_pow = int(np.floor(power_half_width_hz / bin_hz))
    power_lo = np.clip(bins - k_pow + half, 1 if n_in % 2 == 0 else 0, n_in)
    power_hi = np.clip(bins + k_pow + half + 1, 0, n_in)
    power_hi = np.maximum(power_hi, power_lo)
    rotation = np.exp(-2j * np.pi * (residual[:, None] / float(out_rate)) * np.arange(hop_out)[None, :]).astype(
        np.complex64
    )
    return ChannelizerPlan(
        in_rate_hz=float(in_rate_hz),
        out_rate_hz=float(out_rate),
        samples_per_symbol=samples_per_symbol,
        offsets_hz=offsets,
        n_in=n_in,
        n_out=n_out,
        hop_in=hop_in,
        hop_out=hop_out,
        overlap_in=overlap_in,
        overlap_out=overlap_out,
        bins=bins,
        residual_hz=residual,
        k_max=k_max,
        taper=weight,
        gather=gather,
        weights=weights,
        power_lo=power_lo,
        power_hi=power_hi,
        rotation=rotation,
    )


@dataclass(frozen=True, slots=True, eq=False)
class ChannelizerState:
    pending: (
        np.ndarray
    )  # complex64 input not yet consumed, starting at global input sample blocks_done·hop_in − overlap_in/2
    blocks_done: int = 0
    input_samples: int = 0  # real input samples taken so far (not counting padding)


def initial_state(plan: ChannelizerPlan) -> ChannelizerState:
    """The state before the first sample: half an overlap of zeros, so output k ↔ input time k/out_rate."""
    return ChannelizerState(np.zeros(plan.overlap_in // 2, np.complex64), 0, 0)


@dataclass(frozen=True, slots=True, eq=False)
class ChannelOutput:
    samples: np.ndarray  # (n_ch, n) complex64, N samples per symbol
    first_sample: int  # index (at the output rate, from the stream's start) of samples[:, 0]
    power_dbfs: np.ndarray | None  # (n_ch,) mean power within ±power_half_width_hz; None when no block ended


def needed_blocks(
    plan: ChannelizerPlan, spans: Sequence[tuple[np.ndarray, np.ndarray] | None], first_block: int, k_blocks: int
) -> np.ndarray | None:
    """(n_ch, k_blocks) bool: the blocks whose output overlaps one of a channel's spans (None: all)."""
    if all(sp is None for sp in spans):
        return None
    return needed_pieces(spans, plan.hop_out, first_block, k_blocks)


def needed_pieces(
    spans: Sequence[tuple[np.ndarray, np.ndarray] | None], length: int, first: int, count: int
) -> np.ndarray:
    """(channels, count) bool: which of the consecutive pieces of ``length`` output samples, the
    ``first`` to the ``first + count``-th, overlap one of a channel's spans (every one for None)."""
    need = np.ones((len(spans), count), bool)
    edges = np.zeros(count + 1, np.int32)  # one channel's at a time: at 20 Msps 60 channels' are 8 MB
    for c, sp in enumerate(spans):
        if sp is None:
            continue
        lo, hi = (np.asarray(v, dtype=np.int64) for v in sp)
        keep = hi > lo
        b_lo = np.clip(lo[keep] // length - first, 0, count)
        b_hi = np.clip(-(-hi[keep] // length) - first, 0, count)  # one past the last
        edges[:] = 0
        np.add.at(edges, b_lo, 1)
        np.add.at(edges, b_hi, -1)
        np.greater(np.cumsum(edges[:count], out=edges[:count]), 0, out=need[c])
    return need


def batch_blocks(plan: ChannelizerPlan) -> int:
    """Blocks transformed together by default: ~4 MB of output spectra (the cache), and at most
    ~8 MB of input spectra (at 20 Msps a block's input is 37 times its output: with few channels
    the input side was 30 MB, and as much again for the blocks picked out for it)."""
    return int(np.clip(min((1 << 19) // max(1, plan.n_channels * plan.n_out), (1 << 20) // plan.n_in), 1, 512))


def select_channels(plan: ChannelizerPlan, index: Sequence[int] | np.ndarray) -> ChannelizerPlan:
    """The plan for channels ``index`` of ``plan`` only: the same blocks and filter, so each of
    them comes out as it does from ``plan`` (a caller that cannot hold every channel's stream at
    once makes them a group at a time)."""
    i = np.asarray(index, dtype=np.intp)
    return dataclasses.replace(
        plan,
        offsets_hz=plan.offsets_hz[i],
        bins=plan.bins[i],
        residual_hz=plan.residual_hz[i],
        gather=plan.gather[i],
        weights=plan.weights[i],
        power_lo=plan.power_lo[i],
        power_hi=plan.power_hi[i],
        rotation=plan.rotation[i],
    )


def channelize(
    plan: ChannelizerPlan,
    samples: np.ndarray,
    state: ChannelizerState,
    *,
    max_blocks_per_batch: int | None = None,
    with_power: bool = True,
    out: np.ndarray | None = None,
    spans: Sequence[tuple[np.ndarray, np.ndarray] | None] | None = None,
    workers: int | None = None,
    pieces: np.ndarray | None = None,
) -> tuple[ChannelOutput, ChannelizerState]:
    """Feed ``samples`` (complex64, any length) and return every channel's output that is now
    complete. Consecutive calls join seamlessly: the outputs of many calls equal one call's.
    ``with_power=False`` skips the per-channel power (``power_dbfs`` is then None). ``out``: a
    complex64 buffer of (n_channels, at least the output length) to write into (reusing one across
    calls spares the page faults of fresh memory); the result's samples are then a view of it.

    ``spans``: per channel, None (all of it) or the output samples wanted, as arrays of starts and
    ends [start, end) in output samples from the stream's start: only the blocks holding them are
    transformed for that channel (a receiver following known bursts needs an eighth of the
    stream), and the channel's other samples are left unspecified (whatever ``out`` held).

    ``pieces``: instead of ``spans``, the streams stored compactly, only the pieces wanted: each
    block's ``hop_out`` new samples cut into m pieces of ``hop_out / m``, and ``pieces``
    (n_channels, blocks of this call, m) bool the ones wanted, written to ``out`` (C-contiguous,
    rows of a piece): each channel's in stream order in consecutive rows, the channels one after
    the other (a block none of whose pieces a channel wants is not transformed for it). The
    result's samples are then ``out`` itself (``channel_window.channelize_groups`` puts a
    channel's rows back into a stream)."""
    x = np.asarray(samples, dtype=np.complex64)
    stream = np.concatenate((state.pending, x)) if len(state.pending) else x
    k_blocks = max(0, (len(stream) - plan.n_in) // plan.hop_in + 1) if len(stream) >= plan.n_in else 0
    n_ch = plan.n_channels
    if max_blocks_per_batch is None:
        max_blocks_per_batch = batch_blocks(plan)
    n_total = k_blocks * plan.hop_out
    if pieces is not None:  # the pieces' rows, as one (1, rows, piece) plane: ``scatter``'s target
        m = pieces.shape[2] if pieces.ndim == 3 else 0
        if spans is not None or out is None or pieces.shape[:2] != (n_ch, k_blocks) or not m or plan.hop_out % m:
            raise ValueError("pieces need ``out``, a flag per channel, block and piece, and no spans")
        piece = plan.hop_out // m
        need = pieces.any(axis=2)
        counts = pieces.sum(axis=(1, 2))
        next_row = np.cumsum(counts) - counts  # each channel's next row: its run's first, then on
        out3 = out.reshape(1, -1, piece)
    else:
        if out is None or out.shape[0] != n_ch or out.shape[1] < n_total or out.dtype != np.complex64:
            out = np.empty((n_ch, n_total), np.complex64)
        out = out[:, :n_total]
        out3 = out.reshape(n_ch, k_blocks, plan.hop_out)  # a view (rows split in place): blocks land in ``out``
        need = None if spans is None else needed_blocks(plan, spans, state.blocks_done, k_blocks)
    assert np.shares_memory(out3, out) or out3.size == 0
    if with_power and need is not None:
        raise ValueError("the per-channel power needs every block: give spans or with_power, not both")
    has_residual = bool(np.any(plan.residual_hz != 0))
    power_sum = np.zeros(n_ch)
    h0 = plan.overlap_out // 2
    half, K = plan.n_in // 2, plan.k_max
    # One spectrum buffer for every batch: the kept bins are filled, the rest zeroed; laid out
    # (channel, block) for a batch that needs every pair, or as a list of pairs.
    nb_max = min(max_blocks_per_batch, k_blocks)
    full = np.zeros((n_ch, nb_max, plan.n_out), np.complex64) if k_blocks else None
    for b0 in range(0, k_blocks, max_blocks_per_batch):
        nb = min(max_blocks_per_batch, k_blocks - b0)
        wanted = None if need is None else need[:, b0 : b0 + nb]
        if wanted is not None and not wanted.any():
            continue
        if wanted is not None and wanted.all():
            wanted = None
        frames = np.lib.stride_tricks.sliding_window_view(stream, plan.n_in)[b0 * plan.hop_in :: plan.hop_in][:nb]
        used = None if wanted is None else np.flatnonzero(wanted.any(axis=0))
        if used is None:  # (blocks transformed, n_in)
            spec = fft.fft(frames, axis=1, workers=workers)
        else:  # the blocks picked out are a copy already: transformed where they are
            spec = fft.fft(frames[used], axis=1, overwrite_x=True, workers=workers)
        if with_power:  # power within ±power_half_width_hz of each channel: one cumulative sum per block
            e = (spec.real**2 + spec.imag**2).sum(axis=0, dtype=np.float64)  # summed over the blocks
            energy = np.concatenate((e[plan.n_in - half :], e[: plan.n_in - half]))  # centred: signed −half.. first
            if plan.n_in % 2 == 0:
                energy[0] = 0.0  # the Nyquist bin, as in the channels
            cp = np.concatenate(([0.0], np.cumsum(energy)))
            power_sum += (cp[plan.power_hi] - cp[plan.power_lo]) / float(plan.n_in) ** 2
        # Continuity: the whole-bin shift restarts at each block (block b starts at global input
        # s0 = b·hop_in − ov/2) and the residual turns on from the block's first output sample.
        # The per-block phase is one number per channel: applied to the kept bins, not the samples.
        blocks = state.blocks_done + b0 + np.arange(nb)
        s0 = blocks * plan.hop_in - plan.overlap_in // 2
        turns = ((plan.bins[None, :] * (s0[:, None] % plan.n_in)) % plan.n_in) / plan.n_in  # (nb, n_ch)
        k0 = blocks * plan.hop_out
        hi, lo = np.divmod(k0, 1 << 20)
        cyc = plan.residual_hz / plan.out_rate_hz
        turns = turns + np.mod(cyc[None, :] * (hi * float(1 << 20))[:, None], 1.0) + cyc[None, :] * lo[:, None]
        phase = np.exp(-2j * np.pi * turns).astype(np.complex64).T  # (n_ch, nb)
        if wanted is None:
            cs, bs = np.repeat(np.arange(n_ch), nb), np.tile(np.arange(nb), n_ch)
            rows = bs  # each pair's row of ``spec`` and column of ``phase``
        else:
            cs, bs = np.nonzero(wanted)
            rows = np.cumsum(wanted.any(axis=0)) - 1  # block → its row among the transformed
            rows = rows[bs]
            phase = phase[:, used]
        phase = np.ascontiguousarray(phase)
        f = full.reshape(n_ch * nb_max, plan.n_out)[: len(cs)]  # type: ignore[union-attr]
        f[:, K + 1 : plan.n_out - K] = 0  # the bins no channel keeps (the transform below works in place)
        _fill_pairs(spec, plan, phase, cs, rows, f)
        y = fft.ifft(f, axis=1, overwrite_x=True, workers=workers)  # (pairs, n_out): hop_out new samples from h0
        if has_residual:  # offsets off the bin grid turn on within the block
            y[:, h0 : h0 + plan.hop_out] *= plan.rotation[cs]
        if pieces is not None:  # each piece wanted to the next row of its channel's run
            i, j = np.nonzero(pieces[cs, b0 + bs])  # pairs' pieces: by channel, in stream order
            ci = cs[i]
            per = np.bincount(ci, minlength=n_ch)
            dst = next_row[ci] + np.arange(len(i)) - (np.cumsum(per) - per)[ci]
            next_row += per
            if m > 1:
                out3[0, dst] = y[:, h0 : h0 + plan.hop_out].reshape(len(cs), m, piece)[i, j]
                continue
            cs, bs, at = np.zeros_like(cs), dst, 0  # whole blocks: as below, in the one plane
        else:
            at = b0  # pair i goes to out3[cs[i], at + bs[i]]
        if wanted is None and pieces is None:
            out3[:, b0 : b0 + nb, :] = y[:, h0 : h0 + plan.hop_out].reshape(n_ch, nb, plan.hop_out)
        elif (kernel := scatter()) is not None:  # the compiled twin of the line below
            kernel(y, h0, plan.hop_out, cs, bs, at, out3)
        else:
            out3[cs, at + bs, :] = y[:, h0 : h0 + plan.hop_out]
    first = state.blocks_done * plan.hop_out
    power = 10 * np.log10(np.maximum(power_sum / k_blocks, 1e-30)) if k_blocks and with_power else None
    new_state = ChannelizerState(
        stream[k_blocks * plan.hop_in :].copy(),
        state.blocks_done + k_blocks,
        state.input_samples + len(x),
    )
    return ChannelOutput(out, first, power), new_state


def _fill_pairs(
    spec: np.ndarray, plan: ChannelizerPlan, phase: np.ndarray, cs: np.ndarray, bs: np.ndarray, f: np.ndarray
) -> None:
    """Row i of ``f`` (pairs, n_out): channel cs[i]'s kept bins of spectrum ``spec[bs[i]]``,
    weighted and turned by its block phase ``phase[cs[i], bs[i]]``, at their output bins (signed
    bin r at r mod n_out)."""
    K = plan.k_max
    kernel = fill()  # the compiled twin of the numpy lines below, when numba is there
    if kernel is not None:
        kernel(spec, plan.gather, plan.weights, phase, K, cs, bs, f)
        return
    runs = spec[bs[:, None], plan.gather[cs]] * plan.weights[cs]  # (pairs, n_keep)
    runs *= phase[cs, bs][:, None]
    f[:, : K + 1] = runs[:, K:]
    f[:, plan.n_out - K :] = runs[:, :K]


def flush(plan: ChannelizerPlan, state: ChannelizerState) -> tuple[ChannelOutput, ChannelizerState]:
    """Pad with zeros to emit every output sample whose time lies within the input given so far
    (``ceil(input_samples · out/in)`` samples in all)."""
    ratio = plan.rate_ratio
    total_out = -(-state.input_samples * ratio.numerator // ratio.denominator)
    done = state.blocks_done * plan.hop_out
    need = total_out - done
    if need <= 0:
        return ChannelOutput(np.empty((plan.n_channels, 0), np.complex64), done, None), state
    blocks = -(-need // plan.hop_out)
    have = len(state.pending)
    pad = max(0, plan.n_in + (blocks - 1) * plan.hop_in - have)
    res, st = channelize(plan, np.zeros(pad, np.complex64), state)
    st = ChannelizerState(st.pending, st.blocks_done, state.input_samples)
    return ChannelOutput(res.samples[:, :need], res.first_sample, res.power_dbfs), st


def output_rate_hz(samples_per_symbol: int) -> float:
    return samples_per_symbol * SYMBOL_RATE_HZ


def raster_offsets_hz(
    center_hz: float,
    sample_rate_hz: float,
    *,
    receiver_ppm: float = 0.0,
    usable_fraction: float = 0.8,
    spacing_hz: float = 200e3,
) -> tuple[np.ndarray, np.ndarray]:
    """The 200 kHz raster points (TS 45.005 §2) whose carriers a receiver tuned to ``center_hz``
    sees within ±``usable_fraction``/2 of its rate, and where it sees them: (raster_hz, offsets_hz).
    A receiver ``receiver_ppm`` fast sees a carrier at f at f / (1 + ppm·1e-6) − centre."""
    scale = 1 + receiver_ppm * 1e-6
    half = usable_fraction * sample_rate_hz / 2
    lo = np.ceil((center_hz - half) * scale / spacing_hz)
    hi = np.floor((center_hz + half) * scale / spacing_hz)
    raster = np.arange(lo, hi + 1) * spacing_hz
    return raster, raster / scale - center_hz
