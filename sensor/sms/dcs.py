"""TP-DCS, the SMS data coding scheme (TS 23.038 §4): one octet → alphabet, class and flags, and back.

Every one of the 256 values decodes (reserved codings read as the GSM 7 bit default alphabet, §4,
and say ``reserved=True``). Coding groups, bits 7-4::

    00xx  general data coding: bit 5 compressed, bit 4 class given, bits 3-2 alphabet, bits 1-0 class
    01xx  the same, message marked for automatic deletion
    1000-1011  reserved
    1100  message waiting indication, discard message (GSM 7 bit): bit 3 active, bits 1-0 type
    1101  message waiting indication, store message (GSM 7 bit)
    1110  message waiting indication, store message (UCS2)
    1111  data coding/message class: bit 3 reserved, bit 2 8-bit (else GSM 7 bit), bits 1-0 class

Examples: 0x00 GSM 7 bit, no class; 0x08 UCS2 (the Chinese fakes' texts); 0x10 GSM 7 bit class 0
("flash"); 0x18 UCS2 class 0; 0xF4 8-bit class 0; 0xC8 voicemail waiting, discard.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import SmsEncodeError
from .ts23038 import (
    DATA_CODING_CLASS_ALPHABET,
    GENERAL_ALPHABET,
    GENERAL_ALPHABET_BITS,
    GROUP_AUTO_DELETION,
    GROUP_DATA_CODING_CLASS,
    GROUP_MWI_DISCARD,
    GROUP_MWI_STORE_GSM7,
    GROUP_MWI_STORE_UCS2,
    RESERVED_ALPHABET,
    Alphabet,
    MessageClass,
    MessageWaitingType,
)


@dataclass(frozen=True, slots=True)
class MessageWaiting:
    """§4 groups 1100-1110: a message waiting indication."""

    active: bool  # bit 3: set indication active (else inactive)
    kind: MessageWaitingType
    store: bool  # group 1101/1110: store the message (1100: discard it)


@dataclass(frozen=True, slots=True)
class DataCoding:
    """One TP-DCS octet decoded (§4)."""

    octet: int
    alphabet: Alphabet
    message_class: MessageClass | None = None
    compressed: bool = False
    auto_delete: bool = False
    waiting: MessageWaiting | None = None
    reserved: bool = False  # a reserved coding (read as GSM 7 bit) or a reserved bit set

    @property
    def flash(self) -> bool:
        """Class 0: displayed at once and not stored (what fakes use for "flash" SMS)."""
        return self.message_class is MessageClass.CLASS_0


def decode_dcs(octet: int) -> DataCoding:
    """§4: TP-DCS octet → :class:`DataCoding`. Total over 0..255."""
    octet &= 0xFF
    group = octet >> 4
    if group >> 2 in (0b00, GROUP_AUTO_DELETION):
        alphabet = GENERAL_ALPHABET[(octet >> 2) & 0b11]
        return DataCoding(
            octet,
            alphabet or RESERVED_ALPHABET,
            MessageClass(octet & 0b11) if octet & 0x10 else None,
            compressed=bool(octet & 0x20),
            auto_delete=group >> 2 == GROUP_AUTO_DELETION,
            reserved=alphabet is None,
        )
    if group in (GROUP_MWI_DISCARD, GROUP_MWI_STORE_GSM7, GROUP_MWI_STORE_UCS2):
        waiting = MessageWaiting(bool(octet & 0x08), MessageWaitingType(octet & 0b11), group != GROUP_MWI_DISCARD)
        alphabet = Alphabet.UCS2 if group == GROUP_MWI_STORE_UCS2 else Alphabet.GSM7
        return DataCoding(octet, alphabet, waiting=waiting, reserved=bool(octet & 0x04))
    if group == GROUP_DATA_CODING_CLASS:
        return DataCoding(
            octet,
            DATA_CODING_CLASS_ALPHABET[(octet >> 2) & 1],
            MessageClass(octet & 0b11),
            reserved=bool(octet & 0x08),
        )
    return DataCoding(octet, RESERVED_ALPHABET, reserved=True)


def encode_dcs(
    alphabet: Alphabet = Alphabet.GSM7,
    message_class: MessageClass | int | None = None,
    *,
    compressed: bool = False,
    auto_delete: bool = False,
) -> int:
    """§4: the general data coding octet (group 00xx, or 01xx with ``auto_delete``) for the common cases."""
    if message_class is not None and not 0 <= int(message_class) <= 3:
        raise SmsEncodeError(f"message class must be 0..3 or None, got {message_class}")
    try:
        bits = GENERAL_ALPHABET_BITS[Alphabet(alphabet)]
    except (KeyError, ValueError):
        raise SmsEncodeError(f"no TP-DCS alphabet {alphabet!r}") from None
    octet = (0x40 if auto_delete else 0) | (0x20 if compressed else 0) | (bits << 2)
    if message_class is not None:
        octet |= 0x10 | int(message_class)
    return octet
