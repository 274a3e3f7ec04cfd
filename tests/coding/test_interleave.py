"""xCCH interleaving (TS 45.003 §4.1.4)."""

from __future__ import annotations

import numpy as np

from sensor.coding.interleave import XCCH_POSITION, deinterleave_xcch, interleave_xcch


def test_positions_are_a_permutation_of_the_four_bursts():
    assert sorted(XCCH_POSITION.tolist()) == list(range(456))


def test_spot_values_from_the_formula():
    # B = k mod 4, j = 2((49k) mod 57) + ((k mod 8) div 4)
    for k, burst, j in (
        (0, 0, 0),
        (1, 1, 98),
        (4, 0, 51),
        (7, 3, 2 * ((49 * 7) % 57) + 0 + 1),
        (455, 3, 2 * ((49 * 455) % 57) + 1),
    ):
        assert XCCH_POSITION[k] == burst * 114 + j


def test_each_burst_gets_every_fourth_coded_bit():
    c = np.arange(456)
    bursts = interleave_xcch(c[None])[0]
    for b in range(4):
        assert sorted(bursts[b].tolist()) == list(range(b, 456, 4))


def test_round_trip_on_soft_and_hard_bits():
    rng = np.random.default_rng(0)
    c = rng.normal(size=(5, 456)).astype(np.float32)
    assert np.array_equal(deinterleave_xcch(interleave_xcch(c)), c)
    u = rng.integers(0, 2, (3, 4, 114), dtype=np.uint8)
    assert np.array_equal(interleave_xcch(deinterleave_xcch(u)), u)
