"""A cell's dedicated channels over a scene: each phone's access answered on the CCCH, a free SDCCH
sub-channel assigned, its session's frames laid on that sub-channel's blocks (and SI5/SI6 on its
SACCH), the sub-channel freed at the end; and the ground truth of every session and SMS.

Where the blocks are: the dedicated control channels of combination V (SDCCH/4 + SACCH/C4 on
timeslot 0 of a combined cell) or VII (SDCCH/8 + SACCH/C8 on one timeslot of a non-combined cell),
TS 45.002 §7 Table 3 (``gsm.multiframe``). The Immediate Assignment (TS 44.018 §9.1.18) goes in the
first free CCCH block at least ``ASSIGNMENT_DELAY_FRAMES`` after the access; with every
sub-channel busy the access gets an Immediate Assignment Reject (§9.1.20) with a wait indication,
and the phone tries once more when it has waited.

A session holds its sub-channel from the assignment to its last frame: every SDCCH block carries one
frame of the procedure (``sim.procedure``) or the UI fill frame, every SACCH block SI5 or SI6 with
the L1 header (the phone's timing advance). Blocks the schedule does not name stay dummy bursts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sensor.gsm import multiframe, tdma
from sensor.gsm.multiframe import Channel as MfChannel
from sensor.l2.sender import DownlinkLink
from sensor.l2.ts44006 import Channel
from sensor.l3.cell import CellParams
from sensor.l3.ie import ChannelDescription
from sensor.l3.ie_rr import RequestReference
from sensor.l3.rr_ccch import ImmediateAssignment, ImmediateAssignmentReject
from sensor.sim.procedure import fill_block, sacch_block, sacch_messages, timing_advance
from sensor.sim.traffic import ScheduledBlock, Traffic

# Frames between the access burst and the earliest CCCH block that can answer it (the BTS decodes the
# burst and the network allocates a channel: a few frames)
ASSIGNMENT_DELAY_FRAMES = 3
# TS 44.018 §10.5.2.5 Table 10.5.2.5.1: channel type and TDMA offset codes
SDCCH4_CODE = 0b00100  # 0 0 1 T T: SDCCH/4 + SACCH/C4, sub-channel TT
SDCCH8_CODE = 0b01000  # 0 1 T T T: SDCCH/8 + SACCH/C8, sub-channel TTT
# T3122 the reject asks the phone to wait (TS 44.018 §10.5.2.43), seconds
REJECT_WAIT_S = 5
# A sub-channel is given out again this many frames after its last block (the BTS's release guard)
RELEASE_GUARD_FRAMES = 51


@dataclass(frozen=True, slots=True)
class Layout:
    """Where a cell's dedicated control channels are: combined TS0 (SDCCH/4) or SDCCH/8 on ``tn``."""

    combined: bool
    tn: int  # 0 for SDCCH/4
    arfcn: int
    tsc: int

    @property
    def subchannels(self) -> int:
        return 4 if self.combined else 8

    @property
    def name(self) -> str:
        return "SDCCH/4" if self.combined else "SDCCH/8"

    def channel_description(self, sub: int) -> ChannelDescription:
        code = (SDCCH4_CODE if self.combined else SDCCH8_CODE) | sub
        return ChannelDescription(code, self.tn, self.tsc, arfcn=self.arfcn)

    def _use(self, fn: int) -> multiframe.FrameUse:
        t3 = fn % tdma.FRAMES_PER_51_MULTIFRAME
        return multiframe.frame_use(t3, combined=True) if self.combined else multiframe.sdcch8_frame_use(t3)

    def sdcch_blocks(self, sub: int, from_fn: int) -> Iterator[int]:
        """First FNs of the sub-channel's SDCCH blocks from ``from_fn`` on."""
        return self._blocks(from_fn, lambda fn, use: use.channel is MfChannel.SDCCH and use.block.index == sub)

    def sacch_blocks(self, sub: int, from_fn: int) -> Iterator[int]:
        """First FNs of the sub-channel's SACCH blocks from ``from_fn`` on."""
        which = multiframe.sacch_c4_subchannel if self.combined else multiframe.sacch_c8_subchannel
        return self._blocks(from_fn, lambda fn, use: use.channel is MfChannel.SACCH and which(fn) == sub)

    def _blocks(self, from_fn: int, wanted: Callable[[int, Any], bool]) -> Iterator[int]:
        fn = from_fn
        while True:
            use = self._use(fn)
            if use.burst == 0 and use.block is not None and wanted(fn, use):
                yield fn
            fn += 1


def ccch_blocks(combined: bool, from_fn: int) -> Iterator[int]:
    """First FNs of timeslot 0's CCCH blocks from ``from_fn`` on (TS 45.002 §7 Table 3)."""
    fn = from_fn
    while True:
        block = multiframe.block_starting_at(fn, combined=combined)
        if block is not None and block.channel is MfChannel.CCCH:
            yield fn
        fn += 1


@dataclass(slots=True)
class Schedule:
    """What a scheduler made: the blocks, and the truth of the sessions and SMS."""

    blocks: list[ScheduledBlock] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    sms: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)

    def traffic(self) -> Traffic:
        return Traffic(self.blocks)


class Allocator:
    """CCCH blocks and sub-channels of one cell, handed out in time order."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.ccch_taken: set[int] = set()
        self.free_at = [0] * layout.subchannels  # FN from which each sub-channel is free

    def ccch_block(self, from_fn: int) -> int:
        for fn in ccch_blocks(self.layout.combined, from_fn):
            if fn not in self.ccch_taken:
                self.ccch_taken.add(fn)
                return fn
        raise AssertionError("unreachable: the CCCH never ends")

    def subchannel(self, at_fn: int) -> int | None:
        free = [s for s, f in enumerate(self.free_at) if f <= at_fn]
        return None if not free else free[0]


def fn_at(start_fn: int, t_s: float) -> int:
    """The cell's frame number at scene time ``t_s`` (its first frame at time 0 is ``start_fn``)."""
    return start_fn + int(t_s / tdma.FRAME_DURATION_S)


def assign(
    alloc: Allocator, out: Schedule, *, access_fn: int, ra: int, distance_m: float | None, label: str
) -> tuple[int, int] | None:
    """Answer one access: (sub-channel, FN of the Immediate Assignment), or None after a reject."""
    ia_fn = alloc.ccch_block(access_fn + ASSIGNMENT_DELAY_FRAMES)
    sub = alloc.subchannel(ia_fn)
    ref = RequestReference.from_fn(ra, access_fn)
    if sub is None:
        reject = ImmediateAssignmentReject(
            ref, REJECT_WAIT_S, ref, REJECT_WAIT_S, ref, REJECT_WAIT_S, ref, REJECT_WAIT_S
        ).to_l2()
        out.blocks.append(ScheduledBlock(0, ia_fn, "CCCH", None, reject))
        out.rejects.append({"fn": ia_fn, "ra": ra, "phone": label})
        return None
    ia = ImmediateAssignment(
        channel_description=alloc.layout.channel_description(sub),
        request_reference=ref,
        timing_advance=timing_advance(distance_m),
    ).to_l2()
    out.blocks.append(ScheduledBlock(0, ia_fn, "CCCH", None, ia))
    return sub, ia_fn


def lay_session(
    alloc: Allocator,
    out: Schedule,
    *,
    session: int,
    sub: int,
    ia_fn: int,
    frames: list[bytes | None],
    cell: CellParams,
    ta: int,
    ciphered_from: int | None = None,
    keystream_seed: int | None = None,
) -> list[int]:
    """The session's SDCCH frames (None: fill) on its sub-channel's blocks after the assignment, SI5/SI6
    on its SACCH meanwhile; frames from index ``ciphered_from`` on (and the SACCH from then) ciphered.
    Returns the first FN of each frame's block."""
    layout = alloc.layout
    fill = fill_block()
    fns: list[int] = []
    blocks = layout.sdcch_blocks(sub, ia_fn + 4)
    for i, octets in enumerate(frames):
        fn = next(blocks)
        fns.append(fn)
        cipher = keystream_seed if ciphered_from is not None and i >= ciphered_from else None
        out.blocks.append(ScheduledBlock(layout.tn, fn, "SDCCH", sub, octets or fill, session, cipher))
    si5, si6 = sacch_messages(cell)
    cipher_fn = fns[ciphered_from] if ciphered_from is not None and ciphered_from < len(fns) else None
    for k, fn in enumerate(layout.sacch_blocks(sub, ia_fn + 4)):
        if fn > fns[-1]:
            break
        octets = sacch_block(si5 if k % 2 == 0 else si6, timing_advance_symbols=ta)
        cipher = keystream_seed if cipher_fn is not None and fn >= cipher_fn else None
        out.blocks.append(ScheduledBlock(layout.tn, fn, "SACCH", sub, octets, session, cipher))
    alloc.free_at[sub] = fns[-1] + 4 + RELEASE_GUARD_FRAMES
    return fns


def frames_of(steps: list[Any], channel: Channel = Channel.SDCCH) -> list[bytes | None]:
    """The 23-octet blocks of a plan's steps (None where the procedure idles)."""
    link = DownlinkLink(channel)
    return [None if st.frame is None else link.block(st.frame) for st in steps]
