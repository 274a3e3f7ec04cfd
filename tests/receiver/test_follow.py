"""Following what a cell assigns (``receiver.follow``): the real DCS1800 capture at burst level
(its Immediate Assignment on TS0 → SDCCH/8 sub-channel 1 on TS1), and the follow's lifetime."""

from __future__ import annotations

import numpy as np

from sensor.coding.softbits import ubits_to_sbits
from sensor.gsm import tdma
from sensor.model import L2Block
from sensor.receiver.blocks import decode_frames
from sensor.receiver.follow import (
    IDLE_FRAMES,
    LOOKBACK_FRAMES,
    DedicatedBursts,
    Follower,
    assignments,
    decode_followed,
)
from tests.coding.capture import expected_sdcch8_ts1, load_bursts, timeslot0_by_fn, timeslot_by_fn

ARFCN = 725
IA_FN = 862212
IA = bytes.fromhex("2d063f004902d52654c70100") + b"\x2b" * 11


def _ts0_blocks() -> list[L2Block]:
    ts0 = timeslot0_by_fn()
    fns = np.array(sorted(ts0))
    sbits = ubits_to_sbits(np.stack([ts0[f][1] for f in fns]), magnitude=1.0)
    zeros = np.zeros(len(fns))
    return decode_frames(
        fns, sbits, snr_db=zeros, rssi_dbfs=zeros, freq_offset_hz=None, t_s=zeros, time_utc_s=None,
        arfcn=ARFCN, combined=False,
    )  # fmt: skip


def _capture_bursts(tn: np.ndarray, tsc: np.ndarray, fn: np.ndarray) -> DedicatedBursts:
    """The capture's demodulated bursts (gr-gsm's hard decisions) in place of an equaliser."""
    by_tn = {int(t): timeslot_by_fn(int(t)) for t in np.unique(tn)}
    ubits = np.stack(
        [by_tn[int(t)].get(int(f) % tdma.HYPERFRAME_FRAMES, np.zeros(148, np.uint8)) for t, f in zip(tn, fn)]
    )
    have = np.array([int(f) % tdma.HYPERFRAME_FRAMES in by_tn[int(t)] for t, f in zip(tn, fn)])
    sbits = ubits_to_sbits(ubits, magnitude=1.0) * have[:, None]
    n = len(fn)
    return DedicatedBursts(sbits, np.zeros(n), np.zeros(n), fn * tdma.FRAME_DURATION_S)


def test_the_real_assignment_is_found_and_followed_to_sdcch8_sub_1_on_ts1():
    ts0_blocks = _ts0_blocks()
    ia = [b for b in ts0_blocks if b.fn == IA_FN]
    assert ia and ia[0].crc_ok and ia[0].octets == IA
    first, repeat = assignments(ts0_blocks, arfcn=ARFCN)  # the cell sends it twice
    assert first.fn == IA_FN and (first.channel.channel, first.channel.tn, first.channel.sub_channel) == (
        "SDCCH/8",
        1,
        1,
    )
    assert repeat.request_reference == first.request_reference and repeat.channel == first.channel
    assert assignments(ts0_blocks, arfcn=ARFCN + 1) == []  # another carrier's: not followed

    follower = Follower()
    follower.assign(ts0_blocks, arfcn=ARFCN, combined=False)
    assert set(follower.channels) == {(1, 1)} and follower.channels[(1, 1)].tsc == 0
    assert follower.channels[(1, 1)].start_fn == IA_FN  # the repeat is the same assignment
    b = load_bursts()
    frames = np.arange(int(b.fn.min()), int(b.fn.max()) + 1)
    wanted = follower.frames(frames)
    assert [(tn, tsc) for tn, tsc, _ in wanted] == [(1, 0)]
    per_mf = np.bincount(wanted[0][2] // 51)  # every sub-channel's SDCCH (T3 0..31) and SACCH (32..47) frames
    assert set(per_mf[per_mf > 0][1:-1]) == {48}

    blocks = decode_followed(follower, frames, _capture_bursts, arfcn=ARFCN, freq_offset_hz=None)
    kept = follower.settle(ts0_blocks + blocks, last_fn=int(frames[-1]))
    ok = {x.fn: x.octets for x in kept if x.crc_ok}
    assert ok == expected_sdcch8_ts1()
    assert all(x.tn == 1 and x.sub == 1 for x in kept)  # nothing else on TS1 decodes: no sub-channel found
    assert set(follower.channels) <= {(1, 1)}
    assert any(not x.crc_ok for x in kept)  # ciphered after the Ciphering Mode Command: still given
    assert min(x.fn for x in kept) >= IA_FN - LOOKBACK_FRAMES


def _block(fn: int, *, ok: bool = True, sub: int = 1, l2: bytes = b"\x01\x03\x01" + b"\x2b" * 20) -> L2Block:
    return L2Block(arfcn=ARFCN, fn=fn, tn=1, channel="SDCCH", octets=l2, crc_ok=ok, sub=sub)


def _following(start: int) -> Follower:
    f = Follower()
    f.assign(
        [L2Block(arfcn=ARFCN, fn=start, tn=0, channel="CCCH", octets=IA, crc_ok=True)], arfcn=ARFCN, combined=False
    )
    return f


def test_a_follow_ends_after_its_blocks_stop_decoding():
    f = _following(1000)
    kept = f.settle([_block(1000 + 51 * i, ok=False) for i in range(3)], last_fn=1200)
    assert len(kept) == 3 and (1, 1) in f.channels  # failing blocks are kept (ciphering or noise)
    f.settle([_block(1000 + 51 * 4)], last_fn=1300)
    assert f.channels[(1, 1)].until_fn == 1000 + 51 * 4 + IDLE_FRAMES
    kept = f.settle([_block(1000 + 51 * 4 + IDLE_FRAMES + 51, ok=False)], last_fn=1000 + 51 * 4 + IDLE_FRAMES + 60)
    assert kept == [] and f.channels == {}


def test_a_channel_release_shortens_the_follow():
    f = _following(1000)
    release = bytes.fromhex("03030d060d00") + b"\x2b" * 17  # I-frame, RR Channel Release, cause 0
    f.settle([_block(1051, l2=release)], last_fn=1060)
    assert f.channels[(1, 1)].released
    f.settle([], last_fn=1051 + 200)
    assert f.channels == {}


def test_the_same_assignment_seen_twice_is_one_follow():
    f = _following(1000)
    f.settle([_block(1051)], last_fn=1100)
    f.assign([L2Block(arfcn=ARFCN, fn=1000, tn=0, channel="CCCH", octets=IA, crc_ok=True)], arfcn=ARFCN, combined=False)
    assert f.channels[(1, 1)].last_fn == 1051


def test_a_new_assignment_lets_the_follow_before_it_take_its_last_blocks():
    """The stretch that carries a sub-channel's next assignment also carries the old phone's last
    blocks (its UA after the Channel Release): the old follow takes them, up to the new one's lookback."""
    f = _following(1000)
    release = bytes.fromhex("03030d060d00") + b"\x2b" * 17
    f.settle([_block(1051, l2=release)], last_fn=1060)
    new_ia = L2Block(arfcn=ARFCN, fn=1150, tn=0, channel="CCCH", octets=IA[:8] + b"\x55" + IA[9:], crc_ok=True)
    f.assign([new_ia], arfcn=ARFCN, combined=False)
    assert f.channels[(1, 1)].start_fn == 1150 and [e.start_fn for e in f.ending] == [1000]
    wanted = f.frames(np.arange(1060, 1300))
    frames = set(wanted[0][2].tolist())
    assert {1075, 1126} <= frames  # sub-channel 1's SDCCH (T3 4..7) before the new assignment
    kept = f.settle([_block(1075), _block(1126), _block(1145, ok=False), _block(1177)], last_fn=1300)
    assert [b.fn for b in kept] == [1075, 1126, 1145, 1177]  # the old follow's, then the new one's
    assert f.ending == [] and f.channels[(1, 1)].last_fn == 1177


def test_a_sub_channel_whose_assignment_was_lost_is_found_by_its_blocks():
    """Sub-channel 1 followed from its assignment; sub-channel 2's assignment was not read (a fade):
    its block that decodes starts a follow of it, its failing blocks before are not taken, and a
    sub-channel with nothing decodable (3) is never followed."""
    from sensor.coding.xcch import encode_xcch
    from sensor.gsm import multiframe

    start = 51 * 1000
    f = _following(start)
    ui = encode_xcch(b"\x03\x03\x01" + b"\x2b" * 20).bursts(tsc=0)[0]
    sub2 = next(b for b in multiframe.SDCCH8_BLOCKS if b.channel is multiframe.Channel.SDCCH and b.index == 2)
    sent = {start + 51 * 2 + sub2.first_t3 + i: ui[i] for i in range(4)}  # sub 2's block two multiframes on

    def bursts(tn, tsc, fn):
        have = np.array([int(x) in sent for x in fn])
        bits = np.stack([sent.get(int(x), np.zeros(148, np.uint8)) for x in fn])
        n = len(fn)
        return DedicatedBursts(ubits_to_sbits(bits, magnitude=1.0) * have[:, None], np.zeros(n), np.zeros(n), fn * 0.0)

    frames = np.arange(start, start + 51 * 4)
    blocks = decode_followed(f, frames, bursts, arfcn=ARFCN, freq_offset_hz=None)
    found = start + 102 + sub2.first_t3
    others = [(b.sub, b.fn, b.crc_ok) for b in blocks if b.sub != 1]
    assert others[0] == (2, found, True) and {s for s, _, _ in others} == {2}  # none of sub 2 before, none of 3
    assert all(not ok for _, _, ok in others[1:])  # followed from then on: its failing blocks are kept too
    assert set(f.channels) == {(1, 1), (1, 2)} and f.channels[(1, 2)].start_fn == found
    kept = f.settle(blocks, last_fn=int(frames[-1]))
    assert min(b.fn for b in kept if b.sub == 2) == found
