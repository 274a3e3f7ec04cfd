"""Constants of TS 23.040 (technical realization of SMS), clause by clause."""

from __future__ import annotations

import enum


class Direction(str, enum.Enum):
    """Which way a TPDU travels: TP-MTI's meaning depends on it (§9.2.3.1)."""

    MT = "mt"  # SC → MS (downlink; what a fake station sends)
    MO = "mo"  # MS → SC (uplink)


class MessageType(str, enum.Enum):
    """§9.2.3.1 Table: the TPDU types."""

    DELIVER = "SMS-DELIVER"
    DELIVER_REPORT = "SMS-DELIVER-REPORT"
    SUBMIT = "SMS-SUBMIT"
    SUBMIT_REPORT = "SMS-SUBMIT-REPORT"
    STATUS_REPORT = "SMS-STATUS-REPORT"
    COMMAND = "SMS-COMMAND"


# §9.2.3.1: TP-MTI (bits 1-0 of the first octet) per direction; 11 is reserved in both
MTI: dict[tuple[Direction, int], MessageType] = {
    (Direction.MT, 0b00): MessageType.DELIVER,
    (Direction.MT, 0b01): MessageType.SUBMIT_REPORT,
    (Direction.MT, 0b10): MessageType.STATUS_REPORT,
    (Direction.MO, 0b00): MessageType.DELIVER_REPORT,
    (Direction.MO, 0b01): MessageType.SUBMIT,
    (Direction.MO, 0b10): MessageType.COMMAND,
}
MTI_CODE: dict[MessageType, int] = {t: code for (_, code), t in MTI.items()}
MTI_MASK = 0b11

# §9.2.2.1, §9.2.2.2, §9.2.2.3: bits of the first octet
TP_MMS = 0x04  # SMS-DELIVER / STATUS-REPORT: 0 = more messages are waiting, 1 = no more
TP_RD = 0x04  # SMS-SUBMIT: reject duplicates
TP_LP = 0x08  # SMS-DELIVER / STATUS-REPORT: loop prevention
TP_VPF_SHIFT = 3  # SMS-SUBMIT: validity period format, bits 4-3
TP_SRI = 0x20  # SMS-DELIVER: status report indication
TP_SRR = 0x20  # SMS-SUBMIT: status report request
TP_SRQ = 0x20  # SMS-STATUS-REPORT: status report qualifier (1: result of an SMS-COMMAND)
TP_UDHI = 0x40  # user data header indicator
TP_RP = 0x80  # reply path


class ValidityPeriodFormat(enum.IntEnum):
    """§9.2.3.3: TP-VPF and the octets of TP-VP it announces."""

    NONE = 0b00
    ENHANCED = 0b01  # 7 octets, §9.2.3.12.3
    RELATIVE = 0b10  # 1 octet, §9.2.3.12.1
    ABSOLUTE = 0b11  # 7 octets, semi-octets as TP-SCTS, §9.2.3.12.2


VP_OCTETS: dict[ValidityPeriodFormat, int] = {
    ValidityPeriodFormat.NONE: 0, ValidityPeriodFormat.ENHANCED: 7,
    ValidityPeriodFormat.RELATIVE: 1, ValidityPeriodFormat.ABSOLUTE: 7,
}  # fmt: skip

# §9.2.3.12.1: relative validity period in pieces (highest octet value, v0, base s, step s):
# period = base + (value - v0) * step. 5 minute steps to 12 h, 30 minute steps to 24 h, days to 30, weeks to 63.
RELATIVE_VP_PIECES: tuple[tuple[int, int, int, int], ...] = (
    (143, -1, 0, 300),
    (167, 143, 12 * 3600, 1800),
    (196, 166, 0, 86400),
    (255, 192, 0, 7 * 86400),
)

# §9.2.3.11: TP-SCTS (and absolute TP-VP, TP-DT) octets; time zone in quarter hours, sign in bit 3 of
# its first semi-octet
SCTS_OCTETS = 7
TZ_SIGN_BIT = 0x08
QUARTER_HOUR_S = 900
# the two-digit year: 90-99 → 1990s, 00-89 → 2000s (the spec gives only the two digits)
CENTURY_PIVOT = 90

# §9.2.3.9: TP-PID
PID_DEFAULT = 0x00  # plain short message (no interworking)
PID_TYPE_0 = 0x40  # short message type 0: acknowledged, discarded, never shown ("silent SMS")
PID_REPLACE_FIRST = 0x41  # replace short message type 1 ... 7 (0x41-0x47)
PID_REPLACE_LAST = 0x47
PID_RETURN_CALL = 0x5F  # return call message
PID_ME_DOWNLOAD = 0x7D  # ME data download
PID_SIM_DOWNLOAD = 0x7F  # (U)SIM data download


def replace_type(pid: int) -> int | None:
    """§9.2.3.9: the replace-short-message type 1-7 of a TP-PID, or None."""
    return pid - 0x40 if PID_REPLACE_FIRST <= pid <= PID_REPLACE_LAST else None


# §9.1.2.5: address fields
class TypeOfNumber(enum.IntEnum):
    """§9.1.2.5: type of number, bits 7-5 of the type-of-address octet."""

    UNKNOWN = 0
    INTERNATIONAL = 1
    NATIONAL = 2
    NETWORK_SPECIFIC = 3
    SUBSCRIBER = 4
    ALPHANUMERIC = 5  # coded in the GSM 7 bit default alphabet (TS 23.038 §6.2.1)
    ABBREVIATED = 6
    RESERVED = 7


class NumberingPlan(enum.IntEnum):
    """§9.1.2.5: numbering plan identification, bits 4-1 (the others are reserved)."""

    UNKNOWN = 0
    ISDN = 1  # E.164/E.163
    DATA = 3  # X.121
    TELEX = 4
    SC_SPECIFIC_1 = 5
    SC_SPECIFIC_2 = 6
    NATIONAL = 8
    PRIVATE = 9
    ERMES = 10
    RESERVED = 15


TOA_EXTENSION = 0x80  # §9.1.2.5: bit 8 of the type-of-address octet is 1
ADDRESS_MAX_OCTETS = 10  # §9.1.2.5: address value 2-12 octets in all, so at most 10 octets of digits
ADDRESS_MAX_SEMI_OCTETS = 2 * ADDRESS_MAX_OCTETS
# §9.1.2.3: semi-octet digits (0-9, *, #, a, b, c; 1111 is the filler of an odd count)
BCD_DIGITS = "0123456789*#abc"
BCD_FILLER = 0xF

# §9.2.3.16: most user data: 140 octets, 160 septets
UD_MAX_OCTETS = 140
UD_MAX_SEPTETS = 160


class Iei(enum.IntEnum):
    """§9.2.3.24 Table: user data header information element identifiers decoded into their own types."""

    CONCAT_8BIT = 0x00  # §9.2.3.24.1 concatenated short messages, 8-bit reference
    SPECIAL_SMS = 0x01  # §9.2.3.24.2 special SMS message indication
    PORT_8BIT = 0x04  # §9.2.3.24.3 application port addressing, 8-bit address
    PORT_16BIT = 0x05  # §9.2.3.24.4 application port addressing, 16-bit address
    CONCAT_16BIT = 0x08  # §9.2.3.24.8 concatenated short messages, 16-bit reference
    SINGLE_SHIFT = 0x24  # §9.2.3.24.15 national language single shift
    LOCKING_SHIFT = 0x25  # §9.2.3.24.16 national language locking shift


# §9.2.3.24: octets of the value of fixed-length IEs we decode
IE_OCTETS: dict[Iei, int] = {
    Iei.CONCAT_8BIT: 3, Iei.CONCAT_16BIT: 4, Iei.PORT_8BIT: 2, Iei.PORT_16BIT: 4,
    Iei.SINGLE_SHIFT: 1, Iei.LOCKING_SHIFT: 1,
}  # fmt: skip
UDHL_MAX = UD_MAX_OCTETS - 1
MAX_PARTS = 255  # §9.2.3.24.1: maximum number of short messages in a concatenated message

# §9.2.3.24.4 / OMA-WAP: WAP Push (WDP) destination port
WAP_PUSH_PORT = 2948

# §9.2.3.15: TP-ST status (a selection; the class is bits 7-5)
ST_DELIVERED = 0x00
ST_PARAMETER_INDICATOR_EXTENSION = 0x80  # §9.2.3.27: bit 8 of TP-PI, another TP-PI octet follows
PI_PID = 0x01  # §9.2.3.27: TP-PID present
PI_DCS = 0x02  # TP-DCS present
PI_UDL = 0x04  # TP-UDL (and TP-UD) present
