"""TP-UDL and TP-UD (TS 23.040 §9.2.3.16, §9.2.3.24): the user data with its header, both ways.

TP-UDL counts septets when TP-DCS says GSM 7 bit (uncompressed), else octets (8-bit data, UCS2, and
any compressed data). With a header (TP-UDHI) the septet count includes the header's septets:
UDHL + 1 octets rounded up to whole septets, so the text starts after 0-6 fill bits (§9.2.3.24).
Example, part 1 of 2 of reference 0x5A in GSM 7 bit, "hello"::

    UDL 0c | 05 00 03 5a 02 01 | d0 65 36 fb 0d
    12 septets = 7 header septets (6 octets + 1 fill bit) + 5 text septets; d0 = 1101000 << 1 ("h")
"""

from __future__ import annotations

from dataclasses import dataclass

from .alphabet import gsm7_decode, gsm7_encode, pack_septets, septets_octets, ucs2_decode, ucs2_encode, unpack_septets
from .dcs import DataCoding
from .errors import SmsDecodeError, SmsEncodeError
from .ts23038 import SEPTET_BITS, Alphabet
from .ts23040 import UD_MAX_OCTETS, UD_MAX_SEPTETS
from .udh import UdhElement, decode_udh, encode_udh, languages


@dataclass(frozen=True, slots=True)
class UserData:
    """TP-UD: the header (None: TP-UDHI clear; (): set, with no elements), and either ``text`` (GSM 7 bit
    or UCS2) or ``data`` (8-bit data and compressed user data, kept as octets)."""

    text: str | None = None
    udh: tuple[UdhElement, ...] | None = None
    data: bytes | None = None


def header_septets(header_octets: int) -> int:
    """§9.2.3.24: septets a header of ``header_octets`` (UDHL included) takes, fill bits included."""
    return (header_octets * 8 + SEPTET_BITS - 1) // SEPTET_BITS


def _septet_text(udl: int, ud: bytes, udhi: bool) -> tuple[tuple[UdhElement, ...] | None, str]:
    if udl > UD_MAX_SEPTETS:
        raise SmsDecodeError(f"TP-UDL {udl} septets exceeds {UD_MAX_SEPTETS}")
    n_octets = septets_octets(udl)
    if n_octets > len(ud):
        raise SmsDecodeError(f"TP-UDL {udl} septets needs {n_octets} octets, only {len(ud)} present")
    udh = None
    start, skip, fill = 0, 0, 0
    if udhi:
        if udl == 0:
            raise SmsDecodeError("TP-UDHI set but TP-UDL is 0")
        start = ud[0] + 1
        skip = header_septets(start)
        if skip > udl:
            raise SmsDecodeError(f"UDH of {start} octets is longer than TP-UDL {udl} septets")
        udh = decode_udh(ud[1:start])
        fill = skip * SEPTET_BITS - start * 8
    septets = unpack_septets(ud[start:n_octets], udl - skip, fill)
    return udh, gsm7_decode(septets, *languages(udh))


def decode_user_data(udl: int, ud: bytes, coding: DataCoding, udhi: bool) -> UserData:
    """TP-UDL and the octets from TP-UD on (trailing octets beyond TP-UDL are ignored) → :class:`UserData`."""
    if coding.alphabet is Alphabet.GSM7 and not coding.compressed:
        udh, text = _septet_text(udl, ud, udhi)
        return UserData(text=text, udh=udh)
    if udl > UD_MAX_OCTETS:
        raise SmsDecodeError(f"TP-UDL {udl} octets exceeds {UD_MAX_OCTETS}")
    if udl > len(ud):
        raise SmsDecodeError(f"TP-UDL {udl} octets, only {len(ud)} present")
    udh = None
    start = 0
    if udhi:
        if udl == 0:
            raise SmsDecodeError("TP-UDHI set but TP-UDL is 0")
        start = ud[0] + 1
        if start > udl:
            raise SmsDecodeError(f"UDH of {start} octets is longer than TP-UDL {udl}")
        udh = decode_udh(ud[1:start])
    payload = bytes(ud[start:udl])
    if coding.alphabet is Alphabet.UCS2 and not coding.compressed:
        return UserData(text=ucs2_decode(payload), udh=udh)
    return UserData(udh=udh, data=payload)


def encode_user_data(user_data: UserData, coding: DataCoding) -> tuple[int, bytes]:
    """(TP-UDL, TP-UD octets) of ``user_data`` coded as ``coding`` says."""
    header = b"" if user_data.udh is None else encode_udh(user_data.udh)
    as_text = coding.alphabet in (Alphabet.GSM7, Alphabet.UCS2) and not coding.compressed
    if as_text != (user_data.data is None) or as_text != (user_data.text is not None):
        kind = "text" if as_text else "data"
        raise SmsEncodeError(f"TP-DCS {coding.octet:#04x} needs user data as {kind} (and only that)")
    if coding.alphabet is Alphabet.GSM7 and not coding.compressed:
        septets = gsm7_encode(user_data.text or "", *languages(user_data.udh))
        skip = header_septets(len(header)) if header else 0
        udl = skip + len(septets)
        if udl > UD_MAX_SEPTETS:
            raise SmsEncodeError(f"user data of {udl} septets exceeds {UD_MAX_SEPTETS}")
        return udl, header + pack_septets(septets, skip * SEPTET_BITS - len(header) * 8)
    body = ucs2_encode(user_data.text or "") if as_text else bytes(user_data.data or b"")
    octets = header + body
    if len(octets) > UD_MAX_OCTETS:
        raise SmsEncodeError(f"user data of {len(octets)} octets exceeds {UD_MAX_OCTETS}")
    return len(octets), octets
