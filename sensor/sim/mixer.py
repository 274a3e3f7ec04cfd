"""Placing many narrowband carriers into one wideband stream: an FFT synthesis filter bank.

Each carrier arrives as complex baseband at a common narrowband rate (e.g. 4 samples per GSM
symbol). Overlap-save: every block of ``n_in`` input samples per carrier is transformed, its bins
within the passband (with a raised-cosine taper) are added into an ``n_out``-point spectrum at the
carrier's offset, and one inverse FFT per block makes ``hop_out`` new output samples for all carriers
together. Offsets are an integer number of bins (the bin width is the same on both sides) plus a
residual below half a bin that the caller applies as a rotation at the narrowband rate
(``MixerPlan.split_offset``). The rate change is exact for any rational ratio.

Pure numpy; the state (input tails and the block counter) is explicit.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import scipy.fft

from sensor.dsp.fftsize import is_fast_fft_length


@dataclass(frozen=True, slots=True)
class MixerPlan:
    in_rate_hz: float
    out_rate_hz: float
    n_in: int
    n_out: int
    hop_in: int
    hop_out: int
    taper: np.ndarray  # weights of the n_in input bins (fft order)
    in_bins: np.ndarray  # signed index of each kept input bin
    keep: np.ndarray  # positions (fft order) of the kept input bins

    @property
    def bin_hz(self) -> float:
        return self.in_rate_hz / self.n_in

    def split_offset(self, offset_hz: float) -> tuple[int, float]:
        """(whole bins, residual Hz) with |residual| ≤ half a bin."""
        m = int(round(offset_hz / self.bin_hz))
        return m, offset_hz - m * self.bin_hz


def plan_mixer(
    in_rate_hz: float,
    out_rate_hz: float,
    *,
    passband_hz: float = 300e3,
    transition_hz: float = 60e3,
    min_block: int = 4096,
) -> MixerPlan:
    """A plan for ``in_rate_hz`` → ``out_rate_hz`` keeping ±``passband_hz`` of every carrier."""
    ratio = Fraction(out_rate_hz / in_rate_hz).limit_denominator(100000)
    if abs(float(ratio) - out_rate_hz / in_rate_hz) > 1e-9 * out_rate_hz / in_rate_hz:
        raise ValueError(f"rates {in_rate_hz} and {out_rate_hz} have no usable rational ratio")
    den, num = ratio.denominator, ratio.numerator
    # Blocks: n_in a multiple of 8·den so that half of a quarter-block overlap maps to whole output samples.
    unit = 8 * den
    k = max(1, -(-max(min_block, int(4 * in_rate_hz / transition_hz)) // unit))
    while not (is_fast_fft_length(unit * k) and is_fast_fft_length(unit * k * num // den)) and k < 1_000_000:
        k += 1
    n_in = unit * k
    overlap_in = n_in // 4
    hop_in = n_in - overlap_in
    n_out = n_in * num // den
    hop_out = hop_in * num // den
    f = np.fft.fftfreq(n_in, 1.0 / in_rate_hz)
    edge = np.clip((np.abs(f) - (passband_hz - transition_hz)) / transition_hz, 0.0, 1.0)
    taper = 0.5 * (1 + np.cos(np.pi * edge))
    taper[np.abs(f) > passband_hz] = 0.0
    keep = np.flatnonzero(taper > 0)
    in_bins = np.fft.fftfreq(n_in, 1.0 / n_in).astype(np.int64)[keep]
    return MixerPlan(in_rate_hz, out_rate_hz, n_in, n_out, hop_in, hop_out, taper, in_bins, keep)


@dataclass(frozen=True, slots=True)
class MixerState:
    tails: np.ndarray  # (n_carriers, n_in - hop_in) last input samples of each carrier
    blocks_done: int = 0


def initial_state(plan: MixerPlan, n_carriers: int) -> MixerState:
    return MixerState(np.zeros((n_carriers, plan.n_in - plan.hop_in), np.complex64), 0)


def mix(
    plan: MixerPlan,
    carriers: np.ndarray,
    offset_bins: np.ndarray,
    amplitudes: np.ndarray,
    state: MixerState,
) -> tuple[np.ndarray, MixerState]:
    """Mix ``carriers`` (n_carriers × k·hop_in narrowband samples) into k·hop_out output samples.

    ``offset_bins`` (whole bins, from ``split_offset``) and ``amplitudes`` are per carrier and may
    change from call to call (a moving receiver). The output lags the input by half an overlap
    (``(n_in - hop_in) / 2`` input samples), the same for every carrier.
    """
    n_car, n = carriers.shape
    if n % plan.hop_in:
        raise ValueError(f"give a multiple of hop_in={plan.hop_in} samples per carrier, got {n}")
    k_blocks = n // plan.hop_in
    stream = np.concatenate((state.tails, carriers.astype(np.complex64, copy=False)), axis=1)
    ov_out = plan.n_out - plan.hop_out
    out = np.empty(k_blocks * plan.hop_out, np.complex64)
    offset_bins = np.asarray(offset_bins, dtype=np.int64)
    # The kept input bins are one run of signed indices -K..K; each carrier's lands on one run of
    # output bins (clipped to the output band), added with at most two slice additions.
    lo_in = int(plan.in_bins.min())
    runs = []
    for c in range(n_car):
        first = lo_in + int(offset_bins[c])
        a = max(first, -(plan.n_out // 2) + 1)
        b_ = min(first + len(plan.in_bins), plan.n_out // 2)
        runs.append((a, b_, a - first))
    order = np.argsort(plan.in_bins, kind="stable")
    keep_sorted = plan.keep[order]
    taper = (plan.taper[keep_sorted] * (plan.n_out / plan.n_in)).astype(np.complex64)
    amps = np.asarray(amplitudes, dtype=np.complex64)
    for b in range(k_blocks):
        block = stream[:, b * plan.hop_in : b * plan.hop_in + plan.n_in]
        spec = scipy.fft.fft(block, axis=1)[:, keep_sorted]
        # Whole-bin shifts restart at every block: keep their phase continuous over the stream and
        # delayed like the rest of the carrier (by ov_out/2 samples).
        start_out = (state.blocks_done + b) * plan.hop_out - ov_out
        rot = np.exp(2j * np.pi * ((offset_bins * start_out) % plan.n_out) / plan.n_out).astype(np.complex64)
        spec *= taper
        spec *= (amps * rot)[:, None]
        acc = np.zeros(plan.n_out, np.complex64)
        for c, (a, b_, skip) in enumerate(runs):
            if b_ <= a:
                continue
            vals = spec[c, skip : skip + (b_ - a)]
            if a >= 0:
                acc[a:b_] += vals
            elif b_ <= 0:
                acc[plan.n_out + a : plan.n_out + b_] += vals
            else:
                acc[plan.n_out + a :] += vals[:-a]
                acc[:b_] += vals[-a:]
        y = scipy.fft.ifft(acc)
        out[b * plan.hop_out : (b + 1) * plan.hop_out] = y[ov_out // 2 : ov_out // 2 + plan.hop_out]
    new_state = MixerState(stream[:, k_blocks * plan.hop_in :].copy(), state.blocks_done + k_blocks)
    return out, new_state
