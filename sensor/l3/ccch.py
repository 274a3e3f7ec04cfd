"""CCCH messages (TS 44.018 §9.1): what a cell says on its paging and access grant channels.

The sensor never keeps identities: it only classifies each CCCH block (``classify_ccch``), which is
enough to tell a live network (pages that carry identities) from a catcher (immediate assignments
with nobody paged). The builders are for the simulator and the tests.

Example, a real Paging Request Type 1 (captures/README.md, gsmsp 941.0 MHz, 2007)::

    25              L2 pseudo length 9
    06 21           RR, Paging Request Type 1
    20              channel needed: 00 second, 10 first (TCH/F) | spare 0, page mode 00 (normal paging)
    05 f4 2e 02 0e 94   Mobile Identity 1: length 5, type 4 (TMSI): 2e020e94 (classified, not kept)
    2b ...          rest octets / fill
"""

from __future__ import annotations

from sensor.l2.ts44006 import FILL_OCTET, FRAME_OCTETS

from . import keys
from .ts24007 import PD_RR
from .ts24008 import MobileIdentityType
from .ts44018 import RRMessageType, l2_pseudo_length_octet

NAMES = {
    RRMessageType.PAGING_REQUEST_1: keys.PAGING_REQUEST_1,
    RRMessageType.PAGING_REQUEST_2: keys.PAGING_REQUEST_2,
    RRMessageType.PAGING_REQUEST_3: keys.PAGING_REQUEST_3,
    RRMessageType.IMMEDIATE_ASSIGNMENT: keys.IMMEDIATE_ASSIGNMENT,
    RRMessageType.IMMEDIATE_ASSIGNMENT_EXTENDED: keys.IMMEDIATE_ASSIGNMENT_EXTENDED,
    RRMessageType.IMMEDIATE_ASSIGNMENT_REJECT: keys.IMMEDIATE_ASSIGNMENT_REJECT,
}


def _frame(body: bytes) -> bytes:
    """L2 pseudo length (§10.5.2.19: length << 2 | 0b01) + body, filled to 23 octets."""
    if len(body) > FRAME_OCTETS - 1:
        raise ValueError("CCCH message too long for one block")
    return (bytes([l2_pseudo_length_octet(len(body))]) + body).ljust(FRAME_OCTETS, bytes([FILL_OCTET]))


def paging_request_1(tmsi: int | None) -> bytes:
    """Paging Request Type 1 (§9.1.22) for one TMSI; ``None``: the empty page an idle PCH carries."""
    if tmsi is None:
        mi = bytes([1, 0xF0 | MobileIdentityType.NONE])
    else:
        mi = bytes([5, 0xF0 | MobileIdentityType.TMSI]) + (tmsi & 0xFFFFFFFF).to_bytes(4, "big")
    return _frame(bytes([PD_RR, RRMessageType.PAGING_REQUEST_1, 0x00]) + mi)


def immediate_assignment(*, arfcn: int, tn: int, tsc: int, ra: int, fn: int, timing_advance: int = 0) -> bytes:
    """Immediate Assignment (§9.1.18) of an SDCCH/8 subchannel 0 on timeslot ``tn`` (no hopping)."""
    chan = bytes([0b01000 << 3 | (tn & 7), (tsc & 7) << 5 | (arfcn >> 8 & 3), arfcn & 0xFF])  # §10.5.2.5
    t1, t2, t3 = (fn // 1326) % 32, fn % 26, fn % 51  # §10.5.2.38 starting time fields of the request reference
    req = bytes([ra & 0xFF, t1 << 3 | t3 >> 3, (t3 & 7) << 5 | t2])
    body = bytes([PD_RR, RRMessageType.IMMEDIATE_ASSIGNMENT, 0x00]) + chan + req + bytes([timing_advance & 0x3F, 0x00])
    return _frame(body)


def classify_ccch(octets: bytes) -> str | None:
    """The RR message type name of a CCCH block (``paging_request_1_empty`` for an empty page,
    ``other`` for another RR message), or None when it is not an RR message."""
    if len(octets) < 3 or octets[1] & 0x0F != PD_RR:
        return None
    name = NAMES.get(octets[2], keys.OTHER_RR)
    if octets[2] == RRMessageType.PAGING_REQUEST_1 and len(octets) > 5 and octets[5] & 0x07 == MobileIdentityType.NONE:
        name = keys.PAGING_REQUEST_1_EMPTY
    return name
