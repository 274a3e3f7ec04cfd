"""The generic message codec (sensor.l3.codec): random valid messages round-trip, random octets raise
only DecodeError, for the SI messages and for a message using every TS 24.007 §11.2 format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensor.errors import DecodeError
from sensor.l3.cell import build_all
from sensor.l3.codec import Message, decode
from sensor.l3.elements import FLAG, HALF_OCTET, LV, LV_E, OCTETS, TLV, TLV_E, TV, Field, IEType, MessageSpec, T, V
from sensor.l3.encoder import encode
from sensor.l3.errors import L3ParseError
from sensor.l3.messages import MESSAGE_CLASSES, parse_si
from sensor.l3.ts24007 import ProtocolDiscriminator
from tests.l3.strategies import cell_params

SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

TWO_OCTETS = IEType("two octets", lambda b: int.from_bytes(b, "big"), lambda v: v.to_bytes(2, "big"), octets=2)


@dataclass(frozen=True, slots=True)
class AllFormats(Message):
    """A message shaped like the coming MM/CP ones: half-octet V pair, V, LV, LV-E, then optional
    type 1 TV, T, TV, TLV and TLV-E elements."""

    SPEC: ClassVar[MessageSpec] = MessageSpec("test message", (
        Field("protocol_discriminator", V, HALF_OCTET, const=ProtocolDiscriminator.MM),
        Field("skip_indicator", V, HALF_OCTET, const=0),
        Field("message_type", V, IEType("type", lambda b: b[0], lambda v: bytes([v]), octets=1), const=0x08),
        Field("low", V, HALF_OCTET),
        Field("high", V, HALF_OCTET),
        Field("fixed", V, TWO_OCTETS),
        Field("lv", LV, OCTETS),
        Field("lv_e", LV_E, OCTETS),
        Field("type1", TV, HALF_OCTET, iei=0x9, optional=True),
        Field("flag", T, FLAG, iei=0xA1, optional=True),
        Field("tv", TV, TWO_OCTETS, iei=0x13, optional=True),
        Field("tlv", TLV, OCTETS, iei=0x17, optional=True),
        Field("tlv_e", TLV_E, OCTETS, iei=0x7C, optional=True),
    ), frame_octets=0)  # fmt: skip
    low: int
    high: int
    fixed: int
    lv: bytes
    lv_e: bytes
    type1: int | None = None
    flag: bool | None = None
    tv: int | None = None
    tlv: bytes | None = None
    tlv_e: bytes | None = None


nibbles = st.integers(0, 15)
all_formats = st.builds(
    AllFormats, nibbles, nibbles, st.integers(0, 0xFFFF), st.binary(max_size=20), st.binary(max_size=300),
    st.none() | nibbles, st.none() | st.just(True), st.none() | st.integers(0, 0xFFFF),
    st.none() | st.binary(max_size=30), st.none() | st.binary(max_size=300),
)  # fmt: skip


@SETTINGS
@given(all_formats)
def test_every_format_round_trips(msg: AllFormats):
    octets = encode(msg)
    assert octets[0] == 0x05 and octets[1] == 0x08 and octets[2] == msg.high << 4 | msg.low
    assert decode(AllFormats, octets) == msg


def test_a_known_layout():
    msg = AllFormats(3, 0xC, 0x1234, b"\xaa", b"", type1=5, tlv=b"\x01\x02")
    assert encode(msg).hex() == "0508c3123401aa00009517020102"


@SETTINGS
@given(st.binary(max_size=400))
def test_random_octets_raise_only_decode_errors(octets: bytes):
    try:
        decode(AllFormats, octets)
    except DecodeError:
        pass


@SETTINGS
@given(cell_params())
def test_si_messages_round_trip(p):
    for l2 in build_all(p).values():
        msg = parse_si(l2)
        assert msg.to_l2() == l2
        assert parse_si(msg.to_l2()) == msg


@SETTINGS
@given(st.sampled_from(sorted(MESSAGE_CLASSES)), st.binary(min_size=20, max_size=20), st.integers(0, 63), st.booleans())
def test_random_si_octets_raise_only_decode_errors(mt: int, body: bytes, plen: int, strict: bool):
    try:
        parse_si(bytes([plen << 2 | 1, 0x06, mt]) + body, strict=strict)
    except DecodeError:
        pass


def test_every_message_type_in_the_dispatch_dict_is_declared_with_its_type():
    for mt, cls in MESSAGE_CLASSES.items():
        assert cls.SPEC.fields[3].name == "message_type" and cls.SPEC.fields[3].const == mt


def test_a_wrong_constant_is_a_parse_error():
    with pytest.raises(L3ParseError):
        decode(AllFormats, bytes.fromhex("0609c3123401aa0000"))
