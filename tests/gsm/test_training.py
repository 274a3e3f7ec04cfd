"""Training sequences (TS 45.002 §5.2.3, §5.2.5)."""

from __future__ import annotations

import numpy as np
import pytest

from sensor.gsm.training import NORMAL_TSC_UBITS, SCH_TRAINING_UBITS, normal_tsc_ubits

# TS 45.002 Table 5.2.3a as hexadecimal (26 bits, first transmitted bit most significant)
TSC_HEX = (0x0970897, 0x0B778B7, 0x10EE90E, 0x11ED11E, 0x06B906B, 0x13AC13A, 0x29F629F, 0x3BC4BBC)


def _as_int(bits: np.ndarray) -> int:
    return int("".join(str(int(b)) for b in bits), 2)


def test_normal_tscs_match_the_hex_table():
    assert NORMAL_TSC_UBITS.shape == (8, 26)
    assert [_as_int(row) for row in NORMAL_TSC_UBITS] == list(TSC_HEX)


def test_tsc1_bit_20_is_one_as_in_the_spec_not_gr_gsm():
    assert normal_tsc_ubits(1)[20] == 1


def test_each_tsc_is_a_cyclically_extended_16_bit_core():
    # TS 45.002 §5.2.3: the 26 bits are a 16-bit sequence with 5 bits repeated on each side
    for row in NORMAL_TSC_UBITS:
        assert np.array_equal(row[:5], row[16:21]) and np.array_equal(row[21:], row[5:10])


def test_sch_training_sequence():
    assert SCH_TRAINING_UBITS.shape == (64,)
    assert _as_int(SCH_TRAINING_UBITS) == 0xB962040F2D45761B


def test_tables_are_read_only_and_checked():
    with pytest.raises(ValueError):
        NORMAL_TSC_UBITS[0, 0] = 1
    with pytest.raises(ValueError):
        normal_tsc_ubits(8)
