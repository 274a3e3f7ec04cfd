"""Constants of TS 44.018 (RR protocol) used so far, clause by clause: message types, the System
Information types and their L2 pseudo lengths, IEIs, the L2 pseudo length octet."""

from __future__ import annotations

import enum


class RRMessageType(enum.IntEnum):
    """§10.4 Table 10.4.1: message types of the RR messages we read or build (octet 2 of the message)."""

    SYSTEM_INFORMATION_13 = 0x00
    SYSTEM_INFORMATION_2BIS = 0x02
    SYSTEM_INFORMATION_2TER = 0x03
    SYSTEM_INFORMATION_9 = 0x04
    SYSTEM_INFORMATION_2QUATER = 0x07
    SYSTEM_INFORMATION_8 = 0x18
    SYSTEM_INFORMATION_1 = 0x19
    SYSTEM_INFORMATION_2 = 0x1A
    SYSTEM_INFORMATION_3 = 0x1B
    SYSTEM_INFORMATION_4 = 0x1C
    SYSTEM_INFORMATION_7 = 0x1F
    SYSTEM_INFORMATION_5BIS = 0x05
    SYSTEM_INFORMATION_5TER = 0x06
    SYSTEM_INFORMATION_5 = 0x1D
    SYSTEM_INFORMATION_6 = 0x1E
    CHANNEL_RELEASE = 0x0D
    CLASSMARK_CHANGE = 0x16
    ASSIGNMENT_COMMAND = 0x2E
    PAGING_RESPONSE = 0x27
    CIPHERING_MODE_COMPLETE = 0x32
    CIPHERING_MODE_COMMAND = 0x35
    PAGING_REQUEST_1 = 0x21
    PAGING_REQUEST_2 = 0x22
    PAGING_REQUEST_3 = 0x24
    IMMEDIATE_ASSIGNMENT_EXTENDED = 0x39
    IMMEDIATE_ASSIGNMENT_REJECT = 0x3A
    IMMEDIATE_ASSIGNMENT = 0x3F


class SacchSIType(str, enum.Enum):
    """System Information types sent on the SACCH in B4 frames (§9.1.37-§9.1.40)."""

    SI5 = "5"
    SI5BIS = "5bis"
    SI5TER = "5ter"
    SI6 = "6"


# §9.1.37-§9.1.40: message type and L2 pseudo length of each SACCH SI type
SACCH_MESSAGE_TYPE: dict[SacchSIType, RRMessageType] = {
    SacchSIType.SI5: RRMessageType.SYSTEM_INFORMATION_5,
    SacchSIType.SI5BIS: RRMessageType.SYSTEM_INFORMATION_5BIS,
    SacchSIType.SI5TER: RRMessageType.SYSTEM_INFORMATION_5TER,
    SacchSIType.SI6: RRMessageType.SYSTEM_INFORMATION_6,
}
SACCH_L2_PSEUDO_LENGTH: dict[SacchSIType, int] = {
    SacchSIType.SI5: 18,  # §9.1.37
    SacchSIType.SI5BIS: 18,  # §9.1.38
    SacchSIType.SI5TER: 18,  # §9.1.39
    SacchSIType.SI6: 11,  # §9.1.40
}


class SIType(str, enum.Enum):
    """System Information types, named as CONTRACT.md keys them in ``cell.si``."""

    SI1 = "1"
    SI2 = "2"
    SI2BIS = "2bis"
    SI2TER = "2ter"
    SI2QUATER = "2quater"
    SI3 = "3"
    SI4 = "4"
    SI7 = "7"
    SI8 = "8"
    SI13 = "13"


# §10.4 Table 10.4.1: message type of each SI type we parse
MESSAGE_TYPE: dict[SIType, RRMessageType] = {
    SIType.SI1: RRMessageType.SYSTEM_INFORMATION_1,
    SIType.SI2: RRMessageType.SYSTEM_INFORMATION_2,
    SIType.SI2BIS: RRMessageType.SYSTEM_INFORMATION_2BIS,
    SIType.SI2TER: RRMessageType.SYSTEM_INFORMATION_2TER,
    SIType.SI2QUATER: RRMessageType.SYSTEM_INFORMATION_2QUATER,
    SIType.SI3: RRMessageType.SYSTEM_INFORMATION_3,
    SIType.SI4: RRMessageType.SYSTEM_INFORMATION_4,
    SIType.SI7: RRMessageType.SYSTEM_INFORMATION_7,
    SIType.SI8: RRMessageType.SYSTEM_INFORMATION_8,
    SIType.SI13: RRMessageType.SYSTEM_INFORMATION_13,
}
SI_TYPE_OF_MESSAGE_TYPE: dict[int, SIType] = {int(v): k for k, v in MESSAGE_TYPE.items()}

# §9.1.31-§9.1.43a: the L2 pseudo length each message is sent with (SI4: without CBCH IEs)
L2_PSEUDO_LENGTH: dict[SIType, int] = {
    SIType.SI1: 21,  # §9.1.31
    SIType.SI2: 22,  # §9.1.32
    SIType.SI2BIS: 21,  # §9.1.33
    SIType.SI2TER: 18,  # §9.1.34 (networks also send other values, e.g. 0; receivers accept any)
    SIType.SI2QUATER: 1,  # §9.1.34a
    SIType.SI3: 18,  # §9.1.35
    SIType.SI4: 12,  # §9.1.36 (+ 4 with CBCH Channel Description, + 2 + n with CBCH Mobile Allocation)
    SIType.SI7: 1,  # §9.1.41
    SIType.SI8: 1,  # §9.1.42
    SIType.SI13: 0,  # §9.1.43a
}

# §9.1.36 Table 9.1.36.1: IEIs of the optional IEs of SI4
IEI_CBCH_CHANNEL_DESCRIPTION = 0x64
IEI_CBCH_MOBILE_ALLOCATION = 0x72

# §10.5.2.19: L2 Pseudo Length octet = length << 2 | 0b01 (bits 2-1 "01"), length 0..22 (the octets of
# the message that follow it, rest octets excluded)
L2_PSEUDO_LENGTH_BITS = 0b01
L2_PSEUDO_LENGTH_MAX = 22


def l2_pseudo_length_octet(length: int) -> int:
    """The §10.5.2.19 octet for ``length`` (the caller checks 0..22)."""
    return (length << 2) | L2_PSEUDO_LENGTH_BITS


# §9.1.18, §9.1.19: IEI of the Starting Time in the Immediate Assignment (Extended) messages
IEI_STARTING_TIME = 0x7C
# §9.1.22, §9.1.23: IEI of the optional Mobile Identity 2 (Type 1) / 3 (Type 2) of a Paging Request
IEI_PAGING_MOBILE_IDENTITY = 0x17
# §9.1.25: Paging Response optional Additional Update Parameters (type 1)
IEI_ADDITIONAL_UPDATE_PARAMETERS = 0xC
# §9.1.7 Table 9.1.7.1: optional IEs of the Channel Release we declare (others are skipped, §8.5)
IEI_BA_RANGE = 0x73
IEI_GPRS_RESUMPTION = 0xC
# §9.1.10: Ciphering Mode Complete optional Mobile Equipment Identity
IEI_MOBILE_EQUIPMENT_IDENTITY = 0x17
# §9.1.2 Table 9.1.2.1: optional IEs of the Assignment Command we declare (others are skipped, §8.5)
IEI_FREQUENCY_LIST_AFTER_TIME = 0x05
IEI_CELL_CHANNEL_DESCRIPTION = 0x62
IEI_CHANNEL_MODE = 0x63
IEI_MOBILE_ALLOCATION_AFTER_TIME = 0x72
IEI_ASSIGNMENT_STARTING_TIME = 0x7C
IEI_CIPHER_MODE_SETTING = 0x9  # type 1
IEI_MULTIRATE_CONFIGURATION = 0x03

# §10.5.2.5 Table 10.5.2.5.1: channel type and TDMA offset code (5 bits) → (channel, sub-channel)
CHANNEL_TYPES: dict[int, tuple[str, int | None]] = {
    0b00001: ("TCH/F", None),  # TCH/F + ACCHs
    **{0b00010 | t: ("TCH/H", t) for t in range(2)},  # 0001T: TCH/H + ACCHs, sub-channel T
    **{0b00100 | t: ("SDCCH/4", t) for t in range(4)},  # 001TT: SDCCH/4 + SACCH/C4 or CBCH (SDCCH/4)
    **{0b01000 | t: ("SDCCH/8", t) for t in range(8)},  # 01TTT: SDCCH/8 + SACCH/C8 or CBCH (SDCCH/8)
}
# §10.5.2.5a Table 10.5.2.5a.1: Channel Description 2 (Assignment Command), the same shape plus
# TCH/F + FACCH/F and SACCH/M (00000) and the multislot configurations (1xxxx)
CHANNEL_TYPES_2: dict[int, tuple[str, int | None]] = {
    0b00000: ("TCH/F", None), **CHANNEL_TYPES, **dict.fromkeys(range(16, 24), ("TCH/F multislot", None)),
}  # fmt: skip


class PageMode(enum.IntEnum):
    """§10.5.2.26 Table 10.5.2.26.1: page mode (bits 2-1 of the half octet)."""

    NORMAL = 0b00
    EXTENDED = 0b01
    REORGANIZATION = 0b10
    SAME_AS_BEFORE = 0b11


# §10.5.2.25b: Dedicated mode or TBF half octet, bit 1 (T/D): 1 = the message assigns a TBF
DEDICATED_MODE_OR_TBF_TBF_BIT = 0x1

# §10.5.2.9: Cipher Mode Setting half octet: bit 1 SC (1 = start ciphering), bits 4-2 algorithm
# identifier, code n = A5/(n+1), 111 reserved
CIPHER_SC_BIT = 0x1
CIPHER_ALGORITHM_RESERVED = 0b111

# §10.5.2.31 Table 10.5.2.31.1: RR cause values
RR_CAUSE: dict[int, str] = {
    0x00: "Normal event",
    0x01: "Abnormal release, unspecified",
    0x02: "Abnormal release, channel unacceptable",
    0x03: "Abnormal release, timer expired",
    0x04: "Abnormal release, no activity on the radio path",
    0x05: "Preemptive release",
    0x06: "UTRAN configuration unknown",
    0x08: "Handover impossible, timing advance out of range",
    0x09: "Channel mode unacceptable",
    0x0A: "Frequency not implemented",
    0x0B: "Originator or talker leaving group call area",
    0x0C: "Lower layer failure",
    0x41: "Call already cleared",
    0x5F: "Semantically incorrect message",
    0x60: "Invalid mandatory information",
    0x61: "Message type non-existent",
    0x62: "Message type not compatible with protocol state",
    0x64: "Conditional IE error",
    0x65: "No cell allocation available",
    0x6F: "Protocol error unspecified",
}

# §10.5.2.38 / §10.5.2.30: T1' counts FN div 1326 modulo 32, so the starting time names FN modulo 42432
STARTING_TIME_PERIOD_FRAMES = 42432  # 32 × 1326
# §10.5.2.21: Mobile Allocation value part, at most 8 octets (64 bits of the cell allocation)
MOBILE_ALLOCATION_MAX_OCTETS = 8
# §9.1.20: an Immediate Assignment Reject carries four request references and wait indications
IA_REJECT_ENTRIES = 4
