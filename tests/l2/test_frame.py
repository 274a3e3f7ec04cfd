"""LAPDm frames (sensor.l2.frame): the real SDCCH/8 capture decodes block by block to what the
docstring annotates; random valid frames round-trip; random octets raise only DecodeError."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensor.errors import DecodeError
from sensor.l2.errors import Discard, L2DecodeError, L2EncodeError
from sensor.l2.frame import Block, Frame, decode_block, decode_frame, encode_block, encode_frame
from sensor.l2.l1header import SacchL1Header, decode_l1_header, encode_l1_header
from sensor.l2.ts44006 import Channel, FrameFormat, FrameType
from tests.l2.strategies import CHANNELS, frames

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CAPTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "captures"
SDCCH8_TS1 = CAPTURES / "expected" / "vf_call6_arfcn725.grgsm_sdcch8_ts1.txt"
_LINE = re.compile(r"^\s*(\d+)\s+\d+:\s+((?:[0-9a-f]{2}\s*){23})$")
SACCH_FIRST_T3 = 32  # TS 45.002 §7 Table 3, combination VII: FN mod 51 = 32..47 are SACCH/8 blocks


def _real_blocks() -> list[tuple[int, Channel, bytes]]:
    if not SDCCH8_TS1.is_file():
        pytest.skip(f"{SDCCH8_TS1} not present")
    out = []
    for line in SDCCH8_TS1.read_text().splitlines():
        m = _LINE.match(line)
        assert m, line
        fn = int(m.group(1))
        channel = Channel.SACCH if fn % 51 >= SACCH_FIRST_T3 else Channel.SDCCH
        out.append((fn, channel, bytes.fromhex(m.group(2).replace(" ", ""))))
    return out


def test_every_real_block_decodes_and_reencodes():
    blocks = _real_blocks()
    assert len(blocks) == 4
    for _, channel, octets in blocks:
        block = decode_block(octets, channel)
        assert encode_block(block) == octets


def test_the_real_blocks_are_what_the_docstring_says():
    decoded = {fn: decode_block(octets, channel) for fn, channel, octets in _real_blocks()}
    fill = decoded[862210]
    assert fill.fmt is FrameFormat.A
    assert fill.frame == Frame(FrameType.UI, sapi=0, c_r=1)
    si5 = decoded[862242]
    assert si5.fmt is FrameFormat.B4
    assert si5.l1_header == SacchL1Header(ms_power_level=0, timing_advance_symbols=1)
    assert (si5.frame.frame_type, si5.frame.sapi, si5.frame.c_r) == (FrameType.UI, 0, 1)
    assert si5.frame.info[:3] == bytes.fromhex("49061d") and len(si5.frame.info) == 19
    ua = decoded[862261]
    assert ua.fmt is FrameFormat.B
    assert (ua.frame.frame_type, ua.frame.c_r, ua.frame.p_f, ua.frame.length) == (FrameType.UA, 0, True, 13)
    assert ua.frame.info[:2] == bytes.fromhex("0627")  # RR Paging Response
    cipher = decoded[862312]
    assert (cipher.frame.frame_type, cipher.frame.ns, cipher.frame.nr, cipher.frame.m) == (FrameType.I, 0, 1, False)
    assert cipher.frame.info == bytes.fromhex("063511")


def test_identities_stay_out_of_the_repr():
    ua = decode_frame(bytes.fromhex("017335062700035018a005f4015c5703") + b"\x2b" * 7, Channel.SDCCH)
    assert "5c57" not in repr(ua) and "\\\\W" not in repr(ua) and "info" not in repr(ua)


@pytest.mark.parametrize(
    ("octets", "reason"),
    [
        ("0003", Discard.SHORT_L2_HEADER),  # EA 0: Bter
        ("030d01", Discard.UNDEFINED_CONTROL),  # S frame with S = 11
        ("03ef01", Discard.UNDEFINED_CONTROL),  # U modifier of XID: not in LAPDm
        ("030300", Discard.LENGTH_EXTENDED),
        ("030355", Discard.LENGTH_OVER_N201),  # L 21 > 20
        ("030105", Discard.INFO_NOT_ALLOWED),  # RR with L 1
        ("030001", Discard.EMPTY_I_FRAME),
        ("030307", Discard.M_BIT_NOT_I),  # UI with M
    ],
)
def test_malformed_frames_raise_with_their_reason(octets, reason):
    with pytest.raises(L2DecodeError) as info:
        decode_frame(bytes.fromhex(octets).ljust(23, b"\x2b"), Channel.SDCCH)
    assert info.value.reason is reason


def test_block_length_and_bbis():
    with pytest.raises(L2DecodeError) as info:
        decode_block(bytes(22), Channel.SDCCH)
    assert info.value.reason is Discard.BLOCK_LENGTH
    with pytest.raises(L2DecodeError) as info:
        decode_block(bytes(23), Channel.BCCH_CCCH)
    assert info.value.reason is Discard.BBIS_BLOCK
    assert Block(Channel.BCCH_CCCH, Frame(FrameType.UI)).fmt is FrameFormat.BBIS


def test_uplink_sacch_ui_has_a_length_indicator():
    """§2.1: B4 is for the network's UI frames only; the phone's measurement reports are format B."""
    frame = Frame(FrameType.UI, c_r=0, info=bytes.fromhex("0615") + bytes(16))
    octets = encode_frame(frame, Channel.SACCH, uplink=True)
    assert octets[:3] == bytes.fromhex("010349")  # L 18, EL 1
    assert decode_frame(octets, Channel.SACCH, uplink=True) == frame


@pytest.mark.parametrize(
    "frame",
    [
        Frame(FrameType.I, ns=8, nr=0, info=b"x"),
        Frame(FrameType.I, ns=0, info=b"x"),
        Frame(FrameType.UA, nr=1),
        Frame(FrameType.RR, nr=0, info=b"x"),
        Frame(FrameType.UI, sapi=8),
        Frame(FrameType.UI, ea=0),
        Frame(FrameType.UI, m=True),
        Frame(FrameType.UI, info=bytes(21)),
    ],
)
def test_encoder_rejects_bad_values(frame):
    with pytest.raises(L2EncodeError):
        encode_frame(frame, Channel.SDCCH)


def test_encoder_rejects_a_missing_or_extra_l1_header():
    with pytest.raises(L2EncodeError):
        encode_block(Block(Channel.SACCH, Frame(FrameType.UI)))
    with pytest.raises(L2EncodeError):
        encode_block(Block(Channel.SDCCH, Frame(FrameType.UI), SacchL1Header(0, 0)))
    with pytest.raises(L2EncodeError):
        encode_l1_header(SacchL1Header(ms_power_level=32, timing_advance_symbols=0))


@SETTINGS
@given(st.data())
def test_random_frames_round_trip(data):
    channel = data.draw(st.sampled_from(CHANNELS))
    uplink = data.draw(st.booleans())
    frame = data.draw(frames(channel, uplink))
    octets = encode_frame(frame, channel, uplink=uplink)
    assert len(octets) == (21 if channel is Channel.SACCH else 23)
    assert decode_frame(octets, channel, uplink=uplink) == frame


@SETTINGS
@given(st.binary(min_size=2, max_size=2))
def test_l1_headers_round_trip(octets):
    assert encode_l1_header(decode_l1_header(octets)) == octets


@SETTINGS
@given(st.sampled_from([*CHANNELS, Channel.BCCH_CCCH]), st.booleans(), st.binary(max_size=30))
def test_random_octets_raise_only_decode_error(channel, uplink, octets):
    try:
        block = decode_block(octets, channel, uplink=uplink)
    except DecodeError:
        return
    again = encode_block(block)  # what decodes is a valid block: it re-encodes to itself (fill aside)
    assert len(again) == len(octets) and decode_block(again, channel, uplink=uplink) == block


@SETTINGS
@given(st.sampled_from(CHANNELS), st.booleans(), st.binary(min_size=21, max_size=23))
def test_random_frame_octets_decode_or_raise_decode_error(channel, uplink, octets):
    try:
        decode_frame(octets, channel, uplink=uplink)
    except DecodeError:
        pass
