"""Constants of TS 24.011 (point-to-point SMS on the radio interface: CP and RP), clause by clause."""

from __future__ import annotations

import enum


class CPMessageType(enum.IntEnum):
    """§8.1.3 Table 8.1: CP message types (octet 2 of a CP message, PD 9 with a TI)."""

    CP_DATA = 0x01
    CP_ACK = 0x04
    CP_ERROR = 0x10


# §8.1.4.1: CP-User data holds one RPDU of at most 248 octets
CP_USER_DATA_MAX_OCTETS = 248

# §8.1.4.2 Table 8.2: CP-Cause values
CP_CAUSE: dict[int, str] = {
    17: "Network failure",
    22: "Congestion",
    81: "Invalid Transaction Identifier value",
    95: "Semantically incorrect message",
    96: "Invalid mandatory information",
    97: "Message type non-existent or not implemented",
    98: "Message not compatible with the short message protocol state",
    99: "Information element non-existent or not implemented",
    111: "Protocol error, unspecified",
}


class RPMessageType(enum.IntEnum):
    """§8.2.2 Table 8.3: RP-Message Type indicator (bits 3-1 of octet 1; bits 8-4 spare 0)."""

    RP_DATA_MS_TO_NETWORK = 0b000
    RP_DATA_NETWORK_TO_MS = 0b001
    RP_ACK_MS_TO_NETWORK = 0b010
    RP_ACK_NETWORK_TO_MS = 0b011
    RP_ERROR_MS_TO_NETWORK = 0b100
    RP_ERROR_NETWORK_TO_MS = 0b101
    RP_SMMA_MS_TO_NETWORK = 0b110


RP_MTI_MASK = 0x07

# §8.2.5.3: IEI of the optional RP-User Data of RP-ACK and RP-ERROR (§7.3.3, §7.3.4)
IEI_RP_USER_DATA = 0x41
# §8.2.5.3: RP-User Data holds one TPDU of at most 232 octets
RP_USER_DATA_MAX_OCTETS = 232
# §8.2.5.1, §8.2.5.2: an RP address value part is TON/NPI + at most 10 octets of digits
RP_ADDRESS_MAX_OCTETS = 11
RP_ADDRESS_EXT_BIT = 0x80  # octet 3 bit 8, "no extension"
# §8.2.5.1: digits as TBCD, one per half octet, the first in bits 4-1; 1111 fills an odd count
TBCD_DIGITS = "0123456789*#abc"
TBCD_FILLER = 0xF

# §8.2.5.4 Table 8.4: RP-Cause values (bits 7-1; bit 8 is the extension bit, 0)
RP_CAUSE: dict[int, str] = {
    1: "Unassigned (unallocated) number",
    8: "Operator determined barring",
    10: "Call barred",
    11: "Reserved",
    21: "Short message transfer rejected",
    22: "Memory capacity exceeded",
    27: "Destination out of order",
    28: "Unidentified subscriber",
    29: "Facility rejected",
    30: "Unknown subscriber",
    38: "Network out of order",
    41: "Temporary failure",
    42: "Congestion",
    47: "Resources unavailable, unspecified",
    50: "Requested facility not subscribed",
    69: "Requested facility not implemented",
    81: "Invalid short message transfer reference value",
    95: "Semantically incorrect message",
    96: "Invalid mandatory information",
    97: "Message type non-existent or not implemented",
    98: "Message not compatible with short message protocol state",
    99: "Information element non-existent or not implemented",
    111: "Protocol error, unspecified",
    127: "Interworking, unspecified",
}
RP_CAUSE_VALUE_MASK = 0x7F
