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
    PAGING_REQUEST_1 = 0x21
    PAGING_REQUEST_2 = 0x22
    PAGING_REQUEST_3 = 0x24
    IMMEDIATE_ASSIGNMENT_EXTENDED = 0x39
    IMMEDIATE_ASSIGNMENT_REJECT = 0x3A
    IMMEDIATE_ASSIGNMENT = 0x3F


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
