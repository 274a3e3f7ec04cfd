"""A carrier's frequency from the phases of its successive FCCH bursts (coherent across bursts).

Each burst measured where the frame timing puts it (``fcch_track``) also gives the phase of its
tone at the same bit (``FcchBursts.carrier_phase_rad``): the modulation since the burst's start is
the same in every FCCH burst (TS 45.004 §2.3), so from one burst to the next the phase moves by
the carrier's alone, 2π·f·Δt (modulo π: ``FOLD``). The bursts of one cell come 10 or 11 TDMA frames apart (46.2 or
50.8 ms, TS 45.002 §7 Table 3): a phase known to a few hundredths of a radian at each, over a
second, fixes f to a few thousandths of a hertz at 20 dB SNR, where the mean of the bursts' own
frequencies (each from 92 symbols, 0.34 ms) is good to about a hertz.

The phase is known modulo π only (``FOLD``): a step of 46 ms is unambiguous for a frequency
known to better than ±5.4 Hz (1 / 4Δt), and a multiframe's steps nearly line up again 10.6 Hz
away. The start is the frequency and rate of change at which the bursts' phases fit best
(weighted by their precision), searched around ``prior_hz`` (the mean of the bursts' own
frequencies) and within ±``MAX_RATE_HZ_PER_S``: a moving receiver's Doppler changes within a
second, and its doubled phases bend away from any line. The bursts are unwrapped about that
curve, a weighted cubic in time is fitted (phase, frequency at the bursts' mean time, rate,
its change: ``POLY_TERMS``), and they are unwrapped and fitted once more about the fit.

It is refused (None: the caller keeps the incoherent estimate with its honest sd) when

* there are fewer than ``MIN_BURSTS`` bursts, or they span less than ``MIN_SPAN_S``;
* the best curve leaves more than ``MAX_SCATTER`` times the scatter the bursts' phase errors
  allow (a carrier wandering within the span, fading, noise beyond the fits' own account);
* the phases fit nearly as well at another frequency beyond the main lobe (χ² within
  ``ALIAS_MIN_CHI2``, in units of the best curve's scatter): the start may be an alias;
* a residual's second difference exceeds ``MAX_STEP_RESIDUAL_RAD`` (a slip of the unwrap, a
  fade, a burst that is not this carrier's) — a carrier whose frequency wanders (an oscillator's
  random walk) bends the residuals smoothly and passes;
* the scatter is beyond ``MAX_RESIDUAL_RMS_RAD`` (multipath fading: the channel's phase turns
  between bursts; noise at low SNR);
* the result disagrees with ``prior_hz`` by more than ``PRIOR_SIGMAS`` of their combined sd.

The stated sd is the slope's error at the mean time from the residuals' own scatter (white-noise formula, the
scatter scaled up where it exceeds the bursts' stated phase errors, never down), inflated where
successive residuals run together (their lag-1 autocorrelation ρ: × √((1 + ρ)/(1 − ρ))). It is the error
of the frequency at the bursts' (weighted) mean time, through a frequency changing linearly
over the span; an oscillator that wanders within the span moves the instantaneous frequency
away from that, which is the oscillator's, not the measurement's.
Pure numpy, one carrier's bursts of one continuous stream at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensor.dsp.carrier_mean import carrier_mean
from sensor.dsp.fcch_track import PHASE_READ_S

# The phases are compared modulo 2π / FOLD. A transmitter that modulates continuously (as the
# simulator does, and any whose GMSK runs on between bursts) enters each FCCH burst with the
# phase its data left, +π/2 per 1 bit and −π/2 per 0 (TS 45.004 §2.3): over the 12,500 or 13,750
# symbols between two FCCH bursts (even counts: 1250 per frame) a multiple of π, unknown. One that
# starts every burst afresh adds nothing. Doubled, both are the carrier's phase alone.
FOLD = 2
MIN_BURSTS = 6
MIN_SPAN_S = 0.2
MAX_STEP_RESIDUAL_RAD = 1.2  # of a residual's second difference (doubled phase)
MAX_RESIDUAL_RMS_RAD = 0.8
PRIOR_SIGMAS = 4.0
MAX_RHO = 0.95
# The doubled phases of a multiframe's bursts (4 steps of 10 frames, 1 of 11: 235.4 ms) line up
# again 5 / (2 · 235.4 ms) = 10.62 Hz away but for 0.02 cycles a step (the sum of phasors there
# is 0.95 of the truth's, noise-free): told apart by the fit's χ², not by the prior. The start is
# searched within ±PRIOR_SIGMAS prior sd (MIN_SEARCH_HZ..MAX_SEARCH_HZ), and must beat any other
# frequency there beyond the main lobe by ALIAS_MIN_CHI2.
MIN_SEARCH_HZ = 12.0  # beyond the exact alias of bursts 10 frames apart (10.8 Hz): always tested
MAX_SEARCH_HZ = 40.0
LOBE_SPANS = 0.7  # the main lobe: ±this / span Hz
ALIAS_MIN_CHI2 = 25.0
# A carrier whose frequency wanders within the span (an oscillator's random walk: on the
# simulated drive, 0.02 ppm/√min, the residuals bend by a radian over a second) fits no line: its
# slope's error is not what the residuals say (readings so measured held 77 % of their errors
# within 2 stated sd), and the near-alias 10.6 Hz away can no longer be told apart. Refused
# beyond MAX_SCATTER times the bursts' stated phase variance.
MAX_SCATTER = 9.0
SEARCH_STEP_HZ = 0.05  # (the sum's main lobe is ~1/(2·span) wide: 0.5 Hz over a second)
# A moving receiver's Doppler changes within a reading: by (v_t² / d + a_r) / λ, the speed across
# the line of sight squared over the distance (15 m/s at 500 m: 1.4 Hz/s at 950 MHz; at 100 m,
# 7 Hz/s). Over a second's bursts that bends the doubled phases by π·r/2 rad at the ends (0.25 Hz/s:
# 0.4 rad, 100 times a clean burst's phase error), beyond any line: the phases are fitted with a
# rate, searched within ±MAX_RATE_HZ_PER_S on a grid of RATE_STEP_HZ_PER_S (a half step's
# doubled phase is π·0.125·0.25 ≈ 0.1 rad at ±0.5 s).
MAX_RATE_HZ_PER_S = 10.0
RATE_STEP_HZ_PER_S = 0.25
# The rate itself changes near a transmitter (the drive's fake 95 m off the street: by 0.3-1 Hz/s²
# over its last 10 s): a quadratic phase's slope is then the frequency 0.025·(d²f/dt²)·span² off
# the one at the mean time (14-18 mHz there, 3-7 stated sd). A cubic term takes it: the frequency's
# sd grows by 2.5 (u and u³ over a span are 0.92 correlated), a few mHz still.
POLY_TERMS = 4  # phase, frequency, rate, and the rate's change


@dataclass(frozen=True, slots=True)
class CoherentCarrier:
    freq_hz: float  # at ``t_mean_s``
    freq_sd_hz: float
    n_bursts: int
    residual_rms_rad: float
    t_mean_s: float  # the weighted mean time of the bursts: where the fitted frequency applies
    rate_hz_per_s: float = 0.0  # the frequency's rate of change over the span (a moving receiver's Doppler)
    rate_sd_hz_per_s: float = 0.0
    scatter: float = 1.0  # the residuals' χ² per degree of freedom against the bursts' stated phase errors
    rho: float = 0.0  # the residuals' lag-1 autocorrelation (clipped to 0..MAX_RHO)


def _fit(u: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares y = c0 + c1·u + c2·u² + c3·u³: (coefficients, their unscaled covariance)."""
    x = np.stack([u**p for p in range(POLY_TERMS)], axis=1)
    cov = np.linalg.inv(x.T @ (w[:, None] * x))
    return cov @ (x.T @ (w * y)), cov


def coherent_carrier(
    t_s: np.ndarray,
    phase_rad: np.ndarray,
    phase_std_rad: np.ndarray,
    *,
    prior_hz: float,
    prior_sd_hz: float,
    min_bursts: int = MIN_BURSTS,
    min_span_s: float = MIN_SPAN_S,
) -> CoherentCarrier | None:
    """The carrier's frequency (Hz, in the frame its phases are measured in) from bursts at times
    ``t_s`` with tone phases ``phase_rad`` (±``phase_std_rad``), or None (see the module)."""
    t = np.asarray(t_s, dtype=np.float64)
    ph = np.asarray(phase_rad, dtype=np.float64)
    sd = np.asarray(phase_std_rad, dtype=np.float64)
    good = np.isfinite(t) & np.isfinite(ph) & np.isfinite(sd) & (sd > 0)
    t, ph, sd = t[good], ph[good], sd[good]
    if len(t) < min_bursts or not np.isfinite(prior_hz) or not np.isfinite(prior_sd_hz):
        return None
    order = np.argsort(t, kind="stable")
    t, ph, sd = t[order], ph[order], sd[order]
    t0 = float(t[0])
    t = t - t0
    if t[-1] < min_span_s:
        return None
    # twice the phase: the modulation's π between bursts (see the module) is gone, 2·2π·f·Δt stays
    ph, sd = np.angle(np.exp(1j * FOLD * ph)), FOLD * sd
    w = 1.0 / sd**2
    tm = float(np.sum(w * t) / np.sum(w))
    u = t - tm
    k = 2 * np.pi * FOLD  # doubled phase per cycle
    # The frequency (at tm) and rate the bursts' phases fit best at, within the prior's reach: the
    # start of the unwrap (see MIN_SEARCH_HZ for the near-alias 10.6 Hz away). S(f, r) = max over a
    # common phase of Σ w·cos(residual): −χ²/2 up to a constant for small residuals; as a product
    # of a (rates × bursts) and a (bursts × frequencies) matrix.
    reach = min(max(PRIOR_SIGMAS * float(prior_sd_hz), MIN_SEARCH_HZ), MAX_SEARCH_HZ)
    grid = prior_hz + np.arange(-reach, reach + SEARCH_STEP_HZ / 2, SEARCH_STEP_HZ)
    rates = np.arange(-MAX_RATE_HZ_PER_S, MAX_RATE_HZ_PER_S + RATE_STEP_HZ_PER_S / 2, RATE_STEP_HZ_PER_S)
    chirped = w[None, :] * np.exp(1j * (ph[None, :] - 0.5 * k * rates[:, None] * (u * u)[None, :]))
    score = np.abs(chirped @ np.exp(-1j * k * u[:, None] * grid[None, :]))  # (rates, frequencies)
    ir, jf = np.unravel_index(int(np.argmax(score)), score.shape)
    coef = np.array([0.0, k * grid[jf], 0.5 * k * rates[ir], 0.0])
    # unwrapped about the best model, refitted, unwrapped about the fit (a grid step's phase error
    # is ~0.2 rad at most: the second pass settles every burst on the fit's own turn)
    for _ in range(2):
        model = coef[1] * u + coef[2] * u**2 + coef[3] * u**3
        common = float(np.angle(np.sum(w * np.exp(1j * (ph - model)))))
        unwrapped = model + common + np.angle(np.exp(1j * (ph - model - common)))
        coef, cov = _fit(u, unwrapped, w)
    res = unwrapped - (coef[0] + coef[1] * u + coef[2] * u**2 + coef[3] * u**3)
    if len(res) >= 3 and np.max(np.abs(np.diff(res, n=2))) > MAX_STEP_RESIDUAL_RAD:
        return None
    rms = float(np.sqrt(np.mean(res**2)))
    if rms > MAX_RESIDUAL_RMS_RAD:
        return None
    dof = len(t) - POLY_TERMS
    chi2 = float(np.sum(w * res**2)) / dof if dof > 0 else 1.0
    scale = max(1.0, chi2)
    if scale > MAX_SCATTER:
        return None
    # The fitted curve must beat any frequency beyond its main lobe (at any rate) by ALIAS_MIN_CHI2
    # (in units of the scatter it leaves), or the steps cannot tell it from an alias
    freq, rate = float(coef[1] / k), float(2 * coef[2] / k)
    fitted = float(np.abs(np.sum(w * np.exp(1j * (ph - coef[1] * u - coef[2] * u**2 - coef[3] * u**3)))))
    beyond = np.abs(grid - freq) > LOBE_SPANS / t[-1]
    if beyond.any() and 2 * (fitted - float(score[:, beyond].max())) / scale < ALIAS_MIN_CHI2:
        return None
    # residuals that run together (a carrier wandering within the span) carry less information
    # than as many independent ones: the variances × (1 + ρ)/(1 − ρ), ρ their lag-1
    # autocorrelation (the effective number of independent residuals of an AR(1) series)
    rho = float(np.sum(res[1:] * res[:-1]) / np.sum(res * res)) if np.any(res) else 0.0
    rho = min(max(rho, 0.0), MAX_RHO)
    scale *= (1 + rho) / (1 - rho)
    freq_sd = float(np.sqrt(scale * cov[1, 1]) / k)
    rate_sd = float(2 * np.sqrt(scale * cov[2, 2]) / k)
    if abs(freq - prior_hz) > PRIOR_SIGMAS * float(np.hypot(prior_sd_hz, freq_sd)):
        return None
    return CoherentCarrier(freq, freq_sd, int(len(t)), rms, t0 + tm, rate, rate_sd, chi2, rho)


def reading_carrier(
    offset_hz: np.ndarray,
    t_s: np.ndarray,
    phase_rad: np.ndarray,
    phase_std_rad: np.ndarray,
    phase_base_hz: np.ndarray,
    stream_id: np.ndarray,
    *,
    systematic_hz: float,
    coherent_systematic_hz: float,
) -> tuple[float, float, int, int, float] | None:
    """One reading's carrier from its bursts (arrays of equal length; a burst without a phase has
    NaN ``phase_rad`` and ``stream_id`` −1): (offset Hz, sd Hz, bursts used, bursts measured
    coherently, time s the offset applies at: a coherent one's is where its phases were read,
    ``fcch_track.PHASE_READ_S`` after the bursts' starts), or None. Each stream's bursts are measured
    coherently where they can be (``coherent_carrier``, the prior the mean of all the reading's
    bursts' own frequencies); the streams' frequencies, each at its own bursts' mean time, are
    carried by their own rates to the finest stream's time and combined there by their sd (scaled
    up by their scatter where it exceeds it), with ``coherent_systematic_hz`` in quadrature. (A
    second window's few bursts at the end of a reading measure the carrier there: with the Doppler
    changing by a hertz a second, placing it at the reading's mean time erred by 0.1 Hz, ten times
    its sd; a weighted mean of two streams' frequencies at their weighted mean time, where the rate
    itself changes by 0.3-1 Hz/s², by 10-20 mHz, 2-4 sd.) No stream coherent: the incoherent mean
    (``carrier_mean``) with ``systematic_hz``, at the bursts' mean time."""
    offsets = np.asarray(offset_hz, dtype=np.float64)
    times = np.asarray(t_s, dtype=np.float64)
    inc = carrier_mean(offsets)
    if inc is None:
        return None
    prior_sd = float(np.hypot(inc[1], systematic_hz))
    streams = np.asarray(stream_id)
    fits: list[tuple[float, CoherentCarrier]] = []
    for sid in np.unique(streams[streams >= 0]):
        g = streams == sid
        base = float(np.asarray(phase_base_hz, dtype=np.float64)[g][0])
        c = coherent_carrier(
            times[g] + PHASE_READ_S,  # the bursts' phases are read this long after their start
            np.asarray(phase_rad, dtype=np.float64)[g],
            np.asarray(phase_std_rad, dtype=np.float64)[g],
            prior_hz=inc[0] - base,
            prior_sd_hz=prior_sd,
        )
        if c is not None:
            fits.append((base + c.freq_hz, c))
    if not fits:
        est = carrier_mean(offsets, systematic_hz=systematic_hz)
        return None if est is None else (est[0], est[1], est[2], 0, float(np.mean(times)))
    # each stream's frequency carried by its own rate to the time of the finest one's
    best = min(fits, key=lambda x: x[1].freq_sd_hz)[1]
    at = np.array([best.t_mean_s - c.t_mean_s for _, c in fits])
    f = np.array([x + c.rate_hz_per_s * dt for (x, c), dt in zip(fits, at, strict=True)])
    var = np.array([c.freq_sd_hz**2 + (c.rate_sd_hz_per_s * dt) ** 2 for (_, c), dt in zip(fits, at, strict=True)])
    w = 1.0 / var
    mean = float(np.sum(w * f) / np.sum(w))
    scale = max(1.0, float(np.sum(w * (f - mean) ** 2)) / (len(f) - 1)) if len(f) > 1 else 1.0
    sd = float(np.sqrt(scale / np.sum(w)))
    used = sum(c.n_bursts for _, c in fits)
    return mean, float(np.hypot(sd, coherent_systematic_hz)), used, used, best.t_mean_s
