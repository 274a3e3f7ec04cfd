"""Constants of TS 24.007 (mobile radio interface signalling layer 3, general aspects), clause by clause."""

from __future__ import annotations

import enum


class ProtocolDiscriminator(enum.IntEnum):
    """§11.2.3.1.1 Table 11.2: protocol discriminator, bits 4-1 of the first octet of a standard L3 message."""

    GCC = 0x0  # group call control
    BCC = 0x1  # broadcast call control
    EPS_SM = 0x2  # EPS session management
    CC = 0x3  # call control; call related SS messages
    GTTP = 0x4  # GPRS transparent transport protocol
    MM = 0x5  # mobility management
    RR = 0x6  # radio resources management
    EPS_MM = 0x7  # EPS mobility management
    GMM = 0x8  # GPRS mobility management
    SMS = 0x9  # SMS messages (TS 24.011 CP)
    SM = 0xA  # GPRS session management
    SS = 0xB  # non call related SS messages
    LCS = 0xC  # location services
    EXTENSION = 0xE  # extension of the PD to one octet
    TEST = 0xF  # tests procedures (TS 44.014)


PD_RR = ProtocolDiscriminator.RR

# §11.2.3.1.2: skip indicator (bits 8-5 of the first octet of RR and MM messages); a message whose
# skip indicator is not 0 is ignored
SKIP_INDICATOR = 0


class IEFormat(str, enum.Enum):
    """§11.2.1.1: formats of information elements.

    T: type (IEI) only; V: value only; TV: IEI then value; LV: length octet then value; TLV: IEI,
    length octet, value; LV-E and TLV-E: the same with a 2-octet length. A V or TV element can be
    one half octet long (§11.2.1.1.1: a type 1 IE; two half-octet V elements in a row share one
    octet, the first in bits 4-1, the second in bits 8-5; a type 1 TV element has its IEI in bits 8-5).
    """

    T = "T"
    V = "V"
    TV = "TV"
    LV = "LV"
    TLV = "TLV"
    LV_E = "LV-E"
    TLV_E = "TLV-E"


# §11.2.1.1: octets of the length indicator of each format (0: none)
LENGTH_OCTETS: dict[IEFormat, int] = {
    IEFormat.T: 0, IEFormat.V: 0, IEFormat.TV: 0, IEFormat.LV: 1, IEFormat.TLV: 1, IEFormat.LV_E: 2, IEFormat.TLV_E: 2,
}  # fmt: skip
# §11.2.1.1: formats that start with their IEI (the optional ones)
WITH_IEI: frozenset[IEFormat] = frozenset({IEFormat.T, IEFormat.TV, IEFormat.TLV, IEFormat.TLV_E})

# §11.2.3.1.3: protocols whose messages carry a transaction identifier in bits 8-5 of octet 1 (not a
# skip indicator): TI flag (bit 8: 0 = sent from the side that originated the transaction, 1 = sent
# to it) and TI value (bits 7-5); TI value 7 announces the extended TI octet (EXT bit 8 = 1, TI value
# bits 7-1)
PD_WITH_TI: frozenset[int] = frozenset({
    ProtocolDiscriminator.GCC, ProtocolDiscriminator.BCC, ProtocolDiscriminator.CC, ProtocolDiscriminator.SMS,
    ProtocolDiscriminator.SM, ProtocolDiscriminator.SS, ProtocolDiscriminator.LCS,
})  # fmt: skip
TI_FLAG_BIT = 0x08  # of the half octet (bits 8-5 of octet 1)
TI_VALUE_MASK = 0x07
TI_VALUE_EXTENDED = 0b111  # §11.2.3.1.3: "the TI value is in the next octet"
TI_EXTENSION_BIT = 0x80  # bit 8 of the extended TI octet, 1
TI_EXTENDED_VALUE_MASK = 0x7F

# §11.2.3.2.3: in MM, CC and SS messages sent by a mobile station bits 8-7 of the message type
# octet hold the send sequence number N(SD) (R99: bit 7; earlier: bits 8-7); the message type is bits 6-1
PD_WITH_SEND_SEQUENCE_NUMBER: frozenset[int] = frozenset({
    ProtocolDiscriminator.MM, ProtocolDiscriminator.CC, ProtocolDiscriminator.SS,
})  # fmt: skip
MESSAGE_TYPE_MASK_WITH_NSD = 0x3F
NSD_SHIFT = 6

# §11.2.4: an IEI of the non-imperative part whose bit 8 is 1 is a type 1 (TV, half-octet IEI in
# bits 8-5) or type 2 (T) element, one octet long; bit 8 0 means a type 4 (TLV) element. An unknown
# IEI whose bits 8-5 are 0000 is "comprehension required": the message cannot be understood without it.
IEI_ONE_OCTET_BIT = 0x80
IEI_COMPREHENSION_REQUIRED_HIGH_BITS = 0b0000
