"""Soft-output MLSE equaliser for GMSK bursts: max-log-MAP (forward–backward) over 2^(L−1) states,
batched over bursts with numpy (vectorised over bursts and states, looping over symbols only).

Model and conventions are those of ``sensor.dsp.chanest``: after derotation, burst bit d_k is the
real symbol b_k = 1 − 2 d_k seen through the estimated taps, y[k, p] = Σ_l taps[l, p]·b[k − l] + n.
Because the derotated symbols are the transmitted bits themselves (TS 45.004 §2.3's differential
encoding cancels in the linearisation, see ``chanest``), the equaliser's output bits are the burst's
bits d_0..d_147, exactly what the channel decoders expect.

Trellis: state after step k = (b_k, b_{k−1}, …, b_{k−L+2}) as the integer Σ_i bit(b_{k−i})·2^i;
branch j = (new bit) + 2·(previous state), so bit l of j is d_{k−l}, next state = j mod 2^(L−1),
previous state = j >> 1. Steps run over k = 0 .. 147 + L − 1 (the last observations still carry
the tail bits); symbols before BN0 and after BN147 (guard period) are unknown, so the start and
end states are free, and the known bits (tail bits and training sequence) anchor the trellis by
forbidding the branches that contradict them.

Output ``sbits`` (N, 148) float32 follow ``sensor.coding.softbits``: sbit = LLR = log P(d=0)/P(d=1)
(max-log), positive = 0, with the noise variance estimated on the training part. The anchored
(known) positions carry their known value with the largest magnitude found in that burst.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sensor.gsm.burst import (
    BURST_BITS,
    NORMAL_TRAINING_POSITIONS,
    SCH_TRAINING_POSITIONS,
    TAIL_BITS,
)
from sensor.gsm.tdma import SYMBOL_RATE_HZ
from sensor.gsm.training import NORMAL_TSC_UBITS, SCH_TRAINING_UBITS

from .chanest import (
    DEFAULT_SEARCH_SYMBOLS,
    DEFAULT_TAPS,
    ChannelEstimate,
    estimate_normal_channel,
    estimate_sch_channel,
    observations,
    quarter_turns,
)
from .mlse_kernels import branch_metrics, forward_backward
from .prefilter import prefilter

_FORBIDDEN = np.float32(1e9)
_RENORMALISE_EVERY = 8  # symbols between subtracting the best metric (float32 stays exact enough)


@dataclass(frozen=True, slots=True, eq=False)
class MlseResult:
    """Equalised bursts: ``sbits`` (N, 148) float32 LLRs (positive = 0), ``ubits`` (N, 148) uint8
    hard decisions, the ``channel`` estimate used and, with ``frequency_passes``, the residual
    carrier offset found and removed (None otherwise: not measured)."""

    sbits: np.ndarray
    ubits: np.ndarray
    channel: ChannelEstimate
    frequency_offset_hz: np.ndarray | None = None  # (N,) residual carrier offset removed, if tracked


@lru_cache(maxsize=8)
def _branch_symbols(n_taps: int) -> np.ndarray:
    """(2^L, L) real symbols b_{k−l} = 1 − 2·bit_l(j) of every branch j."""
    j = np.arange(1 << n_taps)[:, None]
    l = np.arange(n_taps)[None, :]
    out = 1.0 - 2.0 * ((j >> l) & 1)
    out.setflags(write=False)
    return out


def known_bits_normal(tsc: int | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Known bits of normal bursts (TS 45.002 §5.2.3): (mask (148,) bool, ubits (148,) or (N, 148))."""
    mask = np.zeros(BURST_BITS, bool)
    mask[:TAIL_BITS] = True
    mask[BURST_BITS - TAIL_BITS :] = True
    mask[NORMAL_TRAINING_POSITIONS] = True
    tsc_arr = np.asarray(tsc)
    bits = np.zeros(tsc_arr.shape + (BURST_BITS,), np.uint8)
    bits[..., NORMAL_TRAINING_POSITIONS] = NORMAL_TSC_UBITS[tsc_arr]
    return mask, bits


def known_bits_sch() -> tuple[np.ndarray, np.ndarray]:
    """Known bits of synchronization bursts (TS 45.002 §5.2.5): (mask (148,), ubits (148,))."""
    mask = np.zeros(BURST_BITS, bool)
    mask[:TAIL_BITS] = True
    mask[BURST_BITS - TAIL_BITS :] = True
    mask[SCH_TRAINING_POSITIONS] = True
    bits = np.zeros(BURST_BITS, np.uint8)
    bits[SCH_TRAINING_POSITIONS] = SCH_TRAINING_UBITS
    return mask, bits


def mlse_equalize(
    samples: np.ndarray,
    channel: ChannelEstimate,
    *,
    known_mask: np.ndarray | None = None,
    known_ubits: np.ndarray | None = None,
) -> MlseResult:
    """Max-log-MAP equalisation of N bursts given their channel estimates.

    ``samples`` (N, n_samples) complex — the rows the estimate was made on (``prefilter``-ed ones
    if it was); ``known_mask`` (148,) bool and ``known_ubits`` (148,) or (N, 148): bits that anchor
    the trellis (None: none — then the LLRs of every position are computed, known or not).
    """
    x = np.asarray(samples)
    n_bursts = x.shape[0]
    L = channel.n_taps
    S = 1 << (L - 1)
    n_steps = BURST_BITS + L - 1
    if n_bursts == 0:
        return MlseResult(np.zeros((0, BURST_BITS), np.float32), np.zeros((0, BURST_BITS), np.uint8), channel)
    sym = _branch_symbols(L)  # (2S, L)
    inv_var = 1.0 / np.maximum(channel.noise_var, 1e-30)  # (N,)
    taps_s = channel.taps * inv_var[:, None, None]  # (N, L, P)
    E = np.einsum("nlp,jl->jpn", channel.taps, sym)  # (2S, P, N)
    E2 = (np.abs(E) ** 2 * inv_var).astype(np.float32)  # (2S, P, N)
    sym2 = sym.astype(np.float32) * np.float32(-2.0)
    pen = _penalties(known_mask, known_ubits, S, n_steps)
    kernel = branch_metrics() if pen is not None and channel.taps.shape[2] == 1 else None
    first = channel.first_tap_sample
    if (
        kernel is not None
        and x.dtype == np.complex64
        and first.min() >= 0
        and first.max() + (n_steps - 1) * channel.samples_per_symbol < x.shape[1]
    ):
        g_t = np.empty((n_steps, 2 * S, n_bursts), np.float32)
        kernel(
            np.ascontiguousarray(x),
            first,
            first - channel.burst_start_sample,
            channel.samples_per_symbol,
            quarter_turns(channel.samples_per_symbol),
            np.ascontiguousarray(taps_s[:, :, 0].T.real, np.float32),
            np.ascontiguousarray(taps_s[:, :, 0].T.imag, np.float32),
            sym2,
            np.ascontiguousarray(E2[:, 0]),
            pen,
            g_t,
        )
        return _trellis(g_t, channel, known_mask, known_ubits, S, n_bursts)
    y, valid = observations(x, channel, first_symbol=0, n_symbols=n_steps)  # (N, K, P)

    # Everything below is laid out (symbol, branch or state, burst): the per-symbol loops then work
    # on contiguous blocks (≈5× faster than bursts-first).
    # γ[k, j, n] = Σ_p valid·|y − E_j|² / σ² without the branch-independent Σ|y|², where the
    # expected output E_j[p] = Σ_l taps[l, p]·sym[j, l] (sym = ±1): so
    # γ = Σ_p valid·|E_j|²/σ² − 2 Σ_l sym[j, l]·c[k, l], with c[k, l] = Σ_p Re(conj(y[k, p])·taps[l, p])/σ².
    if y.shape[2] == 1:  # symbol-spaced: Re(conj(y)·t) = y_re·t_re + y_im·t_im, in float32, laid out (K, L, N)
        yv = np.where(valid[:, :, 0], y[:, :, 0], 0).T
        tv = taps_s[:, :, 0].T
        c = (
            yv.real.astype(np.float32)[:, None, :] * tv.real.astype(np.float32)[None]
            + yv.imag.astype(np.float32)[:, None, :] * tv.imag.astype(np.float32)[None]
        )
    else:
        c = np.einsum("nkp,nlp->kln", np.conj(np.where(valid, y, 0)), taps_s).real.astype(np.float32)  # (K, L, N)
    # Σ_l c_l·(−2·sym[j, l]) summed in the order of l (as ``mlse_kernels.branch_metrics``)
    g_t = c[:, None, 0, :] * sym2[None, :, 0, None]  # (K, 2S, N)
    for l in range(1, L):
        g_t += c[:, None, l, :] * sym2[None, :, l, None]
    g_t += E2.sum(axis=1)[None]
    for k in np.flatnonzero(~valid.all(axis=(0, 2))):  # the few symbols with samples outside the rows
        g_t[k] -= np.einsum("jpn,np->jn", E2, (~valid[:, k, :]).astype(np.float32))

    if pen is not None:  # the same known bits in every burst
        g_t += pen[:, :, None]
    elif known_mask is not None:
        kb = np.broadcast_to(np.asarray(known_ubits, np.uint8), (n_bursts, BURST_BITS))
        ks = np.flatnonzero(np.asarray(known_mask, bool))
        wrong = (np.arange(2 * S)[None, :, None] & 1) != kb.T[ks, None, :]  # (|ks|, 2S, N)
        g_t[ks] += np.where(wrong, _FORBIDDEN, np.float32(0))
    return _trellis(g_t, channel, known_mask, known_ubits, S, n_bursts)


def _penalties(
    known_mask: np.ndarray | None, known_ubits: np.ndarray | None, S: int, n_steps: int
) -> np.ndarray | None:
    """(n_steps, 2S) float32: _FORBIDDEN on the branches whose new bit contradicts a known bit,
    when the same bits are known in every burst (None otherwise: none known, or per burst)."""
    if known_mask is None:
        return np.zeros((n_steps, 2 * S), np.float32)
    known = np.asarray(known_ubits)
    if known.ndim != 1:
        return None
    pen = np.zeros((n_steps, 2 * S), np.float32)
    ks = np.flatnonzero(np.asarray(known_mask, bool))
    pen[ks] = np.where((np.arange(2 * S)[None, :] & 1) != known[ks, None], _FORBIDDEN, np.float32(0))
    return pen


def _trellis(
    g_t: np.ndarray,
    channel: ChannelEstimate,
    known_mask: np.ndarray | None,
    known_ubits: np.ndarray | None,
    S: int,
    n_bursts: int,
) -> MlseResult:
    """Forward-backward over the branch metrics g_t (steps, 2S, N) → soft bits."""
    n_steps = g_t.shape[0]
    kb = None if known_mask is None else np.broadcast_to(np.asarray(known_ubits, np.uint8), (n_bursts, BURST_BITS))
    kernel = forward_backward()  # the compiled twin of the loops below, when numba is there
    if kernel is not None:
        sbits = kernel(np.ascontiguousarray(g_t), S, BURST_BITS, _RENORMALISE_EVERY)
        return _result(sbits, channel, known_mask, kb)
    # Branch j = m·S + 2q' + u (m, q' < S/2, u = new bit) leaves state j >> 1 = m·S/2 + q' and
    # enters state j mod S = 2q' + u.
    half = S // 2
    g5 = g_t.reshape(n_steps, 2, half, 2, n_bursts)  # [k, m, q', u, n]
    # Forward: alpha[k] = path metrics of the states before step k (the start is free).
    alpha = np.empty((n_steps + 1, S, n_bursts), np.float32)
    alpha[0] = 0.0
    c0 = np.empty((half, 2, n_bursts), np.float32)
    c1 = np.empty((half, 2, n_bursts), np.float32)
    for k in range(n_steps):
        a = alpha[k]
        np.add(a[:half, None], g5[k, 0], out=c0)
        np.add(a[half:, None], g5[k, 1], out=c1)
        np.minimum(c0, c1, out=alpha[k + 1].reshape(half, 2, n_bursts))
        if k % _RENORMALISE_EVERY == _RENORMALISE_EVERY - 1:
            alpha[k + 1] -= alpha[k + 1].min(axis=0)
    # Backward: beta[k] = best metric from the states before step k to the (free) end.
    beta = np.empty((n_steps + 1, S, n_bursts), np.float32)
    beta[n_steps] = 0.0
    c = np.empty((2, half, 2, n_bursts), np.float32)
    for k in range(n_steps - 1, -1, -1):
        np.add(g5[k], beta[k + 1].reshape(1, half, 2, n_bursts), out=c)
        np.minimum(c[:, :, 0], c[:, :, 1], out=beta[k].reshape(2, half, n_bursts))
        if k % _RENORMALISE_EVERY == 0:
            beta[k] -= beta[k].min(axis=0)
    # Best path through each branch of steps 0..147, then the LLR of the new bit u.
    K = BURST_BITS
    m = (
        alpha[:K].reshape(K, 2, half, 1, n_bursts) + g5[:K] + beta[1 : K + 1].reshape(K, 1, half, 2, n_bursts)
    )  # (K, m, q', u, N)
    best = m.min(axis=(1, 2))  # (K, u, N)
    llr = (best[:, 1] - best[:, 0]).T  # (N, 148): M(d=1) − M(d=0)
    return _result(np.ascontiguousarray(llr).astype(np.float32), channel, known_mask, kb)


def _result(
    sbits: np.ndarray, channel: ChannelEstimate, known_mask: np.ndarray | None, known_ubits: np.ndarray | None
) -> MlseResult:
    """The known positions set to their value at the burst's largest free magnitude; hard bits."""
    if known_mask is not None and known_ubits is not None:
        km = np.asarray(known_mask, bool)
        top = np.max(np.abs(sbits[:, ~km]), axis=1, initial=1.0)
        sbits[:, km] = (1.0 - 2.0 * known_ubits[:, km]) * top[:, None]
    ubits = (sbits < 0).astype(np.uint8)
    return MlseResult(sbits=sbits, ubits=ubits, channel=channel)


def residual_frequency_hz(samples: np.ndarray, result: MlseResult) -> np.ndarray:
    """Decision-directed residual carrier frequency of each burst (N,) in Hz.

    Rebuilds the expected signal from the decided bits and the taps, and compares the phase of the
    received against it on the two data halves: ω = arg(Σ₂ y·ŷ* · conj(Σ₁ y·ŷ*)) / (distance of the
    halves' centres). Unambiguous within about ±1.5 kHz (half a turn over ~85 symbols).
    """
    ch = result.channel
    L = ch.n_taps
    y, valid = observations(samples, ch, first_symbol=0, n_symbols=BURST_BITS)  # (N, 148, P)
    b = 1.0 - 2.0 * result.ubits.astype(np.float64)  # (N, 148)
    y_hat = np.zeros_like(y)
    for l in range(L):
        y_hat[:, l:, :] += b[:, : BURST_BITS - l, None] * ch.taps[:, l, None, :]
    z = np.sum(np.where(valid, y * np.conj(y_hat), 0), axis=2)  # (N, 148)
    first = np.arange(TAIL_BITS + L - 1, 60)
    second = np.arange(88 + L - 1, BURST_BITS)
    z1 = z[:, first].sum(axis=1)
    z2 = z[:, second].sum(axis=1)
    omega = np.angle(z2 * np.conj(z1)) / (second.mean() - first.mean())  # rad per symbol
    return omega * SYMBOL_RATE_HZ / (2 * np.pi)


def _prepare(samples: np.ndarray, samples_per_symbol: int, fractional: bool, prefiltered: bool) -> np.ndarray:
    x = np.asarray(samples)
    if x.ndim != 2:
        raise ValueError(f"samples must be (N, n_samples), got shape {x.shape}")
    if fractional or prefiltered or int(samples_per_symbol) == 1:
        return x
    return prefilter(x, samples_per_symbol=int(samples_per_symbol))


def _equalize(x, estimate, known_mask, known_ubits, samples_per_symbol, frequency_passes) -> MlseResult:  # type: ignore[no-untyped-def]
    ch = estimate(x)
    r = mlse_equalize(x, ch, known_mask=known_mask, known_ubits=known_ubits)
    if frequency_passes <= 0:
        return r
    f_total = np.zeros(x.shape[0])
    n = np.arange(x.shape[1])[None, :] - (ch.burst_start_sample + (BURST_BITS // 2) * samples_per_symbol)[:, None]
    x_c = x
    for _ in range(int(frequency_passes)):
        f_total = f_total + residual_frequency_hz(x_c, r)
        # Undo the offset about the burst's middle (the training sequence, where the taps are fitted).
        turn = np.exp(-2j * np.pi * (f_total / (samples_per_symbol * SYMBOL_RATE_HZ))[:, None] * n)
        x_c = x * turn.astype(np.complex64 if x.dtype == np.complex64 else np.complex128)
        ch = estimate(x_c)
        r = mlse_equalize(x_c, ch, known_mask=known_mask, known_ubits=known_ubits)
    return MlseResult(sbits=r.sbits, ubits=r.ubits, channel=ch, frequency_offset_hz=f_total)


def equalize_normal_bursts(
    samples: np.ndarray,
    *,
    burst_start_sample: int | np.ndarray,
    tsc: int | np.ndarray,
    samples_per_symbol: int,
    n_taps: int = DEFAULT_TAPS,
    search_symbols: float = DEFAULT_SEARCH_SYMBOLS,
    fractional: bool = False,
    frequency_passes: int = 0,
    prefiltered: bool = False,
) -> MlseResult:
    """Channel estimate + soft MLSE for N normal bursts (rows of ``samples``).

    At ``samples_per_symbol`` > 1 the rows are first low-pass filtered (``prefilter.prefilter``) and
    equalised symbol-spaced at the best sampling phase, unless ``fractional`` (then all sps phases
    are used, each with its own taps, on the unfiltered samples). ``frequency_passes`` > 0: that
    many times, estimate each burst's residual carrier offset from the previous pass's decisions
    (``residual_frequency_hz``), remove it and equalise again (each pass costs one more
    equalisation). Without it a residual offset beyond ~200 Hz costs bit errors even at high SNR;
    two passes handle about ±600 Hz (±1 kHz only partly). ``prefiltered``: the rows have been
    low-pass filtered already (a channelizer with ``prefilter.prefilter_taps`` as its response).
    """
    x = _prepare(samples, samples_per_symbol, fractional, prefiltered)
    mask, bits = known_bits_normal(tsc)

    def estimate(rows: np.ndarray) -> ChannelEstimate:
        return estimate_normal_channel(
            rows,
            burst_start_sample=burst_start_sample,
            tsc=tsc,
            samples_per_symbol=samples_per_symbol,
            n_taps=n_taps,
            search_symbols=search_symbols,
            fractional=fractional,
        )

    return _equalize(x, estimate, mask, bits, int(samples_per_symbol), frequency_passes)


def equalize_sch_bursts(
    samples: np.ndarray,
    *,
    burst_start_sample: int | np.ndarray,
    samples_per_symbol: int,
    n_taps: int = DEFAULT_TAPS,
    search_symbols: float = DEFAULT_SEARCH_SYMBOLS,
    fractional: bool = False,
    frequency_passes: int = 0,
    prefiltered: bool = False,
) -> MlseResult:
    """Channel estimate + soft MLSE for N synchronization bursts (as ``equalize_normal_bursts``)."""
    x = _prepare(samples, samples_per_symbol, fractional, prefiltered)
    mask, bits = known_bits_sch()

    def estimate(rows: np.ndarray) -> ChannelEstimate:
        return estimate_sch_channel(
            rows,
            burst_start_sample=burst_start_sample,
            samples_per_symbol=samples_per_symbol,
            n_taps=n_taps,
            search_symbols=search_symbols,
            fractional=fractional,
        )

    return _equalize(x, estimate, mask, bits, int(samples_per_symbol), frequency_passes)
