"""Constants of TS 44.006 (Mobile Station - Base Station System interface, data link layer), clause by clause.

Every L2 frame on a GSM control channel is one 184-bit block (TS 45.003 §4.1): 23 octets on the
BCCH, CCCH, SDCCH and FACCH, 21 on the SACCH after its 2-octet L1 header (TS 44.004 §7). What the
frame carries and where its information field ends depends on the frame format (§2.1, §5):

=======  ========================================  ==============================
format   header                                    used on
=======  ========================================  ==============================
A, B     address, control, length indicator        SDCCH, FACCH, SACCH
Bbis     none (the L2 pseudo length of L3 instead)  BCCH, PCH, AGCH, NCH
Bter     none (short L2 header of L3)              SDCCH, FACCH, SACCH
B4       address, control                          SACCH (SI5/SI6 ...)
=======  ========================================  ==============================

Octets after the information field are fill octets 0x2B (§5.2).
"""

from __future__ import annotations

import enum

# §5.1, TS 45.003 §4.1: octets of one L2 frame on the BCCH, CCCH, SDCCH and FACCH (184 bits)
FRAME_OCTETS = 23
# §5.1, TS 44.004 §7.1: octets of one L2 frame on the SACCH, after the 2-octet L1 header
SACCH_FRAME_OCTETS = 21

# §5.2: the fill octet "0010 1011" after the information field; TS 44.018 §10.5.2 (rest octets) and
# TS 24.007 CSN.1 spare padding take their L/H bit values from it
FILL_OCTET = 0x2B


class FrameFormat(str, enum.Enum):
    """Frame formats (§2.1, §5.1)."""

    A = "A"
    B = "B"
    BBIS = "Bbis"
    BTER = "Bter"
    B4 = "B4"


class ChannelGroup(str, enum.Enum):
    """The channels that differ in N201 (§5.8.3)."""

    DCCH = "SDCCH/FACCH"
    SACCH = "SACCH"
    BCCH_CCCH = "BCCH/CCCH"


# §5.8.3: N201, the maximum number of octets of the information field, per format and channel group
N201: dict[tuple[FrameFormat, ChannelGroup], int] = {
    (FrameFormat.A, ChannelGroup.DCCH): 20,
    (FrameFormat.A, ChannelGroup.SACCH): 18,
    (FrameFormat.B, ChannelGroup.DCCH): 20,
    (FrameFormat.B, ChannelGroup.SACCH): 18,
    (FrameFormat.BBIS, ChannelGroup.BCCH_CCCH): 23,
    (FrameFormat.BTER, ChannelGroup.DCCH): 23,
    (FrameFormat.BTER, ChannelGroup.SACCH): 21,
    (FrameFormat.B4, ChannelGroup.DCCH): 21,
    (FrameFormat.B4, ChannelGroup.SACCH): 19,
}

assert N201[(FrameFormat.BBIS, ChannelGroup.BCCH_CCCH)] == FRAME_OCTETS  # Bbis: the whole frame is L3
