"""TP-OA / TP-DA / TP-RA address fields (TS 23.040 §9.1.2.5), decode and encode.

Layout: address length (semi-octets of the value: digits, or for TON 5 the semi-octets the packed
septets fill), type-of-address (bit 8 = 1, TON bits 7-5, NPI bits 4-1), then the value: digits as
swapped semi-octets with an F filler after an odd count (§9.1.2.3), or an alphanumeric name
packed as GSM 7 bit septets (TS 23.038 §6.2.1). Examples::

    05 a1 59 85 f8               5 digits, 0xa1: TON 2 national, NPI 1 (E.164): "95588" (F filler)
    0d 91 68 31 08 10 83 00 f0   13 digits, 0x91: TON 1 international, NPI 1: "+8613800138000"
    07 d0 c9 a1 70 08            7 semi-octets, 0xd0: TON 5 alphanumeric, NPI 0: 4 septets "ICBC"
"""

from __future__ import annotations

from dataclasses import dataclass

from .alphabet import gsm7_decode, gsm7_encode, pack_septets, unpack_septets
from .errors import SmsDecodeError, SmsEncodeError
from .ts23038 import SEPTET_BITS
from .ts23040 import (
    ADDRESS_MAX_OCTETS,
    ADDRESS_MAX_SEMI_OCTETS,
    BCD_DIGITS,
    BCD_FILLER,
    TOA_EXTENSION,
    NumberingPlan,
    TypeOfNumber,
)

_BCD_CODES = {d: i for i, d in enumerate(BCD_DIGITS)}


@dataclass(frozen=True, slots=True)
class Address:
    """An SMS address: ``value`` is the digits (0-9 * # a b c) or, for TON 5, the alphanumeric name."""

    value: str
    ton: TypeOfNumber = TypeOfNumber.UNKNOWN
    npi: int = NumberingPlan.ISDN

    @classmethod
    def parse(cls, text: str) -> Address:
        """ "+8613800138000" (international, E.164), "95588"/"10086" (national, E.164), or a name
        ("ICBC", anything that is not digits) as alphanumeric."""
        if text.startswith("+") and text[1:].isdigit():
            return cls(text[1:], TypeOfNumber.INTERNATIONAL, NumberingPlan.ISDN)
        if text and all(c in _BCD_CODES for c in text):
            return cls(text, TypeOfNumber.NATIONAL, NumberingPlan.ISDN)
        return cls(text, TypeOfNumber.ALPHANUMERIC, NumberingPlan.UNKNOWN)

    @property
    def text(self) -> str:
        """As a person writes it: international numbers with a leading "+"."""
        return "+" + self.value if self.ton is TypeOfNumber.INTERNATIONAL and self.value else self.value

    @property
    def ton_name(self) -> str:
        """CONTRACT.md ``sender_type``: "international", "national", "alphanumeric", "unknown", ..."""
        return self.ton.name.lower()


def decode_address(data: bytes, pos: int) -> tuple[Address, int]:
    """The address field starting at ``data[pos]`` and the position after it."""
    if pos + 2 > len(data):
        raise SmsDecodeError(f"address at octet {pos} is truncated")
    length, toa = data[pos], data[pos + 1]
    if length > ADDRESS_MAX_SEMI_OCTETS:
        raise SmsDecodeError(f"address length {length} semi-octets exceeds {ADDRESS_MAX_SEMI_OCTETS}")
    n_octets = (length + 1) // 2
    value = data[pos + 2 : pos + 2 + n_octets]
    if len(value) < n_octets:
        raise SmsDecodeError(f"address of {length} semi-octets runs past the end ({len(data)} octets)")
    ton = TypeOfNumber((toa >> 4) & 0x7)
    npi = toa & 0xF
    if ton is TypeOfNumber.ALPHANUMERIC:
        name = gsm7_decode(unpack_septets(value, length * 4 // SEPTET_BITS))
        return Address(name, ton, npi), pos + 2 + n_octets
    digits = []
    for i in range(length):
        nibble = (value[i // 2] >> (4 * (i % 2))) & 0xF
        if nibble == BCD_FILLER:
            raise SmsDecodeError(f"address digit {i} is the filler 1111 (§9.1.2.3)")
        digits.append(BCD_DIGITS[nibble])
    return Address("".join(digits), ton, npi), pos + 2 + n_octets


def encode_address(address: Address) -> bytes:
    """§9.1.2.5: length, type of address, value."""
    if not 0 <= int(address.npi) <= 15:
        raise SmsEncodeError(f"NPI must be 0..15, got {address.npi}")
    toa = TOA_EXTENSION | (int(TypeOfNumber(address.ton)) << 4) | int(address.npi)
    if address.ton is TypeOfNumber.ALPHANUMERIC:
        septets = gsm7_encode(address.value)
        value = pack_septets(septets)
        length = (len(septets) * SEPTET_BITS + 3) // 4
    else:
        try:
            codes = [_BCD_CODES[d] for d in address.value]
        except KeyError as exc:
            raise SmsEncodeError(f"address digit {exc.args[0]!r} is not one of {BCD_DIGITS!r}") from None
        if len(codes) % 2:
            codes.append(BCD_FILLER)
        value = bytes(lo | (hi << 4) for lo, hi in zip(codes[::2], codes[1::2]))
        length = len(address.value)
    if len(value) > ADDRESS_MAX_OCTETS:
        raise SmsEncodeError(f"address {address.value!r} needs {len(value)} octets, at most {ADDRESS_MAX_OCTETS}")
    return bytes([length, toa]) + value
