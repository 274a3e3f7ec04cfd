"""Constants of TS 24.008 (mobile radio interface layer 3: MM, CC, GMM, SM), clause by clause."""

from __future__ import annotations

import enum


class MobileIdentityType(enum.IntEnum):
    """§10.5.1.4 Table 10.5.4: type of identity, bits 3-1 of octet 3 of the Mobile Identity IE."""

    NONE = 0b000  # no identity (e.g. an empty Paging Request's filler identity)
    IMSI = 0b001
    IMEI = 0b010
    IMEISV = 0b011
    TMSI = 0b100  # TMSI/P-TMSI/M-TMSI
    TMGI = 0b101  # TMGI and optional MBMS session identity


# §10.5.1.4: octet 3 bit 4 (odd/even indication: 1 = odd number of identity digits), the filler
# digit "1111" of an even number of digits, and the octet 3 high bits of a TMSI ("1111")
MI_ODD_BIT = 0x08
BCD_FILLER = 0xF
TMSI_OCTETS = 4


class MMMessageType(enum.IntEnum):
    """§10.4 Table 10.2: message types of the MM messages (bits 6-1; bits 8-7 are N(SD) from a MS)."""

    IMSI_DETACH_INDICATION = 0x01
    LOCATION_UPDATING_ACCEPT = 0x02
    LOCATION_UPDATING_REJECT = 0x04
    LOCATION_UPDATING_REQUEST = 0x08
    AUTHENTICATION_REJECT = 0x11
    AUTHENTICATION_REQUEST = 0x12
    AUTHENTICATION_RESPONSE = 0x14
    AUTHENTICATION_FAILURE = 0x1C
    IDENTITY_REQUEST = 0x18
    IDENTITY_RESPONSE = 0x19
    TMSI_REALLOCATION_COMMAND = 0x1A
    TMSI_REALLOCATION_COMPLETE = 0x1B
    CM_SERVICE_ACCEPT = 0x21
    CM_SERVICE_REJECT = 0x22
    CM_SERVICE_ABORT = 0x23
    CM_SERVICE_REQUEST = 0x24
    CM_SERVICE_PROMPT = 0x25
    CM_REESTABLISHMENT_REQUEST = 0x28
    ABORT = 0x29
    MM_NULL = 0x30
    MM_STATUS = 0x31
    MM_INFORMATION = 0x32


class CCMessageType(enum.IntEnum):
    """§10.4 Table 10.3: message types of the CC messages we recognise (bits 6-1)."""

    ALERTING = 0x01
    CALL_PROCEEDING = 0x02
    PROGRESS = 0x03
    SETUP = 0x05
    CONNECT = 0x07
    CALL_CONFIRMED = 0x08
    CONNECT_ACKNOWLEDGE = 0x0F
    DISCONNECT = 0x25
    RELEASE = 0x2D
    RELEASE_COMPLETE = 0x2A


# §9.2 tables: IEIs of the optional IEs of the MM messages
IEI_MOBILE_IDENTITY = 0x17  # LU Accept §9.2.13, CM Re-establishment request
IEI_FOLLOW_ON_PROCEED = 0xA1  # LU Accept §9.2.13 (type 2)
IEI_CTS_PERMISSION = 0xA2  # LU Accept §9.2.13 (type 2)
IEI_EQUIVALENT_PLMNS = 0x4A  # LU Accept §9.2.13
IEI_EMERGENCY_NUMBER_LIST = 0x34  # LU Accept §9.2.13, CM Service Accept
IEI_PER_MS_T3212 = 0x35  # LU Accept §9.2.13
IEI_T3246_VALUE = 0x36  # LU Reject §9.2.14, CM Service Reject §9.2.6
IEI_MS_CLASSMARK_FOR_UMTS = 0x33  # LU Request §9.2.15
IEI_ADDITIONAL_UPDATE_PARAMETERS = 0xC  # LU Request §9.2.15, CM Service Request §9.2.9 (type 1)
IEI_DEVICE_PROPERTIES = 0xD  # LU Request §9.2.15, CM Service Request §9.2.9 (type 1)
IEI_PRIORITY = 0x8  # CM Service Request §9.2.9 (type 1)
IEI_AUTN = 0x20  # Authentication Request §9.2.2
IEI_AUTHENTICATION_RESPONSE_EXTENSION = 0x21  # Authentication Response §9.2.3
IEI_P_TMSI_TYPE = 0xE  # Identity Response §9.2.11 (type 1)


class LocationUpdatingType(enum.IntEnum):
    """§10.5.3.5 Table 10.5.96: LUT, bits 2-1 of the Location Updating Type IE (bit 4: FOR)."""

    NORMAL = 0b00
    PERIODIC = 0b01
    IMSI_ATTACH = 0b10
    RESERVED = 0b11


LUT_MASK = 0x03
LUT_FOLLOW_ON_REQUEST_BIT = 0x08


class IdentityType(enum.IntEnum):
    """§10.5.3.4 Table 10.5.94: type of identity asked for in an Identity Request (bits 3-1)."""

    IMSI = 0b001
    IMEI = 0b010
    IMEISV = 0b011
    TMSI = 0b100
    P_TMSI_RAI_SIGNATURE = 0b101


class CMServiceType(enum.IntEnum):
    """§10.5.3.3 Table 10.5.93: the service a CM Service Request asks for."""

    MO_CALL = 0b0001  # mobile originating call establishment or packet mode connection establishment
    EMERGENCY_CALL = 0b0010
    SMS = 0b0100
    SS_ACTIVATION = 0b1000
    VOICE_GROUP_CALL = 0b1001
    VOICE_BROADCAST_CALL = 0b1010
    LOCATION_SERVICES = 0b1011


# §10.5.1.2: CKSN value meaning "no key is available" (bits 3-1)
CKSN_NO_KEY = 0b111

# §10.5.3.6 Table 10.5.95: reject cause values of the MM (and CM service) reject messages
REJECT_CAUSE: dict[int, str] = {
    2: "IMSI unknown in HLR",
    3: "Illegal MS",
    4: "IMSI unknown in VLR",
    5: "IMEI not accepted",
    6: "Illegal ME",
    11: "PLMN not allowed",
    12: "Location Area not allowed",
    13: "Roaming not allowed in this location area",
    15: "No Suitable Cells In Location Area",
    17: "Network failure",
    20: "MAC failure",
    21: "Synch failure",
    22: "Congestion",
    23: "GSM authentication unacceptable",
    25: "Not authorized for this CSG",
    32: "Service option not supported",
    33: "Requested service option not subscribed",
    34: "Service option temporarily out of order",
    38: "Call cannot be identified",
    **dict.fromkeys(range(48, 64), "retry upon entry into a new cell"),
    95: "Semantically incorrect message",
    96: "Invalid mandatory information",
    97: "Message type non-existent or not implemented",
    98: "Message type not compatible with the protocol state",
    99: "Information element non-existent or not implemented",
    100: "Conditional IE error",
    101: "Message not compatible with the protocol state",
    111: "Protocol error, unspecified",
}

# §10.5.1.2 / §10.5.3.1 / §10.5.3.2: fixed lengths of the authentication parameters
RAND_OCTETS = 16
SRES_OCTETS = 4
AUTN_OCTETS = 16
# §10.5.1.6: Mobile Station Classmark 2 value part, 3 octets
CLASSMARK_2_OCTETS = 3
