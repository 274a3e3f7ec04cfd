"""Burst geometry (TS 45.002 §5.2), checked against the spec layout and a real capture."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sensor.gsm import burst
from sensor.gsm.training import NORMAL_TSC_UBITS, SCH_TRAINING_UBITS
from tests.coding.capture import SUBTYPE_DUMMY, SUBTYPE_FCCH, SUBTYPE_NORMAL, SUBTYPE_SCH, load_bursts


def test_normal_burst_layout_partitions_the_148_bits():
    tail = [0, 1, 2, 145, 146, 147]
    parts = (
        list(burst.NORMAL_DATA_POSITIONS)
        + list(burst.STEALING_POSITIONS)
        + list(burst.NORMAL_TRAINING_POSITIONS)
        + tail
    )
    assert sorted(parts) == list(range(148))
    assert burst.NORMAL_DATA_POSITIONS[56] == 59 and burst.NORMAL_DATA_POSITIONS[57] == 88
    assert burst.STEALING_POSITIONS.tolist() == [60, 87]
    assert burst.NORMAL_TRAINING_POSITIONS[0] == 61 and burst.NORMAL_TRAINING_POSITIONS[-1] == 86


def test_sch_burst_layout_partitions_the_148_bits():
    parts = list(burst.SCH_DATA_POSITIONS) + list(burst.SCH_TRAINING_POSITIONS) + [0, 1, 2, 145, 146, 147]
    assert sorted(parts) == list(range(148))
    assert burst.SCH_DATA_POSITIONS[38] == 41 and burst.SCH_DATA_POSITIONS[39] == 106


def test_timing_constants():
    assert burst.TIMESLOT_SYMBOLS * burst.TIMESLOTS_PER_FRAME == burst.FRAME_SYMBOLS
    assert burst.BURST_BITS + burst.GUARD_SYMBOLS == burst.TIMESLOT_SYMBOLS
    assert burst.DUMMY_BURST_UBITS.shape == (148,) and burst.FCCH_BURST_UBITS.sum() == 0


@settings(max_examples=50, deadline=None)
@given(
    data=hnp.arrays(
        np.uint8, st.tuples(st.integers(1, 6), st.integers(1, 4), st.just(114)), elements=st.integers(0, 1)
    ),
    tsc=st.integers(0, 7),
)
def test_assemble_then_split_round_trips(data, tsc):
    stealing = (data[..., :2] ^ 1).astype(np.uint8)
    bursts = burst.assemble_normal_bursts(data, stealing, tsc=tsc)
    assert bursts.shape == data.shape[:-1] + (148,)
    got_data, got_stealing = burst.split_normal_bursts(bursts)
    assert np.array_equal(got_data, data) and np.array_equal(got_stealing, stealing)
    assert np.all(burst.normal_burst_training(bursts) == NORMAL_TSC_UBITS[tsc])


def test_split_keeps_soft_values():
    x = np.linspace(-1, 1, 148, dtype=np.float32)[None]
    data, stealing = burst.split_normal_bursts(x)
    assert data.dtype == np.float32 and data[0, 0] == x[0, 3] and stealing[0, 1] == x[0, 87]


def test_sch_assemble_then_extract():
    rng = np.random.default_rng(0)
    data = rng.integers(0, 2, (3, 78), dtype=np.uint8)
    b = burst.assemble_sch_bursts(data)
    assert np.array_equal(burst.sch_burst_data(b), data)
    assert np.all(burst.sch_burst_training(b) == SCH_TRAINING_UBITS)


def test_shape_errors():
    with pytest.raises(ValueError):
        burst.split_normal_bursts(np.zeros((2, 147)))
    with pytest.raises(ValueError):
        burst.assemble_normal_bursts(np.zeros((2, 113)), 1, tsc=0)
    with pytest.raises(ValueError):
        burst.assemble_sch_bursts(np.zeros(77))


# --- against the real capture (ARFCN 725, BCC 0) ---


def test_real_fcch_and_dummy_bursts_match_the_spec_patterns():
    b = load_bursts()
    fcch = b.ubits[b.subtype == SUBTYPE_FCCH]
    dummy = b.ubits[b.subtype == SUBTYPE_DUMMY]
    assert len(fcch) > 100 and len(dummy) > 100
    assert np.all(fcch == burst.FCCH_BURST_UBITS)
    assert np.all(dummy == burst.DUMMY_BURST_UBITS)


def test_real_sch_and_bcch_bursts_carry_the_spec_training_sequences():
    b = load_bursts()
    sch = b.ubits[b.subtype == SUBTYPE_SCH]
    clean = np.all(burst.sch_burst_training(sch) == SCH_TRAINING_UBITS, axis=1)
    assert clean.mean() > 0.9  # a few at the end of the file were demodulated out of sync
    normal_ts0 = b.ubits[(b.subtype == SUBTYPE_NORMAL) & (b.timeslot == 0)]
    tsc0 = np.all(burst.normal_burst_training(normal_ts0) == NORMAL_TSC_UBITS[0], axis=1)
    assert tsc0.mean() > 0.95
    _, stealing = burst.split_normal_bursts(normal_ts0[tsc0])
    assert np.all(stealing == 1)  # control channel blocks: hl = hu = 1
