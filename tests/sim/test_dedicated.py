"""The carrier sends its schedule exactly: every scheduled block decodes from the bursts the
generator puts in its slots, at its timeslot and FN; ciphered ones fail their Fire code; unused
dedicated sub-channels carry dummy bursts; the waveform is the continuous GMSK of those bursts."""

import dataclasses
import json

import numpy as np
import pytest

from sensor.coding.softbits import ubits_to_sbits
from sensor.coding.xcch import decode_xcch_bursts
from sensor.dsp.gmsk import GmskState, gmsk_modulate
from sensor.gsm.burst import DUMMY_BURST_UBITS
from sensor.gsm.multiframe import Channel
from sensor.l3.cell import CellParams
from sensor.sim import c0
from sensor.sim.c0 import SLOT_SYMBOLS, C0Config, C0Generator, scheduled_sent, sent_blocks
from sensor.sim.dedicated import frame_use, place
from sensor.sim.traffic import ScheduledBlock, Traffic

BASE = 51 * 2 * 300  # an even 51-multiframe: SACCH sub-channels 0..3 (C4) and 0..3 (C8) come first
SPAN = 204
PARAMS = CellParams(mcc="460", mnc="00", lac=1234, cell_id=77, arfcn=62, neighbours=(60, 64))


def _octets(tn: int, fn: int) -> bytes:
    return bytes([tn, fn >> 16 & 0xFF, fn >> 8 & 0xFF, fn & 0xFF]) + bytes(range(19))


def _schedule(combined: bool, tns: tuple[int, ...], *, every: int = 1, cipher_every: int = 5) -> list[ScheduledBlock]:
    """A block at every ``every``-th place of each channel over four multiframes (the others in the
    second 102-frame cycle), each with its own octets."""
    out = []
    places = 0
    for fn in range(BASE, BASE + SPAN):
        if fn % 51 == 0:
            places = fn // 102 % 2
        for tn in (0, *tns):
            where = place(tn, fn, combined=combined, sdcch8_timeslots=tns)
            if where is None:
                continue
            places += 1
            k = len(out)
            if places % every == 0:
                seed = k if k % cipher_every == 4 else None
                out.append(ScheduledBlock(tn, fn, where[0], where[1], _octets(tn, fn), session=k, keystream_seed=seed))
    return out


def _config(combined: bool, blocks: list[ScheduledBlock], tns: tuple[int, ...] = ()) -> C0Config:
    params = dataclasses.replace(PARAMS, ccch_conf=1 if combined else 0)
    return C0Config.from_params(21, params, traffic=Traffic(blocks), sdcch8_timeslots=tns)


@pytest.mark.parametrize("combined, tns", [(True, ()), (False, (1,)), (True, (3,))])
def test_every_scheduled_block_decodes_where_it_is_scheduled(combined, tns):
    blocks = _schedule(combined, tns, every=2)
    cfg = _config(combined, blocks, tns)
    gen = C0Generator(cfg, first_fn=BASE)
    channels = {(b.channel, b.sub) for b in blocks}
    if tns:
        assert {("SDCCH", s) for s in range(8)} | {("SACCH", s) for s in range(8)} <= channels
    if combined:
        assert {("SDCCH", s) for s in range(4)} | {("SACCH", s) for s in range(4)} <= channels
    ubits = np.stack([[gen.slot_ubits(b.tn, b.first_fn + i) for i in range(4)] for b in blocks])
    decoded = decode_xcch_bursts(ubits_to_sbits(ubits)).frames()
    for b, got in zip(blocks, decoded):
        assert got == (None if b.ciphered else b.octets), b
    assert any(b.ciphered for b in blocks) and not all(b.ciphered for b in blocks)
    # Places the schedule leaves free: dummy bursts on the dedicated channels, the CCCH its own.
    taken = {(b.tn, b.first_fn + i) for b in blocks for i in range(4)}
    for fn in range(BASE, BASE + SPAN):
        for tn in range(8):
            if (tn, fn) in taken:
                continue
            bits = gen.slot_ubits(tn, fn)
            use = frame_use(tn, fn, combined=combined, sdcch8_timeslots=tns)
            if tn == 0:
                assert np.array_equal(bits, gen.ts0_burst(fn)[0])
            if use is None or use.channel in (Channel.SDCCH, Channel.SACCH, Channel.IDLE):
                assert np.array_equal(bits, DUMMY_BURST_UBITS), (tn, fn)


def test_combined_timeslot_0_sends_dummy_bursts_on_its_idle_dedicated_channels():
    gen = C0Generator(_config(True, []), first_fn=BASE)
    for t3 in (*range(22, 26), *range(32, 40), *range(42, 50)):
        assert np.array_equal(gen.ts0_burst(BASE + t3)[0], DUMMY_BURST_UBITS)


def test_truth_lists_what_was_sent():
    blocks = _schedule(False, (1,))
    cfg = _config(False, blocks, (1,))
    ccch = [b for b in blocks if b.channel == "CCCH"]
    truth = sent_blocks(cfg, BASE, SPAN)
    assert all(truth[b.first_fn] == b.octets for b in ccch)
    assert scheduled_sent(cfg, BASE, SPAN) == sorted(blocks, key=lambda b: (b.first_fn, b.tn))
    assert scheduled_sent(cfg, BASE + 2, 20) == [
        b for b in scheduled_sent(cfg, BASE, SPAN) if BASE + 2 <= b.first_fn < BASE + 19
    ]


@pytest.mark.parametrize(
    "block, tns, message",
    [
        (ScheduledBlock(1, BASE + 4, "SDCCH", 0, bytes(23)), (1,), "SDCCH sub-channel 1"),
        (ScheduledBlock(1, BASE + 32, "SACCH", 5, bytes(23)), (1,), "SACCH sub-channel 0"),
        (ScheduledBlock(2, BASE + 4, "SDCCH", 1, bytes(23)), (1,), "no CCCH/SDCCH/SACCH block"),
        (ScheduledBlock(0, BASE + 22, "SDCCH", 0, bytes(23)), (1,), "where the carrier has CCCH$"),
        (ScheduledBlock(0, BASE + 2, "CCCH", None, bytes(23)), (), "no CCCH/SDCCH/SACCH block"),
    ],
)
def test_a_block_where_the_carrier_has_no_such_channel_is_refused(block, tns, message):
    with pytest.raises(ValueError, match=message):
        _config(False, [block], tns)
    with pytest.raises(ValueError, match="timeslots 1-7"):
        _config(False, [], (0,))


@pytest.mark.parametrize("start", [BASE, BASE + 5])  # from a block's start, and in the middle of blocks
def test_frames_are_the_continuous_modulation_of_the_slot_bits(start):
    blocks = _schedule(True, (1, 2, 5), cipher_every=3)
    # the same clear octets twice on one timeslot: the second comes from the LRU of modulated blocks
    first = next(b for b in blocks if b.tn == 2 and not b.ciphered and b.first_fn > start)
    later = next(b for b in blocks if b.tn == 2 and not b.ciphered and b.first_fn > first.first_fn)
    blocks[blocks.index(later)] = dataclasses.replace(later, octets=first.octets)
    cfg = _config(True, blocks, (1, 2, 5))
    n_frames = 60
    gen = C0Generator(cfg, first_fn=start)
    got = np.concatenate([gen.frame() for _ in range(n_frames)])
    ref_gen = C0Generator(cfg, first_fn=start)
    bits = []
    for fn in range(start, start + n_frames):
        for tn, n in enumerate(SLOT_SYMBOLS):
            bits.append(np.concatenate([ref_gen.slot_ubits(tn, fn), np.ones(n - 148, np.uint8)]))
    ref, _ = gmsk_modulate(
        np.concatenate(bits + [np.zeros(3, np.uint8)]), samples_per_symbol=4, state=GmskState(last_bit=1)
    )
    x = got[2 : 2 + len(ref)]
    turn = (x * np.conj(ref[: len(x)]))[20:]
    assert np.ptp(np.angle(turn * np.conj(turn[0]))) < 1e-4


def test_memory_stays_bounded_with_unique_blocks():
    """Thousands of distinct session blocks pass through; the caches keep only what repeats."""
    blocks = []
    for mf in range(40):
        for sub in range(8):
            fn = BASE + 51 * mf + 4 * sub
            blocks.append(ScheduledBlock(1, fn, "SDCCH", sub, _octets(mf, fn), keystream_seed=None if sub % 2 else mf))
    cfg = _config(False, blocks, (1,))
    gen = C0Generator(cfg, first_fn=BASE)
    for _ in range(51 * 40):
        gen.frame()
    assert len(gen._recent) <= c0.SCHEDULED_LRU_BLOCKS and len(gen._due) <= 3 * 8
    own = C0Generator(_config(False, [], (1,)), first_fn=BASE)
    for _ in range(51 * 40):
        own.frame()
    assert len(gen._cache) == len(own._cache)


def test_scene_truth_lists_the_blocks_sent_during_the_recording(tmp_path):
    from sensor.sim.output import write_sigmf
    from sensor.sim.render import SceneRenderer
    from tests.sim.scenes import cell_toml, scene_from, scene_toml

    text = scene_toml(
        947.4e6, 1e6, [cell_toml("a", 62, 21, extra="start_fn = 1020\n"), cell_toml("b", 64, 22)], duration_s=0.2
    )
    scene = scene_from(tmp_path, text)
    assert scene.cells[0].sdcch8_timeslots == (1,)
    inside = ScheduledBlock(1, 1020 + 4, "SDCCH", 1, _octets(1, 1), session=3)
    ciphered = ScheduledBlock(1, 1020 + 32, "SACCH", 0, _octets(1, 2), session=3, keystream_seed=9)
    late = ScheduledBlock(1, 1020 + 51, "SDCCH", 0, _octets(1, 3), session=4)  # after 0.2 s (43 frames)
    traffic = {"a": Traffic([inside, ciphered, late])}
    write_sigmf(scene, tmp_path / "t", traffic=traffic)
    truth = json.loads((tmp_path / "t.sigmf-meta").read_text())["global"]["fbs:scene"]
    a, b = truth["cells"]
    assert (a["dedicated"], a["sdcch8_timeslot"], b["blocks"]) == ("sdcch8", 1, [])
    assert a["blocks"] == [
        {
            "tn": 1,
            "fn": 1024,
            "channel": "SDCCH",
            "sub": 1,
            "octets": inside.octets.hex(),
            "session": 3,
            "ciphered": False,
        },
        {
            "tn": 1,
            "fn": 1052,
            "channel": "SACCH",
            "sub": 0,
            "octets": ciphered.octets.hex(),
            "session": 3,
            "ciphered": True,
        },
    ]
    with pytest.raises(ValueError, match="'zz'"):
        SceneRenderer(scene, traffic={"zz": Traffic()})
