"""Radio propagation for scenes: log-distance path loss with log-normal shadowing, multipath
(static taps and Rayleigh-faded typical urban), all seeded.

The typical-urban profile is GSM's TU6 (TS 45.005 Annex C.3): tap delays 0, 0.2, 0.5, 1.6, 2.3,
5.0 µs with relative powers −3, 0, −2, −6, −8, −10 dB, each tap Rayleigh with the classical
(Jakes) Doppler spectrum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
SPEED_OF_LIGHT_M_S = 299_792_458.0

TU6_DELAYS_S = np.array([0.0, 0.2, 0.5, 1.6, 2.3, 5.0]) * 1e-6
TU6_POWERS_DB = np.array([-3.0, 0.0, -2.0, -6.0, -8.0, -10.0])


def distance_m(
    lat1_deg: float, lon1_deg: float, lat2_deg: np.ndarray | float, lon2_deg: np.ndarray | float
) -> np.ndarray:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = np.radians(lat1_deg), np.radians(lat2_deg)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2_deg) - lon1_deg)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


@dataclass(frozen=True, slots=True)
class PathLossModel:
    """PL(d) = PL(d0) + 10·n·log10(d/d0) + X, X ~ N(0, σ²) correlated over distance."""

    exponent: float = 3.5
    ref_loss_db: float = 38.0  # at ref_distance_m (free space at 900 MHz, 1 m: ~31.5 dB; clutter adds)
    ref_distance_m: float = 1.0
    shadowing_sigma_db: float = 6.0
    decorrelation_m: float = 50.0  # Gudmundson: shadowing correlation exp(-Δd / d_corr)

    def mean_loss_db(self, d_m: np.ndarray) -> np.ndarray:
        d = np.maximum(np.asarray(d_m, dtype=np.float64), self.ref_distance_m)
        return self.ref_loss_db + 10 * self.exponent * np.log10(d / self.ref_distance_m)

    def shadowing_db(self, travelled_m: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Shadowing along a route, given the distance travelled at each point (AR(1) in distance)."""
        s = np.asarray(travelled_m, dtype=np.float64)
        out = np.empty(len(s))
        if not len(s):
            return out
        out[0] = rng.standard_normal() * self.shadowing_sigma_db
        for i in range(1, len(s)):
            rho = np.exp(-abs(s[i] - s[i - 1]) / self.decorrelation_m)
            out[i] = rho * out[i - 1] + np.sqrt(1 - rho * rho) * self.shadowing_sigma_db * rng.standard_normal()
        return out


def fractional_taps(delays_s: np.ndarray, powers_db: np.ndarray, sample_rate_hz: float) -> np.ndarray:
    """A static FIR for a multipath profile: each path split between its two nearest samples,
    normalised to unit total power."""
    amps = 10 ** (np.asarray(powers_db) / 20)
    pos = np.asarray(delays_s) * sample_rate_hz
    taps = np.zeros(int(np.ceil(pos.max())) + 2)
    lo = np.floor(pos).astype(int)
    frac = pos - lo
    np.add.at(taps, lo, amps * (1 - frac))
    np.add.at(taps, lo + 1, amps * frac)
    return (taps / np.sqrt(np.sum(amps**2))).astype(np.complex64)


def static_multipath(x: np.ndarray, taps: np.ndarray, tail: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Convolve with fixed taps, streaming: ``tail`` holds the last ``len(taps) - 1`` inputs of the
    previous call (None at the start). Returns the output (same length as ``x``) and the new tail."""
    k = len(taps) - 1
    prev = np.zeros(k, np.complex64) if tail is None else tail
    padded = np.concatenate((prev, np.asarray(x, np.complex64)))
    y = np.convolve(padded, taps, mode="valid") if k else padded * taps[0]
    return y.astype(np.complex64), padded[len(padded) - k :].copy() if k else np.empty(0, np.complex64)


@dataclass(frozen=True, slots=True)
class FadingState:
    """Sum-of-sinusoids Rayleigh fading per tap: fixed random angles and phases, and time."""

    doppler_hz: float
    cos_alpha: np.ndarray  # (taps, oscillators)
    phases: np.ndarray  # (taps, oscillators, 2) for I and Q
    t_s: float = 0.0
    tail: np.ndarray | None = None  # last input samples, for the delayed paths of the next call


def fading_state(n_taps: int, doppler_hz: float, rng: np.random.Generator, oscillators: int = 16) -> FadingState:
    alpha = rng.uniform(-np.pi, np.pi, (n_taps, oscillators))
    return FadingState(doppler_hz, np.cos(alpha), rng.uniform(-np.pi, np.pi, (n_taps, oscillators, 2)))


def rayleigh_gains(state: FadingState, times_s: np.ndarray) -> np.ndarray:
    """Unit-power complex gains (taps × len(times)) at absolute times ``times_s``."""
    w = 2 * np.pi * state.doppler_hz * state.cos_alpha  # (taps, osc)
    arg = w[:, :, None] * times_s[None, None, :]
    gi = np.cos(arg + state.phases[:, :, 0, None]).sum(axis=1)
    gq = np.sin(arg + state.phases[:, :, 1, None]).sum(axis=1)
    return ((gi + 1j * gq) / np.sqrt(state.cos_alpha.shape[1])).astype(np.complex64)


def faded_multipath(
    x: np.ndarray,
    *,
    sample_rate_hz: float,
    state: FadingState,
    delays_s: np.ndarray = TU6_DELAYS_S,
    powers_db: np.ndarray = TU6_POWERS_DB,
    gain_step: int = 64,
) -> tuple[np.ndarray, FadingState]:
    """Pass ``x`` (starting at ``state.t_s``) through a Rayleigh-faded multipath channel.

    Path gains are evaluated every ``gain_step`` samples and interpolated linearly (Doppler of tens
    of Hz changes nothing within 64 samples at MHz rates); delays are whole samples (nearest).
    The last input samples are kept in the state, so streaming in pieces equals one call.
    """
    n = len(x)
    amps = (10 ** (np.asarray(powers_db) / 20)) / np.sqrt(np.sum(10 ** (np.asarray(powers_db) / 10)))
    delays = np.round(np.asarray(delays_s) * sample_rate_hz).astype(int)
    coarse_idx = np.arange(0, n + gain_step, gain_step)
    g_coarse = rayleigh_gains(state, state.t_s + coarse_idx / sample_rate_hz)
    max_d = int(delays.max())
    tail = np.zeros(max_d, np.complex64) if state.tail is None or len(state.tail) != max_d else state.tail
    padded = np.concatenate((tail, np.asarray(x, np.complex64)))
    y = np.zeros(n, np.complex64)
    fine = np.arange(n)
    for k, (d, a) in enumerate(zip(delays, amps)):
        g = np.interp(fine, coarse_idx, g_coarse[k].real) + 1j * np.interp(fine, coarse_idx, g_coarse[k].imag)
        y += (a * g * padded[max_d - d : max_d - d + n]).astype(np.complex64)
    new_tail = padded[len(padded) - max_d :].copy() if max_d else np.empty(0, np.complex64)
    return y, FadingState(state.doppler_hz, state.cos_alpha, state.phases, state.t_s + n / sample_rate_hz, new_tail)


def doppler_hz(speed_m_s: float, carrier_hz: float) -> float:
    return speed_m_s * carrier_hz / SPEED_OF_LIGHT_M_S
