"""The receiving side of LAPDm data links (TS 44.006 §5): one explicit state machine per
(channel, sub-channel, SAPI), fed the frames it hears, emitting what happened on the link.

What a passive sensor hears is mostly the downlink: the network's UA (echoing the phone's first L3
message, contention resolution §5.4.1.4), its I frames (N(S) counting the network's own messages,
N(R) acknowledging the phone's, which are not heard: N(R) jumps are normal), RR, DISC, UI. Frames of
both directions are accepted alike (``uplink`` tells them apart); each direction has its own
reassembly.

States (§5.4): IDLE → ESTABLISHING (SABM heard) → ESTABLISHED (UA heard, or implied by I or S
frames after a SABM whose UA the sensor cannot hear) → RELEASING (DISC heard) → IDLE (UA or DM).
One table, :data:`TRANSITIONS`, maps (state, frame type) to a handler. Events:

* :class:`LinkEstablished` — on SABM or on UA with the echo; every establishment ends whatever
  link the key had before (a release the sensor missed);
* :class:`L3Message` — a complete L3 message: I-frame segments reassembled (M bit, §3.6), or a UI
  frame's information;
* :class:`LinkReleased` — on DISC, on DM, or on a failed contention resolution.

After a sequence gap the message in part is dropped and the next I frame starts a message marked
``after_gap`` (the frames lost may have ended the message before, or begun this one).

A retransmitted I frame (N(S) equal to the last one taken: the network resends because the phone's
acknowledgement was lost, §5.5.7) is counted in ``retransmissions`` once and not delivered again.
Frames the link cannot use are counted in ``discards`` under a :class:`~.errors.Discard` reason
(sequence gap, message over 251 octets, no link, message in part dropped by a release); nothing
is raised. Fed the real session of ``vf_call6_arfcn725.grgsm_sdcch8_ts1.txt`` (SDCCH sub-channel
1): fill UI (nothing), UA ``01 73 35 06 27 …`` (LinkEstablished, echo = the Paging Response), I
``03 20 0d 06 35 11`` (L3Message: the Ciphering Mode Command).
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import Discard, L2DecodeError
from .frame import Frame, decode_block
from .ts44006 import LPD_NORMAL, MAX_L3_OCTETS, MODULUS, S_FRAMES, Channel, FrameType


class LinkState(enum.Enum):
    """§5.4: the data link states a receiver can tell apart."""

    IDLE = "idle"
    ESTABLISHING = "establishing"  # SABM heard, UA not (yet)
    ESTABLISHED = "established"  # multiple frame established
    RELEASING = "releasing"  # DISC heard, UA not (yet)


@dataclass(frozen=True, slots=True)
class LinkKey:
    channel: Channel
    sub_channel: int
    sapi: int


@dataclass(frozen=True, slots=True)
class LinkEstablished:
    key: LinkKey
    uplink: bool  # direction of the frame that established it
    by: FrameType  # SABM or UA
    echo: bytes | None = field(default=None, repr=False)  # the phone's first L3 message (§5.4.1.4)


@dataclass(frozen=True, slots=True)
class L3Message:
    key: LinkKey
    uplink: bool
    frame_type: FrameType  # I (acknowledged, reassembled) or UI
    l3: bytes = field(repr=False)  # may hold a phone's identity: kept out of logs
    segments: int = 1
    # Reassembled from the first I frame after a sequence gap: a message of its own if the frames lost
    # ended the one before (a lost single-frame CP-ACK), or the tail of one whose start was lost. L2
    # cannot tell; the layer above takes it only if it proves whole (``SessionTracker``).
    after_gap: bool = False


@dataclass(frozen=True, slots=True)
class LinkReleased:
    key: LinkKey
    uplink: bool
    by: FrameType  # DISC, DM, or UA with a failed contention resolution


Event = LinkEstablished | L3Message | LinkReleased


@dataclass(slots=True)
class _Reassembly:
    """One direction's receive state: V(R) (the N(S) expected next), the last N(S) taken, the message in part."""

    expected_ns: int = 0
    last_ns: int | None = None
    buffer: bytearray = field(default_factory=bytearray)
    segments: int = 0
    skipping: Discard | None = None  # the rest of a broken message is dropped under this reason
    after_gap: bool = False  # the message in part began with the first frame after a sequence gap


Handler = Callable[["Link", Frame, bool], list[Event]]


class Link:
    """Receiver of one data link: ``receive(frame, uplink=...)`` → events."""

    def __init__(self, key: LinkKey) -> None:
        self.key = key
        self.state = LinkState.IDLE
        self.discards: Counter[Discard] = Counter()
        self.retransmissions = 0
        self._rx = {False: _Reassembly(), True: _Reassembly()}
        self._echo: bytes | None = None  # information of the SABM or UA that established the link
        self.implied = 0  # links taken as established from an I frame, their SABM and UA not heard

    def receive(self, frame: Frame, *, uplink: bool = False) -> list[Event]:
        """The one transition method: the events ``frame`` causes."""
        if frame.lpd != LPD_NORMAL:
            self.discards[Discard.LPD_NOT_NORMAL] += 1
            return []
        return TRANSITIONS[(self.state, frame.frame_type)](self, frame, uplink)

    # -- helpers ---------------------------------------------------------------------------------
    def _reset(self) -> None:
        """New link (or none): drop messages in part, sequence numbers back to 0 (§5.4.1.2)."""
        for rx in self._rx.values():
            if rx.buffer or rx.skipping:
                self.discards[Discard.RELEASED_IN_PART] += 1
        self._rx = {False: _Reassembly(), True: _Reassembly()}

    def _untouched(self) -> bool:
        return all(rx.last_ns is None for rx in self._rx.values())

    def _establish(self, frame: Frame, uplink: bool, state: LinkState) -> list[Event]:
        self._reset()
        self.state = state
        self._echo = frame.info or None
        return [LinkEstablished(self.key, uplink, frame.frame_type, self._echo)]

    def _release(self, frame: Frame, uplink: bool, state: LinkState) -> list[Event]:
        self._reset()
        self.state = state
        return [LinkReleased(self.key, uplink, frame.frame_type)]

    def _count(self, reason: Discard) -> list[Event]:
        self.discards[reason] += 1
        return []

    def _retransmitted(self) -> list[Event]:
        self.retransmissions += 1
        return []

    # -- handlers --------------------------------------------------------------------------------
    def _on_ui(self, frame: Frame, uplink: bool) -> list[Event]:
        """§5.3: UI frames in any state; an empty one is fill."""
        return [L3Message(self.key, uplink, FrameType.UI, frame.info)] if frame.info else []

    def _no_link(self, frame: Frame, uplink: bool) -> list[Event]:
        return self._count(Discard.NO_LINK)

    def _ignore(self, frame: Frame, uplink: bool) -> list[Event]:
        return []

    def _on_sabm(self, frame: Frame, uplink: bool) -> list[Event]:
        """§5.4.1: a SABM starts a link; the same SABM again before any I frame is a retransmission."""
        repeated = (frame.info or None) == self._echo and self._untouched()
        if repeated and self.state in (LinkState.ESTABLISHING, LinkState.ESTABLISHED):
            return self._retransmitted()
        return self._establish(frame, uplink, LinkState.ESTABLISHING)

    def _on_ua_idle(self, frame: Frame, uplink: bool) -> list[Event]:
        """§5.4.1.4: a UA (with the echo of the phone's first message) when no SABM was heard."""
        return self._establish(frame, uplink, LinkState.ESTABLISHED)

    def _on_ua_establishing(self, frame: Frame, uplink: bool) -> list[Event]:
        """§5.4.1.4: the UA must echo the SABM's information; the phone leaves the channel if not."""
        if frame.info and self._echo is not None and frame.info != self._echo:
            self.discards[Discard.CONTENTION_FAILED] += 1
            return self._release(frame, uplink, LinkState.IDLE)
        self.state = LinkState.ESTABLISHED
        return []

    def _on_ua_established(self, frame: Frame, uplink: bool) -> list[Event]:
        """The same UA again (the phone repeated its SABM) or a new phone's UA (a release was missed)."""
        if (frame.info or None) == self._echo:
            return self._retransmitted()
        return self._establish(frame, uplink, LinkState.ESTABLISHED)

    def _on_ua_releasing(self, frame: Frame, uplink: bool) -> list[Event]:
        """§5.4.4: a UA without information confirms the release; with one it is a new link."""
        if frame.info:
            return self._establish(frame, uplink, LinkState.ESTABLISHED)
        self.state = LinkState.IDLE
        return []

    def _on_disc(self, frame: Frame, uplink: bool) -> list[Event]:
        return self._release(frame, uplink, LinkState.RELEASING)

    def _on_disc_releasing(self, frame: Frame, uplink: bool) -> list[Event]:
        return self._retransmitted()

    def _on_dm(self, frame: Frame, uplink: bool) -> list[Event]:
        """§5.4.1, §5.4.4: DM refuses an establishment or ends the link."""
        return self._release(frame, uplink, LinkState.IDLE)

    def _on_dm_releasing(self, frame: Frame, uplink: bool) -> list[Event]:
        self.state = LinkState.IDLE
        return []

    def _on_s_establishing(self, frame: Frame, uplink: bool) -> list[Event]:
        """An S or I frame after a SABM: the peer's UA was not heard, the link is established."""
        self.state = LinkState.ESTABLISHED
        return TRANSITIONS[(self.state, frame.frame_type)](self, frame, uplink)

    def _on_i_idle(self, frame: Frame, uplink: bool) -> list[Event]:
        """An I frame with no link heard: the SABM and UA that set it up were lost (a block that failed
        its CRC). The link is up (§5.4.1.4): take it from here, with no echo and no event of its own.
        Its first I frame has N(S) = 0 (§5.4.1.2) and starts a message; any other may continue one
        whose start was lost, so it and the rest of its message are dropped (a sequence error), never
        delivered as a message of their own."""
        self._reset()
        self.state = LinkState.ESTABLISHED
        self._echo = None
        self.implied += 1
        rx = self._rx[uplink]
        if frame.ns == 0:
            rx.expected_ns = 0
            return self._on_i(frame, uplink)
        rx.expected_ns = ((frame.ns or 0) + 1) % MODULUS
        rx.last_ns = frame.ns
        self._drop_message(rx, Discard.SEQUENCE_ERROR, frame.m)
        return []

    def _on_i(self, frame: Frame, uplink: bool) -> list[Event]:
        """§5.5.2: take the I frame with N(S) = V(R); the last one again is a retransmission."""
        rx = self._rx[uplink]
        if frame.ns == rx.last_ns:
            return self._retransmitted()
        in_sequence = frame.ns == rx.expected_ns
        rx.expected_ns = ((frame.ns or 0) + 1) % MODULUS
        rx.last_ns = frame.ns
        if not in_sequence:  # frames were lost: what was in part goes; this one may start a message
            self._drop_message(rx, Discard.SEQUENCE_ERROR, more=False)
            rx.after_gap = True
        elif rx.skipping is not None:
            self._drop_message(rx, rx.skipping, frame.m)
            return []
        rx.buffer += frame.info
        rx.segments += 1
        if len(rx.buffer) > MAX_L3_OCTETS:
            self._drop_message(rx, Discard.MESSAGE_TOO_LONG, frame.m)
            return []
        if frame.m:
            return []
        message = L3Message(self.key, uplink, FrameType.I, bytes(rx.buffer), rx.segments, rx.after_gap)
        rx.buffer.clear()
        rx.segments = 0
        rx.after_gap = False
        return [message]

    def _drop_message(self, rx: _Reassembly, reason: Discard, more: bool) -> None:
        """Count ``reason`` and drop the message in part; its later segments go too (until M = 0)."""
        self.discards[reason] += 1
        rx.buffer.clear()
        rx.segments = 0
        rx.skipping = reason if more else None
        rx.after_gap = False


_S = LinkState
_F = FrameType
_BY_STATE: dict[LinkState, dict[FrameType, Handler]] = {
    _S.IDLE: {
        _F.I: Link._on_i_idle,
        _F.RR: Link._no_link,
        _F.SABM: Link._on_sabm,
        _F.UA: Link._on_ua_idle,
        _F.DISC: Link._no_link,
        _F.DM: Link._ignore,
        _F.UI: Link._on_ui,
    },
    _S.ESTABLISHING: {
        _F.I: Link._on_s_establishing,
        _F.RR: Link._on_s_establishing,
        _F.SABM: Link._on_sabm,
        _F.UA: Link._on_ua_establishing,
        _F.DISC: Link._on_disc,
        _F.DM: Link._on_dm,
        _F.UI: Link._on_ui,
    },
    _S.ESTABLISHED: {
        _F.I: Link._on_i,
        _F.RR: Link._ignore,  # acknowledgements: N(R) of the direction not heard
        _F.SABM: Link._on_sabm,
        _F.UA: Link._on_ua_established,
        _F.DISC: Link._on_disc,
        _F.DM: Link._on_dm,
        _F.UI: Link._on_ui,
    },
    _S.RELEASING: {
        _F.I: Link._no_link,
        _F.RR: Link._no_link,
        _F.SABM: Link._on_sabm,
        _F.UA: Link._on_ua_releasing,
        _F.DISC: Link._on_disc_releasing,
        _F.DM: Link._on_dm_releasing,
        _F.UI: Link._on_ui,
    },
}
# (state, frame type) → handler; RNR and REJ are handled as RR (S frames: only N(R) differs)
TRANSITIONS: dict[tuple[LinkState, FrameType], Handler] = {
    (state, frame_type): handlers[_F.RR if frame_type in S_FRAMES else frame_type]
    for state, handlers in _BY_STATE.items()
    for frame_type in FrameType
}


class Links:
    """Every data link the sensor follows, one :class:`Link` per (channel, sub-channel, SAPI) made on
    first sight; blocks that do not decode are counted in ``discards`` under their reason."""

    def __init__(self) -> None:
        self.links: dict[LinkKey, Link] = {}
        self.discards: Counter[Discard] = Counter()

    def link(self, key: LinkKey) -> Link:
        if key not in self.links:
            self.links[key] = Link(key)
        return self.links[key]

    def receive(self, frame: Frame, channel: Channel, sub_channel: int = 0, *, uplink: bool = False) -> list[Event]:
        return self.link(LinkKey(channel, sub_channel, frame.sapi)).receive(frame, uplink=uplink)

    def receive_block(
        self, octets: bytes, channel: Channel, sub_channel: int = 0, *, uplink: bool = False
    ) -> list[Event]:
        """A 23-octet block as decoded from the air: its frame's events, or none (counted) if it is no frame."""
        try:
            block = decode_block(octets, channel, uplink=uplink)
        except L2DecodeError as exc:
            self.discards[exc.reason] += 1
            return []
        return self.receive(block.frame, channel, sub_channel, uplink=uplink)

    def totals(self) -> tuple[Counter[Discard], int]:
        """(discards of blocks and of every link, retransmissions of every link)."""
        discards = Counter(self.discards)
        for link in self.links.values():
            discards.update(link.discards)
        return discards, sum(link.retransmissions for link in self.links.values())
