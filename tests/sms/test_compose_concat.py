"""What a fake station sends and the sensor joins again: any text composes to parts that decode and
join back to the same text; part sizes per TS 23.040; escapes and surrogate pairs never split;
missing parts, duplicates and eviction in the reassembler."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensor.sms.compose import compose_deliver, split_text
from sensor.sms.concat import Reassembler
from sensor.sms.errors import SmsEncodeError
from sensor.sms.tpdu import decode_deliver
from sensor.sms.ts23038 import Alphabet
from sensor.sms.ts23040 import TypeOfNumber
from sensor.sms.udh import Concat, Ports
from tests.sms.strategies import GSM7_CHARS

CST = timezone(timedelta(hours=8))
WHEN = datetime(2026, 11, 3, 9, 12, 40, tzinfo=CST)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TEXT = "【工商银行】尊敬的客户：您的积分即将清零，请登录 http://icbc-jf.example/ 兑换。"


def _round_trip(text, sender="95588", key="phone", **kw):
    parts = [decode_deliver(p.to_bytes()) for p in compose_deliver(text, sender, scts=WHEN, **kw)]
    r = Reassembler()
    joined = [j for p in parts if (j := r.add(p, key)) is not None]
    assert len(joined) == 1 and not r.pending()
    return parts, joined[0]


@pytest.mark.parametrize(("alphabet", "ch", "bits", "per_part"), [
    (Alphabet.GSM7, "a", 8, 153), (Alphabet.GSM7, "a", 16, 152),
    (Alphabet.UCS2, "工", 8, 67), (Alphabet.UCS2, "工", 16, 66),
])  # fmt: skip
def test_part_sizes(alphabet, ch, bits, per_part):
    one = 160 if alphabet is Alphabet.GSM7 else 70
    assert split_text(ch * one, alphabet, bits) == [ch * one]
    assert [len(p) for p in split_text(ch * (one + 1), alphabet, bits)] == [per_part, one + 1 - per_part]


def test_escapes_and_surrogate_pairs_are_never_split():
    parts = split_text("a" * 152 + "€" + "b" * 10, Alphabet.GSM7)
    assert parts == ["a" * 152, "€" + "b" * 10]
    parts = split_text("工" * 66 + "😀" + "x" * 10, Alphabet.UCS2)
    assert parts == ["工" * 66, "😀" + "x" * 10]


def test_chinese_phishing_from_a_short_code():
    parts, joined = _round_trip(TEXT * 3, reference=0x5A)
    assert len(parts) == 3 and all(p.coding.alphabet is Alphabet.UCS2 for p in parts)
    assert [p.concat for p in parts] == [Concat(0x5A, 3, n) for n in (1, 2, 3)]
    assert joined.text == TEXT * 3 and joined.parts == (1, 2, 3) and joined.total == 3
    assert joined.sender.text == "95588" and joined.scts == WHEN and not joined.flash and not joined.silent


def test_senders_flash_silent_16bit_reference():
    parts, joined = _round_trip("Your parcel is held [ref 42] ~ pay €1", sender="ICBC", flash=True)
    assert joined.sender.ton is TypeOfNumber.ALPHANUMERIC and joined.sender.text == "ICBC" and joined.flash
    assert parts[0].coding.alphabet is Alphabet.GSM7 and parts[0].dcs == 0x10
    _, joined = _round_trip("", sender="+8613800138000", silent=True)
    assert joined.silent and joined.text == "" and joined.sender.text == "+8613800138000"
    parts, joined = _round_trip("x" * 400, sender="10086", reference=0xBEEF, reference_bits=16)
    assert [p.concat.reference_bits for p in parts] == [16, 16, 16] and joined.text == "x" * 400


def test_extra_header_elements_are_counted():
    parts, joined = _round_trip("y" * 300, header=(Ports(2948, 9200),), reference=1)
    assert all(p.udh[0] == Ports(2948, 9200) for p in parts) and joined.text == "y" * 300
    assert all(len(p.to_bytes()) <= 140 + 30 for p in parts)


def test_too_long_and_bad_options():
    with pytest.raises(SmsEncodeError, match="at most 255"):
        compose_deliver("工" * 67 * 256, "95588", scts=WHEN)
    with pytest.raises(SmsEncodeError):
        compose_deliver("x", "95588", scts=WHEN, reference=256)
    with pytest.raises(SmsEncodeError):
        compose_deliver("工", "95588", scts=WHEN, alphabet="gsm7")


@SETTINGS
@given(st.text(max_size=600), st.sampled_from([8, 16]))
def test_any_text_composes_and_joins_back(text, bits):
    _, joined = _round_trip(text, reference=7, reference_bits=bits)
    assert joined.text == text


@SETTINGS
@given(st.text(GSM7_CHARS + "€[]{}~\\^|", max_size=500))
def test_gsm7_text_with_escapes_joins_back(text):
    parts, joined = _round_trip(text, reference=9)
    assert joined.text == text and all(p.coding.alphabet is Alphabet.GSM7 for p in parts)


def test_missing_parts_duplicates_and_eviction():
    parts = compose_deliver("工" * 200, "95588", scts=WHEN, reference=3)
    r = Reassembler(max_pending=2)
    assert r.add(parts[2], "a") is None and r.add(parts[2], "a") is None and r.duplicates == 1
    (report,) = r.pending()
    assert (report.parts, report.missing, report.total) == ((3,), (1, 2), 3)
    assert r.add(parts[0], "b") is None and r.add(parts[0], "c") is None  # a third message evicts "a"
    assert r.evicted == 1 and [e.key for e in r.take_evicted()] == ["a"] and r.take_evicted() == []
    assert [p.key for p in r.flush()] == ["b", "c"] and not r.pending()


def test_invalid_concat_ie_is_ignored():
    part = compose_deliver("x" * 200, "95588", scts=WHEN)[0]
    bad = decode_deliver(part.to_bytes().replace(bytes([0x00, 0x03, 0x00, 0x02, 0x01]), bytes([0, 3, 0, 0, 1])))
    assert bad.concat is None
    joined = Reassembler().add(bad, "p")
    assert joined is not None and joined.parts is None and len(joined.text) == 153
