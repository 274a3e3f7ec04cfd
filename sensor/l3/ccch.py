"""CCCH messages (TS 44.018 §9.1): what a cell says on its paging and access grant channels.

The sensor never keeps identities: it only classifies each CCCH block (``classify_ccch``), which is
enough to tell a live network (pages that carry identities) from a catcher (immediate assignments
with nobody paged). The builders are for the simulator and the tests.
"""

from __future__ import annotations

L2_FRAME_LENGTH = 23
FILL = 0x2B  # TS 44.006 §5.2: spare octets of an L2 frame
PD_RR = 0x06
MT_PAGING_1, MT_PAGING_2, MT_PAGING_3 = 0x21, 0x22, 0x24
MT_IMM_ASS, MT_IMM_ASS_EXT, MT_IMM_ASS_REJ = 0x3F, 0x39, 0x3A
NAMES = {MT_PAGING_1: "paging_request_1", MT_PAGING_2: "paging_request_2", MT_PAGING_3: "paging_request_3",
         MT_IMM_ASS: "immediate_assignment", MT_IMM_ASS_EXT: "immediate_assignment_extended",
         MT_IMM_ASS_REJ: "immediate_assignment_reject"}
MI_TYPE_NONE, MI_TYPE_TMSI = 0, 4  # TS 24.008 §10.5.1.4 type of identity


def _frame(body: bytes) -> bytes:
    """L2 pseudo length (§10.5.2.19: length << 2 | 0b01) + body, filled to 23 octets."""
    if len(body) > L2_FRAME_LENGTH - 1:
        raise ValueError("CCCH message too long for one block")
    return (bytes([len(body) << 2 | 1]) + body).ljust(L2_FRAME_LENGTH, bytes([FILL]))


def paging_request_1(tmsi: int | None) -> bytes:
    """Paging Request Type 1 (§9.1.22) for one TMSI; ``None``: the empty page an idle PCH carries."""
    if tmsi is None:
        mi = bytes([1, 0xF0 | MI_TYPE_NONE])
    else:
        mi = bytes([5, 0xF0 | MI_TYPE_TMSI]) + (tmsi & 0xFFFFFFFF).to_bytes(4, "big")
    return _frame(bytes([PD_RR, MT_PAGING_1, 0x00]) + mi)


def immediate_assignment(*, arfcn: int, tn: int, tsc: int, ra: int, fn: int, timing_advance: int = 0) -> bytes:
    """Immediate Assignment (§9.1.18) of an SDCCH/8 subchannel 0 on timeslot ``tn`` (no hopping)."""
    chan = bytes([0b01000 << 3 | (tn & 7), (tsc & 7) << 5 | (arfcn >> 8 & 3), arfcn & 0xFF])  # §10.5.2.5
    t1, t2, t3 = (fn // 1326) % 32, fn % 26, fn % 51  # §10.5.2.38 starting time fields of the request reference
    req = bytes([ra & 0xFF, t1 << 3 | t3 >> 3, (t3 & 7) << 5 | t2])
    body = bytes([PD_RR, MT_IMM_ASS, 0x00]) + chan + req + bytes([timing_advance & 0x3F, 0x00])
    return _frame(body)


def classify_ccch(octets: bytes) -> str | None:
    """The RR message type name of a CCCH block (``paging_request_1_empty`` for an empty page,
    ``other`` for another RR message), or None when it is not an RR message."""
    if len(octets) < 3 or octets[1] & 0x0F != PD_RR:
        return None
    name = NAMES.get(octets[2], "other")
    if octets[2] == MT_PAGING_1 and len(octets) > 5 and octets[5] & 0x07 == MI_TYPE_NONE:
        name = "paging_request_1_empty"
    return name
