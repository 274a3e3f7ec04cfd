"""The dedicated-channel L3 messages (sensor.l3.dispatch and the modules it registers): every
declared message round-trips, random octets raise only DecodeError, the real capture's dedicated
and SACCH blocks decode, the TS 24.007 header (TI, N(SD), skip indicator) and the tolerant
non-imperative part (§11.2.4) behave as specified."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sensor.errors import DecodeError
from sensor.l3 import keys
from sensor.l3.ccch import immediate_assignment, paging_request_1
from sensor.l3.codec import decode
from sensor.l3.cp import CPAck, CPData
from sensor.l3.dispatch import REGISTRY, UnknownMessage, decode_l3, message_key_of, with_pseudo_length
from sensor.l3.encoder import encode
from sensor.l3.errors import L3EncodeError, L3ParseError
from sensor.l3.ie import ChannelDescription
from sensor.l3.ie_mm import MobileIdentity
from sensor.l3.ie_rr import RequestReference, StartingTime
from sensor.l3.messages import MESSAGE_CLASSES
from sensor.l3.mm import IdentityRequest, LocationUpdatingAccept, LocationUpdatingReject, LocationUpdatingRequest
from sensor.l3.rp import RP_MESSAGES, RPAddress, RPDataToMS, decode_rp
from sensor.l3.rr_ccch import ImmediateAssignment, ImmediateAssignmentReject, PagingRequest1
from sensor.l3.rr_dedicated import CipheringModeCommand, PagingResponse
from sensor.l3.si_sacch import SystemInformation5, SystemInformation6
from sensor.l3.ts24008 import IdentityType, MobileIdentityType
from tests.l3.dedicated_strategies import message_strategy

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
SDCCH_FILE = "expected/vf_call6_arfcn725.grgsm_sdcch8_ts1.txt"
_LINE = re.compile(r"^\s*(\d+)\s+(\d+):\s+((?:[0-9a-f]{2}\s*){23})$")

# BCCH SI messages are round-tripped by test_codec.py / test_messages.py; every other registered
# message here
DEDICATED = sorted((c for c in REGISTRY.values() if c not in MESSAGE_CLASSES.values()), key=lambda c: c.__name__)
ROUND_TRIPPED = {*DEDICATED, *RP_MESSAGES}


def _round_trip(msg) -> None:
    try:
        octets = encode(msg)
    except L3EncodeError as exc:  # a random Bbis/B4 message longer than its block
        assume("exceeds" not in str(exc) and "pseudo length" not in str(exc))
        raise
    back = decode(type(msg), octets)
    if getattr(msg, "l2_pseudo_length", 0) is None:  # computed when encoding
        back = dataclasses.replace(back, l2_pseudo_length=None)
    assert back == msg
    assert encode(back) == octets


@pytest.mark.parametrize("cls", DEDICATED + list(RP_MESSAGES), ids=lambda c: c.__name__)
def test_every_message_round_trips(cls):
    @SETTINGS
    @given(message_strategy(cls))
    def check(msg):
        _round_trip(msg)
        if cls in DEDICATED:
            octets = msg.to_l2()
            assert decode_l3(octets, pseudo_length=with_pseudo_length(cls)) == decode(cls, octets)

    check()


def test_every_registered_message_is_tested():
    assert set(REGISTRY.values()) <= ROUND_TRIPPED | set(MESSAGE_CLASSES.values())
    assert len({c.SPEC.name for c in DEDICATED}) == len(DEDICATED)


@pytest.mark.parametrize("cls", DEDICATED + list(RP_MESSAGES), ids=lambda c: c.__name__)
def test_random_octets_after_a_valid_header_raise_only_decode_errors(cls):
    @SETTINGS
    @given(message_strategy(cls), st.binary(max_size=40), st.integers(0, 60))
    def check(msg, tail, cut):
        try:
            octets = msg.to_l2()
        except L3EncodeError:
            return
        head = octets[: 3 if with_pseudo_length(cls) else 2]
        for candidate in (head + tail, octets[:cut] + tail, octets[:cut]):
            try:
                decode(cls, candidate)
            except DecodeError:
                pass

    check()


@SETTINGS
@given(st.binary(max_size=60), st.booleans())
def test_random_octets_raise_only_decode_errors(octets, pseudo):
    try:
        decode_l3(octets, pseudo_length=pseudo)
    except DecodeError:
        pass
    try:
        decode_rp(octets)
    except DecodeError:
        pass


@SETTINGS
@given(st.sampled_from(sorted(REGISTRY)), st.binary(max_size=30), st.integers(0, 3))
def test_random_bodies_of_every_registered_type_raise_only_decode_errors(key, body, high):
    pd, mt = key
    cls = REGISTRY[key]
    head = bytes([pd, mt | (high << 6 if pd in (3, 5) else 0)])
    pseudo = with_pseudo_length(cls)
    try:
        decode_l3((bytes([len(body) + 2 << 2 | 1]) if pseudo else b"") + head + body, pseudo_length=pseudo)
    except DecodeError:
        pass


# --------------------------------------------------------------------------- the TS 24.007 header


def test_nsd_bits_are_masked_and_kept():
    octets = bytes.fromhex("05487062f220013e3305f412345678")
    msg = decode_l3(octets)
    assert isinstance(msg, LocationUpdatingRequest) and msg.send_sequence_number == 1
    assert msg.mobile_identity == MobileIdentity.of_tmsi(0x12345678) and msg.lai.lac == 318
    assert msg.to_l2() == octets
    assert message_key_of(octets) == (5, 0x08)


def test_transaction_identifier_short_and_extended():
    assert decode_l3(bytes.fromhex("8904")) == CPAck(ti_flag=1, ti_value=0)
    ext = CPAck(ti_flag=0, ti_value=100)
    assert ext.to_l2() == bytes([0x79, 0x80 | 100, 0x04]) and decode_l3(ext.to_l2()) == ext
    with pytest.raises(L3ParseError, match="EXT bit"):
        decode_l3(bytes([0x79, 100, 0x04]))
    with pytest.raises(L3EncodeError):
        CPAck(ti_value=128).to_l2()


def test_a_skip_indicator_other_than_zero_is_refused():
    with pytest.raises(L3ParseError, match="skip indicator"):
        decode_l3(bytes.fromhex("15040d"))


def test_unknown_messages_are_objects_and_short_headers_errors():
    msg = decode_l3(bytes.fromhex("0a4201"))  # GPRS SM
    assert msg == UnknownMessage(0xA, 0x42, bytes.fromhex("0a4201")) and msg.to_l2() == bytes.fromhex("0a4201")
    assert decode_l3(bytes.fromhex("053f")) == UnknownMessage(5, 0x3F, bytes.fromhex("053f"))
    for bad in (b"", b"\x05", b"\x0e\x01\x02", b"\x79\x80"):
        with pytest.raises(L3ParseError):
            decode_l3(bad)
    with pytest.raises(L3ParseError, match="pseudo length"):
        decode_l3(bytes.fromhex("061d") + bytes(16))  # an SI5 without its pseudo length
    with pytest.raises(L3ParseError, match="pseudo length"):
        decode_l3(b"\x01" + bytes.fromhex("05040d"), pseudo_length=True)


# --------------------------------------------------------------------------- the non-imperative part, §11.2.4


def test_unknown_optional_ies_are_skipped_out_of_order_and_repeats_tolerated():
    accept = LocationUpdatingAccept(_lai(), follow_on_proceed=True)
    base = accept.to_l2()
    extra = bytes.fromhex("5d02aabb")  # unknown TLV (bit 8 = 0)
    one = bytes.fromhex("f1")  # unknown type 1/2 (bit 8 = 1)
    mi = bytes.fromhex("1705f401020304")
    msg = decode_l3(base[:7] + extra + mi + one + base[7:] + mi)  # MI before FOP, repeated MI
    assert msg.follow_on_proceed and msg.mobile_identity == MobileIdentity.of_tmsi(0x01020304)
    assert decode_l3(LocationUpdatingReject(13).to_l2() + extra) == LocationUpdatingReject(13)
    with pytest.raises(L3ParseError, match="comprehension required"):
        decode_l3(LocationUpdatingReject(13).to_l2() + bytes.fromhex("0e0100"))
    with pytest.raises(L3ParseError, match="runs past"):
        decode_l3(LocationUpdatingReject(13).to_l2() + bytes.fromhex("5d05aa"))


def _lai():
    return decode_l3(bytes.fromhex("05487062f220013e3305f412345678")).lai


# --------------------------------------------------------------------------- IEs


def test_request_reference_names_the_frame_number_mod_42432():
    for fn in (0, 1, 1325, 1326, 12345, 42431, 42432, 2715647):
        ref = RequestReference.from_fn(7, fn)
        assert RequestReference.from_bytes(ref.to_bytes()).fn_mod_42432 == fn % 42432
    assert StartingTime(0, 51, 0).fn_mod_42432 is None


@pytest.mark.parametrize(
    ("code", "channel", "sub"),
    [
        (0b00001, "TCH/F", None),
        (0b00011, "TCH/H", 1),
        (0b00110, "SDCCH/4", 2),
        (0b01101, "SDCCH/8", 5),
        (0, None, None),
    ],
)
def test_channel_description_view(code, channel, sub):
    cd = ChannelDescription(code, 1, 2, arfcn=3)
    assert (cd.channel, cd.sub_channel) == (channel, sub)


def test_mobile_identity_vectors():
    imsi = MobileIdentity.imsi("262021234567890")
    assert imsi.to_bytes().hex() == "2926202143658709"
    assert MobileIdentity.from_bytes(bytes.fromhex("2926202143658709")) == imsi
    assert MobileIdentity.imsi("1234").to_bytes().hex() == "1132f4"
    assert MobileIdentity.none().to_bytes() == b"\xf0"
    # empty; even number of digits without the 1111 filler; a non-decimal digit; reserved type 110
    for bad in ("", "31", "193a", "0e"):
        with pytest.raises(L3ParseError):
            MobileIdentity.from_bytes(bytes.fromhex(bad))
    with pytest.raises(L3EncodeError):
        MobileIdentity.imsi("12345678901234567").to_bytes()


# --------------------------------------------------------------------------- known vectors


def test_the_simulators_ccch_blocks_decode():
    ia = decode_l3(immediate_assignment(arfcn=700, tn=3, tsc=5, ra=0x2A, fn=12345), pseudo_length=True)
    assert isinstance(ia, ImmediateAssignment) and not ia.assigns_tbf
    cd = ia.channel_description
    assert (cd.channel, cd.sub_channel, cd.tn, cd.tsc, cd.arfcn, cd.hopping) == ("SDCCH/8", 0, 3, 5, 700, False)
    assert ia.request_reference.ra == 0x2A and ia.request_reference.fn_mod_42432 == 12345
    assert ia.l2_pseudo_length == 11 and ia.rest_octets == b""
    page = decode_l3(paging_request_1(0x12345678), pseudo_length=True)
    assert isinstance(page, PagingRequest1) and page.mobile_identity_1.tmsi == 0x12345678
    empty = decode_l3(paging_request_1(None), pseudo_length=True)
    assert empty.mobile_identity_1.type is MobileIdentityType.NONE and empty.l2_pseudo_length == 5


def test_immediate_assignment_reject_lists_its_entries():
    ref = RequestReference.from_fn(0x11, 999)
    msg = ImmediateAssignmentReject(ref, 10, ref, 10, ref, 10, ref, 20)
    back = decode_l3(msg.to_l2(), pseudo_length=True)
    assert back.rejected[3] == (ref, 20) and back.l2_pseudo_length == 19


def test_rp_data_vector():
    octets = bytes.fromhex("012a0691683108200500") + bytes([3]) + b"\x04\x05\x06"
    msg = decode_rp(octets)
    assert msg == RPDataToMS(42, RPAddress(1, 1, "8613800250"), b"\x04\x05\x06")
    assert msg.to_l2() == octets
    cp = decode_l3(CPData(octets).to_l2())
    assert cp.rp() == msg and cp.ti_flag == 0


def test_identity_request_and_reject_cause_names():
    req = decode_l3(bytes.fromhex("051801"))
    assert isinstance(req, IdentityRequest) and req.identity is IdentityType.IMSI
    rej = decode_l3(bytes.fromhex("05040d"))
    assert rej.reject_cause == 13 and rej.cause_name == "Roaming not allowed in this location area"


# --------------------------------------------------------------------------- the real capture


def _sdcch_blocks(path: Path) -> list[tuple[int, bytes]]:
    out = []
    for line in path.read_text().splitlines():
        m = _LINE.match(line)
        if m:
            out.append((int(m.group(2)), bytes.fromhex(m.group(3).replace(" ", ""))))
    return out


def _lapdm_information(block: bytes) -> bytes:
    """The information field of an SDCCH LAPDm A/B frame (TS 44.006 §5: address, control, length)."""
    return block[3 : 3 + (block[2] >> 2)]


def test_the_real_sdcch_and_sacch_blocks_decode(captures):
    blocks = dict(_sdcch_blocks(captures / SDCCH_FILE))
    ua = blocks[1331351]
    assert ua[:2] == bytes.fromhex("0173")  # UA, F=1, echoing the phone's SABM
    response = decode_l3(_lapdm_information(ua))
    assert isinstance(response, PagingResponse) and response.mobile_identity.type is MobileIdentityType.TMSI
    assert response.cksn == 0 and response.ms_classmark_2 == bytes.fromhex("5018a0")
    assert response.to_l2() == _lapdm_information(ua)
    command = decode_l3(_lapdm_information(blocks[1331350]))
    assert isinstance(command, CipheringModeCommand)
    assert command.cipher_mode_setting.a5 == 1 and command.cipher_response == 1
    sacch = blocks[1332356]
    assert sacch[2:4] == bytes.fromhex("0303")  # L1 header, then a B4 frame: address, UI
    si5 = decode_l3(sacch[4:], pseudo_length=True)
    assert isinstance(si5, SystemInformation5) and si5.l2_pseudo_length == 18  # the pseudo length precedes RR
    assert si5.neighbours == (730, 733, 734, 741, 746)
    assert si5.to_l2() == sacch[4:]
    assert set(si5.params()) <= keys.PARAMS and si5.params()[keys.SACCH_BA_IND] == 1
    fill = blocks[1331352]
    assert fill[:3] == bytes.fromhex("030301")  # a LAPDm UI frame with no information: nothing to decode


def test_si6_params_are_declared_keys():
    lai = _lai()
    si6 = decode_l3(
        bytes.fromhex("2d061e2bd9") + lai.to_bytes() + bytes.fromhex("25ff") + bytes.fromhex("2b") * 7,
        pseudo_length=True,
    )
    assert isinstance(si6, SystemInformation6) and si6.cell_id == 0x2BD9 and si6.mcc == "262"
    assert si6.cell_options.radio_link_timeout_blocks == 24 and si6.ncc_permitted == tuple(range(8))
    assert set(si6.params()) <= keys.PARAMS and si6.rest_octets == b""


def test_assignment_command_says_where_the_phone_goes():
    from sensor.l3.ie_rr import ChannelDescription2
    from sensor.l3.rr_dedicated import AssignmentCommand

    hopping = AssignmentCommand(ChannelDescription2(0b00001, 2, 5, maio=3, hsn=7), starting_time=StartingTime(1, 2, 3))
    back = decode_l3(hopping.to_l2() + bytes.fromhex("f1"))  # plus an unknown type 2 IE
    assert back.starting_time == StartingTime(1, 2, 3)
    assert (back.channel, back.hopping, back.channel_description.maio) == ("TCH/F", True, 3)
    plain = decode_l3(AssignmentCommand(ChannelDescription2(0b00000, 2, 5, arfcn=70)).to_l2())
    assert (plain.channel, plain.hopping, plain.channel_description.arfcn) == ("TCH/F", False, 70)


def test_sacch_si_frames_as_a_cell_keeps_them(captures):
    """``parse_sacch_si`` takes the 21-octet SACCH frame after the L1 header (what ``cell.si`` keeps)."""
    from sensor.l3.si_sacch import parse_sacch_si, sacch_si_type_of
    from sensor.l3.ts44018 import SacchSIType

    sacch = dict(_sdcch_blocks(captures / SDCCH_FILE))[1332356]
    si5 = parse_sacch_si(sacch[2:])
    assert isinstance(si5, SystemInformation5) and si5.neighbours == (730, 733, 734, 741, 746)
    assert sacch_si_type_of(sacch[2:]) is SacchSIType.SI5
    six = bytes.fromhex("0303") + bytes.fromhex("2d061e2bd9") + _lai().to_bytes() + bytes.fromhex("25ff") + b"\x2b" * 7
    assert sacch_si_type_of(six) is SacchSIType.SI6 and parse_sacch_si(six).cell_id == 0x2BD9
    assert sacch_si_type_of(bytes.fromhex("0f03") + six[2:]) is None  # SAPI 3
    assert sacch_si_type_of(bytes.fromhex("0373") + six[2:]) is None  # a UA, not a UI frame
    with pytest.raises(L3ParseError):
        parse_sacch_si(bytes.fromhex("0303") + bytes.fromhex("2d0621") + b"\x2b" * 16)  # paging on a SACCH
    with pytest.raises(L3ParseError):
        parse_sacch_si(six[:20])


@SETTINGS
@given(st.binary(min_size=0, max_size=24), st.sampled_from([0x1D, 0x05, 0x06, 0x1E, 0x21]))
def test_random_sacch_frames_raise_only_decode_errors(octets, mt):
    from sensor.l3.si_sacch import parse_sacch_si, sacch_si_type_of

    for frame in (octets, bytes.fromhex("0303") + bytes([0x49, 0x06, mt]) + octets):
        sacch_si_type_of(frame)
        try:
            parse_sacch_si(frame)
        except DecodeError:
            pass
