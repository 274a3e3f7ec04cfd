"""Constants of TS 23.038 (alphabets and language-specific information), clause by clause.

The 7-bit tables are written as the spec prints them: eight columns (bits 7-5 of the septet) of
sixteen rows (bits 4-1), so ``TABLE[0x41]`` is column 4, row 1. ``ESC`` (0x1B) in a locking table
is the escape to the single shift (extension) table of §6.2.1.1; in a single shift table the
codes not listed are not represented (see :data:`EXTENSION_ESCAPE` and the decoding rules in
:mod:`sensor.sms.alphabet`). Inverses are computed, never written twice.

Covered: the default alphabet (§6.2.1) and extension (§6.2.1.1); the national language single shift
tables of Annex A.2 for Turkish (A.2.1), Spanish (A.2.2) and Portuguese (A.2.3) and the locking shift
tables of Annex A.3 for Turkish (A.3.1) and Portuguese (A.3.3) (Spanish has no locking shift table,
A.3.2). The Indian tables (A.2.4-A.2.13, A.3.4-A.3.13) are not covered: their identifiers are known
and decoding falls back to the default tables.
"""

from __future__ import annotations

import enum

ESC = 0x1B  # §6.2.1: escape to the extension table (a space for a receiver that does not know it)


def _columns(*columns: str) -> str:
    assert len(columns) == 8 and all(len(c) == 16 for c in columns), [len(c) for c in columns]
    return "".join(columns)


# §6.2.1: the GSM 7 bit default alphabet
DEFAULT_ALPHABET = _columns(
    "@£$¥èéùìòÇ\nØø\rÅå",
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ",
    " !\"#¤%&'()*+,-./",
    "0123456789:;<=>?",
    "¡ABCDEFGHIJKLMNO",
    "PQRSTUVWXYZÄÖÑÜ§",
    "¿abcdefghijklmno",
    "pqrstuvwxyzäöñüà",
)

# §6.2.1.1: the extension table (reached by ESC). 0x0A is a page break (a line feed for a receiver that
# does not know the extension, note 1).
DEFAULT_EXTENSION: dict[int, str] = {
    0x0A: "\x0c", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\", 0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|",
    0x65: "€",
}  # fmt: skip

# §6.2.1.1 note 3: ESC ESC is "reserved for the extension to another extension table. On receipt of this
# code, a receiving entity shall display a space until another extension table is defined."
EXTENSION_ESCAPE = ESC
EXTENSION_ESCAPE_DISPLAY = " "
# §6.2.1.1: "In the event that an MS receives a code where a symbol is not represented in the above table
# then the MS shall display either the character shown in the main GSM 7 bit default alphabet table in
# subclause 6.2.1, or the character from the National Language Locking Shift Table in the case where the
# locking shift mechanism as defined in subclause 6.2.1.2.3 is used." (applied by sensor.sms.alphabet)


class Language(enum.IntEnum):
    """§6.2.1.2.4: national language identifiers (UDH IEs 0x24/0x25 of TS 23.040 §9.2.3.24.15/16)."""

    DEFAULT = 0  # reserved: the default alphabet and extension
    TURKISH = 1
    SPANISH = 2
    PORTUGUESE = 3
    BENGALI = 4
    GUJARATI = 5
    HINDI = 6
    KANNADA = 7
    MALAYALAM = 8
    ORIYA = 9
    PUNJABI = 10
    TAMIL = 11
    TELUGU = 12
    URDU = 13


# Annex A.3: national language locking shift tables (replacing §6.2.1)
LOCKING_SHIFT: dict[Language, str] = {
    Language.DEFAULT: DEFAULT_ALPHABET,
    # A.3.1 Turkish
    Language.TURKISH: _columns(
        "@£$¥€éùıòÇ\nĞğ\rÅå",
        "Δ_ΦΓΛΩΠΨΣΘΞ\x1bŞşßÉ",
        " !\"#¤%&'()*+,-./",
        "0123456789:;<=>?",
        "İABCDEFGHIJKLMNO",
        "PQRSTUVWXYZÄÖÑÜ§",
        "çabcdefghijklmno",
        "pqrstuvwxyzäöñüà",
    ),
    # A.3.3 Portuguese
    Language.PORTUGUESE: _columns(
        "@£$¥êéúíóç\nÔô\rÁá",
        "Δ_ªÇÀ∞^\\€Ó|\x1bÂâÊÉ",
        " !\"#º%&'()*+,-./",
        "0123456789:;<=>?",
        "ÍABCDEFGHIJKLMNO",
        "PQRSTUVWXYZÃÕÚÜ§",
        "~abcdefghijklmno",
        "pqrstuvwxyzãõ`üà",
    ),
}

# A.2.3: what the Portuguese single shift table adds to the extension table
_PORTUGUESE_SINGLE_SHIFT = {
    0x05: "ê", 0x09: "ç", 0x0B: "Ô", 0x0C: "ô", 0x0E: "Á", 0x0F: "á", 0x12: "Φ", 0x13: "Γ", 0x15: "Ω", 0x16: "Π",
    0x17: "Ψ", 0x18: "Σ", 0x19: "Θ", 0x1F: "Ê", 0x41: "À", 0x49: "Í", 0x4F: "Ó", 0x55: "Ú", 0x5B: "Ã", 0x5C: "Õ",
    0x61: "Â", 0x69: "í", 0x6F: "ó", 0x75: "ú", 0x7B: "ã", 0x7C: "õ", 0x7F: "â",
}  # fmt: skip

# Annex A.2: national language single shift tables (replacing §6.2.1.1)
SINGLE_SHIFT: dict[Language, dict[int, str]] = {
    Language.DEFAULT: DEFAULT_EXTENSION,
    # A.2.1 Turkish
    Language.TURKISH: DEFAULT_EXTENSION | {0x47: "Ğ", 0x49: "İ", 0x53: "Ş", 0x63: "ç", 0x67: "ğ", 0x69: "ı", 0x73: "ş"},
    # A.2.2 Spanish
    Language.SPANISH: DEFAULT_EXTENSION
    | {0x09: "ç", 0x41: "Á", 0x49: "Í", 0x4F: "Ó", 0x55: "Ú", 0x61: "á", 0x69: "í", 0x6F: "ó", 0x75: "ú"},
    # A.2.3 Portuguese
    Language.PORTUGUESE: DEFAULT_EXTENSION | _PORTUGUESE_SINGLE_SHIFT,
}


def _inverse_locking(table: str) -> dict[str, int]:
    return {ch: code for code, ch in enumerate(table) if code != ESC}


def _inverse_single(table: dict[int, str]) -> dict[str, int]:
    return {ch: code for code, ch in table.items()}


# computed inverses: character → septet
LOCKING_SHIFT_CODES: dict[Language, dict[str, int]] = {lang: _inverse_locking(t) for lang, t in LOCKING_SHIFT.items()}
SINGLE_SHIFT_CODES: dict[Language, dict[str, int]] = {lang: _inverse_single(t) for lang, t in SINGLE_SHIFT.items()}

assert all(len(t) == 128 and t[ESC] == "\x1b" for t in LOCKING_SHIFT.values())
assert all(ESC not in t and all(0 <= c < 128 for c in t) for t in SINGLE_SHIFT.values())


# §4: SMS Data Coding Scheme (TP-DCS)
class Alphabet(str, enum.Enum):
    """§4: character set of the user data (the CONTRACT.md ``coding`` names)."""

    GSM7 = "gsm7"  # GSM 7 bit default alphabet (§6.2.1), septets packed (§6.1.2.1)
    EIGHT_BIT = "8bit"  # 8 bit data, user defined
    UCS2 = "ucs2"  # UCS2 (16 bit, §6.2.3), read as UTF-16BE


class MessageClass(enum.IntEnum):
    """§4: message class (bits 1-0 when bit 4 says a class is given)."""

    CLASS_0 = 0  # immediate display ("flash"), not stored by default
    CLASS_1 = 1  # ME specific
    CLASS_2 = 2  # (U)SIM specific
    CLASS_3 = 3  # TE specific


class MessageWaitingType(enum.IntEnum):
    """§4 coding groups 1100-1110, bits 1-0: indication type."""

    VOICEMAIL = 0
    FAX = 1
    EMAIL = 2
    OTHER = 3


# §4: bits 3-2 of the general data coding groups (00xx, 01xx); 11 is reserved
GENERAL_ALPHABET: dict[int, Alphabet | None] = {
    0b00: Alphabet.GSM7,
    0b01: Alphabet.EIGHT_BIT,
    0b10: Alphabet.UCS2,
    0b11: None,
}
GENERAL_ALPHABET_BITS: dict[Alphabet, int] = {a: bits for bits, a in GENERAL_ALPHABET.items() if a is not None}

# §4: coding groups (bits 7-4 of TP-DCS)
GROUP_GENERAL = 0b00  # bits 7-6: general data coding
GROUP_AUTO_DELETION = 0b01  # bits 7-6: message marked for automatic deletion
GROUP_MWI_DISCARD = 0b1100  # message waiting indication, discard message, GSM 7 bit
GROUP_MWI_STORE_GSM7 = 0b1101  # message waiting indication, store message, GSM 7 bit
GROUP_MWI_STORE_UCS2 = 0b1110  # message waiting indication, store message, UCS2
GROUP_DATA_CODING_CLASS = 0b1111  # data coding / message class
RESERVED_GROUPS = frozenset({0b1000, 0b1001, 0b1010, 0b1011})
# §4: "Any reserved codings shall be assumed to be the GSM 7 bit default alphabet (the same as codepoint
# 00000000) by a receiving entity."
RESERVED_ALPHABET = Alphabet.GSM7
# §4 group 1111, bit 2: message coding
DATA_CODING_CLASS_ALPHABET: dict[int, Alphabet] = {0: Alphabet.GSM7, 1: Alphabet.EIGHT_BIT}

# §6.1.2.1.1: octets per UCS2 character; §6.1.2.1: bits per septet
UCS2_OCTETS = 2
SEPTET_BITS = 7
