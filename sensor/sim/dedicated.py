"""Scheduled blocks on the BCCH carrier: where each may go, and the bursts it goes out as.

Places (TS 45.002 §7 Table 3): on timeslot 0 a CCCH block (combination IV or V), and on a combined
cell (CCCH_CONF 1, combination V) the SDCCH/4 sub-channels 0..3 at T3 = 22, 26, 32, 36 and the
SACCH/C4 sub-channels at T3 = 42, 46 (sub-channels 0, 1 in even and 2, 3 in odd multiframes of
the 102-frame cycle); on a timeslot 1..7 with combination VII the SDCCH/8 sub-channels 0..7 at
T3 = 0, 4, .., 28 and the SACCH/C8 sub-channels at T3 = 32, 36, 40, 44 (0..3 in even, 4..7 in odd
multiframes). A block scheduled anywhere else is an error of whoever made the schedule.

Bursts: TS 45.003 §4.1 coding, then for a ciphered block each burst's 114 data bits XORed with
the A5/1 downlink keystream of its frame (TS 43.020; ``a51.py``), with the session's key drawn
from the block's ``keystream_seed``. Stealing flags and training sequence stay in clear.
"""

from __future__ import annotations

import numpy as np

from sensor.coding.xcch import encode_xcch
from sensor.gsm import multiframe, tdma
from sensor.gsm.burst import assemble_normal_bursts
from sensor.gsm.multiframe import Channel, FrameUse
from sensor.sim.a51 import downlink_keystream, session_key
from sensor.sim.traffic import ScheduledBlock, Traffic

SDCCH8_TIMESLOTS = range(1, 8)  # combination VII may sit on any timeslot of C0 but 0


def frame_use(tn: int, fn: int, *, combined: bool, sdcch8_timeslots: tuple[int, ...]) -> FrameUse | None:
    """What timeslot ``tn`` of the BCCH carrier carries in frame ``fn``; None for a timeslot
    without control channels (dummy bursts)."""
    t3 = fn % tdma.FRAMES_PER_51_MULTIFRAME
    if tn == 0:
        return multiframe.frame_use(t3, combined=combined)
    if tn in sdcch8_timeslots:
        return multiframe.sdcch8_frame_use(t3)
    return None


def place(
    tn: int, first_fn: int, *, combined: bool, sdcch8_timeslots: tuple[int, ...]
) -> tuple[str, int | None] | None:
    """(channel, sub-channel) of the CCCH, SDCCH or SACCH block that starts at frame ``first_fn`` on
    timeslot ``tn``; None if no such block starts there."""
    use = frame_use(tn, first_fn, combined=combined, sdcch8_timeslots=sdcch8_timeslots)
    if use is None or use.burst != 0 or use.block is None:
        return None
    if use.channel is Channel.CCCH:
        return "CCCH", None
    if use.channel is Channel.SDCCH:
        return "SDCCH", use.block.index
    if use.channel is Channel.SACCH:
        sub = multiframe.sacch_c4_subchannel(first_fn) if tn == 0 else multiframe.sacch_c8_subchannel(first_fn)
        return "SACCH", sub
    return None


def check_traffic(traffic: Traffic, *, combined: bool, sdcch8_timeslots: tuple[int, ...]) -> None:
    """ValueError naming the first block scheduled where the carrier has no such channel."""
    for b in traffic.between(0, tdma.HYPERFRAME_FRAMES):
        want = place(b.tn, b.first_fn, combined=combined, sdcch8_timeslots=sdcch8_timeslots)
        if want != (b.channel, b.sub):
            where = "no CCCH/SDCCH/SACCH block" if want is None else _name(*want)
            raise ValueError(
                f"a block for {_name(b.channel, b.sub)} is scheduled on timeslot {b.tn} at FN {b.first_fn}, "
                f"where the carrier has {where}"
            )


def _name(channel: str, sub: int | None) -> str:
    return channel if sub is None else f"{channel} sub-channel {sub}"


def block_bursts(block: ScheduledBlock, *, tsc: int) -> np.ndarray:
    """The four 148-bit bursts (4, 148) of ``block``: coded, ciphered if it is, with training sequence ``tsc``."""
    coded = encode_xcch(block.octets)
    data = coded.data_ubits
    if block.keystream_seed is not None:
        key = session_key(block.keystream_seed)
        fn0 = block.first_fn
        stream = np.stack([downlink_keystream(key, (fn0 + b) % tdma.HYPERFRAME_FRAMES) for b in range(4)])
        data = data ^ stream[None]
    return assemble_normal_bursts(data, coded.stealing_ubits, tsc=tsc)[0]
