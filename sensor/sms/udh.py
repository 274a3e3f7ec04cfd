"""The user data header (TS 23.040 §9.2.3.24): information elements, decode and encode.

Layout: UDHL (octets that follow), then IEs of IEI, length, value. Decoded into their own types:
concatenation with 8-bit (0x00, §9.2.3.24.1) or 16-bit (0x08, §9.2.3.24.8) reference, application
port addressing with 8-bit (0x04, §9.2.3.24.3) or 16-bit (0x05, §9.2.3.24.4) ports, national
language single (0x24, §9.2.3.24.15) and locking (0x25, §9.2.3.24.16) shift; any other IE, or one of
these with a wrong length, is kept as :class:`OtherIe` (iei, octets). Example, part 2 of 3 of
concatenated message 0x5A, then WAP Push ports::

    0b | 00 03 5a 03 02 | 05 04 0b 84 23 f0
    UDHL 11; concat 8-bit ref 0x5a, 3 parts, this is 2; ports: destination 2948, source 9200
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import SmsDecodeError, SmsEncodeError
from .ts23038 import Language
from .ts23040 import IE_OCTETS, UDHL_MAX, Iei


@dataclass(frozen=True, slots=True)
class Concat:
    """§9.2.3.24.1/.8: part ``number`` (1-based) of ``total`` of message ``reference``."""

    reference: int
    total: int
    number: int
    reference_bits: int = 8  # 8 (IEI 0x00) or 16 (IEI 0x08)

    @property
    def valid(self) -> bool:
        """§9.2.3.24.1: a total of 0, or a number of 0 or above the total, means "ignore the whole IE"."""
        return self.total > 0 and 0 < self.number <= self.total


@dataclass(frozen=True, slots=True)
class Ports:
    """§9.2.3.24.3/.4: application port addressing (WAP Push: destination 2948)."""

    destination: int
    source: int
    bits: int = 16  # 8 (IEI 0x04) or 16 (IEI 0x05)


@dataclass(frozen=True, slots=True)
class LanguageShift:
    """§9.2.3.24.15/.16: national language single shift (IEI 0x24) or locking shift (0x25) table."""

    language: int  # a :class:`Language` value; others are reserved
    locking: bool = False


@dataclass(frozen=True, slots=True)
class OtherIe:
    """Any other information element, kept as its IEI and value octets."""

    iei: int
    data: bytes


UdhElement = Concat | Ports | LanguageShift | OtherIe


def _typed(iei: int, length: int) -> bool:
    """Whether an IE of this IEI and value length decodes into its own type."""
    return iei in IE_OCTETS and IE_OCTETS[Iei(iei)] == length


def _decode_ie(iei: int, value: bytes) -> UdhElement:
    if not _typed(iei, len(value)):
        return OtherIe(iei, bytes(value))
    kind = Iei(iei)
    if kind is Iei.CONCAT_8BIT:
        return Concat(value[0], value[1], value[2], 8)
    if kind is Iei.CONCAT_16BIT:
        return Concat(int.from_bytes(value[:2], "big"), value[2], value[3], 16)
    if kind is Iei.PORT_8BIT:
        return Ports(value[0], value[1], 8)
    if kind is Iei.PORT_16BIT:
        return Ports(int.from_bytes(value[:2], "big"), int.from_bytes(value[2:], "big"), 16)
    if kind in (Iei.SINGLE_SHIFT, Iei.LOCKING_SHIFT):
        return LanguageShift(value[0], kind is Iei.LOCKING_SHIFT)
    raise AssertionError(kind)  # every IEI of IE_OCTETS is handled above


def decode_udh(header: bytes) -> tuple[UdhElement, ...]:
    """The IEs of a UDH given without its UDHL octet (exactly UDHL octets)."""
    elements: list[UdhElement] = []
    pos = 0
    while pos < len(header):
        if pos + 2 > len(header):
            raise SmsDecodeError(f"UDH information element at {pos} lacks its length octet")
        iei, length = header[pos], header[pos + 1]
        value = header[pos + 2 : pos + 2 + length]
        if len(value) < length:
            raise SmsDecodeError(f"UDH IE {iei:#04x} of {length} octets runs past the header")
        elements.append(_decode_ie(iei, value))
        pos += 2 + length
    return tuple(elements)


def _encode_ie(element: UdhElement) -> tuple[int, bytes]:
    try:
        if isinstance(element, Concat):
            if element.reference_bits == 16:
                return Iei.CONCAT_16BIT, element.reference.to_bytes(2, "big") + bytes([element.total, element.number])
            if element.reference_bits == 8:
                return Iei.CONCAT_8BIT, bytes([element.reference, element.total, element.number])
        elif isinstance(element, Ports):
            if element.bits == 16:
                return Iei.PORT_16BIT, element.destination.to_bytes(2, "big") + element.source.to_bytes(2, "big")
            if element.bits == 8:
                return Iei.PORT_8BIT, bytes([element.destination, element.source])
        elif isinstance(element, LanguageShift):
            return (Iei.LOCKING_SHIFT if element.locking else Iei.SINGLE_SHIFT), bytes([element.language])
        elif isinstance(element, OtherIe):
            if not 0 <= element.iei <= 0xFF or _typed(element.iei, len(element.data)):
                raise SmsEncodeError(f"IEI {element.iei} with {len(element.data)} octets is not an 'other' IE")
            return element.iei, bytes(element.data)
    except (OverflowError, ValueError) as exc:
        raise SmsEncodeError(f"UDH element {element!r} out of range: {exc}") from None
    raise SmsEncodeError(f"cannot encode UDH element {element!r}")


def encode_udh(elements: tuple[UdhElement, ...]) -> bytes:
    """UDHL + IEs."""
    body = bytearray()
    for element in elements:
        iei, value = _encode_ie(element)
        if len(value) > 0xFF:
            raise SmsEncodeError(f"UDH IE {iei:#04x} value of {len(value)} octets is too long")
        body += bytes([iei, len(value)]) + value
    if len(body) > UDHL_MAX:
        raise SmsEncodeError(f"UDH of {len(body)} octets exceeds {UDHL_MAX}")
    return bytes([len(body)]) + bytes(body)


def find(elements: tuple[UdhElement, ...] | None, kind: type) -> UdhElement | None:
    """The last element of a type (§9.2.3.24: a repeated IE, the last occurrence is used)."""
    found = None
    for element in elements or ():
        if isinstance(element, kind):
            found = element
    return found


def languages(elements: tuple[UdhElement, ...] | None) -> tuple[Language, Language]:
    """(locking, single) shift tables the header selects; unknown identifiers read as the default."""
    locking, single = Language.DEFAULT, Language.DEFAULT
    for element in elements or ():
        if isinstance(element, LanguageShift):
            try:
                lang = Language(element.language)
            except ValueError:
                lang = Language.DEFAULT
            if element.locking:
                locking = lang
            else:
                single = lang
    return locking, single
