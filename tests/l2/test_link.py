"""The LAPDm receiver (sensor.l2.link) fed by the simulator's sender (sensor.l2.sender): any L3
message of 1..251 octets comes back whole; retransmissions count once; DISC drops a message in part;
the real SDCCH/8 session gives its events; bad sequences are counted, never raised."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensor.l2.errors import Discard, L2EncodeError
from sensor.l2.frame import Frame
from sensor.l2.link import L3Message, Link, LinkEstablished, LinkKey, LinkReleased, Links, LinkState
from sensor.l2.segment import SendState, i_frames, split_info
from sensor.l2.sender import DownlinkLink
from sensor.l2.ts44006 import MAX_L3_OCTETS, Channel, FrameType
from tests.l2.strategies import frames
from tests.l2.test_frame import _real_blocks

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEY = LinkKey(Channel.SDCCH, 1, 0)
ECHO = bytes.fromhex("062700035018a005f4015c5703")  # the real Paging Response (a TMSI inside)


def _feed(link: Link, frames_: list[Frame], *, uplink: bool = False) -> list:
    return [event for frame in frames_ for event in link.receive(frame, uplink=uplink)]


def _messages(events: list) -> list[bytes]:
    return [e.l3 for e in events if isinstance(e, L3Message)]


@SETTINGS
@given(
    st.sampled_from([Channel.SDCCH, Channel.FACCH, Channel.SACCH]),
    st.sampled_from([0, 3]),
    st.lists(st.binary(min_size=1, max_size=MAX_L3_OCTETS), min_size=1, max_size=4),
    st.integers(0, 7),
)
def test_segmentation_then_reassembly_gives_back_every_message(channel, sapi, messages, acks_before):
    sender = DownlinkLink(channel, sapi)
    link = Link(LinkKey(channel, 0, sapi))
    blocks = [sender.ua(b"")] + [sender.ack() for _ in range(acks_before)]
    for l3 in messages:
        blocks += sender.send(l3)
    events = _feed(link, blocks)
    assert _messages(events) == messages
    assert sum(link.discards.values()) == 0 and link.retransmissions == 0


@SETTINGS
@given(st.binary(min_size=1, max_size=MAX_L3_OCTETS), st.data())
def test_each_retransmission_counts_once(l3, data):
    sender = DownlinkLink(Channel.SDCCH)
    link = Link(KEY)
    sent = [sender.ua(ECHO)]
    resent = 0
    for frame in sender.send(l3):
        sent.append(frame)
        repeats = data.draw(st.integers(0, 3))
        sent += [replace(frame, p_f=True)] * repeats
        resent += repeats
    events = _feed(link, sent)
    assert _messages(events) == [l3]
    assert link.retransmissions == resent


def test_resend_is_the_last_i_frame_with_p_set():
    sender = DownlinkLink(Channel.SDCCH)
    sender.ua(ECHO)
    last = sender.send(bytes(30))[-1]
    again = sender.resend()
    assert (again.ns, again.nr, again.info, again.p_f) == (last.ns, last.nr, last.info, True)


@SETTINGS
@given(st.binary(min_size=21, max_size=MAX_L3_OCTETS), st.data())
def test_disc_drops_the_message_in_part(l3, data):
    sender = DownlinkLink(Channel.SDCCH)
    link = Link(KEY)
    segments = sender.send(l3)
    cut = data.draw(st.integers(1, len(segments) - 1))
    events = _feed(link, [DownlinkLink(Channel.SDCCH).ua(ECHO), *segments[:cut], sender.disc()])
    assert _messages(events) == []
    assert isinstance(events[-1], LinkReleased) and events[-1].by is FrameType.DISC
    assert link.discards == Counter({Discard.RELEASED_IN_PART: 1})
    assert link.state is LinkState.RELEASING
    # the next phone on the sub-channel: a new UA, the sequence starts again at 0
    nxt = DownlinkLink(Channel.SDCCH)
    events = _feed(link, [nxt.ua(ECHO[::-1]), *nxt.send(b"\x06\x35\x11")])
    assert isinstance(events[0], LinkEstablished) and events[0].echo == ECHO[::-1]
    assert _messages(events) == [b"\x06\x35\x11"]


def _after_gap(events):  # type: ignore[no-untyped-def]
    return [e.l3 for e in events if isinstance(e, L3Message) and e.after_gap]


def _whole(events):  # type: ignore[no-untyped-def]
    return [e.l3 for e in events if isinstance(e, L3Message) and not e.after_gap]


def test_a_missed_segment_drops_that_message_only():
    """Its segments after the gap come up as one message marked ``after_gap`` (L2 cannot tell a tail
    from a message whose predecessor's end was lost); the message after it is whole."""
    sender = DownlinkLink(Channel.SDCCH)
    first = sender.send(bytes(range(50)))  # 3 segments
    second = sender.send(b"\x05\x18")
    link = Link(KEY)
    events = _feed(link, [DownlinkLink(Channel.SDCCH).ua(ECHO), first[0], first[2], *second])
    assert _whole(events) == [b"\x05\x18"]
    assert _after_gap(events) == [first[2].info]
    assert link.discards == Counter({Discard.SEQUENCE_ERROR: 1})


def test_a_gap_inside_a_message_drops_what_came_before_it():
    sender = DownlinkLink(Channel.SDCCH)
    first = sender.send(bytes(range(70)))  # 4 segments: lose the 2nd; the 1st is dropped, the 3rd and 4th marked
    second = sender.send(b"\x05\x18")
    link = Link(KEY)
    events = _feed(link, [DownlinkLink(Channel.SDCCH).ua(ECHO), first[0], first[2], first[3], *second])
    assert _whole(events) == [b"\x05\x18"]
    assert _after_gap(events) == [first[2].info + first[3].info]
    assert link.discards == Counter({Discard.SEQUENCE_ERROR: 1})


def test_a_lost_single_frame_message_leaves_the_next_message_whole_but_marked():
    """The network's one-frame CP-ACK lost in a fade: the SMS after it arrives complete, after a gap."""
    sender = DownlinkLink(Channel.SDCCH)
    before, lost, after = sender.send(b"\x09\x01" + bytes(30)), sender.send(b"\x09\x04"), sender.send(bytes(range(60)))
    link = Link(KEY)
    events = _feed(link, [DownlinkLink(Channel.SDCCH).ua(ECHO), *before, *after])
    assert len(lost) == 1 and _whole(events) == [b"\x09\x01" + bytes(30)]
    assert _after_gap(events) == [bytes(range(60))]


def test_a_message_over_251_octets_is_dropped():
    link = Link(KEY)
    state = SendState()
    overlong, state = i_frames(bytes(240), state, n201=20, sapi=0, c_r=1)
    more, state = i_frames(bytes(20), state, n201=20, sapi=0, c_r=1)
    overlong[-1] = replace(overlong[-1], m=True)  # 260 octets without an end
    tail, state = i_frames(b"\x01", state, n201=20, sapi=0, c_r=1)
    events = _feed(link, [Frame(FrameType.UA, p_f=True), *overlong, *more, *tail])
    assert _messages(events) == [b"\x01"]  # the message after it is whole
    assert link.discards == Counter({Discard.MESSAGE_TOO_LONG: 1})


def test_s_frames_with_no_link_are_counted():
    link = Link(KEY)
    sender = DownlinkLink(Channel.SDCCH)
    events = _feed(link, [sender.ack(), sender.ack()])
    assert events == []
    assert link.discards == Counter({Discard.NO_LINK: 2})


def test_an_i_frame_whose_sabm_and_ua_were_lost_implies_the_link():
    """The blocks that carried the SABM and UA failed their CRC: the I frames that follow still carry
    whole messages (a CP-DATA of an SMS, the reject), so the link is taken as established from them."""
    link = Link(KEY)
    sender = DownlinkLink(Channel.SDCCH)
    sender.ua(b"\x05\x08")  # not heard
    long, short = bytes(range(30)), b"\x05\x04\x0d"
    events = _feed(link, [*sender.send(long), *sender.send(short), sender.disc()])
    assert _messages(events) == [long, short]
    assert link.implied == 1 and not link.discards
    assert not any(isinstance(e, LinkEstablished) for e in events)  # no echo, no new phone
    # a continuation heard first (its first segment lost too) is never taken for a message
    link2 = Link(KEY)
    sender2 = DownlinkLink(Channel.SDCCH)
    _first, second = sender2.send(long)
    assert _messages(_feed(link2, [second, *sender2.send(short)])) == [short]
    assert link2.implied == 1 and link2.discards == Counter({Discard.SEQUENCE_ERROR: 1})


def test_network_sabm_then_i_frames_without_the_phone_ua():
    """SAPI 3 mobile-terminated SMS: the network's SABM, the phone's UA (not heard), then I frames."""
    sender = DownlinkLink(Channel.SDCCH, 3)
    link = Link(LinkKey(Channel.SDCCH, 1, 3))
    sabm = sender.sabm()
    events = _feed(link, [sabm, sabm, *sender.send(bytes(40))])
    assert [type(e) for e in events] == [LinkEstablished, L3Message]
    assert events[0].by is FrameType.SABM and events[0].echo is None
    assert link.retransmissions == 1 and link.state is LinkState.ESTABLISHED


def test_both_directions_contention_resolution():
    link = Link(KEY)
    sabm = Frame(FrameType.SABM, c_r=0, p_f=True, info=ECHO)
    ok = _feed(link, [sabm], uplink=True) + _feed(link, [DownlinkLink(Channel.SDCCH).ua(ECHO)])
    assert [type(e) for e in ok] == [LinkEstablished] and ok[0].uplink and ok[0].echo == ECHO
    assert link.state is LinkState.ESTABLISHED
    failed = Link(KEY)
    events = _feed(failed, [sabm], uplink=True) + _feed(failed, [DownlinkLink(Channel.SDCCH).ua(ECHO[:-1])])
    assert isinstance(events[-1], LinkReleased) and failed.discards[Discard.CONTENTION_FAILED] == 1
    # the phone's own I frames reassemble apart from the network's
    both = Link(KEY)
    up, down = DownlinkLink(Channel.SDCCH), DownlinkLink(Channel.SDCCH)
    _feed(both, [up.ua(ECHO)])
    up_frames, down_frames = up.send(bytes(30)), down.send(bytes(range(30)))
    events = (
        _feed(both, [up_frames[0]], uplink=True) + _feed(both, down_frames) + _feed(both, [up_frames[1]], uplink=True)
    )
    assert [(e.uplink, e.l3) for e in events] == [(False, bytes(range(30))), (True, bytes(30))]


def test_dm_refuses_and_ui_passes_in_any_state():
    sender = DownlinkLink(Channel.SDCCH, 3)
    link = Link(LinkKey(Channel.SDCCH, 1, 3))
    events = _feed(link, [sender.ui(b"\x01\x02"), sender.sabm(), sender.dm(), sender.ui()])
    assert [type(e) for e in events] == [L3Message, LinkEstablished, LinkReleased]
    assert link.state is LinkState.IDLE


def test_real_session_events():
    links = Links()
    events = []
    for _, channel, octets in _real_blocks():
        events += links.receive_block(octets, channel, 1)
    si5, established, cipher = events  # FN order: fill (nothing), SACCH SI5, UA, I
    assert isinstance(established, LinkEstablished) and established.echo[:2] == b"\x06\x27"
    assert isinstance(si5, L3Message) and si5.frame_type is FrameType.UI and si5.l3[:3] == b"\x49\x06\x1d"
    assert si5.key == LinkKey(Channel.SACCH, 1, 0)
    assert isinstance(cipher, L3Message) and cipher.l3 == b"\x06\x35\x11" and cipher.key == LinkKey(Channel.SDCCH, 1, 0)
    assert links.totals() == (Counter(), 0)


def test_undecodable_blocks_and_other_lpd_are_counted():
    links = Links()
    assert links.receive_block(bytes(23), Channel.SDCCH) == []
    assert links.receive_block(bytes.fromhex("230301").ljust(23, b"\x2b"), Channel.SDCCH) == []
    discards, _ = links.totals()
    assert discards == Counter({Discard.SHORT_L2_HEADER: 1, Discard.LPD_NOT_NORMAL: 1})


@SETTINGS
@given(st.lists(st.tuples(st.booleans(), frames(Channel.SDCCH, False)), max_size=40))
def test_any_frame_sequence_never_raises(sequence):
    link = Link(KEY)
    for uplink, frame in sequence:
        for event in link.receive(frame, uplink=uplink):
            assert event.key == KEY
            if isinstance(event, L3Message):
                assert 1 <= len(event.l3) <= MAX_L3_OCTETS


@pytest.mark.parametrize("size", [0, MAX_L3_OCTETS + 1])
def test_segmentation_rejects_sizes_out_of_range(size):
    with pytest.raises(L2EncodeError):
        split_info(bytes(size), 20)
    with pytest.raises(L2EncodeError):
        DownlinkLink(Channel.SDCCH).resend()
