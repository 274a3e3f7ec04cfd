"""What a cheap receiver does to the samples: noise, DC spike, IQ imbalance, 8-bit quantisation
and clipping. Pure numpy kernels; randomness comes from the caller's ``numpy.random.Generator``.

Levels are in dBFS: 0 dBFS is the power of a full-scale complex tone (|x| = 1).
"""

from __future__ import annotations

import numpy as np

from sensor.gsm.tdma import SYMBOL_RATE_HZ
from sensor.sources.convert import from_complex64, to_complex64


def awgn(n: int, *, noise_dbfs_per_symbol_bw: float, sample_rate_hz: float, rng: np.random.Generator) -> np.ndarray:
    """White complex Gaussian noise whose power in a 270.833 kHz band is ``noise_dbfs_per_symbol_bw``.

    (So a carrier at P dBFS has SNR = P − noise per 270.833 kHz, the convention of our benchmarks.)
    """
    total_dbfs = noise_dbfs_per_symbol_bw + 10 * np.log10(sample_rate_hz / SYMBOL_RATE_HZ)
    sigma = np.sqrt(10 ** (total_dbfs / 10) / 2)
    out = np.empty(n, np.complex64)
    out.real = rng.standard_normal(n, dtype=np.float32) * sigma
    out.imag = rng.standard_normal(n, dtype=np.float32) * sigma
    return out


class NoiseSource:
    """White complex Gaussian noise, fast: a table of 2^21 unit-power samples read from a random
    offset, turned by a random phase and flipped in time order at random, per call.

    Drawing 40 M Gaussian numbers per second (20 Msps) would cost a core on its own; the table
    gives the same statistics within every block (Gaussian, white, the right power) and blocks
    do not repeat in any way a receiver could exploit.
    """

    TABLE_SAMPLES = 1 << 21

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        table = np.empty(self.TABLE_SAMPLES, np.complex64)
        table.real = rng.standard_normal(self.TABLE_SAMPLES, dtype=np.float32)
        table.imag = rng.standard_normal(self.TABLE_SAMPLES, dtype=np.float32)
        self.table = table * np.float32(np.sqrt(0.5))

    def noise(self, n: int, *, noise_dbfs_per_symbol_bw: float, sample_rate_hz: float) -> np.ndarray:
        total_dbfs = noise_dbfs_per_symbol_bw + 10 * np.log10(sample_rate_hz / SYMBOL_RATE_HZ)
        scale = np.complex64(np.sqrt(10 ** (total_dbfs / 10)) * np.exp(2j * np.pi * self.rng.random()))
        out = np.empty(n, np.complex64)
        pos = 0
        while pos < n:
            k = min(n - pos, self.TABLE_SAMPLES // 2)
            start = int(self.rng.integers(0, self.TABLE_SAMPLES - k + 1))
            chunk = self.table[start : start + k]
            out[pos : pos + k] = (chunk[::-1] if self.rng.random() < 0.5 else chunk) * scale
            pos += k
        return out


def add_dc(x: np.ndarray, *, dc_dbfs: float, phase_rad: float = 0.7) -> np.ndarray:
    """Add the LO leakage of a zero-IF receiver: a constant at ``dc_dbfs``."""
    return x + np.complex64(10 ** (dc_dbfs / 20) * np.exp(1j * phase_rad))


def iq_imbalance(x: np.ndarray, *, gain_db: float, phase_deg: float) -> np.ndarray:
    """I/Q gain and phase mismatch: Q is scaled by ``gain_db`` and skewed by ``phase_deg``.

    Makes an image of every carrier mirrored about the tuning; image rejection
    ≈ 10·log10(4 / (g² + φ²)) for small errors (25–40 dB on an RTL-SDR).
    """
    g = 10 ** (gain_db / 20)
    phi = np.deg2rad(phase_deg)
    i = x.real
    q = g * (x.imag * np.cos(phi) + x.real * np.sin(phi))
    out = np.empty_like(x)
    out.real = i
    out.imag = q
    return out


def quantise(x: np.ndarray, datatype: str) -> tuple[np.ndarray, int]:
    """Round to ``datatype`` (e.g. ``cu8`` for an RTL-SDR, ``ci8`` for a HackRF) as its ADC would,
    clipping at full scale. Returns the samples as the receiver delivers them and the number of
    clipped components."""
    comp = x.view(np.float32)
    clipped = int(np.count_nonzero(np.abs(comp) >= 1.0))
    return to_complex64(from_complex64(x, datatype), datatype), clipped
