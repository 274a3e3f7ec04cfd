"""SMS text per TS 23.038: septet packing, the GSM 7 bit alphabet with escapes and national shifts, UCS2.

Packing (§6.1.2.1.1): septets are laid down least significant bit first, the first septet in bits
7-1 of the first octet, its successor's low bit in bit 8, and so on. After a user data header
(TS 23.040 §9.2.3.24) the text starts on a septet boundary counted from the start of the user
data, so 0-6 fill bits precede it: ``fill_bits`` below. The published example, "hellohello"::

    e8 32 9b fd 46 97 d9 ec 37
    h=0x68 → 1101000 in bits 7-1 of e8 (1110 1000), e=0x65's low bit in bit 8, ...

GSM 7 bit decoding (§6.2.1, §6.2.1.1): ESC (0x1B) selects the next septet from the single shift
table; ESC ESC displays a space (§6.2.1.1 note 3); an escaped code the single shift table does not
represent displays the locking table's character for that code (§6.2.1.1); a lone ESC at the end
displays a space (the ESC character's own rendering, §6.2.1). UCS2 (§6.2.3) is read as UTF-16BE
so surrogate pairs give astral characters; an unpaired surrogate or an odd last octet decodes to
U+FFFD. Every decoder is total.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .errors import SmsDecodeError, SmsEncodeError
from .ts23038 import (
    ESC,
    EXTENSION_ESCAPE,
    EXTENSION_ESCAPE_DISPLAY,
    LOCKING_SHIFT,
    LOCKING_SHIFT_CODES,
    SEPTET_BITS,
    SINGLE_SHIFT,
    SINGLE_SHIFT_CODES,
    Language,
)

REPLACEMENT = "\ufffd"


def septets_octets(n_septets: int, fill_bits: int = 0) -> int:
    """Octets that ``n_septets`` packed after ``fill_bits`` fill bits occupy."""
    return (fill_bits + n_septets * SEPTET_BITS + 7) // 8


def pack_septets(septets: Sequence[int], fill_bits: int = 0) -> bytes:
    """§6.1.2.1.1: septets packed into octets, after ``fill_bits`` (0-6) zero fill bits."""
    if not 0 <= fill_bits <= 6:
        raise SmsEncodeError(f"fill bits must be 0..6, got {fill_bits}")
    acc = 0
    for i, s in enumerate(septets):
        if not 0 <= s < 128:
            raise SmsEncodeError(f"septet {i} out of range 0..127: {s}")
        acc |= s << (fill_bits + i * SEPTET_BITS)
    return acc.to_bytes(septets_octets(len(septets), fill_bits), "little")


def unpack_septets(octets: bytes, n_septets: int, fill_bits: int = 0) -> list[int]:
    """§6.1.2.1.1: the first ``n_septets`` septets after ``fill_bits`` fill bits."""
    if not 0 <= fill_bits <= 6 or n_septets < 0:
        raise SmsDecodeError(f"bad septet request: {n_septets} septets after {fill_bits} fill bits")
    need = septets_octets(n_septets, fill_bits)
    if need > len(octets):
        raise SmsDecodeError(f"{n_septets} septets need {need} octets, only {len(octets)} present")
    acc = int.from_bytes(octets[:need], "little") >> fill_bits
    return [(acc >> (i * SEPTET_BITS)) & 0x7F for i in range(n_septets)]


def _tables(locking: Language, single: Language) -> tuple[str, dict[int, str]]:
    # tables not covered (the Indian languages) fall back to the default ones
    return (
        LOCKING_SHIFT.get(locking, LOCKING_SHIFT[Language.DEFAULT]),
        SINGLE_SHIFT.get(single, SINGLE_SHIFT[Language.DEFAULT]),
    )


def gsm7_decode(
    septets: Iterable[int], locking: Language = Language.DEFAULT, single: Language = Language.DEFAULT
) -> str:
    """Text of GSM 7 bit septets (§6.2.1, §6.2.1.1; national tables of Annex A when given)."""
    base, shift = _tables(locking, single)
    out: list[str] = []
    escaped = False
    for s in septets:
        s &= 0x7F
        if escaped:
            escaped = False
            if s == EXTENSION_ESCAPE:
                out.append(EXTENSION_ESCAPE_DISPLAY)
            else:
                out.append(shift.get(s, base[s]))
        elif s == ESC:
            escaped = True
        else:
            out.append(base[s])
    if escaped:
        out.append(" ")
    return "".join(out)


def gsm7_char_septets(
    ch: str, locking: Language = Language.DEFAULT, single: Language = Language.DEFAULT
) -> tuple[int, ...] | None:
    """The septets of one character (one, or ESC + code), or None when the tables lack it."""
    code = LOCKING_SHIFT_CODES.get(locking, LOCKING_SHIFT_CODES[Language.DEFAULT]).get(ch)
    if code is not None:
        return (code,)
    code = SINGLE_SHIFT_CODES.get(single, SINGLE_SHIFT_CODES[Language.DEFAULT]).get(ch)
    if code is not None:
        return (ESC, code)
    return None


def gsm7_encode(text: str, locking: Language = Language.DEFAULT, single: Language = Language.DEFAULT) -> list[int]:
    """Septets of ``text`` in the GSM 7 bit alphabet (extension characters escaped); SmsEncodeError if one lacks."""
    septets: list[int] = []
    for i, ch in enumerate(text):
        code = gsm7_char_septets(ch, locking, single)
        if code is None:
            raise SmsEncodeError(f"character {ch!r} (U+{ord(ch):04X}) at {i} is not in the GSM 7 bit alphabet")
        septets.extend(code)
    return septets


def gsm7_fits(text: str, locking: Language = Language.DEFAULT, single: Language = Language.DEFAULT) -> bool:
    """Whether every character of ``text`` is in the locking or single shift table."""
    return all(gsm7_char_septets(ch, locking, single) is not None for ch in text)


def ucs2_encode(text: str) -> bytes:
    """§6.2.3: UCS2 octets of ``text`` (UTF-16BE: astral characters as surrogate pairs)."""
    try:
        return text.encode("utf-16-be")
    except UnicodeEncodeError as exc:
        raise SmsEncodeError(f"text has an unpaired surrogate at {exc.start}: not encodable as UCS2") from None


def ucs2_units(ch: str) -> int:
    """UTF-16 code units of one character (2 for an astral character)."""
    return 2 if ord(ch) > 0xFFFF else 1


def ucs2_decode(octets: bytes) -> str:
    """§6.2.3: text of UCS2 octets; unpaired surrogates and an odd last octet give U+FFFD."""
    return bytes(octets).decode("utf-16-be", errors="replace")
