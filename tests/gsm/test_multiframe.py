"""51-multiframe of timeslot 0 (TS 45.002 §7 Table 3)."""

from __future__ import annotations

from collections import Counter

import pytest

from sensor.gsm import multiframe as mf
from sensor.gsm.multiframe import Channel
from tests.coding.capture import expected_bcch_ts0, timeslot0_by_fn


def _counts(frames):
    return Counter(f.channel for f in frames)


def test_non_combined_table():
    assert len(mf.NON_COMBINED_FRAMES) == 51
    c = _counts(mf.NON_COMBINED_FRAMES)
    assert c == {Channel.FCCH: 5, Channel.SCH: 5, Channel.BCCH: 4, Channel.CCCH: 36, Channel.IDLE: 1}
    assert [b.first_t3 for b in mf.NON_COMBINED_BLOCKS] == [2, 6, 12, 16, 22, 26, 32, 36, 42, 46]
    assert [b.index for b in mf.NON_COMBINED_BLOCKS if b.channel is Channel.CCCH] == list(range(9))


def test_combined_table():
    assert len(mf.COMBINED_FRAMES) == 51
    c = _counts(mf.COMBINED_FRAMES)
    assert c == {
        Channel.FCCH: 5,
        Channel.SCH: 5,
        Channel.BCCH: 4,
        Channel.CCCH: 12,
        Channel.SDCCH: 16,
        Channel.SACCH: 8,
        Channel.IDLE: 1,
    }
    assert mf.frame_use(22, combined=True).block == mf.Block(Channel.SDCCH, 0, 22)
    assert mf.frame_use(39, combined=True).block.index == 3


def test_fcch_sch_idle_positions():
    for combined in (False, True):
        for t3 in range(51):
            use = mf.frame_use(t3, combined=combined)
            if t3 in (0, 10, 20, 30, 40):
                assert use.channel is Channel.FCCH
            elif t3 in (1, 11, 21, 31, 41):
                assert use.channel is Channel.SCH
            elif t3 == 50:
                assert use.channel is Channel.IDLE
            else:
                assert use.block is not None and use.block.first_t3 + use.burst == t3


def test_block_lookup_by_fn():
    fn = 51 * 1000
    assert mf.block_starting_at(fn + 2, combined=False) == mf.Block(Channel.BCCH, 0, 2)
    assert mf.block_starting_at(fn + 3, combined=False) is None
    assert mf.block_first_fn(fn + 49, combined=False) == fn + 46
    assert mf.block_first_fn(fn + 41, combined=False) is None
    assert mf.blocks(combined=True) is mf.COMBINED_BLOCKS


def test_sacch_c4_alternates_over_102_frames():
    got = {fn: mf.sacch_c4_subchannel(fn) for fn in range(102) if mf.sacch_c4_subchannel(fn) is not None}
    assert {fn for fn, s in got.items() if s == 0} == set(range(42, 46))
    assert {fn for fn, s in got.items() if s == 1} == set(range(46, 50))
    assert {fn for fn, s in got.items() if s == 2} == set(range(93, 97))
    assert {fn for fn, s in got.items() if s == 3} == set(range(97, 101))
    assert mf.sacch_c4_subchannel(102 + 42) == 0


def test_agch_reservation():
    assert mf.is_agch_reserved(0, bs_ag_blks_res=2) and mf.is_agch_reserved(1, bs_ag_blks_res=2)
    assert not mf.is_agch_reserved(2, bs_ag_blks_res=2)
    assert not mf.is_agch_reserved(0, bs_ag_blks_res=0)


def test_real_capture_timeslot0_follows_the_non_combined_table():
    ts0 = timeslot0_by_fn()
    from tests.coding.capture import SUBTYPE_FCCH, SUBTYPE_SCH

    for fn, (subtype, _bits) in ts0.items():
        use = mf.frame_use(fn % 51, combined=False)
        if subtype == SUBTYPE_FCCH:
            assert use.channel is Channel.FCCH
        if subtype == SUBTYPE_SCH:
            assert use.channel is Channel.SCH
    for fn in expected_bcch_ts0():
        assert mf.block_starting_at(fn, combined=False) is not None


@pytest.mark.parametrize("combined", [False, True])
def test_tables_are_data(combined):
    # every block listed appears with all four bursts, in order
    frames = mf.COMBINED_FRAMES if combined else mf.NON_COMBINED_FRAMES
    for block in mf.blocks(combined=combined):
        assert [frames[t].burst for t in block.t3s] == [0, 1, 2, 3]
        assert all(frames[t].block == block for t in block.t3s)


def test_sdcch8_table():
    assert len(mf.SDCCH8_FRAMES) == 51
    assert _counts(mf.SDCCH8_FRAMES) == {Channel.SDCCH: 32, Channel.SACCH: 16, Channel.IDLE: 3}
    assert [b.first_t3 for b in mf.SDCCH8_BLOCKS if b.channel is Channel.SDCCH] == list(range(0, 32, 4))
    # SACCH/C8: sub-channels 0..3 in the even multiframe of the 102-frame cycle, 4..7 in the odd one
    assert [mf.sacch_c8_subchannel(fn) for fn in (32, 36, 40, 44, 51 + 32, 51 + 36, 51 + 40, 51 + 44)] == list(range(8))
    assert mf.sacch_c8_subchannel(0) is None and mf.sacch_c8_subchannel(48) is None
