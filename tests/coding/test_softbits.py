"""Bit conventions: sbits positive → 0, octets least significant bit first."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sensor.coding.softbits import (
    as_octet_array,
    hard_decision,
    octets_to_ubits,
    ubits_to_octets,
    ubits_to_sbits,
)


def test_sign_convention():
    s = ubits_to_sbits(np.array([0, 1, 1, 0], np.uint8), magnitude=3.0)
    assert s.dtype == np.float32
    assert s.tolist() == [3.0, -3.0, -3.0, 3.0]
    assert hard_decision(np.array([0.5, -0.1, 0.0, -7], np.float32)).tolist() == [0, 1, 0, 1]
    assert hard_decision(np.array([127, -127], np.int8)).tolist() == [0, 1]


def test_octets_are_sent_least_significant_bit_first():
    assert octets_to_ubits(np.array([0x01, 0x80], np.uint8)).tolist() == [1, 0, 0, 0, 0, 0, 0, 0] + [0] * 7 + [1]
    # 0x49 = 0100 1001: bit 1 (LSB) first
    assert octets_to_ubits(np.array([0x49], np.uint8)).tolist() == [1, 0, 0, 1, 0, 0, 1, 0]


@given(st.binary(min_size=1, max_size=40))
def test_octets_round_trip(data):
    arr = np.frombuffer(data, np.uint8)
    assert ubits_to_octets(octets_to_ubits(arr)).tobytes() == data


def test_as_octet_array_accepts_bytes_sequences_and_arrays():
    one = as_octet_array(bytes(range(23)), octets=23)
    assert one.shape == (1, 23)
    many = as_octet_array([bytes(23), bytes(range(23))], octets=23)
    assert many.shape == (2, 23) and many[1, 5] == 5
    arr = as_octet_array(np.arange(46, dtype=np.int64).reshape(2, 23), octets=23)
    assert arr.dtype == np.uint8 and arr[1, 0] == 23
    with pytest.raises(ValueError):
        as_octet_array(bytes(22), octets=23)
    with pytest.raises(ValueError):
        as_octet_array([bytes(23), bytes(3)], octets=23)
    with pytest.raises(ValueError):
        as_octet_array(np.full((1, 23), 300), octets=23)
    with pytest.raises(TypeError):
        as_octet_array(["not bytes"], octets=23)
