"""xCCH coding (TS 45.003 §4.1): round trips, damage and repair, corruption detected."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensor.coding.convolutional import conv_encode
from sensor.coding.interleave import interleave_xcch
from sensor.coding.parity import XCCH_FIRE_CODE
from sensor.coding.softbits import octets_to_ubits, ubits_to_sbits
from sensor.coding.xcch import (
    decode_xcch,
    decode_xcch_bursts,
    encode_xcch,
    xcch_uncoded_ubits,
)
from sensor.gsm.burst import split_normal_bursts
from sensor.gsm.training import normal_tsc_ubits

SI3 = bytes.fromhex("49061b3b2d72f2203aa8d0033c546506b900008020420b")  # README: gsmsp 953.6 MHz SI3
frames_st = st.binary(min_size=23, max_size=23)


def test_uncoded_block_layout():
    u = xcch_uncoded_ubits(SI3)
    assert u.shape == (1, 228)
    assert np.array_equal(u[0, :184], octets_to_ubits(np.frombuffer(SI3, np.uint8)))
    assert np.array_equal(u[0, 184:224], XCCH_FIRE_CODE.parity(u[0, :184]))
    assert not u[0, 224:].any()


def test_encoder_is_the_composition_of_the_spec_steps():
    enc = encode_xcch(SI3)
    c = conv_encode(xcch_uncoded_ubits(SI3))
    assert np.array_equal(enc.data_ubits, interleave_xcch(c))
    assert enc.data_ubits.shape == (1, 4, 114) and enc.stealing_ubits.shape == (1, 4, 2)
    assert enc.stealing_ubits.all()  # TS 45.003 §4.1.5: hl = hu = 1


def test_full_bursts_carry_tail_training_and_stealing_flags():
    b = encode_xcch([SI3, bytes(23)]).bursts(tsc=5)
    assert b.shape == (2, 4, 148)
    assert not b[..., :3].any() and not b[..., 145:].any()
    assert np.array_equal(b[0, 2, 61:87], normal_tsc_ubits(5))
    assert (b[..., 60] == 1).all() and (b[..., 87] == 1).all()
    data, stealing = split_normal_bursts(b)
    assert np.array_equal(decode_xcch(ubits_to_sbits(data)).octets[0].tobytes(), SI3)


@settings(max_examples=50, deadline=None)
@given(st.lists(frames_st, min_size=1, max_size=20))
def test_random_frames_round_trip(frames):
    enc = encode_xcch(frames)
    res = decode_xcch(ubits_to_sbits(enc.data_ubits, magnitude=2.5))
    assert res.crc_ok.all()
    assert res.frames() == frames
    assert not res.n_corrected.any()


@settings(max_examples=150, deadline=None)
@given(frame=frames_st, flips=st.lists(st.integers(0, 455), max_size=3, unique=True))
def test_a_few_damaged_soft_bits_are_repaired(frame, flips):
    x = ubits_to_sbits(encode_xcch(frame).data_ubits).reshape(1, 456)
    x[0, flips] *= -1
    res = decode_xcch(x.reshape(1, 4, 114))
    assert res.frame(0) == frame
    assert res.n_corrected[0] == len(flips)


@settings(max_examples=30, deadline=None)
@given(frame=frames_st, burst=st.integers(0, 3))
def test_one_whole_burst_lost_still_decodes(frame, burst):
    x = ubits_to_sbits(encode_xcch(frame).data_ubits)
    x[0, burst] = 0.0  # erased: no information
    res = decode_xcch(x)
    assert res.frame(0) == frame
    assert res.n_corrected[0] == 0


def test_noisy_blocks_decode_through_awgn():
    rng = np.random.default_rng(7)
    frames = rng.integers(0, 256, (300, 23), dtype=np.uint8)
    x = ubits_to_sbits(encode_xcch(frames).data_ubits)
    x += rng.normal(0, 0.55, x.shape).astype(np.float32)  # ~3.5 % raw bit errors
    raw_errors = np.count_nonzero((x < 0) != (encode_xcch(frames).data_ubits == 1), axis=(1, 2))
    res = decode_xcch(x)
    assert res.crc_ok.mean() > 0.99
    good = res.crc_ok
    assert np.array_equal(res.octets[good], frames[good])
    # the decoder's correction count is the number of wrong hard decisions when it decodes right
    assert np.array_equal(res.n_corrected[good], raw_errors[good])


def test_corruption_beyond_correction_fails_the_fire_code():
    rng = np.random.default_rng(9)
    frames = rng.integers(0, 256, (400, 23), dtype=np.uint8)
    x = ubits_to_sbits(encode_xcch(frames).data_ubits).reshape(400, 456)
    for row in range(400):
        x[row, rng.choice(456, size=90, replace=False)] *= -1  # ~20 % errors
    res = decode_xcch(x.reshape(400, 4, 114))
    assert not res.crc_ok.any()
    assert res.frames() == [None] * 400


def test_pure_noise_never_passes():
    rng = np.random.default_rng(10)
    res = decode_xcch(rng.normal(size=(500, 4, 114)).astype(np.float32))
    assert not res.crc_ok.any()


def test_single_block_and_burst_inputs():
    x = ubits_to_sbits(encode_xcch(SI3).data_ubits[0])  # (4, 114)
    assert decode_xcch(x).frame(0) == SI3
    bursts = encode_xcch(SI3).bursts(tsc=0)
    assert decode_xcch_bursts(ubits_to_sbits(bursts)).frame(0) == SI3
    with pytest.raises(ValueError):
        decode_xcch(np.zeros((1, 4, 113), np.float32))
