"""The block assembler on real bursts: timeslot 0 of the vf_call6 capture, in the order the file
has them (with its repeated stretch), decodes to exactly the 293 blocks gr-gsm decodes."""

import numpy as np

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
