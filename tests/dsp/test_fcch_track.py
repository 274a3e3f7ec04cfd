"""A burst's tone measured where the frame timing puts it (``fcch_track``): no bias from the
burst's edges, for any timing error the tracker allows."""

from __future__ import annotations

import numpy as np
import pytest

from sensor.dsp.fcch_search import detect_fcch
from sensor.dsp.fcch_track import measure_fcch_at
from sensor.gsm.burst import BURST_BITS
from sensor.gsm.tdma import SYMBOL_RATE_HZ
from sensor.sim.c0 import modulate_slot

SPS = 2
FS = SPS * SYMBOL_RATE_HZ


def _fcch_between_normal_bursts(rng: np.random.Generator, offset_hz: float) -> tuple[np.ndarray, int]:
    """A noise-free FCCH burst in its timeslot between two of random data, at ``offset_hz``; and
    where its bit 0 begins."""
    before = modulate_slot(rng.integers(0, 2, BURST_BITS).astype(np.uint8), 156, SPS).samples
    burst = modulate_slot(np.zeros(BURST_BITS, np.uint8), 156, SPS).samples
    after = modulate_slot(rng.integers(0, 2, BURST_BITS).astype(np.uint8), 156, SPS).samples
    pad = np.zeros(200, np.complex64)
    x = np.concatenate([pad, before, burst, after, pad])
    n = np.arange(len(x))
    return (x * np.exp(2j * np.pi * offset_hz * n / FS)).astype(np.complex64), len(pad) + len(before)


@pytest.mark.parametrize("timing_error_symbols", [-4, -2, 0, 2, 4])
def test_a_noise_free_burst_between_normal_bursts_reads_its_carrier_exactly(timing_error_symbols):
    """Fitted over bits 12..136 this read +0.55 Hz (the low-pass's response to the burst's edges
    turns the phase near them): now within 0.03 Hz wherever the timing puts the burst within ±4
    symbols."""
    rng = np.random.default_rng(7)
    errs = []
    for offset_hz in (0.0, 317.5, -1234.0):
        x, bit0 = _fcch_between_normal_bursts(rng, offset_hz)
        b = measure_fcch_at(
            x,
            sample_rate_hz=FS,
            start_sample=np.array([bit0 + timing_error_symbols * SPS]),
            carrier_offset_hz=offset_hz + 5.0,
        )
        assert len(b) == 1
        errs.append(float(b.carrier_offset_hz[0]) - offset_hz)
    assert np.max(np.abs(errs)) < 0.03, errs


def test_the_search_reads_noise_free_bursts_within_a_fifth_of_a_hertz():
    """The search's refinement fits the same interior (placed by the burst's leading edge found):
    five bursts among random data, +2.3 Hz each when fitted up to 6 symbols from the edges found."""
    rng = np.random.default_rng(3)
    slots = [
        np.zeros(BURST_BITS, np.uint8) if k % 8 == 0 else rng.integers(0, 2, BURST_BITS).astype(np.uint8)
        for k in range(40)
    ]
    x = np.concatenate([modulate_slot(s, 156, SPS).samples for s in slots]).astype(np.complex128)
    offset_hz = 1500.0
    x = (x * np.exp(2j * np.pi * offset_hz * np.arange(len(x)) / FS)).astype(np.complex64)
    b = detect_fcch(x, sample_rate_hz=FS)
    assert len(b) == 5
    assert np.max(np.abs(b.carrier_offset_hz - offset_hz)) < 0.2
