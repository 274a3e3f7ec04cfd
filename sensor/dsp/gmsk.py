"""GMSK modulation per TS 45.004 §2 (BT = 0.3, h = 1/2), at any output sample rate.

TS 45.004 §2.3 differential encoding: d̂_i = d_i ⊕ d_{i-1}, α_i = 1 − 2 d̂_i.
§2.4–2.6: the frequency pulse g(t) is a rectangle of one symbol period T convolved with a
Gaussian h(t) of standard deviation δT, δ = √(ln 2) / (2π·BT); the phase is
φ(t) = Σ_i α_i π h ∫_{-∞}^{t-iT} g(u) du, so each symbol turns the phase by α_i·π/2 in all, and
a run of zeros (the FCCH) is a tone at +1/(4T) ≈ +67.7 kHz above the carrier.

The phase is evaluated exactly at each output sample time, so any sample rate works (integer or
not); streaming across calls is continuous through the explicit ``GmskState``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import erf

BT = 0.3
PULSE_HALF_SPAN = 3  # symbols either side beyond which the integrated pulse is 0 or 1 (error < 1e-9)

_SIGMA = np.sqrt(np.log(2.0)) / (2 * np.pi * BT)  # Gaussian std in symbol periods


def phase_response(t_symbols: np.ndarray) -> np.ndarray:
    """∫_{-∞}^{t} g(u) du for t in symbol periods (0 → 1 across the pulse; 1/2 at t = 0)."""

    def integrated_cdf(x: np.ndarray) -> np.ndarray:
        # ∫_{-∞}^{x} Φ(u/σ) du = x Φ(x/σ) + σ φ(x/σ)
        z = x / _SIGMA
        return x * 0.5 * (1 + erf(z / np.sqrt(2))) + _SIGMA * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)

    t = np.asarray(t_symbols, dtype=np.float64)
    return integrated_cdf(t + 0.5) - integrated_cdf(t - 0.5)


_TABLE_PER_SYMBOL = 4096
_TABLE_T = (
    np.arange(-(PULSE_HALF_SPAN + 1) * _TABLE_PER_SYMBOL, (PULSE_HALF_SPAN + 1) * _TABLE_PER_SYMBOL + 1)
    / _TABLE_PER_SYMBOL
)
_TABLE = phase_response(_TABLE_T)


def _phase_response_fast(t_symbols: np.ndarray) -> np.ndarray:
    """``phase_response`` by linear interpolation in a fine table (error < 1e-8 rad)."""
    x = (np.clip(t_symbols, _TABLE_T[0], _TABLE_T[-1]) - _TABLE_T[0]) * _TABLE_PER_SYMBOL
    i = np.minimum(x.astype(np.int64), len(_TABLE) - 2)
    frac = x - i
    return _TABLE[i] + frac * (_TABLE[i + 1] - _TABLE[i])


@dataclass(frozen=True, slots=True)
class GmskState:
    """What the modulator needs to continue a stream seamlessly."""

    last_bit: int = 1  # d_{i-1} for the differential encoding of the next bit
    history: np.ndarray | None = None  # the last α symbols still shaping the phase (float64)
    phase_rad: float = 0.0  # accumulated phase of all symbols before ``history``
    time_symbols: float = 0.0  # time of the next output sample, in symbols, from the start of ``history``


def differential_alphas(ubits: np.ndarray, last_bit: int) -> np.ndarray:
    """TS 45.004 §2.3: α_i = 1 − 2(d_i ⊕ d_{i−1})."""
    d = np.asarray(ubits, dtype=np.int8)
    prev = np.concatenate(([last_bit], d[:-1])).astype(np.int8)
    return 1.0 - 2.0 * (d ^ prev)


def gmsk_modulate(
    ubits: np.ndarray, *, samples_per_symbol: float, state: GmskState | None = None
) -> tuple[np.ndarray, GmskState]:
    """Modulate ``ubits`` (0/1) to unit-amplitude complex64 baseband at ``samples_per_symbol``.

    Samples are produced for the times at which the symbols are fully known (the pulse reaches
    ``PULSE_HALF_SPAN`` symbols ahead); the rest follows from the returned state on the next call,
    so calling once with all bits or many times with pieces gives the same samples.
    """
    phase, new_state = gmsk_phase(ubits, samples_per_symbol=samples_per_symbol, state=state)
    return np.exp(1j * phase).astype(np.complex64), new_state


def gmsk_phase(
    ubits: np.ndarray, *, samples_per_symbol: float, state: GmskState | None = None
) -> tuple[np.ndarray, GmskState]:
    """The same as ``gmsk_modulate`` but returns the unwrapped phase in radians (float64)."""
    state = state or GmskState()
    alphas_new = differential_alphas(ubits, state.last_bit) if len(ubits) else np.empty(0)
    hist = np.empty(0) if state.history is None else state.history
    alphas = np.concatenate((hist, alphas_new))
    L = PULSE_HALF_SPAN
    # Sample times (in symbols from the first symbol in ``alphas``) that all known symbols fully describe.
    t_end = len(alphas) - L - 0.5
    step = 1.0 / samples_per_symbol
    n_out = max(0, int(np.floor((t_end - state.time_symbols) / step)) + 1) if t_end >= state.time_symbols else 0
    t = state.time_symbols + step * np.arange(n_out)
    sps_int = round(samples_per_symbol)
    if n_out > 1 and abs(samples_per_symbol - sps_int) < 1e-9 and abs(t[0] * sps_int - round(t[0] * sps_int)) < 1e-6:
        phase_units = _phase_units_integer(alphas, t[0], sps_int, n_out)
    else:
        phase_units = _phase_units_exact(alphas, t)
    phase = state.phase_rad + 0.5 * np.pi * phase_units
    # Keep the symbols that can still shape later samples.
    next_t = state.time_symbols + step * n_out
    keep_from = max(0, min(int(np.floor(next_t)) - L - 1, len(alphas)))
    new_state = GmskState(
        last_bit=int(ubits[-1]) if len(ubits) else state.last_bit,
        history=alphas[keep_from:].copy(),
        phase_rad=state.phase_rad + 0.5 * np.pi * float(np.sum(alphas[:keep_from])),
        time_symbols=next_t - keep_from,
    )
    return phase, new_state


def _phase_units_exact(alphas: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Σ_i α_i G(t − i) at each time ``t`` (symbols), for any spacing of ``t``."""
    L = PULSE_HALF_SPAN
    if len(t) == 0:
        return np.empty(0)
    k = np.floor(t).astype(np.int64)  # symbol i spans [i − 1/2, i + 1/2)
    cum = np.concatenate(([0.0], np.cumsum(alphas)))
    first_partial = np.clip(k - L, 0, len(alphas))
    idx = k[:, None] + np.arange(-L, L + 1)[None, :]
    valid = (idx >= first_partial[:, None]) & (idx < len(alphas))
    idx_c = np.clip(idx, 0, max(len(alphas) - 1, 0))
    partial = np.where(valid, alphas[idx_c] * _phase_response_fast(t[:, None] - idx_c), 0.0)
    return cum[first_partial] + partial.sum(axis=1)


@lru_cache(maxsize=16)
def _step_kernel(sps: int) -> tuple[np.ndarray, np.ndarray]:
    """Offsets m and D[m] = G(m/sps) − G((m−1)/sps) over the pulse's support."""
    L = PULSE_HALF_SPAN
    m = np.arange(-(L + 1) * sps, (L + 1) * sps + 1)
    kernel = phase_response(m / sps) - phase_response((m - 1) / sps)
    m.setflags(write=False)
    kernel.setflags(write=False)
    return m, kernel


def _phase_units_integer(alphas: np.ndarray, t0: float, sps: int, n_out: int) -> np.ndarray:
    """The same as ``_phase_units_exact`` on the grid t0 + n/sps, by convolution (fast).

    The phase step from one sample to the next is Σ_i α_i D[n·… − i·sps] with the fixed kernel
    D[m] = G(m/sps) − G((m−1)/sps), so the steps are one convolution and the phase their cumsum.
    """
    q = int(round(t0 * sps))
    m, kernel = _step_kernel(sps)
    up = np.zeros(len(alphas) * sps)
    up[::sps] = alphas
    steps = np.convolve(up, kernel)
    j0 = q - m[0]  # index in ``steps`` of the step into sample 0
    idx = j0 + np.arange(1, n_out)
    inc = np.where(idx < len(steps), steps[np.minimum(idx, len(steps) - 1)], 0.0)
    first = _phase_units_exact(alphas, np.array([t0]))[0]
    return first + np.concatenate(([0.0], np.cumsum(inc)))


def gmsk_phase_rows(ubits: np.ndarray, *, samples_per_symbol: int, last_bit: int = 1) -> np.ndarray:
    """``gmsk_phase`` of many equally long bit rows at once, each from the initial state with
    ``last_bit`` before it: (N, n_bits) → (N, n_samples) unwrapped phase in radians.

    Row r equals ``gmsk_phase(ubits[r], samples_per_symbol=sps, state=GmskState(last_bit=last_bit))[0]``.
    """
    d = np.asarray(ubits, dtype=np.int8)
    n_rows, n_bits = d.shape
    sps = int(samples_per_symbol)
    L = PULSE_HALF_SPAN
    prev = np.concatenate((np.full((n_rows, 1), last_bit, np.int8), d[:, :-1]), axis=1)
    alphas = 1.0 - 2.0 * (d ^ prev)
    n_out = int(np.floor((n_bits - L - 0.5) * sps)) + 1
    m, kernel = _step_kernel(sps)
    up = np.zeros((n_rows, n_bits * sps))
    up[:, ::sps] = alphas
    steps = np.zeros((n_rows, n_bits * sps + len(kernel) - 1))
    for j, kj in enumerate(kernel):
        steps[:, j : j + n_bits * sps] += kj * up
    idx = -m[0] + np.arange(1, n_out)
    inc = np.where(idx < steps.shape[1], steps[:, np.minimum(idx, steps.shape[1] - 1)], 0.0)
    first = alphas[:, : L + 1] @ phase_response(-np.arange(L + 1, dtype=np.float64))  # t = 0
    units = first[:, None] + np.concatenate((np.zeros((n_rows, 1)), np.cumsum(inc, axis=1)), axis=1)
    return 0.5 * np.pi * units
