"""A5/1 against the published vector of Briceno, Goldberg and Wagner (1999); COUNT from the FN."""

import numpy as np
import pytest

from sensor.gsm import tdma
from sensor.sim.a51 import count_of_fn, downlink_keystream, keystream, session_key


def _hex(bits: np.ndarray) -> str:
    return np.packbits(np.concatenate((bits, np.zeros(6, np.uint8)))).tobytes().hex()


def test_published_vector():
    ks = keystream(bytes.fromhex("1223456789abcdef"), 0x134)
    assert _hex(ks[:114]) == "534eaa582fe8151ab6e1855a728c00"  # network → mobile
    assert _hex(ks[114:]) == "24fd35a35d5fb6526d32f906df1ac0"  # mobile → network


def test_count_is_t1_t3_t2():
    fn = tdma.fn_from_t1_t2_t3(1234, 17, 40)
    assert count_of_fn(fn) == (1234 << 11) | (40 << 5) | 17
    key = session_key(7)
    assert len(key) == 8 and key == session_key(7) != session_key(8)
    assert np.array_equal(downlink_keystream(key, fn), keystream(key, count_of_fn(fn))[:114])
    assert not np.array_equal(downlink_keystream(key, fn), downlink_keystream(key, fn + 1))


@pytest.mark.parametrize("key, count", [(b"\x00" * 7, 0), (b"\x00" * 8, 1 << 22), (b"\x00" * 8, -1)])
def test_bad_inputs(key, count):
    with pytest.raises(ValueError):
        keystream(key, count)
