"""RP messages (TS 24.011 §7.3), the relay layer inside CP-DATA: RP-DATA both ways, RP-ACK,
RP-ERROR, RP-SMMA, declared as data. RP has no protocol discriminator: octet 1 is the RP-Message
Type (§8.2.2, bits 3-1), octet 2 the message reference (§8.2.3). The TPDU (TS 23.040) inside
RP-User Data stays an octet string here; :mod:`sensor.sms` reads it.

Example, an RP-DATA network → MS as a fake station sends it (TS 24.011 §7.3.1.1; the octets tshark
dissects in tests/l3/test_dedicated_tshark.py)::

    01              RP-MTI 001: RP-DATA network → MS
    2a              RP-Message Reference 42
    06 91 68 31 08 20 05    RP-Originator Address: length 6, ext 1, TON 001 international,
                    NPI 0001 E.164 | digits 8613800250 (low half first): the service centre
    00              RP-Destination Address: empty
    0c 04 ...       RP-User Data: length 12, the TPDU (SMS-DELIVER), kept as octets
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .codec import Message, decode
from .elements import LV, TLV, Field, IEType, MessageSpec, V
from .errors import L3EncodeError, L3ParseError, TruncatedMessage
from .ts24011 import (
    IEI_RP_USER_DATA,
    RP_ADDRESS_EXT_BIT,
    RP_ADDRESS_MAX_OCTETS,
    RP_CAUSE,
    RP_CAUSE_VALUE_MASK,
    RP_MTI_MASK,
    RP_USER_DATA_MAX_OCTETS,
    TBCD_DIGITS,
    TBCD_FILLER,
    RPMessageType,
)

RP = RPMessageType


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise L3EncodeError(message)


@dataclass(frozen=True, slots=True)
class RPAddress:
    """TS 24.011 §8.2.5.1/§8.2.5.2 (the TS 24.008 §10.5.4.7 layout): type of number, numbering plan,
    TBCD digits (0-9 * # a b c)."""

    ton: int  # 0 unknown, 1 international, 2 national, 3 network specific, ...
    npi: int  # 1 ISDN/E.164, ...
    digits: str

    @classmethod
    def from_bytes(cls, data: bytes) -> RPAddress | None:
        if not data:
            return None  # a zero-length address (e.g. the destination of an RP-DATA to the phone)
        nibbles = [n for o in data[1:] for n in (o & 0x0F, o >> 4)]
        if nibbles and nibbles[-1] == TBCD_FILLER:
            nibbles.pop()
        if any(n == TBCD_FILLER for n in nibbles):
            raise L3ParseError("RP address holds a filler half octet before its last digit")
        return cls((data[0] >> 4) & 0x7, data[0] & 0x0F, "".join(TBCD_DIGITS[n] for n in nibbles))

    @staticmethod
    def to_bytes(address: RPAddress | None) -> bytes:
        if address is None:
            return b""
        _check(0 <= address.ton <= 7 and 0 <= address.npi <= 15, "TON must be 0..7, NPI 0..15")
        _check(
            isinstance(address.digits, str) and all(c in TBCD_DIGITS for c in address.digits),
            "RP address digits must be 0-9 * # a b c",
        )
        nibbles = [TBCD_DIGITS.index(c) for c in address.digits]
        if len(nibbles) % 2:
            nibbles.append(TBCD_FILLER)
        out = bytes([RP_ADDRESS_EXT_BIT | address.ton << 4 | address.npi])
        return out + bytes(nibbles[i] | nibbles[i + 1] << 4 for i in range(0, len(nibbles), 2))


@dataclass(frozen=True, slots=True)
class RPCause:
    """TS 24.011 §8.2.5.4: cause value (bits 7-1 of the first octet) and an optional diagnostic."""

    value: int
    diagnostic: bytes | None = None

    @property
    def name(self) -> str | None:
        return RP_CAUSE.get(self.value)

    @classmethod
    def from_bytes(cls, data: bytes) -> RPCause:
        if not data:
            raise TruncatedMessage("RP-Cause is empty")
        return cls(data[0] & RP_CAUSE_VALUE_MASK, bytes(data[1:]) if len(data) > 1 else None)

    def to_bytes(self) -> bytes:
        _check(0 <= self.value <= RP_CAUSE_VALUE_MASK, f"RP cause must be 0..127, got {self.value}")
        _check(self.diagnostic is None or len(self.diagnostic) == 1, "RP diagnostic field is one octet")
        return bytes([self.value]) + (self.diagnostic or b"")


def _reference_to_bytes(v: int) -> bytes:
    _check(isinstance(v, int) and 0 <= v <= 255, f"RP message reference must be 0..255, got {v!r}")
    return bytes([v])


RP_MESSAGE_REFERENCE = IEType("RP-Message Reference", lambda b: b[0], _reference_to_bytes, octets=1)  # §8.2.3
RP_ADDRESS = IEType("RP-Address", RPAddress.from_bytes, RPAddress.to_bytes, max_octets=RP_ADDRESS_MAX_OCTETS)
RP_USER_DATA = IEType("RP-User Data", bytes, bytes, max_octets=RP_USER_DATA_MAX_OCTETS)  # §8.2.5.3: the TPDU
RP_CAUSE_IE = IEType("RP-Cause", RPCause.from_bytes, RPCause.to_bytes, max_octets=2)  # §8.2.5.4


def _mti(message_type: RPMessageType) -> tuple[Field, Field]:
    """§8.2.2, §8.2.3: the RP header, message type indicator and message reference."""
    return (
        Field("message_type", V, IEType("RP-Message Type", lambda b: b[0], lambda v: bytes([v]), octets=1),
              const=message_type),
        Field("message_reference", V, RP_MESSAGE_REFERENCE),
    )  # fmt: skip


def _rp(name: str, message_type: RPMessageType, *fields) -> MessageSpec:
    return MessageSpec(name, (*_mti(message_type), *fields), frame_octets=0, skip_unknown_ies=True)


@dataclass(frozen=True, slots=True)
class RPDataToMS(Message):
    """§7.3.1.1 RP-DATA network → MS: the service centre as originator, no destination, the TPDU."""

    SPEC: ClassVar[MessageSpec] = _rp("RP-DATA (network to MS)", RP.RP_DATA_NETWORK_TO_MS,
        Field("originator_address", LV, RP_ADDRESS),
        Field("destination_address", LV, RP_ADDRESS),
        Field("user_data", LV, RP_USER_DATA),
    )  # fmt: skip
    message_reference: int
    originator_address: RPAddress | None
    user_data: bytes
    destination_address: RPAddress | None = None


@dataclass(frozen=True, slots=True)
class RPDataToNetwork(Message):
    """§7.3.1.2 RP-DATA MS → network: no originator, the service centre as destination, the TPDU."""

    SPEC: ClassVar[MessageSpec] = _rp("RP-DATA (MS to network)", RP.RP_DATA_MS_TO_NETWORK,
        Field("originator_address", LV, RP_ADDRESS),
        Field("destination_address", LV, RP_ADDRESS),
        Field("user_data", LV, RP_USER_DATA),
    )  # fmt: skip
    message_reference: int
    destination_address: RPAddress | None
    user_data: bytes
    originator_address: RPAddress | None = None


def _ack(name: str, message_type: RPMessageType) -> MessageSpec:
    return _rp(name, message_type, Field("user_data", TLV, RP_USER_DATA, iei=IEI_RP_USER_DATA, optional=True))


def _error(name: str, message_type: RPMessageType) -> MessageSpec:
    return _rp(name, message_type,
        Field("cause", LV, RP_CAUSE_IE),
        Field("user_data", TLV, RP_USER_DATA, iei=IEI_RP_USER_DATA, optional=True),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _RPAck(Message):
    message_reference: int
    user_data: bytes | None = None  # e.g. an SMS-DELIVER-REPORT TPDU


@dataclass(frozen=True, slots=True)
class _RPError(Message):
    message_reference: int
    cause: RPCause
    user_data: bytes | None = None


@dataclass(frozen=True, slots=True)
class RPAckToNetwork(_RPAck):
    """§7.3.3 RP-ACK MS → network (the phone took the SMS)."""

    SPEC: ClassVar[MessageSpec] = _ack("RP-ACK (MS to network)", RP.RP_ACK_MS_TO_NETWORK)


@dataclass(frozen=True, slots=True)
class RPAckToMS(_RPAck):
    """§7.3.3 RP-ACK network → MS."""

    SPEC: ClassVar[MessageSpec] = _ack("RP-ACK (network to MS)", RP.RP_ACK_NETWORK_TO_MS)


@dataclass(frozen=True, slots=True)
class RPErrorToNetwork(_RPError):
    """§7.3.4 RP-ERROR MS → network."""

    SPEC: ClassVar[MessageSpec] = _error("RP-ERROR (MS to network)", RP.RP_ERROR_MS_TO_NETWORK)


@dataclass(frozen=True, slots=True)
class RPErrorToMS(_RPError):
    """§7.3.4 RP-ERROR network → MS."""

    SPEC: ClassVar[MessageSpec] = _error("RP-ERROR (network to MS)", RP.RP_ERROR_NETWORK_TO_MS)


@dataclass(frozen=True, slots=True)
class RPSmma(Message):
    """§7.3.2 RP-SMMA MS → network: the phone has memory again."""

    SPEC: ClassVar[MessageSpec] = _rp("RP-SMMA", RP.RP_SMMA_MS_TO_NETWORK)
    message_reference: int


RP_MESSAGES = (RPDataToMS, RPDataToNetwork, RPAckToNetwork, RPAckToMS, RPErrorToNetwork, RPErrorToMS, RPSmma)
# §8.2.2: RP-Message Type → the class that declares the message
RP_REGISTRY: dict[int, Any] = {cls.SPEC.fields[0].const: cls for cls in RP_MESSAGES}


def decode_rp(octets: bytes) -> Any:
    """The RP message in ``octets`` (the CP-User data of a CP-DATA). Raises only :class:`L3ParseError`:
    for an empty RPDU, a spare bit set in octet 1, an RP-MTI with no message (111) or malformed IEs."""
    try:
        data = bytes(octets)
    except (TypeError, ValueError) as exc:
        raise L3ParseError(f"not an octet string: {exc}") from None
    if not data:
        raise TruncatedMessage("empty RPDU")
    if data[0] & ~RP_MTI_MASK & 0xFF:
        raise L3ParseError(f"RP-Message Type octet {data[0]:#04x} has spare bits set (§8.2.2)")
    cls = RP_REGISTRY.get(data[0])
    if cls is None:
        raise L3ParseError(f"RP-Message Type {data[0]:03b} is reserved (§8.2.2)")
    return decode(cls, data)


__all__ = ["RP_MESSAGES", "RP_REGISTRY", "RPAddress", "RPCause", "decode_rp"]
