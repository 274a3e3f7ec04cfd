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

The header octets (§3), most significant bit first as the spec draws them (bit 8 … bit 1)::

    address field (§3.2)      spare | LPD(2) | SAPI(3) | C/R | EA=1
    control field (§3.4)      I:  N(R)(3) | P   | N(S)(3) | 0
                              S:  N(R)(3) | P/F | S(2)    | 0 1
                              U:  U(3)    | P/F | U(2)    | 1 1
    length indicator (§3.6)   L(6) | M | EL=1
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


class Channel(str, enum.Enum):
    """The logical channels an L2 frame travels on; the frame format follows from the channel (§2.1)."""

    SDCCH = "SDCCH"
    SACCH = "SACCH"
    FACCH = "FACCH"
    BCCH_CCCH = "BCCH/CCCH"


# §5.8.3: the channel group (for N201) of each channel
CHANNEL_GROUP: dict[Channel, ChannelGroup] = {
    Channel.SDCCH: ChannelGroup.DCCH,
    Channel.FACCH: ChannelGroup.DCCH,
    Channel.SACCH: ChannelGroup.SACCH,
    Channel.BCCH_CCCH: ChannelGroup.BCCH_CCCH,
}

# §3.2: address field bits
ADDRESS_EA = 0x01  # bit 1, EA: 1 = the address field is this one octet (0 starts a Bter short L2 header)
ADDRESS_CR = 0x02  # bit 2, C/R
ADDRESS_SAPI_SHIFT, ADDRESS_SAPI_MASK = 2, 0x07  # bits 5-3
ADDRESS_LPD_SHIFT, ADDRESS_LPD_MASK = 5, 0x03  # bits 7-6
ADDRESS_SPARE = 0x80  # bit 8

# §3.3.3: SAPI values in use; §3.2 (Figure 4): LPD values
SAPI_SIGNALLING = 0  # RR, MM and CC signalling
SAPI_SMS = 3  # short message service
LPD_NORMAL = 0
LPD_SMSCB = 1  # SMS cell broadcast (CBCH)

# §3.3.2 Table 1: the C/R bit of commands and responses, by sender
CR_NETWORK_COMMAND = 1
CR_NETWORK_RESPONSE = 0
CR_MS_COMMAND = 0
CR_MS_RESPONSE = 1


class FrameType(str, enum.Enum):
    """§3.8 (Table 4): the commands and responses of LAPDm; LAPDm has no SABME, FRMR or XID."""

    I = "I"
    RR = "RR"
    RNR = "RNR"
    REJ = "REJ"
    SABM = "SABM"
    DM = "DM"
    UI = "UI"
    DISC = "DISC"
    UA = "UA"


# §3.4 Table 3: bit 1 = 0 is an I frame; bits 2-1 = 01 an S frame, 11 a U frame
CONTROL_I_MASK, CONTROL_I = 0x01, 0x00
CONTROL_SU_MASK, CONTROL_S, CONTROL_U = 0x03, 0x01, 0x03
CONTROL_PF = 0x10  # bit 5: P in commands, F in responses
CONTROL_NR_SHIFT = 5  # bits 8-6: N(R) (I and S frames)
CONTROL_NS_SHIFT = 1  # bits 4-2: N(S) (I frames)
CONTROL_S_MASK = 0x0F  # bits 4-1 of an S frame: function and format
CONTROL_U_MASK = 0xEF  # bits 8-6 and 4-1 of a U frame: modifier and format (P/F apart)

# §3.4 Table 3 and §3.8 Table 4: control field of each frame type, P/F, N(S) and N(R) zero
CONTROL_CODE: dict[FrameType, int] = {
    FrameType.I: 0x00,
    FrameType.RR: 0x01,  # S = 00
    FrameType.RNR: 0x05,  # S = 01
    FrameType.REJ: 0x09,  # S = 10
    FrameType.SABM: 0x2F,  # 001P 1111
    FrameType.DM: 0x0F,  # 000F 1111
    FrameType.UI: 0x03,  # 000P 0011
    FrameType.DISC: 0x43,  # 010P 0011
    FrameType.UA: 0x63,  # 011F 0011
}
S_FRAMES = frozenset({FrameType.RR, FrameType.RNR, FrameType.REJ})
U_FRAMES = frozenset({FrameType.SABM, FrameType.DM, FrameType.UI, FrameType.DISC, FrameType.UA})
# §3.8 Table 4: command frames (C/R = CR_*_COMMAND), response frames; S frames are either
COMMANDS = frozenset({FrameType.I, FrameType.SABM, FrameType.UI, FrameType.DISC})
RESPONSES = frozenset({FrameType.UA, FrameType.DM})
# §3.8: frames that may carry an information field (SABM and UA: contention resolution, §5.4.1.4);
# an I frame must carry one
FRAMES_WITH_INFO = frozenset({FrameType.I, FrameType.UI, FrameType.SABM, FrameType.UA})

# §3.6: length indicator bits
LENGTH_EL = 0x01  # bit 1, EL: 1 = the length indicator is this one octet
LENGTH_M = 0x02  # bit 2, M: 1 = more segments of this L3 message follow
LENGTH_L_SHIFT, LENGTH_L_MASK = 2, 0x3F  # bits 8-3: L, the information field's octets

# §3.5.2: sequence numbers N(S), N(R) and the state variables V(S), V(A), V(R) count modulo 8
MODULUS = 8
# §5.8.4: the window size k (outstanding I frames) for SAPI 0 and 3
WINDOW_K = 1
# §5.8.5: the longest L3 message the acknowledged mode carries (segmented over I frames)
MAX_L3_OCTETS = 251

assert N201[(FrameFormat.BBIS, ChannelGroup.BCCH_CCCH)] == FRAME_OCTETS  # Bbis: the whole frame is L3
