"""The blocks of one carrier turned into phone sessions and SMS (the stage after the receiver).

``SessionTracker(arfcn, bsic, pseudonymizer).add(block)`` takes the carrier's decoded L2 blocks
(:class:`sensor.model.L2Block`) in time order:

* CCCH: Immediate Assignment (Extended) opens a session per assigned channel, keyed by (timeslot,
  sub-channel); an SDCCH/4 or SDCCH/8 of this carrier without hopping is followed, anything else
  (a TCH, a hopping channel, another carrier) is reported at once with ``followed: false``. A
  repeated assignment (the same channel and request reference) is one session; a new assignment
  of a sub-channel closes the session that held it. Immediate Assignment Reject is counted.
* SDCCH/SACCH of an assigned sub-channel: fed to one :class:`sensor.l2.link.Links` of the carrier
  (sub-channel ``tn * 8 + sub``, links dropped at each new assignment). The UA's echo is the
  phone's first message: the procedure and the identity it showed, hashed at once
  (:mod:`.pseudonym`); then Identity Request, Authentication Request, Ciphering Mode Command (from
  it on nothing is read), LU Accept / Reject (cause), CP-DATA → RP-DATA → SMS-DELIVER (:mod:`.sms`),
  Channel Release (the session closes with the link's last frame: the network's UA to the phone's
  DISC, or a DISC/DM, or the sub-channel's next assignment). The SACCH L1 header gives the timing advance; SI5/5bis/
  5ter/6 on the SACCH are returned by ``add`` for the cell model.
* A UA echo on a sub-channel whose assignment was not read (lost block, recording started late)
  opens a session too, marked not complete.
* CRC failures are counted per session; a session whose blocks mostly fail while the carrier's
  BCCH/CCCH decode is judged ciphered when it closes (:func:`.session.looks_ciphered`); nothing is
  ever read from a failed block.

Nothing raises out of ``add``: a block or message that does not decode is counted, and hostile
content stays inside :class:`~sensor.errors.DecodeError`. ``take()`` hands over the sessions closed
and the SMS completed since the last call; ``finish()`` closes everything at the end of the
recording (open sessions become ``incomplete``, SMS still missing parts are reported with the parts
that came); :func:`.output.activity` makes the cell object's ``activity`` of its counters.

Example, the real session of captures/expected/vf_call6_arfcn725.grgsm_sdcch8_ts1.txt: the
Immediate Assignment ``2d 06 3f 00 49 02 d5 26 54 c7 01 00`` (SDCCH/8 sub-channel 1 on TN 1, ARFCN
725) at FN 862212, then on TS1 SACCH ``00 01 03 03 49 06 1d …`` (TA 1, SI5), the UA ``01 73 35 06 27
…`` (a Paging Response with a TMSI) and the I frame ``03 20 0d 06 35 11`` (Ciphering Mode Command)
give one session: SDCCH/8, tn 1, sub 1, paging_response, a TMSI as ``k1:…``, TA 1, ciphered.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from sensor.errors import DecodeError
from sensor.gsm import tdma
from sensor.l2.ts44006 import SAPI_SIGNALLING, SAPI_SMS, Channel
from sensor.l3.dispatch import decode_l3
from sensor.l3.ie import ChannelDescription
from sensor.l3.rr_ccch import ImmediateAssignment, ImmediateAssignmentExtended, ImmediateAssignmentReject
from sensor.l3.ts24008 import IdentityType
from sensor.model import L2Block

from . import names
from .pseudonym import Pseudonymizer, identity_name
from .session import Session, looks_ciphered

if TYPE_CHECKING:
    from sensor.l2.link import Event, L3Message, LinkEstablished, Links
    from sensor.l3.cp import CPData

    from .sms import SmsAssembler, SmsRecord

# What only a followed dedicated channel needs (LAPDm links, the MM, RR, CP/RP and SACCH SI messages,
# SMS) is imported by the methods that handle one, when the first such block comes: a carrier whose
# cells assign no dedicated channel never builds those classes (bench/README.md, "Fourth round: start-up").

BLOCK_FRAMES = 4  # a control-channel block spans four TDMA frames (TS 45.002 §7)
SUBCHANNELS_PER_TN = 8  # Links sub-channel number = tn * 8 + sub (SDCCH/8 has the most, 8)
CCCH_GAP_FRAMES = 2 * tdma.FRAMES_PER_51_MULTIFRAME  # longer without a CCCH block decoded: not listening
CCCH_DECODED_KEEP = 1024  # distinct CCCH blocks whose decoded message a carrier keeps
LAPDM_CHANNEL = {"SDCCH": Channel.SDCCH, "SACCH": Channel.SACCH}


def _end_of(block: L2Block) -> float | None:
    """The time the block's last burst ends."""
    return None if block.t_s is None else block.t_s + BLOCK_FRAMES * tdma.FRAME_DURATION_S


def _ends_link(event: Event) -> bool:
    """The SAPI 0 link of the SDCCH ends: DISC or DM, or a UA without the echo of a new phone."""
    from sensor.l2.link import LinkEstablished, LinkReleased

    if event.key.sapi != SAPI_SIGNALLING or event.key.channel is not Channel.SDCCH:
        return False
    return isinstance(event, LinkReleased) or (isinstance(event, LinkEstablished) and event.echo is None)


def proves_whole_sms(event: L3Message) -> bool:
    """Whether a message reassembled after a LAPDm sequence gap is a whole SMS delivery, not the tail of
    one whose start was lost: on SAPI 3, a CP-DATA carrying an RP-DATA carrying an SMS-DELIVER, each
    layer's length fields accounting for exactly the octets received (each re-encodes to them). A tail
    passing all three by chance would need its first octets to read as CP, RP and TPDU headers whose
    lengths all agree with what follows; anything less is dropped, never reported in part as a whole."""
    from sensor.l3.cp import CPData
    from sensor.l3.encoder import encode as encode_l3
    from sensor.l3.rp import RPDataToMS
    from sensor.sms import SmsDeliver, decode_tpdu
    from sensor.sms.tpdu import encode_tpdu

    if event.key.sapi != SAPI_SMS:
        return False
    try:
        cp = decode_l3(event.l3)
        if not isinstance(cp, CPData) or encode_l3(cp) != event.l3:
            return False
        rp = cp.rp()
        if not isinstance(rp, RPDataToMS) or encode_l3(rp) != cp.user_data:
            return False
        tpdu = decode_tpdu(rp.user_data, "mt")
        return isinstance(tpdu, SmsDeliver) and encode_tpdu(tpdu) == rp.user_data
    except (DecodeError, ValueError):
        return False


class SessionTracker:
    """Sessions and SMS of one carrier (ARFCN + BSIC) from its blocks in time order."""

    def __init__(self, arfcn: int, bsic: int | None, pseudonymizer: Pseudonymizer) -> None:
        self.arfcn = arfcn
        self.bsic = bsic
        self.names = pseudonymizer
        self._links: Links | None = None  # made when the first dedicated block comes
        self._sms: SmsAssembler | None = None  # made when the first SMS-DELIVER comes
        self.sacch_si: dict[str, Any] = {}  # SACCH SI type ("5", "5bis", "5ter", "6") → last message
        self._by_place: dict[tuple[int, int], Session] = {}  # (tn, sub) → the session holding it
        self._assignment: dict[tuple[int, int], tuple[ChannelDescription, Any]] = {}
        self._closed: list[Session] = []
        self._sms_out: list[SmsRecord] = []
        self._count = 0
        self.carrier_ok = 0  # BCCH/CCCH blocks decoded
        self.carrier_failed = 0
        # CCCH blocks decoded, and missed: the share of Immediate Assignments the receiver may have lost
        self.ccch_ok = 0
        self.ccch_failed = 0
        self._ccch_positions: set[int] = set()  # FN mod 51 where the carrier's CCCH blocks start
        self._ccch_last_fn: int | None = None
        self.undecodable_blocks = 0
        # CCCH octets → their message: a carrier repeats the same blocks (empty pagings, fill) over and
        # over, and decoding is a pure function of the octets (25,000 blocks of a 60-cell recording:
        # 1.2 s of L3 decoding otherwise); bounded, emptied when full, failures never kept
        self._ccch_decoded: dict[bytes, Any] = {}
        # activity
        self.assignments = 0
        self.assignment_rejects = 0
        self.sessions_closed = 0
        self.sessions_in_part = 0
        self.ciphered_sessions = 0
        self.phones: set[str] = set()
        self.identity_requests: Counter[str] = Counter()
        self.imsi_requests_before_auth = 0  # IMSI asked for with no Authentication Request before it
        self.lu_rejects: Counter[int] = Counter()
        self.sms_count = 0

    # -- public -----------------------------------------------------------------------------------
    def add(self, block: L2Block) -> list[Any]:
        """Take one block; returns the SACCH System Information it carried (for the cell model)."""
        try:
            if block.channel in ("BCCH", "CCCH"):
                self._common(block)
                return []
            if block.channel in LAPDM_CHANNEL and block.sub is not None:
                return self._dedicated(block)
        except DecodeError:
            self.undecodable_blocks += 1
        return []

    def take(self) -> tuple[list[Session], list[SmsRecord]]:
        """Sessions closed and SMS completed since the last call, in the order they ended."""
        sessions, self._closed = self._closed, []
        sms, self._sms_out = self._sms_out, []
        return sessions, sms

    def finish(self, t_s: float | None = None) -> tuple[list[Session], list[SmsRecord]]:
        """The end of the recording: every open session closed, waiting SMS reported; then :meth:`take`."""
        for session in list(self._by_place.values()):
            self._close(session)
        self._by_place.clear()
        # a break in the recording: what comes after it starts afresh (an assignment heard again is
        # a new one, the links' sequence numbers and partial messages are gone)
        self._assignment.clear()
        self._links = None
        if self._sms is not None:
            self._emit_sms(self._sms.finish())
        return self.take()

    @property
    def links(self) -> Links:
        """The carrier's LAPDm links (:class:`sensor.l2.link.Links`), made on first use."""
        if self._links is None:
            from sensor.l2.link import Links

            self._links = Links()
        return self._links

    @property
    def sms(self) -> SmsAssembler:
        """The carrier's SMS reassembly (:class:`.sms.SmsAssembler`), made on first use."""
        if self._sms is None:
            from .sms import SmsAssembler

            self._sms = SmsAssembler(self.arfcn, self.bsic)
        return self._sms

    @property
    def active(self) -> bool:
        """Any dedicated traffic seen (the cell object gains ``activity``)."""
        return bool(self.assignments or self.assignment_rejects or self.sessions_closed or self._by_place)

    # -- CCCH -------------------------------------------------------------------------------------
    def _common(self, block: L2Block) -> None:
        if not block.crc_ok:
            self.carrier_failed += 1
            return
        self.carrier_ok += 1
        if block.channel != "CCCH":
            return
        self._count_ccch(block.fn)
        key = block.octets if type(block.octets) is bytes else None  # anything else: decode_l3 judges it
        message = self._ccch_decoded.get(key)
        if message is None:
            message = decode_l3(block.octets, pseudo_length=True)
            if key is not None:
                if len(self._ccch_decoded) >= CCCH_DECODED_KEEP:
                    self._ccch_decoded.clear()
                self._ccch_decoded[key] = message
        if isinstance(message, ImmediateAssignment) and not message.assigns_tbf:
            self._assign(message.channel_description, message.request_reference, block)
        elif isinstance(message, ImmediateAssignmentExtended):
            self._assign(message.channel_description_1, message.request_reference_1, block)
            self._assign(message.channel_description_2, message.request_reference_2, block)
        elif isinstance(message, ImmediateAssignmentReject):
            self.assignment_rejects += len({ref for ref, _ in message.rejected})

    def _count_ccch(self, fn: int) -> None:
        """One CCCH block decoded at ``fn``: the CCCH block starts since the last one decoded, within
        ``CCCH_GAP_FRAMES`` (a longer gap: the receiver was tuned away or the recording broke, not
        counted), that were not decoded are counted lost (the failed blocks themselves never reach
        the tracker: the receiver drops them)."""
        last, self._ccch_last_fn = self._ccch_last_fn, fn
        self._ccch_positions.add(fn % tdma.FRAMES_PER_51_MULTIFRAME)
        self.ccch_ok += 1
        if last is None:
            return
        gap = tdma.fn_diff(fn, last)
        if 0 < gap <= CCCH_GAP_FRAMES:
            self.ccch_failed += sum(
                (last + d) % tdma.FRAMES_PER_51_MULTIFRAME in self._ccch_positions for d in range(1, gap)
            )

    def _assign(self, cd: ChannelDescription, reference: Any, block: L2Block) -> None:
        channel = cd.channel
        followed = channel in names.FOLLOWED_CHANNELS and not cd.hopping and cd.arfcn == self.arfcn
        place = (cd.tn, cd.sub_channel if cd.sub_channel is not None else 0)
        if followed and self._assignment.get(place) == (cd, reference):
            return  # the same assignment repeated (TS 44.018 §3.3.1.1.3: the network may repeat it)
        self.assignments += 1
        session = self._new(block.t_s, channel, cd.tn, cd.sub_channel, hopping=cd.hopping, followed=followed)
        if not followed:
            self._close(session)
            return
        self._take_place(place, session)
        self._assignment[place] = (cd, reference)

    # -- SDCCH / SACCH ----------------------------------------------------------------------------
    def _new(
        self, t_s: float | None, channel: str | None, tn: int | None, sub: int | None, *, hopping: bool, followed: bool
    ) -> Session:
        self._count += 1
        bsic = "na" if self.bsic is None else self.bsic
        return Session(
            f"{self.arfcn}-{bsic}-{self._count}", self.arfcn, self.bsic, t_s, channel, tn, sub, hopping, followed
        )

    def _take_place(self, place: tuple[int, int], session: Session, *, reset_links: bool = True) -> None:
        """``session`` now holds the sub-channel: the one before it closes, its links start afresh."""
        old = self._by_place.get(place)
        if old is not None:
            self._close(old)
        self._by_place[place] = session
        self._assignment.pop(place, None)
        if not reset_links or self._links is None:
            return
        sub_channel = place[0] * SUBCHANNELS_PER_TN + place[1]
        for key in [k for k in self._links.links if k.sub_channel == sub_channel]:
            del self.links.links[key]

    def _discards(self, sub_channel: int) -> tuple[int, int]:
        """(discards, retransmissions) so far: the carrier's undecodable blocks and this sub-channel's links."""
        links = [link for key, link in self.links.links.items() if key.sub_channel == sub_channel]
        discards = sum(self.links.discards.values()) + sum(sum(link.discards.values()) for link in links)
        return discards, sum(link.retransmissions for link in links)

    def _dedicated(self, block: L2Block) -> list[Any]:
        from sensor.l2.l1header import decode_l1_header
        from sensor.l2.link import L3Message, LinkEstablished

        assert block.sub is not None
        place = (block.tn, block.sub)
        session = self._by_place.get(place)
        sdcch = block.channel == "SDCCH"
        live = session is not None and session.followed and not session.closed
        if not block.crc_ok:
            if live:
                assert session is not None
                session.blocks_failed += 1
                # before the UA the network sends nothing of the session (fill frames); after the
                # release only the link's end, which closes the session when it decodes
                if not session.released:
                    session.end_t_s = _end_of(block)
                    session.sdcch_lost += int(sdcch and session.readable and session.established)
            return []
        if live:
            assert session is not None
            session.end_t_s = _end_of(block)
        if live:
            assert session is not None
            session.blocks_ok += 1
            if not sdcch and session.readable:
                session.timing_advance = decode_l1_header(block.octets).timing_advance_symbols
        sub_channel = block.tn * SUBCHANNELS_PER_TN + block.sub
        before = self._discards(sub_channel)
        events = self.links.receive_block(block.octets, LAPDM_CHANNEL[block.channel], sub_channel)
        after = self._discards(sub_channel)
        if session is not None and session.readable:
            session.link_discards += after[0] - before[0]
            session.sdcch_lost += int(sdcch and after[0] > before[0] and not session.released)
            session.retransmissions += after[1] - before[1]
        si: list[Any] = []
        for event in events:
            if session is not None and session.released and not session.closed and _ends_link(event):
                self._close(session)  # the network's UA to the phone's DISC (or a DISC/DM) after the release
            elif isinstance(event, LinkEstablished):
                session = self._established(event, session, place, block)
            elif isinstance(event, L3Message) and session is not None and session.readable:
                si += self._message(event, session, block)
            elif isinstance(event, L3Message) and not sdcch:
                si += self._sacch_si(event)
        return si

    def _established(
        self, event: LinkEstablished, session: Session | None, place: tuple[int, int], block: L2Block
    ) -> Session | None:
        """A UA with the phone's first message: the session's start, or a new phone on the sub-channel."""
        if event.key.sapi != SAPI_SIGNALLING or event.key.channel is not Channel.SDCCH or event.echo is None:
            return session
        if session is None or not session.readable or session.established:
            tn, sub = place
            channel = names.SDCCH4 if tn == 0 else names.SDCCH8
            session = self._new(block.t_s, channel, tn, sub, hopping=False, followed=True)
            session.assigned = False
            session.end_t_s = _end_of(block)
            session.blocks_ok += 1
            self._take_place(place, session, reset_links=False)  # the link that brought the UA goes on
        session.established = True
        try:
            first = decode_l3(event.echo)
        except DecodeError:
            session.undecodable_messages += 1
            return session
        session.procedure = names.procedure_of(first)
        identity = getattr(first, "mobile_identity", None)
        if identity is not None:
            session.phone = self.names.phone(identity)
            session.identity_type = identity_name(identity)
            if session.phone is not None:
                self.phones.add(session.phone)
        return session

    def _sacch_si(self, event: L3Message) -> list[Any]:
        from sensor.l3.si_sacch import SACCH_MESSAGES

        if event.key.sapi != SAPI_SIGNALLING:
            return []
        try:
            message = decode_l3(event.l3, pseudo_length=True)
        except DecodeError:
            return []
        if isinstance(message, SACCH_MESSAGES):
            self.sacch_si[message.si_type.value] = message
            return [message]
        return []

    def _message(self, event: L3Message, session: Session, block: L2Block) -> list[Any]:
        from sensor.l3.cp import CPData
        from sensor.l3.mm import (
            AuthenticationRequest,
            CMServiceReject,
            IdentityRequest,
            LocationUpdatingAccept,
            LocationUpdatingReject,
        )
        from sensor.l3.rr_dedicated import ChannelRelease, CipheringModeCommand

        if event.key.channel is Channel.SACCH:
            return self._sacch_si(event)
        if event.after_gap and not proves_whole_sms(event):
            return []  # the tail of a message whose start was lost, as far as anyone can tell
        try:
            message = decode_l3(event.l3)
        except DecodeError:
            session.undecodable_messages += 1
            return []
        if event.key.sapi == SAPI_SMS:
            if isinstance(message, CPData):
                self._cp_data(message, session, block)
            return []
        if isinstance(message, IdentityRequest):
            name = names.IDENTITY_REQUEST_NAMES.get(message.identity_type, names.UNKNOWN_IDENTITY_REQUEST)
            session.identity_requests.append(name)
            self.identity_requests[name] += 1
            if name == names.IDENTITY_REQUEST_NAMES.get(IdentityType.IMSI) and not session.auth:
                self.imsi_requests_before_auth += 1
        elif isinstance(message, AuthenticationRequest):
            session.auth = True
        elif isinstance(message, CipheringModeCommand) and message.cipher_mode_setting.start_ciphering:
            session.ciphered = session.ciphering_seen = True
        elif isinstance(message, LocationUpdatingReject):
            session.result, session.cause = names.LU_REJECT, message.reject_cause
        elif isinstance(message, LocationUpdatingAccept):
            session.result = names.LU_ACCEPT
        elif isinstance(message, CMServiceReject):
            session.cause = message.reject_cause
        elif isinstance(message, ChannelRelease):
            session.released = True  # closes with the link's end (the next UA, DISC or DM) or a new assignment
        return []

    def _cp_data(self, message: CPData, session: Session, block: L2Block) -> None:
        """CP-DATA → RP-DATA (network to MS) → SMS-DELIVER; anything else on SAPI 3 is not an SMS."""
        from sensor.l3.rp import RPDataToMS
        from sensor.sms import SmsDeliver, decode_tpdu

        try:
            rp = message.rp()
            if not isinstance(rp, RPDataToMS):
                return
            tpdu = decode_tpdu(rp.user_data, "mt")
        except DecodeError:
            session.undecodable_messages += 1
            return
        if not isinstance(tpdu, SmsDeliver):
            return
        concat = tpdu.concat
        if concat is None:
            session.sms_keys.add(("whole", len(session.sms_keys)))
        else:  # the parts of one message count once
            session.sms_keys.add((tpdu.originating_address, concat.reference, concat.total))
        session.sms = len(session.sms_keys)
        self._emit_sms(self.sms.add(tpdu, session=session.id, phone=session.phone, t_s=block.t_s))

    def _emit_sms(self, records: list[SmsRecord]) -> None:
        self.sms_count += len(records)
        self._sms_out += records

    def _close(self, session: Session) -> None:
        if session.closed:
            return
        if session.followed and not session.ciphered and looks_ciphered(session, self.carrier_ok, self.carrier_failed):
            session.ciphered = True
        session.result = session.final_result()
        session.closed = True
        self.sessions_closed += 1
        if session.ciphered:
            self.ciphered_sessions += 1
        elif session.followed and not session.complete:
            self.sessions_in_part += 1
        if session.result == names.LU_REJECT and session.cause is not None:
            self.lu_rejects[session.cause] += 1
        self._closed.append(session)
