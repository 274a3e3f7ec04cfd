"""The synthesis filter bank: carriers land at their offsets, exactly, continuously, at any rate."""

import numpy as np
import pytest

from sensor.gsm.tdma import SYMBOL_RATE_HZ
from sensor.sim.mixer import initial_state, mix, plan_mixer

FIN = 4 * SYMBOL_RATE_HZ


def _tones(plan, offsets_hz, n_blocks, amps):
    """Tones at ``offsets_hz`` through the mixer, in two calls; returns output and the reference."""
    n = plan.hop_in * n_blocks
    t = np.arange(n) / plan.in_rate_hz
    split = [plan.split_offset(f) for f in offsets_hz]
    x = np.stack([np.exp(2j * np.pi * res * t) for _, res in split]).astype(np.complex64)
    bins = np.array([m for m, _ in split])
    state = initial_state(plan, len(offsets_hz))
    cut = plan.hop_in * (n_blocks // 2)
    y1, state = mix(plan, x[:, :cut], bins, np.asarray(amps), state)
    y2, state = mix(plan, x[:, cut:], bins, np.asarray(amps), state)
    y = np.concatenate([y1, y2])
    tt = np.arange(len(y)) / plan.out_rate_hz - (plan.n_in - plan.hop_in) / 2 / plan.in_rate_hz
    ref = sum(a * np.exp(2j * np.pi * f * tt) for f, a in zip(offsets_hz, amps))
    return y, ref


@pytest.mark.parametrize("out_rate", [500e3, 1e6, 2.048e6, 2.4e6, 8e6, 20e6])
def test_tones_land_at_their_offsets_with_continuous_phase(out_rate):
    plan = plan_mixer(FIN, out_rate)
    lim = min(out_rate * 0.4, 5e6)
    offsets = [-lim + 12_345.6, 0.0, 67_708.3, lim - 777.7]
    y, ref = _tones(plan, offsets, 12, [1.0, 0.5, 0.25, 0.125])
    settled = slice(plan.hop_out, None)  # the first block still holds the zero start-up tail
    # Within -46 dB everywhere: the passband taper trims each block's leakage far from the carrier.
    assert np.abs(y[settled] - ref[settled]).max() < 5e-3
    assert np.sqrt(np.mean(np.abs(y[settled] - ref[settled]) ** 2)) < 1e-3


def test_carrier_outside_the_output_band_is_cut_like_an_anti_alias_filter():
    plan = plan_mixer(FIN, 1e6)
    y, _ = _tones(plan, [900e3], 6, [1.0])
    assert np.abs(y).max() < 1e-6


def test_amplitude_changes_between_calls_apply_per_block():
    plan = plan_mixer(FIN, 2.4e6)
    x = np.ones((1, plan.hop_in * 4), np.complex64)
    state = initial_state(plan, 1)
    y1, state = mix(plan, x, np.array([0]), np.array([1.0]), state)
    y2, state = mix(plan, x, np.array([0]), np.array([0.1]), state)
    assert abs(np.abs(y1[plan.hop_out * 2 :]).mean() - 1.0) < 1e-3
    assert abs(np.abs(y2[plan.hop_out :]).mean() - 0.1) < 1e-3


def test_input_length_must_be_whole_hops():
    plan = plan_mixer(FIN, 2.4e6)
    with pytest.raises(ValueError, match="hop_in"):
        mix(plan, np.zeros((1, plan.hop_in + 1), np.complex64), np.array([0]), np.array([1.0]), initial_state(plan, 1))
