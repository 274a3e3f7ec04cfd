"""Fire code (TS 45.003 §4.1.2) and SCH parity (§4.7)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sensor.coding.parity import (
    FIRE_GENERATOR,
    SCH_GENERATOR,
    SCH_PARITY_CODE,
    XCCH_FIRE_CODE,
    CyclicCode,
    poly_from_exponents,
    poly_mod,
)


def test_fire_generator_expands_to_the_product():
    # (D^23 + 1)(D^17 + D^3 + 1) = D^40 + D^26 + D^23 + D^17 + D^3 + 1
    assert poly_from_exponents(40, 26, 23, 17, 3, 0) == FIRE_GENERATOR
    assert XCCH_FIRE_CODE.parity_bits == 40
    assert SCH_GENERATOR == 0b10101110101
    assert SCH_PARITY_CODE.parity_bits == 10


def _as_poly(d: np.ndarray, p: np.ndarray) -> int:
    """d(0)·D^(K+P−1) + … + p(P−1) as an integer (first bit = highest power)."""
    value = 0
    for bit in list(d) + list(p):
        value = (value << 1) | int(bit)
    return value


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=184, max_size=184))
def test_fire_codeword_leaves_the_all_ones_remainder(bits):
    d = np.array(bits, np.uint8)
    p = XCCH_FIRE_CODE.parity(d)
    assert p.shape == (40,)
    assert poly_mod(_as_poly(d, p), FIRE_GENERATOR) == (1 << 40) - 1
    assert XCCH_FIRE_CODE.check(d, p)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=25, max_size=25))
def test_sch_codeword_leaves_the_all_ones_remainder(bits):
    d = np.array(bits, np.uint8)
    p = SCH_PARITY_CODE.parity(d)
    assert poly_mod(_as_poly(d, p), SCH_GENERATOR) == (1 << 10) - 1


def test_uninverted_code_gives_zero_remainder_and_zero_parity_for_zero_data():
    code = CyclicCode(info_bits=12, generator=SCH_GENERATOR, inverted=False)
    assert not code.parity(np.zeros(12, np.uint8)).any()
    assert XCCH_FIRE_CODE.parity(np.zeros(184, np.uint8)).all()  # inverted: all ones


def test_every_single_and_double_bit_error_is_detected():
    rng = np.random.default_rng(2)
    d = rng.integers(0, 2, 184, dtype=np.uint8)
    p = XCCH_FIRE_CODE.parity(d)
    word = np.concatenate((d, p))
    damaged = np.repeat(word[None], 224, axis=0)
    damaged[np.arange(224), np.arange(224)] ^= 1
    assert not XCCH_FIRE_CODE.check(damaged[:, :184], damaged[:, 184:]).any()
    pairs = rng.choice(224, size=(500, 2), replace=True)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    damaged = np.repeat(word[None], len(pairs), axis=0)
    damaged[np.arange(len(pairs)), pairs[:, 0]] ^= 1
    damaged[np.arange(len(pairs)), pairs[:, 1]] ^= 1
    assert not XCCH_FIRE_CODE.check(damaged[:, :184], damaged[:, 184:]).any()


def test_batched_parity_equals_row_by_row():
    rng = np.random.default_rng(4)
    d = rng.integers(0, 2, (50, 184), dtype=np.uint8)
    batch = XCCH_FIRE_CODE.parity(d)
    assert batch.shape == (50, 40)
    for i in range(50):
        assert np.array_equal(batch[i], XCCH_FIRE_CODE.parity(d[i]))
