"""The 51-multiframes of the control channels, as data (TS 45.002 §7 Table 3, §6.3–6.5).

Two channel combinations can sit on timeslot 0 of the BCCH carrier (TS 45.002 §6.4.1):

* combination IV, "non-combined": FCCH + SCH + BCCH + CCCH (nine CCCH blocks);
* combination V, "combined": FCCH + SCH + BCCH + CCCH + SDCCH/4(0..3) + SACCH/C4(0..3) (three CCCH
  blocks). SI3's CCCH_CONF = 1 says a cell uses it.

A cell with combination IV on timeslot 0 puts its dedicated control channels on another timeslot
(usually 1) as combination VII, SDCCH/8(0..7) + SACCH/C8(0..7): ``sdcch8_frame_use``.

Each 4-burst block is one ``Block``: its channel, its index (CCCH block number, SDCCH/4 sub-channel,
or for SACCH/C4 the block's position 0/1, see ``sacch_c4_subchannel``) and the T3 = FN mod 51 of its
first burst. ``frame_use(t3, combined=...)`` answers for each of the 51 frames.

BCCH Ext (TS 45.002 §6.3.1.3 and Table 3 note): when SI3 announces it, the BCCH Ext occupies the
first CCCH block (T3 = 6..9) of those multiframes in which it is sent; that block then is not CCCH.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .tdma import FRAMES_PER_51_MULTIFRAME


class Channel(str, enum.Enum):
    FCCH = "FCCH"
    SCH = "SCH"
    BCCH = "BCCH"
    CCCH = "CCCH"
    SDCCH = "SDCCH"
    SACCH = "SACCH"
    IDLE = "IDLE"


@dataclass(frozen=True, slots=True)
class Block:
    """A 4-burst block in the 51-multiframe: channel, index, T3 of its first burst."""

    channel: Channel
    index: int
    first_t3: int

    @property
    def t3s(self) -> range:
        return range(self.first_t3, self.first_t3 + 4)


@dataclass(frozen=True, slots=True)
class FrameUse:
    """What one frame of the 51-multiframe carries on timeslot 0.

    ``block`` is the 4-burst block the frame belongs to (None for FCCH, SCH and idle frames) and
    ``burst`` the frame's burst number 0..3 within that block.
    """

    channel: Channel
    block: Block | None
    burst: int | None


# TS 45.002 §7 Table 3: FCCH at T3 = 0, 10, 20, 30, 40; SCH one frame later; frame 50 idle.
FCCH_T3 = (0, 10, 20, 30, 40)
SCH_T3 = (1, 11, 21, 31, 41)
IDLE_T3 = (50,)

# TS 45.002 §7 Table 3, channel combination IV (FCCH + SCH + BCCH + CCCH), downlink timeslot 0.
NON_COMBINED_BLOCKS: tuple[Block, ...] = (
    Block(Channel.BCCH, 0, 2),
    Block(Channel.CCCH, 0, 6),
    Block(Channel.CCCH, 1, 12),
    Block(Channel.CCCH, 2, 16),
    Block(Channel.CCCH, 3, 22),
    Block(Channel.CCCH, 4, 26),
    Block(Channel.CCCH, 5, 32),
    Block(Channel.CCCH, 6, 36),
    Block(Channel.CCCH, 7, 42),
    Block(Channel.CCCH, 8, 46),
)

# TS 45.002 §7 Table 3, channel combination V (FCCH + SCH + BCCH + CCCH + SDCCH/4 + SACCH/C4).
# The two SACCH/C4 blocks alternate over a 102-frame cycle: see SACCH_C4_SUBCHANNELS.
COMBINED_BLOCKS: tuple[Block, ...] = (
    Block(Channel.BCCH, 0, 2),
    Block(Channel.CCCH, 0, 6),
    Block(Channel.CCCH, 1, 12),
    Block(Channel.CCCH, 2, 16),
    Block(Channel.SDCCH, 0, 22),
    Block(Channel.SDCCH, 1, 26),
    Block(Channel.SDCCH, 2, 32),
    Block(Channel.SDCCH, 3, 36),
    Block(Channel.SACCH, 0, 42),
    Block(Channel.SACCH, 1, 46),
)

# TS 45.002 §7 Table 3 (combination V): SACCH/C4 sub-channel carried by the SACCH block at
# position [block index] in the [(FN div 51) mod 2]-th multiframe of the 102-frame cycle:
# FN mod 102 = 42..45 → 0, 46..49 → 1, 93..96 → 2, 97..100 → 3.
SACCH_C4_SUBCHANNELS = ((0, 1), (2, 3))

# TS 45.002 §7 Table 3, channel combination VII (SDCCH/8 + SACCH/C8), downlink: eight SDCCH blocks,
# then four SACCH blocks that carry sub-channels 0..3 in even and 4..7 in odd multiframes of the
# 102-frame cycle (SACCH_C8_SUBCHANNELS); frames 48-50 idle.
SDCCH8_BLOCKS: tuple[Block, ...] = tuple(Block(Channel.SDCCH, sub, 4 * sub) for sub in range(8)) + tuple(
    Block(Channel.SACCH, pos, 32 + 4 * pos) for pos in range(4)
)
SDCCH8_IDLE_T3 = (48, 49, 50)
SACCH_C8_SUBCHANNELS = ((0, 1, 2, 3), (4, 5, 6, 7))

# First CCCH block, reused by the BCCH Ext when present (TS 45.002 §6.3.1.3).
BCCH_EXT_FIRST_T3 = 6

# Number of CCCH blocks per 51-multiframe on timeslot 0 (TS 45.002 §6.5.1, §7 Table 3)
CCCH_BLOCKS_NON_COMBINED = 9
CCCH_BLOCKS_COMBINED = 3


def blocks(*, combined: bool) -> tuple[Block, ...]:
    """The 4-burst blocks of timeslot 0 in a 51-multiframe, in time order."""
    return COMBINED_BLOCKS if combined else NON_COMBINED_BLOCKS


def _expand(
    block_list: tuple[Block, ...],
    fixed: tuple[tuple[Channel, tuple[int, ...]], ...] = (
        (Channel.FCCH, FCCH_T3),
        (Channel.SCH, SCH_T3),
        (Channel.IDLE, IDLE_T3),
    ),
) -> tuple[FrameUse, ...]:
    table: list[FrameUse | None] = [None] * FRAMES_PER_51_MULTIFRAME
    for channel, t3s in fixed:
        for t in t3s:
            table[t] = FrameUse(channel, None, None)
    for blk in block_list:
        for burst, t in enumerate(blk.t3s):
            if table[t] is not None:
                raise AssertionError(f"T3 {t} mapped twice")
            table[t] = FrameUse(blk.channel, blk, burst)
    if any(entry is None for entry in table):
        raise AssertionError("51-multiframe table has unmapped frames")
    return tuple(entry for entry in table if entry is not None)


NON_COMBINED_FRAMES: tuple[FrameUse, ...] = _expand(NON_COMBINED_BLOCKS)
COMBINED_FRAMES: tuple[FrameUse, ...] = _expand(COMBINED_BLOCKS)
SDCCH8_FRAMES: tuple[FrameUse, ...] = _expand(SDCCH8_BLOCKS, ((Channel.IDLE, SDCCH8_IDLE_T3),))

_BLOCK_BY_FIRST_T3 = {
    False: {b.first_t3: b for b in NON_COMBINED_BLOCKS},
    True: {b.first_t3: b for b in COMBINED_BLOCKS},
}


def frame_use(t3: int, *, combined: bool) -> FrameUse:
    """What frame T3 (0..50) of the 51-multiframe carries on timeslot 0."""
    return (COMBINED_FRAMES if combined else NON_COMBINED_FRAMES)[int(t3) % FRAMES_PER_51_MULTIFRAME]


def block_starting_at(fn: int, *, combined: bool) -> Block | None:
    """The block whose first burst is frame ``fn`` on timeslot 0, or None if no block starts there."""
    return _BLOCK_BY_FIRST_T3[combined].get(int(fn) % FRAMES_PER_51_MULTIFRAME)


def block_first_fn(fn: int, *, combined: bool) -> int | None:
    """The FN of the first burst of the block that frame ``fn`` belongs to (None for FCCH/SCH/idle).

    Never crosses a 51-multiframe boundary (no block does), so plain subtraction is safe except at
    the hyperframe wrap, where FN 0 starts a multiframe anyway.
    """
    use = frame_use(int(fn) % FRAMES_PER_51_MULTIFRAME, combined=combined)
    if use.burst is None:
        return None
    return int(fn) - use.burst


def sacch_c4_subchannel(fn: int) -> int | None:
    """The SACCH/C4 sub-channel (0..3) carried by frame ``fn`` in combination V, or None if not SACCH."""
    use = frame_use(int(fn) % FRAMES_PER_51_MULTIFRAME, combined=True)
    if use.channel is not Channel.SACCH or use.block is None:
        return None
    return SACCH_C4_SUBCHANNELS[(int(fn) // FRAMES_PER_51_MULTIFRAME) % 2][use.block.index]


def is_agch_reserved(ccch_block: int, *, bs_ag_blks_res: int) -> bool:
    """True if CCCH block ``ccch_block`` is reserved for AGCH (the first BS_AG_BLKS_RES blocks).

    TS 45.002 §6.5.1: the blocks reserved for access grant are the first
    BS_AG_BLKS_RES CCCH blocks of the 51-multiframe; the others are paging blocks (which may
    also carry AGCH when no paging is pending).
    """
    return 0 <= int(ccch_block) < int(bs_ag_blks_res)


def sdcch8_frame_use(t3: int) -> FrameUse:
    """What frame T3 (0..50) of the 51-multiframe carries on a timeslot with combination VII."""
    return SDCCH8_FRAMES[int(t3) % FRAMES_PER_51_MULTIFRAME]


def sacch_c8_subchannel(fn: int) -> int | None:
    """The SACCH/C8 sub-channel (0..7) carried by frame ``fn`` in combination VII, or None if not SACCH."""
    use = sdcch8_frame_use(int(fn) % FRAMES_PER_51_MULTIFRAME)
    if use.channel is not Channel.SACCH or use.block is None:
        return None
    return SACCH_C8_SUBCHANNELS[(int(fn) // FRAMES_PER_51_MULTIFRAME) % 2][use.block.index]
