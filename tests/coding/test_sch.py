"""SCH coding (TS 45.003 §4.7, TS 44.018 §9.1.30)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensor.coding.sch import (
    decode_sch,
    decode_sch_bursts,
    encode_sch,
    encode_sch_bursts,
    sch_info_ubits,
)
from sensor.coding.softbits import ubits_to_sbits
from sensor.gsm import tdma
from sensor.gsm.burst import sch_burst_training
from sensor.gsm.training import SCH_TRAINING_UBITS

sch_fns = st.builds(
    lambda sf, k: min(sf * 51 + 10 * k + 1, tdma.FN_MAX),
    st.integers(0, tdma.HYPERFRAME_FRAMES // 51 - 1),
    st.integers(0, 4),
)


def test_information_bit_positions():
    """d(k) per octet, LSB first: d0,d1 = T1 bits 9,10; d2..4 BCC; d5..7 NCC; d8..15 T1 bits 1..8;
    d16,17 = T3' bits 1,2; d18..22 T2; d23 T1 bit 0; d24 T3' bit 0."""
    rng = np.random.default_rng(1)
    for _ in range(50):
        bsic, t1, t2, t3p = int(rng.integers(64)), int(rng.integers(2048)), int(rng.integers(26)), int(rng.integers(5))
        d = sch_info_ubits(bsic, t1, t2, t3p)[0].tolist()

        def bit(v, i):
            return (v >> i) & 1

        assert d[0:2] == [bit(t1, 9), bit(t1, 10)]
        assert d[2:5] == [bit(bsic, 0), bit(bsic, 1), bit(bsic, 2)]
        assert d[5:8] == [bit(bsic, 3), bit(bsic, 4), bit(bsic, 5)]
        assert d[8:16] == [bit(t1, i) for i in range(1, 9)]
        assert d[16:18] == [bit(t3p, 1), bit(t3p, 2)]
        assert d[18:23] == [bit(t2, i) for i in range(5)]
        assert d[23] == bit(t1, 0) and d[24] == bit(t3p, 0)


@settings(max_examples=200, deadline=None)
@given(bsic=st.integers(0, 63), fn=sch_fns)
def test_round_trip(bsic, fn):
    coded = encode_sch(bsic, fn)
    assert coded.shape == (1, 78)
    res = decode_sch(ubits_to_sbits(coded))
    info = res.info(0)
    assert info is not None
    assert (info.bsic, info.fn) == (bsic, fn)
    assert info.ncc == bsic >> 3 and info.bcc == bsic & 7


@settings(max_examples=150, deadline=None)
@given(bsic=st.integers(0, 63), fn=sch_fns, flips=st.lists(st.integers(0, 77), max_size=3, unique=True))
def test_damaged_soft_bits_are_repaired(bsic, fn, flips):
    x = ubits_to_sbits(encode_sch(bsic, fn))
    x[0, flips] *= -1
    res = decode_sch(x)
    assert res.crc_ok[0] and res.bsic[0] == bsic and res.fn[0] == fn
    assert res.n_corrected[0] == len(flips)


def test_batch_of_all_bsics():
    fns = np.array([1, 11, 21, 31, 41] * 13)[:64] + 51 * np.arange(64)
    res = decode_sch(ubits_to_sbits(encode_sch(np.arange(64), fns)))
    assert res.crc_ok.all() and np.array_equal(res.bsic, np.arange(64)) and np.array_equal(res.fn, fns)


def test_full_bursts():
    b = encode_sch_bursts(7, 1)
    assert b.shape == (1, 148)
    assert np.array_equal(sch_burst_training(b)[0], SCH_TRAINING_UBITS)
    assert not b[0, :3].any() and not b[0, 145:].any()
    assert decode_sch_bursts(ubits_to_sbits(b)).info(0).bsic == 7


def test_corruption_fails_the_parity():
    rng = np.random.default_rng(3)
    x = ubits_to_sbits(encode_sch(np.full(300, 21), np.full(300, 860911)))
    for row in range(300):
        x[row, rng.choice(78, size=25, replace=False)] *= -1
    res = decode_sch(x)
    # a 10-bit parity lets about 1 in 1024 random words through
    assert res.crc_ok.mean() < 0.02
    assert not np.any(res.crc_ok & (res.bsic == 21) & (res.fn == 860911))


def test_encoder_rejects_frames_without_sch_and_bad_fields():
    with pytest.raises(ValueError):
        encode_sch(1, 2)
    with pytest.raises(ValueError):
        encode_sch(64, 1)
    with pytest.raises(ValueError):
        encode_sch(1, tdma.HYPERFRAME_FRAMES + 1)
    with pytest.raises(ValueError):
        decode_sch(np.zeros((1, 77), np.float32))
