"""TS 23.040 TPDUs: published and hand-built vectors, every TP-DCS value, addresses, time stamps,
UDH; hypothesis: random valid TPDUs round-trip, random octets raise only DecodeError."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensor.errors import DecodeError
from sensor.sms.address import Address, decode_address, encode_address
from sensor.sms.dcs import decode_dcs, encode_dcs
from sensor.sms.errors import SmsDecodeError, SmsEncodeError, UnsupportedTpdu
from sensor.sms.timestamp import decode_scts, encode_scts, relative_validity_s
from sensor.sms.tpdu import (
    SmsDeliver,
    SmsStatusReport,
    SmsSubmit,
    decode_deliver,
    decode_status_report,
    decode_submit,
    decode_tpdu,
)
from sensor.sms.ts23038 import Alphabet, MessageClass, MessageWaitingType
from sensor.sms.ts23040 import TypeOfNumber
from sensor.sms.udh import Concat, LanguageShift, OtherIe, Ports, decode_udh, encode_udh
from sensor.sms.userdata import UserData
from tests.sms.strategies import addresses, timestamps, user_data_and_dcs, validity

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CST = timezone(timedelta(hours=8))

# The widely published SMS-DELIVER of the "hellohello" packing example (as an AT+CMGR PDU it follows the
# SMSC address 07 91 72 83 01 00 10 f5): from 27838890001 (TON 4 subscriber, NPI 8 national),
# 1999-03-29 15:16:59 +02:00 (tz octet 0x80: +8 quarter hours), 10 septets.
PUBLISHED = bytes.fromhex("040bc87238880900f10000993092516195800ae8329bfd4697d9ec37")

# "【工商银行】尊敬的客户" from 95588, built by hand per §9.2.2.1 and TS 23.038 §6.2.3:
CHINESE = bytes.fromhex(
    "04"  # MTI 00 DELIVER, TP-MMS 1
    "05a15985f8"  # TP-OA: 5 digits, TON 2 national, NPI 1: 95588 (F filler)
    "00"  # TP-PID
    "08"  # TP-DCS: UCS2
    "62113090210423"  # TP-SCTS 2026-11-03 09:12:40 +08:00
    "16"  # TP-UDL 22 octets
    "3010"
    "5de5"
    "5546"
    "94f6"
    "884c"
    "3011"
    "5c0a"
    "656c"
    "7684"
    "5ba2"
    "6237"
)


def test_published_deliver():
    sms = decode_deliver(PUBLISHED)
    assert sms.originating_address == Address("27838890001", TypeOfNumber.SUBSCRIBER, 8)
    assert sms.scts == datetime(1999, 3, 29, 15, 16, 59, tzinfo=timezone(timedelta(hours=2)))
    assert sms.text == "hellohello" and sms.pid == 0 and sms.dcs == 0 and not sms.more_messages_waiting
    assert sms.to_bytes() == PUBLISHED


def test_chinese_ucs2_deliver_built_by_hand():
    sms = decode_deliver(CHINESE)
    assert sms.text == "【工商银行】尊敬的客户"
    assert sms.originating_address.text == "95588" and sms.originating_address.ton_name == "national"
    assert sms.coding.alphabet is Alphabet.UCS2 and not sms.flash and not sms.silent
    assert sms.scts == datetime(2026, 11, 3, 9, 12, 40, tzinfo=CST)
    built = SmsDeliver(Address.parse("95588"), sms.scts, UserData(text="【工商银行】尊敬的客户"), dcs=0x08)
    assert built.to_bytes() == CHINESE


def test_addresses():
    assert encode_address(Address.parse("+8613800138000")).hex() == "0d91683108108300f0"
    assert encode_address(Address.parse("ICBC")).hex() == "07d0c9a17008"
    assert decode_address(bytes.fromhex("07d0c9a17008"), 0) == (Address("ICBC", TypeOfNumber.ALPHANUMERIC, 0), 6)
    assert Address.parse("10086").ton is TypeOfNumber.NATIONAL
    with pytest.raises(SmsDecodeError):
        decode_address(bytes.fromhex("0481f1f2"), 0)  # the filler inside the digits
    with pytest.raises(SmsDecodeError):
        decode_address(bytes.fromhex("1591" + "11" * 11), 0)  # 21 semi-octets
    with pytest.raises(SmsEncodeError):
        encode_address(Address("123456789012345678901"))
    with pytest.raises(SmsEncodeError):
        encode_address(Address.parse("a very long sender name"))


def test_timestamps():
    assert encode_scts(datetime(2026, 11, 3, 9, 12, 40, tzinfo=CST)).hex() == "62113090210423"
    minus = datetime(2001, 1, 2, 3, 4, 5, tzinfo=timezone(-timedelta(hours=5, minutes=15)))
    assert encode_scts(minus)[6] == 0x1A and decode_scts(encode_scts(minus)) == minus
    assert decode_scts(bytes.fromhex("621130902104a3")) is None  # tz units digit 10
    assert decode_scts(bytes.fromhex("623130902104a3")) is None  # month 13
    assert decode_scts(bytes.fromhex("6f113090210423")) is None  # digit F
    with pytest.raises(SmsEncodeError):
        encode_scts(datetime(2026, 1, 1))
    with pytest.raises(SmsEncodeError):
        encode_scts(datetime(2026, 1, 1, tzinfo=timezone(timedelta(minutes=10))))
    assert [relative_validity_s(v) for v in (0, 143, 144, 167, 168, 196, 197, 255)] == [
        300, 43200, 45000, 86400, 2 * 86400, 30 * 86400, 5 * 7 * 86400, 63 * 7 * 86400]  # fmt: skip


def test_every_dcs_value_decodes():
    seen = set()
    for octet in range(256):
        dc = decode_dcs(octet)
        assert dc.octet == octet
        seen.add(dc.alphabet)
    assert seen == set(Alphabet)
    assert decode_dcs(0x10).flash and decode_dcs(0x18).alphabet is Alphabet.UCS2 and decode_dcs(0x18).flash
    assert decode_dcs(0xF4).alphabet is Alphabet.EIGHT_BIT and decode_dcs(0xF4).message_class is MessageClass.CLASS_0
    assert decode_dcs(0x2C).reserved and decode_dcs(0x2C).compressed and decode_dcs(0x84).reserved
    mwi = decode_dcs(0xC8).waiting
    assert mwi.active and mwi.kind is MessageWaitingType.VOICEMAIL and not mwi.store
    assert decode_dcs(0xE9).alphabet is Alphabet.UCS2 and decode_dcs(0xE9).waiting.kind is MessageWaitingType.FAX
    assert decode_dcs(0x48).auto_delete and decode_dcs(0x48).alphabet is Alphabet.UCS2


@given(st.sampled_from(list(Alphabet)), st.none() | st.integers(0, 3), st.booleans(), st.booleans())
def test_dcs_encode_decode(alphabet, cls, compressed, auto_delete):
    dc = decode_dcs(encode_dcs(alphabet, cls, compressed=compressed, auto_delete=auto_delete))
    assert (dc.alphabet, dc.message_class, dc.compressed, dc.auto_delete) == (alphabet, cls, compressed, auto_delete)


def test_udh_elements():
    raw = bytes.fromhex("00035a030205040b8423f00804beef02012401012501030002010270021234")
    assert decode_udh(raw) == (
        Concat(0x5A, 3, 2, 8), Ports(2948, 9200, 16), Concat(0xBEEF, 2, 1, 16), LanguageShift(1, False),
        LanguageShift(3, True), OtherIe(0x00, b"\x01\x02"), OtherIe(0x70, b"\x12\x34"),
    )  # fmt: skip
    assert encode_udh(decode_udh(raw)) == bytes([len(raw)]) + raw
    assert not Concat(1, 0, 1).valid and not Concat(1, 2, 3).valid and not Concat(1, 2, 0).valid
    with pytest.raises(SmsDecodeError):
        decode_udh(bytes.fromhex("0005010203"))
    with pytest.raises(SmsDecodeError):
        decode_udh(bytes.fromhex("00"))
    with pytest.raises(SmsEncodeError):
        encode_udh((OtherIe(0x00, b"\x01\x02\x03"),))  # would read back as a Concat


def test_udh_and_fill_bits_in_a_deliver():
    sms = SmsDeliver(Address.parse("10086"), datetime(2026, 1, 1, tzinfo=CST),
                     UserData(text="hello", udh=(Concat(0x5A, 2, 1),)))  # fmt: skip
    octets = sms.to_bytes()
    assert octets[0] & 0x40 and octets.endswith(bytes.fromhex("0c050003 5a0201 d06536fb0d".replace(" ", "")))
    assert decode_deliver(octets) == sms and decode_deliver(octets).concat == Concat(0x5A, 2, 1)


def test_bad_lengths_raise_decode_errors():
    with pytest.raises(SmsDecodeError):
        decode_deliver(PUBLISHED[:-1])  # TP-UDL beyond the data
    with pytest.raises(SmsDecodeError):
        decode_deliver(CHINESE[:15] + bytes([141]) + bytes(141))  # UCS2 TP-UDL 141 octets
    with pytest.raises(SmsDecodeError):
        decode_deliver(PUBLISHED[:18] + bytes([161]) + bytes(141))  # 161 septets
    with pytest.raises(UnsupportedTpdu):
        decode_tpdu(b"\x03\x00")  # reserved MTI
    with pytest.raises(UnsupportedTpdu):
        decode_tpdu(b"\x01\x00", "mt")  # SUBMIT-REPORT downlink
    assert isinstance(decode_tpdu(PUBLISHED, "mt"), SmsDeliver)
    with pytest.raises(UnsupportedTpdu):
        decode_tpdu(PUBLISHED, "mo")  # MTI 00 uplink is a DELIVER-REPORT


def test_silent_flash_replace():
    sms = SmsDeliver(Address.parse("1"), datetime(2026, 1, 1, tzinfo=CST), pid=0x40, dcs=0x10)
    back = decode_deliver(sms.to_bytes())
    assert back.silent and back.flash and back.text == ""
    assert decode_deliver(SmsDeliver(Address.parse("1"), back.scts, pid=0x43).to_bytes()).replace_type == 3


def test_submit_and_status_report_vectors():
    # SMS-SUBMIT: VPF relative, MR 0, to +8613800138000, UCS2 "你好", TP-VP 0xAA (4 days)
    submit = bytes.fromhex("11000d91683108108300f00008aa044f60597d")
    sms = decode_submit(submit)
    assert sms.text == "你好" and sms.validity_s == 4 * 86400 and sms.destination_address.text == "+8613800138000"
    assert sms.to_bytes() == submit and isinstance(decode_tpdu(submit, "mo"), SmsSubmit)
    # SMS-STATUS-REPORT: MR 7, recipient 10086, delivered (TP-ST 0), no TP-PI
    report = bytes.fromhex("060705a10180f6621130902104236211309031042300")
    rep = decode_status_report(report)
    assert rep.status == 0 and rep.message_reference == 7 and rep.pid is None and rep.user_data is None
    assert rep.discharge_time - rep.scts == timedelta(minutes=1) and rep.to_bytes() == report
    assert isinstance(decode_tpdu(report), SmsStatusReport)


@SETTINGS
@given(addresses, timestamps, user_data_and_dcs(), st.integers(0, 255), st.booleans(), st.booleans(), st.booleans(),
       st.booleans())  # fmt: skip
def test_random_delivers_round_trip(oa, scts, ud_dcs, pid, mms, lp, sri, rp):
    ud, dcs = ud_dcs
    sms = SmsDeliver(oa, scts, ud, pid, dcs, mms, lp, sri, rp)
    assert decode_deliver(sms.to_bytes()) == sms


@SETTINGS
@given(addresses, st.integers(0, 255), user_data_and_dcs(max_octets=140), st.integers(0, 255), validity,
       st.booleans(), st.booleans(), st.booleans())  # fmt: skip
def test_random_submits_round_trip(da, mr, ud_dcs, pid, vp, rd, srr, rp):
    ud, dcs = ud_dcs
    sms = SmsSubmit(da, mr, ud, pid, dcs, vp[0], vp[1], rd, srr, rp)
    assert decode_submit(sms.to_bytes()) == sms


@SETTINGS
@given(addresses, timestamps, timestamps, st.integers(0, 255), st.integers(0, 255), st.none() | st.integers(0, 255),
       st.none() | user_data_and_dcs(), st.booleans(), st.booleans(), st.booleans())  # fmt: skip
def test_random_status_reports_round_trip(ra, scts, dt, st_, mr, pid, ud_dcs, mms, lp, srq):
    ud, dcs = ud_dcs if ud_dcs is not None else (None, None)
    sms = SmsStatusReport(ra, scts, dt, st_, mr, pid, dcs, ud, mms, lp, srq)
    assert decode_status_report(sms.to_bytes()) == sms


@SETTINGS
@given(st.binary(max_size=200), st.sampled_from(["mt", "mo"]))
def test_random_octets_raise_only_decode_errors(octets, direction):
    try:
        decode_tpdu(octets, direction)
    except DecodeError:
        pass


@SETTINGS
@given(st.binary(max_size=200))
def test_random_delivers_after_a_valid_head_raise_only_decode_errors(tail):
    try:
        decode_deliver(PUBLISHED[:18] + tail)
    except DecodeError:
        pass
    try:
        decode_deliver(bytes([0x44]) + PUBLISHED[1:18] + tail)  # UDHI set
    except DecodeError:
        pass
