"""Averaged power spectra and power on the 200 kHz GSM channel raster (pure numpy kernels)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GSM_RASTER_HZ = 200e3  # every GSM carrier sits on a multiple of 200 kHz (TS 45.005 §2)


@dataclass(frozen=True, slots=True)
class Spectrum:
    offsets_hz: np.ndarray  # bin centres relative to the tuning, ascending
    power_dbfs: np.ndarray  # power per bin, dB relative to a full-scale complex tone
    bin_hz: float
    n_averaged: int


def welch_power(samples: np.ndarray, sample_rate_hz: float, *, nfft: int = 4096) -> tuple[np.ndarray, int]:
    """Mean power per FFT bin (linear, full scale 1.0) of ``samples`` cut into Hann-windowed frames.

    The window is normalised for power (Σ w² = 1/nfft), so the bins of a band add up to the power
    in that band (Parseval) whatever the signal: a carrier's power is the sum over its bins.
    Returns (power[nfft] in fftshift order, number of frames averaged).
    """
    n = len(samples) // nfft
    if n == 0:
        raise ValueError(f"need at least {nfft} samples, got {len(samples)}")
    window = np.hanning(nfft).astype(np.float32)
    window /= np.sqrt(nfft * np.sum(window.astype(np.float64) ** 2))
    frames = samples[: n * nfft].reshape(n, nfft) * window
    power = np.abs(np.fft.fft(frames, axis=1)) ** 2
    return np.fft.fftshift(power.mean(axis=0)), n


def spectrum(samples: np.ndarray, sample_rate_hz: float, *, nfft: int = 4096) -> Spectrum:
    power, n = welch_power(samples, sample_rate_hz, nfft=nfft)
    offsets = np.fft.fftshift(np.fft.fftfreq(nfft, d=1.0 / sample_rate_hz))
    return Spectrum(offsets, 10 * np.log10(np.maximum(power, 1e-20)), sample_rate_hz / nfft, n)


def raster_channel_powers(
    spec: Spectrum, center_hz: float, *, usable_hz: float, half_width_hz: float = 90e3
) -> tuple[np.ndarray, np.ndarray]:
    """Power (dBFS) in ±``half_width_hz`` around every 200 kHz raster frequency inside ``usable_hz``.

    Returns (channel centre frequencies in Hz, channel power in dBFS).
    """
    lo = center_hz - usable_hz / 2 + half_width_hz
    hi = center_hz + usable_hz / 2 - half_width_hz
    first = np.ceil(lo / GSM_RASTER_HZ)
    last = np.floor(hi / GSM_RASTER_HZ)
    if last < first:
        return np.empty(0), np.empty(0)
    centres = np.arange(first, last + 1) * GSM_RASTER_HZ
    linear = 10 ** (spec.power_dbfs / 10)
    freqs = center_hz + spec.offsets_hz
    inside = np.abs(freqs[None, :] - centres[:, None]) <= half_width_hz
    power = (inside * linear[None, :]).sum(axis=1)
    return centres, 10 * np.log10(np.maximum(power, 1e-20))
