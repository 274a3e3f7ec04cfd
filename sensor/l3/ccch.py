"""CCCH messages (TS 44.018 §9.1): what a cell says on its paging and access grant channels.

The sensor never keeps identities: it only classifies each CCCH block (``classify_ccch``), which is
enough to tell a live network (pages that carry identities) from a catcher (immediate assignments
with nobody paged). The builders are for the simulator and the tests; they fill the messages
declared in :mod:`.rr_ccch` (decode any CCCH block with ``dispatch.decode_l3(block, pseudo_length=True)``).

Example, a real Paging Request Type 1 (captures/README.md, gsmsp 941.0 MHz, 2007)::

    25              L2 pseudo length 9
    06 21           RR, Paging Request Type 1
    20              channel needed: 00 second, 10 first (TCH/F) | spare 0, page mode 00 (normal paging)
    05 f4 2e 02 0e 94   Mobile Identity 1: length 5, type 4 (TMSI): 2e020e94 (classified, not kept)
    2b ...          rest octets / fill
"""

from __future__ import annotations

from . import keys
from .ie import ChannelDescription
from .ie_mm import MobileIdentity
from .ie_rr import RequestReference
from .rr_ccch import ImmediateAssignment, PagingRequest1
from .ts24007 import PD_RR
from .ts24008 import MobileIdentityType
from .ts44018 import RRMessageType

NAMES = {
    RRMessageType.PAGING_REQUEST_1: keys.PAGING_REQUEST_1,
    RRMessageType.PAGING_REQUEST_2: keys.PAGING_REQUEST_2,
    RRMessageType.PAGING_REQUEST_3: keys.PAGING_REQUEST_3,
    RRMessageType.IMMEDIATE_ASSIGNMENT: keys.IMMEDIATE_ASSIGNMENT,
    RRMessageType.IMMEDIATE_ASSIGNMENT_EXTENDED: keys.IMMEDIATE_ASSIGNMENT_EXTENDED,
    RRMessageType.IMMEDIATE_ASSIGNMENT_REJECT: keys.IMMEDIATE_ASSIGNMENT_REJECT,
}
SDCCH8_SUB_0 = 0b01000  # TS 44.018 §10.5.2.5 Table 10.5.2.5.1: SDCCH/8 sub-channel 0


def paging_request_1(tmsi: int | None) -> bytes:
    """Paging Request Type 1 (§9.1.22) for one TMSI; ``None``: the empty page an idle PCH carries."""
    identity = MobileIdentity.none() if tmsi is None else MobileIdentity.of_tmsi(tmsi & 0xFFFFFFFF)
    return PagingRequest1(identity).to_l2()


def immediate_assignment(*, arfcn: int, tn: int, tsc: int, ra: int, fn: int, timing_advance: int = 0) -> bytes:
    """Immediate Assignment (§9.1.18) of an SDCCH/8 subchannel 0 on timeslot ``tn`` (no hopping)."""
    channel = ChannelDescription(SDCCH8_SUB_0, tn & 7, tsc & 7, arfcn=arfcn & 0x3FF)
    return ImmediateAssignment(channel, RequestReference.from_fn(ra & 0xFF, fn), timing_advance & 0x3F).to_l2()


def classify_ccch(octets: bytes) -> str | None:
    """The RR message type name of a CCCH block (``paging_request_1_empty`` for an empty page,
    ``other`` for another RR message), or None when it is not an RR message."""
    if len(octets) < 3 or octets[1] & 0x0F != PD_RR:
        return None
    name = NAMES.get(octets[2], keys.OTHER_RR)
    if octets[2] == RRMessageType.PAGING_REQUEST_1 and len(octets) > 5 and octets[5] & 0x07 == MobileIdentityType.NONE:
        name = keys.PAGING_REQUEST_1_EMPTY
    return name
