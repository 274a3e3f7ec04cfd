"""TS 23.038 text: septet packing (the published "hellohello" vector), GSM 7 bit with escapes and
national shift tables, UCS2 with surrogates; decoders total."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sensor.sms.alphabet import (
    gsm7_decode,
    gsm7_encode,
    gsm7_fits,
    pack_septets,
    septets_octets,
    ucs2_decode,
    ucs2_encode,
    unpack_septets,
)
from sensor.sms.errors import SmsDecodeError, SmsEncodeError
from sensor.sms.ts23038 import DEFAULT_ALPHABET, ESC, LOCKING_SHIFT, SINGLE_SHIFT, Language
from tests.sms.strategies import GSM7_CHARS

HELLOHELLO = bytes.fromhex("e8329bfd4697d9ec37")  # TS 23.038 / GSM 03.38 packing example


def test_hellohello_vector():
    assert pack_septets(gsm7_encode("hellohello")) == HELLOHELLO
    assert gsm7_decode(unpack_septets(HELLOHELLO, 10)) == "hellohello"


def test_fill_bits_shift_the_text():
    # after a 6-octet UDH: 1 fill bit, "h" = 0x68 → 0xd0 in the first text octet
    assert pack_septets(gsm7_encode("hello"), 1).hex() == "d06536fb0d"
    assert gsm7_decode(unpack_septets(bytes.fromhex("d06536fb0d"), 5, 1)) == "hello"


@given(st.lists(st.integers(0, 127), max_size=200), st.integers(0, 6))
def test_pack_unpack_round_trip(septets, fill):
    packed = pack_septets(septets, fill)
    assert len(packed) == septets_octets(len(septets), fill)
    assert unpack_septets(packed, len(septets), fill) == septets


def test_unpack_needs_the_octets():
    with pytest.raises(SmsDecodeError):
        unpack_septets(b"\x00", 2)


def test_tables_are_complete_and_inverse():
    for table in LOCKING_SHIFT.values():
        assert len(table) == 128 and table[ESC] == "\x1b"
    assert DEFAULT_ALPHABET[0x00] == "@" and DEFAULT_ALPHABET[0x11] == "_" and DEFAULT_ALPHABET[0x7F] == "à"
    for ch in GSM7_CHARS:
        assert gsm7_decode(gsm7_encode(ch)) == ch


EXTENSION = [("€", 0x65), ("[", 0x3C), ("]", 0x3E), ("{", 0x28), ("}", 0x29), ("~", 0x3D), ("\\", 0x2F),
             ("^", 0x14), ("|", 0x40), ("\x0c", 0x0A)]  # fmt: skip


@pytest.mark.parametrize(("ch", "code"), EXTENSION)
def test_extension_characters_are_escaped(ch, code):
    assert gsm7_encode(ch) == [ESC, code]


def test_escape_rules_of_6_2_1_1():
    assert gsm7_decode([ESC, 0x41]) == "A"  # not in the extension table: the default table's character
    assert gsm7_decode([ESC, ESC, 0x41]) == " A"  # ESC ESC: a space (another extension table, note 3)
    assert gsm7_decode([0x41, ESC]) == "A "  # a lone ESC at the end shows as a space
    # with a locking shift, an unrepresented escaped code shows the locking table's character
    assert gsm7_decode([ESC, 0x07], Language.TURKISH, Language.DEFAULT) == "ı"


def test_national_tables():
    assert gsm7_decode([0x07, 0x40, 0x60], Language.TURKISH) == "ıİç"
    assert gsm7_encode("ğŞ", Language.DEFAULT, Language.TURKISH) == [ESC, 0x67, ESC, 0x53]
    assert gsm7_encode("á", single=Language.SPANISH) == [ESC, 0x61]
    assert gsm7_decode([0x04, 0x24, ESC, 0x7F], Language.PORTUGUESE, Language.PORTUGUESE) == "êºâ"
    for lang, table in SINGLE_SHIFT.items():
        for code, ch in table.items():
            assert gsm7_decode([ESC, code], Language.DEFAULT, lang) == ch
    # identifiers whose tables are not covered fall back to the default tables
    assert gsm7_decode([0x00, ESC, 0x65], Language.HINDI, Language.HINDI) == "@€"


def test_gsm7_rejects_what_it_cannot_encode():
    assert not gsm7_fits("工") and gsm7_fits("€[]{}~\\^|")
    with pytest.raises(SmsEncodeError):
        gsm7_encode("工")


@given(st.lists(st.integers(0, 255), max_size=300))
def test_gsm7_decode_is_total(septets):
    assert isinstance(gsm7_decode(septets), str)


def test_ucs2_chinese_and_astral():
    assert ucs2_encode("【工商银行】").hex() == "30105de5554694f6884c3011"
    assert ucs2_encode("😀") == b"\xd8\x3d\xde\x00"
    assert ucs2_decode(b"\xd8\x3d\xde\x00") == "😀"


def test_ucs2_unpaired_surrogates_and_odd_octets():
    assert ucs2_decode(b"\xd8\x3d\x00\x41") == "\ufffdA"
    assert ucs2_decode(b"\xde\x00") == "\ufffd"
    assert ucs2_decode(b"\x00\x41\x00") == "A\ufffd"
    with pytest.raises(SmsEncodeError):
        ucs2_encode("\ud83d")


@given(st.binary(max_size=300))
def test_ucs2_decode_is_total(octets):
    assert isinstance(ucs2_decode(octets), str)


@given(st.text())
def test_ucs2_round_trip(text):
    assert ucs2_decode(ucs2_encode(text)) == text
