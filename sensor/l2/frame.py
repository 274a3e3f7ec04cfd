"""One LAPDm frame (TS 44.006): address, control and length indicator fields, information field, fill.

The frame format is chosen once, from the logical channel and the direction (§2.1, :data:`LAYOUT`):
A (no information) or B (with) on SDCCH and FACCH (23 octets) and on SACCH (21 octets after the
SACCH L1 header, :mod:`.l1header`); B4 — address and control, no length indicator — for the UI
frames the network sends on SACCH (SI5, SI5bis, SI5ter, SI6 …: their L3 message starts with the
L2 pseudo length instead). BCCH/CCCH blocks are format Bbis, all L3: no LAPDm header to decode.

Real vectors, from gr-gsm's decoding of a real cell's SDCCH/8 on TS1
(``captures/expected/vf_call6_arfcn725.grgsm_sdcch8_ts1.txt``), all downlink::

    FN 862261, SDCCH: UA answering the phone's SABM, echoing its Paging Response (§5.4.1.4)
    01             address: spare 0, LPD 00, SAPI 0, C/R 0 (a network response), EA 1
    73             control: 011 F=1 00 11 = UA, final bit set
    35             length:  L = 001101 = 13, M 0, EL 1
    06 27 00 03 50 18 a0 05 f4 01 5c 57 03
                   information: RR Paging Response (PD 6, type 0x27), a TMSI as identity
    2b × 7         fill

    FN 862312, SDCCH: the first I frame, a Ciphering Mode Command
    03             address: SAPI 0, C/R 1 (a network command), EA 1
    20             control: N(R) 001 | P 0 | N(S) 000 | 0 = I frame, N(S) 0, N(R) 1
    0d             length:  L 3, M 0, EL 1
    06 35 11       information: RR Ciphering Mode Command, start A5/1
    2b × 17        fill

    FN 862210, SDCCH: the idle fill frame
    03 03 01       SAPI 0 command, UI (P 0), L 0: no information; 2b × 20 fill

    FN 862242, SACCH: B4 frame after the L1 header
    00 01          L1 header: ordered MS power level 0, timing advance 1 (:mod:`.l1header`)
    03 03          address SAPI 0 C/R 1, control UI: format B4, no length indicator
    49 06 1d 9f 6d 18 10 80 00 … 00
                   information (19 octets): SI5 with its L2 pseudo length 0x49 (18 octets)

Decoding is total: any octets give a :class:`Frame` or an :class:`~.errors.L2DecodeError` whose
``reason`` (a :class:`~.errors.Discard`) cites the clause the octets break. Fill octets are not
checked (a station's odd fill is a matter for the sessions that judge it, not a reason to drop).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import ts44006 as c
from .errors import Discard, L2DecodeError, L2EncodeError
from .l1header import SacchL1Header, decode_l1_header, encode_l1_header
from .ts44004 import SACCH_L1_HEADER_OCTETS
from .ts44006 import Channel, ChannelGroup, FrameFormat, FrameType


@dataclass(frozen=True, slots=True)
class Layout:
    """How the blocks of one channel and direction are laid out (§2.1, §5.1)."""

    l1_header_octets: int
    frame_octets: int
    group: ChannelGroup
    ui_b4: bool  # UI frames are format B4 (§2.1: UI frames the network sends on SACCH)


# §2.1, §5.1, TS 44.004 §7: layout per (channel, uplink); BCCH/CCCH (format Bbis) has none
LAYOUT: dict[tuple[Channel, bool], Layout] = {
    (Channel.SDCCH, False): Layout(0, c.FRAME_OCTETS, ChannelGroup.DCCH, ui_b4=False),
    (Channel.SDCCH, True): Layout(0, c.FRAME_OCTETS, ChannelGroup.DCCH, ui_b4=False),
    (Channel.FACCH, False): Layout(0, c.FRAME_OCTETS, ChannelGroup.DCCH, ui_b4=False),
    (Channel.FACCH, True): Layout(0, c.FRAME_OCTETS, ChannelGroup.DCCH, ui_b4=False),
    (Channel.SACCH, False): Layout(SACCH_L1_HEADER_OCTETS, c.SACCH_FRAME_OCTETS, ChannelGroup.SACCH, ui_b4=True),
    (Channel.SACCH, True): Layout(SACCH_L1_HEADER_OCTETS, c.SACCH_FRAME_OCTETS, ChannelGroup.SACCH, ui_b4=False),
}

HEADER_OCTETS = {FrameFormat.A: 3, FrameFormat.B: 3, FrameFormat.B4: 2}  # §2.1: address, control (, length)


def layout(channel: Channel, *, uplink: bool = False) -> Layout | None:
    """The layout of ``channel``'s blocks, None on BCCH/CCCH (format Bbis: no LAPDm header)."""
    return LAYOUT.get((channel, uplink))


def _decoding(channel: Channel, uplink: bool) -> Layout:
    lay = layout(channel, uplink=uplink)
    if lay is None:
        raise L2DecodeError(Discard.BBIS_BLOCK, f"channel {channel.value}")
    return lay


def _encoding(channel: Channel, uplink: bool) -> Layout:
    lay = layout(channel, uplink=uplink)
    if lay is None:
        raise L2EncodeError(f"{Discard.BBIS_BLOCK.value}: channel {channel.value}")
    return lay


def n201(fmt: FrameFormat, lay: Layout) -> int:
    """§5.8.3: the most octets the information field of a frame of this format holds."""
    return c.N201[(fmt, lay.group)]


@dataclass(frozen=True, slots=True)
class Frame:
    """One LAPDm frame, field by field as §3 names them. ``ns`` is set for I frames only, ``nr`` for
    I and S frames; ``p_f`` is P in a command, F in a response (§3.5.1). L is ``len(info)``;
    EA and EL are always 1 in a LAPDm frame (0 would extend the field, which LAPDm never does)."""

    frame_type: FrameType
    sapi: int = c.SAPI_SIGNALLING
    c_r: int = 0
    ns: int | None = None
    nr: int | None = None
    p_f: bool = False
    m: bool = False
    info: bytes = field(default=b"", repr=False)  # may hold a phone's identity: kept out of logs
    lpd: int = c.LPD_NORMAL
    spare: int = 0
    ea: int = 1
    el: int = 1

    @property
    def length(self) -> int:
        """L of the length indicator (§3.6): octets in the information field."""
        return len(self.info)


def frame_format(frame: Frame, lay: Layout) -> FrameFormat:
    """§2.1: B4 for the network's UI frames on SACCH, else B when there is information, else A."""
    if lay.ui_b4 and frame.frame_type is FrameType.UI:
        return FrameFormat.B4
    return FrameFormat.B if frame.info else FrameFormat.A


# §3.4 Table 3, §3.8 Table 4: control octet (P/F, N(S), N(R) masked off) → frame type
_S_TYPES = {c.CONTROL_CODE[t]: t for t in c.S_FRAMES}
_U_TYPES = {c.CONTROL_CODE[t]: t for t in c.U_FRAMES}


def _decode_control(octet: int) -> tuple[FrameType, int | None, int | None, bool]:
    p_f = bool(octet & c.CONTROL_PF)
    if octet & c.CONTROL_I_MASK == c.CONTROL_I:
        return FrameType.I, (octet >> c.CONTROL_NS_SHIFT) & 0x07, octet >> c.CONTROL_NR_SHIFT, p_f
    if octet & c.CONTROL_SU_MASK == c.CONTROL_S:
        frame_type = _S_TYPES.get(octet & c.CONTROL_S_MASK)
        if frame_type is None:
            raise L2DecodeError(Discard.UNDEFINED_CONTROL, f"S frame control {octet:#04x}")
        return frame_type, None, octet >> c.CONTROL_NR_SHIFT, p_f
    frame_type = _U_TYPES.get(octet & c.CONTROL_U_MASK)
    if frame_type is None:
        raise L2DecodeError(Discard.UNDEFINED_CONTROL, f"U frame control {octet:#04x}")
    return frame_type, None, None, p_f


def decode_frame(octets: bytes, channel: Channel, *, uplink: bool = False) -> Frame:
    """The frame in ``octets``: the L2 part of a block (21 octets on SACCH, 23 elsewhere)."""
    lay = _decoding(channel, uplink)
    octets = bytes(octets)
    if len(octets) != lay.frame_octets:
        raise L2DecodeError(
            Discard.BLOCK_LENGTH, f"{len(octets)} octets, {channel.value} frames have {lay.frame_octets}"
        )
    address = octets[0]
    if not address & c.ADDRESS_EA:
        raise L2DecodeError(Discard.SHORT_L2_HEADER, f"first octet {address:#04x}")
    frame_type, ns, nr, p_f = _decode_control(octets[1])
    fields = {
        "frame_type": frame_type,
        "sapi": (address >> c.ADDRESS_SAPI_SHIFT) & c.ADDRESS_SAPI_MASK,
        "c_r": int(bool(address & c.ADDRESS_CR)),
        "ns": ns,
        "nr": nr,
        "p_f": p_f,
        "lpd": (address >> c.ADDRESS_LPD_SHIFT) & c.ADDRESS_LPD_MASK,
        "spare": int(bool(address & c.ADDRESS_SPARE)),
    }
    if lay.ui_b4 and frame_type is FrameType.UI:
        return Frame(info=octets[HEADER_OCTETS[FrameFormat.B4] :], **fields)
    length = octets[2]
    if not length & c.LENGTH_EL:
        raise L2DecodeError(Discard.LENGTH_EXTENDED, f"length octet {length:#04x}")
    l_octets = (length >> c.LENGTH_L_SHIFT) & c.LENGTH_L_MASK
    more = bool(length & c.LENGTH_M)
    if l_octets > n201(FrameFormat.B, lay):
        raise L2DecodeError(Discard.LENGTH_OVER_N201, f"L {l_octets} on {channel.value}")
    _check_info(frame_type, l_octets, more)
    start = HEADER_OCTETS[FrameFormat.B]
    return Frame(m=more, info=octets[start : start + l_octets], **fields)


def _check_info(frame_type: FrameType, l_octets: int, more: bool) -> None:
    """§3.6, §3.8: which frames carry information and the M bit."""
    if l_octets and frame_type not in c.FRAMES_WITH_INFO:
        raise L2DecodeError(Discard.INFO_NOT_ALLOWED, f"{frame_type.value} with L {l_octets}")
    if frame_type is FrameType.I and not l_octets:
        raise L2DecodeError(Discard.EMPTY_I_FRAME)
    if more and frame_type is not FrameType.I:
        raise L2DecodeError(Discard.M_BIT_NOT_I, frame_type.value)


def _check_fields(frame: Frame) -> None:
    limits = (
        ("sapi", frame.sapi, c.ADDRESS_SAPI_MASK),
        ("lpd", frame.lpd, c.ADDRESS_LPD_MASK),
        ("c_r", frame.c_r, 1),
        ("spare", frame.spare, 1),
    )
    for name, value, most in limits:
        if not 0 <= value <= most:
            raise L2EncodeError(f"LAPDm {name} must be 0..{most}, got {value}")
    if frame.ea != 1 or frame.el != 1:
        raise L2EncodeError("LAPDm EA and EL are always 1 (§3.2, §3.6)")
    sequenced = frame.frame_type is FrameType.I
    acknowledging = sequenced or frame.frame_type in c.S_FRAMES
    for name, value, wanted in (("ns", frame.ns, sequenced), ("nr", frame.nr, acknowledging)):
        if wanted and (value is None or not 0 <= value < c.MODULUS):
            raise L2EncodeError(f"{frame.frame_type.value} frame needs {name} 0..{c.MODULUS - 1}, got {value}")
        if not wanted and value is not None:
            raise L2EncodeError(f"{frame.frame_type.value} frames have no {name}")


def encode_frame(frame: Frame, channel: Channel, *, uplink: bool = False) -> bytes:
    """The L2 part of a block: header, information, fill octets 0x2B (§5.2) to the frame's length."""
    lay = _encoding(channel, uplink)
    _check_fields(frame)
    fmt = frame_format(frame, lay)
    most = n201(fmt, lay)
    if len(frame.info) > most:
        raise L2EncodeError(
            f"{len(frame.info)} octets of information, format {fmt.value} on {channel.value} holds {most}"
        )
    address = (
        frame.spare << 7
        | frame.lpd << c.ADDRESS_LPD_SHIFT
        | frame.sapi << c.ADDRESS_SAPI_SHIFT
        | frame.c_r << 1
        | c.ADDRESS_EA
    )
    control = c.CONTROL_CODE[frame.frame_type] | (c.CONTROL_PF if frame.p_f else 0)
    control |= (frame.ns or 0) << c.CONTROL_NS_SHIFT | (frame.nr or 0) << c.CONTROL_NR_SHIFT
    header = bytes([address, control])
    if fmt is FrameFormat.B4:
        if frame.m:
            raise L2EncodeError("format B4 has no length indicator, so no M bit")
    else:
        try:
            _check_info(frame.frame_type, len(frame.info), frame.m)
        except L2DecodeError as exc:
            raise L2EncodeError(str(exc)) from None
        header += bytes([len(frame.info) << c.LENGTH_L_SHIFT | (c.LENGTH_M if frame.m else 0) | c.LENGTH_EL])
    return (header + frame.info).ljust(lay.frame_octets, bytes([c.FILL_OCTET]))


@dataclass(frozen=True, slots=True)
class Block:
    """One 23-octet L2 block as the channel decoder delivers it: the frame, and on SACCH the L1 header."""

    channel: Channel
    frame: Frame
    l1_header: SacchL1Header | None = None
    uplink: bool = False

    @property
    def fmt(self) -> FrameFormat:
        lay = layout(self.channel, uplink=self.uplink)
        return FrameFormat.BBIS if lay is None else frame_format(self.frame, lay)


def decode_block(octets: bytes, channel: Channel, *, uplink: bool = False) -> Block:
    """A 23-octet block of ``channel`` (what gr-gsm prints and GSMTAP carries) → :class:`Block`."""
    lay = _decoding(channel, uplink)
    octets = bytes(octets)
    if len(octets) != lay.l1_header_octets + lay.frame_octets:
        raise L2DecodeError(Discard.BLOCK_LENGTH, f"{len(octets)} octets on {channel.value}")
    l1_header = decode_l1_header(octets) if lay.l1_header_octets else None
    frame = decode_frame(octets[lay.l1_header_octets :], channel, uplink=uplink)
    return Block(channel, frame, l1_header, uplink)


def encode_block(block: Block) -> bytes:
    lay = _encoding(block.channel, block.uplink)
    if (block.l1_header is None) == bool(lay.l1_header_octets):
        raise L2EncodeError(f"a {block.channel.value} block {'needs' if lay.l1_header_octets else 'has no'} L1 header")
    head = encode_l1_header(block.l1_header) if block.l1_header is not None else b""
    return head + encode_frame(block.frame, block.channel, uplink=block.uplink)
