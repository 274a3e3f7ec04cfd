"""GMSK derotation, least-squares channel estimation from the training sequence, fine timing,
noise and SNR estimates — batched over many bursts (pure numpy kernels).

Linearised GMSK (Laurent's principal component, TS 45.004 §2 modulator): the modulator turns the
phase by α_i·π/2 per symbol, α_i = 1 − 2(d_i ⊕ d_{i−1}), so the complex symbol carried at time i is
a_i = exp(jπ/2·Σ_{n≤i} α_n) = j^i · Π_{n≤i} α_n · const, and the product telescopes:
Π_{i0≤n≤i} α_n = (−1)^(d_i ⊕ d_{i0−1}). Multiplying the received signal by exp(−jπ/2·t/T)
(**derotation**: a shift by −1/4 of the symbol rate, i.e. sample n at ``sps`` samples per symbol is
multiplied by j^(−n/sps) counted from the burst's symbol 0) leaves a *real* BPSK sequence
b_i = ±(1 − 2 d_i) — the transmitted bits themselves, the differential encoding undone by the
telescoping — through a complex channel (the pulse C0, the radio channel, the carrier phase).
The unknown sign and phase are absorbed by the channel estimate, which is made with the known
training bits as b_i = 1 − 2 d_i.

Model (per burst, ``sps`` samples per symbol, tap count L, P sample phases)::

    y[k, p] = x[first_tap_sample + k·sps + p] · exp(−jπ/2·(first_tap_sample − burst_start + k·sps + p)/sps)
    y[k, p] = Σ_{l=0}^{L−1} taps[l, p] · b[k − l] + noise,        b[i] = 1 − 2 d_i,  p = 0..P−1

Two ways to use sps > 1 samples:

* symbol-spaced (default, P = 1): low-pass the rows first (``prefilter``: cut-off at half the
  symbol rate, so the noise stays white at one sample per symbol), then the fine timing picks the
  best of the sps sampling phases and L taps are estimated — as good as matched-filter-and-decimate;
* fractionally spaced (``fractional=True``, P = sps): every phase has its own L taps, noise assumed
  white at the sample rate. Optimal in principle, but it estimates L·sps taps from the same 26
  training bits, and that estimation noise costs more than it gains (about 1 dB worse at 4 sps
  in AWGN in our tests).

At 1 sps both are the usual symbol-spaced model (samples taken as already filtered).

Timing reference: ``burst_start_sample`` is the input sample at which burst bit 0 (BN0) would be
centred by ``sensor.dsp.gmsk.gmsk_modulate`` (symbol i of a modulated stream sits at sample i·sps).
The linearised pulse of symbol k has its energy around k + 1/2 symbols (C0 spans about −1..+2
symbols), so with the default search the estimate places tap 0 about one symbol *before* the
symbol's nominal centre: ``first_tap_sample`` ≈ ``burst_start_sample`` − sps for a clean signal.
``timing_offset_samples`` = ``first_tap_sample`` − (``burst_start_sample`` + ``REFERENCE_LEAD_SYMBOLS``·sps)
is therefore ≈ 0 for a clean, on-time burst when fractionally spaced (−sps/2 when symbol-spaced at
sps > 1, where the best phase lies half a symbol off) and follows a delayed one; it is the window's
position. ``toa_samples`` (energy centroid, continuous, 0 for a clean on-time burst in both modes)
is the arrival-time estimate to use.

Fine timing: the LS response is computed for every candidate sample offset (± ``search_symbols``);
the chosen offset is the one whose L·P taps hold the most energy (the maximum-energy window). Then
the energy centroid of the response at full sample resolution (tap noise removed) gives
``toa_samples`` and the window is moved (fractional: to any sample; symbol-spaced: by whole symbols,
keeping the best phase) so the centroid sits ``CENTROID_IN_WINDOW_SYMBOLS`` into it, leaving room
for delayed paths.

One kernel family in one file: derotation, the least-squares estimate, fine timing and the noise
estimate all work on the same derotated, gathered training observations (see above). The receive
low-pass before them (``prefilter``) is ``prefilter.py``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sensor.dsp.chanest_kernels import estimate_spaced
from sensor.gsm.burst import (
    BURST_BITS,
    NORMAL_TRAINING_START,
    SCH_TRAINING_START,
)
from sensor.gsm.training import NORMAL_TSC_UBITS, SCH_TRAINING_UBITS

DEFAULT_TAPS = 5
REFERENCE_LEAD_SYMBOLS = -1  # tap 0 of a clean burst sits one symbol before the symbol's centre
CENTROID_REFERENCE_SYMBOLS = 0.5  # energy centroid of the linearised GMSK pulse after the symbol centre
CENTROID_IN_WINDOW_SYMBOLS = 1.5  # where the re-centred window puts the centroid (clean: as the reference)
# Symbol-spaced, the best phase samples the clean pulse half a symbol off its centre, so a target of
# 1.5 would be a tie between two windows; 1.75 puts the clean pulse's centroid in the window's middle.
CENTROID_IN_WINDOW_SYMBOLS_SPACED = 1.75
DEFAULT_SEARCH_SYMBOLS = 2  # ± search around the reference, in symbols


def derotate(samples: np.ndarray, *, samples_per_symbol: int, reference_sample: int | np.ndarray = 0) -> np.ndarray:
    """Multiply sample n of each row by exp(−jπ/2·(n − reference_sample)/sps) (GMSK → real BPSK).

    ``samples`` (..., n) complex; ``reference_sample`` scalar or broadcastable to the leading shape.
    At 1 sps this is j^(−(n − ref)).
    """
    x = np.asarray(samples)
    n = np.arange(x.shape[-1])
    ref = np.asarray(reference_sample)[..., None]
    return x * np.exp(-0.5j * np.pi * (n - ref) / samples_per_symbol)


@dataclass(frozen=True, slots=True, eq=False)
class ChannelEstimate:
    """Channel estimates for N bursts (see the module docstring for the model).

    ``taps`` (N, L, P) complex128 (P = sps if fractional else 1); ``first_tap_sample`` (N,) int64 —
    the input sample holding tap 0 of symbol 0, phase 0; ``burst_start_sample`` (N,) int64 as given;
    ``timing_offset_samples`` (N,) int64 relative to the clean reference; ``noise_var`` (N,) — mean
    |residual|² per sample on the training part (the equaliser's σ²); ``snr_db`` (N,) — Es/N0 estimate,
    (Σ|taps|² − their estimation noise) / noise_var: for white noise that is the symbol energy over
    the noise power in one symbol-rate bandwidth, in both modes (after ``prefilter`` when
    symbol-spaced at sps > 1); it saturates near 25 dB, the linearisation error of GMSK;
    ``training_energy`` (N,) — Σ|taps|² at the chosen offset; ``toa_samples`` (N,) float —
    time of arrival from the energy centroid of the taps, in samples relative to
    ``burst_start_sample`` and calibrated so a clean on-time burst gives ≈ 0 (a continuous, stable
    timing figure; ``timing_offset_samples`` is the discrete window choice, which may move by a
    sample or two between equally good windows).
    """

    taps: np.ndarray
    first_tap_sample: np.ndarray
    burst_start_sample: np.ndarray
    timing_offset_samples: np.ndarray
    noise_var: np.ndarray
    snr_db: np.ndarray
    training_energy: np.ndarray
    toa_samples: np.ndarray
    samples_per_symbol: int

    @property
    def n_taps(self) -> int:
        return int(self.taps.shape[1])

    def __len__(self) -> int:
        return int(self.taps.shape[0])


def _symbols(ubits: np.ndarray) -> np.ndarray:
    return 1.0 - 2.0 * np.asarray(ubits, dtype=np.float64)


def _gather(x: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x (N, n) at integer indices idx (N, ...) → values (zeros outside) and a validity mask."""
    n = x.shape[1]
    rows = np.arange(x.shape[0]).reshape((-1,) + (1,) * (idx.ndim - 1))
    if idx.size and idx.min() >= 0 and idx.max() < n and x.flags.c_contiguous:  # the usual case: one flat take
        return np.take(x.reshape(-1), idx + rows * n), np.ones(idx.shape, bool)
    valid = (idx >= 0) & (idx < n)
    vals = x[rows, np.clip(idx, 0, n - 1)]
    return np.where(valid, vals, 0), valid


def observations(
    samples: np.ndarray, estimate: ChannelEstimate, *, first_symbol: int = 0, n_symbols: int = BURST_BITS
) -> tuple[np.ndarray, np.ndarray]:
    """Derotated observations y[k, p] for k = first_symbol .. first_symbol + n_symbols − 1.

    Returns (y (N, n_symbols, P) complex128, valid (N, n_symbols, P) bool — False where the
    sample lies outside the input rows; such y are 0).
    """
    x = np.asarray(samples)
    sps = estimate.samples_per_symbol
    k = np.arange(first_symbol, first_symbol + n_symbols)
    rel = k[:, None] * sps + np.arange(estimate.taps.shape[2])[None, :]  # (K, P) samples after the first tap
    idx = estimate.first_tap_sample[:, None, None] + rel[None]
    vals, valid = _gather(x, idx)
    off = (estimate.first_tap_sample - estimate.burst_start_sample)[:, None, None] + rel[None]
    return vals * quarter_turns(sps)[off % (4 * sps)], valid


@lru_cache(maxsize=8)
def quarter_turns(sps: int) -> np.ndarray:
    """exp(−jπ/2·r/sps) for r = 0 .. 4·sps − 1: the derotation of a sample r samples after the
    reference (it repeats every 4 symbols), looked up instead of computed per sample."""
    t = np.exp(-0.5j * np.pi * np.arange(4 * sps) / sps)
    t.setflags(write=False)
    return t


def estimate_channel(
    samples: np.ndarray,
    *,
    burst_start_sample: int | np.ndarray,
    training_ubits: np.ndarray,
    training_start: int,
    samples_per_symbol: int,
    n_taps: int = DEFAULT_TAPS,
    search_symbols: float = DEFAULT_SEARCH_SYMBOLS,
    fractional: bool = False,
) -> ChannelEstimate:
    """Least-squares channel estimate, fine timing, noise variance and SNR for N bursts.

    ``samples`` (N, n_samples) complex (one row per burst, the burst somewhere inside);
    ``burst_start_sample`` int or (N,) — where BN0 would be centred (see module docstring);
    ``training_ubits`` (T,) or (N, T) known bits at burst positions ``training_start`` ..
    ``training_start + T − 1``; ``n_taps`` L symbol-spaced taps (per sample phase);
    ``search_symbols``: candidate first-tap offsets span ± this many symbols around the reference;
    ``fractional``: P = sps phases with their own taps; otherwise P = 1 (give ``prefilter``-ed rows
    when sps > 1, as ``sensor.dsp.mlse.equalize_normal_bursts`` does).

    Only the T − L + 1 training observations whose L symbols are all training bits enter the LS fit.
    """
    x = np.asarray(samples)
    if x.ndim != 2:
        raise ValueError(f"samples must be (N, n_samples), got shape {x.shape}")
    sps = int(samples_per_symbol)
    if sps < 1 or sps != samples_per_symbol:
        raise ValueError(f"samples_per_symbol must be a positive integer, got {samples_per_symbol}")
    n_bursts = x.shape[0]
    L = int(n_taps)
    start = np.broadcast_to(np.asarray(burst_start_sample, dtype=np.int64), (n_bursts,)).copy()
    tr = np.asarray(training_ubits)
    shared = tr.ndim == 1  # one training sequence for all bursts: one pseudo-inverse
    tr = tr[None] if shared else tr
    if not shared and tr.shape[0] != n_bursts:
        raise ValueError(f"training_ubits must be (T,) or ({n_bursts}, T), got shape {tr.shape}")
    T = tr.shape[1]
    n_eq = T - L + 1
    if n_eq < L:
        raise ValueError(f"{T} training bits are too few for {L} taps")

    # Design matrix B[e, l] = b[training_start + L − 1 + e − l] (training symbols only).
    if shared:
        B, pinv, gain = _design(np.ascontiguousarray(tr, np.uint8).tobytes(), L)
    else:
        s = _symbols(tr)  # (N, T)
        e = np.arange(n_eq)[:, None]
        l = np.arange(L)[None, :]
        B = s[:, L - 1 + e - l]  # (N, n_eq, L)
        pinv = np.linalg.pinv(B)  # (N, L, n_eq)
        gain = None
    if n_bursts == 0:
        empty_i = np.zeros(0, np.int64)
        empty_f = np.zeros(0)
        return ChannelEstimate(
            np.zeros((0, L, sps if fractional else 1), complex),
            empty_i,
            empty_i,
            empty_i,
            empty_f,
            empty_f,
            empty_f,
            empty_f,
            sps,
        )

    # Candidate sample offsets m of tap 0 (phase 0) relative to burst_start. Fractionally spaced
    # (P = sps phases), a window of L·sps taps starting at m is the per-sample LS responses at
    # offsets m .. m + sps − 1; symbol-spaced (P = 1, after ``prefilter``) it is the one at m.
    P = sps if fractional else 1
    ref = REFERENCE_LEAD_SYMBOLS * sps
    half = int(round(search_symbols * sps))
    m_cand = np.arange(ref - half, ref + half + 1)  # (M,)
    u = np.arange(m_cand[0], m_cand[-1] + sps)  # (U,) every sample offset the centroid may need
    k_eq = training_start + L - 1 + np.arange(n_eq)  # symbol index of each equation
    rel = k_eq[None, :] * sps + u[:, None]  # (U, n_eq) samples after burst_start
    rot = np.exp(-0.5j * np.pi * rel / sps)
    kernel = estimate_spaced() if shared and P == 1 and sps > 1 else None  # the compiled twin of what follows
    if (
        kernel is not None
        and x.dtype == np.complex64
        and start.min() + rel.min() >= 0
        and start.max() + rel.max() < x.shape[1]
    ):
        taps_k = np.empty((n_bursts, L), np.complex128)
        m_final = np.empty(n_bursts, np.int64)
        noise_var, centroid_abs = np.empty(n_bursts), np.empty(n_bursts)
        kernel(
            np.ascontiguousarray(x),
            start,
            rel,
            rot,
            pinv[0],
            B[0],
            int(m_cand[0]),
            len(m_cand),
            sps,
            float(gain[0]),
            CENTROID_IN_WINDOW_SYMBOLS_SPACED * sps,
            taps_k,
            m_final,
            noise_var,
            centroid_abs,
        )
        return _estimate(taps_k[:, None, :], noise_var, centroid_abs, m_final, start, ref, gain, L, P, sps)
    idx = start[:, None, None] + rel[None]
    vals, valid = _gather(x, idx)
    y = vals * rot[None]  # derotated, (N, U, n_eq)
    h_u = np.einsum("nle,nue->nul", pinv, y) if pinv.shape[0] > 1 else y @ pinv[0].T  # (N, U, L)
    e_u = np.sum(np.abs(h_u) ** 2, axis=2)  # (N, U)
    # Window energy for each candidate m: Σ over the P phases of e_u[m + p].
    csum = np.concatenate((np.zeros((n_bursts, 1)), np.cumsum(e_u, axis=1)), axis=1)
    j0 = m_cand - u[0]
    win = csum[:, j0 + P] - csum[:, j0]  # (N, M)
    # Bursts partly outside the rows: forbid offsets whose training samples are missing.
    ok = np.ones_like(win, dtype=bool)
    all_valid = valid.all(axis=2)  # (N, U)
    for p in range(sps):
        ok &= all_valid[:, j0 + p]
    win = np.where(ok, win, -np.inf)
    best = np.argmax(win, axis=1)  # (N,)
    rows = np.arange(n_bursts)
    B_n = np.broadcast_to(B, (n_bursts,) + B.shape[1:])
    delay = np.arange(L)[None, :, None] * sps + np.arange(sps)[None, None, :]  # (1, L, sps) sample delays
    dof = P * (n_eq - L)
    tap_noise_gain = _noise_gain(pinv, L) if gain is None else gain

    def at(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        jj = (m - u[0])[:, None] + np.arange(sps)[None, :]  # (N, sps)
        taps = h_u[rows[:, None], jj]  # (N, sps, L): all sps phases, for the centroid
        resid = y[rows[:, None], jj[:, :P]] - np.einsum("nel,npl->npe", B_n, taps[:, :P])
        noise_var = np.sum(np.abs(resid) ** 2, axis=(1, 2)) / max(dof, 1)
        # Energy centroid of the response at full sample resolution, each tap's noise power removed.
        var_s = (
            noise_var
            if sps == P
            else np.mean(np.abs(y[rows[:, None], jj] - np.einsum("nel,npl->npe", B_n, taps)) ** 2, axis=(1, 2))
            * n_eq
            / max(n_eq - L, 1)
        )
        p_lp = np.abs(np.transpose(taps, (0, 2, 1))) ** 2  # (N, L, sps)
        p_lp = np.maximum(p_lp - (var_s * tap_noise_gain)[:, None, None], 0.0)
        total = np.sum(p_lp, axis=(1, 2))
        centroid = np.where(
            total > 0, np.sum(p_lp * delay, axis=(1, 2)) / np.maximum(total, 1e-300), 0.5 * (L * sps - 1)
        )
        return taps[:, :P], noise_var, m + centroid

    # Stage 1: the maximum-energy window; its energy centroid gives the arrival time.
    m_best = m_cand[best]
    _, _, centroid_abs = at(m_best)
    # Stage 2: re-centre the window so the centroid sits CENTROID_IN_WINDOW_SYMBOLS into it (room
    # for delayed paths after it), among the allowed candidates. Symbol-spaced, only whole-symbol
    # moves keep the best sampling phase.
    if sps == P:
        shift = centroid_abs - CENTROID_IN_WINDOW_SYMBOLS * sps - m_best
    else:
        shift = sps * np.rint((centroid_abs - CENTROID_IN_WINDOW_SYMBOLS_SPACED * sps - m_best) / sps)
    m_fine = np.clip(m_best + np.rint(shift).astype(np.int64), m_cand[0], m_cand[-1])
    allowed = ok[rows, m_fine - m_cand[0]]
    m_final = np.where(allowed, m_fine, m_best)
    taps, noise_var, centroid_abs = at(m_final)
    return _estimate(taps, noise_var, centroid_abs, m_final, start, ref, tap_noise_gain, L, P, sps)


def _estimate(
    taps: np.ndarray,
    noise_var: np.ndarray,
    centroid_abs: np.ndarray,
    m_final: np.ndarray,
    start: np.ndarray,
    ref: int,
    tap_noise_gain: np.ndarray,
    L: int,
    P: int,
    sps: int,
) -> ChannelEstimate:
    """The estimate from the final window's taps (N, P, L), noise and energy centroid."""
    toa = centroid_abs - CENTROID_REFERENCE_SYMBOLS * sps
    energy = np.sum(np.abs(taps) ** 2, axis=(1, 2))
    # The taps' own estimation noise (L·P taps, each noise_var·tap_noise_gain) is not signal.
    signal = np.maximum(energy - L * P * noise_var * tap_noise_gain, 1e-3 * energy)
    with np.errstate(divide="ignore"):
        snr_db = 10 * np.log10(signal / np.maximum(noise_var, 1e-30))
    return ChannelEstimate(
        taps=np.ascontiguousarray(np.transpose(taps, (0, 2, 1))),
        first_tap_sample=start + m_final,
        burst_start_sample=start,
        timing_offset_samples=m_final - ref,
        noise_var=noise_var,
        snr_db=snr_db,
        training_energy=energy,
        toa_samples=toa,
        samples_per_symbol=sps,
    )


def _noise_gain(pinv: np.ndarray, L: int) -> np.ndarray:
    """Each tap's share of the noise variance through the LS fit: trace(pinv·pinvᴴ)/L."""
    return np.real(np.trace(pinv @ np.conj(np.transpose(pinv, (0, 2, 1))), axis1=1, axis2=2)) / L


@lru_cache(maxsize=64)
def _design(training: bytes, L: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(B (1, n_eq, L), its pseudo-inverse (1, L, n_eq), the taps' noise gain (1,)) of one training
    sequence (its unpacked bits as bytes): the same for every burst with it, made once."""
    s = _symbols(np.frombuffer(training, np.uint8))[None]
    n_eq = s.shape[1] - L + 1
    B = np.ascontiguousarray(s[:, L - 1 + np.arange(n_eq)[:, None] - np.arange(L)[None, :]])
    pinv = np.ascontiguousarray(np.linalg.pinv(B))
    for a in (B, pinv):
        a.setflags(write=False)
    return B, pinv, _noise_gain(pinv, L)


def estimate_normal_channel(
    samples: np.ndarray,
    *,
    burst_start_sample: int | np.ndarray,
    tsc: int | np.ndarray,
    samples_per_symbol: int,
    n_taps: int = DEFAULT_TAPS,
    search_symbols: float = DEFAULT_SEARCH_SYMBOLS,
    fractional: bool = False,
) -> ChannelEstimate:
    """``estimate_channel`` for normal bursts with training sequence code ``tsc`` (int or (N,))."""
    tsc_arr = np.asarray(tsc)
    training = NORMAL_TSC_UBITS[int(tsc_arr)] if tsc_arr.ndim == 0 else NORMAL_TSC_UBITS[tsc_arr]
    return estimate_channel(
        samples,
        burst_start_sample=burst_start_sample,
        training_ubits=training,
        training_start=NORMAL_TRAINING_START,
        samples_per_symbol=samples_per_symbol,
        n_taps=n_taps,
        search_symbols=search_symbols,
        fractional=fractional,
    )


def estimate_sch_channel(
    samples: np.ndarray,
    *,
    burst_start_sample: int | np.ndarray,
    samples_per_symbol: int,
    n_taps: int = DEFAULT_TAPS,
    search_symbols: float = DEFAULT_SEARCH_SYMBOLS,
    fractional: bool = False,
) -> ChannelEstimate:
    """``estimate_channel`` for synchronization bursts (64-bit extended training, TS 45.002 §5.2.5)."""
    return estimate_channel(
        samples,
        burst_start_sample=burst_start_sample,
        training_ubits=SCH_TRAINING_UBITS,
        training_start=SCH_TRAINING_START,
        samples_per_symbol=samples_per_symbol,
        n_taps=n_taps,
        search_symbols=search_symbols,
        fractional=fractional,
    )


__all__ = [
    "DEFAULT_SEARCH_SYMBOLS",
    "DEFAULT_TAPS",
    "REFERENCE_LEAD_SYMBOLS",
    "ChannelEstimate",
    "derotate",
    "estimate_channel",
    "estimate_normal_channel",
    "estimate_sch_channel",
    "observations",
]
