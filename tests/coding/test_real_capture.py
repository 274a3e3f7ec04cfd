"""Real over-the-air data: our channel decoder must give exactly what gr-gsm decoded, and our
encoders must reproduce the bursts the real cell sent (../shared/captures, ARFCN 725)."""

from __future__ import annotations

import numpy as np
import pytest

from sensor.coding.sch import decode_sch_bursts, encode_sch_bursts
from sensor.coding.softbits import ubits_to_sbits
from sensor.coding.xcch import decode_xcch_bursts, encode_xcch
from sensor.gsm import multiframe, tdma
from sensor.gsm.burst import sch_burst_training
from sensor.gsm.training import SCH_TRAINING_UBITS
from tests.coding.capture import (
    SUBTYPE_SCH,
    expected_bcch_ts0,
    expected_sdcch8_ts1,
    load_bursts,
    timeslot0_by_fn,
    timeslot_by_fn,
)

EXPECTED_BLOCKS = 293
CELL_BSIC = 48  # NCC 6, BCC 0: timeslot 0 uses TSC 0


def _ts0_blocks() -> tuple[list[int], np.ndarray]:
    """Every non-combined BCCH/CCCH block of timeslot 0 whose 4 bursts are all in the file."""
    ts0 = timeslot0_by_fn()
    starts = sorted(
        fn
        for fn in ts0
        if multiframe.block_starting_at(fn, combined=False) is not None and all(fn + i in ts0 for i in range(4))
    )
    bursts = np.stack([[ts0[fn + i][1] for i in range(4)] for fn in starts])
    return starts, bursts


def test_every_bcch_ccch_block_decodes_to_what_grgsm_printed():
    expected = expected_bcch_ts0()
    assert len(expected) == EXPECTED_BLOCKS
    starts, bursts = _ts0_blocks()
    result = decode_xcch_bursts(ubits_to_sbits(bursts, magnitude=1.0))
    decoded = {fn: result.frame(i) for i, fn in enumerate(starts) if result.crc_ok[i]}
    assert set(decoded) == set(expected), (
        f"missing {sorted(set(expected) - set(decoded))[:10]}, extra {sorted(set(decoded) - set(expected))[:10]}"
    )
    mismatched = [fn for fn in expected if decoded[fn] != expected[fn]]
    assert not mismatched, f"{len(mismatched)} blocks differ, first FN {mismatched[:5]}"
    # every block gr-gsm printed is a BCCH or CCCH block start of the non-combined table
    for fn in expected:
        block = multiframe.block_starting_at(fn, combined=False)
        assert block is not None and block.channel in (multiframe.Channel.BCCH, multiframe.Channel.CCCH)


def test_hard_bits_of_the_real_blocks_need_no_correction():
    expected = expected_bcch_ts0()
    starts, bursts = _ts0_blocks()
    result = decode_xcch_bursts(ubits_to_sbits(bursts))
    ok = np.array([fn in expected for fn in starts])
    assert np.all(result.n_corrected[ok & result.crc_ok] == 0)


def test_decoding_works_on_int8_soft_bits_of_the_real_blocks():
    expected = expected_bcch_ts0()
    starts, bursts = _ts0_blocks()
    sbits = (127 - 254 * bursts.astype(np.int16)).astype(np.int8)
    result = decode_xcch_bursts(sbits)
    assert (
        sum(1 for i, fn in enumerate(starts) if fn in expected and result.frame(i) == expected[fn]) == EXPECTED_BLOCKS
    )


def test_blocks_that_gr_gsm_did_not_decode_fail_our_parity_too():
    expected = expected_bcch_ts0()
    starts, bursts = _ts0_blocks()
    result = decode_xcch_bursts(ubits_to_sbits(bursts))
    others = [i for i, fn in enumerate(starts) if fn not in expected]
    assert others, "the capture has incomplete/garbled blocks; this test needs some"
    assert not np.any(result.crc_ok[others])


def test_encoder_reproduces_the_real_bursts():
    """Re-encoding gr-gsm's octets gives, bit for bit, the 4 × 148 bits the cell transmitted."""
    expected = expected_bcch_ts0()
    ts0 = timeslot0_by_fn()
    fns = sorted(expected)
    encoded = encode_xcch([expected[fn] for fn in fns]).bursts(tsc=CELL_BSIC & 7)
    received = np.stack([[ts0[fn + i][1] for i in range(4)] for fn in fns])
    assert encoded.shape == received.shape == (EXPECTED_BLOCKS, 4, 148)
    differing = np.flatnonzero(np.any(encoded != received, axis=(1, 2)))
    assert differing.size == 0, f"blocks at FN {[fns[i] for i in differing[:5]]} differ"


def _sch_bursts():
    b = load_bursts()
    sel = b.select(b.subtype == SUBTYPE_SCH)
    assert np.all(sel.timeslot == 0)
    return sel


def test_sch_bursts_decode_to_the_cell_bsic_and_their_own_frame_numbers():
    sch = _sch_bursts()
    clean = np.all(sch_burst_training(sch.ubits) == SCH_TRAINING_UBITS, axis=1)
    assert clean.sum() >= 150
    result = decode_sch_bursts(ubits_to_sbits(sch.ubits))
    assert np.all(result.crc_ok[clean])
    assert np.all(result.bsic[clean] == CELL_BSIC)
    assert np.array_equal(result.fn[clean], sch.fn[clean])
    assert np.all(tdma.is_sch_frame(sch.fn[clean]))
    infos = result.infos()
    for i in np.flatnonzero(clean):
        info = infos[i]
        assert info is not None and info.ncc == 6 and info.bcc == 0
        assert (info.t1, info.t2, info.t3_prime) == (
            tdma.t1(int(sch.fn[i])),
            tdma.t2(int(sch.fn[i])),
            tdma.t3_prime(tdma.t3(int(sch.fn[i]))),
        )


def test_garbled_sch_bursts_at_the_end_of_the_capture_fail_the_parity():
    """The last SCH-labelled bursts were demodulated out of sync (their training is wrong)."""
    sch = _sch_bursts()
    garbled = ~np.all(sch_burst_training(sch.ubits) == SCH_TRAINING_UBITS, axis=1)
    if not garbled.any():
        pytest.skip("no garbled SCH bursts in this capture")
    result = decode_sch_bursts(ubits_to_sbits(sch.ubits[garbled]))
    assert not np.any(result.crc_ok)
    assert all(info is None for info in result.infos())


def test_sch_encoder_reproduces_the_real_sch_bursts():
    sch = _sch_bursts()
    clean = np.all(sch_burst_training(sch.ubits) == SCH_TRAINING_UBITS, axis=1)
    encoded = encode_sch_bursts(CELL_BSIC, sch.fn[clean])
    assert np.array_equal(encoded, sch.ubits[clean])


def test_sdcch8_blocks_of_timeslot_1_decode_where_the_table_places_them():
    """Combination VII (TS 45.002 §7 Table 3) on the real cell's timeslot 1: every block that starts
    where the SDCCH/8 table puts a block and passes its Fire code is one gr-gsm decoded, and gr-gsm's
    four blocks are all found; the SACCH block is sub-channel 1's, as the assignment on TS0 says."""
    expected = expected_sdcch8_ts1()
    ts1 = timeslot_by_fn(1)
    starts = sorted(
        fn
        for fn in ts1
        if (use := multiframe.sdcch8_frame_use(fn % 51)).burst == 0
        and use.channel in (multiframe.Channel.SDCCH, multiframe.Channel.SACCH)
        and all(fn + i in ts1 for i in range(4))
    )
    bursts = np.stack([[ts1[fn + i] for i in range(4)] for fn in starts])
    result = decode_xcch_bursts(ubits_to_sbits(bursts, magnitude=1.0))
    decoded = {fn: result.frame(i) for i, fn in enumerate(starts) if result.crc_ok[i]}
    assert decoded == expected
    subs = {
        fn: multiframe.sacch_c8_subchannel(fn)
        if multiframe.sdcch8_frame_use(fn % 51).channel is multiframe.Channel.SACCH
        else multiframe.sdcch8_frame_use(fn % 51).block.index
        for fn in decoded
    }
    assert set(subs.values()) == {1}
