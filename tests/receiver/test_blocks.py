"""The block assembler on real bursts: timeslot 0 of the vf_call6 capture, in the order the file
has them (with its repeated stretch), decodes to exactly the 293 blocks gr-gsm decodes."""

import numpy as np
import pytest

from sensor.coding.softbits import ubits_to_sbits
from sensor.coding.xcch import encode_xcch
from sensor.receiver.blocks import BlockAssembler, BurstQuality
from sensor.sim.c0 import EMPTY_PAGING
from tests.coding.capture import SUBTYPE_NORMAL, expected_bcch_ts0, load_bursts


def test_real_timeslot_zero_bursts_decode_to_what_gr_gsm_decodes():
    bursts = load_bursts()
    expected = expected_bcch_ts0()
    asm = BlockAssembler(arfcn=725, band="DCS1800")
    blocks = []
    ts0 = np.flatnonzero((bursts.timeslot == 0) & (bursts.subtype == SUBTYPE_NORMAL))
    sbits = ubits_to_sbits(bursts.ubits[ts0])
    for k, i in enumerate(ts0):
        asm.add(int(bursts.fn[i]), sbits[k], BurstQuality(t_s=float(k)))
        if k % 500 == 0:
            blocks += asm.decode_ready()  # streaming: decode as the blocks complete
    blocks += asm.decode_ready()
    good = {b.fn: b.octets for b in blocks if b.crc_ok}
    assert len(good) == len([b for b in blocks if b.crc_ok])  # no block twice
    assert good == expected  # the same 293 blocks, same frame numbers, same octets
    assert len(expected) == 293
    assert {b.channel for b in blocks if b.crc_ok} == {"BCCH", "CCCH"}
    assert asm.stats.bursts_repeated > 0  # the file repeats FN 861003-861546
    assert all(b.arfcn == 725 and b.tn == 0 and b.band == "DCS1800" for b in blocks)


def test_incomplete_blocks_are_dropped_and_counted():
    asm = BlockAssembler(arfcn=1, keep_frames=60)
    bursts = encode_xcch(EMPTY_PAGING).bursts(tsc=0)[0]
    s = ubits_to_sbits(bursts)
    base = 51 * 100
    for b in range(3):  # CCCH block 0 starts at T3 = 6: only three bursts arrive
        asm.add(base + 6 + b, s[b])
    assert asm.decode_ready() == []
    for b in range(4):  # the next CCCH block (T3 = 12) arrives whole, 6 frames later
        asm.add(base + 12 + b, s[b])
    (blk,) = asm.decode_ready()
    assert blk.fn == base + 12 and blk.crc_ok and blk.octets == EMPTY_PAGING and blk.channel == "CCCH"
    asm.add(base + 200, s[0])  # much later: the stale half block is given up
    asm.decode_ready()
    assert asm.stats.blocks_incomplete == 1


def test_combined_configuration_labels_sdcch_and_sacch():
    from sensor.gsm import multiframe

    asm = BlockAssembler(arfcn=1, combined=True)
    blocks = multiframe.blocks(combined=True)
    sd = next(b for b in blocks if b.channel is multiframe.Channel.SDCCH)
    s = ubits_to_sbits(encode_xcch(bytes.fromhex("010301") + b"\x2b" * 20).bursts(tsc=3)[0])
    for b in range(4):
        asm.add(51 * 7 + sd.first_t3 + b, s[b])
    (blk,) = asm.decode_ready()
    assert blk.channel == "SDCCH" and blk.crc_ok


def test_all_at_once_decoding_equals_the_assembler():
    """``decode_frames`` (the receiver's batch path) gives exactly the assembler's blocks: the real
    bursts (each frame once), with gaps, in both channel configurations."""
    from sensor.receiver.blocks import decode_frames

    bursts = load_bursts()
    ts0 = np.flatnonzero((bursts.timeslot == 0) & (bursts.subtype == SUBTYPE_NORMAL))
    fns, first = np.unique(bursts.fn[ts0], return_index=True)  # the file repeats a stretch: once each
    keep = np.random.default_rng(3).random(len(fns)) > 0.03  # and a few bursts lost
    idx = ts0[first][keep]
    fns = fns[keep]
    sbits = ubits_to_sbits(bursts.ubits[idx])
    rng = np.random.default_rng(4)
    snr, rssi, t = rng.normal(15, 3, len(idx)), rng.normal(-40, 2, len(idx)), np.arange(len(idx)) * 0.0046
    for combined in (False, True):
        asm = BlockAssembler(arfcn=725, combined=combined, bsic=9, band="DCS1800", keep_frames=1 << 30)
        for k, fn in enumerate(fns):
            asm.add(
                int(fn), sbits[k], BurstQuality(float(snr[k]), float(rssi[k]), 120.0, float(t[k]), 1e9 + float(t[k]))
            )
        want = asm.decode_ready()
        got = decode_frames(
            fns,
            sbits,
            snr_db=snr,
            rssi_dbfs=rssi,
            freq_offset_hz=120.0,
            t_s=t,
            time_utc_s=1e9 + t,
            arfcn=725,
            combined=combined,
            bsic=9,
            band="DCS1800",
        )
        assert len(got) == len(want) > 250
        for g, w in zip(got, want):
            assert (g.fn, g.channel, g.octets, g.crc_ok, g.n_corrected, g.t_s, g.time_utc_s, g.bsic, g.band) == (
                w.fn,
                w.channel,
                w.octets,
                w.crc_ok,
                w.n_corrected,
                w.t_s,
                w.time_utc_s,
                w.bsic,
                w.band,
            )
            assert g.snr_db == pytest.approx(w.snr_db) and g.rssi_dbfs == pytest.approx(w.rssi_dbfs)
            assert g.freq_offset_hz == w.freq_offset_hz
